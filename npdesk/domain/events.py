"""Cooperation events (workshops, trainings, dialogues, exchanges) and letters."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

EventKind = Literal["workshop", "training", "dialogue", "exchange", "meeting", "other"]
EVENT_KINDS: tuple[EventKind, ...] = (
    "workshop",
    "training",
    "dialogue",
    "exchange",
    "meeting",
    "other",
)


class EventError(ValueError):
    """An event or letter that cannot exist (ends before it starts, no title, ...)."""


@dataclass(frozen=True)
class Event:
    """A cooperation event. `end` is None for one-day events; `agencies` and `firms` name who
    took part."""

    title: str
    kind: EventKind
    start: dt.date | None
    end: dt.date | None = None
    place: str | None = None
    agencies: tuple[str, ...] = ()
    firms: tuple[str, ...] = ()
    outcome: str = ""
    follow_ups: tuple[str, ...] = ()
    source_cable: str | None = None

    def __post_init__(self) -> None:
        if not self.title.strip():
            raise EventError("an event needs a title")
        if self.kind not in EVENT_KINDS:
            raise EventError(f"unknown event kind {self.kind!r}")
        if self.start and self.end and self.end < self.start:
            raise EventError("an event cannot end before it starts")

    def is_past(self, today: dt.date) -> bool:
        """Whether the event is over by `today` (undated events are not)."""
        last = self.end or self.start
        return last is not None and last < today


def kind_from_title(title: str) -> EventKind:
    """The event kind a title names ("Export control workshop" → workshop)."""
    lowered = title.lower()
    for kind in ("workshop", "training", "dialogue", "exchange", "meeting"):
        if kind in lowered:
            return kind
    if "seminar" in lowered or "course" in lowered:
        return "training"
    return "other"


def upcoming(events: Iterable[Event], today: dt.date) -> list[Event]:
    """Events starting on or after `today`, soonest first."""
    return sorted(
        (e for e in events if e.start is not None and e.start >= today),
        key=lambda e: e.start or dt.date.max,
    )


@dataclass(frozen=True)
class Letter:
    """Who wrote to whom, when, about what; `cable` is the cable that carried or cited it."""

    sender: str
    recipient: str
    date: dt.date | None = None
    subject: str = ""
    cable: str | None = None

    def __post_init__(self) -> None:
        if not (self.sender.strip() or self.recipient.strip()):
            raise EventError("a letter needs a sender or a recipient")
