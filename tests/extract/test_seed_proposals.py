"""Every proposal kind the issue lists, read from the seed cable by the real parser."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from npdesk.cables import parse_cable
from npdesk.domain.firms import gazetteer, load_reference_firms
from npdesk.extract import KINDS, Gazetteer, suggest

NORINCO = "China North Industries Corporation"
CGWIC = "China Great Wall Industry Corporation"


@pytest.fixture(scope="module")
def proposals(seed_text: str) -> list[dict[str, Any]]:
    cable = parse_cable(seed_text)
    return [p.to_dict() for p in suggest(cable, gazetteer(load_reference_firms()))]


def of_kind(proposals: list[dict[str, Any]], kind: str) -> list[dict[str, Any]]:
    return [p for p in proposals if p["kind"] == kind]


def test_json_shape_is_exactly_the_issue_shape(proposals: list[dict[str, Any]]) -> None:
    keys = {"kind", "text", "date", "date_range", "paragraph", "entities", "owner"}
    assert proposals
    for p in proposals:
        assert set(p) == keys
        assert p["kind"] in KINDS
        assert p["owner"] in ("home", "partner", None)
        assert p["date"] is None or date.fromisoformat(p["date"])
        assert p["date_range"] is None or len(p["date_range"]) == 2


def test_every_kind_is_proposed(proposals: list[dict[str, Any]]) -> None:
    assert {p["kind"] for p in proposals} == set(KINDS)


def test_firms(proposals: list[dict[str, Any]]) -> None:
    firms = {p["text"]: p for p in of_kind(proposals, "firm")}
    assert set(firms) == {NORINCO, CGWIC}
    assert "NORINCO" in firms[NORINCO]["entities"]
    assert "CGWIC" in firms[CGWIC]["entities"]


def test_people(proposals: list[dict[str, Any]]) -> None:
    people = {p["entities"][0]: p for p in of_kind(proposals, "person")}
    assert {"Li Song", "Patricia McNerney", "Cheng Jingye"} <= set(people)
    assert people["Li Song"]["owner"] == "partner"
    assert people["Patricia McNerney"]["owner"] == "home"


def test_meeting_of_polmincouns_with_li_song(proposals: list[dict[str, Any]]) -> None:
    [meeting] = [m for m in of_kind(proposals, "meeting") if m["date"] == "2008-03-19"]
    assert {"PolMinCouns", "Li Song"} <= set(meeting["entities"])
    assert any("MFA" in e for e in meeting["entities"])


def test_dialogues_with_each_firm(proposals: list[dict[str, Any]]) -> None:
    dialogues = [m for m in of_kind(proposals, "meeting") if m["date"] is None]
    assert sorted(m["entities"][0] for m in dialogues) == [CGWIC, NORINCO]


def test_january_workshop_in_beijing(proposals: list[dict[str, Any]]) -> None:
    [workshop] = [e for e in of_kind(proposals, "event") if "workshop" in e["text"]]
    assert workshop["date_range"] == ["2008-01-01", "2008-01-31"]
    assert "Beijing" in workshop["entities"]


def test_letter_from_mcnerney_to_cheng(proposals: list[dict[str, Any]]) -> None:
    [letter] = of_kind(proposals, "letter")
    assert letter["entities"] == ["Patricia McNerney", "Cheng Jingye"]
    assert letter["owner"] == "home"
    assert letter["paragraph"] == 3


def test_visits(proposals: list[dict[str, Any]]) -> None:
    visits = of_kind(proposals, "visit")
    [dcm] = [v for v in visits if v["date"] == "2008-03-26"]
    assert {"DCM", NORINCO} <= set(dcm["entities"])
    [washington] = [v for v in visits if "Washington" in v["entities"]]
    assert CGWIC in washington["entities"]
    assert dcm["paragraph"] == washington["paragraph"] == 4


def test_proposed_mid_april_review(proposals: list[dict[str, Any]]) -> None:
    [review] = of_kind(proposals, "review")
    assert review["date"] == "2008-04-16"
    assert review["date_range"] == ["2008-04-11", "2008-04-20"]
    assert "working-level" in review["entities"]


def test_handovers(proposals: list[dict[str, Any]]) -> None:
    handovers = of_kind(proposals, "handover")
    lists = [h for h in handovers if "list" in h["text"]]
    assert any(h["date"] == "2008-03-19" and h["paragraph"] == 6 for h in lists)
    assert any(h["date_range"] == ["2007-11-01", "2007-11-30"] for h in lists)
    assert all(h["owner"] == "home" for h in handovers)


def test_commitments(proposals: list[dict[str, Any]]) -> None:
    commitments = of_kind(proposals, "commitment")
    [agreement] = [c for c in commitments if c["date"] == "2007-11-30"]
    assert agreement["owner"] == "partner"
    asap = [c for c in commitments if "as soon as possible" in c["text"]]
    assert asap and all(c["owner"] == "partner" for c in asap)
    assert any("respond" in c["text"] for c in asap)
    assert any("due course" in c["text"] and c["owner"] == "partner" for c in commitments)


def test_without_a_registry_firms_named_in_full_are_still_found(seed_text: str) -> None:
    # CGWIC by its corporate ending; NORINCO by "the DCM will visit NORINCO headquarters".
    firms = [p.text for p in suggest(parse_cable(seed_text), Gazetteer()) if p.kind == "firm"]
    assert sorted(firms) == [CGWIC, "NORINCO"]


def test_empty_cable_yields_nothing() -> None:
    from npdesk.cables.model import Cable

    assert suggest(Cable()) == []


def test_telling_the_partner_about_the_firm_dialogues_is_kept(seed_text: str) -> None:
    proposals = suggest(parse_cable(seed_text), gazetteer(load_reference_firms()))
    dialogues = [p for p in proposals if p.kind == "meeting" and p.subject == "firm-dialogue"]
    assert len(dialogues) == 2
    for dialogue in dialogues:
        assert dialogue.partner_informed_on == date(2008, 3, 19)
        assert dialogue.partner_informed_via and "Li Song" in dialogue.partner_informed_via
