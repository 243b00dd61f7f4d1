"""Case use cases: create, list, show, move, link cables, record partner responses.

The stored case, its views and the session-level moves are `services.case_records`; the
references each reader is shown, `services.case_references`; screening a case's subjects,
`services.case_subjects`. Every function takes the engine and the acting user and goes through
the shared access policy (`npdesk.security.policy`): a liaison (partner party) sees only cases
shared with the partner (the shared flag or REL TO their country, never NOFORN, at or below the
agreed level), only their releasable fields, and writes only partner responses. A case the
user may not see answers exactly like a case that does not exist.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time

from sqlalchemy import func, or_, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from npdesk.domain.cases import (
    ACTIVE_STATUSES,
    CableLink,
    Case,
    CaseOutcome,
    CaseStatus,
    IncompleteTransition,
    Item,
    Priority,
    Subject,
    apply_transition,
    new_case,
)
from npdesk.security.countries import InvalidRelTo, validate_rel_to
from npdesk.security.model import Level, Marking, User
from npdesk.services.case_records import (
    RESPOND_ACTION,
    WRITE_ACTION,
    CaseNotFound,
    InvalidCaseData,
    NotPermitted,
    audit_change,
    aware,
    case_from_record,
    event_record,
    load_record,
    mark_case,
    may_respond,
    may_see,
    may_write_cases,
    move_record,
    require_writer,
    view_of,
    views_for,
    with_children,
)
from npdesk.services.two_person import (
    partner_may_read,
    refuse_one_step_release,
    refuse_shared_creation,
)
from npdesk.store.db import session_factory, transaction, utcnow
from npdesk.store.models.cables import CableParagraph, CableRecord
from npdesk.store.models.cases import (
    CaseCableLink,
    CaseEventRecord,
    CaseItemRecord,
    CaseRecord,
    CaseSubjectRecord,
    PartnerResponseRecord,
)
from npdesk.store.visibility import (
    find_visible,
    marking_of,
    strictest,
    visible_columns,
    visible_select,
)

#: How a case's release is proposed (a second officer approves it).
RELEASE_HOW = "`npdesk cases release REFERENCE` or POST /api/v1/cases/{reference}/release"


@dataclass(frozen=True)
class CaseInput:
    """What an officer enters for a new case. `reference` is assigned when None."""

    title: str
    allegation_summary: str = ""
    releasable_summary: str = ""
    priority: Priority = Priority.MEDIUM
    subjects: tuple[Subject, ...] = ()
    items: tuple[Item, ...] = ()
    origin_countries: tuple[str, ...] = ()
    destination_countries: tuple[str, ...] = ()
    cable_links: tuple[CableLink, ...] = ()
    marking: Marking = field(default_factory=lambda: Marking(Level.U))
    fictional: bool = False
    reference: str | None = None


@dataclass(frozen=True)
class CasePage:
    """One page of a case listing and the total number the user may see."""

    cases: tuple[Case, ...]
    total: int
    offset: int
    limit: int | None
    #: The page's banner: the strictest marking among the cases it shows.
    banner: str = "UNCLASSIFIED"


def next_reference(session: Session, year: int) -> str:
    """The next free reference for `year`, `NPC-2008-007` style."""
    prefix = f"NPC-{year}-"
    count = session.scalar(
        select(func.count()).select_from(CaseRecord).where(CaseRecord.reference.like(prefix + "%"))
    )
    number = (count or 0) + 1
    while session.scalar(
        select(CaseRecord.id).where(CaseRecord.reference == f"{prefix}{number:03d}")
    ):
        number += 1
    return f"{prefix}{number:03d}"


def _validate(data: CaseInput) -> None:
    if not data.title.strip():
        raise InvalidCaseData("a case needs a title")
    if data.marking.shared and data.marking.noforn:
        raise InvalidCaseData("a NOFORN case cannot be shared with the partner")
    try:
        validate_rel_to(data.marking.rel_to)
    except InvalidRelTo as error:
        raise InvalidCaseData(str(error)) from None


def _check_cable_link(session: Session, user: User, link: CableLink) -> None:
    # A cable the user may not read answers like one that is not stored.
    if find_visible(session, CableRecord, user, CableRecord.id == link.cable_id) is None:
        raise InvalidCaseData(f"no stored cable {link.cable_id!r}")
    if link.paragraph is not None:
        found = session.scalar(
            visible_columns(CableParagraph, user, CableParagraph.id).where(
                CableParagraph.cable_id == link.cable_id, CableParagraph.number == link.paragraph
            )
        )
        if found is None:
            raise InvalidCaseData(f"cable {link.cable_id} has no paragraph {link.paragraph}")


# --- use cases ------------------------------------------------------------------------------


def create_case(
    engine: Engine,
    user: User,
    data: CaseInput,
    *,
    reason: str = "case drafted",
    at: datetime | None = None,
    source: str = "cli",
) -> Case:
    """Create a draft case (audited from `source`). Raises `NotPermitted`, `InvalidCaseData`
    (blank title, unknown cable or paragraph, duplicate reference, NOFORN yet shared),
    `SecondPersonNeeded` (created shared with two-person release on)."""
    require_writer(user, "create cases")
    _validate(data)
    refuse_shared_creation("case", data.marking, RELEASE_HOW)
    moment = aware(at or utcnow())
    with transaction(engine) as session:
        reference = data.reference or next_reference(session, moment.year)
        if session.scalar(select(CaseRecord.id).where(CaseRecord.reference == reference)):
            raise InvalidCaseData(f"case {reference} already exists")
        for link in data.cable_links:
            _check_cable_link(session, user, link)
        case = new_case(
            Case(reference=reference, title=data.title.strip()),
            actor=user.username,
            at=moment,
            reason=reason,
        )
        record = CaseRecord(
            reference=reference,
            title=case.title,
            status=case.status,
            priority=data.priority,
            allegation_summary=data.allegation_summary,
            releasable_summary=data.releasable_summary,
            origin_countries=" ".join(c.upper() for c in data.origin_countries),
            destination_countries=" ".join(c.upper() for c in data.destination_countries),
            fictional=data.fictional,
            created_by=user.username,
            subjects=[
                CaseSubjectRecord(
                    position=n,
                    kind=s.kind,
                    name=s.name,
                    country=s.country,
                    screening_ref=s.screening_ref,
                )
                for n, s in enumerate(data.subjects)
            ],
            items=[
                CaseItemRecord(
                    position=n, description=i.description, regime=i.regime, category=i.category
                )
                for n, i in enumerate(data.items)
            ],
            cable_links=[
                CaseCableLink(
                    cable_id=link.cable_id, paragraph=link.paragraph, linked_by=user.username
                )
                for link in dict.fromkeys(data.cable_links)
            ],
            events=[event_record(case.history[0])],
        )
        session.add(record)
        session.flush()
        mark_case(session, record, data.marking)
        audit_change(
            session,
            user,
            WRITE_ACTION,
            reference,
            source,
            change="create",
            marking=data.marking.banner(),
        )
        return view_of(session, user, record)


def list_cases(
    engine: Engine,
    user: User,
    *,
    statuses: Sequence[CaseStatus] | None = None,
    offset: int = 0,
    limit: int | None = None,
    summary: bool = False,
) -> CasePage:
    """The cases `user` may see, newest reference first, optionally only in `statuses`,
    paged by `offset`/`limit`; each as `view_for(user, ...)`. With `summary`, cases carry
    their items and history but no subjects, sources or responses (for list pages)."""
    query = visible_select(CaseRecord, user)
    counting = select(func.count()).select_from(query.subquery())
    if statuses:
        query = query.where(CaseRecord.status.in_(list(statuses)))
        counting = select(func.count()).select_from(query.subquery())
    query = query.order_by(CaseRecord.reference.desc()).offset(offset)
    query = query.options(*with_children(summary))
    if limit is not None:
        query = query.limit(limit)
    with session_factory(engine)() as session:
        total = session.scalar(counting) or 0
        records = session.scalars(query).all()
        cases = tuple(views_for(session, user, records, summary))
    banner = strictest([c.marking for c in cases], user).banner()
    return CasePage(cases, total, offset, limit, banner)


def all_cases(engine: Engine, user: User) -> list[Case]:
    """Every case `user` may see, as they may see it."""
    return list(list_cases(engine, user).cases)


def cases_possibly_active_at(engine: Engine, user: User, moment: datetime) -> list[Case]:
    """The cases `user` may see that could have been active at `moment`: those active now and
    those changed after `moment` (a case active then but not now must have changed since).
    Callers still check each case's status at `moment`; this only spares loading the rest."""
    changed_since = select(CaseEventRecord.case_id).where(CaseEventRecord.at > moment)
    query = visible_select(
        CaseRecord,
        user,
        or_(
            CaseRecord.status.in_([s.value for s in ACTIVE_STATUSES]),
            CaseRecord.id.in_(changed_since),
        ),
    )
    with session_factory(engine)() as session:
        records = session.scalars(query.options(*with_children())).all()
        return views_for(session, user, records)


