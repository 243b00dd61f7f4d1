"""Engine, sessions and the declarative base shared by every model.

SQLite is the embedded default (WAL mode, foreign keys on); PostgreSQL is the multi-user
deployment. Both go through the same models; dialect differences live in `search` only.

Writes that hold under concurrency: on SQLite every transaction begins IMMEDIATE (taking the
single write lock up front, waiting up to the busy timeout for it) unless it is declared
read-only. A transaction that began DEFERRED, read, and then wrote could not wait for the
lock: SQLite answers "database is locked" at once when another writer committed since its read
began, which is what web edits and logins hit during an ingest. `is_lock_failure` says which
errors mean "busy, try again later" (the web answers them 503 with Retry-After, the CLI one
line); `run_transaction` retries PostgreSQL serialization failures and deadlocks.

A web request or CLI command is a unit of work (`unit_of_work`): it notes whether it has
committed any write yet, so a whole request or command that PostgreSQL aborted before it
changed anything can be run again from the start (`retried`, and the web middleware).
"""

from __future__ import annotations

import random
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar

from sqlalchemy import Boolean, DateTime, MetaData, String, create_engine, event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm import (
    DeclarativeBase,
    Mapped,
    Session,
    SessionTransactionOrigin,
    mapped_column,
    sessionmaker,
)

from npdesk.settings import database_url, sqlite_busy_timeout_ms

# Stable constraint names so Alembic migrations are identical on SQLite and PostgreSQL.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base of every npdesk table."""

    metadata = MetaData(naming_convention=NAMING)


def utcnow() -> datetime:
    """Timezone-aware now in UTC (the only clock the store uses)."""
    return datetime.now(UTC)


def iso_utc(value: datetime | None) -> str | None:
    """`2008-03-20T11:06:00Z` for a stored moment (SQLite hands back naive UTC datetimes)."""
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def banner(classification: str, caveats: str) -> str:
    """The banner of stored marking columns: level then caveats, `//`-joined."""
    return "//".join([classification, *filter(None, caveats.split("//"))])


class MarkedMixin:
    """The marking every stored record carries from the start: level, caveats, releasability.

    `classification` is a level word (`UNCLASSIFIED`, `CONFIDENTIAL`, `SECRET`, `TOP SECRET`);
    `caveats` is `//`-joined (`NOFORN`, `FOR OFFICIAL USE ONLY`); `rel_to` is a space-separated
    list of country codes the record is releasable to (`CHN`); `shared_with_partner` is the
    record-level flag an officer sets. Nothing is releasable unless marked so.
    """

    classification: Mapped[str] = mapped_column(String(32), default="UNCLASSIFIED")
    caveats: Mapped[str] = mapped_column(String(200), default="")
    rel_to: Mapped[str] = mapped_column(String(200), default="")
    shared_with_partner: Mapped[bool] = mapped_column(Boolean, default=False)


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # Let SQLAlchemy, not the sqlite3 module, say where transactions begin: the module would
    # start one only at the first write, so a SAVEPOINT taken earlier became the outermost
    # transaction and its RELEASE committed on the spot.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute(f"PRAGMA busy_timeout={sqlite_busy_timeout_ms()}")
    # Reads dominate (search, facets): a 64 MB page cache and memory-mapped reads.
    cursor.execute("PRAGMA cache_size=-65536")
    cursor.execute("PRAGMA mmap_size=1073741824")
    cursor.execute("PRAGMA temp_store=MEMORY")
    cursor.close()


READ_ONLY = "npdesk_read_only"
"""Execution option: this connection's transactions only read (SQLite: BEGIN DEFERRED)."""
_SESSION_BEGINS = "npdesk_session_begins"
"""Execution option of session connections: the session, not the engine, emits BEGIN."""
_SESSION_READ_ONLY = "npdesk_read_only"
"""`Session.info` key: the session's transaction only reads."""


def _sqlite_begin(connection: Connection) -> None:
    # IMMEDIATE: wait (busy timeout) for the write lock now, while waiting still works; a
    # read-only transaction needs no lock in WAL mode and reads its snapshot beside writers.
    options = connection.get_execution_options()
    if options.get(_SESSION_BEGINS):
        return  # `_sqlite_session_begin` says which, knowing how the session began
    if options.get(READ_ONLY):
        connection.exec_driver_sql("BEGIN")
    else:
        _begin_immediate(connection)


def _sqlite_session_begin(session: Session, transaction: Any, connection: Connection) -> None:
    # Only an explicit `session.begin()` (`transaction`, a batch ingest) is a unit of work
    # that commits; a session that began by itself on its first query (a request's session,
    # a listing) never commits, so it only reads and must not hold the write lock: the
    # services it calls open their own write transactions meanwhile.
    root = transaction
    while root.parent is not None:
        root = root.parent
    writes = root.origin is SessionTransactionOrigin.BEGIN and not session.info.get(
        _SESSION_READ_ONLY
    )
    if writes:
        _begin_immediate(connection)
    else:
        connection.exec_driver_sql("BEGIN")


