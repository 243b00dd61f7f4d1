"""Two-person release closes the one-step paths of a case to the partner (issue 12, part 3,
"one person releases to a foreign government"): with the setting on (the default), a case is
never created already shared (shared flag or REL TO the partner), and its marking is never
changed to one the partner may read; both are refused with what to do instead, and the partner
sees nothing. The release is proposed and a second officer approves it. With the setting off,
both act at once, as before."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from npdesk.security.model import Level, Marking
from npdesk.services import approvals
from npdesk.services.cases import CaseInput, create_case, get_case, list_cases, update_marking
from npdesk.services.two_person import SecondPersonNeeded

from ._partner_world import HOME_C, LIAISON, OFFICER, SECOND_OFFICER, SHARED_C, at, bearer

REL_TO_CHN = Marking(Level.C, rel_to=frozenset({"CHN"}))
NEW_CASE = {"title": "FICTIONAL gyroscopes to a third country", "classification": "C"}


def new_case(engine: Engine, marking: Marking) -> str:
    data = CaseInput(title="FICTIONAL gyroscopes to a third country", marking=marking)
    return create_case(engine, OFFICER, data, at=at("2008-03-01")).reference


@pytest.mark.parametrize("marking", [SHARED_C, REL_TO_CHN], ids=["shared", "rel-to"])
def test_a_case_created_already_shared_is_refused(
    two_person_desk: Engine, marking: Marking
) -> None:
    engine = two_person_desk
    with pytest.raises(SecondPersonNeeded) as refused:
        new_case(engine, marking)
    assert str(refused.value) == (
        "two-person release is on: a case cannot be created already shared with CHN "
        f"({marking.banner()}); create it unshared, then propose its release (`npdesk cases "
        "release REFERENCE` or POST /api/v1/cases/{reference}/release) for another officer "
        "to approve"
    )
    assert list_cases(engine, OFFICER).total == 0

    # The way instead: unshared, proposed by one officer, approved by another.
    reference = new_case(engine, HOME_C)
    proposed = approvals.propose_release(engine, OFFICER, approvals.CASE, reference, source="t")
    assert list_cases(engine, LIAISON).total == 0
    approvals.approve_release(engine, SECOND_OFFICER, proposed.id, source="t")
    assert get_case(engine, LIAISON, "CHN-2008-001").title == (
        "FICTIONAL gyroscopes to a third country"
    )


def test_the_api_refuses_a_case_created_shared(
    two_person_desk: Engine, two_person_client: TestClient
) -> None:
    answer = two_person_client.post(
        "/api/v1/cases",
        json={**NEW_CASE, "shared_with_partner": True},
        headers=bearer(two_person_client, OFFICER),
    )
    assert answer.status_code == 403
    assert answer.json()["detail"].startswith("two-person release is on: a case cannot be")
    assert list_cases(two_person_desk, OFFICER).total == 0
    made = two_person_client.post(
        "/api/v1/cases", json=NEW_CASE, headers=bearer(two_person_client, OFFICER)
    )
    assert (made.status_code, made.json()["marking"]) == (201, "CONFIDENTIAL")


def test_a_marking_change_that_shares_a_case_is_refused(two_person_desk: Engine) -> None:
    engine = two_person_desk
    reference = new_case(engine, HOME_C)
    for marking in (SHARED_C, REL_TO_CHN):
        with pytest.raises(SecondPersonNeeded, match="propose the release instead"):
            update_marking(engine, OFFICER, reference, marking)
    assert get_case(engine, OFFICER, reference).marking == HOME_C
    assert list_cases(engine, LIAISON).total == 0
    # Changes the partner cannot read from are one person's call.
    secret = Marking(Level.S)
    assert update_marking(engine, OFFICER, reference, secret).marking == secret


def test_a_one_person_desk_creates_and_shares_in_one_step(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NPDESK_TWO_PERSON_RELEASE", "false")
    first = new_case(engine, SHARED_C)
    second = new_case(engine, HOME_C)
    update_marking(engine, OFFICER, second, REL_TO_CHN)
    seen = {c.reference for c in list_cases(engine, LIAISON).cases}
    assert seen == {"CHN-2008-001", "CHN-2008-002"}
    assert (first, second) == ("NPC-2008-001", "NPC-2008-002")


def test_the_api_creates_a_shared_case_on_a_one_person_desk(
    two_person_client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NPDESK_TWO_PERSON_RELEASE", "false")
    made = two_person_client.post(
        "/api/v1/cases",
        json={**NEW_CASE, "shared_with_partner": True},
        headers=bearer(two_person_client, OFFICER),
    )
    assert made.status_code == 201
    seen = two_person_client.get("/api/v1/cases", headers=bearer(two_person_client, LIAISON))
    # Numbered under the year it was made (today's).
    (shown,) = [c["reference"] for c in json.loads(seen.content)["cases"]]
    assert shown.startswith("CHN-") and shown.endswith("-001")
