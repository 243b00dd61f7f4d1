"""The cable body: cleaning section breaks, numbered paragraphs, headings, summary.

Input is the list of body lines (after the header), output the paragraphs, the summary and the
signers (read by `npdesk.cables.signature`). The rules, each learnt from real cables (see
tests/cables/test_examples.py):

- Noise is removed before paragraphs are cut: repeated classification banners and
  ``SIPDIS``/``NOFORN`` lines of later sections, section page markers
  (``MADRID 00000869 002.2 OF 004``), teletype page headers (``PAGE 02 ...``), decoration
  rules (``-----``), closing markers (``NNNN``, ``End Cable Text``, ``BT``), the repeated routing
  and header of later sections in old cables, and lines that repeat a header line verbatim.
- A numbered line (``1. (S) ...``) starts a paragraph when it carries a ``¶`` anchor, or when its
  number is the next one in sequence and it stands at a block start.
- A short single-line block without end punctuation is an unnumbered heading (``Summary``,
  ``Review of Open Cases``): a paragraph with ``number = None``.
- A block that starts in lower case after a block that did not end a sentence continues it
  (text copied from web pages, and section breaks, cut paragraphs mid-sentence).
- Within a paragraph, wrapped lines are joined with spaces, list items (``--``, ``-``, ``(a)``)
  keep their own line, and blocks are separated by a blank line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from npdesk.cables.markings import (
    MARKING_OR_BANNER_START,
    normalize_portion,
    parse_banner,
    read_marking_line,
)
from npdesk.cables.model import Paragraph
from npdesk.cables.signature import take_signers
from npdesk.cables.text import TERMINAL

PARAGRAPH_START = re.compile(
    r"^(?P<number>\d{1,3})\s?[.)](?=\s|\(|$)\s*(?:\((?P<portion>[A-Za-z/\- ,]{1,40})\))?\s*"
)
PORTION_START = re.compile(r"^\((?P<portion>[A-Za-z/\- ,]{1,40})\)\s*")
DTG = re.compile(
    r"^(?P<prec>(?:[ZOPRM]{1,2}\s+){0,2})(?P<day>\d{2})(?P<hour>\d{2})(?P<minute>\d{2})Z\s+"
    r"(?P<month>[A-Za-z]{3})\s+(?P<year>\d{2})\b"
)
SECTION_MARKER = re.compile(
    r"^[A-Za-z][A-Za-z .'\-]{0,40}?\s\d{8}\s{1,3}\d{3}(?:\.\d)?\s{1,3}OF\s{1,3}\d{3}$", re.I
)
PAGE_HEADER = re.compile(r"^PAGE\s+\d{2,3}\b")
_CLOSING = re.compile(
    r"^(?:NNNN|BT|END\s+(?:OF\s+)?CABLE\s+TEXT\.?|#\d{1,6}|\*{3,}.*|\.{1,3}|"
    r"NOTE:\s*BY\s+.*|GP-\d|CONFIDENTIAL|SECRET|UNCLASSIFIED|\d{4}[A-Z]{2,10}\d{5}\s+-\s+[A-Z ]+)$",
    re.I,
)
_BULLET = re.compile(r"^(?:--?|\*|•|\([A-Za-z0-9]{1,3}\)\s|[A-Za-z0-9]{1,2}\)\s)")
_SUMMARY_WORDS = (
    r"(?:(?:INTRODUCTION|BEGIN)\s+(?:AND\s+)?)?SUMMARY"
    r"(?:\s*(?:AND|&|/)\s*(?:COMMENTS?|INTRODUCTION|RECOMMENDATIONS?|ACTION\s+REQUESTS?|"
    r"BACKGROUND|KEY\s+POINTS|TABLE\s+OF\s+CONTENTS|OVERVIEW|ANALYSIS|OUTLOOK))?"
)
# "Summary:", "1. (C) Summary.", "C) Summary:", "Introduction and summary:", "SUMMARY AND
# COMMENT:", "Summary/Introduction.", "Begin Summary and Comment:"; the opening of a paragraph.
_SUMMARY_START = re.compile(
    r"^(?:\d{1,2}\s?[.,]\s*)?(?:\(?[A-Z/]{1,6}\)\s*)?" + _SUMMARY_WORDS + r"(?:\s*[:.\-]+\s*|\s*$)",
    re.I,
)
# "SUMMARY During their trip...": upper case, no punctuation, a sentence right after.
_SUMMARY_BARE = re.compile(r"^(?:\(?[A-Z/]{1,6}\)\s*)?SUMMARY\s+(?=[A-Z][a-z])")
_SUMMARY_END = re.compile(
    r"\bEND\s+(?:OF\s+)?(?:INTRODUCTION\s+AND\s+)?SUMMARY"
    r"(?:\s*(?:AND|&|/)\s*[A-Za-z]+(?:\s+(?:REQUESTS?|POINTS|OF\s+CONTENTS))?)?\b\s*[.)]*\s*",
    re.I,
)
_HEADING_MAX = 90
_NOISE_MAX = 120  # noise lines (markers, banners, repeated header lines) are short
_START_FIRST = frozenset("0123456789¶")
_BULLET_FIRST = frozenset("-*•(")
_DECORATION_CHARS = "-=_*.~# "
_DTG_FIRST = frozenset("ZOPRMzoprm0123456789")
_REPEATED_HEADER = re.compile(
    r"^(?:SUBJ(?:ECT)?\s*:|TAGS\s*:|E\.\s?O\.\s?1[12]\d{3}\s*:|CLASSIFIED\s+BY\s*:)", re.I
)
_NOISE = re.compile(
    "|".join(f"(?:{pattern.pattern})" for pattern in (PAGE_HEADER, _CLOSING, _REPEATED_HEADER)),
    re.I,
)
# Noise outright, or a line that may be a banner or a caveat line: one regex call for both.
_NOISE_OR_MARKING = re.compile(
    f"(?P<noise>{_NOISE.pattern})|(?P<marking>{MARKING_OR_BANNER_START.pattern})", re.I
)
# The ASCII characters a match of it can open with (its branches' first characters, both
# cases): a line opening with any other ASCII character ("the", "Amb.", "(C)") is not tried.
_NOISE_FIRST = frozenset("\t\n\x0b\x0c\r #*./0123456789BCDEFGLNOPRSTUbcdefglnoprstu")


@dataclass
class BodyResult:
    """What the body yields."""

    paragraphs: list[Paragraph] = field(default_factory=list)
    summary: str | None = None
    signers: list[str] = field(default_factory=list)


@dataclass
class _Draft:
    number: int | None
    portion: str | None
    blocks: list[list[str]] = field(default_factory=list)
    heading: bool = False

    def text(self) -> str:
        return "\n\n".join(_join_block(block) for block in self.blocks if block)


def read_body(
    lines: list[str], header_lines: set[str], serial: str | None, station: str | None = None
) -> BodyResult:
    """Cut body `lines` into paragraphs, find the summary and the signers.

    `header_lines` are the whitespace-collapsed header lines (repeats of them are dropped);
    `serial` and `station` are the cable's, to recognize repeated banners and section markers
    of later sections.
    """
    cleaned = _clean(lines, header_lines, serial, station)
    signers = take_signers(cleaned)
    paragraphs = _paragraphs(cleaned)
    result = BodyResult(paragraphs, _summary(paragraphs), signers)
    return result


def _collapse(line: str) -> str:
    return " ".join(line.split())


def strip_section_markers(line: str, station: str | None) -> str:
    """Remove section markers printed inside a line ("... that the BRASILIA 00000043 004 OF
    004 full scope ..."), where a page break fell mid-sentence."""
    if station is None or (" OF 0" not in line and " of 0" not in line):
        return line
    return " ".join(_marker_pattern(station).sub(" ", line).split())


@lru_cache(maxsize=1024)  # one per station: more than a corpus's posts, so none is compiled twice
def _marker_pattern(station: str) -> re.Pattern[str]:
    # The marker prints the station cut to ten letters ("BUENOS AIR", "TEGUCIGALP").
    head = re.escape(station[:10]).replace("\\ ", r"\s")
    return re.compile(
        rf"(?:^|(?<=\s)){head}[A-Za-z]*\s\d{{8}}\s{{1,3}}\d{{3}}(?:\.\d)?\s{{1,3}}OF\s{{1,3}}\d{{3}}"
        r"(?=\s|$)",
        re.I,
    )


def _clean(
    lines: list[str], header_lines: set[str], serial: str | None, station: str | None
) -> list[str]:
    """Drop noise; return collapsed lines with '' for block breaks; a kept '¶' marks anchors."""
    out: list[str] = []
    skip_routing = 0
    for index, line in enumerate(lines):  # normalize_source collapsed the whitespace
        if station and (" OF 0" in line or " of 0" in line):
            line = strip_section_markers(line, station)
            if not line:
                continue
        anchored = line[:1] == "¶"
        bare = line.lstrip("¶ ") if anchored else line
        if skip_routing:
            skip_routing -= 1
            banner = parse_banner(bare)
            if banner is not None and banner.serial is not None:
                skip_routing = 0
            continue
        if not bare or (bare[0] in _DECORATION_CHARS and not bare.strip(_DECORATION_CHARS)):
            out.append("")
            continue
        if bare[0] in _DTG_FIRST and DTG.match(bare) and _routing_follows(lines, index):
            skip_routing = _routing_span(lines, index)
            continue
        if len(bare) <= _NOISE_MAX and (bare in header_lines or _is_noise(bare, serial)):
            continue
        out.append(line if anchored else bare)
    return out


def _is_noise(bare: str, serial: str | None) -> bool:
    # One pass for page headers, closing markers and repeated header lines (a later section
    # repeats E.O., TAGS and SUBJECT).
    first = bare[0]
    found = _NOISE_OR_MARKING.match(bare) if first in _NOISE_FIRST or first > "\x7f" else None
    if found is None:
        # "MADRID 00000869 002.2 OF 004"
        return bool(bare[-1].isdigit() and " OF " in bare.upper() and SECTION_MARKER.match(bare))
    if found.lastgroup == "noise":
        return True
    if bare[-1].isdigit() and SECTION_MARKER.match(bare):
        return True
    if read_marking_line(bare) is not None:
        return True
    banner = parse_banner(bare)
    if banner is None:
        return False
    return banner.serial is None or banner.serial == serial or banner.section is not None


def _routing_follows(lines: list[str], index: int) -> bool:
    return any(raw.strip().upper().startswith("FM ") for raw in lines[index + 1 : index + 3])


def _routing_span(lines: list[str], index: int) -> int:
    """How many lines after a repeated DTG belong to the repeated routing and banner."""
    for offset, raw in enumerate(lines[index + 1 : index + 80], start=1):
        banner = parse_banner(_collapse(raw).lstrip("¶ "))
        if banner is not None and banner.serial is not None:
            return offset
    for offset, raw in enumerate(lines[index + 1 : index + 80], start=1):
        if not raw.strip():
            return offset
    return min(80, len(lines) - index - 1)


def _paragraph_start(
    line: str, expected: int | None, block_start: bool, previous_ends: bool
) -> re.Match[str] | None:
    anchored = line.startswith("¶")
    bare = line.lstrip("¶ ")
    match = PARAGRAPH_START.match(bare)
    if match is None:
        return None
    number = int(match.group("number"))
    if number == (expected or 1) or (expected is None and number <= 3):
        return match
    portion = match.group("portion")
    marked = portion is not None and normalize_portion(portion) is not None
    # "12. (S/NF) ..." at a block start: a portion marking makes a paragraph, in any order.
    # The release's anchors are not always right ("on September ¶15. Charge told..."): an
    # anchor counts when the number is marked or the line before ended a sentence.
    if marked and (block_start or anchored):
        return match
    if anchored and previous_ends:
        return match
    return None


def _is_heading(line: str, next_line: str | None) -> bool:
    text = line.strip("/ ")
    if not text or len(text) > _HEADING_MAX or len(text.split()) > 12:
        return False
    if "://" in text or "@" in text:
        return False
    if text[-1] in ".,;" or not text[0].isalpha() or not text[0].isupper():
        return False
    if _BULLET.match(text):
        return False
    return (
        next_line is None
        or next_line == ""
        or next_line.startswith("¶")
        or bool(PARAGRAPH_START.match(next_line))
    )


def _paragraphs(cleaned: list[str]) -> list[Paragraph]:
    drafts: list[_Draft] = []
    current: _Draft | None = None
    expected: int | None = None
    block_start = True
    skip = 0
    last_text = ""  # the last line added to `current`: does it end a sentence?
    for index, line in enumerate(cleaned):
        if skip:
            skip -= 1
            continue
        if not line:
            block_start = True
            continue
        previous_ends = (
            current is None or current.heading or not last_text or last_text[-1] in TERMINAL
        )
        start = (
            _paragraph_start(line, expected, block_start, previous_ends)
            if (line[0] in _START_FIRST and (block_start or previous_ends or line[0] == "¶"))
            else None
        )
        bare = line.lstrip("¶ ")
        if start is not None:
            number = int(start.group("number"))
            portion_raw = start.group("portion")
            portion = normalize_portion(portion_raw) if portion_raw else None
            rest = bare[start.end() :] if portion or not portion_raw else _after_number(bare)
            current = _Draft(number, portion, [[rest]] if rest else [[]])
            drafts.append(current)
            expected = number + 1
            block_start = False
            last_text = rest
            continue
        last_text = bare
        next_line = cleaned[index + 1] if index + 1 < len(cleaned) else None
        portion_match = PORTION_START.match(bare) if block_start else None
        portion = normalize_portion(portion_match.group("portion")) if portion_match else None
        if portion_match and portion:
            rest = last_text = bare[portion_match.end() :]
            current = _Draft(None, portion, [[rest]] if rest else [[]])
            current.heading = bool(rest) and _is_heading(rest, next_line)
            drafts.append(current)
        elif block_start and previous_ends and _is_heading(bare, next_line):
            current = _Draft(None, None, [[bare.rstrip(":- ")]], heading=True)
            drafts.append(current)
        elif block_start and previous_ends and (wrapped := _wrapped_heading(cleaned, index)):
            # A heading wrapped over two or three lines ("Beni on Venezuelan Mystery Flights:" /
            # "We're Not Gonna Take It, Anymore").
            current = _Draft(None, None, [[wrapped[1].rstrip(":- ")]], heading=True)
            drafts.append(current)
            skip = wrapped[0] - 1
        elif (
            not block_start
            and previous_ends
            and next_line is not None
            and (not next_line or next_line[0] == "¶" or PARAGRAPH_START.match(next_line))
            and not bare.upper().startswith("END")
            and _is_heading(bare, next_line)
        ):
            # A heading on its own line after a paragraph, without a blank line before it.
            current = _Draft(None, None, [[bare.rstrip(":- ")]], heading=True)
            drafts.append(current)
        elif current is None or current.heading:
            current = _Draft(None, None, [[bare]])
            drafts.append(current)
        elif block_start and not (bare[0].islower() and not previous_ends):
            current.blocks.append([bare])
        else:
            current.blocks[-1].append(bare)
        block_start = False
    paragraphs = []
    for draft in drafts:
        text = draft.text()
        if text or draft.number:
            paragraphs.append(Paragraph(draft.number, draft.portion, text))
    return paragraphs


def _wrapped_heading(cleaned: list[str], index: int) -> tuple[int, str] | None:
    """(lines, text) of a heading block of two or three lines starting at `index`, or None."""
    block = [cleaned[index].lstrip("¶ ")]
    for line in cleaned[index + 1 : index + 4]:
        if not line:
            break
        if line[0] == "¶" or PARAGRAPH_START.match(line) or _BULLET.match(line):
            return None
        block.append(line)
    if not 2 <= len(block) <= 3:
        return None
    after = cleaned[index + len(block)] if index + len(block) < len(cleaned) else None
    text = " ".join(block)
    return (len(block), text) if _is_heading(text, after) else None


def _after_number(bare: str) -> str:
    """Text after ``N.`` when the parenthesis that follows is not a portion marking."""
    match = re.match(r"^\d{1,3}\s?[.)]\s*", bare)
    return bare[match.end() :] if match else bare


def _join_block(block: list[str]) -> str:
    if len(block) == 1:  # unwrapped text: one line per paragraph
        return block[0].strip()
    parts: list[str] = []
    for line in block:
        if not parts:
            parts.append(line)
        elif (line[0] in _BULLET_FIRST or ")" in line[1:4]) and _BULLET.match(line):
            parts.append("\n" + line)
        elif parts[-1].endswith("-") and not parts[-1].endswith("--") and line[:1].isalpha():
            parts.append(line)
        else:
            parts.append(" " + line)
    return "".join(parts).strip()


def _summary(paragraphs: list[Paragraph]) -> str | None:
    """The summary: from a ``Summary`` heading or a paragraph opening with ``Summary:`` to
    ``End Summary``, or to the next heading, or else the end of that paragraph; without the
    markers and never with the heading that follows."""
    for index, paragraph in enumerate(paragraphs[:12]):
        text = paragraph.text
        if paragraph.number is None and _SUMMARY_START.fullmatch(text):
            following = paragraphs[index + 1 :]
            if not following:
                return None
            first = following[0].text
            opening = _summary_opening(first)
            if opening:  # "Summary" heading, then "1. (S) Summary: ..."
                first = first[opening:]
            return _collect_summary(first, following[1:])
        opening = _summary_opening(text)
        if opening:
            return _collect_summary(text[opening:], paragraphs[index + 1 :])
    return None


def _summary_opening(text: str) -> int:
    """Where the summary text starts after its opening words; 0 when `text` opens no summary."""
    opening = _SUMMARY_START.match(text) or _SUMMARY_BARE.match(text)
    return opening.end() if opening and opening.end() < len(text) else 0


def _collect_summary(first: str, rest: list[Paragraph]) -> str | None:
    """`first` and the paragraphs after it up to the ``End Summary`` marker; without a marker,
    up to the next heading when one comes soon, else `first` alone."""
    collected: list[str] = []
    texts = [(first, False)] + [
        (p.text, p.number is None and _is_heading(p.text, None)) for p in rest[:40]
    ]
    heading_at = None
    for text, is_heading in texts:
        if is_heading and collected:
            heading_at = len(collected)
            break
        end = _SUMMARY_END.search(text)
        if end:
            collected.append(text[: end.start()].rstrip(" ("))
            break
        collected.append(text)
    else:
        collected = collected[:1]
    if heading_at is not None and heading_at > 6:
        collected = collected[:1]
    summary = "\n\n".join(part.strip() for part in collected if part.strip())
    return summary or None