_POLL_SECONDS = (0.001, 0.002, 0.004)
"""How often a writer waiting for SQLite's write lock tries again (the last, from then on)."""


class NestedWriteTransaction(RuntimeError):
    """A write transaction was begun on SQLite while this thread already holds one on the
    same database: it would wait for its own lock. A programming error, named at once."""


_held = threading.local()
_LOCK_INFO = "npdesk_holds_write_lock"


def _held_databases() -> set[str]:
    found: set[str] | None = getattr(_held, "databases", None)
    if found is None:
        found = _held.databases = set()
    return found


def _release_write_lock(connection: Connection, *_: Any) -> None:
    database = connection.info.pop(_LOCK_INFO, None)
    if database is not None:
        _held_databases().discard(database)


def _begin_immediate(connection: Connection) -> None:
    """BEGIN IMMEDIATE, waiting up to the busy timeout for the write lock.

    SQLite's own busy handler sleeps longer and longer between tries (up to 100 ms), so a
    waiter keeps missing the short gaps a batch writer leaves between its transactions (an
    ingest commits and begins the next batch within milliseconds) and starves until it times
    out. Trying every few milliseconds gets in at the next gap.
    """
    # In-memory databases are one per connection: nothing to wait for there.
    database = connection.engine.url.database or ":memory:"
    if database != ":memory:" and database in _held_databases():
        raise NestedWriteTransaction(
            "a write transaction was begun inside another on the same thread: record what "
            "the inner one writes in the outer one, or after it ends"
        )
    raw = connection.connection.dbapi_connection
    assert raw is not None  # a connection in use has its DBAPI connection
    deadline = time.monotonic() + sqlite_busy_timeout_ms() / 1000
    cursor = raw.cursor()
    try:
        cursor.execute("PRAGMA busy_timeout=0")
        attempt = 0
        while True:
            try:
                cursor.execute("BEGIN IMMEDIATE")
                if database != ":memory:":
                    connection.info[_LOCK_INFO] = database
                    _held_databases().add(database)
                return
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) and "busy" not in str(exc):
                    raise
                if time.monotonic() >= deadline:
                    raise OperationalError("BEGIN IMMEDIATE", None, exc) from None
            time.sleep(_POLL_SECONDS[min(attempt, len(_POLL_SECONDS) - 1)])
            attempt += 1
    finally:
        cursor.execute(f"PRAGMA busy_timeout={sqlite_busy_timeout_ms()}")
        cursor.close()


def _session_begin(session: Session, transaction: Any, connection: Connection) -> None:
    if connection.get_execution_options().get(_SESSION_BEGINS):
        _sqlite_session_begin(session, transaction, connection)


event.listen(Session, "after_begin", _session_begin)


def make_engine(url: str | None = None, **kwargs: Any) -> Engine:
    """Create an engine for `url` (see `settings.database_url`). SQLite gets WAL mode and
    foreign keys; PostgreSQL URLs `postgresql://` use psycopg 3."""
    resolved = database_url(url)
    if resolved.startswith("postgresql://"):
        resolved = "postgresql+psycopg://" + resolved.removeprefix("postgresql://")
    engine = create_engine(resolved, **kwargs)
    event.listen(engine, "before_cursor_execute", _note_write)
    event.listen(engine, "commit", _note_commit)
    event.listen(engine, "rollback", _forget_writes)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
        event.listen(engine, "commit", _release_write_lock)
        event.listen(engine, "rollback", _release_write_lock)
    return engine


@dataclass
class UnitOfWork:
    """What one web request or CLI command has done to the database so far: how many
    transactions that wrote have committed (none: running it again repeats nothing)."""

    committed_writes: int = 0


_unit: ContextVar[UnitOfWork | None] = ContextVar("npdesk_unit_of_work", default=None)
_WROTE = "npdesk_wrote"
# Statements that change nothing: reads and transaction control.
_READS = ("SELECT", "BEGIN", "PRAGMA", "SAVEPOINT", "RELEASE", "ROLLBACK", "SHOW", "SET")


@contextmanager
def unit_of_work() -> Iterator[UnitOfWork]:
    """Track the writes committed within the block (worker threads started from it share it:
    they run in a copy of this context)."""
    unit = UnitOfWork()
    token = _unit.set(unit)
    try:
        yield unit
    finally:
        _unit.reset(token)


def current_unit() -> UnitOfWork | None:
    return _unit.get()


def _note_write(connection: Connection, _cursor: Any, statement: str, *_: Any) -> None:
    if not statement.lstrip()[:9].upper().startswith(_READS):
        connection.info[_WROTE] = True