def get_case(engine: Engine, user: User, reference: str) -> Case:
    """One case as `user` may see it. Raises `CaseNotFound`."""
    with session_factory(engine)() as session:
        return view_of(session, user, load_record(session, user, reference))


def transition_case(
    engine: Engine,
    user: User,
    reference: str,
    target: CaseStatus,
    *,
    reason: str,
    outcome: CaseOutcome | None = None,
    merged_into: str | None = None,
    at: datetime | None = None,
    source: str = "cli",
) -> Case:
    """Move a case to `target` with a reason (and outcome when closing), audited.

    Raises `CaseNotFound`, `NotPermitted`, `IllegalTransition`, `IncompleteTransition`.
    """
    with transaction(engine) as session:
        record = load_record(session, user, reference)
        return move_record(
            session,
            user,
            record,
            target,
            reason=reason,
            outcome=outcome,
            merged_into=merged_into,
            at=at,
            source=source,
        )


def link_cable(
    engine: Engine,
    user: User,
    reference: str,
    cable_id: str,
    paragraph: int | None = None,
    *,
    source: str = "cli",
) -> Case:
    """Link a stored cable, or one numbered paragraph of it, to a case (idempotent).

    Raises `CaseNotFound`, `NotPermitted`, `InvalidCaseData` (unknown cable or paragraph).
    """
    require_writer(user, "link cables to cases")
    link = CableLink(cable_id, paragraph)
    with transaction(engine) as session:
        record = load_record(session, user, reference)
        _check_cable_link(session, user, link)
        if all((c.cable_id, c.paragraph) != (cable_id, paragraph) for c in record.cable_links):
            record.cable_links.append(
                CaseCableLink(cable_id=cable_id, paragraph=paragraph, linked_by=user.username)
            )
            audit_change(
                session,
                user,
                WRITE_ACTION,
                reference,
                source,
                change="link",
                cable=cable_id,
                paragraph=paragraph,
            )
        session.flush()
        return view_of(session, user, record)


