"""Regular reviews of open cases with the partner: sessions, agendas, outcomes, minutes.

A session is proposed on a date and waits for the partner's answer until a date is confirmed.
Its agenda lists the cases open at the meeting, oldest first (priority breaks ties), each with
what changed since the previous review. Outcomes recorded per case produce the minutes in two
variants: releasable (what both sides may hold) and home-only (with internal notes).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from enum import StrEnum

from npdesk.domain.cases import ACTIVE_STATUSES, Case, CaseOutcome, CaseStatus, Priority
from npdesk.security.model import Party


class ReviewLevel(StrEnum):
    WORKING = "working"
    SENIOR = "senior"


class ReviewState(StrEnum):
    PROPOSED = "proposed"
    CONFIRMED = "confirmed"
    HELD = "held"
    CANCELLED = "cancelled"


class MinutesVariant(StrEnum):
    RELEASABLE = "releasable"
    HOME = "home"


@dataclass(frozen=True)
class Participant:
    name: str
    side: Party
    role: str = ""


@dataclass(frozen=True)
class ReviewSession:
    """A review meeting. While `confirmed_on` is None the proposal awaits the partner."""

    number: int
    level: ReviewLevel
    proposed_on: date
    confirmed_on: date | None = None
    state: ReviewState = ReviewState.PROPOSED
    venue: str = ""
    title: str = ""
    participants: tuple[Participant, ...] = ()
    fictional: bool = False

    @property
    def awaiting_partner(self) -> bool:
        return self.state is ReviewState.PROPOSED and self.confirmed_on is None

    @property
    def meeting_on(self) -> date:
        """The confirmed date if any, else the proposed one."""
        return self.confirmed_on or self.proposed_on

    def side(self, party: Party) -> tuple[Participant, ...]:
        return tuple(p for p in self.participants if p.side == party)


@dataclass(frozen=True)
class ChangeNote:
    """A releasable line about what happened to a case since the previous review."""

    on: date
    text: str


@dataclass(frozen=True)
class AgendaItem:
    """One case on a review agenda. `note` is the editable line officers add."""

    position: int
    reference: str
    title: str
    status: CaseStatus
    priority: Priority
    age_days: int
    releasable_summary: str
    changes: tuple[ChangeNote, ...] = ()
    note: str = ""


@dataclass(frozen=True)
class ReviewOutcome:
    """What the meeting concluded on one case.

    `partner_statement` and `next_step` are releasable; `home_note` is not. `new_status` (with
    `outcome`/`merged_into` when closing) is applied to the case by the service.
    """

    reference: str
    partner_statement: str = ""
    next_step: str = ""
    home_note: str = ""
    new_status: CaseStatus | None = None
    outcome: CaseOutcome | None = None
    merged_into: str | None = None


@dataclass(frozen=True)
class MinutesEntry:
    reference: str
    title: str
    lines: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Minutes:
    """The minutes of a session in one variant: a heading block and one entry per case."""

    variant: MinutesVariant
    title: str
    meeting_on: date
    level: ReviewLevel
    venue: str
    home_participants: tuple[Participant, ...]
    partner_participants: tuple[Participant, ...]
    entries: tuple[MinutesEntry, ...]
    fictional: bool = False
    banner: str = ""


def generate_agenda(
    cases: Iterable[Case], on: date, previous_review_on: date | None = None
) -> list[AgendaItem]:
    """The agenda for a meeting on `on`: cases active at the end of that day.

    Ordered oldest first, then by priority (high first), then by reference. Each item lists
    the status changes and partner responses after `previous_review_on` (all of them when there
    was no previous review), worded without home-only reasons.
    """
    moment = end_of_day(on)
    chosen: list[Case] = []
    for case in cases:
        status = case.status_on(moment) if case.history else case.status
        if status is not None and status in ACTIVE_STATUSES:
            chosen.append(case)
    chosen.sort(key=lambda c: (-c.age_days(on), c.priority.rank, c.reference))
    return [
        AgendaItem(
            position=index,
            reference=case.reference,
            title=case.title,
            status=case.status_on(moment) or case.status,
            priority=case.priority,
            age_days=case.age_days(on),
            releasable_summary=case.releasable_summary,
            changes=changes_between(case, previous_review_on, on),
        )
        for index, case in enumerate(chosen, start=1)
    ]


def changes_between(case: Case, after: date | None, until: date) -> tuple[ChangeNote, ...]:
    """Releasable notes on status moves and responses in `(after, until]`, oldest first."""
    notes: list[ChangeNote] = []
    for event in case.history:
        day = event.at.date()
        if (after is None or day > after) and day <= until:
            text = f"status {event.from_status.label if event.from_status else 'new'}"
            text += f" → {event.to_status.label}"
            if event.outcome:
                text += f" ({event.outcome.label})"
            notes.append(ChangeNote(day, text))
    for response in case.responses:
        if (after is None or response.received_on > after) and response.received_on <= until:
            notes.append(ChangeNote(response.received_on, "partner response received"))
    notes.sort(key=lambda note: note.on)
    return tuple(notes)


def build_minutes(
    session: ReviewSession,
    agenda: Sequence[AgendaItem],
    outcomes: Sequence[ReviewOutcome],
    variant: MinutesVariant,
) -> Minutes:
    """Minutes from the agenda and outcomes, in the releasable or the home-only variant.

    Cases on the agenda with no recorded outcome appear as "discussed, no outcome recorded".
    Only the home variant carries `home_note` and agenda notes.
    """
    by_ref = {outcome.reference: outcome for outcome in outcomes}
    titles = {item.reference: item.title for item in agenda}
    ordered = [item.reference for item in agenda]
    ordered += [ref for ref in by_ref if ref not in titles]
    entries: list[MinutesEntry] = []
    for reference in ordered:
        outcome = by_ref.get(reference)
        lines: list[tuple[str, str]] = []
        if outcome is None:
            lines.append(("Outcome", "discussed, no outcome recorded"))
        else:
            if outcome.partner_statement:
                lines.append(("Partner statement", outcome.partner_statement))
            if outcome.new_status is not None:
                status = outcome.new_status.label
                if outcome.outcome is not None:
                    status += f" ({outcome.outcome.label})"
                if outcome.merged_into:
                    status += f", merged into {outcome.merged_into}"
                lines.append(("Status", status))
            if outcome.next_step:
                lines.append(("Next step", outcome.next_step))
            if variant is MinutesVariant.HOME and outcome.home_note:
                lines.append(("Home note", outcome.home_note))
        agenda_note = next((i.note for i in agenda if i.reference == reference and i.note), "")
        if variant is MinutesVariant.HOME and agenda_note:
            lines.append(("Agenda note", agenda_note))
        entries.append(MinutesEntry(reference, titles.get(reference, reference), tuple(lines)))
    return Minutes(
        variant=variant,
        title=session.title or f"Review {session.number} ({session.level} level)",
        meeting_on=session.meeting_on,
        level=session.level,
        venue=session.venue,
        home_participants=session.side(Party.HOME),
        partner_participants=session.side(Party.PARTNER),
        entries=tuple(entries),
        fictional=session.fictional,
    )


def end_of_day(day: date) -> datetime:
    """The last instant of `day` in UTC (the desk keeps every timestamp in UTC)."""
    return datetime.combine(day, time.max, tzinfo=UTC)
