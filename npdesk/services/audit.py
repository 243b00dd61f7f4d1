"""Writing, checking, checkpointing and exporting the audit log.

`record` appends in the caller's transaction, so an entry and the change it records commit or
roll back together. A refusal has no change to ride along with, so `require` writes the denied
entry in a transaction of its own before raising.

Entries are sealed with the key in the file `settings.audit_key_file()` (created on first use
when missing, mode 0600): see `npdesk.security.audit` for what that protects against.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import stat
import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any, cast

from sqlalchemy import Table, func, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import CursorResult, Engine
from sqlalchemy.orm import Session

from npdesk.security.actions import permits
from npdesk.security.audit import (
    GENESIS_HASH,
    KEY_BYTES,
    AuditEntry,
    AuditKey,
    BadCheckpoint,
    ChainBreak,
    ChainHead,
    Checkpoint,
    Outcome,
    against_checkpoint,
    head_mac,
    parse_checkpoint,
    seal,
    sign_checkpoint,
    verify_chain,
)
from npdesk.security.model import Marking, User
from npdesk.security.policy import ReleaseDecision
from npdesk.services import errors
from npdesk.services.audit_scope import Audited, current_source, note_recorded
from npdesk.settings import audit_key_file
from npdesk.store.db import transaction, utcnow
from npdesk.store.models.security import AuditHead, AuditLogEntry

HEAD_ID = 1
ANONYMOUS_PARTY = "unknown"
HEAD_LOST_ACTOR = "(npdesk)"


class AuditKeyError(RuntimeError):
    """The audit key file cannot be created or read, or is open to others; one clear line."""


_keys: dict[Path, AuditKey] = {}
_keys_lock = threading.Lock()


def audit_key(path: Path | None = None) -> AuditKey:
    """The audit key in `path` (default: `settings.audit_key_file()`), created when missing.

    Refuses a key file that group or others may read or write, as ssh does with its keys: a
    key anyone on the machine can read protects nothing.
    """
    where = (path or audit_key_file()).expanduser().resolve()
    with _keys_lock:
        cached = _keys.get(where)
        if cached is None:
            cached = _keys[where] = _load_or_create_key(where)
        return cached


def _load_or_create_key(path: Path) -> AuditKey:
    try:
        if not path.exists():
            _create_key(path)
        mode = stat.S_IMODE(path.stat().st_mode)
        if mode & 0o077:
            raise AuditKeyError(
                f"audit key {path} is open to other users (mode {mode:04o}): chmod 600 {path}"
            )
        text = path.read_text(encoding="ascii").strip()
    except OSError as exc:
        raise AuditKeyError(f"cannot use audit key {path}: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise AuditKeyError(f"audit key {path} is not a hex key") from None
    try:
        return AuditKey(bytes.fromhex(text))
    except ValueError:
        raise AuditKeyError(f"audit key {path} is not a key of {KEY_BYTES} bytes in hex") from None


def _create_key(path: Path) -> None:
    # Written under a temporary name, then linked into place: two processes starting at once
    # never see a half-written key, and the second simply reads the first one's key.
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "w", encoding="ascii") as handle:
            handle.write(secrets.token_hex(KEY_BYTES) + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        with contextlib.suppress(FileExistsError):  # another process was first: use its key
            os.link(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


class PermissionDenied(errors.NotPermitted):
    """The policy refused an action; the refusal is already in the audit log. The message is
    safe to show to the user (it names the action, never the record's content)."""

    def __init__(self, action: str) -> None:
        self.action = action
        super().__init__(f"not allowed: {action}")


def _advance_head(session: Session, count: int = 1) -> int | None:
    """Take the next `count` seqs (locking the head row until commit): the last seq taken."""
    row = session.execute(
        update(AuditHead)
        .where(AuditHead.id == HEAD_ID)
        .values(seq=AuditHead.seq + count)
        .returning(AuditHead.seq)
    ).one_or_none()
    return None if row is None else int(row[0])


def _hash_of(session: Session, seq: int) -> str | None:
    if seq == 0:
        return GENESIS_HASH
    found = session.scalar(select(AuditLogEntry.hash).where(AuditLogEntry.seq == seq))
    return None if found is None else str(found)


def _create_head(session: Session, seq: int) -> bool:
    """Create the head row at `seq`; whether this call created it. A concurrent first appender
    may win the race, which is fine (ON CONFLICT DO NOTHING waits for it, then leaves its
    row, and its head was not lost)."""
    values = {"id": HEAD_ID, "seq": seq, "hash": GENESIS_HASH}
    if session.get_bind().dialect.name == "postgresql":
        statement: Any = pg_insert(AuditHead).values(values).on_conflict_do_nothing()
    else:
        statement = sqlite_insert(AuditHead).values(values).on_conflict_do_nothing()
    return bool(cast(CursorResult[Any], session.execute(statement)).rowcount)


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


def record_change(
    session: Session,
    actor: User,
    action: str,
    *,
    record_kind: str,
    record_id: str | int,
    detail: Mapping[str, Any] | None = None,
) -> AuditEntry:
    """Audit a change made in `session`'s transaction, from where the running request or
    command comes (`audit_scope.current_source`): for the services whose callers name no
    source."""
    return record(
        session,
        actor,
        action,
        outcome=Outcome.OK,
        source=current_source(),
        record_kind=record_kind,
        record_id=str(record_id)[:64],
        detail=detail,
    )


def record_many(session: Session, pending: Sequence[Pending]) -> list[AuditEntry]:
    """Append several entries in order, in `session`'s transaction, taking the head row once
    (a batch ingest audits every file this way)."""
    if not pending:
        return []
    key = audit_key()
    last_seq = _advance_head(session, len(pending))
    if last_seq is None:
        # No head row: a new log, or one whose head was deleted. Never fail the caller's
        # change for it, nor hide it: carry on after the last stored entry, and say so first.
        stored = int(session.scalar(select(func.max(AuditLogEntry.seq))) or 0)
        if _create_head(session, stored) and stored:
            notice = Pending(
                HEAD_LOST_ACTOR,
                "audit.verify",
                Outcome.ERROR,
                "npdesk",
                detail={"problem": f"the head of the log was missing; went on after {stored}"},
            )
            return record_many(session, [notice, *pending])[1:]
        last_seq = _advance_head(session, len(pending))
    if last_seq is None:
        raise RuntimeError("the audit head row cannot be created")
    # The head stores a keyed MAC, not a hash to chain from: the previous entry's own hash is
    # read from the log. (A missing one means the log was already cut; verify will say so.)
    prev_hash = _hash_of(session, last_seq - len(pending)) or GENESIS_HASH
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
            ),
            key,
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
    session.execute(
        update(AuditHead)
        .where(AuditHead.id == HEAD_ID)
        .values(hash=head_mac(last_seq, prev_hash, key))
    )
    note_recorded(session, [Audited(e.action, e.outcome, e.actor) for e in entries])
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


