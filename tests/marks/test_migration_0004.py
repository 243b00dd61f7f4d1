"""Migration 0004 re-marks what was stored under the old rules, upgrading a database that
holds data made at revision 0003, on SQLite and PostgreSQL (issue 11, part 2).

The old state is written by hand: what ingest stored before (the page's word over a stricter
banner; unmarked paragraphs at the page's marking), a release made on that wrong marking, a
proposal marked by its paragraph, the event made by accepting one, and screening rows stored
UNCLASSIFIED although taken from a SECRET case."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from alembic import command
from sqlalchemy.engine import Engine

from npdesk.domain.cases import Subject, SubjectKind
from npdesk.security.model import Level, Marking, Party, Role, User
from npdesk.services.cases import CaseInput, create_case
from npdesk.services.ingest import ingest_paths
from npdesk.store.db import make_engine, session_factory
from npdesk.store.models.cables import CableRecord
from npdesk.store.schema import alembic_config, upgrade
from npdesk.store.search import IndexDocument, index_cable
from npdesk.testing.postgres import PostgresCluster
from tests.store.helpers import SAMPLE_CABLES

OFFICER = User("officer", Party.HOME, Role.OFFICER, Level.TS)
NOW = datetime(2010, 12, 1, 12, tzinfo=UTC)


@pytest.fixture(params=["sqlite", "postgresql"])
def at_0003(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """An empty database migrated to revision 0003 only."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'old.sqlite3'}"
    else:
        cluster: PostgresCluster = request.getfixturevalue("pg_cluster")
        url = cluster.create_database()
    engine = make_engine(url)
    config = alembic_config(engine)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0003")
    yield engine
    engine.dispose()


def insert(connection: sa.Connection, table: str, **values: Any) -> int:
    columns = [
        sa.column(k, sa.JSON if isinstance(v, dict | list) else None) for k, v in values.items()
    ]
    target = sa.table(table, *columns, sa.column("id"))
    return int(
        connection.execute(target.insert().values(**values).returning(target.c.id)).scalar_one()
    )


def marked(
    classification: str, caveats: str = "", rel_to: str = "", shared: bool = False
) -> dict[str, Any]:
    return {
        "classification": classification,
        "caveats": caveats,
        "rel_to": rel_to,
        "shared_with_partner": shared,
    }


