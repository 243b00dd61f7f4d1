"""Writes that hold (issue 12, part 4), against a real server and a real CLI process on one
SQLite file: the 800-page corpus ingested by `npdesk ingest` while 20 web clients edit cases
and sign in; and two ingests at once. Every write is committed or answered 503 with
Retry-After; nothing else 5xx; no traceback or bound parameter anywhere; the database and its
audit chain are consistent afterwards. Loops are bounded and everything stays on localhost."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from npdesk.security.model import LOCAL_OPERATOR, Level, Party, Role
from npdesk.services import accounts, audit
from npdesk.services import cases as case_service
from npdesk.services.cases import CaseInput
from npdesk.store.db import make_engine, transaction
from npdesk.store.models.cables import CableRecord, CableVersion
from npdesk.store.schema import upgrade
from npdesk.testing.server import running_server

ROOT = Path(__file__).resolve().parents[2]
CLIENTS = 20
PASSWORD = "concurrency test passphrase"
MAX_ROUNDS = 40  # per client: edits and sign-ins, whatever the ingest's pace
MIN_ROUNDS = 4
SIGN_IN_EVERY = 5  # a sign-in verifies an argon2 hash: ~0.1-0.6 s of CPU each


Desk = tuple[str, Engine, list[str]]


@pytest.fixture
def desk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Desk]:
    monkeypatch.setenv("NPDESK_AUDIT_KEY_FILE", str(tmp_path / "audit.key"))
    url = f"sqlite:///{tmp_path / 'npdesk.sqlite3'}"
    engine = make_engine(url)
    upgrade(engine)
    with transaction(engine) as session:
        for index in range(CLIENTS):
            accounts.add_user(
                session,
                LOCAL_OPERATOR,
                username=f"officer{index}",
                password=PASSWORD,
                party=Party.HOME,
                role=Role.OFFICER,
                clearance=Level.S,
                source="test",
            )
    references = [
        case_service.create_case(engine, LOCAL_OPERATOR, CaseInput(title=f"case {i}")).reference
        for i in range(CLIENTS)
    ]
    yield url, engine, references
    engine.dispose()


def corpus_files(corpus_dir: Path) -> list[Path]:
    files = sorted(corpus_dir.glob("*.html"))
    assert len(files) == 800
    return files


def start_ingest(url: str, paths: list[Path]) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "NPDESK_USER": ""}
    env.pop("NPDESK_DEBUG", None)
    return subprocess.Popen(
        [sys.executable, "-m", "npdesk", "ingest", *map(str, paths), "--json", "--db", url],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


@dataclass
class ClientLog:
    reference: str = ""
    statuses: Counter[int] = field(default_factory=Counter)
    committed_titles: list[str] = field(default_factory=list)
    busy_without_retry_after: int = 0
    transport_errors: list[str] = field(default_factory=list)
    leaked: list[str] = field(default_factory=list)


def run_client(base: str, index: int, log: ClientLog, ingest_done: threading.Event) -> None:
    # One keep-alive connection per client: an error answer must not break the next request.
    with httpx.Client(base_url=base, timeout=60, limits=httpx.Limits(max_connections=1)) as web:
        token = ""
        rounds = 0
        while rounds < MAX_ROUNDS and (rounds < MIN_ROUNDS or not ingest_done.is_set()):
            rounds += 1
            try:
                if not token or rounds % SIGN_IN_EVERY == 0:
                    signed = web.post(
                        "/api/v1/auth/token",
                        json={"username": f"officer{index}", "password": PASSWORD},
                    )
                    record(log, signed)
                    if signed.status_code == 200:
                        token = signed.json()["access_token"]
                    continue
                auth = {"Authorization": f"Bearer {token}"}
                title = f"client {index} edit {rounds}"
                edited = web.patch(
                    f"/api/v1/cases/{log.reference}", json={"title": title}, headers=auth
                )
                record(log, edited)
                if edited.status_code == 200:
                    log.committed_titles.append(title)
            except httpx.TransportError as exc:
                log.transport_errors.append(f"{type(exc).__name__}: {exc}")


def record(log: ClientLog, response: httpx.Response) -> None:
    log.statuses[response.status_code] += 1
    if response.status_code == 503 and not response.headers.get("retry-after", "").isdigit():
        log.busy_without_retry_after += 1
    if "Traceback" in response.text or "[parameters:" in response.text:
        log.leaked.append(response.text[:200])


def stored_cables(engine: Engine) -> tuple[int, int, set[str]]:
    with transaction(engine, read_only=True) as session:
        records = session.scalar(select(func.count()).select_from(CableRecord)) or 0
        versions = session.scalar(select(func.count()).select_from(CableVersion)) or 0
        ids = set(session.scalars(select(CableRecord.id)))
    return records, versions, ids


def test_ingest_while_twenty_clients_edit_cases_and_sign_in(desk: Desk, corpus_dir: Path) -> None:
    url, engine, references = desk
    files = corpus_files(corpus_dir)
    logs = [ClientLog(reference) for reference in references]
    ingest_done = threading.Event()
    with running_server(engine) as base:
        clients = [
            threading.Thread(target=run_client, args=(base, i, logs[i], ingest_done))
            for i in range(CLIENTS)
        ]
        for client in clients:
            client.start()
        time.sleep(0.5)  # the clients are signing in and creating their cases
        ingest = start_ingest(url, files)
        stdout, stderr = ingest.communicate(timeout=900)
        ingest_done.set()
        for client in clients:
            client.join(timeout=600)
        assert not any(client.is_alive() for client in clients)

    assert ingest.returncode == 0, stderr[-2000:]
    assert "Traceback" not in stderr and "[parameters:" not in stderr
    assert '"ingested": 800' in stdout, stdout[-500:]

    statuses = sum((log.statuses for log in logs), Counter())
    assert [log.transport_errors for log in logs if log.transport_errors] == []
    assert [log.leaked for log in logs if log.leaked] == []
    server_errors = {status: n for status, n in statuses.items() if status >= 500 and status != 503}
    assert server_errors == {}, statuses
    assert sum(log.busy_without_retry_after for log in logs) == 0
    assert set(statuses) <= {200, 503}, statuses
    assert sum(len(log.committed_titles) for log in logs) > 0
    print(f"\nweb answers during the ingest: {dict(statuses)}")

    records, versions, ids = stored_cables(engine)
    assert records == versions == 800
    # The corpus files are named after their cables.
    assert ids == {path.stem for path in files}
    # Every acknowledged edit is stored, and only those: the case shows the last one, and
    # its audit trail has exactly one edit entry per acknowledged edit.
    entries = list(audit.export(engine))
    for index, log in enumerate(logs):
        edits = [
            e
            for e in entries
            if e["record_id"] == log.reference and e["detail"].get("change") == "edit"
        ]
        assert len(edits) == len(log.committed_titles), index
        if log.committed_titles:
            case = case_service.get_case(engine, LOCAL_OPERATOR, log.reference)
            assert case.title == log.committed_titles[-1]
    assert audit.verify(engine) is None


def test_two_concurrent_ingests_store_every_cable_exactly_once(
    desk: Desk, corpus_dir: Path
) -> None:
    url, engine, _ = desk
    files = corpus_files(corpus_dir)
    first, second = start_ingest(url, files), start_ingest(url, list(reversed(files)))
    outputs = [process.communicate(timeout=900) for process in (first, second)]
    for process, (_, stderr) in zip((first, second), outputs, strict=True):
        assert process.returncode == 0, stderr[-2000:]
        assert "Traceback" not in stderr
    records, versions, ids = stored_cables(engine)
    assert records == versions == 800
    assert ids == {path.stem for path in files}
    assert audit.verify(engine) is None
