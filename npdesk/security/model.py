"""Who is asking and what a record is marked: the vocabulary of the access policy."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum, StrEnum


class Party(StrEnum):
    HOME = "home"
    PARTNER = "partner"


class Role(StrEnum):
    ADMIN = "admin"
    OFFICER = "officer"
    REVIEWER = "reviewer"
    LIAISON = "liaison"


class Level(int, Enum):
    """Classification levels, ordered so that comparison means "at or below"."""

    U = 0
    C = 1
    S = 2
    TS = 3


LEVEL_WORDS = {
    Level.U: "UNCLASSIFIED",
    Level.C: "CONFIDENTIAL",
    Level.S: "SECRET",
    Level.TS: "TOP SECRET",
}


@dataclass(frozen=True)
class User:
    """An authenticated actor. `country` is set for partner users (e.g. `CHN`)."""

    username: str
    party: Party
    role: Role
    clearance: Level
    country: str | None = None
    user_id: int | None = None


@dataclass(frozen=True)
class Marking:
    """A record's or paragraph's marking: level, caveats, releasability.

    `rel_to` holds country codes the item is releasable to; `shared` is the record-level
    "shared with partner" flag an officer sets.
    """

    level: Level
    caveats: frozenset[str] = field(default_factory=frozenset)
    rel_to: frozenset[str] = field(default_factory=frozenset)
    shared: bool = False
