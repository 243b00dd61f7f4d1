"""Two-person release (issue 12, part 3): a release to the partner is proposed by one home
officer and approved by another; until then the partner sees nothing, and after it exactly
the approved paragraphs. The expectations are the fictional sample cables' own text."""

from __future__ import annotations

import json
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from typer.testing import CliRunner

from npdesk.cli import app as cli
from npdesk.security.model import LOCAL_OPERATOR, Level, Party, Role
from npdesk.services import accounts, audit
from npdesk.store.db import transaction
from tests.web.conftest import PASSWORD, sign_in, token_for


@pytest.fixture(autouse=True)
def two_people_required(monkeypatch: pytest.MonkeyPatch) -> None:
    # The default, stated so that a developer's own environment cannot turn it off here.
    monkeypatch.delenv("NPDESK_TWO_PERSON_RELEASE", raising=False)


@pytest.fixture
def second_officer(desk: Engine) -> str:
    """A second home officer (the desk fixture has one officer, olivia)."""
    with transaction(desk) as session:
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
    return "oscar"


def _entries(client: TestClient, prefix: str) -> list[tuple[str, str, str, str | None]]:
    return [
        (e["action"], e["actor"], e["outcome"], e["record_id"])
        for e in audit.export(client.app.state.engine)  # type: ignore[attr-defined]
        if e["action"].startswith(prefix)
    ]


def _liaison_view(client: TestClient, headers: dict[str, str]) -> Any:
    return client.get("/api/v1/cables/08SAMPLEPOST177", headers=headers)


def test_one_person_releases_to_a_foreign_government(
    client: TestClient, second_officer: str
) -> None:
    """The finding: any single officer could release a cable to the partner. Now one officer's
    release is only a proposal, the proposer cannot approve it, and the partner sees nothing
    until a second officer does; then exactly the approved paragraph."""
    olivia, oscar = token_for(client, "olivia"), token_for(client, second_officer)
    liaison = token_for(client, "li")

    proposed = client.post(
        "/api/v1/cables/08SAMPLEPOST177/release", json={"paragraphs": [2]}, headers=olivia
    )
    assert proposed.status_code == 202, proposed.text
    body = proposed.json()
    assert (body["record_kind"], body["record_id"], body["paragraphs"]) == (
        "cable",
        "08SAMPLEPOST177",
        [2],
    )
    assert (body["state"], body["proposed_by"], body["partner"]) == ("proposed", "olivia", "CHN")
    release = body["id"]

    # Before approval the partner sees nothing: not the cable, not a search hit, not the queue.
    assert _liaison_view(client, liaison).status_code == 404
    found = client.get("/api/v1/search", params={"q": "training"}, headers=liaison).json()
    assert found["total"] == 0
    assert client.get("/api/v1/releases", headers=liaison).status_code == 403

    # The proposer cannot approve; neither can a home reviewer (who still sees the queue).
    own = client.post(f"/api/v1/releases/{release}/approve", headers=olivia)
    assert own.status_code == 403
    assert "second person" in own.json()["detail"]
    rita = token_for(client, "rita")
    assert client.post(f"/api/v1/releases/{release}/approve", headers=rita).status_code == 403
    queue = client.get("/api/v1/releases", headers=rita).json()
    assert [(r["id"], r["record_id"], r["proposed_by"]) for r in queue] == [
        (release, "08SAMPLEPOST177", "olivia")
    ]
    assert _liaison_view(client, liaison).status_code == 404

    approved = client.post(f"/api/v1/releases/{release}/approve", headers=oscar)
    assert approved.status_code == 200, approved.text
    assert (approved.json()["state"], approved.json()["decided_by"]) == ("approved", "oscar")

    # After: exactly paragraph 2 of the sample cable, renumbered 1.
    seen = _liaison_view(client, liaison).json()
    assert [(p["number"], p["text"]) for p in seen["paragraphs"]] == [
        (1, "The firm said it would complete training of its export staff by June.")
    ]
    found = client.get("/api/v1/search", params={"q": "training"}, headers=liaison).json()
    assert [h["id"] for h in found["hits"]] == ["08SAMPLEPOST177"]
    hidden = client.get("/api/v1/search", params={"q": "screening"}, headers=liaison).json()
    assert hidden["total"] == 0  # paragraph 1 was not approved

    # Deciding twice is a conflict; the queue is empty again.
    assert client.post(f"/api/v1/releases/{release}/approve", headers=oscar).status_code == 409
    assert client.get("/api/v1/releases", headers=oscar).json() == []

    # Both steps audited, and the refused approvals; the release entries name the approver.
    assert _entries(client, "releases.") == [
        ("releases.propose", "olivia", "ok", "08SAMPLEPOST177"),
        ("releases.list", "li", "denied", None),
        ("releases.approve", "olivia", "denied", "08SAMPLEPOST177"),
        ("releases.approve", "rita", "denied", None),
        ("releases.approve", "oscar", "ok", "08SAMPLEPOST177"),
        ("releases.approve", "oscar", "denied", "08SAMPLEPOST177"),
    ]
    assert _entries(client, "cables.release") == [
        ("cables.release", "oscar", "ok", "08SAMPLEPOST177"),
        ("cables.release", "oscar", "ok", "08SAMPLEPOST177/2"),
    ]


