"""Releasing a cable to the partner: only what the policy allows, all or nothing, audited, and
then visible to the liaison (released paragraphs only, renumbered, findable by search)."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from typer.testing import CliRunner

from npdesk.cli import app as cli
from npdesk.services import audit
from tests.web.conftest import token_for


@pytest.fixture(autouse=True)
def one_person_desk(monkeypatch: pytest.MonkeyPatch) -> None:
    """These tests are of the one-step release itself (what a one-person desk does, and what an
    approval applies); the two-person flow is tests/web/test_two_person_release.py."""
    monkeypatch.setenv("NPDESK_TWO_PERSON_RELEASE", "false")


def test_officer_releases_paragraphs_and_the_liaison_sees_only_them(client: TestClient) -> None:
    officer, liaison = token_for(client, "olivia"), token_for(client, "li")
    assert client.get("/api/v1/cables/08SAMPLEPOST177", headers=liaison).status_code == 404
    response = client.post(
        "/api/v1/cables/08SAMPLEPOST177/release", json={"paragraphs": [2]}, headers=officer
    )
    assert response.status_code == 200, response.text
    assert response.json() == {"id": "08SAMPLEPOST177", "partner": "CHN", "paragraphs": [2]}
    seen = client.get("/api/v1/cables/08SAMPLEPOST177", headers=liaison).json()
    assert [(p["number"], p["text"][:24]) for p in seen["paragraphs"]] == [
        (1, "The firm said it would c")  # paragraph 2, renumbered: no gap betrays paragraph 1
    ]
    assert seen["summary"] is None
    found = client.get("/api/v1/search", params={"q": "training"}, headers=liaison).json()
    assert [h["id"] for h in found["hits"]] == ["08SAMPLEPOST177"]
    hidden = client.get("/api/v1/search", params={"q": "screening"}, headers=liaison).json()
    assert hidden["total"] == 0  # a word of the withheld paragraph finds nothing
    entries = [e for e in audit.export(client.app.state.engine) if e["action"] == "cables.release"]  # type: ignore[attr-defined]
    assert [(e["record_id"], e["outcome"]) for e in entries] == [
        ("08SAMPLEPOST177", "ok"),
        ("08SAMPLEPOST177/2", "ok"),
    ]


def test_release_above_the_agreed_level_or_noforn_is_refused_and_audited(
    client: TestClient,
) -> None:
    officer = token_for(client, "olivia")
    secret = client.post("/api/v1/cables/08SAMPLEPOST140/release", json={}, headers=officer)
    assert secret.status_code == 403 and "agreed level" in secret.json()["detail"]
    noforn = client.post(
        "/api/v1/cables/08STATE2001/release", json={"paragraphs": [1, 2]}, headers=officer
    )
    assert noforn.status_code == 403 and "NOFORN" in noforn.json()["detail"]
    liaison = token_for(client, "li")
    assert client.get("/api/v1/cables/08STATE2001", headers=liaison).status_code == 404
    denied = [
        e["record_id"]
        for e in audit.export(client.app.state.engine)  # type: ignore[attr-defined]
        if e["action"] == "cables.release" and e["outcome"] == "denied"
    ]
    # Paragraph 2 is (C//NF), so the whole cable is CONFIDENTIAL//NOFORN (issue 11): the
    # refusal comes at the cable itself.
    assert denied == ["08SAMPLEPOST140", "08STATE2001"]
    # reviewers and liaisons may not release at all
    for who in ("rita", "li"):
        response = client.post(
            "/api/v1/cables/08SAMPLEPOST101/release", json={}, headers=token_for(client, who)
        )
        assert response.status_code == 403


def test_cli_release(desk: Engine, db_url: str) -> None:
    result = CliRunner().invoke(
        cli, ["cables", "release", "08SAMPLEPOST101", "-p", "2", "--json", "--db", db_url]
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["paragraphs"] == [2]
    refused = CliRunner().invoke(cli, ["cables", "release", "08SAMPLEPOST140", "--db", db_url])
    assert refused.exit_code == 1 and "release refused" in refused.output
