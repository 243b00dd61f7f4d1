"""Handover list snapshots and the diff between two versions."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from npdesk.domain.cases import CaseStatus, ControlRegime, Item, Subject
from npdesk.domain.handover import (
    FieldChange,
    HandoverList,
    diff,
    entry_from_case,
    select_for_handover,
)

from ._case_builders import drafted, walk


def handed(number: int, *entries_from: object) -> HandoverList:
    return HandoverList(
        number=number,
        title=f"List {number}",
        handed_over_on=date(2007 + number, 1, 1),
        handed_over_by="PolMinCouns",
        handed_over_to="MFA",
        entries=tuple(entry_from_case(c) for c in entries_from),  # type: ignore[arg-type]
    )


def test_an_entry_carries_releasable_text_only() -> None:
    case = drafted(
        "C-1",
        allegation_summary="HOME ONLY: intercept says so",
        releasable_summary="Reported transfer of gyroscopes.",
        subjects=(Subject("Fictional Gyro Co."),),
        items=(Item("gyroscopes", ControlRegime.MTCR, "Category II"),),
        origin_countries=("CHN",),
        destination_countries=("IRN",),
    )
    entry = entry_from_case(case)
    assert entry.releasable_summary == "Reported transfer of gyroscopes."
    assert entry.regimes == ("Missile Technology Control Regime (MTCR)",)
    assert "HOME ONLY" not in repr(entry)


def test_selection_takes_active_cases_only() -> None:
    draft = drafted("C-1")
    opened = ("2007-11-01", CaseStatus.OPEN)
    active = walk(drafted("C-2"), opened)
    closed = walk(drafted("C-3"), opened, ("2008-01-01", CaseStatus.CLOSED))
    raised = walk(drafted("C-0"), opened, ("2007-11-02", CaseStatus.RAISED))
    assert [c.reference for c in select_for_handover([draft, active, closed, raised])] == [
        "C-0",
        "C-2",
    ]


def test_diff_reports_added_removed_and_field_level_changes() -> None:
    kept = drafted("C-1", releasable_summary="old text")
    same = drafted("C-2", releasable_summary="unchanged")
    gone = drafted("C-3")
    new_case = drafted("C-4")
    old = handed(1, kept, same, gone)
    edited = replace(kept, releasable_summary="new text", subjects=(Subject("Fictional Firm"),))
    new = handed(2, new_case, same, edited)

    result = diff(old, new)

    assert [e.reference for e in result.added] == ["C-4"]
    assert [e.reference for e in result.removed] == ["C-3"]
    assert [c.reference for c in result.changed] == ["C-1"]
    assert set(result.changed[0].changes) == {
        FieldChange("releasable_summary", "old text", "new text"),
        FieldChange("subjects", "", "Fictional Firm"),
    }
    assert result.unchanged == ("C-2",)
    assert (result.old_number, result.new_number) == (1, 2)


def test_diff_of_a_list_with_itself_is_empty() -> None:
    listing = handed(1, drafted("C-1"), drafted("C-2"))
    assert diff(listing, listing).is_empty
    reordered = replace(listing, entries=tuple(reversed(listing.entries)))
    assert diff(listing, reordered).is_empty


def test_a_status_change_shows_in_the_diff() -> None:
    case = walk(drafted("C-1"), ("2007-11-01", CaseStatus.OPEN))
    later = walk(case, ("2007-11-20", CaseStatus.RAISED))
    result = diff(handed(1, case), handed(2, later))
    assert result.changed[0].changes == (FieldChange("status", "open", "raised"),)
