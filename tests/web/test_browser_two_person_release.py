"""In a real browser: one officer proposes releasing paragraph 2 of a sample cable, cannot
approve it herself, the liaison sees nothing; a second officer approves it on the releases
page, and the liaison then reads exactly that paragraph (issue 12, part 3)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page
from sqlalchemy.engine import Engine

from npdesk.security.model import LOCAL_OPERATOR, Level, Party, Role
from npdesk.services import accounts
from npdesk.services.ingest import ingest_paths
from npdesk.store.db import transaction
from npdesk.testing.server import running_server
from tests.store.helpers import SAMPLE_CABLES
from tests.web.conftest import PASSWORD, add_users

pytestmark = pytest.mark.browser


@pytest.fixture
def base_url(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    monkeypatch.delenv("NPDESK_TWO_PERSON_RELEASE", raising=False)  # the default: on
    ingest_paths(engine, [SAMPLE_CABLES])
    add_users(engine)
    with transaction(engine) as session:
        accounts.add_user(
            session,
            LOCAL_OPERATOR,
            username="oscar",
            password=PASSWORD,
            party=Party.HOME,
            role=Role.OFFICER,
            clearance=Level.S,
            source="test",
        )
    with running_server(engine) as url:
        yield url


def _signed_in(browser: Browser, base_url: str, username: str) -> Page:
    page = browser.new_context().new_page()  # a context each: its own session cookie
    page.goto(f"{base_url}/search")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base_url}/search**")
    return page


def test_two_officers_release_one_paragraph(browser: Browser, base_url: str) -> None:
    cable = f"{base_url}/cables/08SAMPLEPOST177"
    olivia = _signed_in(browser, base_url, "olivia")
    olivia.goto(cable)
    olivia.check("section.release input[name=paragraph][value='2']")
    olivia.click("section.release button:text('Propose release to the partner')")
    olivia.wait_for_url(f"{base_url}/releases")
    row = olivia.locator("[data-testid=releases-waiting] tr[data-release]")
    assert row.count() == 1
    assert row.locator("td").nth(1).inner_text() == "cable 08SAMPLEPOST177 (paragraphs 2)"
    assert row.locator(".proposed-by").inner_text() == "olivia"
    assert row.locator("button:text('Approve and release')").count() == 0  # not for the proposer
    assert "yours: another officer approves it" in row.inner_text()

    li = _signed_in(browser, base_url, "li")
    assert li.locator("nav a:text('Releases')").count() == 0
    response = li.goto(cable)
    assert response is not None and response.status == 404
    assert "training" not in li.content()

    oscar = _signed_in(browser, base_url, "oscar")
    oscar.click("nav a:text('Releases')")
    oscar.wait_for_url(f"{base_url}/releases")
    waiting = oscar.locator("[data-testid=releases-waiting] tr[data-release]")
    assert waiting.locator(".proposed-by").inner_text() == "olivia"
    waiting.locator("button:text('Approve and release')").click()
    oscar.wait_for_selector("[data-testid=releases-none]")
    decided = oscar.locator("[data-testid=releases-decided] tr[data-release]")
    assert decided.locator(".state").inner_text() == "approved"
    assert "oscar" in decided.inner_text()

    response = li.goto(cable)
    assert response is not None and response.status == 200
    assert li.locator("section.body p.para").all_inner_texts() == [
        "1. (SBU) The firm said it would complete training of its export staff by June."
    ]
    for page in (olivia, li, oscar):
        page.context.close()