def test_a_rejected_proposal_says_why_and_releases_nothing(
    client: TestClient, second_officer: str
) -> None:
    olivia, oscar = token_for(client, "olivia"), token_for(client, second_officer)
    liaison = token_for(client, "li")
    release = client.post(
        "/api/v1/cables/08SAMPLEPOST101/release", json={"paragraphs": [2]}, headers=olivia
    ).json()["id"]
    no_reason = client.post(
        f"/api/v1/releases/{release}/reject", json={"reason": ""}, headers=oscar
    )
    assert no_reason.status_code == 422
    why = "paragraph 2 names a firm we have not yet spoken to"
    rejected = client.post(
        f"/api/v1/releases/{release}/reject", json={"reason": why}, headers=oscar
    )
    assert rejected.status_code == 200, rejected.text
    assert (rejected.json()["state"], rejected.json()["reason"]) == ("rejected", why)
    listed = client.get("/api/v1/releases", params={"state": "rejected"}, headers=olivia).json()
    assert [(r["id"], r["proposed_by"], r["decided_by"], r["reason"]) for r in listed] == [
        (release, "olivia", "oscar", why)
    ]
    assert client.post(f"/api/v1/releases/{release}/approve", headers=oscar).status_code == 409
    assert client.get("/api/v1/cables/08SAMPLEPOST101", headers=liaison).status_code == 404


def test_a_proposal_the_policy_refuses_is_not_stored(client: TestClient) -> None:
    olivia = token_for(client, "olivia")
    secret = client.post("/api/v1/cables/08SAMPLEPOST140/release", json={}, headers=olivia)
    assert secret.status_code == 403 and "agreed level" in secret.json()["detail"]
    noforn = client.post("/api/v1/cables/08STATE2001/release", json={}, headers=olivia)
    assert noforn.status_code == 403 and "NOFORN" in noforn.json()["detail"]
    assert client.get("/api/v1/releases", params={"state": "all"}, headers=olivia).json() == []
    assert [(a, o, r) for a, _, o, r in _entries(client, "releases.")] == [
        ("releases.propose", "denied", "08SAMPLEPOST140"),
        ("releases.propose", "denied", "08STATE2001"),
    ]


def test_the_page_shows_who_proposed_and_lets_another_officer_approve(
    client: TestClient, second_officer: str
) -> None:
    sign_in(client, "olivia")
    page = client.get("/cables/08SAMPLEPOST177")
    assert "Propose release to the partner" in page.text
    token = page.text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    response = client.post(
        "/cables/08SAMPLEPOST177/release", data={"paragraph": "2", "csrf_token": token}
    )
    assert response.status_code == 303 and response.headers["location"] == "/releases"
    queue = client.get("/releases")
    assert "cable 08SAMPLEPOST177 (paragraphs 2)" in queue.text
    assert "yours: another officer approves it" in queue.text
    assert 'action="/releases/1/approve"' not in queue.text
    # Forcing the approval anyway is refused with the reason.
    own = client.post("/releases/1/approve", data={"csrf_token": token})
    assert own.status_code == 403 and "a second person must approve it" in own.text


def test_cli_two_person_release(desk: Engine, db_url: str, second_officer: str) -> None:
    run = CliRunner().invoke
    proposed = run(
        cli,
        ["cables", "release", "08SAMPLEPOST101", "-p", "2", "--json", "--db", db_url],
        env={"NPDESK_USER": "olivia"},
    )
    assert proposed.exit_code == 0, proposed.output
    release = json.loads(proposed.stdout)
    assert (release["state"], release["proposed_by"], release["paragraphs"]) == (
        "proposed",
        "olivia",
        [2],
    )
    show = ["cables", "show", "08SAMPLEPOST101", "--json", "--db", db_url, "--user", "li"]
    assert run(cli, show).exit_code == 1  # the partner sees nothing yet

    listed = run(cli, ["releases", "list", "--db", db_url, "--user", "rita"])
    assert listed.exit_code == 0 and "olivia" in listed.output

    approve = ["releases", "approve", str(release["id"]), "--db", db_url, "--user"]
    own = run(cli, [*approve, "olivia"])
    assert own.exit_code == 1 and "a second person must approve it" in own.output
    assert run(cli, show).exit_code == 1
    done = run(cli, [*approve, "oscar"])
    assert done.exit_code == 0, done.output
    assert "released to CHN" in done.output
    seen = run(cli, show)
    assert seen.exit_code == 0, seen.output
    assert [p["text"][:24] for p in json.loads(seen.stdout)["paragraphs"]] == [
        "The workshop will cover "
    ]


def test_a_one_person_desk_turns_it_off(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NPDESK_TWO_PERSON_RELEASE", "false")
    olivia, liaison = token_for(client, "olivia"), token_for(client, "li")
    response = client.post(
        "/api/v1/cables/08SAMPLEPOST177/release", json={"paragraphs": [2]}, headers=olivia
    )
    assert response.status_code == 200
    assert _liaison_view(client, liaison).status_code == 200


def test_pending_releases_list_only_records_the_reader_may_read(
    client: TestClient, desk: Engine
) -> None:
    # A home reviewer cleared UNCLASSIFIED once saw the kind and id of every pending release,
    # CONFIDENTIAL cables included.
    with transaction(desk) as session:
        accounts.add_user(
            session,
            LOCAL_OPERATOR,
            username="ursula",
            password=PASSWORD,
            party=Party.HOME,
            role=Role.REVIEWER,
            clearance=Level.U,
            source="test",
        )
    olivia = token_for(client, "olivia")
    proposed = client.post(
        "/api/v1/cables/08SAMPLEPOST101/release", json={"paragraphs": [2]}, headers=olivia
    )
    assert proposed.status_code == 202, proposed.text
    seen_by_officer = client.get("/api/v1/releases", headers=olivia).json()
    assert [r["record_id"] for r in seen_by_officer] == ["08SAMPLEPOST101"]
    low = client.get("/api/v1/releases", headers=token_for(client, "ursula"))
    assert low.status_code == 200 and low.json() == []
    assert "08SAMPLEPOST101" not in low.text
