"""Sign-in, sessions, CSRF and API tokens over HTTP, on a small app with the auth routers and
three guarded routes (a page, a form post and an API route)."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi import Depends, FastAPI, Request
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.engine import Engine

from npdesk.security.model import LOCAL_OPERATOR, Level, Party, Role, User
from npdesk.services import accounts
from npdesk.store.db import transaction
from npdesk.store.models.security import AuditLogEntry
from npdesk.web.auth import SESSION_COOKIE, csrf_token_for, require_action
from npdesk.web.deps import answers
from npdesk.web.routes import auth as auth_routes

PASSWORD = "a long enough passphrase"


def make_app(engine: Engine) -> FastAPI:
    app = FastAPI(dependencies=[Depends(answers)])  # as `create_app`: refusals answered by kind
    app.state.engine = engine
    app.include_router(auth_routes.router)
    app.include_router(auth_routes.api)

    @app.get("/whoami")
    def whoami(user: User = Depends(require_action("home"))) -> dict[str, str]:
        return {"username": user.username}

    @app.get("/form")
    def form(request: Request, user: User = Depends(require_action("home"))) -> dict[str, str]:
        return {"csrf_token": csrf_token_for(request)}

    @app.post("/ingest")
    def ingest(user: User = Depends(require_action("cables.ingest"))) -> dict[str, str]:
        return {"ok": user.username}

    @app.get("/api/v1/whoami")
    def api_whoami(user: User = Depends(require_action("home"))) -> dict[str, str]:
        return {"username": user.username}

    return app


@pytest.fixture
def client(engine: Engine) -> Iterator[TestClient]:
    with transaction(engine) as session:
        for name, party, role, country in (
            ("olivia", Party.HOME, Role.OFFICER, None),
            ("li", Party.PARTNER, Role.LIAISON, "CHN"),
        ):
            accounts.add_user(
                session,
                LOCAL_OPERATOR,
                username=name,
                password=PASSWORD,
                party=party,
                role=role,
                clearance=Level.S,
                country=country,
                source="test",
            )
    with TestClient(make_app(engine), follow_redirects=False) as test_client:
        yield test_client


def login_form_token(client: TestClient) -> str:
    page = client.get("/login")
    assert page.status_code == 200
    match = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert match
    return match.group(1)


def sign_in(client: TestClient, username: str = "olivia", password: str = PASSWORD) -> int:
    token = login_form_token(client)
    response = client.post(
        "/login",
        data={"username": username, "password": password, "csrf_token": token, "next": "/whoami"},
    )
    return int(response.status_code)


def test_pages_redirect_to_login_and_api_answers_401(client: TestClient) -> None:
    page = client.get("/whoami?x=1")
    assert page.status_code == 303
    assert page.headers["location"] == "/login?next=%2Fwhoami%3Fx%3D1"
    api = client.get("/api/v1/whoami")
    assert api.status_code == 401 and api.json() == {"detail": "authentication required"}
    forged = client.get("/api/v1/whoami", headers={"Authorization": "Bearer npd_forged"})
    assert forged.status_code == 401


def test_login_sets_a_hardened_session_cookie(client: TestClient) -> None:
    token = login_form_token(client)
    response = client.post(
        "/login",
        data={"username": "olivia", "password": PASSWORD, "csrf_token": token, "next": "/whoami"},
    )
    assert response.status_code == 303 and response.headers["location"] == "/whoami"
    cookie = response.headers["set-cookie"]
    assert cookie.startswith(SESSION_COOKIE) and "HttpOnly" in cookie
    assert "samesite=lax" in cookie.lower() and "Secure" not in cookie
    assert client.get("/whoami").json() == {"username": "olivia"}


def test_login_over_https_marks_the_cookie_secure(engine: Engine, client: TestClient) -> None:
    with TestClient(
        make_app(engine), base_url="https://desk.example", follow_redirects=False
    ) as tls:
        token = login_form_token(tls)
        response = tls.post(
            "/login", data={"username": "olivia", "password": PASSWORD, "csrf_token": token}
        )
        assert response.status_code == 303
        assert "Secure" in response.headers["set-cookie"]


def test_login_form_without_csrf_token_is_refused(client: TestClient) -> None:
    client.get("/login")
    response = client.post("/login", data={"username": "olivia", "password": PASSWORD})
    assert response.status_code == 403
    assert SESSION_COOKIE not in response.headers.get("set-cookie", "")


def test_refusals_look_alike(client: TestClient) -> None:
    bodies = []
    for username, password in (("olivia", "wrong password!!"), ("nobody", PASSWORD)):
        token = login_form_token(client)
        response = client.post(
            "/login",
            data={"username": username, "password": password, "csrf_token": token},
        )
        assert response.status_code == 401
        # Tokens differ on every page by design (form fields and the htmx header).
        body = re.sub(r'value="[^"]*"', "", response.text)
        bodies.append(re.sub(r'"X-CSRF-Token": "[^"]*"', "", body))
    assert bodies[0] == bodies[1]
    for username in ("olivia", "nobody"):
        api = client.post("/api/v1/auth/token", json={"username": username, "password": "nope"})
        assert api.status_code == 401 and api.json() == {"detail": "invalid credentials"}


def test_lockout_answers_like_a_wrong_password(client: TestClient) -> None:
    for _ in range(5):
        assert sign_in(client, password="wrong password!!") == 401
    assert sign_in(client) == 401
    api = client.post("/api/v1/auth/token", json={"username": "olivia", "password": PASSWORD})
    assert api.status_code == 401


def test_form_posts_need_the_csrf_token(client: TestClient) -> None:
    assert sign_in(client) == 303
    assert client.post("/ingest", data={"x": "1"}).status_code == 403
    assert client.post("/ingest", data={"csrf_token": "forged"}).status_code == 403
    token = client.get("/form").json()["csrf_token"]
    assert client.post("/ingest", data={"csrf_token": token}).json() == {"ok": "olivia"}
    assert client.post("/ingest", headers={"X-CSRF-Token": token}).status_code == 200


def test_logout_ends_the_session(client: TestClient) -> None:
    assert sign_in(client) == 303
    cookie = client.cookies.get(SESSION_COOKIE)
    token = client.get("/form").json()["csrf_token"]
    assert client.post("/logout").status_code == 403  # no CSRF token: refused
    response = client.post("/logout", data={"csrf_token": token})
    assert response.status_code == 303 and response.headers["location"] == "/login"
    client.cookies.set(SESSION_COOKIE, cookie or "")
    assert client.get("/whoami").status_code == 303  # the old cookie no longer works


def test_api_token_lifecycle(client: TestClient, engine: Engine) -> None:
    response = client.post("/api/v1/auth/token", json={"username": "olivia", "password": PASSWORD})
    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "bearer" and body["expires_at"]
    headers = {"Authorization": f"Bearer {body['access_token']}"}
    assert client.get("/api/v1/whoami", headers=headers).json() == {"username": "olivia"}
    # A bearer request needs no CSRF token.
    assert client.post("/ingest", headers=headers).status_code == 200
    assert client.delete("/api/v1/auth/token", headers=headers).status_code == 204
    assert client.get("/api/v1/whoami", headers=headers).status_code == 401
    with transaction(engine) as session:
        actions = session.scalars(select(AuditLogEntry.action)).all()
    assert {"auth.login", "auth.token.create", "auth.token.revoke"} <= set(actions)


def test_refused_actions_are_403_and_audited(client: TestClient, engine: Engine) -> None:
    token = client.post("/api/v1/auth/token", json={"username": "li", "password": PASSWORD})
    headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
    refused = client.post("/ingest", headers=headers)
    assert refused.status_code == 403 and refused.json() == {"detail": "not allowed: cables.ingest"}
    with transaction(engine) as session:
        last = session.scalars(select(AuditLogEntry).order_by(AuditLogEntry.seq.desc())).first()
    assert last is not None
    assert (last.actor, last.action, last.outcome) == ("li", "cables.ingest", "denied")


def test_next_never_leaves_the_site(client: TestClient) -> None:
    token = login_form_token(client)
    response = client.post(
        "/login",
        data={
            "username": "olivia",
            "password": PASSWORD,
            "csrf_token": token,
            "next": "//evil.example/x",
        },
    )
    assert response.headers["location"] == "/"


def test_safe_next_keeps_only_paths_on_this_site() -> None:
    from npdesk.web.routes.auth import safe_next

    assert safe_next("/cables/08BEIJING1050?x=1") == "/cables/08BEIJING1050?x=1"
    for hostile in (
        None,
        "",
        "https://evil.example/",
        "//evil.example",
        "/\\evil.example",
        "/\t/evil.example",
        "/\n/evil.example",
        "\\\\evil.example",
        "javascript:alert(1)",
    ):
        assert safe_next(hostile) == "/", hostile