def old_state(engine: Engine, corpus_dir: Path) -> dict[str, int]:
    """Data as the code before 0004 stored it."""
    ingest_paths(
        engine,
        [
            corpus_dir / "88BAGHDAD28.html",
            corpus_dir / "09STATE83014.html",
            SAMPLE_CABLES / "08STATE2001.txt",
            SAMPLE_CABLES / "08SAMPLEPOST177.txt",
        ],
    )
    ids: dict[str, int] = {}
    with engine.begin() as c:
        # 88BAGHDAD28 was stored CONFIDENTIAL (its page) and released with paragraph 1 (U).
        c.execute(
            sa.text(
                "UPDATE cables SET classification = 'CONFIDENTIAL', caveats = '', "
                "rel_to = 'CHN', shared_with_partner = :t WHERE id = '88BAGHDAD28'"
            ),
            {"t": True},
        )
        c.execute(
            sa.text(
                "UPDATE cable_paragraphs SET rel_to = 'CHN' "
                "WHERE cable_id = '88BAGHDAD28' AND number = 1"
            )
        )
        # 09STATE83014 lost NOFORN (page SECRET), and so did its unmarked paragraphs.
        c.execute(sa.text("UPDATE cables SET caveats = '' WHERE id = '09STATE83014'"))
        c.execute(
            sa.text(
                "UPDATE cable_paragraphs SET caveats = '' "
                "WHERE cable_id = '09STATE83014' AND portion IS NULL"
            )
        )
        # 08STATE2001 was stored CONFIDENTIAL, its paragraph 2 (C//NF) notwithstanding.
        c.execute(sa.text("UPDATE cables SET caveats = '' WHERE id = '08STATE2001'"))
    with session_factory(engine)() as session, session.begin():
        # The partner's search row as the release wrote it under the wrong marking.
        record = session.get(CableRecord, "88BAGHDAD28")
        assert record is not None
        index_cable(session, IndexDocument.of(record))
    case = create_case(
        engine,
        OFFICER,
        CaseInput(
            title="FICTIONAL case",
            subjects=(Subject("Fictional Widgets Ltd", SubjectKind.FIRM),),
            marking=Marking(Level.S),
            fictional=True,
        ),
    )
    with engine.begin() as c:
        event = insert(
            c,
            "desk_events",
            title="Working-level review",
            kind="meeting",
            agencies=[],
            firms=[],
            outcome="Embassy should propose the review.",
            follow_ups=[],
            fictional=True,
            created_at=NOW,
            updated_at=NOW,
            **marked("CONFIDENTIAL"),
        )
        payload = {"kind": "review", "text": "Embassy should propose the review.", "paragraph": 1}
        ids["accepted"] = insert(
            c,
            "desk_proposals",
            cable_id="08STATE2001",
            position=0,
            kind="review",
            payload=payload,
            state="accepted",
            record_kind="event",
            record_id=event,
            created_at=NOW,
            **marked("CONFIDENTIAL"),
        )
        ids["event"] = event
        ids["pending"] = insert(
            c,
            "desk_proposals",
            cable_id="88BAGHDAD28",
            position=0,
            kind="firm",
            payload={"kind": "firm", "text": "Fictional firm", "paragraph": None},
            state="pending",
            created_at=NOW,
            **marked("CONFIDENTIAL", rel_to="CHN", shared=True),  # took the cable's marking
        )
        subject = dict(active=True, added_at=NOW, added_by="officer", **marked("UNCLASSIFIED"))
        ids["case_subject"] = insert(
            c,
            "screened_subjects",
            name="Fictional Widgets Ltd",
            source="case",
            reference=case.reference,
            **subject,
        )
        ids["lost_firm_subject"] = insert(
            c, "screened_subjects", name="Gone Ltd", source="firm", reference="gone", **subject
        )
        ids["manual_subject"] = insert(
            c, "screened_subjects", name="Typed Ltd", source="manual", reference="", **subject
        )
        ids["screening"] = insert(
            c,
            "screenings",
            at=NOW,
            actor="officer",
            origin="case",
            query_name="Fictional Widgets Ltd",
            query_key="fictional ltd widgets",
            list_versions={"ofac-sdn": 1},
            subject_id=ids["case_subject"],
            hit_count=1,
            **marked("UNCLASSIFIED"),
        )
        ids["manual_screening"] = insert(
            c,
            "screenings",
            at=NOW,
            actor="officer",
            origin="cli",
            query_name="Typed Ltd",
            query_key="ltd typed",
            list_versions={"ofac-sdn": 1},
            hit_count=0,
            **marked("UNCLASSIFIED"),
        )
        ids["hit"] = insert(
            c,
            "screening_hits",
            screening_id=ids["screening"],
            rank=1,
            list_name="ofac-sdn",
            source_id="1",
            entry_name="FICTIONAL WIDGETS",
            matched_name="FICTIONAL WIDGETS",
            score=0.9,
            explanation={},
        )
        ids["decision"] = insert(
            c,
            "screening_decisions",
            hit_id=ids["hit"],
            query_key="fictional ltd widgets",
            list_name="ofac-sdn",
            source_id="1",
            judgement="true_match",
            reason="same address",
            decided_by="officer",
            decided_at=NOW,
            **marked("UNCLASSIFIED"),
        )
        version = insert(
            c,
            "screening_list_versions",
            list_name="ofac-sdn",
            version=1,
            format="ofac-sdn",
            source_name="sdn",
            content_hash="0" * 64,
            loaded_at=NOW,
            loaded_by="officer",
            entry_count=1,
            counts={},
            problems=[],
        )
        ids["alert"] = insert(
            c,
            "screening_alerts",
            subject_id=ids["case_subject"],
            kind="new_hit",
            list_name="ofac-sdn",
            source_id="1",
            entry_name="FICTIONAL WIDGETS",
            version_id=version,
            screening_id=ids["screening"],
            raised_at=NOW,
            **marked("UNCLASSIFIED"),
        )
    return ids


