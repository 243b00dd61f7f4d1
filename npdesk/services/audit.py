"""Writing, checking and exporting the audit log.

`record` appends in the caller's transaction, so an entry and the change it records commit or
roll back together. A refusal has no change to ride along with, so `require` writes the denied
entry in a transaction of its own before raising.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any, cast

from sqlalchemy import Table, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from npdesk.security.actions import permits
from npdesk.security.audit import (
    GENESIS_HASH,
    AuditEntry,
    ChainBreak,
    ChainHead,
    Outcome,
    seal,
    verify_chain,
)
from npdesk.security.model import Marking, User
from npdesk.security.policy import ReleaseDecision
from npdesk.store.db import transaction, utcnow
from npdesk.store.models.security import AuditHead, AuditLogEntry

HEAD_ID = 1
ANONYMOUS_PARTY = "unknown"


class PermissionDenied(Exception):
    """The policy refused an action; the refusal is already in the audit log. The message is
    safe to show to the user (it names the action, never the record's content)."""

    def __init__(self, action: str) -> None:
        self.action = action
        super().__init__(f"not allowed: {action}")


def _advance_head(session: Session, count: int = 1) -> tuple[int, str] | None:
    """Take the next `count` seqs (locking the head row until commit): the last seq taken and
    the hash of the entry before the first."""
    row = session.execute(
        update(AuditHead)
        .where(AuditHead.id == HEAD_ID)
        .values(seq=AuditHead.seq + count)
        .returning(AuditHead.seq, AuditHead.hash)
    ).one_or_none()
    return None if row is None else (int(row[0]), str(row[1]))


def _create_head(session: Session) -> None:
    """Create the head row of an empty log; a concurrent first appender may win the race,
    which is fine (ON CONFLICT DO NOTHING waits for it, then leaves its row)."""
    values = {"id": HEAD_ID, "seq": 0, "hash": GENESIS_HASH}
    if session.get_bind().dialect.name == "postgresql":
        session.execute(pg_insert(AuditHead).values(values).on_conflict_do_nothing())
    else:
        session.execute(sqlite_insert(AuditHead).values(values).on_conflict_do_nothing())


@dataclass(frozen=True)
class Pending:
    """An entry to append: see `record` for the fields."""

    actor: User | str
    action: str
    outcome: Outcome | str
    source: str
    record_kind: str | None = None
    record_id: str | None = None
    detail: Mapping[str, Any] | None = None
    at: datetime | None = None


def record(
    session: Session,
    actor: User | str,
    action: str,
    *,
    outcome: Outcome | str,
    source: str,
    record_kind: str | None = None,
    record_id: str | None = None,
    detail: Mapping[str, Any] | None = None,
    at: datetime | None = None,
) -> AuditEntry:
    """Append an entry to the audit log inside `session`'s transaction and return it.

    `actor` is the acting user, or for a failed login the name that was tried. `source` says
    from where (`cli`, or the client address). `detail` must be JSON-serialisable.

    Appends are serialized by updating the head row first: on PostgreSQL that row lock makes a
    second appender wait until the first commits; on SQLite that write takes the database's
    single write lock.
    Either way the chain cannot fork (and `seq` is a primary key besides).
    """
    pending = Pending(actor, action, outcome, source, record_kind, record_id, detail, at)
    return record_many(session, [pending])[0]


def record_many(session: Session, pending: Sequence[Pending]) -> list[AuditEntry]:
    """Append several entries in order, in `session`'s transaction, taking the head row once
    (a batch ingest audits every file this way)."""
    if not pending:
        return []
    locked = _advance_head(session, len(pending))
    if locked is None:
        _create_head(session)
        locked = _advance_head(session, len(pending))
    if locked is None:
        raise RuntimeError("the audit head row cannot be created")
    last_seq, prev_hash = locked
    entries: list[AuditEntry] = []
    for seq, item in enumerate(pending, start=last_seq - len(pending) + 1):
        if isinstance(item.actor, User):
            name, party = item.actor.username, item.actor.party.value
        else:
            name, party = item.actor[:64], ANONYMOUS_PARTY
        entry = seal(
            AuditEntry(
                seq=seq,
                at=item.at or utcnow(),
                actor=name,
                party=party,
                action=item.action,
                outcome=str(item.outcome),
                source=item.source[:64],
                record_kind=item.record_kind,
                record_id=item.record_id,
                detail=dict(item.detail or {}),
                prev_hash=prev_hash,
            )
        )
        entries.append(entry)
        prev_hash = entry.hash
    session.connection().execute(
        insert(cast(Table, AuditLogEntry.__table__)),
        [
            {
                "seq": e.seq,
                "at": e.at,
                "actor": e.actor,
                "party": e.party,
                "action": e.action,
                "record_kind": e.record_kind,
                "record_id": e.record_id,
                "outcome": e.outcome,
                "source": e.source,
                "detail": dict(e.detail),
                "prev_hash": e.prev_hash,
                "hash": e.hash,
            }
            for e in entries
        ],
    )
    session.execute(update(AuditHead).where(AuditHead.id == HEAD_ID).values(hash=prev_hash))
    return entries


def require(
    engine: Engine,
    actor: User | None,
    action: str,
    *,
    source: str,
    marking: Marking | None = None,
    record_kind: str | None = None,
    record_id: str | None = None,
) -> None:
    """Raise `PermissionDenied` unless the action registry lets `actor` do `action` (on an
    item marked `marking`, when given). A refusal is audited first, in its own transaction;
    an allowed action is audited by the caller together with what it does."""
    if permits(actor, action, marking):
        return
    with transaction(engine) as session:
        record(
            session,
            actor if actor is not None else "(anonymous)",
            action,
            outcome=Outcome.DENIED,
            source=source,
            record_kind=record_kind,
            record_id=record_id,
        )
    raise PermissionDenied(action)


def _entry(row: AuditLogEntry) -> AuditEntry:
    return AuditEntry(
        seq=row.seq,
        at=row.at,
        actor=row.actor,
        party=row.party,
        action=row.action,
        outcome=row.outcome,
        source=row.source,
        record_kind=row.record_kind,
        record_id=row.record_id,
        detail=row.detail or {},
        prev_hash=row.prev_hash,
        hash=row.hash,
    )


def _entries(session: Session, since: datetime | None = None) -> Iterator[AuditEntry]:
    query = select(AuditLogEntry).order_by(AuditLogEntry.seq)
    if since is not None:
        query = query.where(AuditLogEntry.at >= since)
    for row in session.scalars(query.execution_options(yield_per=1000)):
        yield _entry(row)


def verify(engine: Engine) -> ChainBreak | None:
    """Check the whole audit log: None when intact, else the first bad entry and why."""
    with transaction(engine) as session:
        head_row = session.get(AuditHead, HEAD_ID)
        head = ChainHead(head_row.seq, head_row.hash) if head_row else ChainHead(0, GENESIS_HASH)
        return verify_chain(_entries(session), head)


def count(engine: Engine) -> int:
    """How many entries the log holds."""
    with transaction(engine) as session:
        head_row = session.get(AuditHead, HEAD_ID)
        return head_row.seq if head_row else 0


def start_of(day: date | datetime) -> datetime:
    """`day` as a UTC instant: midnight for a date, the instant itself for a datetime."""
    if isinstance(day, datetime):
        return day if day.tzinfo else day.replace(tzinfo=UTC)
    return datetime.combine(day, time.min, tzinfo=UTC)


def export(engine: Engine, since: date | datetime | None = None) -> Iterator[dict[str, Any]]:
    """Every entry at or after `since` (all when None) in seq order, as JSON-ready dicts with
    the same fields the hash covers, plus `hash`."""
    with transaction(engine) as session:
        for entry in _entries(session, start_of(since) if since is not None else None):
            yield {**entry.content(), "hash": entry.hash}


def record_release(
    session: Session,
    officer: User,
    decision: ReleaseDecision,
    *,
    partner: str,
    marking: Marking,
    record_kind: str,
    record_id: str,
    source: str,
    action: str = "cables.release",
) -> AuditEntry:
    """Audit one decision to release a record or paragraph to `partner` (allowed: `ok`, in the
    transaction that marks it; refused: `denied`, with the policy's reason)."""
    return record(
        session,
        officer,
        action,
        outcome=Outcome.OK if decision.allowed else Outcome.DENIED,
        source=source,
        record_kind=record_kind,
        record_id=record_id,
        detail={"partner": partner, "marking": marking.banner(), "reason": decision.reason},
    )
