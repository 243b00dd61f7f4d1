"""Review agendas (ordering, changes since last review) and minutes in both variants."""

from __future__ import annotations

from datetime import date

from npdesk.domain.cases import CaseOutcome, CaseStatus, Priority
from npdesk.domain.reviews import (
    MinutesVariant,
    Participant,
    ReviewLevel,
    ReviewOutcome,
    ReviewSession,
    build_minutes,
    changes_between,
    generate_agenda,
)
from npdesk.security.model import Party

from ._case_builders import drafted, responded, walk

OPEN = CaseStatus.OPEN
RAISED = CaseStatus.RAISED


def test_agenda_lists_cases_active_on_the_day_oldest_first_then_priority() -> None:
    old_low = walk(drafted("C-1", priority=Priority.LOW), ("2007-11-01", OPEN))
    old_high = walk(drafted("C-2", priority=Priority.HIGH), ("2007-11-01", OPEN))
    newer = walk(drafted("C-3", priority=Priority.HIGH), ("2008-02-01", OPEN))
    not_yet = walk(drafted("C-4"), ("2008-05-01", OPEN))
    closed_before = walk(drafted("C-5"), ("2007-11-01", OPEN), ("2008-03-01", CaseStatus.CLOSED))
    draft = drafted("C-6")

    agenda = generate_agenda(
        [newer, old_low, not_yet, closed_before, draft, old_high], date(2008, 4, 16)
    )

    assert [item.reference for item in agenda] == ["C-2", "C-1", "C-3"]
    assert [item.position for item in agenda] == [1, 2, 3]
    assert agenda[0].age_days == (date(2008, 4, 16) - date(2007, 11, 1)).days


def test_agenda_shows_what_changed_since_the_last_review_without_reasons() -> None:
    case = walk(drafted("C-1"), ("2007-11-01", OPEN), ("2007-11-20", RAISED))
    case = walk(case, ("2008-05-02", CaseStatus.PARTNER_INVESTIGATING))
    case = responded(case, "2008-06-30")

    (item,) = generate_agenda([case], date(2008, 7, 15), previous_review_on=date(2008, 4, 16))

    assert [(n.on, n.text) for n in item.changes] == [
        (date(2008, 5, 2), "status raised → partner investigating"),
        (date(2008, 6, 30), "partner response received"),
    ]
    assert all("moved on" not in note.text for note in item.changes)
    assert len(changes_between(case, None, date(2008, 7, 15))) == 5


def session() -> ReviewSession:
    return ReviewSession(
        number=1,
        level=ReviewLevel.WORKING,
        proposed_on=date(2008, 4, 16),
        venue="MFA, Beijing",
        participants=(
            Participant("PolMinCouns", Party.HOME),
            Participant("Counselor (fictional)", Party.PARTNER),
        ),
    )


def test_a_session_awaits_the_partner_until_confirmed() -> None:
    proposed = session()
    assert proposed.awaiting_partner and proposed.meeting_on == date(2008, 4, 16)


def test_minutes_have_releasable_and_home_variants() -> None:
    one = walk(drafted("C-1"), ("2007-11-01", OPEN))
    two = walk(drafted("C-2"), ("2007-11-02", OPEN))
    agenda = generate_agenda([one, two], date(2008, 4, 16))
    outcomes = [
        ReviewOutcome(
            "C-1",
            partner_statement="Investigated; the firm stopped the sale.",
            next_step="None.",
            home_note="INTERNAL: we doubt this",
            new_status=CaseStatus.CLOSED,
            outcome=CaseOutcome.RESOLVED,
        )
    ]

    releasable = build_minutes(session(), agenda, outcomes, MinutesVariant.RELEASABLE)
    home = build_minutes(session(), agenda, outcomes, MinutesVariant.HOME)

    assert [e.reference for e in releasable.entries] == ["C-1", "C-2"]
    assert ("Status", "closed (resolved)") in releasable.entries[0].lines
    assert all("INTERNAL" not in value for e in releasable.entries for _, value in e.lines)
    assert ("Home note", "INTERNAL: we doubt this") in home.entries[0].lines
    assert releasable.entries[1].lines == (("Outcome", "discussed, no outcome recorded"),)
    assert [p.name for p in home.partner_participants] == ["Counselor (fictional)"]
