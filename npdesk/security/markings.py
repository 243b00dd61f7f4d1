"""Portion markings (`S`, `C/NF`, `C//REL TO CHN`, `S/REL CHINA`, `SBU`) to `Marking` and back.

Cables mark each paragraph with a short portion marking. The forms seen in the corpus vary:
single or double slashes, `NF` or `NOFORN`, `REL TO CHN` or `REL CHINA`. Parsing is strict about
the level (an unreadable level raises) and fails closed on releasability: only an explicit `REL`
makes a portion releasable.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from contextlib import suppress
from dataclasses import dataclass

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


# Controls that only unclassified text carries: above UNCLASSIFIED the level says more.
UNCLASSIFIED_CONTROLS = frozenset({"SBU", "FOR OFFICIAL USE ONLY"})
# A cable whose level no source states is kept as SECRET: nothing proves it is less.
UNPROVEN_LEVEL = Level.S


def banner_marking(text: str) -> Marking:
    """A marking from a banner such as `SECRET//NOFORN`, `CONFIDENTIAL//REL TO USA, GBR` or
    `UNCLASSIFIED//FOR OFFICIAL USE ONLY`. Raises ValueError when the level cannot be read."""
    level_text, *rest = [part.strip() for part in text.upper().split("//")]
    level = Level.parse(level_text)
    caveats: set[str] = set()
    rel_to: frozenset[str] = frozenset()
    for caveat in filter(None, rest):
        if caveat.startswith(("REL TO", "RELEASABLE TO")):
            rel_to |= parse_rel_to(caveat.split(" TO ", 1)[1])
        else:
            caveats.add(CAVEAT_ALIASES.get(caveat, caveat))
    return Marking(level=level, caveats=frozenset(caveats), rel_to=rel_to)


def strictest(markings: Iterable[Marking]) -> Marking:
    """The marking that protects everything `markings` protect: the highest level, every
    caveat (without the unclassified-only SBU / FOUO once the level is classified), `REL TO`
    only the countries every one of them is releasable to, and shared only when all are.

    Raises ValueError for no markings: there is nothing to be strict about.
    """
    items = list(markings)
    if not items:
        raise ValueError("no markings to combine")
    level = max(m.level for m in items)
    caveats = frozenset().union(*(m.caveats for m in items))
    if level > Level.U:
        caveats -= UNCLASSIFIED_CONTROLS
    rel_to = frozenset.intersection(*(m.rel_to for m in items))
    return Marking(level, caveats, rel_to, all(m.shared for m in items))


def covers(marking: Marking, other: Marking) -> bool:
    """Whether `marking` is at least as strict as `other` in level and caveats."""
    needed = other.caveats - UNCLASSIFIED_CONTROLS if marking.level > Level.U else other.caveats
    return marking.level >= other.level and needed <= marking.caveats


@dataclass(frozen=True)
class CableMarking:
    """A cable's derived marking, what each source said, and a note for each record-level
    source (page metadata, banner) that understates it."""

    marking: Marking
    sources: dict[str, Marking]
    disagreements: tuple[str, ...]


# How a note names each source.
_SOURCE_LABELS = {
    "page": "page metadata",
    "banner": "in-text banner",
    "subject": "subject portion marking",
    "paragraphs": "highest paragraph marking",
}


def cable_marking(
    *,
    page: str | None = None,
    banner: str | None = None,
    subject: str | None = None,
    paragraphs: Iterable[str | None] = (),
) -> CableMarking:
    """The marking of a cable: the strictest of the page metadata (`SECRET`), the in-text
    banner with its caveats (`SECRET//NOFORN`), the subject's portion marking (`S`) and the
    paragraphs' portion markings (`S/NF`, `C`, None for an unmarked paragraph).

    Unreadable or missing markings say nothing; when neither the page nor the banner states a
    readable level, the cable is kept at SECRET (nothing proves it is less). Each of page and
    banner that is less strict than the result is noted in `disagreements`, naming the
    stricter sources but no paragraph numbers (the note may be read with paragraphs withheld).
    """
    said: dict[str, Marking] = {}
    for name, text, reader in (
        ("page", page, banner_marking),
        ("banner", banner, banner_marking),
        ("subject", subject, parse_portion),
    ):
        if text:
            with suppress(ValueError):  # an unreadable marking says nothing
                said[name] = _cable_level_caveats(reader(text))
    portions = []
    for portion in paragraphs:
        if portion:
            with suppress(ValueError):
                portions.append(_cable_level_caveats(parse_portion(portion)))
    if portions:
        said["paragraphs"] = strictest(portions)
    record_level = [said[name] for name in ("page", "banner") if name in said]
    floor = [] if record_level else [Marking(UNPROVEN_LEVEL)]
    derived = strictest([*said.values(), *floor])
    notes = []
    for name in ("page", "banner"):
        if name in said and not covers(said[name], derived):
            stricter = [
                f"{_SOURCE_LABELS[other]} {marking.banner()}"
                for other, marking in said.items()
                if other != name and not covers(said[name], marking)
            ]
            notes.append(
                f"{_SOURCE_LABELS[name]} {said[name].banner()} understates the cable "
                f"({', '.join(stricter)}): marked {derived.banner()}"
            )
    return CableMarking(derived, said, tuple(notes))


def _cable_level_caveats(marking: Marking) -> Marking:
    # A cable carries SBU as the release prints it: FOR OFFICIAL USE ONLY.
    caveats = frozenset(
        "FOR OFFICIAL USE ONLY" if caveat == "SBU" else caveat for caveat in marking.caveats
    )
    return Marking(marking.level, caveats, marking.rel_to)
