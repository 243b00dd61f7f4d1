"""Cooperation events (workshops, trainings, dialogues, exchanges) and letters."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from npdesk.domain.events import Event, EventError, Letter
from npdesk.security.model import Level, Marking, User
from npdesk.services import errors
from npdesk.services.program_records import add_marked, write_one
from npdesk.services.two_person import refuse_shared_creation
from npdesk.store.db import session_factory
from npdesk.store.models.cables import CableRecord
from npdesk.store.models.desk import EventRecord, FirmRecord, LetterRecord
from npdesk.store.visibility import (
    marking_of,
    shown_banner,
    visible_columns,
    visible_keys,
    visible_select,
)


@dataclass(frozen=True)
class EventInput:
    title: str
    kind: str
    start: dt.date | None
    end: dt.date | None = None
    place: str | None = None
    agencies: tuple[str, ...] = ()
    firms: tuple[str, ...] = ()
    outcome: str = ""
    follow_ups: tuple[str, ...] = ()
    source_cable: str | None = None
    marking: Marking = field(default_factory=lambda: Marking(Level.U))
    fictional: bool = False


def add_event_in(session: Session, data: EventInput) -> EventRecord:
    """Add an event inside an open session. Raises errors.Invalid."""
    try:
        Event(data.title, data.kind, data.start, data.end)  # type: ignore[arg-type]
    except EventError as error:
        raise errors.Invalid(str(error)) from error
    record = EventRecord(
        title=data.title.strip(),
        kind=data.kind,
        start=data.start,
        end=data.end,
        place=data.place,
        agencies=list(data.agencies),
        firms=list(data.firms),
        outcome=data.outcome,
        follow_ups=list(data.follow_ups),
        source_cable=data.source_cable,
        fictional=data.fictional,
    )
    return add_marked(session, record, data.marking)


def create_event(engine: Engine, user: User, data: EventInput) -> int:
    """Store a cooperation event; returns its id. Raises errors.NotPermitted, errors.Invalid,
    SecondPersonNeeded (created shared with two-person release on)."""
    refuse_shared_creation("event", data.marking, "`npdesk events share ID`")
    return write_one(engine, user, "event", lambda session: add_event_in(session, data).id)


def list_events(engine: Engine, user: User) -> list[dict[str, Any]]:
    """Every event `user` may see, newest first, as JSON-ready dicts."""
    with session_factory(engine)() as session:
        rows = session.scalars(
            visible_select(EventRecord, user).order_by(EventRecord.start.desc())
        ).all()
        hidden = _hidden_firms(session, user, [f for r in rows for f in r.firms])
        # A source cable the reader may not read is not named (its id alone tells it exists).
        cables = visible_keys(
            session, CableRecord.id, CableRecord, user, [r.source_cable for r in rows]
        )
        return [
            {
                "id": r.id,
                "title": r.title,
                "kind": r.kind,
                "start": r.start.isoformat() if r.start else None,
                "end": r.end.isoformat() if r.end else None,
                "place": r.place,
                "agencies": list(r.agencies),
                "firms": [f for f in r.firms if f not in hidden],
                "outcome": r.outcome,
                "follow_ups": list(r.follow_ups),
                "source_cable": r.source_cable if r.source_cable in cables else None,
                "marking": shown_banner(marking_of(r), user),
                "fictional": r.fictional,
            }
            for r in rows
        ]


def _hidden_firms(session: Session, user: User, names: list[str]) -> set[str]:
    """Which of the firm keys or names an event cites are stored firms `user` may not see:
    they are left out of what the reader gets, so a home-only firm's key never shows."""
    wanted = sorted(set(names))
    if not wanted:
        return set()
    cited = or_(FirmRecord.key.in_(wanted), FirmRecord.name.in_(wanted))
    every = {
        value
        for key, name in session.execute(select(FirmRecord.key, FirmRecord.name).where(cited))
        for value in (key, name)
    }
    seen = {
        value
        for key, name in session.execute(
            visible_columns(FirmRecord, user, FirmRecord.key, FirmRecord.name).where(cited)
        )
        for value in (key, name)
    }
    return (every - seen) & set(wanted)


def add_letter_in(
    session: Session,
    sender: str,
    recipient: str,
    date: dt.date | None,
    subject: str,
    cable: str | None,
    marking: Marking,
    fictional: bool = False,
) -> LetterRecord:
    try:
        Letter(sender, recipient, date, subject, cable)
    except EventError as error:
        raise errors.Invalid(str(error)) from error
    record = LetterRecord(
        sender=sender,
        recipient=recipient,
        date=date,
        subject=subject,
        cable=cable,
        fictional=fictional,
    )
    return add_marked(session, record, marking)


def create_letter(
    engine: Engine,
    user: User,
    sender: str,
    recipient: str,
    date: dt.date | None = None,
    subject: str = "",
    cable: str | None = None,
    marking: Marking | None = None,
) -> int:
    """Store a letter; returns its id. Raises errors.NotPermitted, errors.Invalid,
    SecondPersonNeeded (created shared with two-person release on)."""
    refuse_shared_creation("letter", marking or Marking(Level.U), "a release of kind letter")
    return write_one(
        engine,
        user,
        "letter",
        lambda session: (
            add_letter_in(
                session, sender, recipient, date, subject, cable, marking or Marking(Level.U)
            ).id
        ),
    )


def list_letters(engine: Engine, user: User) -> list[dict[str, Any]]:
    """Every letter `user` may see, newest first."""
    with session_factory(engine)() as session:
        rows = session.scalars(
            visible_select(LetterRecord, user).order_by(LetterRecord.date.desc())
        ).all()
        return [
            {
                "id": r.id,
                "sender": r.sender,
                "recipient": r.recipient,
                "date": r.date.isoformat() if r.date else None,
                "subject": r.subject,
                "cable": r.cable,
                "marking": shown_banner(marking_of(r), user),
            }
            for r in rows
        ]
