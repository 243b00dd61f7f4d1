"""Two-person release: what goes to the partner is proposed by one home user and approved by
another (issue 12, part 3, "one person releases to a foreign government").

A release cannot be recalled once the partner has read it, so no single officer may make one.
`propose_release` checks the release policy for the proposer and stores the proposal
(`pending_releases`), resolved to exactly what would go (a cable's paragraph numbers);
nothing changes for the partner. `approve_release`, by a different home user who may release
it too, applies the existing one-step release code in the same transaction; `reject_release`
keeps the reason. Both steps write their audit entry in the transaction of the change; a
refusal writes its own entry and commits it (it is the transaction's only write).

Clearing a screening hit in the match band as a false positive is treated the same way: the
decision is proposed, and recorded (under the proposer's name) only when a second person
approves.

The setting `NPDESK_TWO_PERSON_RELEASE=false` turns this off for a one-person desk: the web
and the CLI then call the one-step code directly (`npdesk.settings.two_person_release`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from npdesk import settings
from npdesk.screening.scoring import Band
from npdesk.security.audit import Outcome
from npdesk.security.model import Party, User
from npdesk.security.partners import agreed_level
from npdesk.security.policy import RELEASING_ROLES, may_release
from npdesk.services import audit, errors, screening
from npdesk.services.cables import load_readable
from npdesk.services.case_records import InvalidCaseData, release_case_in
from npdesk.services.case_records import load_record as load_case
from npdesk.services.program_records import SHAREABLE, share_in, shareable
from npdesk.services.release import (
    ReleaseRefused,
    chosen_paragraphs,
    first_refusal,
    release_in,
)
from npdesk.services.review_minutes import MINUTES_KIND, minutes_digest
from npdesk.services.reviews import load_review
from npdesk.store.db import transaction, utcnow
from npdesk.store.models.cables import CableRecord
from npdesk.store.models.cases import CaseRecord, ReviewSessionRecord
from npdesk.store.models.releases import PendingRelease
from npdesk.store.models.screening import ScreeningHitRecord
from npdesk.store.visibility import marking_of, visible_keys, visible_select

PROPOSED, APPROVED, REJECTED = "proposed", "approved", "rejected"
CABLE = "cable"
CASE = "case"
SCREENING_HIT = "screening_hit"
MINUTES = MINUTES_KIND
DESK_KINDS = ("firm", "event", "dialogue", "commitment", "letter")
KINDS = (CABLE, CASE, MINUTES, *DESK_KINDS, SCREENING_HIT)


class ApprovalError(errors.NotPermitted):
    """A proposal, approval or rejection that may not be made; `reason` says why (and is in
    the audit log)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class AlreadyDecided(errors.Conflict, ApprovalError):
    """The proposal was approved or rejected already."""


class NoSuchRelease(errors.NotFound):
    """No pending release with that number (or the user may not see releases at all)."""


@dataclass(frozen=True)
class ReleaseView:
    """A proposed, approved or rejected release as home users see it."""

    id: int
    record_kind: str
    record_id: str
    paragraphs: tuple[int, ...] | None
    partner: str
    state: str
    proposed_by: str
    proposed_at: str
    decided_by: str | None
    decided_at: str | None
    reason: str | None
    detail: dict[str, Any]

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "record_kind": self.record_kind,
            "record_id": self.record_id,
            "paragraphs": list(self.paragraphs) if self.paragraphs is not None else None,
            "partner": self.partner,
            "state": self.state,
            "proposed_by": self.proposed_by,
            "proposed_at": self.proposed_at,
            "decided_by": self.decided_by,
            "decided_at": self.decided_at,
            "reason": self.reason,
            "detail": self.detail,
        }

    def describe(self) -> str:
        what = f"{self.record_kind} {self.record_id}"
        if self.paragraphs is not None:
            shown = ", ".join(map(str, self.paragraphs)) or "none"
            what += f" (paragraphs {shown})"
        if self.record_kind == SCREENING_HIT:
            what += " cleared as a false positive"
        return what


def _view(row: PendingRelease) -> ReleaseView:
    return ReleaseView(
        id=row.id,
        record_kind=row.record_kind,
        record_id=row.record_id,
        paragraphs=tuple(row.paragraphs) if row.paragraphs is not None else None,
        partner=row.partner,
        state=row.state,
        proposed_by=row.proposed_by,
        proposed_at=row.proposed_at.isoformat(),
        decided_by=row.decided_by,
        decided_at=row.decided_at.isoformat() if row.decided_at else None,
        reason=row.reason,
        detail=dict(row.detail or {}),
    )


def _is_releaser(user: User) -> bool:
    return user.party is Party.HOME and user.role in RELEASING_ROLES


