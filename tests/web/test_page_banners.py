"""Every desk page is bannered, top and bottom, with the strictest marking of what it shows;
a partner liaison's page carries `REL TO` their country (issue 11, parts 2, 4 and 5).

Olivia is a home officer cleared SECRET, Li a CHN liaison cleared CONFIDENTIAL (see
conftest). The expected banners are written by hand from the markings given to the records.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.web.conftest import token_for


@pytest.fixture(autouse=True)
def one_person_desk(monkeypatch: pytest.MonkeyPatch) -> None:
    """These tests make records shared in one step; two-person release: tests/cases,
    tests/handovers, tests/reviews."""
    monkeypatch.setenv("NPDESK_TWO_PERSON_RELEASE", "false")


SECRET_NOFORN = {"classification": "S", "noforn": True}
SECRET = {"classification": "S"}
SHARED_C = {"classification": "C", "shared_with_partner": True}
SHARED_U = {"classification": "U", "shared_with_partner": True}


def banners(client: TestClient, url: str, headers: dict[str, str]) -> list[str]:
    page = client.get(url, headers=headers)
    assert page.status_code == 200, page.text
    return re.findall(r'data-testid="banner-(?:top|bottom)">([^<]+)<', page.text)


def make(client: TestClient, url: str, headers: dict[str, str], body: dict[str, Any]) -> Any:
    made = client.post(url, headers=headers, json=body)
    assert made.status_code == 201, made.text
    return made.json()


def test_firm_list_banner(client: TestClient) -> None:
    officer, liaison = token_for(client, "olivia"), token_for(client, "li")
    assert banners(client, "/firms", officer) == ["UNCLASSIFIED", "UNCLASSIFIED"]
    make(client, "/api/v1/firms", officer, {"name": "FICTIONAL Shared Alloys", **SHARED_C})
    make(client, "/api/v1/firms", officer, {"name": "FICTIONAL Hidden Rotors", **SECRET_NOFORN})

    assert banners(client, "/firms", officer) == ["SECRET//NOFORN", "SECRET//NOFORN"]
    assert banners(client, "/firms", liaison) == [
        "CONFIDENTIAL//REL TO CHN",
        "CONFIDENTIAL//REL TO CHN",
    ]


def test_firm_profile_banner_counts_what_the_profile_shows(client: TestClient) -> None:
    officer, liaison = token_for(client, "olivia"), token_for(client, "li")
    key = make(client, "/api/v1/firms", officer, {"name": "FICTIONAL Open Valves", **SHARED_U})[
        "key"
    ]
    url = f"/firms/{key}"
    # Shared, the firm is marked REL TO CHN: the home reader sees that too.
    assert banners(client, url, officer) == ["UNCLASSIFIED//REL TO CHN"] * 2
    assert banners(client, url, liaison) == ["UNCLASSIFIED//REL TO CHN"] * 2

    # A SECRET//NOFORN meeting on the firm raises the home reader's page (and it is no longer
    # all REL TO CHN), not the liaison's.
    make(
        client,
        f"/api/v1/firms/{key}/dialogues",
        officer,
        {"kind": "meeting", "date": "2026-05-04", "summary": "FICTIONAL visit", **SECRET_NOFORN},
    )
    assert banners(client, url, officer) == ["SECRET//NOFORN", "SECRET//NOFORN"]
    assert banners(client, url, liaison) == ["UNCLASSIFIED//REL TO CHN"] * 2
    assert client.get(f"/api/v1{url}", headers=officer).json()["banner"] == "SECRET//NOFORN"
    assert client.get(f"/api/v1{url}", headers=liaison).json()["banner"] == (
        "UNCLASSIFIED//REL TO CHN"
    )


def test_events_page_banner(client: TestClient) -> None:
    officer, liaison = token_for(client, "olivia"), token_for(client, "li")
    event = {"kind": "workshop", "start": "2026-03-02"}
    make(
        client, "/api/v1/events", officer, {"title": "FICTIONAL open workshop", **event, **SHARED_U}
    )
    make(client, "/api/v1/events", officer, {"title": "FICTIONAL closed talks", **event, **SECRET})

    assert banners(client, "/events", officer) == ["SECRET", "SECRET"]
    assert banners(client, "/events", liaison) == ["UNCLASSIFIED//REL TO CHN"] * 2
    assert client.get("/api/v1/events", headers=officer).json()["banner"] == "SECRET"
    assert client.get("/api/v1/events", headers=liaison).json()["banner"] == (
        "UNCLASSIFIED//REL TO CHN"
    )


def test_commitments_page_banner(client: TestClient) -> None:
    officer, liaison = token_for(client, "olivia"), token_for(client, "li")
    assert banners(client, "/commitments", liaison) == ["UNCLASSIFIED//REL TO CHN"] * 2
    make(
        client,
        "/api/v1/commitments",
        officer,
        {"owner_side": "partner", "description": "FICTIONAL send export data", **SHARED_C},
    )
    make(
        client,
        "/api/v1/commitments",
        officer,
        {"owner_side": "home", "description": "FICTIONAL brief the minister", **SECRET_NOFORN},
    )

    assert banners(client, "/commitments", officer) == ["SECRET//NOFORN", "SECRET//NOFORN"]
    assert banners(client, "/commitments", liaison) == ["CONFIDENTIAL//REL TO CHN"] * 2


def new_case(client: TestClient, officer: dict[str, str], title: str, **marking: Any) -> str:
    made = make(client, "/api/v1/cases", officer, {"title": title, **marking})
    return str(made["reference"])


def test_handover_list_pages_banner(client: TestClient) -> None:
    officer, liaison = token_for(client, "olivia"), token_for(client, "li")
    assert banners(client, "/handovers", officer) == ["UNCLASSIFIED", "UNCLASSIFIED"]
    shared = new_case(
        client,
        officer,
        "FICTIONAL shared case",
        classification="C",
        rel_to=["CHN"],
        shared_with_partner=True,
    )
    opened = client.post(
        f"/api/v1/cases/{shared}/transitions",
        headers=officer,
        json={"status": "open", "reason": "FICTIONAL"},
    )
    assert opened.status_code == 200, opened.text
    new_case(client, officer, "FICTIONAL home case", classification="S", noforn=True)
    listing = make(
        client,
        "/api/v1/handover-lists",
        officer,
        {
            "title": "FICTIONAL list",
            "handed_over_on": "2099-01-01",
            "handed_over_by": "Olivia",
            "handed_over_to": "Li",
            "references": [shared],
        },
    )

    # A list carries only cases released to the partner: CONFIDENTIAL, REL TO CHN, for both.
    expected = ["CONFIDENTIAL//REL TO CHN"] * 2
    assert banners(client, "/handovers", officer) == expected
    assert banners(client, "/handovers", liaison) == expected
    assert banners(client, f"/handovers/{listing['number']}", officer) == expected
    assert banners(client, f"/handovers/{listing['number']}", liaison) == expected


def test_dashboard_banner(client: TestClient) -> None:
    officer, liaison = token_for(client, "olivia"), token_for(client, "li")
    assert banners(client, "/dashboard", officer) == ["UNCLASSIFIED", "UNCLASSIFIED"]
    assert banners(client, "/dashboard", liaison) == ["UNCLASSIFIED//REL TO CHN"] * 2
    new_case(
        client,
        officer,
        "FICTIONAL shared case",
        classification="C",
        rel_to=["CHN"],
        shared_with_partner=True,
    )
    new_case(client, officer, "FICTIONAL home case", classification="S", noforn=True)

    assert banners(client, "/dashboard", officer) == ["SECRET//NOFORN", "SECRET//NOFORN"]
    assert banners(client, "/dashboard", liaison) == ["CONFIDENTIAL//REL TO CHN"] * 2
