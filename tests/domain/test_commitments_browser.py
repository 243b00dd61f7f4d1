"""In a real browser: ingest the seed, open it, accept the proposed NORINCO visit and the
partner commitment, see them on the firm page and on the commitments page; the commitment
turns overdue when the test moves the clock past its follow-up day."""

from __future__ import annotations

import datetime as dt
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from playwright.sync_api import Browser, Page
from sqlalchemy.engine import Engine

from npdesk.services.ingest import ingest_paths
from npdesk.services.proposals import read_pending
from npdesk.store.db import make_engine
from npdesk.store.schema import upgrade
from npdesk.web.app import create_app
from tests.web.conftest import PASSWORD, add_users

pytestmark = pytest.mark.browser


class Clock:
    def __init__(self, day: dt.date) -> None:
        self.day = day

    def __call__(self) -> dt.date:
        return self.day


@pytest.fixture
def served(tmp_path: Path, seed_text: str) -> Iterator[tuple[str, Clock]]:
    engine: Engine = make_engine("sqlite:///" + str(tmp_path / "browser.db"))
    upgrade(engine)
    (tmp_path / "seed.txt").write_text(seed_text, encoding="utf-8")
    ingest_paths(engine, [tmp_path / "seed.txt"])
    add_users(engine)
    read_pending(engine)  # what the server's background reader does
    app = create_app(engine)
    clock = Clock(dt.date(2008, 4, 1))
    app.state.today = clock
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline and thread.is_alive(), "server did not start"
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}", clock
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def sign_in(page: Page, base: str) -> None:
    page.goto(f"{base}/cables/08BEIJING1050")
    page.fill("input[name=username]", "olivia")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/cables/08BEIJING1050**")


def accept(page: Page, base: str, kind: str, contains: str) -> None:
    page.goto(f"{base}/cables/08BEIJING1050/proposals")
    row = page.locator(f"tr[data-kind={kind}]", has_text=contains).first
    row.locator("button[value=accept]").click()
    # htmx swaps the panel in place; the row then shows its decision.
    decided = page.locator(f"tr[data-kind={kind}]", has_text=contains).filter(has_text="accepted")
    decided.first.wait_for(timeout=10_000)


def test_accept_and_follow_to_firm_and_commitments(
    browser: Browser, served: tuple[str, Clock]
) -> None:
    base, clock = served
    page = browser.new_page()
    sign_in(page, base)
    assert "NORINCO" in page.content()
    accept(page, base, "visit", "China North Industries Corporation")
    accept(page, base, "commitment", "respond")

    page.goto(f"{base}/firms/norinco")
    dialogues = page.locator("[data-testid=dialogues]").inner_text()
    assert "2008-03-26" in dialogues and "visit" in dialogues

    page.goto(f"{base}/commitments")
    assert "respond" in page.locator("[data-testid=they-owe]").inner_text()
    assert "respond" not in page.locator("[data-testid=overdue]").inner_text()

    clock.day = dt.date(2008, 4, 20)
    page.reload()
    overdue = page.locator("[data-testid=overdue] tr.overdue")
    assert overdue.count() == 1 and "respond" in overdue.inner_text()
    assert overdue.locator("[data-testid=status]").inner_text() == "overdue"
    page.close()
