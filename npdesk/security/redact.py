"""What of a record a user may see: the record only if its own marking allows, and of its
paragraphs only those whose own markings allow.

The view never says what was withheld: no count, no placeholders, and for partner users no
gaps in paragraph numbers (they are renumbered 1..n). Home users keep the original numbers, so
"para 4" in a reply still means para 4 of the cable.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from npdesk.security.model import Marking, Party, User
from npdesk.security.partners import agreed_level
from npdesk.security.policy import AgreedLevel, may_read

T = TypeVar("T")


@dataclass(frozen=True)
class MarkedPart(Generic[T]):
    """One paragraph (or other portion) of a record: its marking, its original `number`
    (None for unnumbered text) and whatever the caller wants back (`content`)."""

    marking: Marking
    content: T
    number: int | None = None


@dataclass(frozen=True)
class MarkedRecord(Generic[T]):
    """A record to redact: its own marking and its parts in reading order."""

    marking: Marking
    parts: Sequence[MarkedPart[T]]


@dataclass(frozen=True)
class ShownPart(Generic[T]):
    """A part the user may see, with the `number` to display (use it, not the original)."""

    content: T
    number: int | None


@dataclass(frozen=True)
class RedactedView(Generic[T]):
    """The record as `user` may see it. Holds no trace of withheld parts."""

    marking: Marking
    parts: tuple[ShownPart[T], ...]


def redact(
    record: MarkedRecord[T], user: User, agreement: AgreedLevel = agreed_level
) -> RedactedView[T] | None:
    """The view of `record` for `user`, or None when the user may not read the record at all
    (callers then answer exactly as for a record that does not exist)."""
    if not may_read(user, record.marking, agreement):
        return None
    shown = [part for part in record.parts if may_read(user, part.marking, agreement)]
    if user.party is Party.HOME:
        return RedactedView(
            record.marking, tuple(ShownPart(part.content, part.number) for part in shown)
        )
    renumbered: list[ShownPart[T]] = []
    counter = 0
    for part in shown:
        if part.number is None:
            renumbered.append(ShownPart(part.content, None))
        else:
            counter += 1
            renumbered.append(ShownPart(part.content, counter))
    return RedactedView(record.marking, tuple(renumbered))
