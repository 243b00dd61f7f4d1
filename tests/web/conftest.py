"""Web fixtures: the whole app over a database holding the fictional sample cables and three
accounts (a home officer, a home reviewer with only CONFIDENTIAL clearance, a partner liaison)."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from npdesk.security.model import LOCAL_OPERATOR, Level, Party, Role
from npdesk.services import accounts
from npdesk.services.ingest import ingest_paths
from npdesk.store.db import transaction
from npdesk.web.app import create_app
from tests.store.helpers import SAMPLE_CABLES

PASSWORD = "correct horse battery staple"
USERS = {
    "olivia": (Party.HOME, Role.OFFICER, Level.S, None),
    "rita": (Party.HOME, Role.REVIEWER, Level.C, None),
    "li": (Party.PARTNER, Role.LIAISON, Level.C, "CHN"),
}


def add_users(engine: Engine) -> None:
    with transaction(engine) as session:
        for name, (party, role, clearance, country) in USERS.items():
            accounts.add_user(
                session,
                LOCAL_OPERATOR,
                username=name,
                password=PASSWORD,
                party=party,
                role=role,
                clearance=clearance,
                country=country,
                source="test",
            )


@pytest.fixture
def desk(engine: Engine) -> Engine:
    ingest_paths(engine, [SAMPLE_CABLES])
    add_users(engine)
    return engine


@pytest.fixture
def client(desk: Engine) -> Iterator[TestClient]:
    with TestClient(create_app(desk), follow_redirects=False) as test_client:
        yield test_client


def token_for(client: TestClient, username: str) -> dict[str, str]:
    """Authorization header for an API token of `username`."""
    response = client.post("/api/v1/auth/token", json={"username": username, "password": PASSWORD})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def sign_in(client: TestClient, username: str) -> None:
    """A browser-style session: the login form with its CSRF token."""
    page = client.get("/login")
    match = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert match, page.text
    response = client.post(
        "/login",
        data={"username": username, "password": PASSWORD, "csrf_token": match.group(1)},
    )
    assert response.status_code == 303, response.text
