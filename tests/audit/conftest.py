"""Fixtures for the audit tests: the leak-matrix world (records of every kind at every marking,
readers of every party and clearance, `tests.security._leak_world`) built once for the package on
SQLite and on PostgreSQL, and a reader of the audit rows a request added."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event, func, select
from sqlalchemy.engine import Connection, Engine

from npdesk.store.db import make_engine, transaction
from npdesk.store.models.security import AuditLogEntry
from npdesk.store.schema import upgrade
from npdesk.testing.postgres import PostgresCluster
from tests.conftest import require
from tests.security._leak_world import LeakWorld, build_leak_world


@dataclass(frozen=True)
class Row:
    """An audit row as the tests compare it."""

    actor: str
    action: str
    outcome: str
    record_kind: str | None
    record_id: str | None
    source: str
    detail: dict[str, object]


def last_seq(engine: Engine) -> int:
    with transaction(engine, read_only=True) as session:
        return int(session.scalar(select(func.max(AuditLogEntry.seq))) or 0)


def rows_after(engine: Engine, seq: int) -> list[Row]:
    """The audit rows appended after `seq`, in order."""
    with transaction(engine, read_only=True) as session:
        found = session.scalars(
            select(AuditLogEntry).where(AuditLogEntry.seq > seq).order_by(AuditLogEntry.seq)
        ).all()
        return [
            Row(
                r.actor,
                r.action,
                r.outcome,
                r.record_kind,
                r.record_id,
                r.source,
                dict(r.detail or {}),
            )
            for r in found
        ]


def fresh_engine(request: pytest.FixtureRequest, backend: str, folder: str) -> Engine:
    """A migrated, empty database on `backend` (a SQLite file in `folder`, or a database of
    the suite's PostgreSQL cluster)."""
    if backend == "sqlite":
        engine = make_engine(f"sqlite:///{folder}/npdesk.sqlite3")
        upgrade(engine)
        return engine
    cluster: PostgresCluster = request.getfixturevalue("pg_cluster")
    return make_engine(cluster.create_database(template="npdesk_template"))


def _world(request: pytest.FixtureRequest, tmp: Path) -> Iterator[LeakWorld]:
    engine = fresh_engine(request, request.param, str(tmp))
    app, canaries, tokens, records = build_leak_world(engine, tmp)
    with TestClient(app, follow_redirects=False) as client:
        yield LeakWorld(
            request.param,
            engine,
            app,
            client,
            canaries,
            tokens,
            cables=records["cables"],
            cases=records["cases"],
            firms=records["firms"],
            handovers=records["handovers"],
            reviews=records["reviews"],
        )
    engine.dispose()


@pytest.fixture(scope="package", params=["sqlite", "postgresql"])
def leak_world(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LeakWorld]:
    """The leak world, only read (the reads leave nothing but audit rows)."""
    yield from _world(request, tmp_path_factory.mktemp(f"audit-{request.param}"))


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def registry_world(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LeakWorld]:
    """A leak world of its own for a module that changes it."""
    yield from _world(request, tmp_path_factory.mktemp(f"changed-{request.param}"))


@pytest.fixture(scope="session")
def sanctions_dir(shared_dir: Path) -> Path:
    path = shared_dir / "data" / "sanctions"
    require(path.is_dir(), f"sanctions lists {path}")
    return path


# --- what each committed transaction wrote ---------------------------------------------

WRITE = re.compile(r"^\s*(?:INSERT\s+(?:OR\s+\w+\s+)?INTO|UPDATE|DELETE\s+FROM)\s+\"?(\w+)", re.I)
AUDIT_TABLES = {"audit_log", "audit_head"}
# Written by the desk itself, not for anyone: the signing secret, made once on first use.
DESK_BOOKKEEPING = {"server_secrets"}


class Transactions:
    """The tables each committed transaction on `engine` wrote, in commit order."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.committed: list[set[str]] = []

    def _statement(self, connection: Connection, _c: Any, statement: str, *_: Any) -> None:
        found = WRITE.match(statement)
        if found:
            connection.info.setdefault("audit_test_wrote", set()).add(found.group(1).lower())

    def _commit(self, connection: Connection) -> None:
        wrote = connection.info.pop("audit_test_wrote", set())
        if wrote:
            self.committed.append(wrote)

    def _rollback(self, connection: Connection) -> None:
        connection.info.pop("audit_test_wrote", None)

    def __enter__(self) -> Transactions:
        event.listen(self.engine, "before_cursor_execute", self._statement)
        event.listen(self.engine, "commit", self._commit)
        event.listen(self.engine, "rollback", self._rollback)
        return self

    def __exit__(self, *_: object) -> None:
        event.remove(self.engine, "before_cursor_execute", self._statement)
        event.remove(self.engine, "commit", self._commit)
        event.remove(self.engine, "rollback", self._rollback)
