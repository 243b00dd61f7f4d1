"""In a real browser: sign in, search NORINCO, open the seed cable, check its SECRET banners
and six (S) paragraphs, follow a reference link; and a cable carrying markup renders inert."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page
from sqlalchemy.engine import Engine

from npdesk.services.ingest import ingest_paths
from npdesk.testing.server import running_server
from tests.store.helpers import SAMPLE_CABLES
from tests.web.conftest import PASSWORD, add_users

pytestmark = pytest.mark.browser

# A fictional stand-in for the seed's reference A, so that the seed has a stored reference to
# follow (the shared corpus holds none of the cables the seed cites).
STAND_IN_FOR_REF_A = """O 011200Z AUG 07
FM AMEMBASSY BEIJING
TO SECSTATE WASHDC IMMEDIATE 0001

C O N F I D E N T I A L BEIJING 005361

SIPDIS

E.O. 12958: DECL: 08/01/2032
TAGS: PARM PREL CH
SUBJECT: FICTIONAL TEST STAND-IN FOR REF A

1. (C) Fictional text written for the browser test.

EXAMPLE
"""


@pytest.fixture
def base_url(engine: Engine, seed_text: str, tmp_path: Path) -> Iterator[str]:
    (tmp_path / "seed.txt").write_text(seed_text)
    (tmp_path / "ref-a.txt").write_text(STAND_IN_FOR_REF_A)
    ingest_paths(engine, [tmp_path / "seed.txt", tmp_path / "ref-a.txt", SAMPLE_CABLES])
    add_users(engine)
    with running_server(engine) as url:
        yield url


def _sign_in(page: Page, base_url: str, username: str) -> None:
    page.goto(f"{base_url}/search")
    assert "/login" in page.url
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base_url}/search**")


def test_search_open_read_and_follow_a_reference(browser: Browser, base_url: str) -> None:
    page = browser.new_page()
    _sign_in(page, base_url, "olivia")
    page.fill("input[name=q]", "NORINCO")
    page.click(".searchbar button[type=submit]")
    page.wait_for_url("**q=NORINCO**")  # htmx swapped the results in and pushed the URL
    page.wait_for_selector("p.total:text('1 cable')")
    assert page.locator("a.hit-id").all_inner_texts() == ["08BEIJING1050"]
    assert page.locator(".snippet mark").first.inner_text() == "NORINCO"
    page.click("a.hit-id")
    page.wait_for_url(f"{base_url}/cables/08BEIJING1050")
    assert page.locator("[data-testid=banner-top]").inner_text() == "SECRET"
    assert page.locator("[data-testid=banner-bottom]").inner_text() == "SECRET"
    portions = page.locator("p.para .portion").all_inner_texts()
    assert portions == ["(S)"] * 6
    page.click("a.ref.resolved")
    page.wait_for_url(f"{base_url}/cables/07BEIJING5361")
    assert page.locator("[data-testid=banner-top]").inner_text() == "CONFIDENTIAL"
    assert "08BEIJING1050" in page.locator(".cited-by").inner_text()
    page.close()


def test_markup_in_a_cable_renders_inert(browser: Browser, base_url: str) -> None:
    page = browser.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    _sign_in(page, base_url, "olivia")
    page.goto(f"{base_url}/cables/08SAMPLEPOST177")
    text = page.locator("section.body").inner_text()
    assert "<script>alert('fictional cable text is untrusted')</script>" in text
    assert dialogs == []
    assert page.locator("section.body script").count() == 0
    page.close()
