"""Review sessions on a real database: proposal, agenda, edits, outcomes, minutes."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import pytest
from pypdf import PdfReader

from npdesk.domain.cases import CaseOutcome, CaseStatus
from npdesk.domain.reviews import MinutesVariant, Participant, ReviewLevel, ReviewState
from npdesk.security.model import Level, Marking, Party
from npdesk.services.cases import (
    CaseInput,
    InvalidCaseData,
    NotPermitted,
    create_case,
    get_case,
    transition_case,
)
from npdesk.services.metrics import burndown_svg, metrics_for
from npdesk.services.review_minutes import MinutesFormat, minutes, render_minutes
from npdesk.services.reviews import (
    build_agenda,
    cancel_review,
    confirm_review,
    edit_agenda_item,
    get_review,
    record_outcome,
    schedule_review,
)

from ._desk_fixtures import LIAISON, OFFICER, REVIEWER, SHARED, at, desk


@pytest.fixture(autouse=True)
def one_person_desk(monkeypatch: pytest.MonkeyPatch) -> None:
    """These tests make records shared in one step; two-person release: tests/cases,
    tests/handovers, tests/reviews."""
    monkeypatch.setenv("NPDESK_TWO_PERSON_RELEASE", "false")


HOME_NOTE = "ZZINTERNAL doubts about the account given"


def opened(engine, title: str, day: str, marking: Marking = SHARED) -> str:  # type: ignore[no-untyped-def]
    ref = create_case(
        engine,
        OFFICER,
        CaseInput(title=title, marking=marking, allegation_summary="ZZALLEGED"),
        at=at(day),
    ).reference
    transition_case(engine, OFFICER, ref, CaseStatus.OPEN, reason="vetted", at=at(day))
    return ref


def propose(engine, day: date):  # type: ignore[no-untyped-def]
    return schedule_review(
        engine,
        OFFICER,
        level=ReviewLevel.WORKING,
        proposed_on=day,
        partner_country="CHN",
        venue="MFA, Beijing",
        title="FICTIONAL working-level review",
        participants=(
            Participant("PolMinCouns", Party.HOME),
            Participant("Arms Control Counselor", Party.PARTNER, "MFA"),
        ),
        fictional=True,
    )


def test_a_review_from_proposal_to_minutes(tmp_path: Path) -> None:
    engine = desk(tmp_path)
    old = opened(engine, "FICTIONAL old case", "2007-10-01")
    new = opened(engine, "FICTIONAL new case", "2008-02-01")
    hidden = opened(engine, "home only", "2007-09-01", Marking(Level.S, frozenset({"NOFORN"})))

    proposed = propose(engine, date(2008, 4, 16))
    assert proposed.session.awaiting_partner and proposed.session.number == 1
    confirmed = confirm_review(engine, OFFICER, 1, date(2008, 4, 17))
    assert confirmed.session.state is ReviewState.CONFIRMED

    agenda = build_agenda(engine, OFFICER, 1).agenda
    assert [i.reference for i in agenda] == [hidden, old, new]
    edit_agenda_item(engine, OFFICER, 1, new, note="ask about end user", position=1)
    edited = get_review(engine, OFFICER, 1).agenda
    assert [(i.reference, i.position) for i in edited] == [(new, 1), (hidden, 2), (old, 3)]
    assert edited[0].note == "ask about end user"
    # Regenerating keeps notes (and restores age order).
    rebuilt = build_agenda(engine, OFFICER, 1).agenda
    assert [i.reference for i in rebuilt] == [hidden, old, new] and rebuilt[2].note

    record_outcome(
        engine,
        OFFICER,
        1,
        old,
        partner_statement="The export licence was refused.",
        next_step="Close the case.",
        home_note=HOME_NOTE,
        new_status=CaseStatus.CLOSED,
        outcome=CaseOutcome.RESOLVED,
    )
    case = get_case(engine, OFFICER, old)
    assert case.status is CaseStatus.CLOSED
    assert case.history[-1].reason == "review 1 (2008-04-17)"
    assert case.history[-1].at.date() == date(2008, 4, 17)
    assert get_review(engine, OFFICER, 1).session.state is ReviewState.HELD

    # The partner sees only shared cases, and never the home notes.
    seen = get_review(engine, LIAISON, 1)
    # In the liaison's own numbering: the first shared case of 2007 and of 2008.
    assert (old, new) == ("NPC-2007-001", "NPC-2008-001")
    assert [i.reference for i in seen.agenda] == ["CHN-2007-001", "CHN-2008-001"]
    assert all(i.note == "" for i in seen.agenda)
    assert seen.outcomes[0].home_note == ""
    with pytest.raises(NotPermitted):
        minutes(engine, LIAISON, 1, MinutesVariant.HOME)

    home = render_minutes(engine, OFFICER, 1, MinutesVariant.HOME, MinutesFormat.HTML).decode()
    assert HOME_NOTE in home and "SECRET//NOFORN" in home and hidden in home
    for variant_user in (OFFICER, LIAISON):
        html = render_minutes(
            engine, variant_user, 1, MinutesVariant.RELEASABLE, MinutesFormat.HTML
        ).decode()
        assert "ZZINTERNAL" not in html and "ZZALLEGED" not in html and hidden not in html
        assert "The export licence was refused." in html
        assert "CONFIDENTIAL//REL TO CHN" in html and "FICTIONAL" in html
    pdf = render_minutes(engine, LIAISON, 1, MinutesVariant.RELEASABLE, MinutesFormat.PDF)
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    assert "ask about end user" not in text and "ZZINTERNAL" not in text
    assert "export licence was refused" in " ".join(text.split())
    assert hidden not in text


def test_reviewers_record_outcomes_but_not_status_changes(tmp_path: Path) -> None:
    engine = desk(tmp_path)
    ref = opened(engine, "FICTIONAL case", "2008-01-01")
    propose(engine, date(2008, 4, 16))
    record_outcome(engine, REVIEWER, 1, ref, partner_statement="Still looking.")
    with pytest.raises(NotPermitted):
        record_outcome(
            engine, REVIEWER, 1, ref, new_status=CaseStatus.CLOSED, outcome=CaseOutcome.RESOLVED
        )
    with pytest.raises(NotPermitted):
        propose_as = schedule_review  # liaisons cannot schedule
        propose_as(
            engine,
            LIAISON,
            level=ReviewLevel.SENIOR,
            proposed_on=date(2008, 5, 1),
            partner_country="CHN",
        )


def test_metrics_change_when_a_review_closes_a_case(tmp_path: Path) -> None:
    engine = desk(tmp_path)
    one = opened(engine, "FICTIONAL one", "2007-10-01")
    opened(engine, "FICTIONAL two", "2007-11-01")
    before = metrics_for(engine, OFFICER, as_of=date(2008, 5, 1))
    assert before.open_now == 2
    propose(engine, date(2008, 4, 16))
    record_outcome(
        engine, OFFICER, 1, one, new_status=CaseStatus.CLOSED, outcome=CaseOutcome.UNSUBSTANTIATED
    )
    after = metrics_for(engine, OFFICER, as_of=date(2008, 5, 1))
    assert after.open_now == 1
    assert [(c.opened, c.closed) for c in after.cycles] == [(2, 1), (0, 0)]
    assert after.burndown[-2].on == date(2008, 4, 16)
    svg = burndown_svg(engine, OFFICER, after)
    assert svg.startswith("<svg") and "review 1" in svg
    assert metrics_for(engine, LIAISON, as_of=date(2008, 5, 1)).open_now == 1


def test_an_agenda_rebuilt_later_still_lists_cases_closed_after_the_meeting(
    tmp_path: Path,
) -> None:
    engine = desk(tmp_path)
    closed_later = opened(engine, "FICTIONAL closed in May", "2008-01-01")
    still_open = opened(engine, "FICTIONAL still open", "2008-02-01")
    closed_before = opened(engine, "FICTIONAL closed in March", "2008-01-15")
    transition_case(
        engine,
        OFFICER,
        closed_before,
        CaseStatus.CLOSED,
        reason="answered",
        outcome=CaseOutcome.RESOLVED,
        at=at("2008-03-01"),
    )
    transition_case(
        engine,
        OFFICER,
        closed_later,
        CaseStatus.CLOSED,
        reason="answered",
        outcome=CaseOutcome.RESOLVED,
        at=at("2008-05-01"),
    )
    propose(engine, date(2008, 4, 16))
    agenda = build_agenda(engine, OFFICER, 1).agenda
    assert [(i.reference, i.status) for i in agenda] == [
        (closed_later, CaseStatus.OPEN),
        (still_open, CaseStatus.OPEN),
    ]


def test_a_cancelled_review_takes_no_outcome_and_a_held_one_cannot_be_cancelled(
    tmp_path: Path,
) -> None:
    engine = desk(tmp_path)
    ref = opened(engine, "FICTIONAL case", "2008-01-01")
    propose(engine, date(2008, 4, 16))
    propose(engine, date(2008, 7, 15))
    assert cancel_review(engine, OFFICER, 1).session.state is ReviewState.CANCELLED
    with pytest.raises(InvalidCaseData, match="cancelled"):
        record_outcome(engine, OFFICER, 1, ref, partner_statement="x")
    with pytest.raises(InvalidCaseData, match="cannot be confirmed"):
        confirm_review(engine, OFFICER, 1, date(2008, 4, 20))
    record_outcome(engine, OFFICER, 2, ref, partner_statement="Still looking.")
    with pytest.raises(InvalidCaseData, match="cannot be cancelled"):
        cancel_review(engine, OFFICER, 2)
