"""POST /api/v1/screen on a small app holding only the screening router, acting as a fixed
home officer (the real app puts its login in front)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from npdesk.security.model import Level, Party, Role, User
from npdesk.services import screening as service
from npdesk.store.db import make_engine
from npdesk.store.schema import upgrade
from npdesk.web.auth import current_user
from npdesk.web.routes.screening import router
from tests.screening.test_service import sdn_subset

OFFICER = User("officer1", Party.HOME, Role.OFFICER, Level.S)
LIAISON = User("liaison1", Party.PARTNER, Role.LIAISON, Level.C, country="CHN")


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory, sanctions_dir: Path) -> Iterator[FastAPI]:
    root = tmp_path_factory.mktemp("api")
    patch = pytest.MonkeyPatch()
    patch.setenv("NPDESK_DATA_DIR", str(root / "data"))
    engine = make_engine(f"sqlite:///{root / 'desk.sqlite3'}")
    upgrade(engine)
    service.load_list_version(
        engine, OFFICER, sdn_subset(sanctions_dir, root / "sdn", {"9753", "11447"})
    )
    app = FastAPI()
    app.include_router(router)
    app.state.engine = engine
    app.dependency_overrides[current_user] = lambda: OFFICER
    yield app
    patch.undo()


def test_one_name(app: FastAPI) -> None:
    response = TestClient(app).post("/api/v1/screen", json={"name": "李方伟", "country": "CN"})
    assert response.status_code == 200, response.text
    (result,) = response.json()["results"]
    hit = result["hits"][0]
    assert (hit["list"], hit["source_id"], hit["name"]) == ("ofac-sdn", "11447", "LI, Fangwei")
    assert hit["band"] == "match"
    assert hit["explanation"]["matched_form"] == "li fangwei"


def test_batch_keeps_order_and_ids(app: FastAPI) -> None:
    queries = [
        {"id": "x1", "name": "China National Precision Machinery Import Export Corp"},
        {"id": "x2", "name": "Fictional Harmless Widgets Ltd"},
    ]
    response = TestClient(app).post("/api/v1/screen", json={"queries": queries, "top": 1})
    assert response.status_code == 200, response.text
    results = response.json()["results"]
    assert [r["id"] for r in results] == ["x1", "x2"]
    assert results[0]["hits"][0]["source_id"] == "9753"
    assert results[1]["hits"] == []


def test_refusals(app: FastAPI) -> None:
    client = TestClient(app)
    assert client.post("/api/v1/screen", json={}).status_code == 422
    bad_year = client.post("/api/v1/screen", json={"name": "Fangwei Li", "dob": "sometime"})
    assert bad_year.status_code == 422
    app.dependency_overrides[current_user] = lambda: LIAISON
    try:
        assert client.post("/api/v1/screen", json={"name": "Fangwei Li"}).status_code == 403
    finally:
        app.dependency_overrides[current_user] = lambda: OFFICER
