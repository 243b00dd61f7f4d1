"""Two-person release of the releasable minutes (issue 12, part 3, "minutes"): with the
setting on, a partner user gets a review's releasable minutes only once one home officer
proposed their release and another approved it; the proposer cannot approve; minutes changed
after the approval (a new outcome) are not what was approved and need a new release. With the
setting off, the partner reads them at once, as before."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from npdesk.domain.reviews import MinutesVariant
from npdesk.services import approvals
from npdesk.services.review_minutes import MinutesNotReleased, minutes
from npdesk.services.reviews import record_outcome
from npdesk.settings import one_person_desk
from tests.cases._partner_world import (
    LIAISON,
    OFFICER,
    SECOND_OFFICER,
    SHARED_C,
    bearer,
    hold_review,
    opened,
)

STATEMENT = "FICTIONAL: the partner found the shipment was never licensed."


def held_review(engine: Engine) -> str:
    """A review held on a case released to CHN (made as a one-person desk makes it)."""
    with one_person_desk():
        reference = opened(engine, "FICTIONAL gyroscopes", "2008-03-01", SHARED_C)
    hold_review(engine)
    record_outcome(engine, OFFICER, 1, reference, partner_statement=STATEMENT)
    return reference


def releasable(engine: Engine) -> str:
    document = minutes(engine, LIAISON, 1, MinutesVariant.RELEASABLE)
    return " ".join(line for e in document.entries for _, line in e.lines)


def test_the_partner_gets_the_minutes_only_once_two_officers_agree(
    two_person_desk: Engine,
) -> None:
    engine = two_person_desk
    reference = held_review(engine)
    with pytest.raises(MinutesNotReleased) as refused:
        minutes(engine, LIAISON, 1, MinutesVariant.RELEASABLE)
    assert str(refused.value) == (
        "the minutes of review 1 have not been released to CHN: a home officer proposes "
        "their release and another approves it"
    )
    # Home readers read them meanwhile.
    officer_copy = minutes(engine, OFFICER, 1, MinutesVariant.RELEASABLE)
    assert [e.reference for e in officer_copy.entries] == [reference]

    proposed = approvals.propose_release(engine, OFFICER, approvals.MINUTES, "1", source="t")
    with pytest.raises(approvals.ApprovalError, match="second person"):
        approvals.approve_release(engine, OFFICER, proposed.id, source="t")
    with pytest.raises(MinutesNotReleased):
        minutes(engine, LIAISON, 1, MinutesVariant.RELEASABLE)
    approvals.approve_release(engine, SECOND_OFFICER, proposed.id, source="t")
    assert STATEMENT in releasable(engine)

    # A later outcome changes the minutes: the partner waits for their next release.
    record_outcome(engine, OFFICER, 1, reference, partner_statement="FICTIONAL: a correction")
    with pytest.raises(MinutesNotReleased):
        minutes(engine, LIAISON, 1, MinutesVariant.RELEASABLE)
    again = approvals.propose_release(engine, OFFICER, approvals.MINUTES, "1", source="t")
    approvals.approve_release(engine, SECOND_OFFICER, again.id, source="t")
    assert "FICTIONAL: a correction" in releasable(engine)


def test_minutes_changed_before_the_approval_are_not_approved(two_person_desk: Engine) -> None:
    engine = two_person_desk
    reference = held_review(engine)
    proposed = approvals.propose_release(engine, OFFICER, approvals.MINUTES, "1", source="t")
    record_outcome(engine, OFFICER, 1, reference, partner_statement="FICTIONAL: rewritten")
    with pytest.raises(approvals.ApprovalError, match="changed after the proposal"):
        approvals.approve_release(engine, SECOND_OFFICER, proposed.id, source="t")
    with pytest.raises(MinutesNotReleased):
        minutes(engine, LIAISON, 1, MinutesVariant.RELEASABLE)


def test_the_api_releases_minutes_in_two_steps(
    two_person_desk: Engine, two_person_client: TestClient
) -> None:
    held_review(two_person_desk)
    client = two_person_client
    url = "/api/v1/reviews/1/minutes?variant=releasable"
    before = client.get(url, headers=bearer(client, LIAISON))
    assert before.status_code == 403
    assert "have not been released to CHN" in before.json()["detail"]

    proposed = client.post("/api/v1/reviews/1/minutes/release", headers=bearer(client, OFFICER))
    assert proposed.status_code == 202
    body = proposed.json()
    assert (body["record_kind"], body["record_id"], body["state"]) == ("minutes", "1", "proposed")
    own = client.post(f"/api/v1/releases/{body['id']}/approve", headers=bearer(client, OFFICER))
    assert own.status_code == 403
    assert client.get(url, headers=bearer(client, LIAISON)).status_code == 403
    approved = client.post(
        f"/api/v1/releases/{body['id']}/approve", headers=bearer(client, SECOND_OFFICER)
    )
    assert approved.status_code == 200
    after = client.get(url, headers=bearer(client, LIAISON))
    assert after.status_code == 200
    assert STATEMENT.encode() in after.content


def test_a_one_person_desk_gives_the_partner_the_minutes_at_once(
    two_person_desk: Engine, two_person_client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NPDESK_TWO_PERSON_RELEASE", "false")
    held_review(two_person_desk)
    assert STATEMENT in releasable(two_person_desk)
    answer = two_person_client.get(
        "/api/v1/reviews/1/minutes?variant=releasable",
        headers=bearer(two_person_client, LIAISON),
    )
    assert answer.status_code == 200 and STATEMENT.encode() in answer.content