def marking(c: sa.Connection, table: str, where: str, **params: Any) -> tuple[Any, ...]:
    row = c.execute(
        sa.text(
            f"SELECT classification, caveats, rel_to, shared_with_partner FROM {table} "
            f"WHERE {where}"
        ),
        params,
    ).one()
    return (row[0], row[1], row[2], bool(row[3]))


def test_upgrade_to_0004_re_marks_stored_data(at_0003: Engine, corpus_dir: Path) -> None:
    engine = at_0003
    ids = old_state(engine, corpus_dir)
    upgrade(engine)
    with engine.connect() as c:
        cable = "cables"
        # The SECRET cable is SECRET; its release (REL TO CHN, shared) is kept, and the level
        # now keeps the partner (agreed CONFIDENTIAL) out.
        assert marking(c, cable, "id = '88BAGHDAD28'") == ("SECRET", "", "CHN", True)
        assert marking(c, cable, "id = '09STATE83014'") == ("SECRET", "NOFORN", "", False)
        assert marking(c, cable, "id = '08STATE2001'") == ("CONFIDENTIAL", "NOFORN", "", False)
        assert marking(c, cable, "id = '08SAMPLEPOST177'") == (
            "UNCLASSIFIED",
            "FOR OFFICIAL USE ONLY",
            "",
            False,
        )
        unmarked = c.execute(
            sa.text(
                "SELECT DISTINCT classification, caveats FROM cable_paragraphs "
                "WHERE cable_id = '09STATE83014' AND portion IS NULL"
            )
        ).all()
        assert [tuple(r) for r in unmarked] == [("SECRET", "NOFORN")]
        # Marked paragraphs keep their own marking (paragraph 1 of 88BAGHDAD28 is (U)).
        assert marking(c, "cable_paragraphs", "cable_id = '88BAGHDAD28' AND number = 1") == (
            "UNCLASSIFIED",
            "",
            "CHN",
            False,
        )
        # The partner's search row of the re-marked cable holds nothing any more.
        if engine.dialect.name == "sqlite":
            partner = c.execute(
                sa.text(
                    "SELECT subject || body FROM cable_fts_partner WHERE rowid = "
                    "(SELECT doc_id FROM cables WHERE id = '88BAGHDAD28')"
                )
            ).scalar()
        else:
            partner = c.execute(
                sa.text(
                    "SELECT subject || body FROM cable_search "
                    "WHERE cable_id = '88BAGHDAD28' AND audience = 'partner'"
                )
            ).scalar()
        assert not partner
        warnings = c.execute(
            sa.text("SELECT v.parsed FROM cable_versions v WHERE v.cable_id = '88BAGHDAD28'")
        ).scalar_one()
        if isinstance(warnings, str):
            import json

            warnings = json.loads(warnings)
        assert any(
            w.startswith("marking: page metadata CONFIDENTIAL understates")
            for w in warnings["warnings"]
        )
        # Proposals stored without sources take the strictest of their whole cable; the event
        # made from one is raised to it.
        proposal = "desk_proposals"
        assert marking(c, proposal, "id = :i", i=ids["accepted"]) == (
            "CONFIDENTIAL",
            "NOFORN",
            "",
            False,
        )
        assert marking(c, proposal, "id = :i", i=ids["pending"]) == ("SECRET", "", "", False)
        assert marking(c, "desk_events", "id = :i", i=ids["event"]) == (
            "CONFIDENTIAL",
            "NOFORN",
            "",
            False,
        )
        assert c.execute(sa.text("SELECT count(*) FROM desk_proposal_reads")).scalar() == 0
        # Screening: the subject of the SECRET case and everything from it are SECRET; a
        # subject of a firm no longer stored is kept SECRET; one typed by hand stays as it was.
        secret = ("SECRET", "", "", False)
        for table, key in (
            ("screened_subjects", "case_subject"),
            ("screened_subjects", "lost_firm_subject"),
            ("screenings", "screening"),
            ("screening_hits", "hit"),
            ("screening_decisions", "decision"),
            ("screening_alerts", "alert"),
        ):
            assert marking(c, table, "id = :i", i=ids[key]) == secret, table
        unclassified = ("UNCLASSIFIED", "", "", False)
        assert marking(c, "screened_subjects", "id = :i", i=ids["manual_subject"]) == unclassified
        assert marking(c, "screenings", "id = :i", i=ids["manual_screening"]) == unclassified
