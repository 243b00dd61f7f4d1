"""Whose eyes a full-text index row is written for: one audience per distinct reader class.

A reader may read a cable yet not all of its paragraphs (a CONFIDENTIAL cable with a SECRET
paragraph for a home user cleared C; a paragraph not released, or above a liaison's own
clearance, for the partner). Their words must neither match nor appear in a snippet, so each
reader class searches text made of the paragraphs it may read:

- home users: `all` (TOP SECRET: everything), `home:S`, `home:C`, `home:U`;
- partner users of the desk's partner country: `partner` (the agreed level) and `partner:<L>`
  for each level below it (a liaison cleared lower than the agreement);
- partner users of any other country read nothing (no agreement), so they have no audience.

Only roots (`all`, `partner`) are written for every cable (on SQLite an empty `partner` row is
left out: absent means empty). Any other audience gets a row only where its text differs from
its parent's (the next less restricted audience): most cables read the same at every level,
so the index grows by the few cables marked paragraph by paragraph. A reader's text for a cable
is the row of the first audience in its chain (its own, then each parent) that has one.

Rows share the existing tables: on PostgreSQL the `cable_search.audience` value is the name;
on SQLite an audience's rows live in its root's FTS5 table with rowid `slot << 32 | doc_id`, so
one MATCH answers every audience of a table and ranks with the same statistics.
"""

from __future__ import annotations

from dataclasses import dataclass

from npdesk.security.model import Level, Party, Role, User
from npdesk.security.partners import agreed_level
from npdesk.settings import partner_country

SLOT_SHIFT = 32
DOC_MASK = (1 << SLOT_SHIFT) - 1


@dataclass(frozen=True)
class Audience:
    name: str  # `cable_search.audience` on PostgreSQL
    table: str  # the SQLite FTS5 table of its root
    slot: int  # SQLite rowid = slot << SLOT_SHIFT | doc_id (0 for roots)
    reader: User  # a stand-in reader whose readable paragraphs make the text
    parent: str | None  # None: a root (its missing row means no readable text)

    def rowid(self, doc_id: int) -> int:
        return (self.slot << SLOT_SHIFT) | doc_id


def _stand_in(party: Party, level: Level, country: str | None = None) -> User:
    return User(
        username=f"({party.value} index, {level.name})",
        party=party,
        role=Role.LIAISON if party is Party.PARTNER else Role.OFFICER,
        clearance=level,
        country=country,
    )


def audiences() -> list[Audience]:
    """Every audience, roots first and each parent before its children (the order rows are
    computed in). Follows the partner settings, like the visibility rule."""
    found = [Audience("all", "cable_fts", 0, _stand_in(Party.HOME, Level.TS), None)]
    parent = "all"
    for level in (Level.S, Level.C, Level.U):
        name = f"home:{level.name}"
        found.append(
            Audience(name, "cable_fts", int(level) + 1, _stand_in(Party.HOME, level), parent)
        )
        parent = name
    country = partner_country()
    agreed = agreed_level(country)
    if agreed is None:
        return found
    found.append(
        Audience("partner", "cable_fts_partner", 0, _stand_in(Party.PARTNER, agreed, country), None)
    )
    parent = "partner"
    for level in sorted((lvl for lvl in Level if lvl < agreed), reverse=True):
        name = f"partner:{level.name}"
        found.append(
            Audience(
                name,
                "cable_fts_partner",
                int(level) + 1,
                _stand_in(Party.PARTNER, level, country),
                parent,
            )
        )
        parent = name
    return found


def by_name() -> dict[str, Audience]:
    return {audience.name: audience for audience in audiences()}


def by_rowid_slot() -> dict[tuple[str, int], Audience]:
    """SQLite: the audience of (FTS5 table, slot)."""
    return {(audience.table, audience.slot): audience for audience in audiences()}


def chain_for(user: User) -> tuple[Audience, ...]:
    """The audiences whose rows make `user`'s text, the user's own first, root last; empty
    for a reader with no readable text at all (a partner country without an agreement)."""
    known = by_name()
    if user.party is Party.HOME:
        own = "all" if user.clearance >= Level.TS else f"home:{user.clearance.name}"
    else:
        agreed = agreed_level(user.country)
        if agreed is None or user.country is None or user.country.upper() != partner_country():
            return ()
        level = min(user.clearance, agreed)
        own = "partner" if level >= agreed else f"partner:{level.name}"
    chain: list[Audience] = []
    name: str | None = own
    while name is not None:
        audience = known[name]
        chain.append(audience)
        name = audience.parent
    return tuple(chain)
