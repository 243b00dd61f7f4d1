"""The stored case as the services handle it: errors, the access checks, loading a case the
reader may see, the conversions between rows and the domain's `Case`, the views each reader
gets, and the session-level moves the handover and review services build on (a status change,
a release to the partner).

Every function takes the session (or engine), the acting user, then the rest. A case the
user may not see answers exactly like a case that does not exist: the check is in the query.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime

from sqlalchemy.orm import Session, raiseload, selectinload
from sqlalchemy.sql.base import ExecutableOption

from npdesk.domain.cases import (
    CableLink,
    Case,
    CaseEvent,
    CaseOutcome,
    CaseStatus,
    ControlRegime,
    Item,
    PartnerResponse,
    Priority,
    Subject,
    SubjectKind,
    apply_transition,
    redact,
)
from npdesk.security import policy
from npdesk.security.audit import Outcome
from npdesk.security.model import Marking, Party, User
from npdesk.security.partners import agreed_level
from npdesk.services import audit, errors
from npdesk.services.case_references import (
    assign_partner_reference,
    partner_case_ids,
    shown_references,
)
from npdesk.settings import partner_country
from npdesk.store.db import utcnow
from npdesk.store.models.cables import CableRecord
from npdesk.store.models.cases import CaseEventRecord, CaseRecord
from npdesk.store.visibility import fetch_visible, marking_of, set_marking, visible_keys

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


def event_record(event: CaseEvent) -> CaseEventRecord:
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
    """The stored case `reference` (as `user` is shown references: the desk's for home users,
    their government's own number for partner users) if `user` may see it; else
    `CaseNotFound`, the same for a hidden case as for a missing one (one query)."""
    named = (
        CaseRecord.reference == reference.strip()
        if user.party is Party.HOME
        else CaseRecord.id.in_(partner_case_ids(user, reference))
    )
    return fetch_visible(
        session,
        CaseRecord,
        user,
        named,
        missing=lambda: CaseNotFound(reference),
        options=with_children(),
    )


def mark_case(session: Session, record: CaseRecord, marking: Marking) -> None:
    """Store `marking` on a case: the only way a case's marking changes, so that a case the
    partner may read from now on gets its partner reference in the same transaction."""
    set_marking(record, marking)
    session.flush()
    assign_partner_reference(session, record)


def release_case_in(
    session: Session, user: User, record: CaseRecord, *, source: str, action: str
) -> Marking:
    """Release a case to the partner in the caller's transaction: through the release policy,
    marked shared and REL TO the partner, audited under `action`. Returns the new marking.
    Raises `InvalidCaseData` when the policy refuses (NOFORN, above the agreed level...).
    Callers decide whether one person may do this (`npdesk.services.approvals`)."""
    partner = partner_country()
    decision = policy.may_release(user, marking_of(record), agreed_level(partner))
    if not decision:
        raise InvalidCaseData(f"case {record.reference} cannot be released: {decision.reason}")
    marking = replace(policy.released(marking_of(record), partner), shared=True)
    mark_case(session, record, marking)
    audit.record_release(
        session,
        user,
        decision,
        partner=partner,
        marking=marking,
        record_kind="case",
        record_id=record.reference,
        source=source,
        action=action,
    )
    return marking


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
    record.events.append(event_record(moved.history[-1]))
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
