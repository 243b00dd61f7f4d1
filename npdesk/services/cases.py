"""Case use cases: create, list, show, move, link cables, record partner responses.

Every function takes the engine and the acting user and goes through the shared access policy
(`npdesk.security.policy`) via `may_see` / `may_write_cases` / `may_respond`: a liaison
(partner party) sees only cases shared with the partner (the shared flag or REL TO their
country, never NOFORN, at or below the agreed level), only their releasable fields, and writes
only partner responses. A case the user may not see answers exactly like a
case that does not exist.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time

from sqlalchemy import func, or_, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, raiseload, selectinload
from sqlalchemy.sql.base import ExecutableOption

from npdesk.domain.cases import (
    ACTIVE_STATUSES,
    CableLink,
    Case,
    CaseEvent,
    CaseOutcome,
    CaseStatus,
    ControlRegime,
    IncompleteTransition,
    Item,
    PartnerResponse,
    Priority,
    Subject,
    SubjectKind,
    apply_transition,
    new_case,
    redact,
)
from npdesk.security import policy
from npdesk.security.audit import Outcome
from npdesk.security.countries import InvalidRelTo, validate_rel_to
from npdesk.security.model import Level, Marking, Party, User
from npdesk.services import audit, errors
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
    fetch_visible,
    find_visible,
    marking_of,
    set_marking,
    strictest,
    visible_columns,
    visible_keys,
    visible_select,
)

CASE_KIND = "case"
#: Registered actions the case services audit their changes under.
WRITE_ACTION = "cases.write"
RESPOND_ACTION = "partner.respond"
PARTNER_RESPONSE_KIND = "partner_response"


class CaseNotFound(errors.NotFound):
    """No case with that reference exists, or the user may not see it."""

    def __init__(self, reference: str) -> None:
        super().__init__(f"no case {reference!r}")
        self.reference = reference


class NotPermitted(errors.NotPermitted):
    """The user may not perform this action."""


class InvalidCaseData(errors.Invalid):
    """The submitted case data is incomplete or inconsistent."""


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


# --- access: the shared security policy, applied to cases ---------------------------------


def may_see(user: User, marking: Marking) -> bool:
    """Whether `user` may see a record marked `marking` (see `npdesk.security.policy`)."""
    return policy.may_read(user, marking)


def may_write_cases(user: User) -> bool:
    """Whether `user` may create and change cases, lists and reviews (home officers, admins)."""
    return policy.may_write_kind(user, CASE_KIND)


def may_respond(user: User, marking: Marking) -> bool:
    """Whether `user` may record a partner response on a case marked `marking`: a liaison on
    a case shared with their government, or a home officer or admin."""
    return policy.may_write(user, PARTNER_RESPONSE_KIND, marking)


def require_writer(user: User, action: str) -> None:
    """Raise `NotPermitted` unless `user` may write cases."""
    if not may_write_cases(user):
        raise NotPermitted(f"{user.username} ({user.role}) may not {action}")


def audit_change(
    session: Session,
    user: User,
    action: str,
    reference: str,
    source: str,
    **detail: object,
) -> None:
    """Append a made change to the audit log in the change's own transaction."""
    audit.record(
        session,
        user,
        action,
        outcome=Outcome.OK,
        source=source,
        record_kind="case",
        record_id=reference,
        detail={key: value for key, value in detail.items() if value is not None},
    )


def view_for(user: User, case: Case) -> Case:
    """The case as `user` may see it: whole for home users, redacted for the partner, whose
    copy carries `REL TO` their country (everything they are shown is released to them).
    References to other records are cut by `views_for`, which callers use."""
    if user.party is Party.HOME:
        return case
    marking = case.marking
    if user.country:
        marking = replace(marking, rel_to=marking.rel_to | {user.country.upper()})
    return replace(redact(case), marking=marking)


class ShownReferences:
    """The case references a reader is shown. Home users see the desk's own references.

    A partner user sees their own numbering, `CHN-2007-001` style: per year, 1..n over the
    cases they may read in the order they were created, so no gap tells how many cases are
    held back, and the form differs from the desk's own references so a number never means one
    case to the officer and another to the liaison. The numbering is computed from what the
    reader sees (no stored column yet): releasing an older case renumbers later ones.
    """

    def __init__(self, shown: dict[str, str] | None) -> None:
        self._shown = shown
        self._home = {v: k for k, v in shown.items()} if shown is not None else None

    def shown(self, reference: str) -> str:
        """The reference to show for the desk's `reference`."""
        if self._shown is None:
            return reference
        return self._shown.get(reference, WITHHELD)

    def home(self, reference: str) -> str | None:
        """The desk's reference for a reference the reader was shown (None: no such case)."""
        if self._home is None:
            return reference
        return self._home.get(reference.strip().upper())


#: What a reference to a record the reader may not see reads as (callers drop such references;
#: this only guards against one slipping through).
WITHHELD = "(withheld)"
_YEAR = re.compile(r"^[A-Z]+-(\d{4})-\d+$")


