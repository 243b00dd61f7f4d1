"""What every desk use case shares: the errors it raises, reading and writing the
marking columns, the access checks (the shared policy in `npdesk.security.policy`), looking a
firm up by key, and sharing a record with the partner."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, selectinload

from npdesk import settings
from npdesk.security import policy
from npdesk.security.model import NOFORN, Level, Marking, User
from npdesk.security.partners import agreed_level
from npdesk.store.db import MarkedMixin, transaction
from npdesk.store.models.desk import (
    CommitmentRecord,
    DialogueRecord,
    EventRecord,
    FirmRecord,
    LetterRecord,
)

_M = TypeVar("_M", bound=MarkedMixin)
DESK_KIND = "desk"
PARTNER_COMMITMENT_KIND = "partner_commitment"


class DeskNotFound(LookupError):
    """No such record, or the user may not see it."""


class NotPermitted(PermissionError):
    """The user may not perform this action."""


class InvalidDeskData(ValueError):
    """The submitted data is incomplete or inconsistent."""


def marking_of(record: MarkedMixin) -> Marking:
    """The marking of a stored record; an unreadable level counts as TOP SECRET NOFORN so a
    bad marking never widens access."""
    try:
        return Marking.from_strings(
            record.classification, record.caveats, record.rel_to, record.shared_with_partner
        )
    except ValueError:
        return Marking(Level.TS, frozenset({NOFORN}))


def set_marking(record: MarkedMixin, marking: Marking) -> None:
    (record.classification, record.caveats, record.rel_to, record.shared_with_partner) = (
        marking.to_columns()
    )


def may_see(user: User, record: MarkedMixin) -> bool:
    """Whether `user` may see `record` (the shared policy, `policy.may_read`)."""
    return policy.may_read(user, marking_of(record))


def require_writer(user: User) -> None:
    if not policy.may_write_kind(user, DESK_KIND):
        raise NotPermitted(f"{user.username} may not change the desk")


def visible(user: User, rows: Sequence[_M]) -> list[_M]:
    return [r for r in rows if may_see(user, r)]


def firm_by_key(session: Session, key: str) -> FirmRecord | None:
    return session.scalars(
        select(FirmRecord).where(FirmRecord.key == key).options(selectinload(FirmRecord.aliases))
    ).one_or_none()


def share_record(engine: Engine, user: User, kind: str, record_id: int, shared: bool) -> None:
    """Set the "shared with partner" flag on a firm, event, dialogue or commitment, through
    the release policy. Raises DeskNotFound, NotPermitted."""
    models: dict[str, type[MarkedMixin]] = {
        "firm": FirmRecord,
        "event": EventRecord,
        "dialogue": DialogueRecord,
        "commitment": CommitmentRecord,
        "letter": LetterRecord,
    }
    model = models.get(kind)
    if model is None:
        raise InvalidDeskData(f"cannot share a {kind!r}")
    with transaction(engine) as session:
        record = session.get(model, record_id)
        if record is None or not may_see(user, record):
            raise DeskNotFound(f"no {kind} {record_id}")
        marking = marking_of(record)
        if shared:
            decision = policy.may_release(user, marking, agreed_level(settings.partner_country()))
            if not decision:
                raise NotPermitted(decision.reason)
        elif not policy.may_write_kind(user, DESK_KIND):
            raise NotPermitted(f"{user.username} may not change sharing")
        record.shared_with_partner = shared