def _refuse(session: Session, user: User, action: str, reason: str, **where: Any) -> ApprovalError:
    """Audit a refusal in `session` (its only write, so the caller commits it) and return the
    error to raise after the commit."""
    audit.record(
        session,
        user,
        action,
        outcome=Outcome.DENIED,
        source=where.pop("source"),
        record_kind=where.pop("record_kind", "release"),
        record_id=where.pop("record_id", None),
        detail={"reason": reason, **where},
    )
    return ApprovalError(reason)


def _run(engine: Engine, work: Callable[[Session], ReleaseView | Exception]) -> ReleaseView:
    """Run `work` in one transaction; an exception it returns (a refusal whose audit entry
    must commit) is raised after the commit."""
    with transaction(engine) as session:
        outcome = work(session)
    if isinstance(outcome, Exception):
        raise outcome
    return outcome


# --- proposing -------------------------------------------------------------------------------


def propose_release(
    engine: Engine,
    user: User,
    record_kind: str,
    record_id: str,
    paragraphs: list[int] | None = None,
    *,
    source: str,
    detail: dict[str, Any] | None = None,
) -> ReleaseView:
    """Propose that `record_kind` `record_id` go to the partner (a cable with `paragraphs`,
    None: every one the proposer may release). Checks the release policy for the proposer now
    (so a proposal nobody may approve is refused at once) and changes nothing the partner
    sees. Raises LookupError for a record the user cannot see, ReleaseRefused / NotPermitted
    for a policy refusal, ApprovalError for a user who may not propose."""
    if record_kind not in KINDS:
        raise errors.Invalid(f"cannot release a {record_kind!r}; one of {', '.join(KINDS)}")
    return _run(
        engine,
        lambda session: propose_in(
            session, user, record_kind, record_id, paragraphs, source=source, detail=detail
        ),
    )


def propose_in(
    session: Session,
    user: User,
    record_kind: str,
    record_id: str,
    paragraphs: list[int] | None = None,
    *,
    source: str,
    detail: dict[str, Any] | None = None,
) -> ReleaseView | Exception:
    """`propose_release` inside the caller's transaction (accepting a desk proposal as shared
    proposes sharing the record it made); a refusal is returned, for the caller to raise
    after committing its audit entry."""
    partner = settings.partner_country()
    action = "releases.propose"
    if not _is_releaser(user):
        return _refuse(
            session,
            user,
            action,
            "only home officers and admins may propose a release to the partner",
            source=source,
            record_kind=record_kind,
            record_id=record_id,
        )
    chosen = _check_proposal(session, user, record_kind, record_id, paragraphs, source)
    if isinstance(chosen, Exception):
        return chosen
    if record_kind == MINUTES:
        # What the approver approves: the minutes as they are now (see `review_minutes`).
        detail = {**(detail or {}), "digest": minutes_digest(session, int(chosen[0]))}
    row = PendingRelease(
        record_kind=record_kind,
        record_id=record_id if record_kind != CABLE else chosen[0],
        paragraphs=chosen[1],
        partner=partner,
        detail=detail,
        proposed_by=user.username,
        proposed_at=utcnow(),
        state=PROPOSED,
    )
    session.add(row)
    session.flush()
    audit.record(
        session,
        user,
        action,
        outcome=Outcome.OK,
        source=source,
        record_kind=record_kind,
        record_id=row.record_id,
        detail={"release": row.id, "partner": partner, "paragraphs": row.paragraphs},
    )
    return _view(row)


def _check_proposal(
    session: Session,
    user: User,
    record_kind: str,
    record_id: str,
    paragraphs: list[int] | None,
    source: str,
) -> tuple[str, list[int] | None] | Exception:
    """What the proposal names, resolved (a cable's normalized id and paragraph numbers), or
    the refusal to raise. The checks are the one-step release's, for the proposer."""
    if record_kind == CABLE:
        record = load_readable(session, record_id, user)
        if record is None:
            raise errors.NotFound(f"no cable {record_id}")
        chosen = chosen_paragraphs(user, record, paragraphs)
        refused = first_refusal(user, record, chosen)
        if refused is not None:
            row, ident, kind, decision = refused
            audit.record_release(
                session,
                user,
                decision,
                partner=settings.partner_country(),
                marking=marking_of(row),
                record_kind=kind,
                record_id=ident,
                source=source,
                action="releases.propose",
            )
            return ReleaseRefused(f"{ident}: {decision.reason}")
        return record.id, [p.number for p in chosen if p.number is not None]
    if record_kind == CASE:
        case = load_case(session, user, record_id)
        decision = may_release(user, marking_of(case), agreed_level(settings.partner_country()))
        if not decision.allowed:
            return _refuse(
                session,
                user,
                "releases.propose",
                f"case {case.reference}: {decision.reason}",
                source=source,
                record_kind=record_kind,
                record_id=case.reference,
            )
        return case.reference, None
    if record_kind == MINUTES:
        return str(load_review(session, user, _desk_number(record_id)).number), None
    if record_kind == SCREENING_HIT:
        hit = _visible_hit(session, user, record_id)
        if hit.band != Band.MATCH.value:
            raise ApprovalError(
                f"hit {record_id} is not in the match band: clear it without a second person"
            )
        return record_id, None
    number = _desk_number(record_id)
    desk_record = shareable(session, user, record_kind, number)
    decision = may_release(user, marking_of(desk_record), agreed_level(settings.partner_country()))
    if not decision.allowed:
        # Refused as sharing it in one step is (NotPermitted), after auditing the refusal.
        _refuse(
            session,
            user,
            "releases.propose",
            decision.reason,
            source=source,
            record_kind=record_kind,
            record_id=record_id,
        )
        return errors.NotPermitted(decision.reason)
    return record_id, None


