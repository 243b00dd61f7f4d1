"""Classification authority: the ``Classified By`` line, its reasons, and the E.O. line.

Reasons are the E.O. 12958 section 1.4 (older: 1.5) categories, normalized one per letter:
``1.4 (b/d)``, ``1.4(B) AND (D)``, ``1.5 (B) AND (D)``, ``1.4 B, D``, ``1.4 (a,b,c,d)`` →
``["1.4(b)", "1.4(d)"]`` and so on.

The E.O. line names the order (11652, 12065, 12356, 12958) and the declassification
instruction: ``DECL: 03/20/2033`` (also ``2033/03/20`` and ``3/20/2033``) becomes the ISO date;
anything else (``OADR``, ``1.6X1``, ``N/A``, ``GDS``, ``TEN YEARS AFTER ...``) stays raw.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

CLASSIFIED_BY = re.compile(r"^\s*(?:\([A-Z/]{1,8}\)\s*)?CLASSIFIED\s+BY\b\s*:?\s*", re.I)
EO_LINE = re.compile(r"(?<![A-Za-z])(?:E\.\s?O\.?|EO)\s*(1[1-9]\d{3})\b\s*[:;,]?\s*", re.I)
_REASONS_AT = re.compile(
    r"[\s,;.:]*(?:\bfor\s+)?(?:\brea\s?s\s?o\s?n\s?s?\b|\bper\s+(?=1\.\d)|"
    r"\bunder\s+(?:section\s+)?(?=1\.\d)|"
    r"\bE\.?\s?O\.?\s?12958\b|(?<![\w.])(?=1\.\s?[4-6](?!\d)))",
    re.I,
)
_SECTION_NUMBER = re.compile(r"(?<![\d.])1\s?[./:]?\s?([4-6])(?![\d])")
_BARE_LETTERS = re.compile(r"^[\s:,;.]*(?:for\s+)?reasons?\b[\s:]*(?=\(?[a-hA-H]\b)", re.I)
_BARE_LETTERS_AT_END = re.compile(
    r",\s*(\(?[a-hA-H]\)?(?:\s*(?:,|and|&|/)\s*\(?[a-hA-H]\)?)+)\s*\.?\s*$"
)
_LETTER = re.compile(r"(?<![A-Za-z])([a-hA-H])(?![A-Za-z])")
_STOP = re.compile(r"[A-Za-z]{2,}")
_LETTER_JOINERS = frozenset({"AND", "OR"})
_DATE_MDY = re.compile(r"^0?(\d{1,2})\s?[/.\-]\s?(\d{1,2})\s?[/.\-]\s?(\d{4}|\d{2})(?!\d)")
_DATE_YMD = re.compile(r"^(\d{4})[/.\-](\d{1,2})[/.\-](\d{1,2})\b")
_DATE_WORDS = re.compile(
    r"^(?:(\d{1,2})\s+([A-Za-z]{3,9})\.?,?\s+(\d{4})|([A-Za-z]{3,9})\.?\s+(\d{1,2}),?\s+(\d{4}))\b"
)
_MONTHS = {
    name: number
    for number, names in enumerate(
        [("JAN", "JANUARY"), ("FEB", "FEBRUARY"), ("MAR", "MARCH"), ("APR", "APRIL"),
         ("MAY",), ("JUN", "JUNE"), ("JUL", "JULY"), ("AUG", "AUGUST"),
         ("SEP", "SEPT", "SEPTEMBER"), ("OCT", "OCTOBER"), ("NOV", "NOVEMBER"),
         ("DEC", "DECEMBER")],
        start=1,
    )
    for name in names
}  # fmt: skip
_DECL = re.compile(r"^DECLL?\b\s*[:.]?\s*", re.I)


@dataclass(frozen=True)
class ExecutiveOrder:
    """What an E.O. line says: the order, the declassification date if any, the raw text."""

    order: str
    declassify_on: str | None
    raw: str | None


def split_classified_by(text: str) -> tuple[str | None, list[str]]:
    """The text after ``Classified By:`` (all its lines joined) → (authority, reasons)."""
    bare = _BARE_LETTERS_AT_END.search(text)
    if bare and not _SECTION_NUMBER.search(text):
        # "Derived from DSCG 05-01, b and d": the letters of section 1.4 after the name.
        who = " ".join(text[: bare.start()].split()).strip(" .,;:")
        return who or None, [f"1.4({letter})" for letter in _letters(bare.group(1))]
    match = _REASONS_AT.search(text)
    who = text[: match.start()] if match else text
    who = " ".join(who.split()).strip(" .,;:")
    repeated = CLASSIFIED_BY.match(who)  # "Classified By: Classified by Ambassador ..."
    if repeated:
        who = who[repeated.end() :]
    reasons = parse_reasons(text[match.start() :] if match else "")
    return (who or None), reasons


def parse_reasons(text: str) -> list[str]:
    """All ``1.x(y)`` reasons named in `text`, in order, without duplicates."""
    reasons: list[str] = []
    matches = list(_SECTION_NUMBER.finditer(text))
    if not matches:
        # "for reasons b, d": no section number; the letters are section 1.4's.
        bare = _BARE_LETTERS.match(text)
        return [f"1.4({letter})" for letter in _letters(text[bare.end() :])] if bare else []
    for index, match in enumerate(matches):
        stop = matches[index + 1].start() if index + 1 < len(matches) else len(text)
        tail = text[match.end() : stop]
        for letter in _letters(tail):
            reason = f"1.{match.group(1)}({letter})"
            if reason not in reasons:
                reasons.append(reason)
    return reasons


def _letters(tail: str) -> list[str]:
    """The reason letters right after a section number, up to the first real word."""
    letters: list[str] = []
    position = 0
    for word in _STOP.finditer(tail):
        if word.group(0).upper() not in _LETTER_JOINERS:
            tail = tail[: word.start()]
            break
    for match in _LETTER.finditer(tail, position):
        letters.append(match.group(1).lower())
    return letters


def parse_executive_order(line: str) -> ExecutiveOrder | None:
    """Read the E.O. line (it may share its line with other text); None when there is none."""
    match = EO_LINE.search(line)
    if match is None:
        return None
    rest = line[match.end() :]
    tags_at = re.search(r"\bTAGS?\b", rest, re.I)
    if tags_at:
        rest = rest[: tags_at.start()]
    rest = " ".join(rest.split())
    decl = _DECL.match(rest)
    raw = rest[decl.end() :] if decl else rest
    raw = raw.strip(" .;,")
    return ExecutiveOrder(match.group(1), _iso_date(raw), raw or None)


def _iso_date(raw: str) -> str | None:
    """``03/20/2033``, ``6/30/08``, ``2033/03/20``, ``20 MARCH 2033``, ``MARCH 20, 2033`` → ISO."""
    try:
        mdy = _DATE_MDY.match(raw)
        if mdy:
            month, day, year = (int(g) for g in mdy.groups())
            if len(mdy.group(3)) == 2:  # "6/30/08": a two-digit year of the cable era
                year += 1900 if year >= 50 else 2000
            return dt.date(year, month, day).isoformat()
        ymd = _DATE_YMD.match(raw)
        if ymd:
            year, month, day = (int(g) for g in ymd.groups())
            return dt.date(year, month, day).isoformat()
        words = _DATE_WORDS.match(raw)
        if words:
            day_text, month_text, year_text = (
                words.group(1, 2, 3) if words.group(1) else words.group(5, 4, 6)
            )
            named = _MONTHS.get(month_text.upper())
            if named is not None:
                return dt.date(int(year_text), named, int(day_text)).isoformat()
    except ValueError:
        return None
    return None
