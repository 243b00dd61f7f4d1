"""Pydantic shapes of the reading-room JSON API (they make the OpenAPI schema)."""

from __future__ import annotations

from pydantic import BaseModel, Field


class SearchHitOut(BaseModel):
    id: str
    subject: str | None
    created: str | None
    marking: str
    snippet: str


class SearchOut(BaseModel):
    total: int
    hits: list[SearchHitOut]
    facets: dict[str, dict[str, int]]


class FacetsOut(BaseModel):
    total: int
    facets: dict[str, dict[str, int]]


class RecipientOut(BaseModel):
    route: str
    name: str
    precedence: str | None
    serial: str | None


class TagOut(BaseModel):
    tag: str
    meaning: str | None


class ReferenceOut(BaseModel):
    label: str | None
    id: str | None
    text: str
    resolved: bool


class ParagraphOut(BaseModel):
    number: int | None
    classification: str | None
    marking: str
    text: str


class CitingOut(BaseModel):
    id: str
    subject: str | None
    created: str | None


class CableOut(BaseModel):
    id: str
    origin: str | None
    created: str | None
    precedence: str | None
    classification: str
    caveats: list[str]
    marking: str
    rel_to: list[str]
    shared_with_partner: bool
    handling: list[str]
    recipients: list[RecipientOut]
    tags: list[TagOut]
    subject: str | None
    references: list[ReferenceOut]
    classified_by: str | None
    reasons: list[str]
    declassify_on: str | None
    declassify_raw: str | None
    summary: str | None
    paragraphs: list[ParagraphOut]
    signers: list[str]
    source_format: str
    version: int
    cited_by: list[CitingOut]
    warnings: list[str]


class IngestProblemOut(BaseModel):
    file: str
    reason: str


class IngestOut(BaseModel):
    ingested: int
    unchanged: int
    updated: int
    quarantined: int
    problems: list[IngestProblemOut] = Field(default_factory=list)


class ErrorOut(BaseModel):
    detail: str


class ReleaseIn(BaseModel):
    paragraphs: list[int] | None = Field(
        default=None,
        max_length=500,
        description="Paragraph numbers to release with the cable; omitted: all the policy allows",
    )


class ReleaseOut(BaseModel):
    id: str
    partner: str
    paragraphs: list[int]
