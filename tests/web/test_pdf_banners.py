"""Every page of every exported PDF carries the banner at the top and at the bottom, and
"page N of M" (issue 11, part 5): a handover list and review minutes long enough to run over
several pages, rendered by the real chromium and read back page by page with pypdf, by where
each piece of text sits on the page."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pypdf import PageObject, PdfReader
from sqlalchemy.engine import Engine

from npdesk.domain.handover import HandoverEntry, HandoverList
from npdesk.domain.reviews import Minutes, MinutesEntry, MinutesVariant, Participant, ReviewLevel
from npdesk.security.model import Party
from npdesk.services.handovers import ExportFormat, documents, html_to_pdf, render_export
from npdesk.services.ingest import ingest_paths
from npdesk.web.app import create_app
from tests.conftest import chromium_path, require
from tests.web.conftest import add_users, token_for

STYLESHEET = Path(__file__).resolve().parents[2] / "npdesk" / "web" / "static" / "npdesk.css"

# Written out by hand, as a reader expects to see them on paper.
LIST_BANNER = "CONFIDENTIAL//REL TO CHN"
MINUTES_BANNER = "SECRET//NOFORN"
# The @page margin is 2.2 cm (62 pt): text in the top or bottom 62 pt is in the margin boxes.
MARGIN_PT = 62.0


def _long_list() -> HandoverList:
    entries = tuple(
        HandoverEntry(
            reference=f"NP-2008-{n:04d}",
            title=f"FICTIONAL transfer case number {n}",
            status="raised",
            releasable_summary=(
                "Reported transfer of gyroscopes and accelerometers to a third country; "
                "the partner is asked to look into the shipment and report back. " * 2
            ),
            subjects=(f"Fictional Gyro Co. {n}",),
            items=("gyroscopes",),
            regimes=("MTCR",),
            origin_countries=("CHN",),
            destination_countries=("IRN",),
        )
        for n in range(1, 13)
    )
    return HandoverList(
        number=7,
        title="FICTIONAL list of March 2008",
        handed_over_on=date(2008, 3, 20),
        handed_over_by="PolMinCouns",
        handed_over_to="MFA Arms Control Counselor",
        entries=entries,
        banner=LIST_BANNER,
        fictional=True,
    )


def _long_minutes() -> Minutes:
    entries = tuple(
        MinutesEntry(
            reference=f"NP-2008-{n:04d}",
            title=f"FICTIONAL case number {n}",
            lines=(
                ("Partner statement", "The partner said it is looking into the shipment."),
                ("Next step", "The home side will send the end-user details."),
                ("Home note", "Follow up with the licensing office before the next review."),
            ),
        )
        for n in range(1, 25)
    )
    return Minutes(
        variant=MinutesVariant.HOME,
        title="FICTIONAL working-level review",
        meeting_on=date(2008, 3, 20),
        level=ReviewLevel.WORKING,
        venue="Beijing",
        home_participants=(Participant("A. Officer", Party.HOME, "PolOff"),),
        partner_participants=(Participant("B. Counselor", Party.PARTNER, "MFA"),),
        entries=entries,
        fictional=True,
        banner=MINUTES_BANNER,
    )


def _pages(pdf: bytes) -> list[tuple[str, str, str]]:
    """Per page: the text in the top margin, in the bottom margin, and all of it (words
    joined by single spaces: text runs come back in pieces with stray spaces)."""
    return [_page_text(page) for page in PdfReader(io.BytesIO(pdf)).pages]


def _page_text(page: PageObject) -> tuple[str, str, str]:
    height = float(page.mediabox.height)
    top: list[str] = []
    bottom: list[str] = []

    def visit(text: str, cm: list[float], tm: list[float], *_: object) -> None:
        y = tm[5] * cm[3] + cm[5] if cm[3] else tm[5]
        if y > height - MARGIN_PT:
            top.append(text)
        elif y < MARGIN_PT:
            bottom.append(text)

    whole = page.extract_text(visitor_text=visit)
    return _words(top), _words(bottom), _words([whole])


def _words(texts: list[str]) -> str:
    return " ".join(" ".join(texts).split())


def _assert_every_page_marked(pdf: bytes, banner: str) -> None:
    pages = _pages(pdf)
    assert len(pages) >= 3, "the document should run over several pages"
    total = len(pages)
    for number, (top_text, bottom_text, whole) in enumerate(pages, start=1):
        assert banner in top_text, (number, top_text)
        assert banner in bottom_text, (number, bottom_text)
        assert f"page {number} of {total}" in bottom_text, (number, bottom_text)
        assert f"page {number} of {total}" in whole


@pytest.fixture(scope="module")
def chromium() -> None:
    require(chromium_path() is not None, "Debian's chromium (apt-get install chromium)")


@pytest.mark.usefixtures("chromium")
def test_every_page_of_a_handover_pdf_has_the_banner_top_and_bottom_and_page_n_of_m() -> None:
    _assert_every_page_marked(render_export(_long_list(), ExportFormat.PDF), LIST_BANNER)


@pytest.mark.usefixtures("chromium")
def test_every_page_of_the_minutes_pdf_has_the_banner_top_and_bottom_and_page_n_of_m() -> None:
    html = documents().get_template("cases/export_minutes.html").render(minutes=_long_minutes())
    _assert_every_page_marked(html_to_pdf(html), MINUTES_BANNER)


def test_the_exported_html_prints_the_banner_on_every_page() -> None:
    # Printed from a browser, the HTML export uses the same @page rules as the PDF.
    html = render_export(_long_list(), ExportFormat.HTML).decode()
    assert f'@top-center {{ content: "{LIST_BANNER}"' in html
    assert f'@bottom-center {{ content: "{LIST_BANNER}"' in html
    assert 'content: "page " counter(page) " of " counter(pages)' in html


LONG_CABLE = """O 201106Z MAR 08
FM AMEMBASSY SAMPLEPOST
TO SECSTATE WASHDC IMMEDIATE 5948

C O N F I D E N T I A L SAMPLEPOST 000950

SIPDIS

E.O. 12958: DECL: 03/20/2033
TAGS: PARM PREL
SUBJECT: FICTIONAL LONG CABLE ABOUT EXPORT CONTROLS

Classified By: Fictional Counselor. Reasons 1.4 (b/d).

{body}

EXAMPLE
"""


@pytest.mark.usefixtures("chromium")
def test_a_printed_cable_page_has_the_banner_top_and_bottom_on_every_page(
    sqlite_engine: Engine, tmp_path: Path
) -> None:
    folder = tmp_path / "cables"
    folder.mkdir()
    body = "\n\n".join(
        f"{n}. (C) Paragraph {n} of a fictional cable about export controls, licensing, "
        "end-user checks and the transfer of controlled items to third countries. " * 3
        for n in range(1, 31)
    )
    (folder / "08SAMPLEPOST950.txt").write_text(LONG_CABLE.format(body=body), encoding="utf-8")
    assert not ingest_paths(sqlite_engine, [folder]).quarantined
    add_users(sqlite_engine)
    with TestClient(create_app(sqlite_engine)) as client:
        response = client.get("/cables/08SAMPLEPOST950", headers=token_for(client, "olivia"))
    assert response.status_code == 200
    # Printed as a browser prints it, with the site's own stylesheet (inlined: the PDF printer
    # reads the page from a file, not from the server).
    link = '<link rel="stylesheet" href="/static/npdesk.css">'
    assert link in response.text
    html = response.text.replace(link, f"<style>{STYLESHEET.read_text()}</style>")
    _assert_every_page_marked(html_to_pdf(html), "CONFIDENTIAL")
