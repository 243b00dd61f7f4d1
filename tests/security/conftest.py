"""Fixtures for the security tests: a migrated SQLite database per test (copied from one
migrated template, which keeps the tests fast), a PostgreSQL database from the suite's shared
cluster for the tests marked `postgres`, and the web-wide test world."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from npdesk.store.db import make_engine
from npdesk.store.schema import upgrade
from npdesk.testing.postgres import PostgresCluster
from tests.security._web_world import World, build_world


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.sqlite3"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    engine.dispose()
    return path


@pytest.fixture
def db_url(migrated_template: Path, tmp_path: Path) -> str:
    path = tmp_path / "npdesk.sqlite3"
    shutil.copy(migrated_template, path)
    return f"sqlite:///{path}"


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    engine = make_engine(db_url)
    yield engine
    engine.dispose()


@pytest.fixture
def pg_engine(pg_cluster: PostgresCluster) -> Iterator[Engine]:
    """A fresh migrated PostgreSQL database for one test (from the shared cluster)."""
    engine = make_engine(pg_cluster.create_database(template="npdesk_template"))
    yield engine
    engine.dispose()


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    """The web-wide test world (see `_web_world`), one per test module."""
    tmp = tmp_path_factory.mktemp("world")
    engine = make_engine(f"sqlite:///{tmp / 'npdesk.sqlite3'}")
    upgrade(engine)
    app, tokens = build_world(engine, tmp)
    with TestClient(app, follow_redirects=False) as client:
        yield World(engine, app, client, tokens)
    engine.dispose()
