"""The web's and the CLI's door to the database: opening it at the newest schema, and the unit
of work around a service call that takes a session. They import nothing of `npdesk.store`
themselves (tests/architecture/test_layers.py); what they hold of it is named here.

- `open_database(url)`: an engine at the newest schema (migrating an older database first).
- `transaction(engine)`: a session whose work commits together, or rolls back on any error;
  `run_transaction(engine, work)` re-runs `work` whole when PostgreSQL aborts it.
- `reading(engine)`: a session for reads only (`with reading(engine) as session: ...`).
- `is_lock_failure(exc)`: whether the database was too busy (answered 503, exit 75).
- `cancel_all()`: stop every query still running (the server is stopping).
- `utcnow()`: the database's clock (timezone-aware UTC).
"""

from __future__ import annotations

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from npdesk.store.db import (
    READ_ONLY,
    is_lock_failure,
    make_engine,
    run_transaction,
    session_factory,
    transaction,
    utcnow,
)
from npdesk.store.deadline import cancel_all
from npdesk.store.schema import alembic_config, upgrade

__all__ = [
    "cancel_all",
    "is_lock_failure",
    "open_database",
    "reading",
    "run_transaction",
    "transaction",
    "utcnow",
]


def open_database(url: str) -> Engine:
    """An engine on `url` at the newest schema. Raises SQLAlchemy's errors for a database
    that cannot be reached or a URL it cannot read."""
    engine = make_engine(url)
    if not _is_current(engine):
        upgrade(engine)
    return engine


def reading(engine: Engine) -> Session:
    """A session that only reads; close it (`with reading(engine) as session`)."""
    return session_factory(engine)()


def _is_current(engine: Engine) -> bool:
    # Read-only: a current schema (the usual case) must not queue for SQLite's write lock
    # behind a running ingest just to find there is nothing to do.
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    with engine.connect().execution_options(**{READ_ONLY: True}) as connection:
        return MigrationContext.configure(connection).get_current_revision() == head
