"""Regressions for issue 11, "Partner renderings leak structure", on reviews: agenda positions
are 1..n over the lines the reader sees (no gap where a home-only case sits), for the partner
and for a home reviewer cleared UNCLASSIFIED; the partner's case numbers are used throughout;
an outcome merging a case into a hidden one names no target. Checked on raw bodies: API JSON,
the review page, and the releasable minutes as HTML and PDF (read back with pypdf).

The desk (`tests.cases._partner_world`): NPC-2007-001 (C, released), -002 (SECRET//NOFORN),
-003 (C, released), -004 (C, home only), -005 (U, released); the officer's agenda holds all
five, oldest first.
"""

from __future__ import annotations

import json

from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from npdesk.domain.cases import CaseOutcome, CaseStatus
from npdesk.services.reviews import record_outcome
from tests.cases._partner_world import (
    LIAISON,
    OFFICER,
    REVIEWER_U,
    World,
    assert_nothing_hidden,
    get_bytes,
    hold_review,
    pdf_text,
)
from tests.conftest import chromium_path, require

PARTNER_AGENDA = [
    (1, "CHN-2007-001", "FICTIONAL gyroscopes to a third country"),
    (2, "CHN-2007-002", "FICTIONAL carbon fibre offer"),
    (3, "CHN-2007-003", "FICTIONAL maraging steel"),
]


def agenda(body: bytes) -> list[tuple[int, str, str]]:
    return [(i["position"], i["reference"], i["title"]) for i in json.loads(body)["agenda"]]


def test_agenda_positions_have_no_gap_where_home_only_cases_sit(
    engine: Engine, client: TestClient, world: World
) -> None:
    require(chromium_path() is not None, "Debian's chromium (apt-get install chromium)")
    hold_review(engine)
    officer = get_bytes(client, OFFICER, "/api/v1/reviews/1")
    assert [(p, r) for p, r, _ in agenda(officer)] == [
        (1, world.gyroscopes),
        (2, world.noforn_lead),
        (3, world.carbon_fibre),
        (4, world.home_lead),
        (5, world.steel),
    ]

    api = get_bytes(client, LIAISON, "/api/v1/reviews/1")
    assert agenda(api) == PARTNER_AGENDA
    page = get_bytes(client, LIAISON, "/reviews/1")
    for position, number, _ in PARTNER_AGENDA:
        assert f"<td>{position}</td>".encode() in page
        assert f'<a href="/cases/{number}">{number}</a>'.encode() in page
    assert b"<td>4</td>" not in page and b"<td>5</td>" not in page
    html = get_bytes(client, LIAISON, "/api/v1/reviews/1/minutes?variant=releasable")
    pdf = get_bytes(client, LIAISON, "/api/v1/reviews/1/minutes?variant=releasable&format=pdf")
    text = pdf_text(pdf)
    for body in (html, text.encode()):
        found = [body.index(number.encode()) for _, number, _ in PARTNER_AGENDA]
        assert found == sorted(found)
    for body in (api, page, html, pdf, text.encode()):
        assert_nothing_hidden(body, "NPC-2007-")


def test_a_home_reviewer_cleared_unclassified_sees_positions_from_one(
    engine: Engine, client: TestClient, world: World
) -> None:
    hold_review(engine)
    api = get_bytes(client, REVIEWER_U, "/api/v1/reviews/1")
    assert agenda(api) == [(1, world.steel, "FICTIONAL maraging steel")]
    page = get_bytes(client, REVIEWER_U, "/reviews/1")
    assert b"<td>1</td>" in page and b"<td>2</td>" not in page
    home = get_bytes(client, REVIEWER_U, "/api/v1/reviews/1/minutes?variant=home")
    for body in (api, page, home):
        assert b"FICTIONAL maraging steel" in body
        for reference in (world.gyroscopes, world.noforn_lead, world.home_lead):
            assert reference.encode() not in body
        assert b"ZZHIDDEN" not in body and b"ZZHOMEONLY confidential lead" not in body


def test_an_outcome_merging_into_a_hidden_case_names_no_target(
    engine: Engine, client: TestClient, world: World
) -> None:
    hold_review(engine)
    for source, target in ((world.gyroscopes, world.home_lead), (world.steel, world.gyroscopes)):
        record_outcome(
            engine,
            OFFICER,
            1,
            source,
            partner_statement="The partner found the same shipment.",
            new_status=CaseStatus.CLOSED,
            outcome=CaseOutcome.MERGED,
            merged_into=target,
        )
    api = get_bytes(client, LIAISON, "/api/v1/reviews/1")
    outcomes = {o["reference"]: o["merged_into"] for o in json.loads(api)["outcomes"]}
    assert outcomes == {"CHN-2007-001": None, "CHN-2007-003": "CHN-2007-001"}
    html = get_bytes(client, LIAISON, "/api/v1/reviews/1/minutes?variant=releasable")
    assert html.count(b"merged into") == 1
    assert b"merged into CHN-2007-001" in html
    page = get_bytes(client, LIAISON, "/reviews/1")
    for body in (api, html, page):
        assert_nothing_hidden(body, world.home_lead, "NPC-2007-")
