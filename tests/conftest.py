"""Shared fixtures.

Fixture strategy: tests use real parts. The shared corpus and sanction lists are read in place
from `../shared` (or `$NPDESK_SHARED`); when they are missing the tests that need them skip,
except under `CI=true`, where a missing dependency is a failure, never a skip.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings
from playwright.sync_api import Browser
from sqlalchemy.engine import Engine

from npdesk.store.db import make_engine
from npdesk.store.schema import upgrade
from npdesk.testing.postgres import PostgresCluster, PostgresUnavailable, start_cluster

# Speed is measured in benchmarks, never by timing unit tests: no Hypothesis deadlines, which
# fail at random on a loaded 2-core machine.
settings.register_profile("npdesk", deadline=None)
settings.load_profile("npdesk")

ROOT = Path(__file__).resolve().parent.parent
IN_CI = os.environ.get("CI", "").lower() == "true"


def require(condition: bool, what: str) -> None:
    """Skip when `what` is missing on a developer machine; fail under CI=true."""
    if condition:
        return
    if IN_CI:
        pytest.fail(f"missing dependency under CI=true: {what}")
    pytest.skip(f"missing: {what}")


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """The read-only shared data folder (`../shared` or `$NPDESK_SHARED`)."""
    path = Path(os.environ.get("NPDESK_SHARED", ROOT.parent / "shared"))
    require(path.is_dir(), f"shared data folder {path}")
    return path


@pytest.fixture(scope="session")
def seed_text(shared_dir: Path) -> str:
    return (shared_dir / "seeds" / "000_b040fb51b219b52c.txt").read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def corpus_dir(shared_dir: Path) -> Path:
    path = shared_dir / "corpus" / "cablegate-2010"
    require(path.is_dir(), f"cable corpus {path}")
    return path


# --- databases: every store test runs on SQLite and on a real PostgreSQL ---------------------


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[PostgresCluster]:
    """A throwaway PostgreSQL cluster for the whole run, with a migrated template database."""
    try:
        cluster = start_cluster()
    except PostgresUnavailable as exc:
        require(False, f"PostgreSQL server ({exc})")
        raise  # unreachable: require() skipped or failed
    try:
        url = cluster.create_database("npdesk_template")
        engine = make_engine(url)
        upgrade(engine)
        engine.dispose()
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh, migrated database URL: a SQLite file, or a copy of the PostgreSQL template."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'npdesk.sqlite3'}"
        engine = make_engine(url)
        upgrade(engine)
        engine.dispose()
        return url
    cluster: PostgresCluster = request.getfixturevalue("pg_cluster")
    return cluster.create_database(template="npdesk_template")


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    """An engine on `db_url` (both backends)."""
    eng = make_engine(db_url)
    yield eng
    eng.dispose()


@pytest.fixture
def sqlite_engine(tmp_path: Path) -> Iterator[Engine]:
    """A migrated SQLite engine, for tests about SQLite itself."""
    eng = make_engine(f"sqlite:///{tmp_path / 'npdesk.sqlite3'}")
    upgrade(eng)
    yield eng
    eng.dispose()


# --- the browser: Debian's chromium driven by Playwright (never Playwright's own download) ----

CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


def chromium_path() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """A headless Debian chromium for the whole run."""
    path = chromium_path()
    require(path is not None, "Debian's chromium (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(
            executable_path=path, headless=True, args=CHROMIUM_ARGS
        )
        yield instance
        instance.close()
