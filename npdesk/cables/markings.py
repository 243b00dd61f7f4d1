"""Classification markings: the banner line, caveat and handling lines, portion markings.

Vocabulary (what the rest of npdesk relies on):
- level: ``TOP SECRET``, ``SECRET``, ``CONFIDENTIAL``, ``UNCLASSIFIED``;
- caveats: dissemination controls that belong in the full marking ``LEVEL//CAVEAT``, as the
  2010 release prints it: ``NOFORN``, and ``FOR OFFICIAL USE ONLY`` for unclassified cables
  marked SENSITIVE / SBU (that is how the release maps them);
- handling: distribution captions that are not part of the marking: ``SIPDIS``, ``NODIS``, ...
"""

from __future__ import annotations

import re
from dataclasses import dataclass

FOUO = "FOR OFFICIAL USE ONLY"
HANDLING_WORDS = frozenset({"SIPDIS", "NODIS", "EXDIS", "LIMDIS", "STADIS", "ROGER", "CHEROKEE"})
# Phrases a caveat line may hold, longest first so that the longest phrase wins.
_CAVEAT_PHRASES: tuple[tuple[str, str | None], ...] = (
    ("NOT FOR INTERNET DISTRIBUTION", None),
    ("SENSITIVE BUT UNCLASSIFIED", FOUO),
    ("LAW ENFORCEMENT SENSITIVE", FOUO),
    ("FOR OFFICIAL USE ONLY", FOUO),
    ("DEA SENSITIVE", FOUO),
    ("NOT FOR FOREIGN DISSEMINATION", "NOFORN"),
    ("SENSITIVE", FOUO),
    ("NOFORN", "NOFORN"),
    ("FOUO", FOUO),
    ("SBU", FOUO),
    ("ORCON", "ORCON"),
)

_LEVEL = (
    r"(?P<level>T\s?O\s?P\s+S\s?E\s?C\s?R\s?E\s?T"
    r"|S?S\s?E\s?C\s?R\s?E\s?T"  # "SS E C R E T" occurs (09MOSCOW226)
    r"|C?C\s?O\s?N\s?F\s?I\s?D\s?E\s?N\s?T\s?I\s?A\s?L"
    r"|U?U\s?N\s?C\s?L\s?A\s?S(?:\s?S\s?I\s?F\s?I\s?E\s?D)?"
    r"|SBU|LIMITED\s+OFFICIAL\s+USE)"
)
_BANNER = re.compile(r"^\s*" + _LEVEL + r"(?=\s|$|//)(?P<rest>[^\n]{0,200})$", re.I)
_STATION_WORD = re.compile(r"^[A-Z][A-Z'\-.]*$")
_BANNER_FIRST = frozenset("SCUTLsctul")
_SECTION = re.compile(r"\bSECTION\s+0*(\d{1,3})\s+OF\s+0*(\d{1,3})\b", re.I)
_PORTION = re.compile(r"^(TS|S|C|U|SBU|LOU|FOUO)((?:/{1,2}[A-Z][A-Z ,]{0,40})*)$")
_MARKING_SPLIT = re.compile(r"[\s,;/]+")
_PORTION_CAVEAT = {"NOFORN": "NF", "FOUO": "FOUO", "NF": "NF"}


@dataclass(frozen=True)
class Banner:
    """A classification line such as ``S E C R E T SECTION 01 OF 04 BEIJING 001050``."""

    level: str
    caveats: tuple[str, ...]
    handling: tuple[str, ...]
    station: str | None
    serial: str | None
    section: tuple[int, int] | None


def normalize_level(raw: str) -> str:
    """``S E C R E T`` / ``unclas`` / ``SBU`` → ``SECRET`` / ``UNCLASSIFIED``."""
    word = "".join(raw.split()).upper()
    if word.startswith("TOPSECRET"):
        return "TOP SECRET"
    if word.startswith(("SECRET", "SSECRET")):
        return "SECRET"
    if word.startswith(("CONFIDENTIAL", "CCONFIDENTIAL")):
        return "CONFIDENTIAL"
    return "UNCLASSIFIED"


