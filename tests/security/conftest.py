"""Fixtures for the security tests: a migrated SQLite database per test (copied from one
migrated template, which keeps the tests fast), and a real PostgreSQL cluster for the tests
marked `postgres` (started by the tests from the server binaries on the machine)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.engine import Engine

from npdesk.store.db import make_engine
from npdesk.store.schema import upgrade
from tests.conftest import require
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


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _as_postgres(args: list[str]) -> list[str]:
    # initdb and postgres refuse to run as root; CI runs as root.
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *args]
    return args


@pytest.fixture(scope="session")
def postgres_cluster() -> Iterator[str]:
    """A throwaway PostgreSQL cluster with a migrated template database; yields the server URL
    (without a database name)."""
    require(shutil.which("pg_ctl") is not None and shutil.which("initdb") is not None, "pg_ctl")
    base = Path(tempfile.mkdtemp(prefix="npdesk-pg-"))
    if os.geteuid() == 0:
        shutil.chown(base, "postgres", "postgres")
    data = base / "data"
    subprocess.run(
        _as_postgres(["initdb", "-A", "trust", "-U", "postgres", "-D", str(data)]),
        check=True,
        capture_output=True,
    )
    port = _free_port()
    # TCP on localhost, not a socket path: alembic's config cannot hold a %-escaped host path.
    options = f"-c listen_addresses=127.0.0.1 -p {port} -k {base} -c fsync=off"
    subprocess.run(
        _as_postgres(
            ["pg_ctl", "-D", str(data), "-o", options, "-w", "-l", str(base / "log"), "start"]
        ),
        check=True,
        capture_output=True,
    )
    try:
        admin = make_engine(
            f"postgresql://postgres@127.0.0.1:{port}/postgres", isolation_level="AUTOCOMMIT"
        )
        with admin.connect() as connection:
            connection.execute(text("CREATE DATABASE npdesk_template"))
        admin.dispose()
        template = make_engine(f"postgresql://postgres@127.0.0.1:{port}/npdesk_template")
        upgrade(template)
        template.dispose()
        yield f"postgresql://postgres@127.0.0.1:{port}"
    finally:
        subprocess.run(
            _as_postgres(["pg_ctl", "-D", str(data), "-m", "immediate", "stop"]),
            check=False,
            capture_output=True,
        )
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture
def pg_engine(postgres_cluster: str) -> Iterator[Engine]:
    """A fresh migrated PostgreSQL database for one test."""
    name = f"npdesk_{uuid.uuid4().hex[:12]}"
    admin = make_engine(f"{postgres_cluster}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f"CREATE DATABASE {name} TEMPLATE npdesk_template"))
    engine = make_engine(f"{postgres_cluster}/{name}")
    yield engine
    engine.dispose()
    with admin.connect() as connection:
        connection.execute(text(f"DROP DATABASE {name}"))
    admin.dispose()


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
