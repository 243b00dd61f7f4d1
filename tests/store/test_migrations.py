"""The migrations and the models describe the same schema, on both backends."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy.engine import Engine

import npdesk.store.models  # noqa: F401
from npdesk.store.db import Base
from npdesk.store.schema import include_object, is_current, upgrade


def test_models_match_migrations(engine: Engine) -> None:
    with engine.connect() as connection:
        context = MigrationContext.configure(
            connection,
            opts={"include_object": include_object, "compare_type": True},
        )
        diff = compare_metadata(context, Base.metadata)
    assert diff == [], diff


def test_upgrade_is_idempotent(engine: Engine) -> None:
    assert is_current(engine)
    upgrade(engine)
    assert is_current(engine)
