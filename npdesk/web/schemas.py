"""The shapes of the web's JSON API: every input model (a page's form handler validates with
the same model as the JSON handler, so both refuse the same input the same way, 422) and the
reading room's answers. Dates are bounded to 1900-2200 and numbers to what a record can hold:
out of range is a 422 with the field named, never a database error."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from npdesk.domain.cases import CaseOutcome, CaseStatus, ControlRegime, Priority, SubjectKind
from npdesk.domain.reviews import ReviewLevel
from npdesk.screening import EntryType, Query
from npdesk.security.model import NOFORN, Level, Marking, Party
from npdesk.settings import partner_country

EARLIEST = dt.date(1900, 1, 1)
LATEST = dt.date(2200, 12, 31)
Day = Annotated[
    dt.date, Field(ge=EARLIEST, le=LATEST, description="YYYY-MM-DD, 1900-01-01 to 2200-12-31")
]
ParagraphNumber = Annotated[int, Field(ge=1, le=10_000)]
RecordId = Annotated[int, Field(ge=1, le=2_147_483_647)]
Classification = Literal["U", "C", "S", "TS"]


def _blank_is_none(value: object) -> object:
    # A form sends an untouched select or number box as "": that is no value, not a bad one.
    return None if value == "" else value


Blank = BeforeValidator(_blank_is_none)


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
    paragraphs: list[ParagraphNumber] | None = Field(
        default=None,
        max_length=500,
        description="Paragraph numbers to release with the cable; omitted: all the policy allows",
    )


class ReleaseOut(BaseModel):
    id: str
    partner: str
    paragraphs: list[int]


# --- cases -------------------------------------------------------------------------------------


class SubjectModel(BaseModel):
    name: str = Field(min_length=1, max_length=300)
    kind: SubjectKind = SubjectKind.FIRM
    country: str | None = Field(default=None, max_length=8)
    screening_ref: str | None = Field(default=None, max_length=200)


class ItemModel(BaseModel):
    description: str = Field(min_length=1, max_length=500)
    regime: ControlRegime = ControlRegime.OTHER
    category: str = Field(default="", max_length=200)


class CableLinkModel(BaseModel):
    cable_id: str = Field(min_length=1, max_length=64)
    paragraph: Annotated[ParagraphNumber | None, Blank] = None


class CaseIn(BaseModel):
    title: str = Field(min_length=1, max_length=500)
    allegation_summary: str = Field(default="", max_length=20_000)
    releasable_summary: str = Field(default="", max_length=20_000)
    priority: Priority = Priority.MEDIUM
    subjects: list[SubjectModel] = Field(default_factory=list, max_length=100)
    items: list[ItemModel] = Field(default_factory=list, max_length=100)
    origin_countries: list[str] = Field(default_factory=list, max_length=20)
    destination_countries: list[str] = Field(default_factory=list, max_length=20)
    cable_links: list[CableLinkModel] = Field(default_factory=list, max_length=100)
    classification: Classification = "C"
    noforn: bool = False
    rel_to: list[str] = Field(default_factory=list, max_length=20)
    shared_with_partner: bool = False
    fictional: bool = False


class TransitionIn(BaseModel):
    status: CaseStatus
    reason: str = Field(min_length=1, max_length=5_000)
    outcome: Annotated[CaseOutcome | None, Blank] = None
    merged_into: Annotated[str | None, Blank] = Field(default=None, max_length=32)


class CaseEditIn(BaseModel):
    """Fields to change on a case; absent fields stay as they are."""

    title: str | None = Field(default=None, min_length=1, max_length=500)
    allegation_summary: str | None = Field(default=None, max_length=20_000)
    releasable_summary: str | None = Field(default=None, max_length=20_000)
    priority: Priority | None = None


class ResponseIn(BaseModel):
    text: str = Field(min_length=1, max_length=20_000)
    received_on: Day


# --- handover lists ----------------------------------------------------------------------------


class HandoverIn(BaseModel):
    title: str = Field(min_length=1, max_length=500)
    handed_over_on: Day
    handed_over_by: str = Field(min_length=1, max_length=300)
    handed_over_to: str = Field(min_length=1, max_length=300)
    references: list[str] | None = Field(default=None, max_length=10_000)
    raise_open_cases: bool = True
    # Cases not yet released to the partner are refused unless the officer asks to release
    # them here (through the release policy, audited): handing over never re-marks silently.
    release: bool = False
    fictional: bool = False


# --- reviews -----------------------------------------------------------------------------------


class ParticipantModel(BaseModel):
    name: str = Field(min_length=1, max_length=300)
    side: Party
    role: str = Field(default="", max_length=300)


class ReviewIn(BaseModel):
    level: ReviewLevel = ReviewLevel.WORKING
    proposed_on: Day
    confirmed_on: Annotated[Day | None, Blank] = None
    venue: str = Field(default="", max_length=300)
    title: str = Field(default="", max_length=300)
    participants: list[ParticipantModel] = Field(default_factory=list, max_length=100)
    fictional: bool = False


class ConfirmIn(BaseModel):
    confirmed_on: Day


class AgendaEditIn(BaseModel):
    note: Annotated[str | None, Blank] = Field(default=None, max_length=5_000)
    position: Annotated[Annotated[int, Field(ge=1, le=10_000)] | None, Blank] = None
    remove: bool = False


class OutcomeIn(BaseModel):
    reference: str = Field(min_length=1, max_length=32)
    partner_statement: str = Field(default="", max_length=20_000)
    next_step: str = Field(default="", max_length=5_000)
    home_note: str = Field(default="", max_length=20_000)
    new_status: Annotated[CaseStatus | None, Blank] = None
    reason: str = Field(default="", max_length=5_000)
    outcome: Annotated[CaseOutcome | None, Blank] = None
    merged_into: Annotated[str | None, Blank] = Field(default=None, max_length=32)


# --- firms, events, commitments, proposals -----------------------------------------------------


class MarkingIn(BaseModel):
    """The marking of a new record: level letter, NOFORN, shared with the partner."""

    classification: Classification = "U"
    noforn: bool = False
    shared_with_partner: bool = False

    def marking(self) -> Marking:
        return Marking(
            Level[self.classification],
            frozenset({NOFORN}) if self.noforn else frozenset(),
            frozenset({partner_country()}) if self.shared_with_partner else frozenset(),
            self.shared_with_partner,
        )


class FirmIn(MarkingIn):
    name: str = Field(min_length=1, max_length=300)
    aliases: list[str] = Field(default_factory=list, max_length=50)
    key: str | None = Field(default=None, max_length=80)
    country: str | None = Field(default=None, max_length=3)
    sector: str | None = Field(default=None, max_length=200)
    parent: str | None = Field(default=None, max_length=80)


class DialogueIn(MarkingIn):
    kind: Literal["meeting", "visit"]
    date: Day | None = None
    home_participants: list[str] = Field(default_factory=list)
    partner_participants: list[str] = Field(default_factory=list)
    venue: str | None = None
    summary: str = ""
    follow_ups: list[str] = Field(default_factory=list)
    source_cable: str | None = None


class NoticeIn(BaseModel):
    dialogue_id: RecordId
    informed_on: Day
    channel: str = Field(min_length=1, max_length=500)
    informed_by: str = ""
    note: str = ""


class AssessmentIn(MarkingIn):
    framework: str
    assessed_on: Day
    scores: dict[str, int]
    evidence: dict[str, str] = Field(default_factory=dict)
    assessor: str = ""


class EventIn(MarkingIn):
    title: str = Field(min_length=1, max_length=500)
    kind: Literal["workshop", "training", "dialogue", "exchange", "meeting", "other"]
    start: Day | None = None
    end: Day | None = None
    place: str | None = None
    agencies: list[str] = Field(default_factory=list)
    firms: list[str] = Field(default_factory=list)
    outcome: str = ""


class CommitmentIn(MarkingIn):
    owner_side: Literal["home", "partner"]
    description: str = Field(min_length=1, max_length=2000)
    owner: str = ""
    due: Day | None = None
    soft_due: str | None = None
    made_on: Day | None = None
    made_in: Literal["review", "meeting", "cable"] = "cable"
    made_in_ref: str | None = None
    firm: str | None = None


class CloseIn(BaseModel):
    status: Literal["done", "dropped"] = "done"
    note: str = Field(default="", max_length=4000)


class DecisionIn(BaseModel):
    decision: Literal["accept", "edit", "reject"]
    values: dict[str, Any] = Field(default_factory=dict)
    note: str = Field(default="", max_length=4000)


# --- releases ----------------------------------------------------------------------------------


class RejectIn(BaseModel):
    reason: str = Field(min_length=1, max_length=2000, description="Why (the proposer sees it)")


# --- screening ---------------------------------------------------------------------------------

MAX_BATCH = 1000


class NameQuery(BaseModel):
    """One name to screen, with optional evidence."""

    model_config = ConfigDict(extra="forbid")

    id: str | None = Field(default=None, max_length=200, description="Your reference, echoed.")
    name: str = Field(min_length=1, max_length=500)
    type: Literal["entity", "individual"] | None = None
    country: str | None = Field(default=None, max_length=64, description="Name or ISO code.")
    dob: str | None = Field(default=None, max_length=32, description="Starts with YYYY.")

    def to_query(self) -> Query:
        return Query(self.name, EntryType(self.type) if self.type else None, self.country, self.dob)


class ScreenRequest(BaseModel):
    """Either `name` (with optional `type`, `country`, `dob`) or `queries` (a batch)."""

    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(default=None, min_length=1, max_length=500)
    type: Literal["entity", "individual"] | None = None
    country: str | None = Field(default=None, max_length=64)
    dob: str | None = Field(default=None, max_length=32)
    queries: list[NameQuery] | None = Field(default=None, max_length=MAX_BATCH)
    top: int = Field(default=5, ge=1, le=100)

    @model_validator(mode="after")
    def one_or_batch(self) -> ScreenRequest:
        if (self.name is None) == (self.queries is None):
            raise ValueError("give either name or queries")
        return self

    def items(self) -> list[NameQuery]:
        if self.queries is not None:
            return self.queries
        assert self.name is not None
        return [NameQuery(name=self.name, type=self.type, country=self.country, dob=self.dob)]


# --- sign-in -----------------------------------------------------------------------------------


class TokenRequest(BaseModel):
    username: str = Field(max_length=200)
    password: str = Field(max_length=1024)
