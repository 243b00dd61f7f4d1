"""Handover lists on a real database: numbering, raising, diffs, and exports with no
home-only text in their bytes (JSON, CSV, HTML, and PDF read back with pypdf)."""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from pathlib import Path

import pytest
from pypdf import PdfReader

from npdesk.domain.cases import CaseOutcome, CaseStatus, ControlRegime, Item, Priority, Subject
from npdesk.security.model import Level, Marking
from npdesk.services.cases import (
    CaseInput,
    InvalidCaseData,
    create_case,
    get_case,
    transition_case,
)
from npdesk.services.handovers import (
    ExportFormat,
    HandoverNotFound,
    create_handover_list,
    diff_handover_lists,
    export_handover_list,
    get_handover_list,
    list_handover_lists,
)

from ._desk_fixtures import LIAISON, OFFICER, OTHER_LIAISON, at, desk

HOME_TEXT = "ZZHOMEONLY allegation from a sensitive source"
RELEASABLE = "Reported transfer of gyroscopes to a third country."


def opened(engine, title: str, marking: Marking | None = None, day: str = "2007-10-01") -> str:  # type: ignore[no-untyped-def]
    case = create_case(
        engine,
        OFFICER,
        CaseInput(
            title=title,
            allegation_summary=HOME_TEXT,
            releasable_summary=RELEASABLE,
            priority=Priority.HIGH,
            subjects=(Subject("Fictional Gyro Co."),),
            items=(Item("gyroscopes", ControlRegime.MTCR),),
            origin_countries=("CHN",),
            destination_countries=("IRN",),
            marking=marking or Marking(Level.C),
            fictional=True,
        ),
        at=at(day),
    )
    transition_case(engine, OFFICER, case.reference, CaseStatus.OPEN, reason="vetted", at=at(day))
    return case.reference


@pytest.fixture(autouse=True)
def one_person_desk(monkeypatch: pytest.MonkeyPatch) -> None:
    """These lists release their cases in one step (`release=True`)."""
    monkeypatch.setenv("NPDESK_TWO_PERSON_RELEASE", "false")


def hand(engine, day: date, refs: list[str] | None = None):  # type: ignore[no-untyped-def]
    return create_handover_list(
        engine,
        OFFICER,
        title=f"FICTIONAL list of {day:%B %Y}",
        handed_over_on=day,
        handed_over_by="PolMinCouns",
        handed_over_to="MFA Arms Control Counselor",
        partner_country="CHN",
        references=refs,
        release=True,
        fictional=True,
    )


def test_handing_over_numbers_the_list_releases_and_raises_the_cases(tmp_path: Path) -> None:
    engine = desk(tmp_path)
    one, two = opened(engine, "FICTIONAL case one"), opened(engine, "FICTIONAL case two")
    listing = hand(engine, date(2007, 11, 20))

    assert listing.number == 1 and listing.references == (one, two)
    assert listing.banner == "CONFIDENTIAL//REL TO CHN"
    case = get_case(engine, OFFICER, one)
    assert case.status is CaseStatus.RAISED and case.marking.shared
    assert case.history[-1].reason == "handed over on list 1 (2007-11-20)"
    assert [entry.status for entry in listing.entries] == ["raised", "raised"]
    # The partner now sees the list and the cases; another government does not.
    assert [item.number for item in list_handover_lists(engine, LIAISON)] == [1]
    with pytest.raises(HandoverNotFound):
        get_handover_list(engine, OTHER_LIAISON, 1)


def test_noforn_and_above_agreed_level_cases_cannot_be_handed_over(tmp_path: Path) -> None:
    engine = desk(tmp_path)
    noforn = opened(engine, "NF", Marking(Level.C, frozenset({"NOFORN"})))
    secret = opened(engine, "S", Marking(Level.S))
    for ref, why in ((noforn, "NOFORN"), (secret, "agreed level")):
        with pytest.raises(InvalidCaseData, match=why):
            hand(engine, date(2007, 11, 20), [ref])
    assert list_handover_lists(engine, OFFICER) == []


def test_the_second_list_diffs_against_the_first(tmp_path: Path) -> None:
    engine = desk(tmp_path)
    kept, closed = opened(engine, "FICTIONAL kept"), opened(engine, "FICTIONAL closed")
    hand(engine, date(2007, 11, 20))
    transition_case(
        engine,
        OFFICER,
        closed,
        CaseStatus.CLOSED,
        reason="answered",
        outcome=CaseOutcome.RESOLVED,
        at=at("2008-02-01"),
    )
    transition_case(engine, OFFICER, kept, CaseStatus.PARTNER_INVESTIGATING, reason="MFA note")
    added = opened(engine, "FICTIONAL new", day="2008-03-01")
    hand(engine, date(2008, 3, 19))

    result = diff_handover_lists(engine, OFFICER, 1, 2)
    assert [e.reference for e in result.added] == [added]
    assert [e.reference for e in result.removed] == [closed]
    assert [(c.reference, [f.field for f in c.changes]) for c in result.changed] == [
        (kept, ["status"])
    ]


@pytest.mark.parametrize("fmt", list(ExportFormat))
def test_exports_carry_the_banner_and_no_home_only_text(tmp_path: Path, fmt: ExportFormat) -> None:
    engine = desk(tmp_path)
    ref = opened(engine, "FICTIONAL gyroscopes")
    hand(engine, date(2007, 11, 20))

    data = export_handover_list(engine, LIAISON, 1, fmt)

    text = (
        "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
        if fmt is ExportFormat.PDF
        else (data.decode("utf-8"))
    )
    if fmt is ExportFormat.PDF:
        assert data.startswith(b"%PDF")
    for home_only in (HOME_TEXT, "ZZHOMEONLY", "vetted", "high"):
        assert home_only not in text
        assert home_only.encode() not in data
    assert "CONFIDENTIAL//REL TO CHN" in text
    # The liaison's copy carries their own number for the case, not the desk's reference.
    assert ref == "NPC-2007-001" and ref not in text
    assert "CHN-2007-001" in text and "FICTIONAL" in text
    if fmt is ExportFormat.JSON:
        parsed = json.loads(data)
        assert parsed["banner"] == "CONFIDENTIAL//REL TO CHN"
        assert parsed["entries"][0]["releasable_summary"] == RELEASABLE
    if fmt is ExportFormat.CSV:
        rows = list(csv.reader(io.StringIO(text)))
        assert rows[0] == rows[-1] == ["CONFIDENTIAL//REL TO CHN"]
        assert rows[3][0] == "CHN-2007-001"
