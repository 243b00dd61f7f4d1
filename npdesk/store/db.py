"""Engine, sessions and the declarative base shared by every model.

SQLite is the embedded default (WAL mode, foreign keys on); PostgreSQL is the multi-user
deployment. Both go through the same models; dialect differences live in `search` only.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Boolean, DateTime, MetaData, String, create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker

from npdesk.settings import database_url

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
    cursor.execute("PRAGMA busy_timeout=10000")
    # Reads dominate (search, facets): a 64 MB page cache and memory-mapped reads.
    cursor.execute("PRAGMA cache_size=-65536")
    cursor.execute("PRAGMA mmap_size=1073741824")
    cursor.execute("PRAGMA temp_store=MEMORY")
    cursor.close()


def _sqlite_begin(connection: Any) -> None:
    connection.exec_driver_sql("BEGIN")


def make_engine(url: str | None = None, **kwargs: Any) -> Engine:
    """Create an engine for `url` (see `settings.database_url`). SQLite gets WAL mode and
    foreign keys; PostgreSQL URLs `postgresql://` use psycopg 3."""
    resolved = database_url(url)
    if resolved.startswith("postgresql://"):
        resolved = "postgresql+psycopg://" + resolved.removeprefix("postgresql://")
    engine = create_engine(resolved, **kwargs)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
    return engine


def engine_of(session: Session) -> Engine:
    """The engine behind `session` (bound to an engine, or to a connection of one)."""
    bind = session.get_bind()
    return bind if isinstance(bind, Engine) else bind.engine


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def transaction(engine: Engine) -> Iterator[Session]:
    """A session whose work commits together at the end, or rolls back on any error."""
    with session_factory(engine)() as session, session.begin():
        yield session
