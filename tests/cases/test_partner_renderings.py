"""Regressions for issue 11, "Partner renderings leak structure": the case numbers the partner
is shown have no gap where a home-only case sits, stay what they were when cases are created,
released or closed, tell nothing of how many hidden cases exist, and a merge into a hidden
case names no target. Checked on the raw bodies the partner receives: API JSON and HTML pages.

The desk (`_partner_world`): NPC-2007-001 (released), -002 (SECRET//NOFORN), -003 (released),
-004 (CONFIDENTIAL, home only), -005 (UNCLASSIFIED, released). The partner was given the three
released ones in that order, so it knows them as CHN-2007-001, -002 and -003.
"""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from npdesk.domain.cases import CaseOutcome, CaseStatus
from npdesk.services import approvals
from npdesk.services.cases import CaseNotFound, get_case, list_cases, transition_case

from ._partner_world import (
    HOME_C,
    LIAISON,
    OFFICER,
    SECOND_OFFICER,
    SECRET_NOFORN,
    SHARED_C,
    World,
    assert_nothing_hidden,
    at,
    bearer,
    get_bytes,
    opened,
)

PARTNER_NUMBERS = ["CHN-2007-001", "CHN-2007-002", "CHN-2007-003"]


def partner_numbers(engine: Engine) -> dict[str, str]:
    """title → the number the liaison is shown."""
    return {c.title: c.reference for c in list_cases(engine, LIAISON).cases}


def api_references(client: TestClient) -> list[str]:
    body = get_bytes(client, LIAISON, "/api/v1/cases?limit=100")
    return sorted(c["reference"] for c in json.loads(body)["cases"])


def test_case_reference_numbers_have_no_gap_where_home_only_cases_sit(
    client: TestClient, world: World
) -> None:
    listing = get_bytes(client, LIAISON, "/api/v1/cases?limit=100")
    data = json.loads(listing)
    assert data["total"] == 3
    assert sorted(c["reference"] for c in data["cases"]) == PARTNER_NUMBERS
    assert {c["reference"]: c["title"] for c in data["cases"]} == {
        "CHN-2007-001": "FICTIONAL gyroscopes to a third country",
        "CHN-2007-002": "FICTIONAL carbon fibre offer",
        "CHN-2007-003": "FICTIONAL maraging steel",
    }
    page = get_bytes(client, LIAISON, "/cases")
    for number in PARTNER_NUMBERS:
        assert f'href="/cases/{number}"'.encode() in page
    case_page = get_bytes(client, LIAISON, "/cases/CHN-2007-002")
    assert b"CHN-2007-002" in case_page and b"FICTIONAL carbon fibre offer" in case_page
    case_json = get_bytes(client, LIAISON, "/api/v1/cases/CHN-2007-003")
    assert json.loads(case_json)["title"] == "FICTIONAL maraging steel"
    for body in (listing, page, case_page, case_json):
        # Neither the desk's references (whose gaps count hidden cases) nor home-only text.
        assert_nothing_hidden(body, "NPC-2007-")


def test_numbers_stay_when_a_home_only_case_is_created(
    engine: Engine, client: TestClient, world: World
) -> None:
    before = partner_numbers(engine)
    opened(engine, "ZZHIDDEN second NOFORN lead", "2007-10-06", SECRET_NOFORN)
    opened(engine, "ZZHOMEONLY second confidential lead", "2007-10-07", HOME_C)
    assert partner_numbers(engine) == before
    assert api_references(client) == PARTNER_NUMBERS