@contextmanager
def refusals_audited(
    engine: Engine,
    actor: User,
    action: str,
    *,
    record_kind: str | None = None,
    record_id: str | int | None = None,
) -> Iterator[None]:
    """Run the block (a service's whole transaction); when it refuses (`NotPermitted`, or
    `NotFound`: a hidden record is refused like a missing one), audit the refusal as denied in
    a transaction of its own once the block's has rolled back, then let it propagate."""
    try:
        yield
    except (errors.NotPermitted, errors.NotFound) as refusal:
        if not isinstance(refusal, PermissionDenied):  # `require` audited that one already
            with transaction(engine) as session:
                record(
                    session,
                    actor,
                    action,
                    outcome=Outcome.DENIED,
                    source=current_source(),
                    record_kind=record_kind,
                    record_id=None if record_id is None else str(record_id)[:64],
                    detail={"reason": str(refusal)[:200]},
                )
        raise


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


class AuditBroken(Exception):
    """The log does not verify, so nothing can be vouched for (e.g. in a checkpoint)."""

    def __init__(self, problem: ChainBreak) -> None:
        self.problem = problem
        super().__init__(str(problem))


def verify(engine: Engine, checkpoints: Iterable[Checkpoint] = ()) -> ChainBreak | None:
    """Check the whole audit log, and that it still holds every checkpoint in `checkpoints`
    (each signed with this desk's key): None when intact, else the first bad entry and why."""
    wanted = {checkpoint.seq for checkpoint in checkpoints}
    seen: dict[int, str] = {}
    last = 0

    def watched(entries: Iterator[AuditEntry]) -> Iterator[AuditEntry]:
        nonlocal last
        for entry in entries:
            if entry.seq in wanted:
                seen[entry.seq] = entry.hash
            last = entry.seq
            yield entry

    key = audit_key()
    with transaction(engine) as session:
        head_row = session.get(AuditHead, HEAD_ID)
        head = ChainHead(head_row.seq, head_row.hash) if head_row else None
        problem = verify_chain(watched(_entries(session)), key, head)
    if problem is not None:
        return problem
    for checkpoint in sorted(checkpoints, key=lambda c: c.seq):
        problem = against_checkpoint(checkpoint, last, seen.get(checkpoint.seq))
        if problem is not None:
            return problem
    return None


def checkpoint(engine: Engine) -> Checkpoint:
    """A signed checkpoint of the log as it ends now, to keep outside the database. Raises
    `AuditBroken` when the log does not verify (a checkpoint would vouch for a broken log)."""
    problem = verify(engine)
    if problem is not None:
        raise AuditBroken(problem)
    with transaction(engine) as session:
        head_row = session.get(AuditHead, HEAD_ID)
        seq = head_row.seq if head_row else 0
        last_hash = _hash_of(session, seq) or GENESIS_HASH
    return sign_checkpoint(seq, last_hash, utcnow(), audit_key())


def load_checkpoints(path: Path) -> list[Checkpoint]:
    """The checkpoints in `path` (JSON Lines, as `npdesk audit checkpoint >> FILE` appends
    them), each signature checked. Raises `BadCheckpoint` naming the file and line."""
    key = audit_key()
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise BadCheckpoint(f"cannot read {path}: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise BadCheckpoint(f"{path} is not a checkpoint file (not UTF-8 text)") from None
    found: list[Checkpoint] = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            found.append(parse_checkpoint(json.loads(line), key))
        except json.JSONDecodeError:
            raise BadCheckpoint(f"{path}:{number}: not a JSON checkpoint") from None
        except BadCheckpoint as exc:
            raise BadCheckpoint(f"{path}:{number}: {exc}") from None
    if not found:
        raise BadCheckpoint(f"{path} holds no checkpoint")
    return found


def count(engine: Engine) -> int:
    """How many entries the log holds (by its head)."""
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
