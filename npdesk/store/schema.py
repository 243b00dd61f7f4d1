"""Schema management: Alembic migrations applied programmatically (`npdesk db upgrade`,
`make demo` and the server all call `upgrade`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Engine

MIGRATIONS = Path(__file__).resolve().parent / "migrations"

# Tables that migrations create by hand per dialect (full-text search) and that the models
# deliberately do not describe.
HAND_MADE = {"cable_fts", "cable_fts_partner", "cable_search", "search_state"}


def include_object(
    obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any
) -> bool:
    """Alembic filter: compare everything except the hand-made search tables."""
    hand_made = name is not None and (name in HAND_MADE or name.startswith("cable_fts_"))
    return not (type_ == "table" and hand_made)


def alembic_config(engine: Engine | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if engine is not None:
        # ConfigParser interpolates %: escape it (URL-encoded passwords, socket paths).
        url = engine.url.render_as_string(hide_password=False).replace("%", "%%")
        config.set_main_option("sqlalchemy.url", url)
    return config


def upgrade(engine: Engine) -> None:
    """Bring the database at `engine` to the newest schema; a no-op when it is current."""
    config = alembic_config(engine)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def is_current(engine: Engine) -> bool:
    """Whether the database is at the newest migration."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision() == head
