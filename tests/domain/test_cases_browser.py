"""In a real browser, the case desk's main flow: create a case from a paragraph of the seed
cable, hand it over on a new list, export the list, schedule a review, record an outcome that
closes the case and see the dashboard change; then, as the partner's liaison, see only the
releasable list."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import uvicorn
from playwright.sync_api import Browser, Page
from sqlalchemy.engine import Engine

from npdesk.services.ingest import ingest_paths
from npdesk.store.db import make_engine
from npdesk.store.schema import upgrade
from npdesk.web.app import create_app
from tests.web.conftest import PASSWORD, add_users


@pytest.fixture(autouse=True)
def one_person_desk(monkeypatch: pytest.MonkeyPatch) -> None:
    """These tests make records shared in one step; two-person release: tests/cases,
    tests/handovers, tests/reviews."""
    monkeypatch.setenv("NPDESK_TWO_PERSON_RELEASE", "false")


pytestmark = pytest.mark.browser

SEED = "08BEIJING1050"
HOME_ONLY = "ZZHOME allegation from a sensitive source"


@pytest.fixture
def served(tmp_path: Path, seed_text: str) -> Iterator[str]:
    engine: Engine = make_engine("sqlite:///" + str(tmp_path / "browser.db"))
    upgrade(engine)
    (tmp_path / "seed.txt").write_text(seed_text, encoding="utf-8")
    ingest_paths(engine, [tmp_path / "seed.txt"])
    add_users(engine)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(
            create_app(engine), host="127.0.0.1", port=port, log_level="warning", lifespan="off"
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline and thread.is_alive(), "server did not start"
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def sign_in(page: Page, base: str, username: str, target: str) -> None:
    page.goto(f"{base}{target}")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}{target}**")


def open_now(page: Page) -> str:
    return page.locator("[data-testid=open-now]").inner_text()


def test_a_case_from_the_seed_to_closure_and_the_liaison_view(
    browser: Browser, served: str
) -> None:
    base = served
    today = datetime.now(UTC).date().isoformat()
    officer = browser.new_page()
    sign_in(officer, base, "olivia", f"/cases/new?cable={SEED}&paragraph=6")
    officer.fill("input[name=title]", "FICTIONAL case from the seed cable")
    officer.fill("textarea[name=allegation_summary]", HOME_ONLY)
    officer.fill("textarea[name=releasable_summary]", "Reported transfer of gyroscopes.")
    officer.fill("textarea[name=subjects]", "Fictional Gyro Co.")
    officer.fill("input[name=item]", "gyroscopes")
    officer.select_option("select[name=regime]", "mtcr")
    officer.click("[data-testid=new-case] button[type=submit]")
    officer.wait_for_url(f"{base}/cases/NPC-*")
    reference = officer.url.rsplit("/", 1)[1]
    assert officer.locator("[data-testid=status]").inner_text() == "open"
    assert f"{SEED} ¶6" in officer.content()

    officer.goto(f"{base}/dashboard")
    assert open_now(officer) == "1"

    officer.goto(f"{base}/handovers")
    officer.fill("input[name=title]", "FICTIONAL updated list of open cases")
    officer.fill("input[name=handed_over_by]", "PolMinCouns")
    officer.fill("input[name=handed_over_to]", "MFA Arms Control Counselor")
    # The case is not released yet: handing it over releases it only when asked to.
    officer.check("[data-testid=release-on-handover]")
    officer.click("[data-testid=new-handover] button[type=submit]")
    officer.wait_for_url(f"{base}/handovers/1")
    assert reference in officer.locator("[data-testid=handover-entries]").inner_text()
    for fmt in ("csv", "json", "html", "pdf"):
        href = officer.locator(f"[data-testid=export-{fmt}]").get_attribute("href")
        exported = officer.request.get(f"{base}{href}")
        assert exported.ok and b"ZZHOME" not in exported.body()
        if fmt != "pdf":
            assert b"REL TO CHN" in exported.body() and reference.encode() in exported.body()

    officer.goto(f"{base}/reviews")
    officer.fill("input[name=proposed_on]", today)
    officer.fill("input[name=title]", "FICTIONAL working-level review")
    officer.click("[data-testid=new-review] button[type=submit]")
    officer.wait_for_url(f"{base}/reviews/1")
    assert "awaiting the partner" in officer.content()
    officer.click("[data-testid=build-agenda] button")
    officer.wait_for_url(f"{base}/reviews/1")
    assert reference in officer.locator("[data-testid=agenda]").inner_text()
    officer.fill("[data-testid=outcome] input[name=reference]", reference)
    officer.fill("[data-testid=outcome] textarea[name=partner_statement]", "Licence refused.")
    officer.fill("[data-testid=outcome] input[name=home_note]", "ZZHOME note")
    officer.select_option("[data-testid=outcome] select[name=new_status]", "closed")
    officer.select_option("[data-testid=outcome] select[name=outcome]", "resolved")
    officer.click("[data-testid=outcome] button[type=submit]")
    officer.wait_for_url(f"{base}/reviews/1")
    assert "closed" in officer.locator("[data-testid=agenda]").inner_text()
    officer.goto(f"{base}/dashboard")
    assert open_now(officer) == "0"
    officer.close()

    liaison = browser.new_context().new_page()
    sign_in(liaison, base, "li", "/handovers/1")
    # The liaison's own number for the one case shared with them (the first of its year).
    partner_reference = reference.replace("NPC-", "CHN-")
    entries = liaison.locator("[data-testid=handover-entries]").inner_text()
    assert partner_reference in entries and reference not in entries
    assert "ZZHOME" not in liaison.content()
    liaison.goto(f"{base}/cases")
    listed = liaison.locator("[data-testid=case-list]").inner_text()
    assert partner_reference in listed
    liaison.goto(f"{base}/cases/{partner_reference}")
    assert "ZZHOME" not in liaison.content() and "Allegation" not in liaison.content()
    liaison.goto(f"{base}/reviews/1")
    assert "Licence refused." in liaison.content() and "ZZHOME" not in liaison.content()
    liaison.close()
