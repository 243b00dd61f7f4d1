"""Migration 0005 adds `pending_releases` to a database holding data made at revision 0004,
on SQLite and PostgreSQL: what was released in one step before stays released, nothing is
waiting, and a two-person release works on the upgraded database (issue 12, part 3)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from sqlalchemy.engine import Engine

from npdesk.security.model import Level, Party, Role, User
from npdesk.services import approvals
from npdesk.services.cables import cable_view
from npdesk.services.ingest import ingest_paths
from npdesk.services.release import release_cable
from npdesk.store.db import make_engine, session_factory
from npdesk.store.schema import alembic_config, is_current, upgrade
from npdesk.testing.postgres import PostgresCluster
from tests.store.helpers import SAMPLE_CABLES

OLIVIA = User("olivia", Party.HOME, Role.OFFICER, Level.S)
OSCAR = User("oscar", Party.HOME, Role.OFFICER, Level.S)
LIAISON = User("li", Party.PARTNER, Role.LIAISON, Level.C, country="CHN")


@pytest.fixture(params=["sqlite", "postgresql"])
def at_0004(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """A database migrated to revision 0004 only."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'old.sqlite3'}"
    else:
        cluster: PostgresCluster = request.getfixturevalue("pg_cluster")
        url = cluster.create_database()
    engine = make_engine(url)
    config = alembic_config(engine)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0004")
    yield engine
    engine.dispose()


def _liaison_paragraphs(engine: Engine, cable_id: str) -> list[str] | None:
    with session_factory(engine)() as session:
        view = cable_view(session, cable_id, LIAISON)
    return None if view is None else [p["text"][:24] for p in view["paragraphs"]]


def test_upgrade_to_0005_keeps_releases_and_adds_the_queue(at_0004: Engine) -> None:
    engine = at_0004
    ingest_paths(engine, [SAMPLE_CABLES])
    # Made in one step at 0004, as every release was before.
    release_cable(engine, OLIVIA, "08SAMPLEPOST177", [2], source="test")
    assert not is_current(engine)

    upgrade(engine)

    assert is_current(engine)
    with engine.connect() as connection:
        assert connection.execute(sa.text("SELECT count(*) FROM pending_releases")).scalar() == 0
    assert _liaison_paragraphs(engine, "08SAMPLEPOST177") == ["The firm said it would c"]

    proposed = approvals.propose_release(
        engine, OLIVIA, approvals.CABLE, "08SAMPLEPOST101", [2], source="test"
    )
    assert _liaison_paragraphs(engine, "08SAMPLEPOST101") is None
    approvals.approve_release(engine, OSCAR, proposed.id, source="test")
    assert _liaison_paragraphs(engine, "08SAMPLEPOST101") == ["The workshop will cover "]


def test_downgrade_from_0005_drops_only_the_queue(at_0004: Engine) -> None:
    engine = at_0004
    upgrade(engine)
    config = alembic_config(engine)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0004")
    assert "pending_releases" not in sa.inspect(engine).get_table_names()
    assert "cables" in sa.inspect(engine).get_table_names()
