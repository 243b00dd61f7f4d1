"""Portion markings (`S`, `C/NF`, `C//REL TO CHN`, `S/REL CHINA`, `SBU`) to `Marking` and back.

Cables mark each paragraph with a short portion marking. The forms seen in the corpus vary:
single or double slashes, `NF` or `NOFORN`, `REL TO CHN` or `REL CHINA`. Parsing is strict about
the level (an unreadable level raises) and fails closed on releasability: only an explicit `REL`
makes a portion releasable.
"""

from __future__ import annotations

import re

import pycountry

from npdesk.security.model import NOFORN, Level, Marking

# Short caveat forms used in portion markings, spelled out as they are stored.
CAVEAT_ALIASES = {
    "NF": NOFORN,
    "NOFORN": NOFORN,
    "FOUO": "FOR OFFICIAL USE ONLY",
    "SBU": "SBU",
}
# The reverse, for writing a portion marking back.
CAVEAT_SHORT = {NOFORN: "NF", "FOR OFFICIAL USE ONLY": "FOUO"}

_REL = re.compile(r"^REL(?:\s+TO)?\s+(?P<who>.+)$")


def country_code(name: str) -> str:
    """The ISO alpha-3 code for a country name or code (`CHINA` → `CHN`, `CHN` → `CHN`).

    Names that are not countries (`NATO`, `FVEY`) come back upper-cased with spaces joined by
    `_`, so they can never match a partner's country code by accident.
    """
    cleaned = " ".join(name.strip().split())
    try:
        return str(pycountry.countries.lookup(cleaned).alpha_3)
    except LookupError:
        return cleaned.upper().replace(" ", "_")


def parse_rel_to(text: str) -> frozenset[str]:
    """Country codes from the part after `REL TO` (`USA, ACGU`, `CHINA`, `CHN GBR`)."""
    if "," in text:
        items = [item.strip() for item in text.split(",") if item.strip()]
    else:
        whole = country_code(text)
        items = [text] if "_" not in whole else text.split()
    return frozenset(country_code(item) for item in items)


def parse_portion(portion: str) -> Marking:
    """A marking from a portion marking such as `S`, `C/NF`, `S//NF`, `C//REL TO CHN`, `SBU`.

    `SBU` is UNCLASSIFIED with the SBU caveat. Raises ValueError when the level cannot be read.
    The result is never `shared`: that flag is the officer's, not the cable's.
    """
    text = portion.strip().strip("()").strip().upper()
    tokens = [token.strip() for token in re.split(r"/+", text) if token.strip()]
    if not tokens:
        raise ValueError(f"empty portion marking: {portion!r}")
    head, *rest = tokens
    caveats: set[str] = set()
    if head == "SBU":
        level = Level.U
        caveats.add("SBU")
    else:
        level = Level.parse(head)
    rel_to: frozenset[str] = frozenset()
    for token in rest:
        rel = _REL.match(token)
        if rel:
            rel_to = rel_to | parse_rel_to(rel.group("who"))
        else:
            caveats.add(CAVEAT_ALIASES.get(token, token))
    return Marking(level=level, caveats=frozenset(caveats), rel_to=rel_to)


def paragraph_marking(portion: str | None, record: Marking) -> Marking:
    """The marking of a paragraph given its portion marking and its record's marking.

    An unmarked or unreadable portion takes the record's level and caveats but is not
    releasable: nothing is releasable unless marked so.
    """
    if portion:
        try:
            return parse_portion(portion)
        except ValueError:
            pass
    return Marking(level=record.level, caveats=record.caveats)


def format_portion(marking: Marking) -> str:
    """The portion marking for `marking` (`S//NF`, `C//REL TO CHN`, `U`)."""
    caveats = set(marking.caveats)
    head = marking.level.name
    if marking.level is Level.U and "SBU" in caveats:
        head = "SBU"
        caveats.discard("SBU")
    parts = [head, *sorted(CAVEAT_SHORT.get(c, c) for c in caveats)]
    if marking.rel_to:
        parts.append("REL TO " + ", ".join(sorted(marking.rel_to)))
    return "//".join(parts)
