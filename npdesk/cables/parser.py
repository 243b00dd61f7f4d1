"""`parse_cable`: any of the three input forms → `Cable`.

The reader walks the lines once: `npdesk.cables.header` reads routing and header fields up to
where the body starts, `npdesk.cables.body` reads the body; this module turns what they read
into the `Cable`'s values.

For a WikiLeaks page, the metadata table is the publisher's record of the cable: its reference
id, Created time (when the text has no date-time group), classification and origin (when the text
has no FM line) win over what the text says, and each disagreement is noted in `warnings`.

Everything here is linear in the input: regular expressions are applied to single lines of
bounded length, so that pathological input cannot make the reader slow.
"""

from __future__ import annotations

import re

from npdesk.cables.authority import parse_executive_order, split_classified_by
from npdesk.cables.body import PORTION_START, read_body
from npdesk.cables.dates import dtg_iso, page_created
from npdesk.cables.header import PRECEDENCE, SUBJECT, Header, read_header
from npdesk.cables.markings import marking_caveats, normalize_level, normalize_portion
from npdesk.cables.model import Cable, CableParseError
from npdesk.cables.references import parse_references
from npdesk.cables.sources import PageMeta, normalize_source
from npdesk.cables.tags import read_tags

MAX_LINE = 4000  # longer lines are cut: no cable line is this long, and it bounds regex work
_TAG_WORD = re.compile(r"[A-Z0-9][A-Z0-9\-/&]*")
_PARENS = re.compile(r"\(([^()]{0,120})\)")
_STATION_PREFIX = re.compile(
    r"^(?:AMEMBASSY|AMCONSUL|USMISSION|USDEL|AMEMB|US\s+MISSION|US\s+EMBASSY)\s+", re.I
)


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
    header = Header()
    body_at = read_header(lines, header)
    if header.evidence == 0 and source.page is None:
        raise CableParseError(
            "not a cable: no classification line, routing, E.O., TAGS or SUBJECT found", 1
        )
    station = header.station or _station_of(header.origin)
    body = read_body(lines[body_at:], header.lines, header.serial, station)
    cable = Cable(source_format=source.source_format)
    if source.page is not None and header.dtg is None:
        header.body_date = page_created(source.page.created) or header.body_date
    _fill_header(cable, header)
    cable.paragraphs = body.paragraphs
    if cable.classified_by is None:
        _classified_in_paragraph(cable)
    cable.summary = body.summary
    cable.signers = body.signers
    if source.page is not None:
        _apply_page(cable, source.page)
    return cable


def _fill_header(cable: Cable, header: Header) -> None:
    cable.origin = canonical_origin(header.origin) if header.origin else None
    cable.recipients = header.recipients
    if header.dtg is not None:
        cable.created = dtg_iso(header.dtg)
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
    cable.marking_sources = {"banner": cable.marking} if cable.marking else {}
    portion = subject_portion(" ".join(header.subject))
    if portion:
        cable.marking_sources["subject"] = portion
    cable.handling = header.handling
    cable.tags, cable.tag_persons = parse_tags(" ".join(header.tags_text))
    cable.subject = clean_subject(" ".join(header.subject))
    year = cable.created[2:4] if cable.created else None
    cable.id = make_id(year, header.station, header.serial, header.origin)
    own_station = cable.id[2:].rstrip("0123456789") if cable.id else None
    cable.references = parse_references("\n".join(header.refs), year, own_station)
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


_CLOSING_PORTION = re.compile(r"\s*\(([A-Za-z/\- ]{1,12})\)$")  # "... (C/NF)" ending a subject
_CLASSIFIED_IN_TEXT = re.compile(r"^(?:\([A-Za-z/]{1,8}\)\s*)?Classified\s+by\b\s*:?\s*", re.I)


