"""The structured form of a diplomatic cable.

`Cable` is what the reader produces and what every later layer (store, search, the desk)
consumes. It is a plain value: no I/O, no knowledge of where the text came from beyond
`source_format`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

SourceFormat = Literal["telegram", "html", "web"]


class CableParseError(ValueError):
    """The text is not a cable. `reason` is for people; `line` (1-based) where it helps."""

    def __init__(self, reason: str, line: int | None = None) -> None:
        self.reason = reason
        self.line = line
        super().__init__(f"{reason} (line {line})" if line else reason)


@dataclass(frozen=True)
class Recipient:
    """One addressee of the cable: `route` is TO or INFO."""

    route: str
    name: str
    precedence: str | None = None
    serial: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "route": self.route,
            "name": self.name,
            "precedence": self.precedence,
            "serial": self.serial,
        }


@dataclass(frozen=True)
class Reference:
    """A REF line entry; `id` is the canonical cable id, or None when it cites no cable."""

    label: str | None
    id: str | None
    text: str

    def to_dict(self) -> dict[str, Any]:
        return {"label": self.label, "id": self.id, "text": self.text}


@dataclass(frozen=True)
class Paragraph:
    """A body paragraph. `number` is None for unnumbered section headings and free text;
    `classification` is the normalized portion marking (`S`, `C`, `U`, `SBU`, `S/NF`, ...)."""

    number: int | None
    classification: str | None
    text: str

    def to_dict(self) -> dict[str, Any]:
        return {"number": self.number, "classification": self.classification, "text": self.text}


@dataclass
class Cable:
    """A parsed cable. Missing values are None or empty lists, never absent."""

    id: str | None = None
    origin: str | None = None
    created: str | None = None
    precedence: str | None = None
    classification: str | None = None
    caveats: list[str] = field(default_factory=list)
    handling: list[str] = field(default_factory=list)
    recipients: list[Recipient] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    subject: str | None = None
    references: list[Reference] = field(default_factory=list)
    classified_by: str | None = None
    reasons: list[str] = field(default_factory=list)
    declassify_on: str | None = None
    declassify_raw: str | None = None
    executive_order: str | None = None
    tag_persons: list[str] = field(default_factory=list)
    summary: str | None = None
    paragraphs: list[Paragraph] = field(default_factory=list)
    signers: list[str] = field(default_factory=list)
    source_format: SourceFormat = "telegram"
    # Warnings say where the reader had to choose (e.g. the page table and the text disagree).
    warnings: list[str] = field(default_factory=list)
    # Each marking as its source states it (`page`, `banner`, `subject` portion), kept apart
    # from the choice above so the store can take the strictest (npdesk.security.markings).
    marking_sources: dict[str, str] = field(default_factory=dict)

    @property
    def marking(self) -> str | None:
        """The full banner marking: level, then caveats joined by `//` (`SECRET//NOFORN`)."""
        if self.classification is None:
            return None
        return "//".join([self.classification, *self.caveats])

    def to_dict(self) -> dict[str, Any]:
        """The JSON object of the cable reader (see README, "Cable JSON")."""
        from npdesk.cables.tags import unknown_tags  # local: keeps model import-light

        return {
            "id": self.id,
            "origin": self.origin,
            "created": self.created,
            "precedence": self.precedence,
            "classification": self.classification,
            "caveats": list(self.caveats),
            "marking": self.marking,
            "handling": list(self.handling),
            "recipients": [r.to_dict() for r in self.recipients],
            "tags": list(self.tags),
            "unknown_tags": unknown_tags(self.tags),
            "subject": self.subject,
            "references": [r.to_dict() for r in self.references],
            "classified_by": self.classified_by,
            "reasons": list(self.reasons),
            "declassify_on": self.declassify_on,
            "declassify_raw": self.declassify_raw,
            "executive_order": self.executive_order,
            "tag_persons": list(self.tag_persons),
            "summary": self.summary,
            "paragraphs": [p.to_dict() for p in self.paragraphs],
            "signers": list(self.signers),
            "source_format": self.source_format,
            "warnings": list(self.warnings),
        }
