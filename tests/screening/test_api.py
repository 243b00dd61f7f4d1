"""POST /api/v1/screen through the whole app, signed in with API tokens as a home officer and
as a partner liaison (who may not screen)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from npdesk.security.model import LOCAL_OPERATOR, Level, Party, Role, User
from npdesk.services import accounts
from npdesk.services import screening as service
from npdesk.store.db import make_engine, transaction
from npdesk.store.schema import upgrade
from npdesk.web.app import create_app
from tests.screening.test_service import sdn_subset

OFFICER = User("officer1", Party.HOME, Role.OFFICER, Level.S)
PASSWORD = "screening passphrase 2008"


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory, sanctions_dir: Path) -> Iterator[TestClient]:
    root = tmp_path_factory.mktemp("api")
    patch = pytest.MonkeyPatch()
    patch.setenv("NPDESK_DATA_DIR", str(root / "data"))
    engine = make_engine(f"sqlite:///{root / 'desk.sqlite3'}")
    upgrade(engine)
    service.load_list_version(
        engine, OFFICER, sdn_subset(sanctions_dir, root / "sdn", {"9753", "11447"})
    )
    with transaction(engine) as session:
        for name, party, role, country in (
            ("officer1", Party.HOME, Role.OFFICER, None),
            ("liaison1", Party.PARTNER, Role.LIAISON, "CHN"),
        ):
            accounts.add_user(
                session,
                LOCAL_OPERATOR,
                username=name,
                password=PASSWORD,
                party=party,
                role=role,
                clearance=Level.C if country else Level.S,
                country=country,
                source="test",
            )
    with TestClient(create_app(engine)) as test_client:
        for name in ("officer1", "liaison1"):
            token = test_client.post(
                "/api/v1/auth/token", json={"username": name, "password": PASSWORD}
            ).json()["access_token"]
            test_client.headers[f"x-test-{name}"] = token
        yield test_client
    patch.undo()
    engine.dispose()


def auth(client: TestClient, name: str = "officer1") -> dict[str, str]:
    return {"Authorization": f"Bearer {client.headers[f'x-test-{name}']}"}


def test_one_name(client: TestClient) -> None:
    response = client.post(
        "/api/v1/screen", json={"name": "李方伟", "country": "CN"}, headers=auth(client)
    )
    assert response.status_code == 200, response.text
    (result,) = response.json()["results"]
    hit = result["hits"][0]
    assert (hit["list"], hit["source_id"], hit["name"]) == ("ofac-sdn", "11447", "LI, Fangwei")
    assert hit["band"] == "match"
    assert hit["explanation"]["matched_form"] == "li fangwei"


def test_batch_keeps_order_and_ids(client: TestClient) -> None:
    queries = [
        {"id": "x1", "name": "China National Precision Machinery Import Export Corp"},
        {"id": "x2", "name": "Fictional Harmless Widgets Ltd"},
    ]
    response = client.post(
        "/api/v1/screen", json={"queries": queries, "top": 1}, headers=auth(client)
    )
    assert response.status_code == 200, response.text
    results = response.json()["results"]
    assert [r["id"] for r in results] == ["x1", "x2"]
    assert results[0]["hits"][0]["source_id"] == "9753"
    assert results[1]["hits"] == []


def test_refusals(client: TestClient) -> None:
    officer = auth(client)
    assert client.post("/api/v1/screen", json={}, headers=officer).status_code == 422
    bad_year = client.post(
        "/api/v1/screen", json={"name": "Fangwei Li", "dob": "sometime"}, headers=officer
    )
    assert bad_year.status_code == 422
    liaison = auth(client, "liaison1")
    assert (
        client.post("/api/v1/screen", json={"name": "Fangwei Li"}, headers=liaison).status_code
        == 403
    )
    assert client.post("/api/v1/screen", json={"name": "Fangwei Li"}).status_code == 401
