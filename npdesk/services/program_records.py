"""What the program's records (firms, dialogues, events, letters, commitments) share: the
writer check, looking a firm up by key, and sharing a record with the partner. Who may see what
is `npdesk.store.visibility`; the errors raised are the kinds of `npdesk.services.errors`."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, selectinload

from npdesk import settings
from npdesk.security import policy
from npdesk.security.model import Marking, User
from npdesk.security.partners import agreed_level
from npdesk.services import audit, errors
from npdesk.store.db import MarkedMixin, transaction
from npdesk.store.models.desk import (
    CommitmentRecord,
    DialogueRecord,
    EventRecord,
    FirmRecord,
    LetterRecord,
)
from npdesk.store.visibility import fetch_visible, marking_of, set_marking

#: The policy's kind for the program's records (`npdesk.security.policy.may_write_kind`).
DESK_KIND = "desk"
PARTNER_COMMITMENT_KIND = "partner_commitment"
#: The registered action of every new program record (`npdesk.security.actions`).
WRITE_ACTION = "desk.write"


def require_writer(user: User) -> None:
    if not policy.may_write_kind(user, DESK_KIND):
        raise errors.NotPermitted(f"{user.username} may not change the desk")


def write_one(engine: Engine, user: User, kind: str, add: Callable[[Session], int]) -> int:
    """Check that `user` may change the program's records, then run `add` (which stores one
    record of `kind` and returns its id) in a transaction that audits it."""
    with audit.refusals_audited(engine, user, WRITE_ACTION, record_kind=kind):
        require_writer(user)
        with transaction(engine) as session:
            record_id = add(session)
            audit.record_change(session, user, WRITE_ACTION, record_kind=kind, record_id=record_id)
            return record_id


_Record = TypeVar("_Record", bound=MarkedMixin)


def add_marked(session: Session, record: _Record, marking: Marking) -> _Record:
    """Add `record` marked `marking` to the open session, flushed so that its id is set."""
    set_marking(record, marking)
    session.add(record)
    session.flush()
    return record


def stored_firm(session: Session, key: str, what: str = "firm") -> FirmRecord:
    """The firm with `key` a new record refers to (`firm_by_key`); `errors.Invalid` when none
    is stored."""
    firm = firm_by_key(session, key)
    if firm is None:
        raise errors.Invalid(f"no {what} {key!r}")
    return firm


def firm_by_key(session: Session, key: str) -> FirmRecord | None:
    """The firm with `key` whatever its marking: for write paths that must not create a
    second firm under a key already taken (callers check the writer first)."""
    return session.scalars(
        select(FirmRecord).where(FirmRecord.key == key).options(selectinload(FirmRecord.aliases))
    ).one_or_none()


def visible_firm(session: Session, user: User, key: str) -> FirmRecord:
    """The firm with `key` if `user` may see it; else `errors.NotFound` (hidden answers as
    missing)."""
    return fetch_visible(
        session,
        FirmRecord,
        user,
        FirmRecord.key == key,
        missing=lambda: errors.NotFound(f"no firm {key!r}"),
        options=[selectinload(FirmRecord.aliases)],
    )


SHAREABLE: dict[str, type[MarkedMixin]] = {
    "firm": FirmRecord,
    "event": EventRecord,
    "dialogue": DialogueRecord,
    "commitment": CommitmentRecord,
    "letter": LetterRecord,
}


def share_record(engine: Engine, user: User, kind: str, record_id: int, shared: bool) -> None:
    """Set the "shared with partner" flag on a firm, event, dialogue or commitment, through
    the release policy. Raises errors.NotFound, errors.NotPermitted."""
    with transaction(engine) as session:
        share_in(session, user, kind, record_id, shared)
        audit.record_change(
            session,
            user,
            WRITE_ACTION,
            record_kind=kind,
            record_id=record_id,
            detail={"shared_with_partner": shared, "partner": settings.partner_country()},
        )


def shareable(session: Session, user: User, kind: str, record_id: int) -> MarkedMixin:
    """The firm, event, dialogue, commitment or letter `record_id` if `user` may see it."""
    model = SHAREABLE.get(kind)
    if model is None:
        raise errors.Invalid(f"cannot share a {kind!r}")
    return fetch_visible(
        session,
        model,
        user,
        model.id == record_id,  # type: ignore[attr-defined]
        missing=lambda: errors.NotFound(f"no {kind} {record_id}"),
    )


def share_in(session: Session, user: User, kind: str, record_id: int, shared: bool) -> None:
    """`share_record` inside the caller's transaction (the second step of a two-person
    release applies it)."""
    record = shareable(session, user, kind, record_id)
    marking = marking_of(record)
    if shared:
        decision = policy.may_release(user, marking, agreed_level(settings.partner_country()))
        if not decision:
            raise errors.NotPermitted(decision.reason)
    elif not policy.may_write_kind(user, DESK_KIND):
        raise errors.NotPermitted(f"{user.username} may not change sharing")
    record.shared_with_partner = shared