def _note_commit(connection: Connection) -> None:
    unit = _unit.get()
    if connection.info.pop(_WROTE, False) and unit is not None:
        unit.committed_writes += 1


def _forget_writes(connection: Connection) -> None:
    connection.info.pop(_WROTE, None)


def _is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


def engine_of(session: Session) -> Engine:
    """The engine behind `session` (bound to an engine, or to a connection of one)."""
    bind = session.get_bind()
    return bind if isinstance(bind, Engine) else bind.engine


def session_factory(engine: Engine, *, read_only: bool = False) -> sessionmaker[Session]:
    """Sessions on `engine`. On SQLite, one that `begin()`s explicitly takes the write lock at
    once (BEGIN IMMEDIATE) unless `read_only`; one that begins by itself only reads."""
    info = {_SESSION_READ_ONLY: True} if read_only else {}
    if not _is_sqlite(engine):
        return sessionmaker(engine, expire_on_commit=False, info=info)
    bind = engine.execution_options(**{_SESSION_BEGINS: True})
    return sessionmaker(bind, expire_on_commit=False, info=info)


@contextmanager
def transaction(engine: Engine, *, read_only: bool = False) -> Iterator[Session]:
    """A session whose work commits together at the end, or rolls back on any error.

    Declare `read_only` when the work only reads (no audit entry either): on SQLite it then
    runs beside a writer instead of queueing for the write lock.
    """
    with session_factory(engine, read_only=read_only)() as session, session.begin():
        yield session


# SQLite: the busy timeout ran out. PostgreSQL: lock_not_available (lock_timeout or NOWAIT),
# serialization_failure and deadlock_detected.
_SQLITE_BUSY = ("database is locked", "database table is locked", "database is busy")
_PG_BUSY = {"55P03", "40001", "40P01"}
_PG_RETRY = {"40001", "40P01"}


def _sqlstate(exc: BaseException) -> str | None:
    orig = getattr(exc, "orig", None)
    state = getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None)
    return state if isinstance(state, str) else None


def is_lock_failure(exc: BaseException) -> bool:
    """Whether `exc` means the database was too busy to take the work now (a lock that could
    not be had in time, a serialization failure, a deadlock): worth trying again later."""
    if not isinstance(exc, DBAPIError):
        return False
    if _sqlstate(exc) in _PG_BUSY:
        return True
    message = str(exc.orig).lower() if isinstance(exc, OperationalError) else ""
    return any(busy in message for busy in _SQLITE_BUSY)


def is_retryable(exc: BaseException) -> bool:
    """Whether re-running the whole transaction may succeed at once (PostgreSQL serialization
    failures and deadlocks: the server rolled it back and asks the client to retry)."""
    return isinstance(exc, DBAPIError) and _sqlstate(exc) in _PG_RETRY


Result = TypeVar("Result")
ATTEMPTS = 4


def retry_pause(attempt: int) -> float:
    """How long to wait before attempt `attempt + 1`: short, random (so the two sides of a
    deadlock do not meet again), growing."""
    return random.uniform(0, 0.05 * 2**attempt)


def may_retry(exc: BaseException, attempt: int, committed_writes: int, attempts: int) -> bool:
    """Whether a unit of work that failed with `exc` on try `attempt` may run again: PostgreSQL
    rolled it back for a serialization failure or deadlock, and nothing of it has committed."""
    return attempt < attempts and committed_writes == 0 and is_retryable(exc)


def retried(work: Callable[[], Result], *, attempts: int = ATTEMPTS) -> Result:
    """`work()`, run again from the start (after a short random pause) while PostgreSQL rolls
    it back for a serialization failure or a deadlock and it has committed nothing yet. `work`
    must do nothing outside the database that cannot be repeated. Other errors, and the last
    attempt's, propagate."""
    outer = _unit.get()  # inside a request or command: count its writes there too
    for attempt in range(1, attempts + 1):
        with nullcontext(outer) if outer is not None else unit_of_work() as unit:
            before = unit.committed_writes
            try:
                return work()
            except DBAPIError as exc:
                if not may_retry(exc, attempt, unit.committed_writes - before, attempts):
                    raise
        time.sleep(retry_pause(attempt))
    raise AssertionError("unreachable")  # the loop returns or raises


def run_transaction(
    engine: Engine,
    work: Callable[[Session], Result],
    *,
    attempts: int = ATTEMPTS,
    read_only: bool = False,
) -> Result:
    """`work(session)` in one transaction, re-run from the start when PostgreSQL rolls it back
    for a serialization failure or a deadlock (see `retried`)."""

    def once() -> Result:
        with transaction(engine, read_only=read_only) as session:
            return work(session)

    return retried(once, attempts=attempts)
