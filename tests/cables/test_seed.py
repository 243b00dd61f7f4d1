"""The seed cable (../shared/seeds/000_b040fb51b219b52c.txt, text copied from a web page) parses
to exactly the values issue 2 lists under "What it must show"."""

from __future__ import annotations

from typing import Any

import pytest

from npdesk.cables import parse_cable


@pytest.fixture(scope="module")
def seed(seed_text: str) -> dict[str, Any]:
    return parse_cable(seed_text).to_dict()


def test_seed_routing(seed: dict[str, Any]) -> None:
    assert seed["id"] == "08BEIJING1050"
    assert seed["origin"] == "AMEMBASSY BEIJING"
    assert seed["created"] == "2008-03-20T11:06:00Z"
    assert seed["precedence"] == "IMMEDIATE"
    assert seed["recipients"] == [
        {"route": "TO", "name": "SECSTATE WASHDC", "precedence": "IMMEDIATE", "serial": "5948"}
    ]
    assert seed["source_format"] == "web"


def test_seed_marking(seed: dict[str, Any]) -> None:
    assert seed["classification"] == "SECRET"
    assert seed["caveats"] == []
    assert seed["marking"] == "SECRET"
    assert seed["handling"] == ["SIPDIS"]


def test_seed_tags_and_subject(seed: dict[str, Any]) -> None:
    assert seed["tags"] == ["PARM", "PREL", "ETTC", "CH"]
    assert seed["unknown_tags"] == []
    assert seed["subject"] == "FOLLOW-UP ON CHINA NONPROLIFERATION COOPERATION PLAN"


def test_seed_references(seed: dict[str, Any]) -> None:
    assert [(r["label"], r["id"]) for r in seed["references"]] == [
        ("A", "07BEIJING5361"),
        ("B", "07BEIJING7297"),
        ("C", "08BEIJING463"),
        ("D", "08BEIJING578"),
        ("E", "07BEIJING7141"),
    ]
    assert seed["references"][2]["text"] == "BEIJING 463"


def test_seed_classification_authority(seed: dict[str, Any]) -> None:
    assert seed["classified_by"] == "Political Minister Counselor Aubrey Carlson"
    assert seed["reasons"] == ["1.4(b)", "1.4(d)"]
    assert seed["declassify_on"] == "2033-03-20"
    assert seed["executive_order"] == "12958"


def test_seed_paragraphs(seed: dict[str, Any]) -> None:
    numbered = [p for p in seed["paragraphs"] if p["number"] is not None]
    assert [(p["number"], p["classification"]) for p in numbered] == [(n, "S") for n in range(1, 7)]
    headings = [p["text"] for p in seed["paragraphs"] if p["number"] is None]
    assert headings == [
        "Summary",
        "Enhancing Export Control Cooperation",
        "Dialogue with Chinese Companies",
        "Review of Open Cases",
    ]
    sixth = numbered[5]["text"]
    # Paragraph 6 is cut by a blank line mid-sentence in the copied text: it must be whole.
    assert "He proposed holding our first review at the working-level" in sixth
    assert sixth.endswith("as proof of successful export control cooperation.")
    assert "\n" not in sixth


def test_seed_summary_and_signer(seed: dict[str, Any]) -> None:
    summary = seed["summary"]
    assert summary.startswith("PolMinCouns and MFA Arms Control Counselor Li Song discussed")
    assert summary.endswith("as soon as possible.")
    assert "End Summary" not in summary
    assert seed["signers"] == ["RANDT"]
    assert not any("NNNN" in p["text"] or "End Cable" in p["text"] for p in seed["paragraphs"])
