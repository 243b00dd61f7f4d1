"""The desk's pages and JSON API over the real app: the seed's proposals panel, accepting the
NORINCO visit and the partner commitment, the firm page, the commitments page turning overdue
when the clock passes the due date, and what a liaison sees."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from npdesk.demo.firms import load_demo_firms
from npdesk.services.ingest import ingest_paths
from npdesk.services.proposals import read_pending
from npdesk.store.db import make_engine
from npdesk.store.schema import upgrade
from npdesk.web.app import create_app
from tests.web.conftest import PASSWORD, add_users


@pytest.fixture(autouse=True)
def one_person_desk(monkeypatch: pytest.MonkeyPatch) -> None:
    """These tests make records shared in one step; two-person release: tests/cases,
    tests/handovers, tests/reviews."""
    monkeypatch.setenv("NPDESK_TWO_PERSON_RELEASE", "false")


class Clock:
    """The clock the tests turn."""

    def __init__(self, day: dt.date) -> None:
        self.day = day

    def __call__(self) -> dt.date:
        return self.day


@pytest.fixture
def world(tmp_path: Path, seed_text: str) -> Iterator[tuple[TestClient, Clock]]:
    engine: Engine = make_engine("sqlite:///" + str(tmp_path / "web.db"))
    upgrade(engine)
    (tmp_path / "seed.txt").write_text(seed_text, encoding="utf-8")
    ingest_paths(engine, [tmp_path / "seed.txt"])
    add_users(engine)
    load_demo_firms(engine)
    read_pending(engine)  # what the server's background reader does
    app = create_app(engine)
    clock = Clock(dt.date(2008, 4, 1))
    app.state.today = clock
    with TestClient(app, follow_redirects=False) as client:
        yield client, clock


def headers(client: TestClient, username: str) -> dict[str, str]:
    response = client.post("/api/v1/auth/token", json={"username": username, "password": PASSWORD})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def test_accept_from_the_panel_then_see_firm_and_overdue(
    world: tuple[TestClient, Clock],
) -> None:
    client, clock = world
    olivia = headers(client, "olivia")
    proposals = client.get("/api/v1/cables/08BEIJING1050/proposals", headers=olivia).json()
    visit = next(p for p in proposals if p["kind"] == "visit" and p["date"] == "2008-03-26")
    promise = next(p for p in proposals if p["kind"] == "commitment" and "respond" in p["title"])
    for proposal in (visit, promise):
        answer = client.post(
            f"/api/v1/proposals/{proposal['id']}/decision",
            json={"decision": "accept"},
            headers=olivia,
        )
        assert answer.status_code == 200, answer.text
        assert answer.json()["decisions"][0]["user"] == "olivia"

    panel = client.get("/cables/08BEIJING1050/proposals", headers=olivia)
    assert panel.status_code == 200 and 'data-testid="proposals"' in panel.text
    assert f'data-testid="state-{visit["id"]}">accepted' in panel.text

    firm = client.get("/firms/norinco", headers=olivia)
    assert firm.status_code == 200
    assert "2008-03-26" in firm.text and "08BEIJING1050" in firm.text
    assert 'data-testid="screening-status"' in firm.text

    before = client.get("/commitments", headers=olivia).text
    overdue_before = before.split('data-testid="overdue"')[1].split("</div>")[0]
    assert "respond" not in overdue_before
    clock.day = dt.date(2008, 4, 20)
    after = client.get("/commitments", headers=olivia).text
    overdue_after = after.split('data-testid="overdue"')[1].split("</div>")[0]
    assert "respond" in overdue_after and 'class="overdue"' in overdue_after
    api = client.get("/api/v1/commitments?overdue=true", headers=olivia).json()
    assert any("respond" in c["description"] and c["status"] == "overdue" for c in api)


def test_demo_firm_page_draws_the_icp_chart_and_says_fictional(
    world: tuple[TestClient, Clock],
) -> None:
    client, _ = world
    olivia = headers(client, "olivia")
    page = client.get("/firms/demo-hsp", headers=olivia).text
    assert 'data-testid="icp-chart"' in page and page.count('class="icp-point"') == 3
    assert 'data-testid="fictional"' in page
    assert "FICTIONAL" in client.get("/events", headers=olivia).text
    assert client.get("/firms/nope", headers=olivia).status_code == 404


def test_liaison_sees_shared_records_and_closes_partner_commitments(
    world: tuple[TestClient, Clock],
) -> None:
    client, _ = world
    li = headers(client, "li")
    firms = {f["key"] for f in client.get("/api/v1/firms", headers=li).json()}
    assert firms == {"demo-hsp", "demo-nls"}
    # A SECRET cable: its proposals answer as a missing cable's would (issue 11).
    hidden = client.get("/api/v1/cables/08BEIJING1050/proposals", headers=li)
    missing = client.get("/api/v1/cables/08NOSUCHPOST1/proposals", headers=li)
    assert (hidden.status_code, hidden.json()) == (missing.status_code, missing.json())
    assert hidden.status_code == 404
    commitments = client.get("/api/v1/commitments", headers=li).json()
    assert all("subsidiary" not in c["description"] for c in commitments)
    ours = next(c for c in commitments if c["owner_side"] == "home")
    theirs = next(c for c in commitments if c["owner_side"] == "partner")
    refused = client.post(
        f"/api/v1/commitments/{ours['id']}/close", json={"status": "done", "note": "x"}, headers=li
    )
    assert refused.status_code == 403
    done = client.post(
        f"/api/v1/commitments/{theirs['id']}/close",
        json={"status": "done", "note": "answered by note verbale"},
        headers=li,
    )
    assert done.status_code == 200 and done.json()["closed_by"] == "li"
    assert client.post(
        "/api/v1/proposals/1/decision", json={"decision": "accept"}, headers=li
    ).status_code in (403, 404)


def test_browser_style_form_flow(world: tuple[TestClient, Clock]) -> None:
    client, _ = world
    page = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token
    client.post(
        "/login", data={"username": "olivia", "password": PASSWORD, "csrf_token": token.group(1)}
    )
    panel = client.get("/cables/08BEIJING1050/proposals")
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', panel.text)
    first = re.search(r'data-testid="accept-(\d+)"', panel.text)
    assert csrf and first
    answer = client.post(
        f"/proposals/{first.group(1)}/decide",
        data={"decision": "reject", "csrf_token": csrf.group(1), "cable_id": "08BEIJING1050"},
    )
    assert answer.status_code == 303


def test_api_creates_desk_records_and_lists_them_in_openapi(
    world: tuple[TestClient, Clock],
) -> None:
    client, _ = world
    olivia = headers(client, "olivia")
    li = headers(client, "li")
    made = client.post(
        "/api/v1/firms",
        headers=olivia,
        json={"name": "Fictional Valve Works", "aliases": ["FVW"], "shared_with_partner": True},
    )
    assert made.status_code == 201 and made.json() == {"key": "fictional-valve-works"}
    dialogue = client.post(
        "/api/v1/firms/fictional-valve-works/dialogues",
        headers=olivia,
        json={"kind": "visit", "date": "2008-05-02"},
    )
    assert dialogue.status_code == 201
    notice = client.post(
        "/api/v1/partner-notices",
        headers=olivia,
        json={"dialogue_id": dialogue.json()["id"], "informed_on": "2008-05-03", "channel": "MFA"},
    )
    assert notice.status_code == 201
    scored = client.post(
        "/api/v1/firms/fictional-valve-works/assessments",
        headers=olivia,
        json={"framework": "wa-icp", "assessed_on": "2008-05-02", "scores": {"training": 2}},
    )
    assert scored.status_code == 201
    bad = client.post(
        "/api/v1/firms/fictional-valve-works/assessments",
        headers=olivia,
        json={"framework": "wa-icp", "assessed_on": "2008-05-02", "scores": {"training": 9}},
    )
    assert bad.status_code == 422
    event = client.post(
        "/api/v1/events", headers=olivia, json={"title": "Fictional seminar", "kind": "training"}
    )
    commitment = client.post(
        "/api/v1/commitments",
        headers=olivia,
        json={"owner_side": "home", "description": "Fictional follow-up", "due": "2008-06-01"},
    )
    assert event.status_code == commitment.status_code == 201
    assert client.post("/api/v1/firms", headers=li, json={"name": "X"}).status_code == 403
    profile = client.get("/api/v1/firms/fictional-valve-works", headers=li).json()
    assert profile["dialogues"] == []  # the dialogue was not shared
    paths = client.get("/api/v1/openapi.json", headers=olivia).json()["paths"]
    assert {
        "/api/v1/firms",
        "/api/v1/commitments",
        "/api/v1/events",
        "/api/v1/cables/{cable_id}/proposals",
    } <= set(paths)


def test_edit_from_the_panel_keeps_the_new_values(world: tuple[TestClient, Clock]) -> None:
    client, _ = world
    page = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token
    client.post(
        "/login", data={"username": "olivia", "password": PASSWORD, "csrf_token": token.group(1)}
    )
    panel = client.get("/cables/08BEIJING1050/proposals")
    review = re.search(r'data-testid="proposal-(\d+)" data-kind="review"', panel.text)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', panel.text)
    assert review and csrf
    answer = client.post(
        f"/proposals/{review.group(1)}/decide",
        data={
            "decision": "edit",
            "csrf_token": csrf.group(1),
            "date": "2008-04-17",
            "text": "Working-level review of open cases",
        },
    )
    assert answer.status_code == 303
    olivia = headers(client, "olivia")
    events = client.get("/api/v1/events", headers=olivia).json()["events"]
    assert any(
        e["title"] == "Working-level review of open cases" and e["start"] == "2008-04-17"
        for e in events
    )
