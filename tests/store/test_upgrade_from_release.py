"""A database made by the previous release upgrades to head with its data intact, on SQLite and
PostgreSQL.

The database is made from `releases/release_0005.json`: every row the 0005 release's code
stored for a used desk (recorded once by `releases/record.py`, frozen like the revisions), loaded
into a database migrated to 0005 only, so the test never depends on today's models. It is then
upgraded to whatever head is and read through today's services. The expectations are written by
hand from the fictional sample cables and demo program, not computed from the snapshot.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from alembic import command
from sqlalchemy.engine import Engine

from npdesk.domain.cases import CaseOutcome, CaseStatus
from npdesk.domain.reviews import ReviewState
from npdesk.security.model import Level, Party, Role, User
from npdesk.services import accounts, approvals, audit, commitments, events, firms, screening
from npdesk.services.cables import cable_view
from npdesk.services.cases import get_case, list_cases
from npdesk.services.handovers import list_handover_lists
from npdesk.services.reviews import list_reviews
from npdesk.store.db import make_engine, session_factory, transaction
from npdesk.store.schema import alembic_config, is_current, upgrade
from npdesk.store.search import search
from npdesk.store.search_query import parse_query
from npdesk.testing.postgres import PostgresCluster

SNAPSHOT = Path(__file__).resolve().parent / "releases" / "release_0005.json"
OFFICER = User("olivia", Party.HOME, Role.OFFICER, Level.S)
SECOND_OFFICER = User("oscar", Party.HOME, Role.OFFICER, Level.S)
ADMIN = User("auditor", Party.HOME, Role.ADMIN, Level.TS)
LIAISON = User("li", Party.PARTNER, Role.LIAISON, Level.C, country="CHN")

_PG_SEARCH_ROW = (
    "INSERT INTO cable_search (cable_id, doc_id, audience, subject, body, tsv) VALUES "
    "(:cable_id, :doc_id, :audience, :subject, :body, "
    "setweight(to_tsvector('english', :subject), 'A') || "
    "setweight(to_tsvector('english', :body), 'B'))"
)


def _typed(column: sa.Column[Any], value: Any) -> Any:
    """A snapshot's JSON value as the column at the release's revision takes it."""
    if value is None:
        return None
    if isinstance(column.type, sa.DateTime):
        moment = datetime.fromisoformat(value)
        return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    if isinstance(column.type, sa.Date):
        return date.fromisoformat(value)
    if isinstance(column.type, sa.LargeBinary):
        return base64.b64decode(value)
    return value


def load_release(engine: Engine, snapshot: dict[str, Any]) -> None:
    """Migrate an empty database to the snapshot's revision and store its rows there."""
    config = alembic_config(engine)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, snapshot["revision"])
    metadata = sa.MetaData()
    metadata.reflect(engine)
    tables: dict[str, list[dict[str, Any]]] = snapshot["tables"]
    postgres = engine.dialect.name == "postgresql"
    with engine.begin() as connection:
        for table in metadata.sorted_tables:
            rows = tables.get(table.name)
            if not rows:
                continue
            if table.name == "search_state":
                connection.execute(table.delete())  # the revision's own starting row
            connection.execute(
                table.insert(), [{k: _typed(table.c[k], v) for k, v in r.items()} for r in rows]
            )
            if postgres:
                # Ids were given explicitly: move each sequence past them for new rows.
                for column in table.columns:
                    if not isinstance(column.type, sa.Integer):
                        continue
                    connection.execute(
                        sa.text(
                            "SELECT setval(pg_get_serial_sequence(:t, :c), max_id) FROM "
                            f'(SELECT max("{column.name}") AS max_id FROM "{table.name}") m '
                            "WHERE pg_get_serial_sequence(:t, :c) IS NOT NULL"
                        ),
                        {"t": table.name, "c": column.name},
                    )
        for row in snapshot["search_rows"]:
            if postgres:
                connection.execute(sa.text(_PG_SEARCH_ROW), row)
            else:
                connection.execute(
                    sa.text(
                        f"INSERT INTO {row['sqlite_table']} (rowid, subject, body) "
                        "VALUES (:sqlite_rowid, :subject, :body)"
                    ),
                    row,
                )


@pytest.fixture(params=["sqlite", "postgresql"])
def released(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Engine]:
    """A database holding the 0005 release's data, at revision 0005."""
    snapshot = json.loads(SNAPSHOT.read_text(encoding="utf-8"))
    # The audit log was sealed with the snapshot's (fictional, test-only) key.
    key_file = tmp_path / "audit.key"
    key_file.write_text(snapshot["audit_key"] + "\n", encoding="ascii")
    key_file.chmod(0o600)
    monkeypatch.setenv("NPDESK_AUDIT_KEY_FILE", str(key_file))
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'release.sqlite3'}"
    else:
        cluster: PostgresCluster = request.getfixturevalue("pg_cluster")
        url = cluster.create_database()
    engine = make_engine(url)
    load_release(engine, snapshot)
    yield engine
    engine.dispose()