def _desk_number(record_id: str) -> int:
    if not record_id.isdigit():
        raise errors.NotFound(f"no record {record_id!r}")
    return int(record_id)


def _visible_hit(session: Session, user: User, record_id: str) -> ScreeningHitRecord:
    hit = (
        session.scalar(
            visible_select(ScreeningHitRecord, user, ScreeningHitRecord.id == int(record_id))
        )
        if record_id.isdigit()
        else None
    )
    if hit is None:
        raise errors.NotFound(f"no screening hit {record_id}")
    return hit


def needs_second_person(engine: Engine, user: User, hit_id: int, judgement: str) -> bool:
    """Whether clearing hit `hit_id` as `judgement` must be proposed rather than recorded:
    two-person release is on, the judgement is a false positive and the hit is in the match
    band."""
    if not settings.two_person_release() or judgement != "false_positive":
        return False
    with transaction(engine, read_only=True) as session:
        return _visible_hit(session, user, str(hit_id)).band == Band.MATCH.value


# --- deciding --------------------------------------------------------------------------------


def approve_release(engine: Engine, user: User, release_id: int, *, source: str) -> ReleaseView:
    """Approve proposal `release_id` and apply it, in one transaction: the partner sees it from
    the commit on. The approver must be a home officer or admin other than the proposer, and
    the release policy must allow the release for the approver too (a proposal stays open when
    it refuses). Raises NoSuchRelease, ApprovalError, ReleaseRefused, NotPermitted."""

    def work(session: Session) -> ReleaseView | Exception:
        action = "releases.approve"
        row = _open(session, user, release_id, action, source)
        if isinstance(row, Exception):
            return row
        applied = _apply(session, user, row, source)
        if isinstance(applied, Exception):
            return applied
        row.state, row.decided_by, row.decided_at = APPROVED, user.username, utcnow()
        audit.record(
            session,
            user,
            action,
            outcome=Outcome.OK,
            source=source,
            record_kind=row.record_kind,
            record_id=row.record_id,
            detail={"release": row.id, "proposed_by": row.proposed_by, "partner": row.partner},
        )
        return _view(row)

    return _run(engine, work)


def reject_release(
    engine: Engine, user: User, release_id: int, reason: str, *, source: str
) -> ReleaseView:
    """Reject proposal `release_id`, saying why (required). Nothing goes to the partner. The
    proposer may withdraw their own proposal this way; anyone else must be a home officer or
    admin. Raises NoSuchRelease, ApprovalError, ValueError (no reason)."""
    reason = reason.strip()
    if not reason:
        raise errors.Invalid("a rejection needs a reason")

    def work(session: Session) -> ReleaseView | Exception:
        action = "releases.reject"
        row = _open(session, user, release_id, action, source, own_allowed=True)
        if isinstance(row, Exception):
            return row
        row.state, row.decided_by, row.decided_at = REJECTED, user.username, utcnow()
        row.reason = reason
        audit.record(
            session,
            user,
            action,
            outcome=Outcome.OK,
            source=source,
            record_kind=row.record_kind,
            record_id=row.record_id,
            detail={"release": row.id, "proposed_by": row.proposed_by, "reason": reason},
        )
        return _view(row)

    return _run(engine, work)


def _open(
    session: Session,
    user: User,
    release_id: int,
    action: str,
    source: str,
    *,
    own_allowed: bool = False,
) -> PendingRelease | Exception:
    """The open proposal `release_id`, locked for the decision, or the refusal to raise."""
    if user.party is not Party.HOME:
        raise NoSuchRelease(f"no release {release_id}")
    row = session.scalar(
        select(PendingRelease).where(PendingRelease.id == release_id).with_for_update()
    )
    if row is None:
        raise NoSuchRelease(f"no release {release_id}")
    where = {"source": source, "record_kind": row.record_kind, "record_id": row.record_id}
    if row.state != PROPOSED:
        decided = f"release {release_id} is already {row.state}"
        _refuse(session, user, action, decided, **where)
        return AlreadyDecided(decided)
    # A one-person desk (the setting off) may approve its own proposals.
    if row.proposed_by == user.username and not own_allowed and settings.two_person_release():
        return _refuse(
            session,
            user,
            action,
            f"{user.username} proposed release {release_id}: a second person must approve it",
            **where,
        )
    if not _is_releaser(user) and not (own_allowed and row.proposed_by == user.username):
        return _refuse(
            session, user, action, "only home officers and admins may decide a release", **where
        )
    return row


