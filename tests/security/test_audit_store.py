"""The stored audit log on SQLite and PostgreSQL: `verify` passes on a clean log and names the
first bad entry after an entry is edited, deleted or swapped directly in the database."""

from __future__ import annotations

import json
import threading
from datetime import date, timedelta

import pytest
from sqlalchemy import select, text
from sqlalchemy.engine import Engine

from npdesk.security.audit import Outcome
from npdesk.security.model import LOCAL_OPERATOR, Level, Marking
from npdesk.services import audit
from npdesk.store.db import session_factory, transaction, utcnow
from npdesk.store.models.security import AuditLogEntry


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store(request: pytest.FixtureRequest) -> Engine:
    name = "engine" if request.param == "sqlite" else "pg_engine"
    engine: Engine = request.getfixturevalue(name)
    return engine


def fill(engine: Engine, count: int = 5) -> None:
    for index in range(1, count + 1):
        with transaction(engine) as session:
            audit.record(
                session,
                LOCAL_OPERATOR,
                "cables.read",
                outcome=Outcome.ALLOWED,
                source="cli",
                record_kind="cable",
                record_id=f"08BEIJING{index}",
                detail={"index": index, "note": "ünïcode ok"},
            )


def execute(engine: Engine, *statements: str) -> None:
    with engine.begin() as connection:
        for statement in statements:
            connection.execute(text(statement))


def test_clean_log_verifies(store: Engine) -> None:
    assert audit.verify(store) is None
    fill(store)
    assert audit.verify(store) is None
    assert audit.count(store) == 5


def test_edited_entry_is_named(store: Engine) -> None:
    fill(store)
    execute(store, "UPDATE audit_log SET outcome = 'denied' WHERE seq = 3")
    bad = audit.verify(store)
    assert bad is not None and bad.seq == 3
    assert "audit entry 3" in str(bad)


def test_edited_detail_is_named(store: Engine) -> None:
    fill(store)
    execute(store, """UPDATE audit_log SET detail = '{"index": 99}' WHERE seq = 2""")
    bad = audit.verify(store)
    assert bad is not None and bad.seq == 2


def test_deleted_entry_is_named(store: Engine) -> None:
    fill(store)
    execute(store, "DELETE FROM audit_log WHERE seq = 3")
    bad = audit.verify(store)
    assert bad is not None and bad.seq == 4


def test_deleted_last_entry_is_named(store: Engine) -> None:
    fill(store)
    execute(store, "DELETE FROM audit_log WHERE seq = 5")
    bad = audit.verify(store)
    assert bad is not None and bad.seq == 5


def test_swapped_entries_are_named(store: Engine) -> None:
    fill(store)
    execute(
        store,
        "UPDATE audit_log SET seq = -1 WHERE seq = 2",
        "UPDATE audit_log SET seq = 2 WHERE seq = 3",
        "UPDATE audit_log SET seq = 3 WHERE seq = -1",
    )
    bad = audit.verify(store)
    assert bad is not None and bad.seq == 2


def test_entry_rolls_back_with_the_change_it_records(store: Engine) -> None:
    fill(store, 2)
    with pytest.raises(RuntimeError), transaction(store) as session:
        audit.record(session, LOCAL_OPERATOR, "cables.ingest", outcome=Outcome.OK, source="cli")
        raise RuntimeError("the change failed")
    assert audit.count(store) == 2
    fill(store, 1)
    assert audit.verify(store) is None


def test_concurrent_writers_do_not_fork_the_chain(store: Engine) -> None:
    errors: list[BaseException] = []

    def writer() -> None:
        try:
            fill(store, 10)
        except BaseException as error:  # collected and re-raised in the test thread
            errors.append(error)

    threads = [threading.Thread(target=writer) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert audit.count(store) == 30
    assert audit.verify(store) is None


def test_require_audits_a_refusal_and_raises(store: Engine) -> None:
    from npdesk.security.model import Party, Role, User

    liaison = User("li", Party.PARTNER, Role.LIAISON, Level.S, country="CHN")
    with pytest.raises(audit.PermissionDenied):
        audit.require(
            store,
            liaison,
            "cables.read",
            source="10.0.0.1",
            marking=Marking(Level.S, frozenset({"NOFORN"})),
            record_kind="cable",
            record_id="08BEIJING1050",
        )
    audit.require(store, LOCAL_OPERATOR, "users.add", source="cli")  # allowed: no entry
    rows = list(audit.export(store))
    assert [(r["actor"], r["action"], r["outcome"], r["record_id"]) for r in rows] == [
        ("li", "cables.read", "denied", "08BEIJING1050")
    ]


def test_export_since(store: Engine) -> None:
    fill(store, 3)
    rows = list(audit.export(store, date.today() - timedelta(days=1)))
    assert [row["seq"] for row in rows] == [1, 2, 3]
    assert all(
        set(row) >= {"at", "actor", "action", "outcome", "hash", "prev_hash"} for row in rows
    )
    json.dumps(rows)
    assert list(audit.export(store, utcnow() + timedelta(days=1))) == []


def test_releases_are_audited_with_their_reason(store: Engine) -> None:
    from npdesk.security.model import Party, Role, User
    from npdesk.security.policy import may_release

    officer = User("olivia", Party.HOME, Role.OFFICER, Level.S)
    for marking in (Marking(Level.C), Marking(Level.S, frozenset({"NOFORN"}))):
        decision = may_release(officer, marking, Level.C)
        with transaction(store) as session:
            audit.record_release(
                session,
                officer,
                decision,
                partner="CHN",
                marking=marking,
                record_kind="cable",
                record_id="08BEIJING1050",
                source="10.0.0.2",
            )
    rows = list(audit.export(store))
    assert [(r["action"], r["outcome"]) for r in rows] == [
        ("cables.release", "ok"),
        ("cables.release", "denied"),
    ]
    assert "NOFORN" in rows[1]["detail"]["reason"]
    assert audit.verify(store) is None


def test_an_append_after_the_head_was_deleted_says_so_once(store: Engine) -> None:
    fill(store, 3)
    execute(store, "DELETE FROM audit_head")
    fill(store, 2)
    with session_factory(store)() as session:
        notices = session.scalars(
            select(AuditLogEntry).where(AuditLogEntry.action == "audit.verify")
        ).all()
    assert [(n.seq, n.outcome, n.detail["problem"]) for n in notices] == [
        (4, "error", "the head of the log was missing; went on after 3")
    ]
    assert audit.count(store) == 6


def test_first_appenders_racing_for_a_new_log_write_no_head_lost_notice(store: Engine) -> None:
    # Each racer may find no head, then see the others' entries once they commit: that is a
    # new log being started, not a lost head.
    threads = [threading.Thread(target=fill, args=(store, 1)) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert audit.count(store) == 6
    assert audit.verify(store) is None
