"""What a cable proposes for the desk: firms, people, meetings, events, letters, visits,
reviews, handovers and commitments, each tied to its paragraph and resolved dates.

`suggest(cable, gazetteer)` reads the cable paragraph by paragraph and sentence by sentence and
applies one rule per kind (see `npdesk.extract.rules`). Mentions of the same thing in the
summary and in the body are merged into one proposal when their dates agree.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Literal

ProposalKind = Literal[
    "firm", "person", "meeting", "event", "letter", "visit", "review", "handover", "commitment"
]
KINDS: tuple[ProposalKind, ...] = (
    "firm",
    "person",
    "meeting",
    "event",
    "letter",
    "visit",
    "review",
    "handover",
    "commitment",
)
Owner = Literal["home", "partner"]


@dataclass
class Proposal:
    """One record a cable suggests. `to_dict` is the public JSON shape; the other fields
    (`title`, `soft_due`, `status`, `place`, `subject`, `participants`, `key`, and for a
    dialogue the partner was told about `partner_informed_on`/`_via`) help turn an accepted
    proposal into a record."""

    kind: ProposalKind
    text: str
    date: dt.date | None = None
    date_range: tuple[dt.date, dt.date] | None = None
    paragraph: int | None = None
    entities: list[str] = field(default_factory=list)
    owner: Owner | None = None
    title: str = ""
    soft_due: str | None = None
    status: Literal["open", "done"] = "open"
    place: str | None = None
    subject: str | None = None
    participants: dict[str, list[str]] = field(default_factory=dict)
    key: str | None = None
    partner_informed_on: dt.date | None = None
    partner_informed_via: str | None = None
    # Indexes into `cable.paragraphs` of every paragraph whose text this proposal carries
    # (its sentence, and any entity, date or participant taken from elsewhere). The store marks
    # the proposal with the strictest marking among them; empty means "unknown", which the
    # store treats as the strictest marking anywhere in the cable (fail closed).
    sources: tuple[int, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """`{"kind", "text", "date", "date_range", "paragraph", "entities", "owner"}` with
        ISO dates, `date_range` as `[start, end]` or None."""
        return {
            "kind": self.kind,
            "text": self.text,
            "date": self.date.isoformat() if self.date else None,
            "date_range": (
                [self.date_range[0].isoformat(), self.date_range[1].isoformat()]
                if self.date_range
                else None
            ),
            "paragraph": self.paragraph,
            "entities": list(self.entities),
            "owner": self.owner,
        }

    def detail(self) -> dict[str, Any]:
        """`to_dict` plus the helper fields, for storing a proposal and re-creating it."""
        return {
            **self.to_dict(),
            "title": self.title,
            "soft_due": self.soft_due,
            "status": self.status,
            "place": self.place,
            "subject": self.subject,
            "participants": {k: list(v) for k, v in self.participants.items()},
            "key": self.key,
            "partner_informed_on": (
                self.partner_informed_on.isoformat() if self.partner_informed_on else None
            ),
            "partner_informed_via": self.partner_informed_via,
            "sources": list(self.sources),
        }

    @classmethod
    def from_detail(cls, data: dict[str, Any]) -> Proposal:
        """The inverse of `detail` (unknown keys are ignored; missing ones take defaults).
        Raises ValueError on a malformed date."""
        rng = data.get("date_range")
        return cls(
            kind=data["kind"],
            text=data.get("text", ""),
            date=dt.date.fromisoformat(data["date"]) if data.get("date") else None,
            date_range=(dt.date.fromisoformat(rng[0]), dt.date.fromisoformat(rng[1]))
            if rng
            else None,
            paragraph=data.get("paragraph"),
            entities=list(data.get("entities") or []),
            owner=data.get("owner"),
            title=data.get("title") or "",
            soft_due=data.get("soft_due"),
            status=data.get("status") or "open",
            place=data.get("place"),
            subject=data.get("subject"),
            participants={k: list(v) for k, v in (data.get("participants") or {}).items()},
            key=data.get("key"),
            partner_informed_on=(
                dt.date.fromisoformat(data["partner_informed_on"])
                if data.get("partner_informed_on")
                else None
            ),
            partner_informed_via=data.get("partner_informed_via"),
            sources=tuple(int(i) for i in data.get("sources") or ()),
        )

    def overlaps_in_time(self, other: Proposal) -> bool:
        """Whether the two proposals can mean the same day (equal days, a day inside the
        other's range, or overlapping ranges). False when either has no date at all."""
        mine = _span(self)
        theirs = _span(other)
        if mine is None or theirs is None:
            return False
        return mine[0] <= theirs[1] and theirs[0] <= mine[1]


def _span(p: Proposal) -> tuple[dt.date, dt.date] | None:
    if p.date is not None:
        return p.date, p.date
    return p.date_range