def _apply(session: Session, user: User, row: PendingRelease, source: str) -> Exception | None:
    """Apply an approved proposal with the one-step code, as the approver."""
    if row.record_kind == CABLE:
        outcome = release_in(
            session, user, row.record_id, list(row.paragraphs or []), source=source
        )
        return outcome if isinstance(outcome, ReleaseRefused) else None
    if row.record_kind == CASE:
        return _release_case(session, user, row.record_id, source)
    if row.record_kind == MINUTES:
        # The approved row is the release; minutes changed since the proposal are not what
        # was proposed.
        if minutes_digest(session, int(row.record_id)) != (row.detail or {}).get("digest"):
            return _refuse(
                session,
                user,
                "releases.approve",
                f"the minutes of review {row.record_id} changed after the proposal: propose "
                "them again",
                source=source,
                record_kind=MINUTES,
                record_id=row.record_id,
            )
        return None
    if row.record_kind == SCREENING_HIT:
        detail = row.detail or {}
        # The approver records it; the reason keeps whose judgement it was.
        screening.decision_in(
            session,
            user,
            int(row.record_id),
            str(detail.get("judgement", "false_positive")),
            f"{detail.get('reason', '')} (proposed by {row.proposed_by})",
        )
        return None
    try:
        share_in(session, user, row.record_kind, _desk_number(row.record_id), True)
    except errors.NotPermitted as exc:
        return _refuse(
            session,
            user,
            "releases.approve",
            str(exc),
            source=source,
            record_kind=row.record_kind,
            record_id=row.record_id,
        )
    return None


def _release_case(session: Session, user: User, reference: str, source: str) -> Exception | None:
    """Share case `reference` with the partner (shared, REL TO the partner), as a handover
    with release does in one step; audited as `cases.release`."""
    record = load_case(session, user, reference)
    try:
        release_case_in(session, user, record, source=source, action="cases.release")
    except InvalidCaseData as refused:
        return _refuse(
            session,
            user,
            "releases.approve",
            str(refused),
            source=source,
            record_kind=CASE,
            record_id=reference,
        )
    return None


# --- listing ---------------------------------------------------------------------------------


def list_releases(engine: Engine, user: User, state: str | None = PROPOSED) -> list[ReleaseView]:
    """Releases in `state` (None: all), newest first, for home users only (the partner never
    learns what is waiting). Raises ApprovalError for a partner user."""
    if user.party is not Party.HOME:
        raise ApprovalError("only home users see pending releases")
    with transaction(engine, read_only=True) as session:
        query = select(PendingRelease).order_by(PendingRelease.id.desc())
        if state is not None:
            query = query.where(PendingRelease.state == state)
        rows = list(session.scalars(query))
        readable = _readable_targets(session, user, rows)
        # A release of a record the reader may not read is not listed: its kind and id alone
        # would tell a low-cleared home user that the record exists.
        return [_view(row) for row in rows if (row.record_kind, row.record_id) in readable]


def _readable_targets(
    session: Session, user: User, rows: list[PendingRelease]
) -> set[tuple[str, str]]:
    """The (kind, id) of the rows' records that `user` may read, one query per kind."""
    wanted: dict[str, list[str]] = {}
    for row in rows:
        wanted.setdefault(row.record_kind, []).append(row.record_id)
    found: set[tuple[str, str]] = set()
    for kind, ids in wanted.items():
        if kind == CABLE:
            keys = visible_keys(session, CableRecord.id, CableRecord, user, ids)
            found |= {(kind, str(k)) for k in keys}
        elif kind == CASE:
            keys = visible_keys(session, CaseRecord.reference, CaseRecord, user, ids)
            found |= {(kind, str(k)) for k in keys}
        else:
            model: Any = ScreeningHitRecord if kind == SCREENING_HIT else SHAREABLE.get(kind)
            column = model.id if model is not None else ReviewSessionRecord.number
            if kind == MINUTES:
                model = ReviewSessionRecord
            numbers = [int(i) for i in ids if i.isdigit()]
            if model is None or not numbers:
                continue
            keys = visible_keys(session, column, model, user, numbers)
            found |= {(kind, str(k)) for k in keys}
    return found
