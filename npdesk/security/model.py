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


# Which roles belong to which party; a user whose role and party disagree is refused at creation.
PARTY_ROLES: dict[Party, frozenset[Role]] = {
    Party.HOME: frozenset({Role.ADMIN, Role.OFFICER, Role.REVIEWER}),
    Party.PARTNER: frozenset({Role.LIAISON}),
}


class Level(int, Enum):
    """Classification levels, ordered so that comparison means "at or below"."""

    U = 0
    C = 1
    S = 2
    TS = 3

    @property
    def word(self) -> str:
        """The banner word (`SECRET`)."""
        return LEVEL_WORDS[self]

    @classmethod
    def parse(cls, text: str) -> Level:
        """A level from its letter (`S`, `TS`) or its banner word (`SECRET`, `TOP SECRET`).

        Raises ValueError for anything else, so an unreadable marking never silently becomes
        UNCLASSIFIED.
        """
        cleaned = " ".join(text.strip().upper().split())
        for level in cls:
            if cleaned in (level.name, LEVEL_WORDS[level]):
                return level
        raise ValueError(f"unknown classification level: {text!r}")


LEVEL_WORDS = {
    Level.U: "UNCLASSIFIED",
    Level.C: "CONFIDENTIAL",
    Level.S: "SECRET",
    Level.TS: "TOP SECRET",
}

NOFORN = "NOFORN"


@dataclass(frozen=True)
class User:
    """An authenticated actor. `country` is set for partner users (e.g. `CHN`)."""

    username: str
    party: Party
    role: Role
    clearance: Level
    country: str | None = None
    user_id: int | None = None


# Whoever runs the CLI without `--user` holds the database file anyway, so the CLI acts as this
# operator (home, admin, top clearance) and audits under its name.
LOCAL_OPERATOR = User(
    username="local-operator", party=Party.HOME, role=Role.ADMIN, clearance=Level.TS
)


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

    @classmethod
    def from_strings(
        cls, classification: str, caveats: str = "", rel_to: str = "", shared: bool = False
    ) -> Marking:
        """A marking from the stored columns of `MarkedMixin`.

        `classification` is a level word or letter (`SECRET`, `S`); `caveats` is `//`-joined
        (`NOFORN//FOR OFFICIAL USE ONLY`); `rel_to` is space- or comma-separated country codes.
        Raises ValueError for an unknown level.
        """
        return cls(
            level=Level.parse(classification or "UNCLASSIFIED"),
            caveats=frozenset(c.strip().upper() for c in caveats.split("//") if c.strip()),
            rel_to=frozenset(c.upper() for c in rel_to.replace(",", " ").split()),
            shared=bool(shared),
        )

    @classmethod
    def from_portion(cls, portion: str) -> Marking:
        """From a cable portion marking (`S`, `SBU`, `C/NF`, `C//REL TO CHN`); see
        `npdesk.security.markings.parse_portion` (raises ValueError for an unreadable level)."""
        from npdesk.security.markings import parse_portion  # that module builds on this one

        return parse_portion(portion)

    @property
    def noforn(self) -> bool:
        return NOFORN in self.caveats

    def to_columns(self) -> tuple[str, str, str, bool]:
        """The stored columns: (classification, caveats, rel_to, shared_with_partner)."""
        return (
            self.level.word,
            "//".join(sorted(self.caveats)),
            " ".join(sorted(self.rel_to)),
            self.shared,
        )

    def banner(self) -> str:
        """The full banner (`SECRET//NOFORN`, `CONFIDENTIAL//REL TO CHN`)."""
        parts = [self.level.word, *sorted(self.caveats)]
        if self.rel_to:
            parts.append("REL TO " + ", ".join(sorted(self.rel_to)))
        return "//".join(parts)
