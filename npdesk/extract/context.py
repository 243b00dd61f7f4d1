"""What the rules see of one sentence: its text, the names and dates in it, and who speaks;
and the small helpers every rule uses to fill a proposal from it."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from npdesk.extract.dates import DateMention
from npdesk.extract.entities import EntityMention, Side
from npdesk.extract.proposals import Proposal, ProposalKind
from npdesk.extract.sides import side_markers

_SPACE = re.compile(r"\s+")
_PRONOUN_SUBJECT = re.compile(r"\b(?:he|she|they)\b", re.IGNORECASE)
_SPEECH = (
    r"said|says|noted|stated|told|added|stressed|explained|pledged|promised|agreed|assured"
    r"|replied|responded|confirmed|indicated|emphasized|underscored|asserted|claimed|commented"
)


@dataclass
class Sentence:
    """One sentence of a paragraph with offsets relative to the sentence text."""

    text: str
    paragraph: int | None
    entities: list[EntityMention]
    dates: list[DateMention]
    cable_date: date | None
    last_speaker_side: Side | None = None
    meeting_date: date | None = None
    # Index into `cable.paragraphs` of this sentence's paragraph, of the paragraph that
    # reported `meeting_date`, and of the paragraph each name resolved from elsewhere was
    # learned in ("Li" → "Li Song" named in full two paragraphs up): a proposal carries
    # text from all of them, and its marking must cover them (`Proposal.sources`).
    source: int = 0
    meeting_source: int | None = None
    carried: dict[str, int] = field(default_factory=dict)
    # The only date of the previous sentence of the same paragraph, for a sentence that goes
    # on about the same day without repeating it.
    carried_date: DateMention | None = None

    def propose(self, kind: ProposalKind, **fields: Any) -> Proposal:
        """A proposal of `kind` citing this sentence and its paragraph."""
        return Proposal(kind=kind, text=clean(self.text), paragraph=self.paragraph, **fields)

    def people(self) -> list[EntityMention]:
        """Persons and home offices in the sentence."""
        return [e for e in self.entities if e.kind in ("person", "office")]

    def firms(self) -> list[EntityMention]:
        return [e for e in self.entities if e.kind == "firm"]

    def entity_at(self, start: int, end: int) -> EntityMention | None:
        for entity in self.entities:
            if entity.start < end and start < entity.end:
                return entity
        return None

    def nearest_date(self, position: int, after_only: bool = False) -> DateMention | None:
        """The date mention closest to `position` (preferring ones after it on ties)."""
        pool = [d for d in self.dates if not after_only or d.start >= position]
        if not pool:
            return None
        return min(
            pool,
            key=lambda d: (min(abs(d.start - position), abs(d.end - position)), d.start < position),
        )

    def side_markers(self) -> list[tuple[int, int, Side]]:
        """Side markers from words ("we", "China") and from recognized people."""
        marks = list(side_markers(self.text))
        for entity in self.entities:
            if entity.side is not None and entity.kind in ("person", "office"):
                marks.append((entity.start, entity.end, entity.side))
        return sorted(marks)

    def subject_side(self, position: int) -> Side | None:
        """The side of whoever acts at `position`: a marker directly before it ("China will",
        "we have"), else the speaker ("Li said ... and will respond"), else the last speaker
        of the paragraph for "he said", else the nearest marker to the left."""
        marks = [m for m in self.side_markers() if m[1] <= position]
        for _start, end, side in reversed(marks):
            between = self.text[end:position]
            if len(between.split()) <= 2 and not re.search(r"[,;]|\band\b|\bbut\b", between):
                return side
            break
        speaker = self.speaker_side(position)
        if speaker is not None:
            return speaker
        return marks[-1][2] if marks else None

    def speaker_side(self, position: int) -> Side | None:
        """The side of the speaker of a reported sentence ("Li said", "he said")."""
        for match in re.finditer(rf"(\S+)\s+(?:{_SPEECH})\b", self.text):
            if match.start() > position + 40:
                break
            word_start = match.start(1)
            entity = self.entity_at(word_start, match.end(1))
            if entity is not None and entity.side is not None:
                return entity.side
            for start, end, side in self.side_markers():
                if start <= word_start < end or start < match.end(1) <= end:
                    return side
            if _PRONOUN_SUBJECT.fullmatch(match.group(1)) and self.last_speaker_side:
                return self.last_speaker_side
        return None


def clean(text: str) -> str:
    """The sentence on one line, without surplus spaces."""
    return _SPACE.sub(" ", text).strip()


def names(entities: list[EntityMention]) -> list[str]:
    """Each name and organization of `entities` once, in order."""
    out: list[str] = []
    for entity in entities:
        for value in (entity.name, entity.organization):
            if value and value not in out:
                out.append(value)
    return out


def carried_meeting(s: Sentence) -> tuple[int, ...]:
    """The paragraph the sentence's meeting day was taken from, as a proposal source."""
    return (s.meeting_source,) if s.meeting_source is not None else ()


def dated(proposal: Proposal, mention: DateMention | None) -> Proposal:
    """`proposal` with the day or range of `mention`, if any."""
    if mention is not None:
        proposal.date = mention.date
        proposal.date_range = mention.date_range
    return proposal
