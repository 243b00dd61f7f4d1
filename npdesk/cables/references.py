"""The REF block: split it into labelled references and canonicalize cable references to ids.

A cable reference reads ``[YY] STATION SERIAL`` (``07 BEIJING 5361``, ``STATE 2311``,
``SECSTATE 134796``, ``USUN NEW YORK 45``); its id is year + station without spaces + serial
without leading zeros (``07BEIJING5361``). A reference without a year takes the citing cable's
year; SECSTATE is STATE. Anything else (e-mails, reports, meetings, OSC items) is kept with
``id = None``.
"""

from __future__ import annotations

import re

from npdesk.cables.model import Reference

_HEAD = re.compile(r"^\s*(?:REFS?|REFTELS?|REFERENCES?)\b\s*[:.]?\s*", re.I)
# A label: "A." "(A)" "A)" "A:" at the start or after whitespace/;/, — accepted only in sequence.
_LABEL = re.compile(r"(?:^|(?<=[\s;,]))(?:\(([A-Za-z])\)|([A-Za-z])(?:\.|\)|:)(?=\s|$|\(|\d))")
_DOUBLE_LABEL = re.compile(r"^\(?[A-Za-z][.):]\s+")
_CABLE = re.compile(
    r"^(?:\(?(?P<year>\d{2}|\d{4})\)?\s+)?"
    r"(?P<station>[A-Z](?:[A-Z'\-]*[A-Z])?(?:\s+[A-Z](?:[A-Z'\-]*[A-Z])?){0,3})"
    r"\s*(?P<serial>\d{1,7})(?![\d/.\-:]\d)"
)
_NOT_STATION = frozenset(
    {
        "FROM", "OF", "THE", "ON", "AND", "DATED", "EMAIL", "E-MAIL", "MEMO", "LETTER",
        "REPORT", "TELCON", "MEETING", "IIR", "TO", "IN", "FOR", "AT", "BY", "A", "AN",
        "JANUARY", "FEBRUARY", "MARCH", "APRIL", "MAY", "JUNE", "JULY", "AUGUST",
        "SEPTEMBER", "OCTOBER", "NOVEMBER", "DECEMBER", "JAN", "FEB", "MAR", "APR", "JUN",
        "JUL", "AUG", "SEP", "SEPT", "OCT", "NOV", "DEC", "NO", "NUMBER", "PARA", "PARAGRAPH",
        "RESOLUTION", "UNSCR", "ARTICLE", "SECTION", "PAGE", "CHAPTER", "LAW", "DECREE",
        "OSC", "FBIS", "DTG", "TDX", "IR", "TD", "CA", "ROOM", "YEAR", "FY", "EO", "WEEK",
    }
)  # fmt: skip
_TRAILING_WORDS = re.compile(
    r"\s*(?:\(NOTAL\)|NOTAL|\(EXDIS\)|\(NODIS\)|AND\s+PREVIOUS|AND\s+PREVIOUS\s+\w+)\s*$", re.I
)


def parse_references(block: str, cable_year: str | None) -> list[Reference]:
    """Split the text of a REF block (its lines joined by spaces) into references, in order.

    `cable_year` (two digits) completes references that give no year. Never raises.
    """
    text = " ".join(_HEAD.sub("", block, count=1).split())
    text = _HEAD.sub("", text, count=1)  # "REF: REF (A) ..."
    if not text or text.upper().strip(" .") in {"NONE", "N/A", "NA"}:
        return []
    items = _split_labelled(text)
    if items is None:
        items = [(None, piece) for piece in _split_unlabelled(text)]
    references: list[Reference] = []
    seen: set[tuple[str | None, str]] = set()
    for label, item in items:
        item = item.strip(" ;,")
        if (not item and label is None) or (label, item) in seen:
            continue  # pages that repeat their header repeat the REF block
        seen.add((label, item))
        references.append(Reference(label, cable_id(item, cable_year), item))
    return references


def _split_labelled(text: str) -> list[tuple[str | None, str]] | None:
    """Cut at labels A, B, C... in sequence; None when `text` does not start with label A."""
    cuts: list[tuple[int, int, str]] = []
    expected = "A"
    for match in _LABEL.finditer(text):
        letter = (match.group(1) or match.group(2)).upper()
        if letter != expected:
            continue
        if not cuts and text[: match.start()].strip():
            return None
        cuts.append((match.start(), match.end(), letter))
        expected = chr(ord(expected) + 1)
    if not cuts:
        return None
    items: list[tuple[str | None, str]] = []
    for index, (_, end, letter) in enumerate(cuts):
        stop = cuts[index + 1][0] if index + 1 < len(cuts) else len(text)
        body = text[end:stop].strip(" ;,")
        # "A. A) 04 STATE 274965": a second label that repeats the first.
        double = _DOUBLE_LABEL.match(body)
        if double and body[: double.end()].strip("(). :").upper() == letter:
            body = body[double.end() :]
        items.append((letter, body.strip(" ;,")))
    return items


def _split_unlabelled(text: str) -> list[str]:
    pieces: list[str] = []
    for part in text.split(";"):
        part = part.strip()
        if not part:
            continue
        subparts = [p.strip() for p in re.split(r",|\s+AND\s+(?!PREVIOUS)", part, flags=re.I)]
        subparts = [p for p in subparts if p]
        if len(subparts) > 1 and all(_match_cable(p) for p in subparts):
            pieces.extend(subparts)
        else:
            pieces.append(part)
    return pieces


def _match_cable(item: str) -> re.Match[str] | None:
    upper = item.upper()
    match = _CABLE.match(upper)
    if match is None:
        return None
    words = match.group("station").split()
    if any(word in _NOT_STATION for word in words):
        return None
    return match


def cable_id(item: str, cable_year: str | None) -> str | None:
    """The canonical id of a reference text, or None when it does not cite a cable."""
    item = _TRAILING_WORDS.sub("", item.strip())
    match = _match_cable(item)
    if match is None:
        return None
    year = match.group("year")
    if year is None:
        year = cable_year
    elif len(year) == 4:
        year = year[2:]
    if year is None:
        return None
    station = "".join(match.group("station").split())
    if station == "SECSTATE":
        station = "STATE"
    return f"{year}{station}{int(match.group('serial'))}"