def _classified_in_paragraph(cable: Cable) -> None:
    """``1. Classified by Acting EAP A/S Alexander A. Arvizu. Reason: 1.4 (d)`` (09STATE30049):
    the authority written as the first paragraph's opening."""
    for paragraph in cable.paragraphs[:2]:
        opening = _CLASSIFIED_IN_TEXT.match(paragraph.text)
        if opening is None:
            continue
        text = paragraph.text[opening.end() : opening.end() + 400]
        who, reasons = split_classified_by(text)
        if not reasons and who:
            who = who.split(". ")[0]
        if who and len(who) <= 200:
            cable.classified_by, cable.reasons = who, reasons
        return


def parse_tags(text: str) -> tuple[list[str], list[str]]:
    """A TAGS text → (canonical tags in order, each once; the person names among them).

    ``OVIP (STEINBERG, JAMES B.), PREL, mnuc`` → (["OVIP", "STEINBERG, JAMES B.", "PREL",
    "MNUC"], ["STEINBERG, JAMES B."]); see `npdesk.cables.tags.read_tags`.
    """
    return read_tags(text)


def clean_subject(text: str) -> str | None:
    """One line, whitespace collapsed, without a leading or trailing portion marking."""
    subject = " ".join(text.replace("¶", " ").split())
    subject = SUBJECT.sub("", subject, count=1)  # "SUBJECT: SUBJECT: ..." (09KABUL1239)
    opening = PORTION_START.match(subject)
    if opening and normalize_portion(opening.group("portion")):
        subject = subject[opening.end() :]
    closing = _CLOSING_PORTION.search(subject)
    if closing and normalize_portion(closing.group(1)):
        subject = subject[: closing.start()]
    return subject.strip() or None


def subject_portion(text: str) -> str | None:
    """The normalized portion marking that opens or closes a subject (`(S) ...`, `... (C/NF)`)."""
    subject = SUBJECT.sub("", " ".join(text.replace("¶", " ").split()), count=1)
    opening = PORTION_START.match(subject)
    closing = _CLOSING_PORTION.search(subject)
    for raw in (opening.group("portion") if opening else None, closing and closing.group(1)):
        if raw and normalize_portion(raw):
            return normalize_portion(raw)
    return None


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
    created = page_created(page.created)
    if created is not None:
        if cable.created is None:
            cable.created = created
        elif cable.created[:10] != created[:10]:
            cable.warnings.append(f"text date {cable.created} differs from page {page.created}")
    if page.classification:
        level, _, rest = page.classification.partition("//")
        caveats = [c for c in rest.split("//") if c]
        text_marking = cable.marking
        cable.marking_sources["page"] = page.classification
        cable.classification = normalize_level(level) if level else cable.classification
        cable.caveats = caveats
        if text_marking is not None and text_marking != cable.marking:
            cable.warnings.append(
                f"text marking {text_marking} differs from page {page.classification}"
            )
    if cable.origin is None and page.origin:
        cable.origin = canonical_origin(page.origin)


_PAGE_ORIGINS = {  # the release's Origin cell → the FM line's form of the same post
    "SECRETARY OF STATE": "SECSTATE WASHDC",
    "MISSION USNATO": "USMISSION USNATO",
    "USEU BRUSSELS": "USEU BRUSSELS",
    "UNVIE": "USMISSION UNVIE VIENNA",
    "IRAN RPO DUBAI": "RPO DUBAI",
    "US INTERESTS SECTION HAVANA": "USINT HAVANA",
}


def canonical_origin(origin: str) -> str:
    """One form per post for the origin facet: the FM line's (``AMEMBASSY MADRID``), also for
    the release's Origin cell (``Embassy Madrid``, ``Consulate Rio De Janeiro``)."""
    upper = " ".join(origin.upper().split())
    if upper in _PAGE_ORIGINS:
        return _PAGE_ORIGINS[upper]
    if upper.startswith("EMBASSY "):
        return "AMEMBASSY " + upper[len("EMBASSY ") :]
    if upper.startswith("CONSULATE "):
        return "AMCONSUL " + upper[len("CONSULATE ") :]
    return upper


__all__ = ["clean_subject", "make_id", "parse_cable", "parse_tags"]
