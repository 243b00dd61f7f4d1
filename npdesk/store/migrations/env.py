"""Alembic environment: runs against the engine handed in by `npdesk.store.schema`."""

from __future__ import annotations

from typing import Any

from alembic import context

import npdesk.store.models  # noqa: F401  (fills Base.metadata)
from npdesk.store.db import Base, make_engine
from npdesk.store.schema import include_object


def run() -> None:
    connection = context.config.attributes.get("connection")
    if connection is None:
        engine = make_engine(context.config.get_main_option("sqlalchemy.url") or None)
        with engine.begin() as conn:
            _run_with(conn)
    else:
        _run_with(connection)


def _run_with(connection: Any) -> None:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        include_object=include_object,
        render_as_batch=True,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


run()