def record_partner_response(
    engine: Engine,
    user: User,
    reference: str,
    text: str,
    received_on: date,
    *,
    move_to_responded: bool = True,
    at: datetime | None = None,
    source: str = "cli",
) -> Case:
    """Record what the partner said about a case, as a liaison or a home officer.

    When `move_to_responded` and the case is raised or under investigation, it moves to
    `partner_responded` with the reason "partner response received" (recorded under the
    acting user; liaisons may make this one move). Returns the case as `user` sees it.
    Raises `CaseNotFound`, `NotPermitted`, `IncompleteTransition` (blank text).
    """
    if not text.strip():
        raise IncompleteTransition("a partner response needs its text")
    with transaction(engine) as session:
        record = load_record(session, user, reference)
        if not may_respond(user, marking_of(record)):
            raise NotPermitted(f"{user.username} may not record responses on {reference}")
        record.responses.append(
            PartnerResponseRecord(
                received_on=received_on, text=text.strip(), recorded_by=user.username
            )
        )
        audit_change(
            session,
            user,
            RESPOND_ACTION,
            reference,
            source,
            change="response",
            received_on=received_on.isoformat(),
        )
        case = case_from_record(record)
        waiting = {CaseStatus.RAISED, CaseStatus.PARTNER_INVESTIGATING}
        if move_to_responded and case.status in waiting:
            # Dated on the day received, but never before the case's latest change.
            noon = datetime.combine(received_on, time(12, 0), UTC)
            moment = aware(at) if at else max(noon, case.history[-1].at)
            moved = apply_transition(
                case,
                CaseStatus.PARTNER_RESPONDED,
                reason="partner response received",
                actor=user.username,
                at=moment,
            )
            record.status = moved.status
            record.events.append(event_record(moved.history[-1]))
            audit_change(
                session,
                user,
                RESPOND_ACTION,
                reference,
                source,
                change="status",
                old=case.status,
                new=moved.status,
            )
        session.flush()
        return view_of(session, user, record)


