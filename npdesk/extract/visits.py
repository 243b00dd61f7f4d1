"""Visits: someone goes to a place or a firm, or is somewhere to meet people."""

from __future__ import annotations

import re

from npdesk.extract.context import Sentence, dated, names
from npdesk.extract.dates import MONTHS
from npdesk.extract.entities import EntityMention
from npdesk.extract.proposals import Proposal

_VISIT = re.compile(
    r"\b(?:visit(?:s|ed|ing)?|trips?(?: to)?|travel(?:l?ed|s|ing)? to|toured|tour of"
    r"|arrived? in|came to|(?:going|go|went|heading|headed|com(?:e|es|ing)) to(?=\s+[A-Z]))\b",
    re.IGNORECASE,
)
# "Visit Embassy Rabat's Classified Website: http://...": a footer, not a visit.
_WEB_FOOTER = re.compile(r"https?://|\bweb ?site\b|\bWeb Site\b", re.IGNORECASE)
_POSSESSOR = re.compile(r"([A-Z][\w-]+)['’]s\s+(?:[a-z-]+\s+){0,2}$")
# "are presently in Washington to meet U.S. officials", "FM Lavrov was in Israel over the
# weekend": somewhere to meet people, or on a given day.
_PRESENCE = re.compile(
    r"\b(?:is|are|was|were)\s+(?:presently\s+|currently\s+|now\s+)?in\s+"
    r"(?P<place>[A-Z][a-z]+(?: [A-Z][a-z]+)?)(?:\s+to\s+(?:meet|discuss|attend|consult)\b"
    r"|(?P<when>\s+(?:over|on|from|during|last|this|earlier)\b))"
)
_TRAVELLERS = re.compile(r"\b(?:delegations?|team|experts|representatives)\b")
_JOINED = re.compile(r"\s*(?:,|,?\s+and)\s+(?:[A-Z][\w/.-]*\s+){0,4}")


def visits(s: Sentence) -> list[Proposal]:
    """Someone visits a place or a firm ("the DCM will visit NORINCO headquarters on March
    26"), or is somewhere to meet people ("CGWIC representatives are presently in
    Washington to meet U.S. officials")."""
    out: list[Proposal] = []
    if _WEB_FOOTER.search(s.text):
        return out
    presence = _PRESENCE.search(s.text)
    stay = _stay(s, presence) if presence else None
    if stay is None:
        presence = None
    else:
        out.append(stay)
    for match in _VISIT.finditer(s.text):
        if presence and presence.start() <= match.start() < presence.end():
            continue
        # The visitor is the last name before the verb; the visited, the first after it.
        before = [
            e
            for e in s.entities
            if e.end <= match.start() and (not presence or e.start >= presence.end())
        ]
        after = [e for e in s.entities if e.start >= match.end()]
        place = _visited_place(s.text, match.end())
        possessor = _POSSESSOR.search(s.text[: match.start()])
        firm = next((e for e in after[:1] if e.kind == "firm"), None)
        mention = s.nearest_date(match.start())
        if mention is not None and not -40 <= mention.start - match.start() <= 80:
            mention = None
        # "the visit was a success" refers back to a visit told elsewhere: a visit needs a
        # place, a firm or a day of its own.
        # "visiting Prime Minister Taro Aso": the visitor follows the word.
        # "the recent visit by AFRICOM Commander General Ward": so does a visitor after "by".
        by_guest = re.match(r"s?\s+by\s", s.text[match.end() :]) is not None
        guest = (
            (match.group(0).lower() == "visiting" or by_guest)
            and bool(after)
            and after[0].kind == "person"
            and after[0].start - match.end() <= 30
        )
        if not (place or firm or mention or guest):
            continue
        # "the flight arrived in Russia" is no visit; "an important delegation would be
        # coming to Riyadh" is: people must travel.
        group = _TRAVELLERS.search(s.text[max(0, match.start() - 60) : match.start()])
        if re.match(r"arriv|came|com|go|went|head", match.group(0), re.IGNORECASE) and not (
            group or any(e.kind in ("person", "office") for e in before)
        ):
            continue
        # "Kiriyenko and Deputy FM Borodavkin will make separate trips to Iran": one visit
        # per visitor named together before the word.
        visitors: list[EntityMention | None] = [*_coordinated(s.text, before)]
        for visitor in visitors or [None]:
            shown = ([visitor] if visitor else []) + after[:1]
            out.append(
                dated(
                    s.propose(
                        "visit",
                        entities=names(shown)
                        + ([possessor.group(1)] if possessor else [])
                        + ([place] if place else []),
                        title="Visit"
                        + (f" to {firm.name}" if firm else (f" to {place}" if place else "")),
                        place=place,
                        key=firm.key if firm else None,
                        participants={"visitors": [visitor.name]} if visitor else {},
                    ),
                    mention,
                )
            )
        break
    return out


def _stay(s: Sentence, presence: re.Match[str]) -> Proposal | None:
    """A visit told as being somewhere: to meet people, or on a given day by a named
    visitor."""
    visitors = [e for e in s.entities if e.end <= presence.start()]
    entities = [*names(visitors[-1:]), presence.group("place")]
    mention = s.nearest_date(presence.start())
    if mention is not None and abs(mention.start - presence.end()) > 40:
        mention = None
    if presence.group("when") and (mention is None or not visitors):
        return None
    return dated(
        s.propose(
            "visit",
            entities=entities,
            title=f"{entities[0]} in {presence.group('place')}",
            place=presence.group("place"),
            key=visitors[-1].key if visitors and visitors[-1].kind == "firm" else None,
        ),
        mention,
    )


def _coordinated(text: str, before: list[EntityMention]) -> list[EntityMention]:
    """The visitor before a visit word, with those joined to it by "and" or a comma ("A, B
    and Deputy FM C will travel"), in order."""
    if not before or before[-1].kind not in ("person", "office"):
        return before[-1:]
    chosen = [before[-1]]
    for previous in reversed(before[:-1]):
        between = text[previous.end : chosen[0].start]
        if previous.kind not in ("person", "office") or not _JOINED.fullmatch(between):
            break
        chosen.insert(0, previous)
    return chosen


def _visited_place(text: str, position: int) -> str | None:
    """The capitalized place right after a visit word ("visit to Iran", "trip to Damascus",
    "visited Rio de Janeiro's airport", "in Washington"), or None."""
    match = re.match(
        r"\s+(?:to\s+|in\s+|of\s+)?(?:the\s+)?(?P<place>[A-Z][a-z]+(?:\s+(?:de\s+)?[A-Z][a-z]+)?)",
        text[position:],
    )
    if re.match(r"\s+here\b", text[position:]):
        return "here"  # "Mottaki's visit here": the host country
    if match is None or match.group("place").split()[0].lower() in MONTHS:
        return None
    return match.group("place")
