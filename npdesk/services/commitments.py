"""Commitment use cases: what each side owes, the overdue list, per-side views, and closing
a commitment (a liaison may only mark the partner's own commitments done, with a note). The
clock is always passed in."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from npdesk.domain import commitments as commitment_rules
from npdesk.domain.commitments import Commitment, CommitmentError
from npdesk.security import policy
from npdesk.security.model import Level, Marking, User
from npdesk.services import audit, errors
from npdesk.services.program_records import (
    DESK_KIND,
    PARTNER_COMMITMENT_KIND,
    add_marked,
    stored_firm,
    write_one,
)
from npdesk.services.two_person import refuse_shared_creation
from npdesk.store.db import session_factory, transaction, utcnow
from npdesk.store.models.desk import CommitmentRecord
from npdesk.store.visibility import (
    fetch_visible,
    marking_of,
    shown_banner,
    visible_select,
)


@dataclass(frozen=True)
class CommitmentInput:
    owner_side: str
    description: str
    owner: str = ""
    due: dt.date | None = None
    soft_due: str | None = None
    made_on: dt.date | None = None
    made_in: str = "cable"
    made_in_ref: str | None = None
    status: str = "open"
    firm_key: str | None = None
    marking: Marking = field(default_factory=lambda: Marking(Level.U))
    fictional: bool = False


@dataclass(frozen=True)
class CommitmentView:
    id: int
    owner_side: str
    owner: str
    description: str
    due: dt.date | None
    soft_due: str | None
    follow_up: dt.date | None
    made_on: dt.date | None
    made_in: str
    made_in_ref: str | None
    status: str
    overdue: bool
    note: str
    closed_by: str | None
    marking: str
    shared: bool

    def to_dict(self) -> dict[str, Any]:
        out = dict(self.__dict__)
        for name in ("due", "follow_up", "made_on"):
            value = out[name]
            out[name] = value.isoformat() if value else None
        return out


def _domain(record: CommitmentRecord) -> Commitment:
    return Commitment(
        owner_side=record.owner_side,  # type: ignore[arg-type]
        description=record.description,
        owner=record.owner,
        due=record.due,
        soft_due=record.soft_due,
        made_on=record.made_on,
        made_in=record.made_in,  # type: ignore[arg-type]
        made_in_ref=record.made_in_ref,
        status=record.status,  # type: ignore[arg-type]
        note=record.note,
    )


def commitment_view(
    record: CommitmentRecord, today: dt.date, user: User | None = None
) -> CommitmentView:
    """The commitment as shown (to `user`: a partner's copy carries `REL TO` them)."""
    commitment = _domain(record)
    marking = marking_of(record)
    return CommitmentView(
        id=record.id,
        owner_side=record.owner_side,
        owner=record.owner,
        description=record.description,
        due=record.due,
        soft_due=record.soft_due,
        follow_up=commitment.follow_up_day(),
        made_on=record.made_on,
        made_in=record.made_in,
        made_in_ref=record.made_in_ref,
        status=commitment.display_status(today),
        overdue=commitment.overdue(today),
        note=record.note,
        closed_by=record.closed_by,
        marking=shown_banner(marking, user),
        shared=marking.shared,
    )


def add_commitment_in(session: Session, data: CommitmentInput) -> CommitmentRecord:
    """Add a commitment inside an open session. Raises errors.Invalid."""
    try:
        Commitment(
            owner_side=data.owner_side,  # type: ignore[arg-type]
            description=data.description,
            due=data.due,
            soft_due=data.soft_due,
            status=data.status,  # type: ignore[arg-type]
        )
    except CommitmentError as error:
        raise errors.Invalid(str(error)) from error
    firm_id = stored_firm(session, data.firm_key).id if data.firm_key else None
    record = CommitmentRecord(
        owner_side=data.owner_side,
        owner=data.owner,
        description=data.description.strip(),
        due=data.due,
        soft_due=data.soft_due,
        made_on=data.made_on,
        made_in=data.made_in,
        made_in_ref=data.made_in_ref,
        status=data.status,
        firm_id=firm_id,
        fictional=data.fictional,
    )
    return add_marked(session, record, data.marking)


def create_commitment(engine: Engine, user: User, data: CommitmentInput) -> int:
    """Store a commitment; returns its id. Raises errors.NotPermitted, errors.Invalid,
    SecondPersonNeeded (created shared with two-person release on)."""
    refuse_shared_creation("commitment", data.marking, "`npdesk commitments share ID`")
    return write_one(
        engine, user, "commitment", lambda session: add_commitment_in(session, data).id
    )


def list_commitments(
    engine: Engine,
    user: User,
    today: dt.date | None = None,
    side: str | None = None,
    only_overdue: bool = False,
) -> list[CommitmentView]:
    """Commitments `user` may see with `overdue` derived from `today`: all of them, one
    side's open ones (`side`: home = what we owe them, partner = what they owe us), or the
    overdue list (longest overdue first)."""
    today = today or dt.date.today()
    with session_factory(engine)() as session:
        rows = session.scalars(
            visible_select(CommitmentRecord, user).order_by(CommitmentRecord.id)
        ).all()
        pairs = [(r, _domain(r)) for r in rows]
        if only_overdue:
            chosen = commitment_rules.overdue([c for _, c in pairs], today)
        elif side is not None:
            if side not in ("home", "partner"):
                raise errors.Invalid("side is home or partner")
            chosen = commitment_rules.owed_by([c for _, c in pairs], side)  # type: ignore[arg-type]
        else:
            chosen = [c for _, c in pairs]
        order = {id(c): i for i, c in enumerate(chosen)}
        picked = sorted((p for p in pairs if id(p[1]) in order), key=lambda p: order[id(p[1])])
        return [commitment_view(r, today, user) for r, _ in picked]


def close_commitment(
    engine: Engine,
    user: User,
    commitment_id: int,
    status: str,
    note: str = "",
    now: dt.datetime | None = None,
) -> CommitmentView:
    """Mark a commitment done or dropped with a note. Officers close any they may see; a
    liaison only marks partner commitments shared with them as done, and must say how.
    Raises errors.NotFound, errors.NotPermitted, errors.Invalid."""
    with (
        audit.refusals_audited(
            engine,
            user,
            "desk.commitments.close",
            record_kind="commitment",
            record_id=commitment_id,
        ),
        transaction(engine) as session,
    ):
        record = fetch_visible(
            session,
            CommitmentRecord,
            user,
            CommitmentRecord.id == commitment_id,
            missing=lambda: errors.NotFound(f"no commitment {commitment_id}"),
        )
        if policy.may_write_kind(user, DESK_KIND):
            pass
        elif policy.may_write(user, PARTNER_COMMITMENT_KIND, marking_of(record)):
            if record.owner_side != "partner":
                raise errors.NotPermitted("a liaison may only close the partner's commitments")
            if status != "done":
                raise errors.NotPermitted("a liaison may only mark commitments done")
            if not note.strip():
                raise errors.Invalid("say how the commitment was met")
        else:
            raise errors.NotPermitted(f"{user.username} may not close commitments")
        try:
            closed = _domain(record).close(status, note)  # type: ignore[arg-type]
        except CommitmentError as error:
            raise errors.Invalid(str(error)) from error
        record.status, record.note = closed.status, closed.note
        record.closed_by = user.username
        record.closed_at = now or utcnow()
        session.flush()
        audit.record_change(
            session,
            user,
            "desk.commitments.close",
            record_kind="commitment",
            record_id=record.id,
            detail={"status": record.status},
        )
        return commitment_view(record, (now or utcnow()).date(), user)