def parse_banner(line: str) -> Banner | None:
    """Read a classification line; None when `line` is not one.

    A banner names the level, then optionally caveats, ``SECTION n OF m``, and the station and
    serial (the serial is the last number on the line).
    """
    if len(line) > 240 or line.lstrip()[:1] not in _BANNER_FIRST:
        return None
    match = _BANNER.match(line)
    if match is None:
        return None
    raw_level = match.group("level")
    level = normalize_level(raw_level)
    caveats: list[str] = []
    upper_raw = "".join(raw_level.split()).upper()
    if upper_raw == "SBU" or upper_raw.startswith("LIMITEDOFFICIAL"):
        caveats.append(FOUO)
    rest = match.group("rest").replace("//", " ").strip()
    section = None
    section_match = _SECTION.search(rest)
    if section_match:
        section = (int(section_match.group(1)), int(section_match.group(2)))
        rest = (rest[: section_match.start()] + " " + rest[section_match.end() :]).strip()
    tokens = rest.upper().split()
    handling: list[str] = []
    while tokens:
        found = _leading_caveat(tokens)
        if found is None:
            break
        used, caveat = found
        if caveat in HANDLING_WORDS:
            handling.append(caveat)
        elif caveat is not None and caveat not in caveats:
            caveats.append(caveat)
        tokens = tokens[used:]
    # "S E C R E T BOGOTA 000243 SIPDIS NOFORN": captions may also follow the serial.
    while len(tokens) > 1 and not tokens[-1].isdigit():
        found = _trailing_caveat(tokens)
        if found is None:
            break
        used, caveat = found
        if caveat in HANDLING_WORDS:
            handling.append(caveat)
        elif caveat is not None and caveat not in caveats:
            caveats.append(caveat)
        tokens = tokens[:-used]
    station = serial = None
    if tokens and tokens[-1].isdigit():
        words = tokens[:-1]
        # A station is one to four words ("RIO DE JANEIRO", "USUN NEW YORK"), not a sentence.
        if len(words) > 4 or not all(_STATION_WORD.match(word) for word in words):
            return None
        serial = str(int(tokens[-1]))
        station = " ".join(words) or None
    elif tokens:
        return None if len(tokens) > 3 else Banner(level, tuple(caveats), (), None, None, section)
    return Banner(level, tuple(caveats), tuple(handling), station, serial, section)


def _leading_caveat(tokens: list[str]) -> tuple[int, str | None] | None:
    if tokens[0] in HANDLING_WORDS:
        return 1, tokens[0]
    for phrase, caveat in _CAVEAT_PHRASES:
        words = phrase.split()
        if tokens[: len(words)] == words:
            return len(words), caveat
    return None


_MARKING_START = re.compile(
    r"^[\s/]*(?:"
    + "|".join(sorted(HANDLING_WORDS | {p.split()[0] for p, _ in _CAVEAT_PHRASES}))
    + r")\b",
    re.I,
)


# Lines that may be a banner or a caveat/handling line start like this: a cheap first test.
MARKING_OR_BANNER_START = re.compile(_MARKING_START.pattern + "|" + r"^\s*" + _LEVEL, re.I)


def _trailing_caveat(tokens: list[str]) -> tuple[int, str | None] | None:
    if tokens[-1] in HANDLING_WORDS:
        return 1, tokens[-1]
    for phrase, caveat in _CAVEAT_PHRASES:
        words = phrase.split()
        if len(tokens) > len(words) and tokens[-len(words) :] == words:
            return len(words), caveat
    return None


def read_marking_line(line: str) -> tuple[list[str], list[str]] | None:
    """Read a line made only of caveat and handling words (``NOFORN``, ``SIPDIS``,
    ``SENSITIVE BUT UNCLASSIFIED``...); returns (caveats, handling) or None.

    Caveats are returned as written-normalized (``SENSITIVE`` → ``FOR OFFICIAL USE ONLY``); the
    caller decides whether the level admits them.
    """
    if len(line) > 90 or not _MARKING_START.match(line):  # fast path: most lines are text
        return None
    upper = line.upper()
    tokens = [t.strip(".") for t in _MARKING_SPLIT.split(upper) if t.strip(".")]
    if not tokens or len(tokens) > 8:
        return None
    caveats: list[str] = []
    handling: list[str] = []
    while tokens:
        found = _leading_caveat(tokens)
        if found is None:
            return None
        used, caveat = found
        if caveat in HANDLING_WORDS:
            handling.append(caveat)
        elif caveat is not None:
            caveats.append(caveat)
        tokens = tokens[used:]
    return caveats, handling


def marking_caveats(level: str | None, caveats: list[str]) -> list[str]:
    """The caveats that belong in the full marking of a cable at `level`, in canonical order.

    The release prints SENSITIVE / SBU only on unclassified cables (as FOR OFFICIAL USE ONLY);
    on a classified cable the word is a caption, not part of the marking.
    """
    kept: list[str] = []
    for caveat in caveats:
        if caveat == FOUO and level != "UNCLASSIFIED":
            continue
        if caveat not in kept:
            kept.append(caveat)
    return kept


def normalize_portion(raw: str) -> str | None:
    """A portion marking without its parentheses → normalized form, or None if it is not one.

    ``S`` → ``S``; ``S//NF``, ``S/NF``, ``S-NF``, ``S/NOFORN`` → ``S/NF``; ``U//FOUO`` →
    ``U/FOUO``; ``SBU`` → ``SBU``; ``C//REL GERMANY`` → ``C/REL GERMANY``.
    """
    text = " ".join(raw.upper().split())
    if not text or len(text) > 48:
        return None
    text = text.replace(" / ", "/").replace("-", "/")
    match = _PORTION.match(text)
    if match is None:
        return None
    parts = [match.group(1)]
    for caveat in match.group(2).split("/"):
        caveat = caveat.strip()
        if caveat:
            parts.append(_PORTION_CAVEAT.get(caveat, caveat))
    return "/".join(parts)


def section_of(line: str) -> tuple[int, int] | None:
    """``SECTION 02 OF 04`` anywhere in `line` → (2, 4)."""
    match = _SECTION.search(line)
    return (int(match.group(1)), int(match.group(2))) if match else None
