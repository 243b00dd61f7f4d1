"""The reading room over HTTP: pages and the JSON API, signed in as each kind of user."""

from __future__ import annotations

from fastapi.testclient import TestClient

from npdesk.services import audit
from tests.web.conftest import sign_in, token_for


def test_everything_but_login_and_health_needs_a_login(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    assert client.get("/login").status_code == 200
    for page in ("/", "/search?q=x", "/cables/08SAMPLEPOST140", "/browse", "/browse/2008-02"):
        response = client.get(page)
        assert response.status_code == 303 and response.headers["location"].startswith("/login")
    for api in ("/api/v1/search?q=x", "/api/v1/facets", "/api/v1/cables/08SAMPLEPOST140"):
        assert client.get(api).status_code == 401


def test_search_page_highlights_and_links(client: TestClient) -> None:
    sign_in(client, "olivia")
    page = client.get("/search", params={"q": "workshop"})
    assert page.status_code == 200
    assert '<a class="hit-id" href="/cables/08SAMPLEPOST101">' in page.text
    assert "<mark>workshop</mark>" in page.text.lower()
    partial = client.get("/search", params={"q": "workshop"}, headers={"HX-Request": "true"})
    assert "<html" not in partial.text and "08SAMPLEPOST101" in partial.text


def test_cable_page_reads_like_the_document(client: TestClient) -> None:
    sign_in(client, "olivia")
    page = client.get("/cables/08SAMPLEPOST140")
    assert page.status_code == 200
    assert page.text.count('class="banner banner-s"') == 2  # top and bottom
    assert '<a class="ref resolved" href="/cables/08SAMPLEPOST101">' in page.text
    assert "08STATE12345 (not stored)" in page.text
    assert '<svg class="refgraph"' in page.text
    assert 'href="/cables/08STATE2001"' in page.text  # cited by


def test_cable_text_is_escaped(client: TestClient) -> None:
    sign_in(client, "olivia")
    page = client.get("/cables/08SAMPLEPOST177")
    assert "<script>alert(" not in page.text
    assert "&lt;script&gt;alert(" in page.text


def test_api_search_and_cable(client: TestClient) -> None:
    headers = token_for(client, "olivia")
    found = client.get("/api/v1/search", params={"q": '"open cases"'}, headers=headers).json()
    assert {h["id"] for h in found["hits"]} == {"08SAMPLEPOST140", "08STATE2001"}
    assert set(found["facets"]) == {"tag", "origin", "marking", "year"}
    cable = client.get("/api/v1/cables/08STATE2001", headers=headers).json()
    assert [r["resolved"] for r in cable["references"]] == [True, True]
    facets = client.get("/api/v1/facets", params={"q": "tag:XX"}, headers=headers).json()
    assert facets["total"] == 4
    bad = client.get("/api/v1/search", params={"q": "from:2008-13"}, headers=headers)
    assert bad.status_code == 400 and "cannot read date" in bad.json()["detail"]


def test_reads_are_audited_including_refusals(client: TestClient) -> None:
    headers = token_for(client, "rita")  # CONFIDENTIAL clearance
    assert client.get("/api/v1/cables/08SAMPLEPOST101", headers=headers).status_code == 200
    assert client.get("/api/v1/cables/08SAMPLEPOST140", headers=headers).status_code == 404
    entries = [
        e
        for e in audit.export(client.app.state.engine)  # type: ignore[attr-defined]
        if e["action"] == "cables.read"
    ]
    assert [(e["record_id"], e["outcome"]) for e in entries][-2:] == [
        ("08SAMPLEPOST101", "allowed"),
        ("08SAMPLEPOST140", "denied"),
    ]


def test_api_ingest_upload(client: TestClient) -> None:
    headers = token_for(client, "olivia")
    files = [
        ("files", ("note.txt", b"not a cable at all", "text/plain")),
        ("files", ("bin.dat", bytes(range(256)), "application/octet-stream")),
    ]
    response = client.post("/api/v1/ingest", files=files, headers=headers)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["quarantined"] == 2 and body["ingested"] == 0
    assert {p["file"] for p in body["problems"]} == {"note.txt", "bin.dat"}
    liaison = token_for(client, "li")
    assert client.post("/api/v1/ingest", files=files, headers=liaison).status_code == 403


def test_browse_by_month(client: TestClient) -> None:
    sign_in(client, "rita")
    months = client.get("/browse").text
    assert 'href="/browse/2008-03"' in months
    march = client.get("/browse/2008-03").text
    assert "08SAMPLEPOST177" in march and "08STATE2001" in march
    assert "08SAMPLEPOST140" not in client.get("/browse/2008-02").text  # SECRET: above rita
