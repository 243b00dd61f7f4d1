"""Write a `Cable` back as raw telegram text.

The text follows the layout the reader expects (routing, banner, caveat and handling lines, E.O.,
TAGS, SUBJECT, REF, Classified By, numbered paragraphs, signature), so that

    parse_cable(render_telegram(cable)).to_dict() == cable.to_dict()

for every field except ``source_format`` (the rendered text is a telegram) and ``warnings``
(they describe the original input), provided the cable came from the reader — the round trip is
property-tested over the corpus and over generated cables (tests/cables/test_render.py).

What the telegram form cannot carry and therefore needs to be present for an exact round trip:
the id's year comes from ``created`` (the date-time group), and its station and serial are
written in the banner; a cable without ``created`` renders without its id.
"""

from __future__ import annotations

import datetime as dt
import re

from npdesk.cables.model import Cable, Paragraph

_PRECEDENCE_LETTER = {"FLASH": "Z", "IMMEDIATE": "O", "PRIORITY": "P", "ROUTINE": "R"}
_SPACED = {"SECRET": "S E C R E T", "CONFIDENTIAL": "C O N F I D E N T I A L"}
_ID = re.compile(r"^(\d{2})([A-Z][A-Z\-']*?)(\d+)$")


def render_telegram(cable: Cable) -> str:
    """The telegram text of `cable` (see the module docstring for what round-trips)."""
    lines: list[str] = []
    lines.extend(_routing(cable))
    lines.append("")
    lines.extend(_banner(cable))
    lines.append("")
    lines.extend(_header(cable))
    for paragraph in cable.paragraphs:
        lines.append("")
        lines.append(_paragraph(paragraph))
    if cable.signers:
        lines.append("")
        lines.extend(cable.signers)
    lines.append("")
    return "\n".join(lines)


def _routing(cable: Cable) -> list[str]:
    lines: list[str] = []
    if cable.created:
        moment = dt.datetime.strptime(cable.created, "%Y-%m-%dT%H:%M:%SZ")
        letter = _PRECEDENCE_LETTER.get(cable.precedence or "", "")
        dtg = moment.strftime("%d%H%MZ ") + moment.strftime("%b").upper() + moment.strftime(" %y")
        lines.append(f"{letter} {dtg}".strip())
    if cable.origin:
        lines.append(f"FM {cable.origin}")
    for recipient in cable.recipients:
        parts = [recipient.route, recipient.name, recipient.precedence, recipient.serial]
        lines.append(" ".join(part for part in parts if part))
    return lines


def _banner(cable: Cable) -> list[str]:
    level = cable.classification or "UNCLASSIFIED"
    word = _SPACED.get(level, "UNCLAS" if level == "UNCLASSIFIED" else level)
    station_serial = ""
    match = _ID.match(cable.id or "")
    if match and cable.created:
        station_serial = f" {match.group(2)} {int(match.group(3)):06d}"
    lines = [f"{word}{station_serial}"]
    if not cable.classification:
        lines = []
    lines.extend(cable.caveats)
    lines.extend(cable.handling)
    return lines


def _header(cable: Cable) -> list[str]:
    lines: list[str] = []
    if cable.executive_order or cable.declassify_raw or cable.declassify_on:
        order = cable.executive_order or "12958"
        raw = cable.declassify_raw
        if raw is None and cable.declassify_on:
            year, month, day = cable.declassify_on.split("-")
            raw = f"{month}/{day}/{year}"
        lines.append(f"E.O. {order}: DECL: {raw or ''}".rstrip())
    if cable.tags or cable.tag_persons:
        persons = "".join(f" ({person})" for person in cable.tag_persons)
        lines.append(f"TAGS: {', '.join(cable.tags)}{persons}")
    if cable.subject:
        lines.append(f"SUBJECT: {cable.subject}")
    if cable.references:
        lines.append("")
        for index, reference in enumerate(cable.references):
            head = "REF: " if index == 0 else "     "
            label = f"{reference.label}. " if reference.label else ""
            separator = "" if reference.label or index == len(cable.references) - 1 else ";"
            lines.append(f"{head}{label}{reference.text}{separator}")
    if cable.classified_by or cable.reasons:
        lines.append("")
        authority = f"Classified By: {cable.classified_by or ''}".rstrip()
        reasons = _reasons_text(cable.reasons)
        lines.append(f"{authority}. Reasons {reasons}." if reasons else f"{authority}.")
    return lines


def _reasons_text(reasons: list[str]) -> str:
    """``["1.4(b)", "1.4(d)", "1.5(c)"]`` → ``1.4 (b), (d) and 1.5 (c)``."""
    groups: dict[str, list[str]] = {}
    for reason in reasons:
        section, _, letter = reason.partition("(")
        groups.setdefault(section, []).append(f"({letter}")
    return " and ".join(f"{section} {', '.join(letters)}" for section, letters in groups.items())


def _paragraph(paragraph: Paragraph) -> str:
    marking = f"({paragraph.classification}) " if paragraph.classification else ""
    number = f"{paragraph.number}. " if paragraph.number is not None else ""
    return f"{number}{marking}{paragraph.text}"
