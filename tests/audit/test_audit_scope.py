"""The safety net of `npdesk.services.audit_scope`, on SQLite and PostgreSQL: inside a scope
with an actor, an ORM change committed without an audit row gets one in the same transaction
(and none when it rolls back); a change its service audited is left alone (no second row); no
scope or no actor, no row; records loaded above CONFIDENTIAL are noted only for an actor cleared
to read them."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.engine import Engine

from npdesk.security.model import Level, Party, Role, User
from npdesk.services import audit, audit_scope
from npdesk.store.db import transaction
from npdesk.store.models.desk import FirmRecord
from tests.audit.conftest import last_seq, rows_after

OFFICER = User("scopeofficer", Party.HOME, Role.OFFICER, Level.TS)
CLEARED_C = User("scopereader", Party.HOME, Role.OFFICER, Level.C)
SOURCE = "192.0.2.7"


def _firm(key: str, classification: str = "UNCLASSIFIED") -> FirmRecord:
    return FirmRecord(key=key, name=f"Fictional {key}", classification=classification)


def _firm_id(engine: Engine, key: str) -> int | None:
    with transaction(engine, read_only=True) as session:
        return session.scalar(select(FirmRecord.id).where(FirmRecord.key == key))


def test_an_unaudited_change_gets_its_row_in_its_transaction(engine: Engine) -> None:
    before = last_seq(engine)
    with audit_scope.scoped(SOURCE, action="desk.write") as scope:
        audit_scope.acting_as(OFFICER)
        with transaction(engine) as session:
            session.add(_firm("scope-one"))
    ident = _firm_id(engine, "scope-one")
    rows = rows_after(engine, before)
    assert [(r.actor, r.action, r.outcome, r.source) for r in rows] == [
        ("scopeofficer", "desk.write", "ok", SOURCE)
    ]
    assert (rows[0].record_kind, rows[0].record_id) == ("desk_firms", str(ident))
    assert rows[0].detail == {"changed": [f"desk_firms:{ident}"]}
    assert [(a.action, a.outcome, a.actor) for a in scope.audited] == [
        ("desk.write", "ok", "scopeofficer")
    ]


def test_a_change_rolled_back_leaves_no_row(engine: Engine) -> None:
    before = last_seq(engine)
    with audit_scope.scoped(SOURCE, action="desk.write") as scope:
        audit_scope.acting_as(OFFICER)
        with pytest.raises(RuntimeError), transaction(engine) as session:
            session.add(_firm("scope-gone"))
            session.flush()
            raise RuntimeError("the service failed after its change")
        assert scope.audited == []
    assert _firm_id(engine, "scope-gone") is None
    assert rows_after(engine, before) == []


def test_a_change_its_service_audited_gets_no_second_row(engine: Engine) -> None:
    before = last_seq(engine)
    with audit_scope.scoped(SOURCE, action="desk.write"):
        audit_scope.acting_as(OFFICER)
        with transaction(engine) as session:
            session.add(_firm("scope-two"))
            session.flush()
            audit.record_change(
                session, OFFICER, "desk.write", record_kind="firm", record_id="scope-two"
            )
    rows = rows_after(engine, before)
    assert [(r.action, r.record_kind, r.record_id, r.source) for r in rows] == [
        ("desk.write", "firm", "scope-two", SOURCE)
    ]


def test_no_scope_or_no_actor_no_row(engine: Engine) -> None:
    before = last_seq(engine)
    with transaction(engine) as session:
        session.add(_firm("scope-none"))
    with audit_scope.scoped(SOURCE, action="desk.write"), transaction(engine) as session:
        session.add(_firm("scope-anonymous"))
    assert rows_after(engine, before) == []
    assert audit_scope.current_source() == "cli"


def test_reads_above_confidential_are_noted_for_a_reader_cleared_for_them(
    engine: Engine,
) -> None:
    with transaction(engine) as session:
        session.add_all(
            [
                _firm("scope-s", "SECRET"),
                _firm("scope-ts", "TOP SECRET"),
                _firm("scope-c", "CONFIDENTIAL"),
            ]
        )
    ids = {key: _firm_id(engine, key) for key in ("scope-s", "scope-ts")}
    for reader, wanted in (
        (OFFICER, [f"desk_firms:{ids['scope-s']}", f"desk_firms:{ids['scope-ts']}"]),
        (CLEARED_C, []),
    ):
        with audit_scope.scoped(SOURCE) as scope:
            audit_scope.acting_as(reader)
            with transaction(engine, read_only=True) as session:
                session.scalars(
                    select(FirmRecord).where(FirmRecord.key.like("scope-%")).order_by(FirmRecord.id)
                ).all()
        assert scope.read_above == wanted, reader.username
