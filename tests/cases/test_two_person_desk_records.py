"""Two-person release for the program's records (issue 12, part 3): with the setting on, a
firm, event or commitment is never created already shared with the partner (refused with the
way instead, nothing stored), and accepting a cable's proposal "shared with the partner" makes
the record unshared and proposes its sharing for a second officer. With the setting off, both
share at once, as before. (With the case gaps in `test_two_person_gaps`: the one-step paths of
records to the partner.)"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy.engine import Engine

from npdesk.security.model import Marking
from npdesk.services import approvals, commitments, events, firms
from npdesk.services import proposals as proposal_service
from npdesk.services.ingest import ingest_paths
from npdesk.services.program_records import SHAREABLE
from npdesk.services.two_person import SecondPersonNeeded
from npdesk.store.db import session_factory
from tests.store.helpers import SAMPLE_CABLES

from ._partner_world import LIAISON, OFFICER, SECOND_OFFICER, SHARED_U, bearer

Create = Callable[[Engine, Marking], object]

CREATE: dict[str, Create] = {
    "firm": lambda engine, marking: firms.create_firm(
        engine, OFFICER, firms.FirmInput(name="Fictional Gyro Co.", marking=marking)
    ),
    "event": lambda engine, marking: events.create_event(
        engine,
        OFFICER,
        events.EventInput(
            "FICTIONAL export-control workshop", "workshop", date(2008, 5, 6), marking=marking
        ),
    ),
    "commitment": lambda engine, marking: commitments.create_commitment(
        engine,
        OFFICER,
        commitments.CommitmentInput("home", "Send the end-user details", marking=marking),
    ),
}
# What the partner reads of each, and how the API makes one shared.
SEEN: dict[str, Callable[[Engine], int]] = {
    "firm": lambda engine: len(firms.list_firms(engine, LIAISON)),
    "event": lambda engine: len(events.list_events(engine, LIAISON)),
    "commitment": lambda engine: len(commitments.list_commitments(engine, LIAISON)),
}
API: dict[str, tuple[str, dict[str, object]]] = {
    "firm": ("/api/v1/firms", {"name": "Fictional Gyro Co."}),
    "event": ("/api/v1/events", {"title": "FICTIONAL workshop", "kind": "workshop"}),
    "commitment": ("/api/v1/commitments", {"owner_side": "home", "description": "Send it"}),
}


@pytest.mark.parametrize("kind", sorted(CREATE))
def test_a_record_created_already_shared_is_refused(two_person_desk: Engine, kind: str) -> None:
    with pytest.raises(SecondPersonNeeded) as refused:
        CREATE[kind](two_person_desk, SHARED_U)
    assert str(refused.value).startswith(
        f"two-person release is on: a {kind} cannot be created already shared with CHN "
        "(UNCLASSIFIED//REL TO CHN); create it unshared, then propose its release"
    )
    assert SEEN[kind](two_person_desk) == 0
    assert approvals.list_releases(two_person_desk, OFFICER) == []


@pytest.mark.parametrize("kind", sorted(API))
def test_the_api_refuses_a_record_created_shared(
    two_person_desk: Engine, two_person_client: TestClient, kind: str
) -> None:
    url, body = API[kind]
    headers = bearer(two_person_client, OFFICER)
    answer = two_person_client.post(
        url, json={**body, "shared_with_partner": True}, headers=headers
    )
    assert answer.status_code == 403
    assert answer.json()["detail"].startswith(f"two-person release is on: a {kind} cannot")
    assert SEEN[kind](two_person_desk) == 0
    assert two_person_client.post(url, json=body, headers=headers).status_code == 201


@pytest.mark.parametrize("kind", sorted(API))
def test_a_one_person_desk_creates_shared_records(
    two_person_desk: Engine,
    two_person_client: TestClient,
    monkeypatch: pytest.MonkeyPatch,
    kind: str,
) -> None:
    monkeypatch.setenv("NPDESK_TWO_PERSON_RELEASE", "false")
    CREATE[kind](two_person_desk, SHARED_U)
    url, body = API[kind]
    if kind == "firm":
        body = {**body, "name": "Fictional Optics Co."}
    answer = two_person_client.post(
        url, json={**body, "shared_with_partner": True}, headers=bearer(two_person_client, OFFICER)
    )
    assert answer.status_code == 201
    assert SEEN[kind](two_person_desk) == 2


def _releasable_proposal(engine: Engine) -> int:
    ingest_paths(engine, [SAMPLE_CABLES / "08SAMPLEPOST101.txt"])  # a CONFIDENTIAL cable
    proposal_service.read_pending(engine)
    views = proposal_service.proposals_for(engine, OFFICER, "08SAMPLEPOST101").proposals
    releasable = [v for v in views if "NOFORN" not in v.marking]
    assert releasable, [v.marking for v in views]
    return releasable[0].id


def accept_as_shared(client: TestClient, proposal: int) -> Response:
    answer: Response = client.post(
        f"/api/v1/proposals/{proposal}/decision",
        json={"decision": "accept", "values": {"shared_with_partner": True}},
        headers=bearer(client, OFFICER),
    )
    return answer


def _shared(engine: Engine, kind: str, record_id: int) -> bool:
    with session_factory(engine)() as session:
        record = session.get(SHAREABLE[kind], record_id)
        assert record is not None
        return bool(record.shared_with_partner)


def test_the_api_accepting_a_proposal_as_shared_proposes_the_sharing(
    two_person_desk: Engine, two_person_client: TestClient
) -> None:
    engine, client = two_person_desk, two_person_client
    proposal = _releasable_proposal(engine)
    answer = accept_as_shared(client, proposal)
    assert answer.status_code == 200, answer.text
    record_kind, record_id = answer.json()["record_kind"], answer.json()["record_id"]
    assert not _shared(engine, record_kind, record_id)
    (waiting,) = approvals.list_releases(engine, OFFICER)
    assert (waiting.record_kind, waiting.record_id, waiting.proposed_by) == (
        record_kind,
        str(record_id),
        "olivia",
    )
    approved = client.post(
        f"/api/v1/releases/{waiting.id}/approve", headers=bearer(client, SECOND_OFFICER)
    )
    assert approved.status_code == 200
    assert _shared(engine, record_kind, record_id)


def test_a_one_person_desk_accepts_a_proposal_as_shared_at_once(
    two_person_desk: Engine, two_person_client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NPDESK_TWO_PERSON_RELEASE", "false")
    proposal = _releasable_proposal(two_person_desk)
    answer = accept_as_shared(two_person_client, proposal)
    assert answer.status_code == 200, answer.text
    assert _shared(two_person_desk, answer.json()["record_kind"], answer.json()["record_id"])
    assert approvals.list_releases(two_person_desk, OFFICER) == []
