"""The case desk over HTTP with real accounts and bearer tokens: the main flow from a cable
paragraph to a closed case, exports, and what a liaison sees."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pypdf import PdfReader
from sqlalchemy.engine import Engine

from npdesk.security.model import LOCAL_OPERATOR, Level, Party, Role
from npdesk.services import accounts
from npdesk.services.accounts import SecretKind
from npdesk.store.db import session_factory, transaction
from npdesk.web.routes import cases, handovers, metrics, reviews

from ._desk_fixtures import desk

PASSWORD = "a long enough passphrase"
ALLEGATION = "ZZHOME allegation from sensitive reporting"


def make_app(engine: Engine) -> FastAPI:
    app = FastAPI()
    app.state.engine = engine
    app.state.sessions = session_factory(engine)
    for module in (cases, handovers, reviews, metrics):
        app.include_router(module.router)
        app.include_router(module.api)
    return app


def token_for(engine: Engine, username: str, party: Party, role: Role, country: str | None) -> str:
    with transaction(engine) as session:
        user = accounts.add_user(
            session,
            LOCAL_OPERATOR,
            username=username,
            password=PASSWORD,
            party=party,
            role=role,
            clearance=Level.S,
            country=country,
            source="test",
        )
        return accounts.issue_secret(session, user, SecretKind.API, source="test").value


@pytest.fixture
def desk_app(tmp_path: Path) -> Iterator[tuple[TestClient, dict[str, dict[str, str]]]]:
    engine = desk(tmp_path)
    headers = {
        "officer": token_for(engine, "olivia", Party.HOME, Role.OFFICER, None),
        "liaison": token_for(engine, "li", Party.PARTNER, Role.LIAISON, "CHN"),
    }
    auth = {name: {"Authorization": f"Bearer {token}"} for name, token in headers.items()}
    with TestClient(make_app(engine), follow_redirects=False) as client:
        yield client, auth


def test_from_a_new_case_to_a_closed_one_and_the_liaison_view(
    desk_app: tuple[TestClient, dict[str, dict[str, str]]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("NPDESK_TWO_PERSON_RELEASE", "false")  # hands over with release in one step
    client, auth = desk_app
    officer, liaison = auth["officer"], auth["liaison"]
    made = client.post(
        "/cases",
        headers=officer,
        data={
            "title": "FICTIONAL gyroscopes",
            "allegation_summary": ALLEGATION,
            "releasable_summary": "Reported transfer of gyroscopes.",
            "subjects": "Fictional Gyro Co.",
            "item": "gyroscopes",
            "regime": "mtcr",
            "open_now": "true",
        },
    )
    assert made.status_code == 303
    ref = made.headers["location"].rsplit("/", 1)[1]
    page = client.get(f"/cases/{ref}", headers=officer)
    assert page.status_code == 200 and ALLEGATION in page.text and "opened at creation" in page.text

    bad = client.post(
        f"/api/v1/cases/{ref}/transitions", headers=officer, json={"status": "draft", "reason": "x"}
    )
    assert bad.status_code == 409 and "legal next states" in bad.json()["detail"]

    edited = client.patch(
        f"/api/v1/cases/{ref}", headers=officer, json={"releasable_summary": "Edited summary."}
    )
    assert edited.status_code == 200 and edited.json()["releasable_summary"] == "Edited summary."
    assert edited.json()["allegation_summary"] == ALLEGATION
    form_edit = client.post(
        f"/cases/{ref}/edit",
        headers=officer,
        data={
            "title": "FICTIONAL gyroscopes",
            "releasable_summary": "Reported transfer.",
            "allegation_summary": ALLEGATION,
            "priority": "high",
        },
    )
    assert form_edit.status_code == 303
    assert client.get(f"/api/v1/cases/{ref}", headers=officer).json()["priority"] == "high"
    unscreened = client.post(f"/api/v1/cases/{ref}/screening", headers=officer)
    assert unscreened.status_code == 422 and "cannot screen" in unscreened.json()["detail"]
    assert client.post(f"/api/v1/cases/{ref}/screening", headers=liaison).status_code == 403
    listing = client.post(
        "/api/v1/handover-lists",
        headers=officer,
        json={
            "title": "FICTIONAL list",
            "handed_over_on": "2099-01-01",
            "handed_over_by": "PolMinCouns",
            "handed_over_to": "MFA",
            "release": True,
        },
    )
    assert listing.status_code == 201, listing.text
    number = listing.json()["number"]
    # The liaison's own number for the one case shared with them (the first of its year).
    partner_ref = ref.replace("NPC-", "CHN-")
    for fmt in ("pdf", "csv", "json", "html"):
        exported = client.get(f"/api/v1/handover-lists/{number}/export.{fmt}", headers=liaison)
        assert exported.status_code == 200
        body = exported.content
        text = (
            "".join(p.extract_text() for p in PdfReader(io.BytesIO(body)).pages)
            if fmt == "pdf"
            else body.decode()
        )
        assert "ZZHOME" not in text and partner_ref in text and ref not in text

    review = client.post("/api/v1/reviews", headers=officer, json={"proposed_on": "2099-02-01"})
    assert review.status_code == 201 and review.json()["session"]["awaiting_partner"]
    agenda = client.post("/api/v1/reviews/1/agenda", headers=officer).json()["agenda"]
    assert [item["reference"] for item in agenda] == [ref]
    edited = client.post(
        "/reviews/1/agenda/edit", headers=officer, data={"reference": ref, "note": "ZZHOME line"}
    )
    assert edited.status_code == 303
    assert "ZZHOME line" in client.get("/reviews/1", headers=officer).text
    before = client.get("/api/v1/metrics?as_of=2099-03-01", headers=officer).json()
    closed = client.post(
        "/api/v1/reviews/1/outcomes",
        headers=officer,
        json={
            "reference": ref,
            "partner_statement": "Licence refused.",
            "new_status": "closed",
            "outcome": "resolved",
            "home_note": "ZZHOME note",
        },
    )
    assert closed.status_code == 200
    after = client.get("/api/v1/metrics?as_of=2099-03-01", headers=officer).json()
    assert (before["open_now"], after["open_now"]) == (1, 0)
    assert metrics.MetricsOut.model_validate(after).cycles[0].closed == 1
    dashboard = client.get("/dashboard?as_of=2099-03-01", headers=officer)
    assert dashboard.status_code == 200 and "<svg" in dashboard.text

    seen = client.get("/api/v1/cases", headers=liaison).json()
    assert seen["total"] == 1
    case = seen["cases"][0]
    assert "allegation_summary" not in {k for k, v in case.items() if v is not None}
    assert all(e["reason"] is None for e in case["history"])
    assert case["reference"] == partner_ref
    assert client.get(f"/cases/{ref}", headers=liaison).status_code == 404
    liaison_page = client.get(f"/cases/{partner_ref}", headers=liaison)
    assert liaison_page.status_code == 200 and "ZZHOME" not in liaison_page.text
    review_page = client.get("/reviews/1", headers=liaison)
    assert "ZZHOME" not in review_page.text and "Licence refused." in review_page.text
    minutes = client.get("/api/v1/reviews/1/minutes?variant=home", headers=liaison)
    assert minutes.status_code == 403
    assert client.post("/api/v1/cases", headers=liaison, json={"title": "x"}).status_code == 403
    for path in ("/cases", "/handovers", f"/handovers/{number}", "/reviews", "/dashboard"):
        assert client.get(path, headers=liaison).status_code == 200, path


def test_the_api_is_in_the_openapi_schema(
    desk_app: tuple[TestClient, dict[str, dict[str, str]]],
) -> None:
    client, _ = desk_app
    paths = client.get("/openapi.json").json()["paths"]
    for path in ("/api/v1/cases", "/api/v1/handover-lists", "/api/v1/reviews", "/api/v1/metrics"):
        assert path in paths
    assert not any(p.startswith("/cases") for p in paths)