def update_marking(
    engine: Engine, user: User, reference: str, marking: Marking, *, source: str = "cli"
) -> Case:
    """Change a case's marking (e.g. share it with the partner in one step, on a one-person
    desk). Raises `CaseNotFound`, `NotPermitted`, `InvalidCaseData` (NOFORN yet shared),
    `SecondPersonNeeded` (a marking the partner may read, with two-person release on: the
    release is proposed instead, `npdesk.services.approvals`)."""
    require_writer(user, "change a case's marking")
    if marking.shared and marking.noforn:
        raise InvalidCaseData("a NOFORN case cannot be shared with the partner")
    with transaction(engine) as session:
        record = load_record(session, user, reference)
        if partner_may_read(marking) and not partner_may_read(marking_of(record)):
            refuse_one_step_release(f"case {reference} marked {marking.banner()}", RELEASE_HOW)
        old = marking_of(record).banner()
        mark_case(session, record, marking)
        audit_change(
            session,
            user,
            WRITE_ACTION,
            reference,
            source,
            change="marking",
            old=old,
            new=marking.banner(),
        )
        session.flush()
        return view_of(session, user, record)


def edit_case(
    engine: Engine,
    user: User,
    reference: str,
    *,
    title: str | None = None,
    releasable_summary: str | None = None,
    allegation_summary: str | None = None,
    priority: Priority | None = None,
    source: str = "cli",
) -> Case:
    """Change a case's text fields (None leaves a field as it is). Raises `CaseNotFound`,
    `NotPermitted`, `InvalidCaseData` (blank title)."""
    require_writer(user, "edit cases")
    with transaction(engine) as session:
        record = load_record(session, user, reference)
        if title is not None:
            if not title.strip():
                raise InvalidCaseData("a case needs a title")
            record.title = title.strip()
        if releasable_summary is not None:
            record.releasable_summary = releasable_summary
        if allegation_summary is not None:
            record.allegation_summary = allegation_summary
        if priority is not None:
            record.priority = priority
        changed = [
            name
            for name, value in (
                ("title", title),
                ("releasable_summary", releasable_summary),
                ("allegation_summary", allegation_summary),
                ("priority", priority),
            )
            if value is not None
        ]
        audit_change(session, user, WRITE_ACTION, reference, source, change="edit", fields=changed)
        session.flush()
        return view_of(session, user, record)


__all__ = [
    "CaseInput",
    "CaseNotFound",
    "CasePage",
    "InvalidCaseData",
    "NotPermitted",
    "all_cases",
    "cases_possibly_active_at",
    "create_case",
    "edit_case",
    "get_case",
    "link_cable",
    "list_cases",
    "may_respond",
    "may_see",
    "may_write_cases",
    "record_partner_response",
    "transition_case",
    "update_marking",
]
