"""What the web layer audits beyond the services, over the real app on the leak-matrix desk
(SQLite and PostgreSQL): a home user's read of a record above CONFIDENTIAL (and not below),
404s on hidden records, refusals a service raised without auditing, CSRF refusals signed in
and before sign-in; each exactly once. Records and readers are the leak world's: cases and
firms are made in the order of its markings (U, C, S, TS, S//NF, ...)."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from tests.audit.conftest import Row, last_seq, rows_after
from tests.security._leak_world import PASSWORD, LeakWorld

U, C, S, TS = 0, 1, 2, 3


def _get(world: LeakWorld, reader: str, url: str, status: int) -> list[Row]:
    before = last_seq(world.engine)
    response = world.client.get(url, headers=world.headers(reader))
    assert response.status_code == status, (url, response.status_code)
    return rows_after(world.engine, before)


def _short(rows: list[Row]) -> list[tuple[str, str, str, str | None, str | None]]:
    return [(r.actor, r.action, r.outcome, r.record_kind, r.record_id) for r in rows]


def test_a_home_read_above_confidential_is_audited_once(leak_world: LeakWorld) -> None:
    secret_case = leak_world.cases[S].value
    rows = _get(leak_world, "home-S", f"/api/v1/cases/{secret_case}", 200)
    assert _short(rows) == [("homes", "cases.read", "allowed", "case", secret_case)]
    assert rows[0].detail["above_confidential"]
    top_firm = leak_world.firms[TS].value
    rows = _get(leak_world, "home-TS", f"/firms/{top_firm}", 200)
    assert _short(rows) == [("homets", "desk.firms.read", "allowed", "firm", top_firm)]
    rows = _get(leak_world, "home-S", "/api/v1/reviews/2", 200)  # SECRET//NOFORN
    assert _short(rows) == [("homes", "reviews.read", "allowed", "review", "2")]


def test_a_home_read_at_or_below_confidential_is_not(leak_world: LeakWorld) -> None:
    for index in (U, C):
        case = leak_world.cases[index].value
        assert _get(leak_world, "home-S", f"/api/v1/cases/{case}", 200) == []
    # A reader cleared CONFIDENTIAL lists nothing above it.
    assert _get(leak_world, "home-C", "/api/v1/cases", 200) == []


def test_a_hidden_record_is_a_denial_audited_once(leak_world: LeakWorld) -> None:
    secret_case = leak_world.cases[S].value
    rows = _get(leak_world, "home-C", f"/api/v1/cases/{secret_case}", 404)
    assert _short(rows) == [("homec", "cases.read", "denied", "case", secret_case)]
    assert rows[0].detail["status"] == 404
    rows = _get(leak_world, "home-U", "/cables/08LEAKPOST902", 404)  # CONFIDENTIAL
    assert _short(rows) == [("homeu", "cables.read", "denied", "cable", "08LEAKPOST902")]


def test_a_gate_refusal_is_audited_once(leak_world: LeakWorld) -> None:
    rows = _get(leak_world, "chn-C", "/releases", 403)
    assert _short(rows) == [("chnc", "releases.list", "denied", None, None)]


def _signed_in(world: LeakWorld, username: str) -> tuple[TestClient, str]:
    client = TestClient(world.app, follow_redirects=False)
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text)
    assert token
    signed = client.post(
        "/login", data={"username": username, "password": PASSWORD, "csrf_token": token.group(1)}
    )
    assert signed.status_code == 303
    return client, token.group(1)


def test_csrf_refusals_are_audited_once(leak_world: LeakWorld) -> None:
    client, _ = _signed_in(leak_world, "homets")
    before = last_seq(leak_world.engine)
    refused = client.post("/cases", data={"title": "FICTIONAL forged"})
    assert refused.status_code == 403
    rows = rows_after(leak_world.engine, before)
    assert _short(rows) == [("homets", "cases.write", "denied", None, None)]
    assert (rows[0].detail["method"], rows[0].detail["path"]) == ("POST", "/cases")
    # Before sign-in: a login form without its token.
    anonymous = TestClient(leak_world.app, follow_redirects=False)
    before = last_seq(leak_world.engine)
    refused = anonymous.post("/login", data={"username": "homets", "password": PASSWORD})
    assert refused.status_code == 403
    assert _short(rows_after(leak_world.engine, before)) == [
        ("(anonymous)", "auth.login", "denied", None, None)
    ]


def test_a_service_refusal_the_web_sees_is_audited_once(leak_world: LeakWorld) -> None:
    listed = leak_world.client.get("/api/v1/commitments", headers=leak_world.headers("chn-C"))
    first = listed.json()[0]["id"] if isinstance(listed.json(), list) else None
    assert first is not None
    before = last_seq(leak_world.engine)
    refused = leak_world.client.post(
        f"/api/v1/commitments/{first}/close",
        json={"status": "dropped", "note": "no longer"},
        headers=leak_world.headers("chn-C"),
    )
    assert refused.status_code == 403
    assert _short(rows_after(leak_world.engine, before)) == [
        ("chnc", "desk.commitments.close", "denied", "commitment", str(first))
    ]


def test_a_home_search_showing_secret_cables_is_audited(leak_world: LeakWorld) -> None:
    # The world's cable subjects all carry "EXPORT CONTROLS"; some cables are SECRET.
    rows = _get(leak_world, "home-S", "/api/v1/search?q=export", 200)
    assert _short(rows) == [("homes", "cables.search", "allowed", None, None)]
    assert _get(leak_world, "home-C", "/api/v1/search?q=export", 200) == []
