"""The request machinery under the audit: bodies above `NPDESK_UPLOAD_MAX_BYTES` answered 413
before any of it is kept (declared or streamed), and PostgreSQL serialization failures run
again from the start, a transaction (`retried`) or a whole request (its body replayed), but
never once something of it has committed. The failures are PostgreSQL's own (an error raised
with SQLSTATE 40001 by the server), not imitations."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi import Request
from fastapi.testclient import TestClient
from sqlalchemy import func, select, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError

from npdesk.store.db import ATTEMPTS, retried, transaction
from npdesk.store.models.desk import FirmRecord
from npdesk.store.models.security import AuditLogEntry
from npdesk.testing.postgres import PostgresCluster
from npdesk.web.app import create_app
from tests.audit.conftest import last_seq

SERIALIZATION_FAILURE = (
    "DO $$ BEGIN RAISE EXCEPTION 'could not serialize' USING ERRCODE = '40001'; END $$"
)
UNIQUE_VIOLATION = "DO $$ BEGIN RAISE EXCEPTION 'duplicate' USING ERRCODE = '23505'; END $$"


@pytest.fixture
def pg(pg_cluster: PostgresCluster) -> Iterator[Engine]:
    from npdesk.store.db import make_engine

    engine = make_engine(pg_cluster.create_database(template="npdesk_template"))
    yield engine
    engine.dispose()


def _firms(engine: Engine) -> int:
    with transaction(engine, read_only=True) as session:
        return int(session.scalar(select(func.count()).select_from(FirmRecord)) or 0)


# --- 413 ----------------------------------------------------------------------------------


@pytest.fixture
def small_limit(monkeypatch: pytest.MonkeyPatch) -> int:
    monkeypatch.setenv("NPDESK_UPLOAD_MAX_BYTES", "2000")
    return 2000


def test_a_declared_body_above_the_limit_is_413(engine: Engine, small_limit: int) -> None:
    client = TestClient(create_app(engine))
    before = last_seq(engine)
    response = client.post("/api/v1/ingest", content=b"x" * 3000)
    assert response.status_code == 413
    assert "3,000 bytes" in response.json()["detail"]
    assert "at most 2,000 bytes" in response.json()["detail"]
    assert last_seq(engine) == before


def test_a_streamed_body_above_the_limit_is_413(engine: Engine, small_limit: int) -> None:
    client = TestClient(create_app(engine))

    def chunks() -> Iterator[bytes]:
        for _ in range(5):
            yield b"y" * 700  # no content-length: counted as it arrives

    response = client.post("/api/v1/ingest", content=chunks())
    assert response.status_code == 413


def test_a_body_at_the_limit_goes_through(engine: Engine, small_limit: int) -> None:
    client = TestClient(create_app(engine))
    response = client.post("/api/v1/ingest", content=b"z" * 2000)
    assert response.status_code == 401  # past the size check: the sign-in check answers


# --- retried --------------------------------------------------------------------------------


def test_retried_runs_a_serialization_failure_again(pg: Engine) -> None:
    calls: list[int] = []

    def work() -> int:
        calls.append(1)
        with transaction(pg) as session:
            if len(calls) == 1:
                session.execute(text(SERIALIZATION_FAILURE))
            return int(session.scalar(text("SELECT 42")) or 0)

    assert retried(work) == 42
    assert len(calls) == 2


def test_retried_gives_up_after_its_attempts(pg: Engine) -> None:
    calls: list[int] = []

    def work() -> None:
        calls.append(1)
        with transaction(pg) as session:
            session.execute(text(SERIALIZATION_FAILURE))

    with pytest.raises(DBAPIError):
        retried(work)
    assert len(calls) == ATTEMPTS == 4


def test_retried_never_repeats_a_committed_write(pg: Engine) -> None:
    calls: list[int] = []

    def work() -> None:
        calls.append(1)
        with transaction(pg) as session:
            session.add(FirmRecord(key=f"retry-{len(calls)}", name="Fictional Retry Works"))
        with transaction(pg) as session:
            session.execute(text(SERIALIZATION_FAILURE))

    with pytest.raises(DBAPIError):
        retried(work)
    assert len(calls) == 1
    assert _firms(pg) == 1


def test_retried_does_not_retry_other_errors(pg: Engine) -> None:
    calls: list[int] = []

    def work() -> None:
        calls.append(1)
        with transaction(pg) as session:
            session.execute(text(UNIQUE_VIOLATION))

    with pytest.raises(DBAPIError):
        retried(work)
    assert len(calls) == 1


# --- whole requests -----------------------------------------------------------------------


def test_an_aborted_request_runs_again_with_its_body(pg: Engine) -> None:
    app = create_app(pg)
    bodies: list[bytes] = []

    @app.post("/flaky")
    async def flaky(request: Request) -> dict[str, int]:
        bodies.append(await request.body())
        if len(bodies) == 1:
            with transaction(pg) as session:
                session.execute(text(SERIALIZATION_FAILURE))
        return {"attempts": len(bodies)}

    response = TestClient(app).post("/flaky", content=b"the same body")
    assert response.status_code == 200
    assert response.json() == {"attempts": 2}
    assert bodies == [b"the same body", b"the same body"]


def test_a_request_that_committed_is_not_run_again(pg: Engine) -> None:
    app = create_app(pg)
    calls: list[int] = []

    @app.post("/half-done")
    def half_done() -> dict[str, str]:
        calls.append(1)
        with transaction(pg) as session:
            session.add(FirmRecord(key=f"half-{len(calls)}", name="Fictional Half Works"))
        with transaction(pg) as session:
            session.execute(text(SERIALIZATION_FAILURE))
        return {"never": "reached"}

    response = TestClient(app).post("/half-done", headers={"accept": "application/json"})
    assert response.status_code == 503
    assert response.headers["retry-after"]
    # Something was saved: the answer must not say nothing was.
    assert "part of it was saved" in response.json()["detail"]
    assert calls == [1]
    assert _firms(pg) == 1
    with transaction(pg, read_only=True) as session:
        assert session.scalar(select(func.count()).select_from(AuditLogEntry)) == 0
