"""Review session use cases: schedule, confirm, build and edit the agenda, record outcomes.
The minutes (HTML and PDF, releasable and home-only) are `services.review_minutes`.

Reviews are joint meetings, so a session is marked shared with the partner; liaisons see its
agenda restricted to cases they may see, without home-only notes, and only the releasable
minutes. Officers, admins and reviewers write reviews; changing a case's status from an outcome
also needs the right to change cases.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, selectinload

from npdesk.domain.cases import CaseOutcome, CaseStatus, Priority
from npdesk.domain.reviews import (
    AgendaItem,
    ChangeNote,
    Participant,
    ReviewLevel,
    ReviewOutcome,
    ReviewSession,
    ReviewState,
    end_of_day,
    generate_agenda,
)
from npdesk.security import policy
from npdesk.security.audit import Outcome
from npdesk.security.model import Level, Marking, Party, User
from npdesk.services import audit, errors
from npdesk.services.case_records import (
    InvalidCaseData,
    NotPermitted,
    aware,
    load_record,
    move_record,
)
from npdesk.services.case_references import shown_references
from npdesk.services.cases import cases_possibly_active_at
from npdesk.store.db import session_factory, transaction, utcnow
from npdesk.store.models.cases import (
    AgendaItemRecord,
    CaseRecord,
    ReviewOutcomeRecord,
    ReviewParticipantRecord,
    ReviewSessionRecord,
)
from npdesk.store.visibility import (
    fetch_visible,
    marking_of,
    set_marking,
    stored_marking,
    strictest,
    visible_columns,
    visible_select,
)

REVIEW_KIND = "review"
WRITE_ACTION = "reviews.write"


class ReviewNotFound(errors.NotFound):
    def __init__(self, number: int) -> None:
        super().__init__(f"no review session number {number}")
        self.number = number


@dataclass(frozen=True)
class ReviewDetail:
    """A session with its agenda and outcomes, as the user may see them."""

    session: ReviewSession
    agenda: tuple[AgendaItem, ...]
    outcomes: tuple[ReviewOutcome, ...]
    banner: str


def _audit(session: Session, user: User, number: int, source: str, **detail: object) -> None:
    """Append a made change to a review session to the audit log (dates as ISO strings)."""
    audit.record(
        session,
        user,
        WRITE_ACTION,
        outcome=Outcome.OK,
        source=source,
        record_kind="review",
        record_id=str(number),
        detail={
            key: value.isoformat() if isinstance(value, date) else value
            for key, value in detail.items()
            if value is not None
        },
    )


def require_reviewer(user: User, action: str) -> None:
    """Raise `NotPermitted` unless `user` may write review records."""
    if not policy.may_write_kind(user, REVIEW_KIND):
        raise NotPermitted(f"{user.username} ({user.role}) may not {action}")


def _session_of(record: ReviewSessionRecord) -> ReviewSession:
    return ReviewSession(
        number=record.number,
        level=ReviewLevel(record.level),
        proposed_on=record.proposed_on,
        confirmed_on=record.confirmed_on,
        state=ReviewState(record.state),
        venue=record.venue,
        title=record.title,
        participants=tuple(Participant(p.name, Party(p.side), p.role) for p in record.participants),
        fictional=record.fictional,
    )


def _agenda_of(record: AgendaItemRecord) -> AgendaItem:
    return AgendaItem(
        position=record.position,
        reference=record.reference,
        title=record.title,
        status=CaseStatus(record.status),
        priority=Priority(record.priority),
        age_days=record.age_days,
        releasable_summary=record.releasable_summary,
        changes=tuple(ChangeNote(date.fromisoformat(c["on"]), c["text"]) for c in record.changes),
        note=record.note,
    )


def _outcome_of(record: ReviewOutcomeRecord) -> ReviewOutcome:
    return ReviewOutcome(
        reference=record.reference,
        partner_statement=record.partner_statement,
        next_step=record.next_step,
        home_note=record.home_note,
        new_status=CaseStatus(record.new_status) if record.new_status else None,
        outcome=CaseOutcome(record.outcome) if record.outcome else None,
        merged_into=record.merged_into,
    )


def load_review(session: Session, user: User, number: int) -> ReviewSessionRecord:
    """The session `number` if `user` may see it; else `ReviewNotFound`."""
    return fetch_visible(
        session,
        ReviewSessionRecord,
        user,
        ReviewSessionRecord.number == number,
        missing=lambda: ReviewNotFound(number),
        options=[
            selectinload(ReviewSessionRecord.participants),
            selectinload(ReviewSessionRecord.agenda),
            selectinload(ReviewSessionRecord.outcomes),
        ],
    )


def review_detail(
    session: Session, user: User, record: ReviewSessionRecord, present: bool = True
) -> ReviewDetail:
    """The session as `user` may see it: only agenda lines and outcomes on cases the reader
    may read (home readers of every clearance too), positions renumbered 1..n over what the
    reader sees, merges into cases they cannot see redacted, home-only notes left out for the
    partner, the banner of the strictest item shown, and (when `present`) case references as
    the reader is shown them (`shown_references`)."""
    references = [i.reference for i in record.agenda] + [o.reference for o in record.outcomes]
    merged = [o.merged_into for o in record.outcomes if o.merged_into]
    markings = visible_case_markings(session, user, references + merged)
    home = user.party is Party.HOME
    agenda = [
        replace(_agenda_of(item), position=position)
        for position, item in enumerate(
            (i for i in record.agenda if i.reference in markings), start=1
        )
    ]
    outcomes = [
        replace(_outcome_of(o), merged_into=o.merged_into if o.merged_into in markings else None)
        for o in record.outcomes
        if o.reference in markings
    ]
    shown = {i.reference for i in agenda} | {o.reference for o in outcomes}
    banner = strictest([marking_of(record), *(markings[r] for r in shown)], user)
    if not home:
        agenda = [replace(item, note="", priority=Priority.MEDIUM) for item in agenda]
        outcomes = [replace(o, home_note="") for o in outcomes]
    if present:
        refs = shown_references(session, user)
        agenda = [replace(i, reference=refs.shown(i.reference)) for i in agenda]
        outcomes = [
            replace(
                o,
                reference=refs.shown(o.reference),
                merged_into=refs.shown(o.merged_into) if o.merged_into else None,
            )
            for o in outcomes
        ]
    return ReviewDetail(
        session=_session_of(record),
        agenda=tuple(agenda),
        outcomes=tuple(outcomes),
        banner=banner.banner(),
    )


def visible_case_markings(
    session: Session, user: User, references: Sequence[str]
) -> dict[str, Marking]:
    """reference → marking of the cases among `references` that `user` may read."""
    wanted = sorted(set(references))
    if not wanted:
        return {}
    rows = session.execute(
        visible_columns(
            CaseRecord,
            user,
            CaseRecord.reference,
            CaseRecord.classification,
            CaseRecord.caveats,
            CaseRecord.rel_to,
            CaseRecord.shared_with_partner,
        ).where(CaseRecord.reference.in_(wanted))
    )
    return {
        reference: stored_marking(level, caveats, rel_to, shared)
        for reference, level, caveats, rel_to, shared in rows
    }


def schedule_review(
    engine: Engine,
    user: User,
    *,
    level: ReviewLevel,
    proposed_on: date,
    partner_country: str,
    venue: str = "",
    title: str = "",
    participants: Sequence[Participant] = (),
    confirmed_on: date | None = None,
    fictional: bool = False,
    source: str = "cli",
) -> ReviewDetail:
    """Propose a review (it awaits the partner's answer unless `confirmed_on` is given).

    The session is marked unclassified, shared and REL TO `partner_country`. Raises
    `NotPermitted`.
    """
    require_reviewer(user, "schedule reviews")
    with transaction(engine) as session:
        number = (session.scalar(select(func.max(ReviewSessionRecord.number))) or 0) + 1
        record = ReviewSessionRecord(
            number=number,
            level=level,
            state=ReviewState.CONFIRMED if confirmed_on else ReviewState.PROPOSED,
            proposed_on=proposed_on,
            confirmed_on=confirmed_on,
            venue=venue,
            title=title,
            fictional=fictional,
            created_by=user.username,
            participants=[
                ReviewParticipantRecord(position=n, side=p.side, name=p.name, role=p.role)
                for n, p in enumerate(participants)
            ],
            agenda=[],
            outcomes=[],
        )
        set_marking(
            record, Marking(Level.U, rel_to=frozenset({partner_country.upper()}), shared=True)
        )
        session.add(record)
        session.flush()
        _audit(session, user, number, source, change="schedule", proposed_on=proposed_on)
        return review_detail(session, user, record)


def confirm_review(
    engine: Engine, user: User, number: int, confirmed_on: date, *, source: str = "cli"
) -> ReviewDetail:
    """Record the partner's agreement to meet on `confirmed_on`. Raises `ReviewNotFound`,
    `NotPermitted`, `InvalidCaseData` (a cancelled or already held session)."""
    require_reviewer(user, "confirm reviews")
    with transaction(engine) as session:
        record = load_review(session, user, number)
        if record.state in (ReviewState.CANCELLED, ReviewState.HELD):
            raise InvalidCaseData(f"review {number} is {record.state} and cannot be confirmed")
        record.confirmed_on = confirmed_on
        record.state = ReviewState.CONFIRMED
        _audit(session, user, number, source, change="confirm", confirmed_on=confirmed_on)
        return review_detail(session, user, record)


def _previous_meeting(session: Session, user: User, record: ReviewSessionRecord) -> date | None:
    others = session.scalars(
        visible_select(
            ReviewSessionRecord,
            user,
            ReviewSessionRecord.number != record.number,
            ReviewSessionRecord.state.in_([ReviewState.CONFIRMED, ReviewState.HELD]),
        )
    ).all()
    meeting = record.confirmed_on or record.proposed_on
    earlier = [
        (o.confirmed_on or o.proposed_on)
        for o in others
        if (o.confirmed_on or o.proposed_on) < meeting
    ]
    return max(earlier, default=None)


def build_agenda(engine: Engine, user: User, number: int, *, source: str = "cli") -> ReviewDetail:
    """(Re)generate the agenda from the cases active on the meeting day, ordered by age then
    priority, with changes since the previous confirmed or held review. Notes already written
    on cases that stay on the agenda are kept. Raises `ReviewNotFound`, `NotPermitted`."""
    require_reviewer(user, "build agendas")
    with session_factory(engine)() as session:
        found = load_review(session, user, number)
        meeting = found.confirmed_on or found.proposed_on
    cases = cases_possibly_active_at(engine, user, end_of_day(meeting))
    with transaction(engine) as session:
        record = load_review(session, user, number)
        items = generate_agenda(cases, meeting, _previous_meeting(session, user, record))
        notes = {item.reference: item.note for item in record.agenda}
        ids = {
            reference: case_id
            for reference, case_id in session.execute(
                visible_columns(CaseRecord, user, CaseRecord.reference, CaseRecord.id).where(
                    CaseRecord.reference.in_([i.reference for i in items])
                )
            )
        }
        record.agenda.clear()
        session.flush()
        for item in items:
            record.agenda.append(
                AgendaItemRecord(
                    case_id=ids.get(item.reference),
                    position=item.position,
                    reference=item.reference,
                    title=item.title,
                    status=item.status,
                    priority=item.priority,
                    age_days=item.age_days,
                    releasable_summary=item.releasable_summary,
                    changes=[{"on": c.on.isoformat(), "text": c.text} for c in item.changes],
                    note=notes.get(item.reference, ""),
                )
            )
        session.flush()
        _audit(session, user, number, source, change="agenda", cases=len(items))
        return review_detail(session, user, record)


def edit_agenda_item(
    engine: Engine,
    user: User,
    number: int,
    reference: str,
    *,
    note: str | None = None,
    position: int | None = None,
    remove: bool = False,
    source: str = "cli",
) -> ReviewDetail:
    """Edit one agenda line: its note, its place (1-based), or remove it. Positions are
    renumbered 1..n afterwards. Raises `ReviewNotFound`, `NotPermitted`, `InvalidCaseData`
    (the case is not on the agenda)."""
    require_reviewer(user, "edit agendas")
    with transaction(engine) as session:
        record = load_review(session, user, number)
        agenda = record.agenda
        # A line on a case the user may not read is not on the agenda for them, and `position`
        # counts only the lines they see.
        seen = visible_case_markings(session, user, [i.reference for i in agenda])
        item = next((i for i in agenda if i.reference == reference and i.reference in seen), None)
        if item is None:
            raise InvalidCaseData(f"case {reference} is not on the agenda of review {number}")
        if note is not None:
            item.note = note
        index = agenda.index(item)
        agenda.pop(index)  # delete-orphan: removal deletes the row
        if not remove:
            place = index
            if position is not None:
                others = [i for i in agenda if i.reference in seen]
                wanted = max(0, min(position - 1, len(others)))
                place = (
                    agenda.index(others[wanted])
                    if wanted < len(others)
                    else (agenda.index(others[-1]) + 1 if others else len(agenda))
                )
            agenda.insert(place, item)
        for new_position, kept in enumerate(agenda, start=1):
            kept.position = new_position
        session.flush()
        _audit(
            session,
            user,
            number,
            source,
            change="agenda line",
            case=reference,
            note=note is not None,
            position=position,
            remove=remove,
        )
        return review_detail(session, user, record)


def record_outcome(
    engine: Engine,
    user: User,
    number: int,
    reference: str,
    *,
    partner_statement: str = "",
    next_step: str = "",
    home_note: str = "",
    new_status: CaseStatus | None = None,
    reason: str = "",
    outcome: CaseOutcome | None = None,
    merged_into: str | None = None,
    source: str = "cli",
) -> ReviewDetail:
    """Record what the meeting concluded on a case (replacing an earlier outcome for it), and
    apply `new_status` to the case on the meeting day with `reason` (default: "review N").
    The session becomes held. Raises `ReviewNotFound`, `CaseNotFound`, `NotPermitted`,
    `IllegalTransition`, `IncompleteTransition`, `InvalidCaseData` (cancelled session)."""
    require_reviewer(user, "record review outcomes")
    with transaction(engine) as session:
        record = load_review(session, user, number)
        if record.state == ReviewState.CANCELLED:
            raise InvalidCaseData(f"review {number} was cancelled")
        case = load_record(session, user, reference)
        meeting = record.confirmed_on or record.proposed_on
        if new_status is not None:
            move_record(
                session,
                user,
                case,
                new_status,
                reason=reason or f"review {number} ({meeting.isoformat()})",
                outcome=outcome,
                merged_into=merged_into,
                at=_outcome_moment(meeting, case),
                source=source,
            )
        existing = next((o for o in record.outcomes if o.reference == reference), None)
        if existing is not None:
            record.outcomes.remove(existing)
            session.flush()
        record.outcomes.append(
            ReviewOutcomeRecord(
                case_id=case.id,
                reference=reference,
                partner_statement=partner_statement,
                next_step=next_step,
                home_note=home_note,
                new_status=new_status,
                outcome=outcome,
                merged_into=merged_into.strip() if merged_into else None,
                recorded_by=user.username,
                recorded_at=utcnow(),
            )
        )
        record.state = ReviewState.HELD
        if record.confirmed_on is None:
            record.confirmed_on = record.proposed_on
        session.flush()
        _audit(session, user, number, source, change="outcome", case=reference, status=new_status)
        return review_detail(session, user, record)


def _outcome_moment(meeting: date, case: CaseRecord) -> datetime:
    """When an outcome's status change is dated: the meeting day at 15:00 UTC, or just after
    the case's latest change when that change was made later on the meeting day itself (an
    outcome recorded at the end of a meeting that day). A case changed after the meeting day
    keeps 15:00, and the state machine then refuses the out-of-order change."""
    moment = datetime.combine(meeting, time(15, 0), UTC)
    if case.events:
        latest = aware(case.events[-1].at)
        if moment <= latest and latest.date() == meeting:
            return latest + timedelta(seconds=1)
    return moment


def cancel_review(engine: Engine, user: User, number: int, *, source: str = "cli") -> ReviewDetail:
    """Cancel a session that has not been held. Raises `ReviewNotFound`, `NotPermitted`,
    `InvalidCaseData`."""
    require_reviewer(user, "cancel reviews")
    with transaction(engine) as session:
        record = load_review(session, user, number)
        if record.state == ReviewState.HELD:
            raise InvalidCaseData(f"review {number} was held and cannot be cancelled")
        record.state = ReviewState.CANCELLED
        _audit(session, user, number, source, change="cancel")
        return review_detail(session, user, record)


def get_review(engine: Engine, user: User, number: int) -> ReviewDetail:
    """One session as `user` may see it. Raises `ReviewNotFound`."""
    with session_factory(engine)() as session:
        return review_detail(session, user, load_review(session, user, number))


def list_reviews(engine: Engine, user: User) -> list[ReviewSession]:
    """Every session `user` may see, by meeting date."""
    with session_factory(engine)() as session:
        records = session.scalars(
            visible_select(ReviewSessionRecord, user).options(
                selectinload(ReviewSessionRecord.participants)
            )
        ).all()
        sessions = [_session_of(r) for r in records]
    return sorted(sessions, key=lambda s: (s.meeting_on, s.number))


def review_dates(engine: Engine, user: User) -> list[date]:
    """Meeting dates of held reviews (the boundaries of review cycles)."""
    return [s.meeting_on for s in list_reviews(engine, user) if s.state is ReviewState.HELD]
