"""The header pass: routing (date-time group, FM, TO, INFO) and the header fields.

`read_header` walks the lines once and stops where the body starts: at the first paragraph, or
at the first line that is no header once the subject or the classification authority has been
read. Fields are kept raw here (lines of TAGS, SUBJECT, REF, Classified By); `npdesk.cables.parser`
turns them into the Cable's values. Regular expressions only ever see one line of bounded
length, so the pass stays linear.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from npdesk.cables.authority import CLASSIFIED_BY, EO_LINE, parse_reasons
from npdesk.cables.body import (
    DTG,
    PAGE_HEADER,
    PARAGRAPH_START,
    SECTION_MARKER,
    strip_section_markers,
)
from npdesk.cables.dates import date_line_iso, page_created
from npdesk.cables.markings import parse_banner, read_marking_line
from npdesk.cables.model import Recipient

PRECEDENCE = {"Z": "FLASH", "O": "IMMEDIATE", "P": "PRIORITY", "R": "ROUTINE", "M": "ROUTINE"}
PRECEDENCE_WORDS = frozenset({"FLASH", "IMMEDIATE", "PRIORITY", "ROUTINE", "NIACT"})
_TAGS = re.compile(r"^TAGS?\b\s*:?\s*", re.I)
SUBJECT = re.compile(r"^SUBJ(?:ECT)?\s*:\s*|^SUBJECT\s+", re.I)
_REF = re.compile(
    r"^(?:REF\(S\)|REFS?|REFTELS?|REFERENCES?)(?:\b|(?<=\)))(?:\s*[:.]\s*|\s+|$)", re.I
)
_REF_LABEL_LINE = re.compile(r"^\(?[A-Za-z][.)]\s")
_TAG_TOKEN = re.compile(r"^[A-Za-z]{2,6},?$")
_DATE_LINE = re.compile(
    r"^(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday),\s+(\d{1,2})\s+"
    r"([A-Za-z]+)\s+(\d{4}),\s+(\d{2}):(\d{2})$"
)
_PAGE_DATE = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$")
_ROUTING_INDICATOR = re.compile(r"^R[A-Z]{3,8}/")
# "SUBJECT: SUBJECT: ...", "Classified By: (U) CLASSIFIED BY ...": a field named twice.
_FIELD_WORDS = frozenset({"SUBJECT", "SUBJ", "REF", "REFS", "TAGS", "CLASSIFIED BY"})
_PORTION_MARK = re.compile(r"\([A-Za-z/]{1,8}\)")
_ONCE = {  # header fields read from their first occurrence only
    "subject": lambda header: bool(header.subject),
    "classified_by": lambda header: bool(header.classified_by),
}
_REDACTED = re.compile(r"^[Xx]{4,}\.?$")
_SKIPPED = re.compile("|".join(f"(?:{p.pattern})" for p in (PAGE_HEADER, _REDACTED)), re.I)
_SKIPPED_FIRST = frozenset("PpXx")  # both open with a letter: most lines skip the regex
_MID_LINE_FIELD = re.compile(
    r"(?<=[.;,)\s])\s*(?=(?:\(U\)\s*)?Classified\s+By\b|SUBJECT:|REFS?:\s|REF\(S\):\s)"
    # "... AS UK PRIMEREF: A. LONDON 1939" (08LONDON1991): a REF block glued to the subject.
    r"|(?<=[A-Z]{3})(?=REFS?:\s+(?:\(?[A-Z][.)]\s|\d|[A-Z]+\s+\d))",
    re.I,
)


@dataclass
class Header:
    """What the header pass has read: raw field lines, routing, the banner, and every header
    line seen (a later section that repeats one is recognized in the body)."""

    dtg: re.Match[str] | None = None
    body_date: str | None = None
    origin: str | None = None
    recipients: list[Recipient] = field(default_factory=list)
    level: str | None = None
    weak_level: str | None = None
    caveats: list[str] = field(default_factory=list)
    handling: list[str] = field(default_factory=list)
    station: str | None = None
    serial: str | None = None
    tags_text: list[str] = field(default_factory=list)
    subject: list[str] = field(default_factory=list)
    refs: list[str] = field(default_factory=list)
    classified_by: list[str] = field(default_factory=list)
    eo_line: str | None = None
    lines: set[str] = field(default_factory=set)
    evidence: int = 0


def read_header(lines: list[str], header: Header) -> int:
    """Read routing and header lines into `header`; return the index where the body starts.

    `lines` may be edited in place: a line holding two fields ("REF: ... Classified by ...")
    is split in two. Never raises."""
    field_name: str | None = None  # the multi-line field being read
    route: str | None = None
    seen_subject = False
    index = 0
    while index < len(lines):
        raw = lines[index]
        line = " ".join(raw.replace("¶", " ").split()) if "¶" in raw else raw
        if " OF 0" in line or " of 0" in line:
            line = strip_section_markers(line, header.station)
        anchored = raw.lstrip().startswith("¶")
        if (line[:1] in _SKIPPED_FIRST and _SKIPPED.match(line)) or (
            line[-1:].isdigit()
            and (" OF " in line or " of " in line)
            and SECTION_MARKER.match(line)
        ):
            # Section markers, teletype page headers and redaction lines interrupt the header.
            index += 1
            continue
        if not line:
            if field_name == "ref" and (
                _next_is_ref_label(lines, index) or _serial_cut_off(lines, index, header)
            ):
                index += 1
                continue
            if field_name == "classified_by" and _next_is_reason(lines, index, header):
                index += 1
                continue
            if field_name == "subject" and _subject_goes_on(lines, index):
                index += 1
                continue
            field_name = None
            route = None
            index += 1
            continue
        split_at = (
            _MID_LINE_FIELD.search(line, 8)
            if not anchored
            and ("LASSIF" in line or "lassif" in line or "SUBJECT:" in line or "EF:" in line)
            else None
        )
        if (
            split_at is not None
            and (field_name is None or _header_kind(line) is not None)
            and _header_kind(line) != "eo"
            and _PORTION_MARK.sub("", line[: split_at.start()]).strip(" :").upper()
            not in _FIELD_WORDS
        ):
            # "REF: STATE 6461 PLEASE PASS TO RSO. Classified by ...": two fields on one line.
            lines[index : index + 1] = [line[: split_at.start()], line[split_at.end() :]]
            continue
        if field_name and _continues(field_name, line, header, anchored):
            # The release's letter anchors ("¶B.") stay on REF lines: the reference reader
            # tells them from labels.
            _extend(field_name, "¶" + line if anchored and field_name == "ref" else line, header)
            header.lines.add(line)
            index += 1
            continue
        field_name = None
        if _starts_body(line, anchored, header, seen_subject):
            return index
        header.lines.add(line)
        kind = _header_line(line, header, route)
        if kind != "route":
            route = None
        elif line.upper().startswith(("TO ", "INFO ")):
            route = "TO" if line.upper().startswith("TO ") else "INFO"
        if kind in {"tags", "subject", "ref", "classified_by", "repeat"}:
            field_name = kind
        if kind == "subject":
            seen_subject = True
        if kind == "classified_by":
            seen_subject = True
        index += 1
    return len(lines)


def _next_is_ref_label(lines: list[str], index: int) -> bool:
    for raw in lines[index + 1 : index + 3]:
        line = raw.replace("¶", " ").strip()
        if line:
            return bool(_REF_LABEL_LINE.match(line)) and not PARAGRAPH_START.match(line)
    return False


def _serial_cut_off(lines: list[str], index: int, header: Header) -> bool:
    """``(C) SECSTATE`` / blank / ``36633`` (05MADRID4026): a cable's serial pushed past a
    blank line."""
    following = next((line for line in lines[index + 1 : index + 3] if line), "")
    last = header.refs[-1].rstrip() if header.refs else ""
    return following.isdigit() and len(following) <= 7 and last[-1:].isalpha()


def _starts_body(line: str, anchored: bool, header: Header, seen_subject: bool) -> bool:
    start = PARAGRAPH_START.match(line) if line[:1].isdigit() else None
    if start is not None and (anchored or int(start.group("number")) <= 2):
        return True
    if not seen_subject or _DATE_LINE.match(line):
        return False
    return _header_kind(line) is None and read_marking_line(line) is None


@lru_cache(maxsize=4096)  # the header pass asks about the same line several times
def _header_kind(line: str) -> str | None:
    first = line[:1].upper()  # a cheap dispatch before any regex
    if first == "T" and _TAGS.match(line) and not line[:7].upper().startswith("TAGSTER"):
        return "tags"
    if first == "S" and SUBJECT.match(line):
        return "subject"
    if first == "R" and _REF.match(line):
        return "ref"
    if first in {"C", "("} and CLASSIFIED_BY.match(line):
        return "classified_by"
    if ("11" in line or "12" in line) and (
        (EO_LINE.search(line[:200]) and "DECL" in line.upper()) or EO_LINE.match(line)
    ):
        return "eo"
    if parse_banner(line) is not None:
        return "banner"
    return None


def _header_line(line: str, header: Header, route: str | None) -> str | None:
    """Read one header line into `header`; return its kind."""
    upper = line.upper()
    if header.dtg is None and DTG.match(line):
        header.dtg = DTG.match(line)
        header.evidence += 1
        return "dtg"
    if upper.startswith("FM ") and header.origin is None:
        header.origin = line[3:].strip() or None
        header.evidence += 1
        return "fm"
    if header.origin is not None and header.level is None:
        if upper.startswith(("TO ", "INFO ")):
            route_name = "TO" if upper.startswith("TO ") else "INFO"
            _add_recipient(header, route_name, line.split(" ", 1)[1])
            return "route"
        if route is not None and not DTG.match(line) and _header_kind(line) is None:
            if upper in {"BT", "NNNN"} or upper.startswith(("XMT ", "ZEN ")):
                return None
            _add_recipient(header, route, line)
            return "route"
    date_line = _DATE_LINE.match(line)
    if date_line and header.body_date is None:
        header.body_date = date_line_iso(date_line)
        return "date"
    if header.body_date is None and _PAGE_DATE.match(line):
        # "2005-12-08 16:04": the Created cell of a release page copied as text.
        header.body_date = page_created(line)
        return "date"
    kind = _header_kind(line)
    if kind in _ONCE and _ONCE[kind](header):
        # Some pages repeat the whole header; the repeat is read past, not read twice.
        return "repeat"
    if kind == "tags":
        header.tags_text.append(_TAGS.sub("", line, count=1))
        header.evidence += 1
    elif kind == "subject":
        header.subject.append(SUBJECT.sub("", line, count=1))
        header.evidence += 1
    elif kind == "ref":
        header.refs.append(line)
    elif kind == "classified_by":
        header.classified_by.append(CLASSIFIED_BY.sub("", line, count=1))
        header.evidence += 1
    elif kind == "eo":
        if header.eo_line is None:
            header.eo_line = line
            header.evidence += 1
        tags_at = re.search(r"\bTAGS?\b\s*:?", line)
        if tags_at:
            header.tags_text.append(line[tags_at.end() :])
            return "tags"
    elif kind == "banner":
        _read_banner(line, header)
    else:
        marking = read_marking_line(line)
        if marking is not None:
            caveats, handling = marking
            _add_unique(header.caveats, caveats)
            _add_unique(header.handling, handling)
            return "marking"
    return kind


def _read_banner(line: str, header: Header) -> None:
    banner = parse_banner(line)
    if banner is None:
        return
    if banner.serial is None and banner.section is None:
        header.weak_level = header.weak_level or banner.level
        _add_unique(header.caveats, list(banner.caveats))
        return
    if header.level is not None:
        return
    header.level = banner.level
    header.evidence += 1
    header.station = banner.station
    header.serial = banner.serial
    _add_unique(header.caveats, list(banner.caveats))
    _add_unique(header.handling, list(banner.handling))


def _subject_goes_on(lines: list[str], index: int) -> bool:
    """A subject cut by a blank line (09LONDON290): one more line, then a header field."""
    following = [line for line in lines[index + 1 : index + 4] if line]
    if len(following) < 2 or _header_kind(following[0]) or PARAGRAPH_START.match(following[0]):
        return False
    return not lines[index - 1].endswith((".", '"')) and _header_kind(following[1]) in {
        "ref",
        "classified_by",
    }


def _next_is_reason(lines: list[str], index: int, header: Header) -> bool:
    if parse_reasons(" ".join(header.classified_by)):
        return False
    for raw in lines[index + 1 : index + 8]:
        line = raw.strip()
        if line and not (_SKIPPED.match(line) or SECTION_MARKER.match(line)):
            return bool(re.match(r"^(?:\(?[a-hA-H][).]|1\.\s?[4-6]\b)", line))
    return False


def _continues(field_name: str, line: str, header: Header, anchored: bool) -> bool:
    if _header_kind(line) is not None and not (
        field_name == "classified_by" and _header_kind(line) == "eo"
    ):
        return False
    if PARAGRAPH_START.match(line) and (anchored or not re.match(r"^1\.\s?[4-6]\b", line)):
        return False
    if _DATE_LINE.match(line):
        return False
    if field_name == "subject":
        return read_marking_line(line) is None and len(header.subject) < 4
    if field_name == "repeat":
        return read_marking_line(line) is None
    if field_name == "ref":
        return len(header.refs) < 40 and read_marking_line(line) is None
    if field_name == "tags":
        if len(header.tags_text) >= 8:
            return False
        last = header.tags_text[-1].rstrip() if header.tags_text else ""
        if last.endswith(",") or (last.count("(") > last.count(")")):
            return True
        tokens = line.split()
        return (
            bool(tokens)
            and all(_TAG_TOKEN.match(t) for t in tokens)
            and (read_marking_line(line) is None)
        )
    if field_name == "classified_by":
        so_far = " ".join(header.classified_by)
        if len(header.classified_by) >= 4:
            return False
        if not parse_reasons(so_far):
            return True
        return bool(re.match(r"^[(\s]*[a-hA-H][\s),&/]|^(?:and|&|or)\b", line, re.I))
    return False


def _extend(field_name: str, line: str, header: Header) -> None:
    if field_name == "repeat":
        return
    target = {
        "subject": header.subject,
        "ref": header.refs,
        "tags": header.tags_text,
        "classified_by": header.classified_by,
    }[field_name]
    target.append(line)


_SERIAL_OR_RANGE = re.compile(r"^\d{1,6}(?:-\d{1,6})?$")


def _add_recipient(header: Header, route: str, text: str) -> None:
    tokens = text.split()
    if not tokens or PAGE_HEADER.match(text):
        return  # "TO PAGE 02 STATE 015113 182333Z": a teletype page header, not an addressee
    if _ROUTING_INDICATOR.match(tokens[0]):
        tokens[0] = tokens[0].split("/", 1)[1]
        if not tokens[0]:
            tokens = tokens[1:]
    serial = None
    if len(tokens) > 1 and _SERIAL_OR_RANGE.match(tokens[-1]):  # "IMMEDIATE 2593-2599"
        serial = tokens.pop()
    precedence_words: list[str] = []
    while len(tokens) > 1 and tokens[-1].upper() in PRECEDENCE_WORDS:
        precedence_words.insert(0, tokens.pop().upper())
    name = " ".join(tokens)
    if not name:
        return
    header.recipients.append(Recipient(route, name, " ".join(precedence_words) or None, serial))


def _add_unique(target: list[str], items: list[str]) -> None:
    for item in items:
        if item not in target:
            target.append(item)
