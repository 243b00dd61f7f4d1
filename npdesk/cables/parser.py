"""`parse_cable`: any of the three input forms → `Cable`.

The reader walks the lines once. Routing (date-time group, FM, TO, INFO) and the header
(classification banner, caveat and handling lines, E.O., TAGS, SUBJECT, REF, Classified By) come
first; the body starts at the first paragraph, or at the first line that is no header once the
subject or the classification authority has been read. `npdesk.cables.body` reads the body.

For a WikiLeaks page, the metadata table is the publisher's record of the cable: its reference
id, Created time (when the text has no date-time group), classification and origin (when the text
has no FM line) win over what the text says, and each disagreement is noted in `warnings`.

Everything here is linear in the input: regular expressions are applied to single lines of
bounded length, so that pathological input cannot make the reader slow.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from functools import lru_cache

from npdesk.cables.authority import (
    CLASSIFIED_BY,
    EO_LINE,
    parse_executive_order,
    parse_reasons,
    split_classified_by,
)
from npdesk.cables.body import (
    DTG,
    PAGE_HEADER,
    PARAGRAPH_START,
    PORTION_START,
    SECTION_MARKER,
    read_body,
    strip_section_markers,
)
from npdesk.cables.markings import (
    FOUO,
    marking_caveats,
    normalize_level,
    normalize_portion,
    parse_banner,
    read_marking_line,
)
from npdesk.cables.model import Cable, CableParseError, Recipient
from npdesk.cables.references import parse_references
from npdesk.cables.sources import PageMeta, normalize_source

MAX_LINE = 4000  # longer lines are cut: no cable line is this long, and it bounds regex work
PRECEDENCE = {"Z": "FLASH", "O": "IMMEDIATE", "P": "PRIORITY", "R": "ROUTINE", "M": "ROUTINE"}
PRECEDENCE_WORDS = frozenset({"FLASH", "IMMEDIATE", "PRIORITY", "ROUTINE", "NIACT"})
MONTHS = {
    name: number
    for number, name in enumerate(
        ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"], 1
    )
}
_TAGS = re.compile(r"^TAGS?\b\s*:?\s*", re.I)
_SUBJECT = re.compile(r"^SUBJ(?:ECT)?\s*:\s*|^SUBJECT\s+", re.I)
_REF = re.compile(r"^(?:REFS?|REFTELS?|REFERENCES?)\b\s*[:.]?(?:\s+|$)", re.I)
_REF_LABEL_LINE = re.compile(r"^\(?[A-Za-z][.)]\s")
_TAG_TOKEN = re.compile(r"^[A-Za-z]{2,6},?$")
_DATE_LINE = re.compile(
    r"^(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday),\s+(\d{1,2})\s+"
    r"([A-Za-z]+)\s+(\d{4}),\s+(\d{2}):(\d{2})$"
)
_PAGE_DATE = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$")
_TAG_WORD = re.compile(r"[A-Z0-9][A-Z0-9\-/&]*")
_PARENS = re.compile(r"\(([^()]{0,120})\)")
_ROUTING_INDICATOR = re.compile(r"^R[A-Z]{3,8}/")
_STATION_PREFIX = re.compile(
    r"^(?:AMEMBASSY|AMCONSUL|USMISSION|USDEL|AMEMB|US\s+MISSION|US\s+EMBASSY)\s+", re.I
)
_WEB_DECORATION = re.compile(r"¶")
_FIELD_WORDS = frozenset({"SUBJECT", "SUBJ", "REF", "REFS", "TAGS"})  # "SUBJECT: SUBJECT: ..."
_ONCE = {  # header fields read from their first occurrence only
    "subject": lambda header: bool(header.subject),
    "classified_by": lambda header: bool(header.classified_by),
}
_REDACTED = re.compile(r"^[Xx]{4,}\.?$")
_SKIPPED = re.compile("|".join(f"(?:{p.pattern})" for p in (PAGE_HEADER, _REDACTED)), re.I)
_MID_LINE_FIELD = re.compile(
    r"(?<=[.;,)\s])\s*(?=(?:\(U\)\s*)?Classified\s+By\b|SUBJECT:|REFS?:\s)", re.I
)


@dataclass
class _Header:
    """What the header pass has read so far."""

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


def parse_cable(text: str) -> Cable:
    """Parse a cable from raw telegram text, a WikiLeaks cable page, or web-copied text.

    Returns a `Cable` with every field that could be read (missing ones are None or empty).
    Raises `CableParseError` (and nothing else) when `text` is not a cable: empty or binary
    input, an HTML page without a cable body, or text with no cable header at all.
    """
    if not isinstance(text, str):
        raise CableParseError("input is not text")
    if not text.strip():
        raise CableParseError("empty text", 1)
    try:
        return _parse(text)
    except CableParseError:
        raise
    except Exception as error:  # a reader bug must surface as a clear error, never a crash
        raise CableParseError(f"unreadable cable ({type(error).__name__}: {error})") from None


def _parse(text: str) -> Cable:
    source = normalize_source(text)
    lines = [line[:MAX_LINE] for line in source.lines]
    header = _Header()
    body_at = _read_header(lines, header)
    if header.evidence == 0 and source.page is None:
        raise CableParseError(
            "not a cable: no classification line, routing, E.O., TAGS or SUBJECT found", 1
        )
    station = header.station or _station_of(header.origin)
    body = read_body(lines[body_at:], header.lines, header.serial, station)
    cable = Cable(source_format=source.source_format)
    if source.page is not None and header.dtg is None:
        header.body_date = _page_created(source.page.created) or header.body_date
    _fill_header(cable, header)
    cable.paragraphs = body.paragraphs
    cable.summary = body.summary
    cable.signers = body.signers
    if source.page is not None:
        _apply_page(cable, source.page)
    return cable


# ---------------------------------------------------------------- header pass


def _read_header(lines: list[str], header: _Header) -> int:
    """Read routing and header lines into `header`; return the index where the body starts."""
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
        if _SKIPPED.match(line) or (
            line[-1:].isdigit()
            and (" OF " in line or " of " in line)
            and SECTION_MARKER.match(line)
        ):
            # Section markers, teletype page headers and redaction lines interrupt the header.
            index += 1
            continue
        if not line:
            if field_name == "ref" and _next_is_ref_label(lines, index):
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
            and line[: split_at.start()].strip(" :").upper() not in _FIELD_WORDS
        ):
            # "REF: STATE 6461 PLEASE PASS TO RSO. Classified by ...": two fields on one line.
            lines[index : index + 1] = [line[: split_at.start()], line[split_at.start() :]]
            continue
        if field_name and _continues(field_name, line, header, anchored):
            _extend(field_name, line, header)
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


def _starts_body(line: str, anchored: bool, header: _Header, seen_subject: bool) -> bool:
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
    if first == "S" and _SUBJECT.match(line):
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


def _header_line(line: str, header: _Header, route: str | None) -> str | None:
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
        header.body_date = _date_line_iso(date_line)
        return "date"
    if header.body_date is None and _PAGE_DATE.match(line):
        # "2005-12-08 16:04": the Created cell of a release page copied as text.
        header.body_date = _page_created(line)
        return "date"
    kind = _header_kind(line)
    if kind in _ONCE and _ONCE[kind](header):
        # Some pages repeat the whole header; the repeat is read past, not read twice.
        return "repeat"
    if kind == "tags":
        header.tags_text.append(_TAGS.sub("", line, count=1))
        header.evidence += 1
    elif kind == "subject":
        header.subject.append(_SUBJECT.sub("", line, count=1))
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


def _read_banner(line: str, header: _Header) -> None:
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


def _next_is_reason(lines: list[str], index: int, header: _Header) -> bool:
    if parse_reasons(" ".join(header.classified_by)):
        return False
    for raw in lines[index + 1 : index + 8]:
        line = raw.strip()
        if line and not (_SKIPPED.match(line) or SECTION_MARKER.match(line)):
            return bool(re.match(r"^(?:\(?[a-hA-H][).]|1\.\s?[4-6]\b)", line))
    return False


def _continues(field_name: str, line: str, header: _Header, anchored: bool) -> bool:
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


def _extend(field_name: str, line: str, header: _Header) -> None:
    if field_name == "repeat":
        return
    target = {
        "subject": header.subject,
        "ref": header.refs,
        "tags": header.tags_text,
        "classified_by": header.classified_by,
    }[field_name]
    target.append(line)


def _add_recipient(header: _Header, route: str, text: str) -> None:
    tokens = text.split()
    if not tokens:
        return
    if _ROUTING_INDICATOR.match(tokens[0]):
        tokens[0] = tokens[0].split("/", 1)[1]
        if not tokens[0]:
            tokens = tokens[1:]
    serial = None
    if len(tokens) > 1 and tokens[-1].isdigit():
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


def _date_line_iso(match: re.Match[str]) -> str | None:
    day, month_name, year, hour, minute = match.groups()
    month = MONTHS.get(month_name[:3].upper())
    if month is None:
        return None
    return _iso(int(year), month, int(day), int(hour), int(minute))


def _iso(year: int, month: int, day: int, hour: int, minute: int) -> str | None:
    try:
        moment = dt.datetime(year, month, day, hour, minute)
    except ValueError:
        return None
    return moment.strftime("%Y-%m-%dT%H:%M:00Z")


# ---------------------------------------------------------------- assembling the cable


def _fill_header(cable: Cable, header: _Header) -> None:
    cable.origin = header.origin
    cable.recipients = header.recipients
    if header.dtg is not None:
        cable.created = _dtg_iso(header.dtg)
        letters = header.dtg.group("prec").split()
        if letters:
            cable.precedence = PRECEDENCE.get(letters[0][0].upper())
    if cable.created is None:
        cable.created = header.body_date
    if cable.precedence is None:
        to = [r for r in header.recipients if r.route == "TO" and r.precedence]
        if to:
            cable.precedence = to[0].precedence
    level = header.level or header.weak_level
    cable.classification = level
    cable.caveats = marking_caveats(level, header.caveats)
    cable.handling = header.handling
    cable.tags, cable.tag_persons = parse_tags(" ".join(header.tags_text))
    cable.subject = clean_subject(" ".join(header.subject))
    year = cable.created[2:4] if cable.created else None
    cable.id = make_id(year, header.station, header.serial, header.origin)
    cable.references = parse_references(" ".join(header.refs), year)
    if header.classified_by:
        cable.classified_by, cable.reasons = split_classified_by(
            " ".join(header.classified_by)[:1000]
        )
    if header.eo_line is not None:
        order = parse_executive_order(header.eo_line)
        if order is not None:
            cable.executive_order = order.order
            cable.declassify_on = order.declassify_on
            cable.declassify_raw = order.raw


def _dtg_iso(match: re.Match[str]) -> str | None:
    month = MONTHS.get(match.group("month").upper())
    if month is None:
        return None
    yy = int(match.group("year"))
    year = 1900 + yy if yy >= 50 else 2000 + yy
    return _iso(
        year, month, int(match.group("day")), int(match.group("hour")), int(match.group("minute"))
    )


def parse_tags(text: str) -> tuple[list[str], list[str]]:
    """A TAGS text → (tags upper-case in order without duplicates, person names in parentheses).

    ``OVIP (STEINBERG, JAMES B.), PREL, mnuc`` → (["OVIP", "PREL", "MNUC"],
    ["STEINBERG, JAMES B."]).
    """
    persons = [" ".join(p.split()).upper() for p in _PARENS.findall(text) if p.strip()]
    text = _PARENS.sub(" ", text)
    tags: dict[str, None] = {}  # ordered and unique
    for token in re.split(r"[\s,;]+", text):
        tag = token.strip(".:()[]\"'").upper()
        if tag and _TAG_WORD.fullmatch(tag):
            tags[tag] = None
    return list(tags), list(dict.fromkeys(persons))


def clean_subject(text: str) -> str | None:
    """One line, whitespace collapsed, without a leading or trailing portion marking."""
    subject = " ".join(text.replace("¶", " ").split())
    subject = _SUBJECT.sub("", subject, count=1)  # "SUBJECT: SUBJECT: ..." (09KABUL1239)
    opening = PORTION_START.match(subject)
    if opening and normalize_portion(opening.group("portion")):
        subject = subject[opening.end() :]
    closing = re.search(r"\s*\(([A-Za-z/\- ]{1,12})\)$", subject)
    if closing and normalize_portion(closing.group(1)):
        subject = subject[: closing.start()]
    return subject.strip() or None


def _station_of(origin: str | None) -> str | None:
    """``AMEMBASSY BUENOS AIRES`` → ``BUENOS AIRES``; ``SECSTATE WASHDC`` → ``STATE``."""
    if not origin:
        return None
    station = _STATION_PREFIX.sub("", origin.upper())
    return "STATE" if station.startswith("SECSTATE") else station or None


def make_id(
    year: str | None, station: str | None, serial: str | None, origin: str | None
) -> str | None:
    """Canonical id: two-digit year + station without spaces + serial without leading zeros."""
    if year is None or serial is None:
        return None
    if station is None:
        station = _station_of(origin)
    if not station:
        return None
    station = "".join(station.upper().split())
    if station == "SECSTATE":
        station = "STATE"
    return f"{year}{station}{int(serial)}"


def _apply_page(cable: Cable, page: PageMeta) -> None:
    """The page's metadata table wins; disagreements become warnings."""
    if page.reference_id and cable.id != page.reference_id:
        if cable.id is not None:
            cable.warnings.append(f"text id {cable.id} differs from page {page.reference_id}")
        cable.id = page.reference_id
    created = _page_created(page.created)
    if created is not None:
        if cable.created is None:
            cable.created = created
        elif cable.created[:10] != created[:10]:
            cable.warnings.append(f"text date {cable.created} differs from page {page.created}")
    if page.classification:
        level, _, rest = page.classification.partition("//")
        caveats = [c for c in rest.split("//") if c]
        text_marking = cable.marking
        cable.classification = normalize_level(level) if level else cable.classification
        cable.caveats = caveats
        if text_marking is not None and text_marking != cable.marking:
            cable.warnings.append(
                f"text marking {text_marking} differs from page {page.classification}"
            )
    if cable.origin is None and page.origin:
        cable.origin = page.origin


def _page_created(cell: str) -> str | None:
    match = re.match(r"^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2})", cell)
    if match is None:
        return None
    year, month, day, hour, minute = (int(g) for g in match.groups())
    return _iso(year, month, day, hour, minute)


__all__ = ["FOUO", "clean_subject", "make_id", "parse_cable", "parse_tags"]
