"""Two-person release closes the handover's one-step release (issue 12, part 3): with the
setting on, handing a list over "with release" that would release a case is refused, naming
the cases and the way instead, and nothing changes (no list, no release, no status change).
Cases already released (proposed and approved) go on the list as they are. With the setting
off, `release` releases them in one step, as before."""

from __future__ import annotations

from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from npdesk.domain.cases import CaseStatus
from npdesk.services import approvals
from npdesk.services.cases import get_case, list_cases
from npdesk.services.handovers import list_handover_lists
from npdesk.services.two_person import SecondPersonNeeded
from tests.cases._partner_world import (
    HOME_C,
    LIAISON,
    OFFICER,
    SECOND_OFFICER,
    bearer,
    hand_over,
    opened,
)

DAY = date(2008, 3, 19)
LIST = {
    "title": "FICTIONAL list of March 2008",
    "handed_over_on": "2008-03-19",
    "handed_over_by": "PolMinCouns",
    "handed_over_to": "MFA Arms Control Department",
    "fictional": True,
}


def test_a_handover_with_release_is_refused_and_changes_nothing(two_person_desk: Engine) -> None:
    engine = two_person_desk
    first = opened(engine, "FICTIONAL gyroscopes", "2008-03-01", HOME_C)
    second = opened(engine, "FICTIONAL carbon fibre", "2008-03-02", HOME_C)
    with pytest.raises(SecondPersonNeeded) as refused:
        hand_over(engine, DAY, [first, second], release=True)
    assert str(refused.value) == (
        f"two-person release is on: case {first}, {second} (not yet released, handed over "
        "with release) would go to CHN on one person's word; propose the release instead "
        "(`npdesk cases release REFERENCE` for each, then hand the list over once another "
        "officer approved them) for another officer to approve"
    )
    assert list_handover_lists(engine, OFFICER) == []
    assert get_case(engine, OFFICER, first).status is CaseStatus.OPEN
    assert list_cases(engine, LIAISON).total == 0

    # Released by two officers first, the cases go on the list as they are.
    for reference in (first, second):
        proposed = approvals.propose_release(engine, OFFICER, approvals.CASE, reference, source="t")
        approvals.approve_release(engine, SECOND_OFFICER, proposed.id, source="t")
    assert hand_over(engine, DAY, [first, second], release=True) == [first, second]
    assert get_case(engine, OFFICER, first).status is CaseStatus.RAISED
    assert [e.reference for e in list_handover_lists(engine, LIAISON)[0].entries] == [
        "CHN-2008-001",
        "CHN-2008-002",
    ]


def test_the_api_refuses_a_handover_with_release(
    two_person_desk: Engine, two_person_client: TestClient
) -> None:
    reference = opened(two_person_desk, "FICTIONAL gyroscopes", "2008-03-01", HOME_C)
    answer = two_person_client.post(
        "/api/v1/handover-lists",
        json={**LIST, "references": [reference], "release": True},
        headers=bearer(two_person_client, OFFICER),
    )
    assert answer.status_code == 403
    assert answer.json()["detail"].startswith(f"two-person release is on: case {reference} ")
    assert list_handover_lists(two_person_desk, OFFICER) == []


def test_a_one_person_desk_releases_on_handover_in_one_step(
    two_person_desk: Engine, two_person_client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NPDESK_TWO_PERSON_RELEASE", "false")
    engine = two_person_desk
    first = opened(engine, "FICTIONAL gyroscopes", "2008-03-01", HOME_C)
    second = opened(engine, "FICTIONAL carbon fibre", "2008-03-02", HOME_C)
    assert hand_over(engine, DAY, [first], release=True) == [first]
    answer = two_person_client.post(
        "/api/v1/handover-lists",
        json={**LIST, "references": [second], "release": True},
        headers=bearer(two_person_client, OFFICER),
    )
    assert answer.status_code == 201
    assert [e["reference"] for e in answer.json()["entries"]] == [second]
    seen = sorted(c.reference for c in list_cases(engine, LIAISON).cases)
    assert seen == ["CHN-2008-001", "CHN-2008-002"]
