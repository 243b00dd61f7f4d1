"""Scoring proposals against hand labels: precision and recall per kind.

A label names what an officer expects from a cable: a kind, the paragraphs where it is told,
a day or a range (or neither, when the cable gives no date), key entities (any one must appear
in the proposal's entities or text) and the owner side. A proposal matches a label when the
kind agrees, its paragraph is one of the label's, its date falls in (or its range overlaps) the
label's date, and one key entity appears. Each label and each proposal match at most once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from npdesk.extract.proposals import KINDS


@dataclass
class KindScore:
    """Counts for one kind; `owner_right`/`owner_checked` count owner agreement on matches
    whose label names an owner."""

    predicted: int = 0
    expected: int = 0
    matched_predictions: int = 0
    matched_labels: int = 0
    owner_checked: int = 0
    owner_right: int = 0

    @property
    def precision(self) -> float | None:
        return self.matched_predictions / self.predicted if self.predicted else None

    @property
    def recall(self) -> float | None:
        return self.matched_labels / self.expected if self.expected else None

    def add(self, other: KindScore) -> None:
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))


@dataclass
class Score:
    """Scores per kind, plus the misses for reading."""

    kinds: dict[str, KindScore] = field(default_factory=lambda: {k: KindScore() for k in KINDS})
    missed: list[dict[str, Any]] = field(default_factory=list)
    spurious: list[dict[str, Any]] = field(default_factory=list)

    def add(self, other: Score) -> None:
        for kind, score in other.kinds.items():
            self.kinds[kind].add(score)
        self.missed.extend(other.missed)
        self.spurious.extend(other.spurious)

    def total(self, kinds: Iterable[str] | None = None) -> KindScore:
        """Micro-averaged counts over `kinds` (default: every kind)."""
        out = KindScore()
        for kind in kinds or self.kinds:
            out.add(self.kinds[kind])
        return out


def _span(date: str | None, date_range: list[str] | None) -> tuple[dt.date, dt.date] | None:
    if date:
        day = dt.date.fromisoformat(date)
        return day, day
    if date_range:
        return dt.date.fromisoformat(date_range[0]), dt.date.fromisoformat(date_range[1])
    return None


def matches(proposal: dict[str, Any], label: dict[str, Any]) -> bool:
    """Whether `proposal` (the `Proposal.to_dict` shape) satisfies `label`."""
    if proposal["kind"] != label["kind"]:
        return False
    if label.get("paragraphs") and proposal["paragraph"] not in label["paragraphs"]:
        return False
    wanted = _span(label.get("date"), label.get("date_range"))
    if wanted is not None:
        got = _span(proposal["date"], proposal["date_range"])
        if got is None or not (got[0] <= wanted[1] and wanted[0] <= got[1]):
            return False
    keys = [k.lower() for k in label.get("entities") or []]
    if keys:
        haystack = " ".join([*proposal["entities"], proposal["text"]]).lower()
        if not any(k in haystack for k in keys):
            return False
    return True


def score_cable(
    proposals: list[dict[str, Any]],
    labels: list[dict[str, Any]],
    kinds: Iterable[str] = KINDS,
    cable: str = "",
) -> Score:
    """Match `proposals` to `labels` (greedy, labels in order, each proposal used once) for the
    proposal kinds in `kinds`; unmatched labels are `missed`, unmatched proposals `spurious`."""
    chosen = set(kinds)
    result = Score()
    preds = [p for p in proposals if p["kind"] in chosen]
    used: set[int] = set()
    for label in labels:
        if label["kind"] not in chosen:
            continue
        kind = result.kinds[label["kind"]]
        kind.expected += 1
        hit = next((i for i, p in enumerate(preds) if i not in used and matches(p, label)), None)
        if hit is None:
            result.missed.append({"cable": cable, **label})
            continue
        used.add(hit)
        kind.matched_labels += 1
        if label.get("owner"):
            kind.owner_checked += 1
            kind.owner_right += preds[hit]["owner"] == label["owner"]
    for i, proposal in enumerate(preds):
        kind = result.kinds[proposal["kind"]]
        kind.predicted += 1
        if i in used or any(matches(proposal, label) for label in labels):
            kind.matched_predictions += 1
        else:
            result.spurious.append({"cable": cable, **proposal})
    return result