def _paragraph_starts(engine: Engine, cable_id: str, user: User) -> list[str] | None:
    with session_factory(engine)() as session:
        view = cable_view(session, cable_id, user)
    return None if view is None else [p["text"][:24] for p in view["paragraphs"]]


def _found(engine: Engine, words: str, user: User) -> list[str]:
    with session_factory(engine)() as session:
        return sorted(hit.id for hit in search(session, parse_query(words), user).hits)


def test_the_release_snapshot_holds_every_table_of_its_revision(released: Engine) -> None:
    """A table the recorder missed would be a table the upgrade test never carries."""
    snapshot = json.loads(SNAPSHOT.read_text(encoding="utf-8"))
    per_dialect = ("alembic_version", "cable_fts", "cable_search")
    names = {n for n in sa.inspect(released).get_table_names() if not n.startswith(per_dialect)}
    assert names == set(snapshot["tables"])


def test_release_data_survives_the_upgrade_to_head(released: Engine) -> None:
    engine = released
    upgrade(engine)  # a no-op only while the release's revision is still the head
    assert is_current(engine)

    # Cables: the four fictional sample cables; 08SAMPLEPOST177 paragraph 2 was released
    # (proposed by olivia, approved by oscar), paragraph 3's proposal was rejected.
    assert _paragraph_starts(engine, "08SAMPLEPOST177", OFFICER) == [
        "Summary: Managers of the",
        "The firm said it would c",
        "<script>alert('fictional",
    ]
    assert _paragraph_starts(engine, "08SAMPLEPOST177", LIAISON) == ["The firm said it would c"]
    assert _paragraph_starts(engine, "08SAMPLEPOST101", LIAISON) is None
    assert _paragraph_starts(engine, "08SAMPLEPOST140", OFFICER) is not None
    assert _paragraph_starts(engine, "08STATE2001", OFFICER) is not None

    # Search reads the index the release wrote, per audience.
    assert _found(engine, "workshop", OFFICER) == ["08SAMPLEPOST101"]
    assert _found(engine, "training", LIAISON) == ["08SAMPLEPOST177"]
    assert _found(engine, "workshop", LIAISON) == []

    # Cases: twenty fictional ones; the liaison sees the eighteen handed over.
    assert len(list_cases(engine, ADMIN).cases) == 20
    assert len(list_cases(engine, LIAISON).cases) == 18
    first = get_case(engine, ADMIN, "FICT-2007-001")
    assert (first.status, first.outcome) == (CaseStatus.CLOSED, CaseOutcome.RESOLVED)
    duplicate = get_case(engine, ADMIN, "FICT-2007-008")
    assert (duplicate.outcome, duplicate.merged_into) == (CaseOutcome.MERGED, "FICT-2007-001")
    assert get_case(engine, ADMIN, "FICT-2008-020").status is CaseStatus.DRAFT
    assert get_case(engine, ADMIN, "FICT-2007-005").status is CaseStatus.PARTNER_INVESTIGATING
    assert get_case(engine, ADMIN, "FICT-2007-009").status is CaseStatus.PARTNER_RESPONDED

    # Handover lists and reviews.
    assert sorted(x.handed_over_on for x in list_handover_lists(engine, ADMIN)) == [
        date(2007, 11, 26),
        date(2008, 3, 19),
        date(2008, 7, 17),
    ]
    states = [r.state for r in sorted(list_reviews(engine, ADMIN), key=lambda r: r.number)]
    assert states == [ReviewState.HELD] * 3 + [ReviewState.PROPOSED]

    # Firms, their ICP history, events and commitments.
    assert {f.key for f in firms.list_firms(engine, ADMIN)} == {
        "demo-hsp",
        "demo-nls",
        "demo-nls-trading",
    }
    assert {f.key for f in firms.list_firms(engine, LIAISON)} == {"demo-hsp", "demo-nls"}
    harbor_star = firms.get_firm(engine, ADMIN, "demo-hsp", date(2009, 1, 1))
    assert [a.assessed_on for a in harbor_star.assessments] == [
        date(2007, 9, 12),
        date(2008, 3, 5),
        date(2009, 2, 20),
    ]
    assert len(events.list_events(engine, ADMIN)) == 3
    assert len(commitments.list_commitments(engine, ADMIN, date(2009, 1, 1))) == 4

    # Screening: the fictional list's entry named Harbor Star raised two alerts.
    alerts = screening.open_alerts(engine, ADMIN)
    assert sorted(a["subject"] for a in alerts) == [
        "HSPM",
        "Harbor Star Precision Machinery Co. (fictional)",
    ]

    # Accounts: the demo officer still signs in with the demo password.
    check = accounts.check_password(engine, "officer", "npdesk-demo-officer")
    assert check.matches

    # Releases: one waiting (approvable now), one rejected with its reason, one approved.
    waiting = approvals.list_releases(engine, ADMIN)
    assert [(r.record_id, r.paragraphs, r.proposed_by) for r in waiting] == [
        ("08SAMPLEPOST101", (2,), "olivia")
    ]
    (rejected,) = approvals.list_releases(engine, ADMIN, approvals.REJECTED)
    assert (rejected.record_id, rejected.reason) == (
        "08SAMPLEPOST177",
        "not yet: wait for the review",
    )
    approvals.approve_release(engine, SECOND_OFFICER, waiting[0].id, source="test")
    assert _paragraph_starts(engine, "08SAMPLEPOST101", LIAISON) == ["The workshop will cover "]

    # Audit: the release's chain still verifies, with the approval just appended to it.
    assert audit.verify(engine) is None
    with transaction(engine) as session:
        newest = session.execute(sa.text("SELECT max(seq) FROM audit_log")).scalar_one()
    assert newest > 184


