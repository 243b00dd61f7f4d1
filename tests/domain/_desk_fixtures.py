"""A real SQLite desk for the case-desk service tests, and the users that act on it."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.engine import Engine

from npdesk.security.model import Level, Marking, Party, Role, User
from npdesk.store.db import make_engine
from npdesk.store.schema import upgrade

OFFICER = User("officer", Party.HOME, Role.OFFICER, Level.TS)
REVIEWER = User("reviewer", Party.HOME, Role.REVIEWER, Level.TS)
LIAISON = User("liaison", Party.PARTNER, Role.LIAISON, Level.C, country="CHN")
OTHER_LIAISON = User("other", Party.PARTNER, Role.LIAISON, Level.C, country="PAK")

SHARED = Marking(Level.C, rel_to=frozenset({"CHN"}), shared=True)
HOME_ONLY = Marking(Level.S, caveats=frozenset({"NOFORN"}))


def desk(tmp_path: Path) -> Engine:
    """A migrated, empty SQLite database in `tmp_path`."""
    engine = make_engine("sqlite:///" + str(tmp_path / "t.db"))
    upgrade(engine)
    return engine


def at(day: str) -> datetime:
    return datetime.fromisoformat(day).replace(hour=9, tzinfo=UTC)