def test_a_case_released_later_gets_the_next_number_and_earlier_ones_stay(
    engine: Engine, client: TestClient, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("NPDESK_TWO_PERSON_RELEASE")  # the default: two people release
    before = partner_numbers(engine)
    # The home-only case NPC-2007-004 sits between released ones on the desk; released now, it
    # is the partner's fourth case, after CHN-2007-003 (NPC-2007-005), not slotted before it.
    proposed = approvals.propose_release(
        engine, OFFICER, approvals.CASE, world.home_lead, source="test"
    )
    assert api_references(client) == PARTNER_NUMBERS  # nothing before the approval
    approvals.approve_release(engine, SECOND_OFFICER, proposed.id, source="test")

    after = partner_numbers(engine)
    assert after == {**before, "ZZHOMEONLY confidential lead": "CHN-2007-004"}
    assert api_references(client) == [*PARTNER_NUMBERS, "CHN-2007-004"]
    released = json.loads(get_bytes(client, LIAISON, "/api/v1/cases/CHN-2007-004"))
    assert released["title"] == "ZZHOMEONLY confidential lead"
    assert released["marking"] == "CONFIDENTIAL//REL TO CHN"


def test_numbers_stay_when_a_case_is_closed(
    engine: Engine, client: TestClient, world: World
) -> None:
    transition_case(
        engine,
        OFFICER,
        world.carbon_fibre,
        CaseStatus.CLOSED,
        reason="licence refused",
        outcome=CaseOutcome.RESOLVED,
        at=at("2008-01-10"),
    )
    closed = json.loads(get_bytes(client, LIAISON, "/api/v1/cases/CHN-2007-002"))
    assert (closed["title"], closed["status"]) == ("FICTIONAL carbon fibre offer", "closed")
    assert api_references(client) == PARTNER_NUMBERS
    # A later release still counts on from the last number, not from the open cases.
    released = opened(engine, "FICTIONAL vacuum pumps", "2007-11-01", SHARED_C)
    assert get_case(engine, LIAISON, "CHN-2007-004").title == "FICTIONAL vacuum pumps"
    assert get_case(engine, OFFICER, released).reference == "NPC-2007-006"


def test_reference_numbers_do_not_reveal_how_many_hidden_cases_exist(
    engine: Engine, client: TestClient, world: World
) -> None:
    for n in range(7):
        opened(engine, f"ZZHIDDEN lead {n}", "2007-10-20", SECRET_NOFORN)
    released = opened(engine, "FICTIONAL vacuum pumps", "2007-11-01", SHARED_C)
    # The desk has twelve cases of 2007 now; the partner's newest is its fourth.
    assert released == "NPC-2007-013"
    data = json.loads(get_bytes(client, LIAISON, "/api/v1/cases?limit=100"))
    assert data["total"] == 4
    assert sorted(c["reference"] for c in data["cases"]) == [*PARTNER_NUMBERS, "CHN-2007-004"]
    # Probing the numbers above theirs, or the desk's references, answers as for a number
    # that exists nowhere: the same status and the same body.
    headers = bearer(client, LIAISON)
    missing = client.get("/api/v1/cases/CHN-2007-999", headers=headers)
    assert missing.status_code == 404
    for probe in ("CHN-2007-005", "CHN-2007-012", world.noforn_lead, released):
        answer = client.get(f"/api/v1/cases/{probe}", headers=headers)
        assert (answer.status_code, answer.content) == (404, missing.content)
    with pytest.raises(CaseNotFound):
        get_case(engine, LIAISON, "CHN-2007-005")


def test_merged_into_a_hidden_case_is_redacted(
    engine: Engine, client: TestClient, world: World
) -> None:
    # The gyroscope case is merged into the home-only lead, the steel case into the gyroscope
    # case: the partner sees no target for the first and its own number for the second.
    for source, target in ((world.gyroscopes, world.home_lead), (world.steel, world.gyroscopes)):
        transition_case(
            engine,
            OFFICER,
            source,
            CaseStatus.CLOSED,
            reason="same diversion",
            outcome=CaseOutcome.MERGED,
            merged_into=target,
            at=at("2008-01-10"),
        )
    assert get_case(engine, OFFICER, world.gyroscopes).merged_into == world.home_lead

    hidden_target = get_bytes(client, LIAISON, "/api/v1/cases/CHN-2007-001")
    data = json.loads(hidden_target)
    assert (data["outcome"], data["merged_into"]) == ("merged", None)
    assert [e["merged_into"] for e in data["history"]] == [None, None, None]
    visible_target = json.loads(get_bytes(client, LIAISON, "/api/v1/cases/CHN-2007-003"))
    assert visible_target["merged_into"] == "CHN-2007-001"
    assert visible_target["history"][-1]["merged_into"] == "CHN-2007-001"

    page = get_bytes(client, LIAISON, "/cases/CHN-2007-001")
    assert b"merged into" not in page
    steel_page = get_bytes(client, LIAISON, "/cases/CHN-2007-003")
    assert b'merged into <a href="/cases/CHN-2007-001">CHN-2007-001</a>' in steel_page
    listing = get_bytes(client, LIAISON, "/api/v1/cases?limit=100")
    for body in (hidden_target, page, steel_page, listing):
        assert_nothing_hidden(body, world.home_lead, "NPC-2007-")
