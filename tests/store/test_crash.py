"""Crash safety: `kill -9` in the middle of an ingest leaves the database consistent, and the
same ingest run again completes it with every cable present exactly once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import func, select, text
from sqlalchemy.engine import Engine

from npdesk.store.db import make_engine, session_factory
from npdesk.store.models.cables import CableParagraph, CableRecord, CableVersion
from tests.store.helpers import telegram

CABLES = 400


def _make_batch(folder: Path) -> None:
    folder.mkdir()
    for serial in range(1, CABLES + 1):
        (folder / f"{serial:04d}.txt").write_text(
            telegram(serial, f"CRASH TEST CABLE {serial}", body=f"Body of cable {serial}. " * 40)
        )


def _ingest_command(db_url: str, folder: Path) -> list[str]:
    return [sys.executable, "-m", "npdesk", "ingest", str(folder), "--json", "--db", db_url]


def _stored(engine: Engine) -> int:
    with session_factory(engine)() as session:
        return session.scalar(select(func.count()).select_from(CableRecord)) or 0


def _assert_consistent(engine: Engine) -> None:
    with session_factory(engine)() as session:
        cables = session.scalar(select(func.count()).select_from(CableRecord)) or 0
        versions = session.scalar(select(func.count()).select_from(CableVersion)) or 0
        assert versions == cables, "every stored cable has exactly its one version"
        orphans = session.scalar(
            select(func.count())
            .select_from(CableParagraph)
            .where(CableParagraph.cable_id.not_in(select(CableRecord.id)))
        )
        assert orphans == 0
        per_cable = session.execute(
            select(CableParagraph.cable_id, func.count()).group_by(CableParagraph.cable_id)
        ).all()
        assert all(n == 2 for _, n in per_cable) and len(per_cable) == cables
        if engine.dialect.name == "sqlite":
            index_rows = session.scalar(text("SELECT count(*) FROM cable_fts"))
            assert session.scalar(text("PRAGMA integrity_check")) == "ok"
            expected = cables  # nothing released: the partner index holds no rows
        else:
            index_rows = session.scalar(text("SELECT count(*) FROM cable_search"))
            expected = 2 * cables  # one row per audience
        assert index_rows == expected, "search rows are written with their cable"


def test_kill_9_mid_ingest_then_rerun_completes(db_url: str, tmp_path: Path) -> None:
    folder = tmp_path / "batch"
    _make_batch(folder)
    engine = make_engine(db_url)
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(
        _ingest_command(db_url, folder),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=env,
    )
    deadline = time.monotonic() + 120
    try:
        # Wait until the ingest is well under way, then kill it without warning.
        while _stored(engine) < CABLES // 4:
            assert process.poll() is None, "ingest finished before it could be killed"
            assert time.monotonic() < deadline
            time.sleep(0.05)
    finally:
        os.kill(process.pid, signal.SIGKILL)
        process.wait()
    interrupted_at = _stored(engine)
    assert 0 < interrupted_at < CABLES
    _assert_consistent(engine)

    rerun = subprocess.run(_ingest_command(db_url, folder), capture_output=True, text=True, env=env)
    assert rerun.returncode == 0, rerun.stderr
    assert _stored(engine) == CABLES
    _assert_consistent(engine)
    engine.dispose()