def shown_references(session: Session, user: User) -> ShownReferences:
    """The references `user` is shown (see `ShownReferences`)."""
    if user.party is Party.HOME:
        return ShownReferences(None)
    code = (user.country or "").upper()
    query = visible_columns(CaseRecord, user, CaseRecord.reference, CaseRecord.created_at)
    counters: dict[int, int] = {}
    shown: dict[str, str] = {}
    for reference, created in session.execute(query.order_by(CaseRecord.id)):
        match = _YEAR.match(reference)
        year = int(match.group(1)) if match else aware(created).year
        counters[year] = counters.get(year, 0) + 1
        shown[reference] = f"{code}-{year}-{counters[year]:03d}"
    return ShownReferences(shown)


def views_for(
    session: Session, user: User, records: Sequence[CaseRecord], summary: bool = False
) -> list[Case]:
    """The stored cases as `user` may see them (`view_for`), with references to records the
    reader cannot see redacted (a merge into a hidden case reads as no merge target, links to
    cables they may not read are left out) and references as the reader is shown them
    (`shown_references`)."""
    cases = [case_from_record(r, summary) for r in records]
    targets = [c.merged_into for c in cases] + [e.merged_into for c in cases for e in c.history]
    merged = visible_keys(session, CaseRecord.reference, CaseRecord, user, targets)
    linked = [link.cable_id for c in cases for link in c.cable_links]
    cables = visible_keys(session, CableRecord.id, CableRecord, user, linked)
    refs = shown_references(session, user)

    def target(reference: str | None) -> str | None:
        return refs.shown(reference) if reference is not None and reference in merged else None

    shown: list[Case] = []
    for case in cases:
        history = tuple(replace(e, merged_into=target(e.merged_into)) for e in case.history)
        case = replace(
            case,
            reference=refs.shown(case.reference),
            merged_into=target(case.merged_into),
            history=history,
            cable_links=tuple(link for link in case.cable_links if link.cable_id in cables),
        )
        shown.append(view_for(user, case))
    return shown


def view_of(session: Session, user: User, record: CaseRecord) -> Case:
    """One stored case as `user` may see it (see `views_for`)."""
    return views_for(session, user, [record])[0]


# --- conversions ---------------------------------------------------------------------------


def aware(moment: datetime) -> datetime:
    """`moment` in UTC; SQLite hands back naive datetimes that were stored as UTC."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def case_from_record(record: CaseRecord, summary: bool = False) -> Case:
    """The domain case for a stored one (unredacted). A `summary` leaves subjects, sources
    and responses empty (they are not loaded for summaries; see `with_children`)."""
    return Case(
        reference=record.reference,
        title=record.title,
        status=CaseStatus(record.status),
        priority=Priority(record.priority),
        allegation_summary=record.allegation_summary,
        releasable_summary=record.releasable_summary,
        subjects=()
        if summary
        else tuple(
            Subject(s.name, SubjectKind(s.kind), s.country, s.screening_ref)
            for s in record.subjects
        ),
        items=tuple(Item(i.description, ControlRegime(i.regime), i.category) for i in record.items),
        origin_countries=tuple(record.origin_countries.split()),
        destination_countries=tuple(record.destination_countries.split()),
        cable_links=()
        if summary
        else tuple(CableLink(link.cable_id, link.paragraph) for link in record.cable_links),
        history=tuple(event_from_record(e) for e in record.events),
        responses=()
        if summary
        else tuple(PartnerResponse(r.received_on, r.text, r.recorded_by) for r in record.responses),
        outcome=CaseOutcome(record.outcome) if record.outcome else None,
        merged_into=record.merged_into,
        marking=marking_of(record),
        fictional=record.fictional,
    )


def event_from_record(record: CaseEventRecord) -> CaseEvent:
    return CaseEvent(
        at=aware(record.at),
        actor=record.actor,
        from_status=CaseStatus(record.from_status) if record.from_status else None,
        to_status=CaseStatus(record.to_status),
        reason=record.reason,
        outcome=CaseOutcome(record.outcome) if record.outcome else None,
        merged_into=record.merged_into,
    )


def _event_record(event: CaseEvent) -> CaseEventRecord:
    return CaseEventRecord(
        at=event.at,
        actor=event.actor,
        from_status=event.from_status,
        to_status=event.to_status,
        reason=event.reason,
        outcome=event.outcome,
        merged_into=event.merged_into,
    )


def with_children(summary: bool = False) -> list[ExecutableOption]:
    """Loader options for whole cases, or for summaries (items and history only; touching the
    other collections of a summary raises, so none is ever loaded row by row)."""
    rest = [CaseRecord.subjects, CaseRecord.cable_links, CaseRecord.responses]
    return [
        selectinload(CaseRecord.items),
        selectinload(CaseRecord.events),
        *((raiseload(r) if summary else selectinload(r)) for r in rest),
    ]


# --- session-level building blocks (used by the handover and review services) ---------------


def load_record(session: Session, user: User, reference: str) -> CaseRecord:
    """The stored case `reference` (as `user` is shown references: `shown_references`) if
    `user` may see it; else `CaseNotFound`, the same for a hidden case as for a missing one."""
    home = shown_references(session, user).home(reference)
    if home is None:
        raise CaseNotFound(reference)
    return fetch_visible(
        session,
        CaseRecord,
        user,
        CaseRecord.reference == home,
        missing=lambda: CaseNotFound(reference),
        options=with_children(),
    )


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


def move_record(
    session: Session,
    user: User,
    record: CaseRecord,
    target: CaseStatus,
    *,
    reason: str,
    outcome: CaseOutcome | None = None,
    merged_into: str | None = None,
    at: datetime | None = None,
    source: str = "cli",
    action: str = WRITE_ACTION,
) -> Case:
    """Apply a status change to a stored case inside `session` and audit it under `action`
    from `source`; returns the new domain case.

    Raises `NotPermitted`, `IllegalTransition`/`IncompleteTransition`, or `CaseNotFound` when
    a merge names a case that does not exist.
    """
    require_writer(user, "change a case's status")
    if merged_into:
        target_ref = merged_into.strip()
        if target_ref != record.reference:
            load_record(session, user, target_ref)
    moved = apply_transition(
        case_from_record(record),
        target,
        reason=reason,
        actor=user.username,
        at=aware(at or utcnow()),
        outcome=outcome,
        merged_into=merged_into,
    )
    record.status = moved.status
    record.outcome = moved.outcome
    record.merged_into = moved.merged_into
    record.events.append(_event_record(moved.history[-1]))
    event = moved.history[-1]
    audit_change(
        session,
        user,
        action,
        record.reference,
        source,
        change="status",
        old=event.from_status,
        new=event.to_status,
        outcome=event.outcome,
        merged_into=event.merged_into,
    )
    return moved


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
    (blank title, unknown cable or paragraph, duplicate reference, NOFORN yet shared)."""
    require_writer(user, "create cases")
    _validate(data)
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
            events=[_event_record(case.history[0])],
        )
        set_marking(record, data.marking)
        session.add(record)
        session.flush()
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
            record.events.append(_event_record(moved.history[-1]))
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
    """Change a case's marking (e.g. share it with the partner). Raises `CaseNotFound`,
    `NotPermitted`, `InvalidCaseData` (NOFORN yet shared)."""
    require_writer(user, "change a case's marking")
    if marking.shared and marking.noforn:
        raise InvalidCaseData("a NOFORN case cannot be shared with the partner")
    with transaction(engine) as session:
        record = load_record(session, user, reference)
        old = marking_of(record).banner()
        set_marking(record, marking)
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