# The numbers the 0005 release showed the liaison: it numbered, per year of the desk's
# reference, 1..n over the cases the liaison could read, in the order they were created. The
# liaison (CHN, CONFIDENTIAL) could read every case but FICT-2007-013 (SECRET//NOFORN) and the
# draft FICT-2008-020 (not shared), so FICT-2007-014 was their thirteenth case of 2007.
NUMBERS_BEFORE_THE_UPGRADE = {
    **{f"FICT-2007-{n:03d}": f"CHN-2007-{n:03d}" for n in range(1, 13)},
    "FICT-2007-014": "CHN-2007-013",
    "FICT-2008-015": "CHN-2008-001",
    "FICT-2008-016": "CHN-2008-002",
    "FICT-2008-017": "CHN-2008-003",
    "FICT-2008-018": "CHN-2008-004",
    "FICT-2008-019": "CHN-2008-005",
}


def _stored_partner_references(engine: Engine) -> dict[str, str]:
    with engine.connect() as connection:
        rows = connection.execute(
            sa.text(
                "SELECT c.reference, p.reference FROM partner_case_references p "
                "JOIN cases c ON c.id = p.case_id WHERE p.partner = 'CHN'"
            )
        )
        return {desk: own for desk, own in rows}


def test_cases_released_before_the_upgrade_keep_the_partners_numbers(released: Engine) -> None:
    engine = released
    upgrade(engine)

    # Every case the partner had been given has its number stored, exactly the one it showed.
    assert _stored_partner_references(engine) == NUMBERS_BEFORE_THE_UPGRADE
    shown = {c.title: c.reference for c in list_cases(engine, LIAISON).cases}
    assert shown["FICTIONAL: Gyroscope shipment via third country"] == "CHN-2007-001"
    assert shown["FICTIONAL: Chemical reactors lined with glass"] == "CHN-2007-013"
    assert shown["FICTIONAL: UAV flight controllers"] == "CHN-2008-005"
    assert sorted(shown.values()) == sorted(NUMBERS_BEFORE_THE_UPGRADE.values())
    # The liaison still finds a case by the number they know it by; a merge names the target
    # by the liaison's number too.
    assert get_case(engine, LIAISON, "CHN-2007-013").title == (
        "FICTIONAL: Chemical reactors lined with glass"
    )
    duplicate = get_case(engine, LIAISON, "CHN-2007-008")
    assert (duplicate.title, duplicate.merged_into) == (
        "FICTIONAL: Duplicate report of gyroscope shipment",
        "CHN-2007-001",
    )
    # The lists the partner holds read as they did: list 1 ends with the reactors case.
    lists = {x.number: x for x in list_handover_lists(engine, LIAISON)}
    assert [e.reference for e in lists[1].entries] == [*(f"CHN-2007-{n:03d}" for n in range(1, 14))]
    assert [e.reference for e in lists[3].entries][-2:] == ["CHN-2008-004", "CHN-2008-005"]

    # Releasing the draft afterwards gives it the next 2008 number and changes no other.
    proposed = approvals.propose_release(
        engine, OFFICER, approvals.CASE, "FICT-2008-020", source="test"
    )
    approvals.approve_release(engine, SECOND_OFFICER, proposed.id, source="test")
    assert _stored_partner_references(engine) == {
        **NUMBERS_BEFORE_THE_UPGRADE,
        "FICT-2008-020": "CHN-2008-006",
    }
    assert get_case(engine, LIAISON, "CHN-2008-006").title == (
        "FICTIONAL: New report under assessment"
    )
