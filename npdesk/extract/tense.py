"""Tense of a sentence or of the words around a position in it.

Cables are written in the past tense about meetings that just happened, and in the future tense
about plans; the tense decides which year a bare month or day belongs to. The cues are
deliberately lexical (modal verbs, "plans", "proposed", past participles): cable English is
formulaic enough that a handful of cues beats a parser we could not ship offline.
"""

from __future__ import annotations

import re
from enum import StrEnum


class Tense(StrEnum):
    PAST = "past"
    FUTURE = "future"
    UNKNOWN = "unknown"


# Cues that look ahead. "proposed"/"suggested" look like past forms but name a future act;
# the noun "proposal" is no cue ("agreed to the proposal on November 30" is past).
_FUTURE = re.compile(
    r"\b(?:will|shall|would|'ll|plans\s+to|(?:we|they|I)\s+plan\s+to|planning|planned\s+to|intends?\s+to|expects?\s+to"
    r"|is\s+to|are\s+to|going\s+to|propos(?:e|es|ed|ing)|suggest(?:s|ed)?"
    r"|schedul(?:e|ed|ing)|upcoming|next|forthcoming|looks?\s+forward|hopes?\s+to"
    r"|to\s+(?:meet|hold|visit|conduct|respond|travel|attend|host|discuss|provide))\b",
    re.IGNORECASE,
)
_PAST = re.compile(
    r"\b(?:had|was|were|did|ago|last|previously|earlier|recalled|recalling"
    r"|held|met|took|gave|told|said|made|sent|wrote|led|saw|came|went|agreed|spoke|thought"
    r"|brought|sought|found|left|began|became|rose|fell|won|lost|kept|felt|heard|paid|ran"
    r"|sat|stood|understood|chose|drove|flew|grew|knew|meant|sold|taught|threw|caught"
    r"|fought|built|spent|struck|broke|forgot|withdrew|arose|bore|swore|"
    r"[a-z]{2,}ed)\b",
    re.IGNORECASE,
)

# Words ending in "ed" that are not past forms.
_NOT_PAST = frozenset(
    {
        "need",
        "indeed",
        "speed",
        "feed",
        "seed",
        "proceed",
        "exceed",
        "succeed",
        "embed",
        "shed",
        "bred",
    }
)

# "will be held", "to be signed", "would have met": a past participle inside a future frame.
_FUTURE_AUXILIARY = re.compile(
    r"\b(?:will|would|shall|to|'ll)\s+(?:be|have|have\s+been)\s+$", re.IGNORECASE
)


def _cues(text: str) -> list[tuple[int, Tense]]:
    """Every tense cue in `text`, as (character offset, tense), in order."""
    future = [(m.start(), Tense.FUTURE) for m in _FUTURE.finditer(text)]
    taken = {pos for pos, _ in future}
    past = [
        (m.start(), Tense.PAST)
        for m in _PAST.finditer(text)
        if m.start() not in taken
        and not _FUTURE.match(text, m.start())
        and m.group(0).lower() not in _NOT_PAST
        and not _FUTURE_AUXILIARY.search(text, 0, m.start())
    ]
    return sorted(future + past)


def sentence_tense(sentence: str) -> Tense:
    """The dominant tense of `sentence`: a future cue anywhere wins (cables report plans in
    past-tense frames such as "he said China will ..."), else any past cue, else UNKNOWN."""
    cues = _cues(sentence)
    if any(t is Tense.FUTURE for _, t in cues):
        return Tense.FUTURE
    if cues:
        return Tense.PAST
    return Tense.UNKNOWN


def tense_at(sentence: str, position: int) -> Tense:
    """The tense governing the words at `position` of `sentence`: the nearest cue to the left
    within the same clause, else the nearest cue to the right, else UNKNOWN.

    A clause-local reading keeps "pledged to respond to the proposal to meet in April" future
    (the nearest cue is "to meet") while "formally agreed to the proposal on November 30" stays
    past.
    """
    cues = _cues(sentence)
    left = [(p, t) for p, t in cues if p < position]
    if left:
        return left[-1][1]
    right = [(p, t) for p, t in cues if p >= position]
    if right:
        return right[0][1]
    return Tense.UNKNOWN
