"""CSRF over the whole app: signed in with the session cookie, every unsafe route refuses a
request without the form's token, and lets the same request through the CSRF check with it."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from npdesk.security.actions import REGISTRY, Rule
from npdesk.web.auth import route_actions
from tests.security._web_world import MARKINGS, MONTH, PASSWORD, World, cable_id

SAFE = {"GET", "HEAD", "OPTIONS"}
# No such release: the admin's own proposal (made by the cable release form) would be refused
# with a 403 that is not the CSRF check's.
VALUES = {"cable_id": cable_id(MARKINGS["U"][0]), "month": MONTH, "release_id": "999999"}


def _url(path: str) -> str:
    return re.sub(r"\{(\w+)(?::\w+)?\}", lambda m: VALUES.get(m.group(1), "1"), path)


def _signed_in(world: World) -> tuple[TestClient, str]:
    client = TestClient(world.app, follow_redirects=False)
    page = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token
    response = client.post(
        "/login",
        data={"username": "admin", "password": PASSWORD, "csrf_token": token.group(1)},
    )
    assert response.status_code == 303, response.text
    search = client.get("/search")
    session_token = re.search(r'name="csrf_token" value="([^"]+)"', search.text)
    assert session_token, "pages for a signed-in user carry the CSRF token"
    return client, session_token.group(1)


def test_every_unsafe_route_needs_the_token(world: World) -> None:
    client, token = _signed_in(world)
    # Public routes use no session: the login form has its own pre-login token (tested with
    # the sign-in tests) and the token endpoint takes only JSON, which no cross-site form sends.
    routes = [
        route
        for route, action in route_actions(world.app).items()
        if route.split(" ", 1)[0] not in SAFE and REGISTRY[action or ""].rule is not Rule.PUBLIC
    ]
    assert routes, "the app has unsafe routes"
    # Logging out would end the session the rest of the test uses: it goes last.
    routes.sort(key=lambda route: route == "POST /logout")
    for route in routes:
        method, path = route.split(" ", 1)
        refused = client.request(method, _url(path), data={"x": "1"})
        assert refused.status_code == 403, (route, refused.status_code)
        assert "CSRF" in refused.text, route
        with_token = client.request(
            method, _url(path), data={"csrf_token": token}, headers={"X-CSRF-Token": token}
        )
        # Pages carry the token for htmx (hx-headers), so look for the refusal, not the word.
        assert with_token.status_code != 403, route
        assert "invalid CSRF token" not in with_token.text, route
    client.close()


@pytest.mark.parametrize("forged", ["", "forged", "x.y.z"])
def test_forged_tokens_are_refused(world: World, forged: str) -> None:
    client, _ = _signed_in(world)
    refused = client.post("/logout", data={"csrf_token": forged})
    assert refused.status_code == 403
    assert client.get("/search").status_code == 200  # still signed in
    client.close()


def test_the_token_endpoint_takes_only_json(world: World) -> None:
    # What a cross-site form could send: the right JSON, but as text/plain.
    body = '{"username": "admin", "password": "' + PASSWORD + '"}'
    response = world.client.post(
        "/api/v1/auth/token", content=body, headers={"Content-Type": "text/plain"}
    )
    assert response.status_code == 422
    assert "access_token" not in response.text
