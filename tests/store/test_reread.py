"""`npdesk cables reread`: stored cables read again with the current reader, so references
stored by an older reader resolve (issue 13: the reference graph and cited-by use the improved
references), without touching markings or releases."""

from __future__ import annotations

import json

from sqlalchemy import select, update
from sqlalchemy.engine import Engine
from typer.testing import CliRunner

from npdesk.cli.main import app
from npdesk.services.ingest import ingest_paths
from npdesk.store.db import session_factory, transaction
from npdesk.store.models.cables import CableParagraph, CableRecord, CableReference
from tests.store.helpers import SAMPLE_CABLES


def _references(engine: Engine) -> dict[str, list[str | None]]:
    with session_factory(engine)() as session:
        rows = session.execute(
            select(CableReference.cable_id, CableReference.ref_id).order_by(
                CableReference.cable_id, CableReference.position
            )
        ).all()
    found: dict[str, list[str | None]] = {}
    for cable_id, ref_id in rows:
        found.setdefault(cable_id, []).append(ref_id)
    return found


def _markings(engine: Engine) -> list[tuple[str, str, str, str, bool]]:
    with session_factory(engine)() as session:
        return [
            tuple(row)  # type: ignore[misc]
            for row in session.execute(
                select(
                    CableParagraph.cable_id,
                    CableParagraph.classification,
                    CableParagraph.caveats,
                    CableParagraph.rel_to,
                    CableParagraph.shared_with_partner,
                ).order_by(CableParagraph.cable_id, CableParagraph.position)
            )
        ]


def test_reread_resolves_references_an_older_reader_left_unresolved(
    db_url: str, engine: Engine
) -> None:
    ingest_paths(engine, [SAMPLE_CABLES])
    # Read from the REF lines of the sample cables by hand.
    expected = {
        "08SAMPLEPOST140": ["08SAMPLEPOST101", "08STATE12345"],
        "08SAMPLEPOST177": ["08SAMPLEPOST140"],
        "08STATE2001": ["08SAMPLEPOST140", "08SAMPLEPOST177"],
    }
    assert _references(engine) == expected
    markings = _markings(engine)
    # What an older reader stored: no canonical ids, the origin written another way.
    with transaction(engine) as session:
        session.execute(update(CableReference).values(ref_id=None))
        session.execute(
            update(CableRecord)
            .where(CableRecord.id == "08SAMPLEPOST177")
            .values(origin="Embassy Samplepost")
        )
    assert {ref for refs in _references(engine).values() for ref in refs} == {None}
    result = CliRunner().invoke(app, ["cables", "reread", "--json", "--db", db_url])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {
        "read": 4,
        "changed": 3,
        "unreadable": [],
    }  # 101 cites nothing
    assert _references(engine) == expected
    with session_factory(engine)() as session:
        origin = session.scalar(
            select(CableRecord.origin).where(CableRecord.id == "08SAMPLEPOST177")
        )
    assert origin == "AMEMBASSY SAMPLEPOST"
    assert _markings(engine) == markings  # markings and releases are never reread
    again = CliRunner().invoke(app, ["cables", "reread", "--json", "--db", db_url])
    assert json.loads(again.stdout)["changed"] == 0  # idempotent


def test_reread_needs_a_cable_writer(db_url: str, engine: Engine) -> None:
    from tests.web.conftest import add_users

    ingest_paths(engine, [SAMPLE_CABLES])
    add_users(engine)  # rita: home reviewer
    result = CliRunner().invoke(app, ["cables", "reread", "--db", db_url, "--user", "rita"])
    assert result.exit_code == 1
    assert "not permitted" in result.output
