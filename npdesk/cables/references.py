"""The REF block: split it into labelled references and canonicalize cable references to ids.

A cable reference reads ``[YY] STATION SERIAL`` (``07 BEIJING 5361``, ``STATE 2311``,
``SECSTATE 134796``, ``(08) SAO PAULO 581``, ``2008 BAKU 917``, ``BELGRADE743``); its id is
year + canonical station code + serial without leading zeros (``07BEIJING5361``,
``09USUNNEWYORK45``). The station is looked up in the table of posts
(`npdesk.cables.posts`), so ``BUENOS AIR``, ``USUN NY``, ``IRPO DUBAI`` and ``SECSTATE`` come
out as the station of the cited cable's id; a reference without a year takes the citing
cable's year, one without a station (``REF: 09 1234``) the citing cable's station.

The block is cut at labels in sequence (``A.`` ``A)`` ``(A)`` ``A:`` ``REF A:``, a bare ``B``
at a line start before a cable), a label may come twice, and one label may hold several
cables (``ISLAMABAD 5266 ISLAMABAD 4817``); without labels, references are separated by
``;``, ``,``, ``AND`` or line breaks. Words after a cable (``AND PREVIOUS``, ``(NOTAL)``, a
title) stay in its text. Anything else (e-mails, telephone calls, reports, OSC items, IIRs) is
kept with ``id = None``. The letter anchors that the 2010 release put at the start of REF
lines (``REF: A. A) BAKU 91`` / ``¶B. B) BAKU 30``) are not labels of their own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from npdesk.cables.model import Reference
from npdesk.cables.posts import post_table, station_code

_HEAD = re.compile(
    r"^\s*(?:REF\(S\)|REFS?|REFTELS?|REFERENCES?|REFERENCE\s+CABLES?)(?:\b|(?<=\)))"
    r"(?!\s+\(?[A-Za-z]\)?(?:\s|:))\s*[:.]?\s*",  # "REF A ..." keeps its label
    re.I,
)
_WORD = re.compile(r"[A-Za-z][A-Za-z'.\-]*")
_YEAR = re.compile(r"\(?((?:19|20)\d{2}|\d{2})\)?\s+(?=[A-Za-z(])")
_SERIAL = re.compile(r"\s*0*(\d{1,7})(?:[/\-]\d{1,2}(?![\d/]))?(?!\d|[.:/]\d|Z\b|Z[A-Z]{3})")
_TRAILING_YEAR = re.compile(r"\s+((?:19|20)\d{2})(?![\d/\-.])(?!\s+[A-Za-z]+\s*\d)")
_BARE_SERIAL = re.compile(r"(?:\(?(\d{2})\)?\s+)?0*(\d{2,7})(?=\s*(?:$|[,;&]|AND\b|\())", re.I)
_OWN_STATION = re.compile(r"^\(?(\d{2})\)?\s+0*(\d{3,7})$|^0*(\d{3,7})$")
_SEPARATOR = re.compile(r"(?:\s|[,;&]|\bAND\b(?!\s+(?:PREVIOUS|PRIOR|OTHERS|FOLLOWING))|--)+", re.I)
_TRAILER = re.compile(
    r"\s*(?:\((?:NOTAL|EXDIS|NODIS|LIMDIS|ALL\s+NOTAL)\)|NOTAL\b|"
    r"AND\s+(?:PREVIOUS|PRIOR|OTHERS|FOLLOWING)\b|CIRCULAR\b)",
    re.I,
)
_MONTHS = frozenset(
    {
        "JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "SEPT", "OCT", "NOV",
        "DEC", "JANUARY", "FEBRUARY", "MARCH", "APRIL", "JUNE", "JULY", "AUGUST", "SEPTEMBER",
        "OCTOBER", "NOVEMBER", "DECEMBER",
    }
)  # fmt: skip
# A label: "(A)", "A." "A)" "A:" "A-"; "REF A" / "REF (B):"; a bare letter at a line start.
# Every form stands at the text's start or after a blank or punctuation: that test comes first,
# once, so that the scan fails fast inside words (it had been a third of the REF time).
_LABEL = re.compile(
    r"(?<![^\s;,.(¶])(?:"
    r"(?:REF(?:TEL)?S?:?\s+)?(?:\((?P<p>[A-Za-z])\)(?=[A-Za-z])|(?:\((?P<q>[A-Za-z])\)|(?P<l>[A-Za-z])(?:[.):]|\s?-(?=\s)))"
    r"(?=\s|$|\(|\d))"
    r"|(?<![^\n])(?P<b>[A-Za-z])(?=\s+\S)"  # a bare letter: at a line start only
    r"|(?<!\S)REF(?:TEL)?S?:?\s+(?P<r>[A-Za-z])\b:?)",  # "REF B": after a blank only
    re.I | re.M,
)
_ANCHOR = "¶"
_GENERIC = re.compile(
    r"(?:\(?(?P<year>(?:19|20)\d{2}|\d{2})\)?\s+)?(?P<station>[A-Z]{2,}(?:\s[A-Z]{2,}){0,2})\s"
    r"0*(?P<serial>\d{1,7})(?:\s*(?:\((?:NOTAL|EXDIS|NODIS)\)|NOTAL|AND\s+PREVIOUS))?"
)
_NOT_POST = frozenset(
    {
        "USDEL", "IIR", "TD", "TDX", "OSC", "FBIS", "DTG", "EMAIL", "MAIL", "MEMO", "LETTER",
        "TELCON", "REPORT", "FAM", "PARA", "PAGE", "RESOLUTION", "UNSCR", "NO", "NUMBER", "CA",
        "POINTS", "DAILY", "SVTC", "DVC", "THE", "OF", "AND", "ON", "FROM", "DATED", "MEETING",
        "DOC", "LAW", "DECREE", "ARTICLE", "SECTION", "YEAR", "FY", "ROOM", "WEEK",
        *_MONTHS,
    }
)  # fmt: skip


@dataclass(frozen=True)
class _Citation:
    start: int
    end: int
    id: str


def parse_references(
    block: str, cable_year: str | None, cable_station: str | None = None
) -> list[Reference]:
    """Split the text of a REF block (its lines joined by newlines) into references, in order.

    `cable_year` (two digits) and `cable_station` (a canonical code) complete references that
    give no year or no station. Never raises."""
    text = _HEAD.sub("", block.strip(), count=1)
    text = _HEAD.sub("", text, count=1)  # "REF: REF (A) ..."
    lines = [" ".join(line.split()) for line in text.split("\n")]
    text = "\n".join(line for line in lines if line)
    if not text or text.upper().strip(" .") in {"NONE", "N/A", "NA"}:
        return []
    references: list[Reference] = []
    seen: set[tuple[str | None, str, str | None]] = set()
    for label, body in _split_labelled(text, cable_year):
        for piece in body.split(";"):
            for reference in _references_in(label, piece, cable_year, cable_station):
                key = (reference.label, reference.text, reference.id)
                if key in seen:
                    continue  # pages that repeat their header repeat the REF block
                seen.add(key)
                references.append(reference)
    return references


def _references_in(
    label: str | None, piece: str, cable_year: str | None, cable_station: str | None
) -> list[Reference]:
    piece = " ".join(piece.replace(_ANCHOR, " ").split()).strip(" ,.:-")
    if not piece:
        return []
    citations = _citations(piece, cable_year)
    if not citations:
        generic = _GENERIC.fullmatch(piece)
        if generic and _unlisted_post(generic.group("station")):
            year = generic.group("year") or cable_year
            station = "".join(generic.group("station").upper().split())
            if year is not None:
                serial = int(generic.group("serial"))
                return [Reference(label, f"{year[-2:]}{station}{serial}", piece)]
        own = _OWN_STATION.match(piece)
        if own and cable_station and (own.group(1) or cable_year):
            year = own.group(1) or cable_year
            serial = int(own.group(2) or own.group(3))
            return [Reference(label, f"{year}{cable_station}{serial}", piece)]
        return [Reference(label, None, piece)]
    references = []
    for index, citation in enumerate(citations):
        start = 0 if index == 0 else citation.start
        stop = citations[index + 1].start if index + 1 < len(citations) else len(piece)
        item = piece[start:stop].strip(" ,;&")
        item = re.sub(r"\s+AND$", "", item, flags=re.I)
        references.append(Reference(label, citation.id, item))
    return references


def _unlisted_post(station: str) -> bool:
    """A post the table does not list (a test post, a post closed long ago) still names a
    cable when the reference is nothing but ``[YY] STATION SERIAL``; words that are no post
    (a delegation's series, redaction, the words of e-mails and reports) do not."""
    words = station.upper().split()
    return not any(word in _NOT_POST or set(word) <= {"X"} for word in words)


def _citations(piece: str, cable_year: str | None) -> list[_Citation]:
    """The cables cited one after the other from the start of `piece` (separated only by
    separators and trailing words); the text after the last one is its description."""
    found: list[_Citation] = []
    position = 0
    while position < len(piece):
        if found:
            position = _skip_separators(piece, position)
        citation = _citation_at(piece, position, cable_year)
        if citation is None and found:
            citation = _same_station_at(piece, position, found[-1])
        if citation is None:
            break
        found.append(citation)
        position = citation.end
    return found


def _same_station_at(piece: str, position: int, previous: _Citation) -> _Citation | None:
    """``STATE 1234, 5678``: a serial after a cable, of the same station (and year, unless
    it gives one)."""
    match = _BARE_SERIAL.match(piece, position)
    if match is None:
        return None
    head = previous.id.rstrip("0123456789")
    year = match.group(1) or head[:2]
    return _Citation(position, match.end(), f"{year[-2:]}{head[2:]}{int(match.group(2))}")


def _skip_separators(piece: str, position: int) -> int:
    while True:
        moved = position
        trailer = _TRAILER.match(piece, moved)
        if trailer:
            moved = trailer.end()
        separator = _SEPARATOR.match(piece, moved)
        if separator:
            moved = separator.end()
        if moved == position:
            return position
        position = moved


def _citation_at(piece: str, position: int, cable_year: str | None) -> _Citation | None:
    start = position
    year: str | None = None
    year_match = _YEAR.match(piece, position)
    if year_match:
        year = year_match.group(1)
        position = year_match.end()
    table = post_table()
    words: list[re.Match[str]] = []
    cursor = position
    while len(words) < table.longest + 2:
        word = _WORD.match(piece, cursor)
        if word is None:
            break
        words.append(word)
        cursor = word.end()
        while cursor < len(piece) and piece[cursor] == " ":
            cursor += 1
    for count in range(len(words), 0, -1):
        written = piece[position : words[count - 1].end()].rstrip(".")
        serial = _SERIAL.match(piece, words[count - 1].end())
        if serial is None:
            continue
        cited_year = year[-2:] if year else cable_year
        code = station_code(written, cited_year)
        if code is None:
            continue
        end = serial.end()
        if int(serial.group(1)) <= 31 and _month_follows(piece, end):
            return None  # "LONDON 3 MAY": a date, not a cable
        trailing = _TRAILING_YEAR.match(piece, end) if year is None else None
        if trailing:  # "MOSCOW 03242 2008"
            cited_year = trailing.group(1)[2:]
            end = trailing.end()
        if cited_year is None:
            return None
        return _Citation(start, end, f"{cited_year}{code}{int(serial.group(1))}")
    return None


def _month_follows(piece: str, end: int) -> bool:
    word = _WORD.match(piece, end + 1) if end < len(piece) and piece[end] == " " else None
    return word is not None and word.group(0).upper().rstrip(".") in _MONTHS


def _split_labelled(text: str, cable_year: str | None) -> list[tuple[str | None, str]]:
    """Cut at labels A, B, C... in sequence; the whole text unlabelled when it has none."""
    cuts: list[tuple[int, int, str]] = []
    dropped: list[tuple[int, int]] = []  # the release's anchors, cut out of the text
    expected = "A"
    for match in _LABEL.finditer(text):
        letter = match.group("p") or match.group("q") or match.group("l")
        letter = letter or match.group("b") or match.group("r")
        letter = letter.upper()
        previous = cuts[-1][2] if cuts else None
        if cuts and _is_release_anchor(text, match):
            dropped.append((match.start(), match.end()))
            continue
        if letter != expected and letter != previous:
            continue
        if match.group("b") and _citation_at(text, match.end() + 1, cable_year) is None:
            continue  # a bare letter is a label only before a cable ("B KUALA LUMPUR 739")
        if not cuts and text[: match.start()].strip(" " + _ANCHOR):
            return [(None, text)]
        if letter != expected and not _label_context(text, match, cable_year):
            continue
        if letter == previous and not _after_anchor_or_text(text, cuts[-1], match):
            # "A. A) BAKU 91": the release's anchor, then the label itself.
            cuts[-1] = (cuts[-1][0], match.end(), letter)
            continue
        cuts.append((match.start(), match.end(), letter))
        if letter == expected:
            expected = chr(ord(expected) + 1)
    if not cuts:
        return [(None, text)]
    items: list[tuple[str | None, str]] = []
    for index, (_, end, letter) in enumerate(cuts):
        stop = cuts[index + 1][0] if index + 1 < len(cuts) else len(text)
        body = text[end:stop]
        for drop_start, drop_end in reversed(dropped):
            if end <= drop_start < stop:
                body = body[: drop_start - end] + " " + body[drop_end - end :]
        items.append((letter, body))
    return items


def _label_context(text: str, match: re.Match[str], cable_year: str | None) -> bool:
    """A label out of sequence (the same letter again) follows a separator, a cable or a line
    break, or comes before a cable."""
    before = text[: match.start()].rstrip(" " + _ANCHOR)
    if not before or before[-1] in "\n;,.)" or before[-1].isdigit() or match.group("r"):
        return True
    if re.search(r"(?:NOTAL|PREVIOUS|PRIOR|OTHERS|EXDIS|NODIS)$", before, re.I):
        return True
    return _citation_at(text, _skip_separators(text, match.end()), cable_year) is not None


def _after_anchor_or_text(text: str, cut: tuple[int, int, str], match: re.Match[str]) -> bool:
    """Whether a label repeating the previous one has text of its own between them."""
    return bool(text[cut[1] : match.start()].strip(" " + _ANCHOR + "\n"))


def _is_release_anchor(text: str, match: re.Match[str]) -> bool:
    """``¶D. AND PREVIOUS``: the release's letter anchor on a line that goes on the last
    reference, or one followed by the real label (``¶B. D. STATE 32213``)."""
    before = text[max(0, match.start() - 2) : match.start()]
    if _ANCHOR not in before:
        return False
    after = text[match.end() :].lstrip()
    return bool(_LABEL.match(after) or _TRAILER.match(after))


def cable_id(item: str, cable_year: str | None, cable_station: str | None = None) -> str | None:
    """The canonical id of a reference text, or None when it does not cite a cable."""
    references = _references_in(None, item, cable_year, cable_station)
    return references[0].id if references else None
