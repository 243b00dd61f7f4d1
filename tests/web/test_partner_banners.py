"""What the partner is shown carries `REL TO` their country: the released cable's banner in
JSON and on the page, and each released paragraph's marking (issue 11, banners)."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from tests.web.conftest import token_for


@pytest.fixture(autouse=True)
def one_person_desk(monkeypatch: pytest.MonkeyPatch) -> None:
    """These tests make records shared in one step; two-person release: tests/cases,
    tests/handovers, tests/reviews."""
    monkeypatch.setenv("NPDESK_TWO_PERSON_RELEASE", "false")


def test_partner_released_cable_shows_full_banner_with_rel_to(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A one-person desk releases at once (two-person release has tests of its own).
    monkeypatch.setenv("NPDESK_TWO_PERSON_RELEASE", "false")
    officer, liaison = token_for(client, "olivia"), token_for(client, "li")
    released = client.post(
        "/api/v1/cables/08SAMPLEPOST177/release", json={"paragraphs": [2]}, headers=officer
    )
    assert released.status_code == 200, released.text

    seen = client.get("/api/v1/cables/08SAMPLEPOST177", headers=liaison).json()
    # The cable is UNCLAS (with its caveats); released, the liaison's copy says to whom.
    assert seen["marking"].startswith("UNCLASSIFIED")
    assert seen["marking"].endswith("//REL TO CHN")
    assert [p["marking"].endswith("//REL TO CHN") for p in seen["paragraphs"]] == [True]

    page = client.get("/cables/08SAMPLEPOST177", headers=liaison)
    assert page.status_code == 200
    banners = re.findall(r'data-testid="banner-(?:top|bottom)">([^<]+)<', page.text)
    assert banners == [seen["marking"], seen["marking"]]


def test_partner_case_list_banner_is_rel_to_and_home_list_is_strictest(
    client: TestClient,
) -> None:
    officer, liaison = token_for(client, "olivia"), token_for(client, "li")
    for title, classification, noforn, shared in (
        ("FICTIONAL shared case", "C", False, True),
        ("ZZNOFORN home case", "S", True, False),
    ):
        made = client.post(
            "/api/v1/cases",
            headers=officer,
            json={
                "title": title,
                "classification": classification,
                "noforn": noforn,
                "rel_to": ["CHN"] if shared else [],
                "shared_with_partner": shared,
            },
        )
        assert made.status_code == 201, made.text

    home = client.get("/api/v1/cases", headers=officer).json()
    assert home["banner"] == "SECRET//NOFORN"
    partner = client.get("/api/v1/cases", headers=liaison).json()
    assert partner["total"] == 1 and partner["banner"] == "CONFIDENTIAL//REL TO CHN"
    page = client.get("/cases", headers=liaison)
    assert "CONFIDENTIAL//REL TO CHN" in page.text and "ZZNOFORN" not in page.text