def screen_subjects(
    engine: Engine, user: User, reference: str, *, source: str = "cli"
) -> tuple[Case, list[str]]:
    """Screen every subject of a case against the newest sanctions lists.

    Each subject is registered with the screening registry (source `case`, the case reference),
    so later list versions re-screen it, and screened; its `screening_ref` records the stored
    screening and its best hit (`screening 12: 2 hits, best LIMMT ... 0.93 match`). Returns the
    case and one line per subject. Raises `CaseNotFound`, `NotPermitted`, `InvalidCaseData`
    (no screening lists loaded, or a subject that cannot be screened).
    """
    from npdesk.screening import EntryType, Query
    from npdesk.services import screening

    require_writer(user, "screen case subjects")
    kinds = {SubjectKind.FIRM: EntryType.ENTITY, SubjectKind.PERSON: EntryType.INDIVIDUAL}
    notes: list[str] = []
    with transaction(engine) as session:
        record = load_record(session, user, reference)
        subjects = list(record.subjects)
    found: dict[int, str] = {}
    for subject in subjects:
        kind = kinds[SubjectKind(subject.kind)]
        try:
            subject_id = screening.register_subject(
                engine,
                user,
                subject.name,
                kind,
                subject.country,
                source="case",
                reference=reference,
            )
            result = screening.screen_name(
                engine,
                user,
                Query(subject.name, kind, subject.country),
                top=3,
                origin="case",
                subject_id=subject_id,
            )
        except screening.NoListsLoaded as error:
            raise InvalidCaseData(f"cannot screen: {error}") from error
        except ValueError as error:
            raise InvalidCaseData(f"cannot screen {subject.name!r}: {error}") from error
        hits = result.hits
        if hits:
            best = hits[0].hit
            band = f" {best.band.value}" if best.band else ""
            summary = (
                f"screening {result.screening_id}: {len(hits)} hit"
                f"{'' if len(hits) == 1 else 's'}, best {best.entry.name} "
                f"({best.entry.list_name}) {best.score:.2f}{band}"
            )
        else:
            summary = f"screening {result.screening_id}: no hits"
        found[subject.id] = summary[:200]
        notes.append(f"{subject.name}: {summary}")
    with transaction(engine) as session:
        record = load_record(session, user, reference)
        for subject in record.subjects:
            if subject.id in found:
                subject.screening_ref = found[subject.id]
        audit_change(
            session,
            user,
            WRITE_ACTION,
            reference,
            source,
            change="screening",
            subjects=len(found),
        )
        session.flush()
        return view_of(session, user, record), notes


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
    "screen_subjects",
    "shown_references",
    "transition_case",
    "update_marking",
]
