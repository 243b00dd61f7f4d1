"""Papers that change hands: letters from someone to someone, and handovers of lists,
notes and documents."""

from __future__ import annotations

import re

from npdesk.extract.context import Sentence, carried_meeting, dated, names
from npdesk.extract.dates import DateMention
from npdesk.extract.proposals import Proposal
from npdesk.extract.sides import side_of_word

# Letters of credit are finance, letters to the editor are press.
_LETTER = re.compile(r"\bletters?\b(?! of credit| to the [Ee]ditor)", re.IGNORECASE)
_SENDER_CUE = re.compile(r"\b(?:from|by|signed by)\s+$", re.IGNORECASE)
_RECIPIENT_CUE = re.compile(
    r"\b(?:to|congratulating|thanking|inviting|urging|addressed to|asking|informing)\s+$",
    re.IGNORECASE,
)
_HANDOVER = re.compile(
    r"\b(?:handed over|hand over|handing over|handed|provided|provide|shared with|passed"
    r"|delivered|presented|gave|given|submitted|transmitted|left behind|left|conveyed|sent"
    r"|received(?: by mail)?|delivery of|made by)\b",
    re.IGNORECASE,
)
_HANDED_THING = re.compile(
    r"\b(?P<thing>list|non-?paper|paper|letter|document|diplomatic note|note verbale|note"
    r"|report|dossier|information|data|proposal|contract|copy|assurances)s?\b(?! taking)",
    re.IGNORECASE,
)


def letters(s: Sentence) -> list[Proposal]:
    """A letter from someone to someone: the sender follows "from", the recipient follows
    "to"/"congratulating"/"thanking" (names after the word "letter" first)."""
    match = _LETTER.search(s.text)
    if not match:
        return []
    people = [p for p in s.people() if p.kind == "person"]
    after = [p for p in people if p.start > match.start()] or people
    sender = next((p for p in after if _SENDER_CUE.search(s.text[: p.start])), None)
    recipient = next(
        (p for p in after if p is not sender and _RECIPIENT_CUE.search(s.text[: p.start])), None
    )
    if sender is None and recipient is None:
        return _letter_to_institution(s, match)
    parties = [p for p in (sender, recipient) if p is not None]
    proposal = s.propose(
        "letter",
        entities=[p.name for p in parties],
        owner=sender.side if sender else None,
        title="Letter"
        + (f" from {sender.label()}" if sender else "")
        + (f" to {recipient.label()}" if recipient else ""),
        participants={
            "from": [sender.name] if sender else [],
            "to": [recipient.name] if recipient else [],
        },
    )
    return [dated(proposal, _letter_day(s, match.start()))]


def _letter_day(s: Sentence, position: int) -> DateMention | None:
    """The letter's own date ("a letter ... dated March 29") before the day it arrived."""
    for mention in s.dates:
        if mention.start > position and re.search(r"\bdated\s+$", s.text[: mention.start]):
            return mention
    return s.nearest_date(position)


# "a letter to Russian authorities", "sent a letter to the Director of U.S. Customs and
# Border Protection": the recipient is an institution, not a named person.
_TO_INSTITUTION = re.compile(
    r"^[^.;]{0,30}?\bto\s+(?:the\s+)?(?P<to>[A-Z][\w.’'-]*(?:\s+(?:of\s+|and\s+|for\s+)?"
    r"[A-Z][\w.’'-]*){0,6}(?:\s+(?:authorities|government|officials|leadership))?)"
)


def _letter_to_institution(s: Sentence, match: re.Match[str]) -> list[Proposal]:
    found = _TO_INSTITUTION.match(s.text[match.end() :])
    if found is None or (
        side_of_word(found.group("to")) == "home" and "U.S." not in found.group("to")
    ):
        return []
    recipient = found.group("to")
    owner = s.subject_side(match.start())
    if owner is None and not any(m[2] == "home" for m in s.side_markers()[:1]):
        owner = "partner"
    proposal = s.propose(
        "letter",
        entities=[recipient],
        owner=owner,
        title=f"Letter to {recipient}",
        participants={"from": [], "to": [recipient]},
    )
    return [dated(proposal, _letter_day(s, match.start()))]


def handovers(s: Sentence) -> list[Proposal]:
    """A list, paper or letter handed over or provided: dated by its own date, else by the
    meeting the cable reports (the day it changed hands)."""
    out: list[Proposal] = []
    for match in _HANDOVER.finditer(s.text):
        window = s.text[max(0, match.start() - 80) : match.end() + 80]
        thing = _HANDED_THING.search(window)
        if not thing:
            continue
        name = thing.group("thing").lower()
        if name == "proposal":
            continue
        mention = s.nearest_date(match.end(), after_only=True)
        if mention is not None and mention.start - match.end() > 60:
            mention = None
        qualifier = re.search(
            r"\b(updated|new|revised|original|earlier|signed)\b", window[: thing.start()]
        )
        proposal = s.propose(
            "handover",
            entities=names([e for e in s.entities if e.kind in ("person", "office")]),
            owner=s.subject_side(match.start()),
            title=" ".join(
                filter(None, [qualifier.group(1) if qualifier else None, name])
            ).capitalize()
            + " handed over",
            subject=name,
        )
        if mention is None and s.meeting_date is not None:
            proposal.date = s.meeting_date
            proposal.sources = carried_meeting(s)
        else:
            dated(proposal, mention)
        out.append(proposal)
    return out + _numbered_notes(s)


# "Embassy Note Verbal No. 445 of 20 August 2007", "diplomatic note 277/31 dated August 31":
# a note cited by its number and day was handed over that day, by the side that wrote it.
_NUMBERED_NOTE = re.compile(
    r"(?P<writer>\b(?:Embassy|U\.S\.|USG)\s+)?\b(?:diplomatic note|note verbale?|Note Verbale?"
    r"|Diplomatic Note)\s+(?:No\.\s*|number\s+|#\s*)?(?P<number>\d[\w/-]*)\s+(?:of|dated)\s+$"
)


def _numbered_notes(s: Sentence) -> list[Proposal]:
    out: list[Proposal] = []
    for mention in s.dates:
        note = _NUMBERED_NOTE.search(s.text, max(0, mention.start - 80), mention.start)
        if note is None or mention.date is None:
            continue
        proposal = s.propose(
            "handover",
            entities=[f"note {note.group('number')}", note.group("number")],
            owner="home" if note.group("writer") else "partner",
            title=f"Note {note.group('number')} handed over",
            subject="note",
        )
        out.append(dated(proposal, mention))
    return out
