"""A database that stays busy (issue 12, part 4): the web answers 503 with Retry-After and a
clear message, the CLI one line and exit code 75, never a traceback or bound parameters; and
no error answer resets the next request on the same keep-alive connection. The lock is held
by a real second SQLite connection; the busy timeout is shortened so the test is quick."""

from __future__ import annotations

import socket
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from fastapi import Depends
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from npdesk.cli import app as cli
from npdesk.store.db import (
    NestedWriteTransaction,
    is_lock_failure,
    is_retryable,
    make_engine,
    run_transaction,
    transaction,
)
from npdesk.testing.postgres import PostgresCluster
from npdesk.testing.server import running_server
from npdesk.web.app import create_app
from npdesk.web.auth import public_action
from tests.web.conftest import PASSWORD, add_users


@pytest.fixture(autouse=True)
def short_busy_timeout(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("NPDESK_SQLITE_BUSY_TIMEOUT_MS", "300")
    monkeypatch.setenv("NPDESK_RETRY_AFTER_SECONDS", "7")
    monkeypatch.setenv("NPDESK_AUDIT_KEY_FILE", str(tmp_path / "audit.key"))
    monkeypatch.delenv("NPDESK_USER", raising=False)


@contextmanager
def write_lock_held(engine: Engine) -> Iterator[None]:
    """Another process's writer: a plain sqlite3 connection inside BEGIN IMMEDIATE."""
    holder = sqlite3.connect(str(engine.url.database), isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        yield
    finally:
        holder.execute("ROLLBACK")
        holder.close()


def http_exchange(sock: socket.socket, request: str) -> str:
    """Send one HTTP/1.1 request on `sock` and read one whole response (Content-Length)."""
    sock.sendall(request.encode())
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionResetError("the server closed the connection")
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = next(
        int(line.split(b":", 1)[1])
        for line in head.split(b"\r\n")
        if line.lower().startswith(b"content-length:")
    )
    while len(body) < length:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionResetError("the server closed the connection mid-answer")
        body += chunk
    return (head + b"\r\n\r\n" + body).decode("utf-8", "replace")


def token_request(host: str, password: str) -> str:
    body = f'{{"username": "olivia", "password": "{password}"}}'
    return (
        f"POST /api/v1/auth/token HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json"
        f"\r\nContent-Length: {len(body)}\r\n\r\n{body}"
    )


def test_finding_locked_database_answered_500_and_reset_the_keepalive_connection(
    sqlite_engine: Engine,
) -> None:
    engine = sqlite_engine
    add_users(engine)
    app = create_app(engine)

    @app.get("/crash-for-test", dependencies=[Depends(public_action("health"))])
    def crash() -> None:
        raise RuntimeError("SECRET-DETAIL that must not be shown")

    with running_server(engine, app=app) as base:
        host = base.removeprefix("http://")
        address, port = host.split(":")
        with socket.create_connection((address, int(port)), timeout=30) as sock:
            with write_lock_held(engine):
                busy = http_exchange(sock, token_request(host, PASSWORD))
            assert busy.startswith("HTTP/1.1 503"), busy[:200]
            assert "retry-after: 7" in busy.lower()
            assert "database is busy" in busy and "nothing was saved" in busy
            for leak in ("Traceback", "[SQL:", "[parameters:", "olivia", "sqlite3"):
                assert leak not in busy.split("\r\n\r\n", 1)[1]
            # The same connection goes on: the lock is gone, the sign-in works.
            again = http_exchange(sock, token_request(host, PASSWORD))
            assert again.startswith("HTTP/1.1 200"), again[:300]
            crashed = http_exchange(
                sock, f"GET /crash-for-test HTTP/1.1\r\nHost: {host}\r\nAccept: text/html\r\n\r\n"
            )
            assert crashed.startswith("HTTP/1.1 500") and "SECRET-DETAIL" not in crashed
            assert "content-security-policy" in crashed.lower()
            after = http_exchange(sock, f"GET /healthz HTTP/1.1\r\nHost: {host}\r\n\r\n")
            assert after.startswith("HTTP/1.1 200")


def test_finding_cli_crashed_with_a_traceback_printing_bound_parameters(
    sqlite_engine: Engine,
) -> None:
    engine, db_url = sqlite_engine, str(sqlite_engine.url)
    add_users(engine)
    runner = CliRunner()
    with write_lock_held(engine):
        busy = runner.invoke(
            cli,
            [
                "users",
                "add",
                "oscar",
                "--role",
                "officer",
                "--party",
                "home",
                "--clearance",
                "S",
                "--db",
                db_url,
            ],
            input="a long enough passphrase\n",
        )
    assert busy.exit_code == 75, busy.output
    lines = [line for line in busy.output.splitlines() if line.strip()]
    assert "database is busy" in lines[-1] and "try again" in lines[-1]
    assert "Traceback" not in busy.output and "[parameters:" not in busy.output
    assert "oscar" not in lines[-1]
    done = runner.invoke(
        cli,
        [
            "users",
            "add",
            "oscar",
            "--role",
            "officer",
            "--party",
            "home",
            "--clearance",
            "S",
            "--db",
            db_url,
        ],
        input="a long enough passphrase\n",
    )
    assert done.exit_code == 0, done.output


def test_a_write_transaction_inside_another_fails_at_once_by_name(sqlite_engine: Engine) -> None:
    engine = sqlite_engine
    with transaction(engine) as outer:
        outer.connection()
        with pytest.raises(NestedWriteTransaction), transaction(engine) as inner:
            inner.connection()
    with transaction(engine, read_only=True) as reader, transaction(engine) as writer:
        reader.connection()
        writer.connection()  # a reader beside a writer is fine


@pytest.mark.postgres
def test_postgresql_deadlock_is_retried_by_run_transaction(pg_cluster: PostgresCluster) -> None:
    engine = make_engine(pg_cluster.create_database(template="npdesk_template"))
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE pair (id int PRIMARY KEY, v int)"))
        connection.execute(text("INSERT INTO pair VALUES (1, 0), (2, 0)"))
    both_hold_one = threading.Barrier(2, timeout=30)
    attempts: list[str] = []
    errors: list[BaseException] = []

    def crosswise(first: int, second: int) -> Callable[[Session], None]:
        def work(session: Session) -> None:
            attempts.append(f"{first}->{second}")
            session.execute(text("UPDATE pair SET v = v + 1 WHERE id = :id"), {"id": first})
            if len(attempts) <= 2:  # the first round: each holds one row, then wants the other
                both_hold_one.wait()
            session.execute(text("UPDATE pair SET v = v + 1 WHERE id = :id"), {"id": second})

        return work

    def run(first: int, second: int) -> None:
        try:
            run_transaction(engine, crosswise(first, second))
        except BaseException as error:  # re-raised in the test thread below
            errors.append(error)

    threads = [threading.Thread(target=run, args=pair) for pair in ((1, 2), (2, 1))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert len(attempts) == 3  # PostgreSQL aborted one of the two; it ran again and committed
    with engine.connect() as connection:
        assert connection.execute(text("SELECT v FROM pair ORDER BY id")).scalars().all() == [2, 2]
    engine.dispose()


def test_which_errors_mean_busy() -> None:
    locked = OperationalError("UPDATE x", {}, sqlite3.OperationalError("database is locked"))
    assert is_lock_failure(locked) and not is_retryable(locked)
    other = OperationalError("SELECT", {}, sqlite3.OperationalError("no such table: x"))
    assert not is_lock_failure(other)
    assert not is_lock_failure(RuntimeError("database is locked"))
