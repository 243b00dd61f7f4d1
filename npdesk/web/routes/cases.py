"""The case desk on the web: cases, handover lists, reviews and the dashboard, as pages and as
the JSON API under /api/v1 (`/cases`, `/handover-lists`, `/reviews`, `/metrics`).

Routes are thin: they gate on a registered action, call the services (which apply the access
policy to every record: a liaison sees only shared cases and only their releasable fields),
and map the services' refusals to HTTP answers. A case a user may not see is a 404, exactly
like one that does not exist.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from typing import Annotated, Any, Literal, TypeVar

from fastapi import APIRouter, Depends, Form, HTTPException, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.engine import Engine

from npdesk.domain.cases import (
    TRANSITIONS,
    CableLink,
    Case,
    CaseOutcome,
    CaseStatus,
    ControlRegime,
    IllegalTransition,
    Item,
    Priority,
    Subject,
    SubjectKind,
    TransitionError,
)
from npdesk.domain.handover import HandoverDiff, HandoverList
from npdesk.domain.reviews import (
    AgendaItem,
    MinutesVariant,
    Participant,
    ReviewLevel,
    ReviewOutcome,
    ReviewSession,
)
from npdesk.security import policy
from npdesk.security.model import Level, Marking, Party, User
from npdesk.services import cases as case_service
from npdesk.services import handovers as handover_service
from npdesk.services import metrics as metrics_service
from npdesk.services import reviews as review_service
from npdesk.services.case_subjects import screen_subjects
from npdesk.settings import partner_country
from npdesk.store.visibility import page_banner
from npdesk.web.auth import client_source, require_action
from npdesk.web.templating import templates

# Numbers in paths and queries are bounded so a huge value is a 422, never a database error.
RecordNumber = Annotated[int, Path(ge=1, le=2_147_483_647)]
ParagraphNumber = Annotated[int | None, Query(ge=1, le=10_000)]

router = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/api/v1")

PAGE_SIZE = 50
E = TypeVar("E", CaseStatus, CaseOutcome)
NAV_ITEMS = (
    {"href": "/cases", "label": "Cases"},
    {"href": "/handovers", "label": "Handover lists"},
    {"href": "/reviews", "label": "Reviews"},
    {"href": "/dashboard", "label": "Dashboard"},
)


# --- gates ---------------------------------------------------------------------------------
# Route-level gates from the action registry (default deny); the record-level checks are the
# services', applied to every case, list and review they load.

ListCases = Annotated[User, Depends(require_action("cases.list"))]
ReadCase = Annotated[User, Depends(require_action("cases.read"))]
WriteCase = Annotated[User, Depends(require_action("cases.write"))]
Respond = Annotated[User, Depends(require_action("partner.respond"))]
ListHandovers = Annotated[User, Depends(require_action("handovers.list"))]
ReadHandover = Annotated[User, Depends(require_action("handovers.read"))]
CreateHandover = Annotated[User, Depends(require_action("handovers.create"))]
ExportHandover = Annotated[User, Depends(require_action("handovers.export"))]
ListReviews = Annotated[User, Depends(require_action("reviews.list"))]
ReadReview = Annotated[User, Depends(require_action("reviews.read"))]
WriteReview = Annotated[User, Depends(require_action("reviews.write"))]
ReadMetrics = Annotated[User, Depends(require_action("metrics.read"))]


def engine_of(request: Request) -> Engine:
    engine: Engine = request.app.state.engine
    return engine


@contextmanager
def answers() -> Iterator[None]:
    """Map the services' refusals to HTTP answers (404, 403, 409, 422, 503)."""
    try:
        yield
    except (
        case_service.CaseNotFound,
        handover_service.HandoverNotFound,
        review_service.ReviewNotFound,
    ) as error:
        raise HTTPException(status_code=404, detail=str(error)) from error
    except case_service.NotPermitted as error:
        raise HTTPException(status_code=403, detail=str(error)) from error
    except IllegalTransition as error:
        raise HTTPException(status_code=409, detail=str(error)) from error
    except (TransitionError, case_service.InvalidCaseData) as error:
        raise HTTPException(status_code=422, detail=str(error)) from error
    except handover_service.ExportFailed as error:
        raise HTTPException(status_code=503, detail=str(error)) from error


# --- API models ----------------------------------------------------------------------------


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
    paragraph: int | None = Field(default=None, ge=1)


class EventOut(BaseModel):
    at: datetime
    from_status: CaseStatus | None
    to_status: CaseStatus
    outcome: CaseOutcome | None = None
    merged_into: str | None = None
    actor: str | None = None
    reason: str | None = None


class ResponseOut(BaseModel):
    received_on: date
    text: str


class CaseOut(BaseModel):
    """A case. Partner users get the releasable fields only: the home-only ones
    (`allegation_summary`, `priority`, `cable_links`, and actors and reasons in `history`)
    are absent, not blank."""

    model_config = ConfigDict(json_schema_extra={"description": "An open proliferation case."})

    reference: str
    title: str
    status: CaseStatus
    outcome: CaseOutcome | None
    merged_into: str | None
    releasable_summary: str
    subjects: list[SubjectModel]
    items: list[ItemModel]
    origin_countries: list[str]
    destination_countries: list[str]
    responses: list[ResponseOut]
    history: list[EventOut]
    marking: str
    fictional: bool
    allegation_summary: str | None = None
    priority: Priority | None = None
    cable_links: list[CableLinkModel] | None = None
    legal_next: list[CaseStatus]


class CaseListOut(BaseModel):
    total: int
    offset: int
    limit: int
    #: The strictest marking among the cases in this answer.
    banner: str
    cases: list[CaseOut]


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
    classification: Literal["U", "C", "S", "TS"] = "C"
    noforn: bool = False
    rel_to: list[str] = Field(default_factory=list, max_length=20)
    shared_with_partner: bool = False
    fictional: bool = False


class TransitionIn(BaseModel):
    status: CaseStatus
    reason: str = Field(min_length=1, max_length=5_000)
    outcome: CaseOutcome | None = None
    merged_into: str | None = Field(default=None, max_length=32)


class CaseEditIn(BaseModel):
    """Fields to change on a case; absent fields stay as they are."""

    title: str | None = Field(default=None, min_length=1, max_length=500)
    allegation_summary: str | None = Field(default=None, max_length=20_000)
    releasable_summary: str | None = Field(default=None, max_length=20_000)
    priority: Priority | None = None


class ResponseIn(BaseModel):
    text: str = Field(min_length=1, max_length=20_000)
    received_on: date


class HandoverEntryOut(BaseModel):
    reference: str
    title: str
    status: str
    releasable_summary: str
    subjects: list[str]
    items: list[str]
    regimes: list[str]
    origin_countries: list[str]
    destination_countries: list[str]


class HandoverListOut(BaseModel):
    number: int
    title: str
    handed_over_on: date
    handed_over_by: str
    handed_over_to: str
    banner: str
    fictional: bool
    entries: list[HandoverEntryOut]


class HandoverIn(BaseModel):
    title: str = Field(min_length=1, max_length=500)
    handed_over_on: date
    handed_over_by: str = Field(min_length=1, max_length=300)
    handed_over_to: str = Field(min_length=1, max_length=300)
    references: list[str] | None = Field(default=None, max_length=10_000)
    raise_open_cases: bool = True
    # Cases not yet released to the partner are refused unless the officer asks to release
    # them here (through the release policy, audited): handing over never re-marks silently.
    release: bool = False
    fictional: bool = False


class FieldChangeOut(BaseModel):
    field: str
    old: str
    new: str


class EntryChangeOut(BaseModel):
    reference: str
    title: str
    changes: list[FieldChangeOut]


class HandoverDiffOut(BaseModel):
    old_number: int
    new_number: int
    added: list[HandoverEntryOut]
    removed: list[HandoverEntryOut]
    changed: list[EntryChangeOut]
    unchanged: list[str]


class ParticipantModel(BaseModel):
    name: str = Field(min_length=1, max_length=300)
    side: Party
    role: str = Field(default="", max_length=300)


class ReviewSessionOut(BaseModel):
    number: int
    level: ReviewLevel
    state: str
    proposed_on: date
    confirmed_on: date | None
    awaiting_partner: bool
    venue: str
    title: str
    participants: list[ParticipantModel]
    fictional: bool


class ChangeNoteOut(BaseModel):
    on: date
    text: str


class AgendaItemOut(BaseModel):
    position: int
    reference: str
    title: str
    status: CaseStatus
    age_days: int
    releasable_summary: str
    changes: list[ChangeNoteOut]
    priority: Priority | None = None
    note: str | None = None


class ReviewOutcomeOut(BaseModel):
    reference: str
    partner_statement: str
    next_step: str
    new_status: CaseStatus | None
    outcome: CaseOutcome | None
    merged_into: str | None
    home_note: str | None = None


class ReviewDetailOut(BaseModel):
    session: ReviewSessionOut
    banner: str
    agenda: list[AgendaItemOut]
    outcomes: list[ReviewOutcomeOut]


class ReviewIn(BaseModel):
    level: ReviewLevel = ReviewLevel.WORKING
    proposed_on: date
    confirmed_on: date | None = None
    venue: str = Field(default="", max_length=300)
    title: str = Field(default="", max_length=300)
    participants: list[ParticipantModel] = Field(default_factory=list, max_length=100)
    fictional: bool = False


class ConfirmIn(BaseModel):
    confirmed_on: date


class AgendaEditIn(BaseModel):
    note: str | None = Field(default=None, max_length=5_000)
    position: int | None = Field(default=None, ge=1)
    remove: bool = False


class OutcomeIn(BaseModel):
    reference: str = Field(min_length=1, max_length=32)
    partner_statement: str = Field(default="", max_length=20_000)
    next_step: str = Field(default="", max_length=5_000)
    home_note: str = Field(default="", max_length=20_000)
    new_status: CaseStatus | None = None
    reason: str = Field(default="", max_length=5_000)
    outcome: CaseOutcome | None = None
    merged_into: str | None = Field(default=None, max_length=32)


class BurndownPointOut(BaseModel):
    on: date
    open_count: int


class CycleOut(BaseModel):
    label: str
    start: date | None
    end: date
    opened: int
    closed: int


class ResponseTimeOut(BaseModel):
    reference: str
    raised_on: date
    responded_on: date
    days: int


class OverdueOut(BaseModel):
    reference: str
    title: str
    waiting_since: date
    days_waiting: int


class MetricsOut(BaseModel):
    as_of: date
    open_now: int
    burndown: list[BurndownPointOut]
    cycles: list[CycleOut]
    median_open_age_days: float | None
    response_times: list[ResponseTimeOut]
    median_response_days: float | None
    overdue: list[OverdueOut]
    response_due_days: int


# --- conversions ---------------------------------------------------------------------------


def case_out(case: Case) -> CaseOut:
    """The API form of a case; a redacted case leaves home-only fields out."""
    home = not case.redacted
    return CaseOut(
        reference=case.reference,
        title=case.title,
        status=case.status,
        outcome=case.outcome,
        merged_into=case.merged_into,
        releasable_summary=case.releasable_summary,
        subjects=[SubjectModel(**s.__dict__) for s in case.subjects],
        items=[ItemModel(**i.__dict__) for i in case.items],
        origin_countries=list(case.origin_countries),
        destination_countries=list(case.destination_countries),
        responses=[ResponseOut(received_on=r.received_on, text=r.text) for r in case.responses],
        history=[
            EventOut(
                at=e.at,
                from_status=e.from_status,
                to_status=e.to_status,
                outcome=e.outcome,
                merged_into=e.merged_into,
                actor=e.actor if home else None,
                reason=e.reason if home else None,
            )
            for e in case.history
        ],
        marking=case.marking.banner(),
        fictional=case.fictional,
        allegation_summary=case.allegation_summary if home else None,
        priority=case.priority if home else None,
        cable_links=[CableLinkModel(**c.__dict__) for c in case.cable_links] if home else None,
        legal_next=sorted(TRANSITIONS[case.status]) if home else [],
    )


def handover_out(listing: HandoverList) -> HandoverListOut:
    return HandoverListOut(
        number=listing.number,
        title=listing.title,
        handed_over_on=listing.handed_over_on,
        handed_over_by=listing.handed_over_by,
        handed_over_to=listing.handed_over_to,
        banner=listing.banner,
        fictional=listing.fictional,
        entries=[HandoverEntryOut(**e.__dict__) for e in listing.entries],
    )


def diff_out(result: HandoverDiff) -> HandoverDiffOut:
    return HandoverDiffOut(
        old_number=result.old_number,
        new_number=result.new_number,
        added=[HandoverEntryOut(**e.__dict__) for e in result.added],
        removed=[HandoverEntryOut(**e.__dict__) for e in result.removed],
        changed=[
            EntryChangeOut(
                reference=c.reference,
                title=c.title,
                changes=[FieldChangeOut(**f.__dict__) for f in c.changes],
            )
            for c in result.changed
        ],
        unchanged=list(result.unchanged),
    )


def session_out(session: ReviewSession) -> ReviewSessionOut:
    return ReviewSessionOut(
        number=session.number,
        level=session.level,
        state=session.state.value,
        proposed_on=session.proposed_on,
        confirmed_on=session.confirmed_on,
        awaiting_partner=session.awaiting_partner,
        venue=session.venue,
        title=session.title,
        participants=[ParticipantModel(**p.__dict__) for p in session.participants],
        fictional=session.fictional,
    )


def agenda_out(item: AgendaItem, home: bool) -> AgendaItemOut:
    return AgendaItemOut(
        position=item.position,
        reference=item.reference,
        title=item.title,
        status=item.status,
        age_days=item.age_days,
        releasable_summary=item.releasable_summary,
        changes=[ChangeNoteOut(on=c.on, text=c.text) for c in item.changes],
        priority=item.priority if home else None,
        note=item.note if home else None,
    )


def outcome_out(outcome: ReviewOutcome, home: bool) -> ReviewOutcomeOut:
    return ReviewOutcomeOut(
        reference=outcome.reference,
        partner_statement=outcome.partner_statement,
        next_step=outcome.next_step,
        new_status=outcome.new_status,
        outcome=outcome.outcome,
        merged_into=outcome.merged_into,
        home_note=outcome.home_note if home else None,
    )


def review_out(detail: review_service.ReviewDetail, user: User) -> ReviewDetailOut:
    home = user.party is Party.HOME
    return ReviewDetailOut(
        session=session_out(detail.session),
        banner=detail.banner,
        agenda=[agenda_out(i, home) for i in detail.agenda],
        outcomes=[outcome_out(o, home) for o in detail.outcomes],
    )


def case_input(data: CaseIn) -> case_service.CaseInput:
    return case_service.CaseInput(
        title=data.title,
        allegation_summary=data.allegation_summary,
        releasable_summary=data.releasable_summary,
        priority=data.priority,
        subjects=tuple(Subject(s.name, s.kind, s.country, s.screening_ref) for s in data.subjects),
        items=tuple(Item(i.description, i.regime, i.category) for i in data.items),
        origin_countries=tuple(data.origin_countries),
        destination_countries=tuple(data.destination_countries),
        cable_links=tuple(CableLink(c.cable_id, c.paragraph) for c in data.cable_links),
        marking=Marking(
            Level[data.classification],
            caveats=frozenset({"NOFORN"}) if data.noforn else frozenset(),
            rel_to=frozenset(c.upper() for c in data.rel_to),
            shared=data.shared_with_partner,
        ),
        fictional=data.fictional,
    )


# --- API: cases ----------------------------------------------------------------------------


@api.get("/cases", response_model=CaseListOut, tags=["cases"])
def api_list_cases(
    request: Request,
    user: ListCases,
    status: Annotated[list[CaseStatus] | None, Query()] = None,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
    limit: Annotated[int, Query(ge=1, le=500)] = PAGE_SIZE,
) -> CaseListOut:
    """Cases the user may see, newest reference first (partner users: releasable fields)."""
    page = case_service.list_cases(
        engine_of(request), user, statuses=status, offset=offset, limit=limit
    )
    return CaseListOut(
        total=page.total,
        offset=offset,
        limit=limit,
        banner=page.banner,
        cases=[case_out(c) for c in page.cases],
    )


@api.post("/cases", response_model=CaseOut, status_code=201, tags=["cases"])
def api_create_case(request: Request, user: WriteCase, data: CaseIn) -> CaseOut:
    """Create a draft case."""
    with answers():
        return case_out(
            case_service.create_case(
                engine_of(request), user, case_input(data), source=client_source(request)
            )
        )


@api.get("/cases/{reference}", response_model=CaseOut, tags=["cases"])
def api_get_case(request: Request, user: ReadCase, reference: str) -> CaseOut:
    """One case with its history and partner responses."""
    with answers():
        return case_out(case_service.get_case(engine_of(request), user, reference))


@api.patch("/cases/{reference}", response_model=CaseOut, tags=["cases"])
def api_edit_case(request: Request, user: WriteCase, reference: str, data: CaseEditIn) -> CaseOut:
    """Change a case's title, summaries or priority."""
    with answers():
        return case_out(
            case_service.edit_case(
                engine_of(request),
                user,
                reference,
                title=data.title,
                allegation_summary=data.allegation_summary,
                releasable_summary=data.releasable_summary,
                priority=data.priority,
                source=client_source(request),
            )
        )


@api.post("/cases/{reference}/transitions", response_model=CaseOut, tags=["cases"])
def api_transition(
    request: Request, user: WriteCase, reference: str, data: TransitionIn
) -> CaseOut:
    """Move a case to another status (409 with the legal next states when not allowed)."""
    with answers():
        return case_out(
            case_service.transition_case(
                engine_of(request),
                user,
                reference,
                data.status,
                reason=data.reason,
                outcome=data.outcome,
                merged_into=data.merged_into,
                source=client_source(request),
            )
        )


@api.post("/cases/{reference}/cable-links", response_model=CaseOut, tags=["cases"])
def api_link_cable(
    request: Request, user: WriteCase, reference: str, data: CableLinkModel
) -> CaseOut:
    """Link a stored cable, or one numbered paragraph of it, to a case."""
    with answers():
        return case_out(
            case_service.link_cable(
                engine_of(request),
                user,
                reference,
                data.cable_id,
                data.paragraph,
                source=client_source(request),
            )
        )


@api.post("/cases/{reference}/responses", response_model=CaseOut, tags=["cases"])
def api_respond(request: Request, user: Respond, reference: str, data: ResponseIn) -> CaseOut:
    """Record the partner's response on a case shared with the partner."""
    with answers():
        return case_out(
            case_service.record_partner_response(
                engine_of(request),
                user,
                reference,
                data.text,
                data.received_on,
                source=client_source(request),
            )
        )


@api.post("/cases/{reference}/screening", response_model=CaseOut, tags=["cases"])
def api_screen_subjects(request: Request, user: WriteCase, reference: str) -> CaseOut:
    """Screen the case's subjects against the newest sanctions lists; each subject's
    `screening_ref` then names its stored screening and best hit."""
    with answers():
        case, _notes = screen_subjects(
            engine_of(request), user, reference, source=client_source(request)
        )
    return case_out(case)


# --- API: handover lists -------------------------------------------------------------------


@api.get("/handover-lists", response_model=list[HandoverListOut], tags=["handover lists"])
def api_list_handovers(request: Request, user: ListHandovers) -> list[HandoverListOut]:
    """Every list handed to the partner, newest first."""
    return [handover_out(x) for x in handover_service.list_handover_lists(engine_of(request), user)]


@api.post(
    "/handover-lists", response_model=HandoverListOut, status_code=201, tags=["handover lists"]
)
def api_create_handover(
    request: Request, user: CreateHandover, data: HandoverIn
) -> HandoverListOut:
    """Record a new numbered list handed to the partner (releases and raises its cases)."""
    with answers():
        listing = handover_service.create_handover_list(
            engine_of(request),
            user,
            title=data.title,
            handed_over_on=data.handed_over_on,
            handed_over_by=data.handed_over_by,
            handed_over_to=data.handed_over_to,
            partner_country=partner_country(),
            references=data.references,
            raise_open_cases=data.raise_open_cases,
            release=data.release,
            fictional=data.fictional,
            source=client_source(request),
        )
    return handover_out(listing)


@api.get("/handover-lists/{number}", response_model=HandoverListOut, tags=["handover lists"])
def api_get_handover(request: Request, user: ReadHandover, number: RecordNumber) -> HandoverListOut:
    """One list as handed over."""
    with answers():
        return handover_out(handover_service.get_handover_list(engine_of(request), user, number))


@api.get(
    "/handover-lists/{old}/diff/{new}", response_model=HandoverDiffOut, tags=["handover lists"]
)
def api_diff_handovers(
    request: Request, user: ReadHandover, old: RecordNumber, new: RecordNumber
) -> HandoverDiffOut:
    """Cases added, removed (closed) and changed between two lists."""
    with answers():
        return diff_out(handover_service.diff_handover_lists(engine_of(request), user, old, new))


@api.get(
    "/handover-lists/{number}/export.{fmt}",
    tags=["handover lists"],
    response_class=Response,
    responses={200: {"content": {m: {} for m in handover_service.MEDIA_TYPES.values()}}},
)
def api_export_handover(
    request: Request, user: ExportHandover, number: RecordNumber, fmt: handover_service.ExportFormat
) -> Response:
    """The list as the partner receives it (pdf, csv, json or html), with its banner."""
    with answers():
        data = handover_service.export_handover_list(engine_of(request), user, number, fmt)
    filename = f"handover-list-{number}.{fmt.value}"
    return Response(
        data,
        media_type=handover_service.MEDIA_TYPES[fmt],
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


# --- API: reviews --------------------------------------------------------------------------


@api.get("/reviews", response_model=list[ReviewSessionOut], tags=["reviews"])
def api_list_reviews(request: Request, user: ListReviews) -> list[ReviewSessionOut]:
    """Review sessions by meeting date."""
    return [session_out(s) for s in review_service.list_reviews(engine_of(request), user)]


@api.post("/reviews", response_model=ReviewDetailOut, status_code=201, tags=["reviews"])
def api_schedule_review(request: Request, user: WriteReview, data: ReviewIn) -> ReviewDetailOut:
    """Propose a review (it awaits the partner's answer unless a confirmed date is given)."""
    with answers():
        detail = review_service.schedule_review(
            engine_of(request),
            user,
            level=data.level,
            proposed_on=data.proposed_on,
            confirmed_on=data.confirmed_on,
            partner_country=partner_country(),
            venue=data.venue,
            title=data.title,
            participants=[Participant(p.name, p.side, p.role) for p in data.participants],
            fictional=data.fictional,
            source=client_source(request),
        )
    return review_out(detail, user)


@api.get("/reviews/{number}", response_model=ReviewDetailOut, tags=["reviews"])
def api_get_review(request: Request, user: ReadReview, number: RecordNumber) -> ReviewDetailOut:
    """A session with its agenda and outcomes."""
    with answers():
        return review_out(review_service.get_review(engine_of(request), user, number), user)


@api.post("/reviews/{number}/confirm", response_model=ReviewDetailOut, tags=["reviews"])
def api_confirm_review(
    request: Request, user: WriteReview, number: RecordNumber, data: ConfirmIn
) -> ReviewDetailOut:
    """Record the partner's agreement to meet on a date."""
    with answers():
        detail = review_service.confirm_review(
            engine_of(request), user, number, data.confirmed_on, source=client_source(request)
        )
    return review_out(detail, user)


@api.post("/reviews/{number}/cancel", response_model=ReviewDetailOut, tags=["reviews"])
def api_cancel_review(request: Request, user: WriteReview, number: RecordNumber) -> ReviewDetailOut:
    """Cancel a session that has not been held."""
    with answers():
        detail = review_service.cancel_review(
            engine_of(request), user, number, source=client_source(request)
        )
    return review_out(detail, user)


@api.post("/reviews/{number}/agenda", response_model=ReviewDetailOut, tags=["reviews"])
def api_build_agenda(request: Request, user: WriteReview, number: RecordNumber) -> ReviewDetailOut:
    """(Re)generate the agenda from the cases open on the meeting day."""
    with answers():
        return review_out(
            review_service.build_agenda(
                engine_of(request), user, number, source=client_source(request)
            ),
            user,
        )


@api.patch("/reviews/{number}/agenda/{reference}", response_model=ReviewDetailOut, tags=["reviews"])
def api_edit_agenda(
    request: Request, user: WriteReview, number: RecordNumber, reference: str, data: AgendaEditIn
) -> ReviewDetailOut:
    """Edit an agenda line: its note, its place, or remove it."""
    with answers():
        detail = review_service.edit_agenda_item(
            engine_of(request),
            user,
            number,
            reference,
            note=data.note,
            position=data.position,
            remove=data.remove,
            source=client_source(request),
        )
    return review_out(detail, user)


@api.post("/reviews/{number}/outcomes", response_model=ReviewDetailOut, tags=["reviews"])
def api_record_outcome(
    request: Request, user: WriteReview, number: RecordNumber, data: OutcomeIn
) -> ReviewDetailOut:
    """Record what the meeting concluded on a case, optionally moving the case."""
    with answers():
        detail = review_service.record_outcome(
            engine_of(request),
            user,
            number,
            data.reference,
            partner_statement=data.partner_statement,
            next_step=data.next_step,
            home_note=data.home_note,
            new_status=data.new_status,
            reason=data.reason,
            outcome=data.outcome,
            merged_into=data.merged_into,
            source=client_source(request),
        )
    return review_out(detail, user)


@api.get(
    "/reviews/{number}/minutes",
    tags=["reviews"],
    response_class=Response,
    responses={200: {"content": {"text/html": {}, "application/pdf": {}}}},
)
def api_minutes(
    request: Request,
    user: ReadReview,
    number: RecordNumber,
    variant: MinutesVariant = MinutesVariant.RELEASABLE,
    fmt: Annotated[review_service.MinutesFormat, Query(alias="format")] = (
        review_service.MinutesFormat.HTML
    ),
) -> Response:
    """The minutes (releasable, or home-only for home users) as HTML or PDF."""
    with answers():
        data = review_service.render_minutes(engine_of(request), user, number, variant, fmt)
    if fmt is review_service.MinutesFormat.PDF:
        return Response(
            data,
            media_type="application/pdf",
            headers={
                "Content-Disposition": f'attachment; filename="review-{number}-{variant}.pdf"'
            },
        )
    return Response(data, media_type="text/html; charset=utf-8")


# --- API: metrics --------------------------------------------------------------------------


@api.get("/metrics", response_model=MetricsOut, tags=["metrics"])
def api_metrics(
    request: Request,
    user: ReadMetrics,
    as_of: date | None = None,
    due_days: Annotated[int, Query(ge=1, le=3650)] = 90,
) -> Response:
    """Open cases over time, opened and closed per review cycle, median age, response times,
    overdue responses — for the cases the user may see."""
    # The figures' JSON is made once per desk state (see `metrics_service.dashboard`).
    board = metrics_service.dashboard(engine_of(request), user, as_of, due_days)
    return Response(board.json, media_type="application/json")


@api.get(
    "/metrics/burndown.svg",
    tags=["metrics"],
    response_class=Response,
    responses={200: {"content": {"image/svg+xml": {}}}},
)
def api_burndown(request: Request, user: ReadMetrics, as_of: date | None = None) -> Response:
    """The burn-down chart as SVG (rendered on the server; no script)."""
    board = metrics_service.dashboard(engine_of(request), user, as_of)
    return Response(board.svg, media_type="image/svg+xml")


# --- pages ---------------------------------------------------------------------------------


def page(request: Request, name: str, user: User, **context: Any) -> HTMLResponse:
    return templates.TemplateResponse(
        request,
        f"cases/{name}",
        {
            "user": user,
            "home": user.party is Party.HOME,
            "may_write": case_service.may_write_cases(user),
            "CaseStatus": CaseStatus,
            "CaseOutcome": CaseOutcome,
            "nav_items": NAV_ITEMS,
            **context,
        },
    )


def optional_enum(kind: type[E], value: str) -> E | None:
    """A form's optional choice: blank is None, anything not in `kind` is a 422."""
    if not value:
        return None
    try:
        return kind(value)
    except ValueError as error:
        raise HTTPException(status_code=422, detail=f"not a valid choice: {value!r}") from error


def optional_int(value: str) -> int | None:
    """A form's optional number: blank is None, anything else must be a whole number."""
    if not value.strip():
        return None
    if not value.strip().isdigit():
        raise HTTPException(status_code=422, detail=f"not a number: {value!r}")
    return int(value)


def back(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


@router.get("/cases", response_class=HTMLResponse)
def cases_page(
    request: Request,
    user: ListCases,
    status: Annotated[list[CaseStatus] | None, Query()] = None,
    page_number: Annotated[int, Query(alias="page", ge=1, le=100_000)] = 1,
) -> HTMLResponse:
    result = case_service.list_cases(
        engine_of(request),
        user,
        statuses=status,
        offset=(page_number - 1) * PAGE_SIZE,
        limit=PAGE_SIZE,
        summary=True,
    )
    pages = max(1, -(-result.total // PAGE_SIZE))
    return page(
        request,
        "list.html",
        user,
        result=result,
        statuses=status or [],
        page_number=page_number,
        pages=pages,
        today=date.today(),
    )


@router.get("/cases/new", response_class=HTMLResponse)
def new_case_page(
    request: Request, user: WriteCase, cable: str = "", paragraph: ParagraphNumber = None
) -> HTMLResponse:
    return page(
        request,
        "new.html",
        user,
        cable=cable,
        paragraph=paragraph,
        regimes=list(ControlRegime),
        priorities=list(Priority),
    )


@router.post("/cases")
def create_case_form(
    request: Request,
    user: WriteCase,
    title: Annotated[str, Form()],
    allegation_summary: Annotated[str, Form()] = "",
    releasable_summary: Annotated[str, Form()] = "",
    priority: Annotated[Priority, Form()] = Priority.MEDIUM,
    subjects: Annotated[str, Form()] = "",
    item: Annotated[str, Form()] = "",
    regime: Annotated[ControlRegime, Form()] = ControlRegime.OTHER,
    origin: Annotated[str, Form()] = "",
    destination: Annotated[str, Form()] = "",
    classification: Annotated[Literal["U", "C", "S", "TS"], Form()] = "C",
    noforn: Annotated[bool, Form()] = False,
    cable: Annotated[str, Form()] = "",
    paragraph: Annotated[str, Form()] = "",
    open_now: Annotated[bool, Form()] = False,
) -> RedirectResponse:
    data = CaseIn(
        title=title,
        allegation_summary=allegation_summary,
        releasable_summary=releasable_summary,
        priority=priority,
        subjects=[SubjectModel(name=n.strip()) for n in subjects.splitlines() if n.strip()],
        items=[ItemModel(description=item.strip(), regime=regime)] if item.strip() else [],
        origin_countries=origin.upper().split(),
        destination_countries=destination.upper().split(),
        cable_links=(
            [CableLinkModel(cable_id=cable.strip(), paragraph=optional_int(paragraph))]
            if cable.strip()
            else []
        ),
        classification=classification,
        noforn=noforn,
    )
    engine = engine_of(request)
    with answers():
        case = case_service.create_case(
            engine, user, case_input(data), source=client_source(request)
        )
        if open_now:
            case_service.transition_case(
                engine,
                user,
                case.reference,
                CaseStatus.OPEN,
                reason="opened at creation",
                source=client_source(request),
            )
    return back(f"/cases/{case.reference}")


@router.get("/cases/link", response_class=HTMLResponse)
def link_cable_page(
    request: Request, user: WriteCase, cable: str, paragraph: ParagraphNumber = None
) -> HTMLResponse:
    active = [s for s in CaseStatus if s not in (CaseStatus.CLOSED,)]
    result = case_service.list_cases(
        engine_of(request), user, statuses=active, limit=1000, summary=True
    )
    return page(request, "link.html", user, cable=cable, paragraph=paragraph, cases=result.cases)


@router.post("/cases/link")
def link_cable_form(
    request: Request,
    user: WriteCase,
    reference: Annotated[str, Form()],
    cable: Annotated[str, Form()],
    paragraph: Annotated[str, Form()] = "",
) -> RedirectResponse:
    with answers():
        case_service.link_cable(
            engine_of(request),
            user,
            reference,
            cable,
            optional_int(paragraph),
            source=client_source(request),
        )
    return back(f"/cases/{reference}")


@router.get("/cases/{reference}", response_class=HTMLResponse)
def case_page(request: Request, user: ReadCase, reference: str) -> HTMLResponse:
    with answers():
        case = case_service.get_case(engine_of(request), user, reference)
    return page(
        request,
        "case.html",
        user,
        case=case,
        legal_next=sorted(TRANSITIONS[case.status]),
        may_respond=case_service.may_respond(user, case.marking),
        priorities=list(Priority),
    )


@router.post("/cases/{reference}/transition")
def transition_form(
    request: Request,
    user: WriteCase,
    reference: str,
    status: Annotated[CaseStatus, Form()],
    reason: Annotated[str, Form()] = "",
    outcome: Annotated[str, Form()] = "",
    merged_into: Annotated[str, Form()] = "",
) -> RedirectResponse:
    with answers():
        case_service.transition_case(
            engine_of(request),
            user,
            reference,
            status,
            reason=reason,
            outcome=optional_enum(CaseOutcome, outcome),
            merged_into=merged_into or None,
            source=client_source(request),
        )
    return back(f"/cases/{reference}")


@router.post("/cases/{reference}/edit")
def edit_form(
    request: Request,
    user: WriteCase,
    reference: str,
    title: Annotated[str, Form()],
    releasable_summary: Annotated[str, Form()] = "",
    allegation_summary: Annotated[str, Form()] = "",
    priority: Annotated[Priority, Form()] = Priority.MEDIUM,
) -> RedirectResponse:
    with answers():
        case_service.edit_case(
            engine_of(request),
            user,
            reference,
            title=title,
            releasable_summary=releasable_summary,
            allegation_summary=allegation_summary,
            priority=priority,
            source=client_source(request),
        )
    return back(f"/cases/{reference}")


@router.post("/cases/{reference}/screen")
def screen_form(request: Request, user: WriteCase, reference: str) -> RedirectResponse:
    with answers():
        screen_subjects(engine_of(request), user, reference, source=client_source(request))
    return back(f"/cases/{reference}")


@router.post("/cases/{reference}/respond")
def respond_form(
    request: Request,
    user: Respond,
    reference: str,
    text: Annotated[str, Form()],
    received_on: Annotated[date, Form()],
) -> RedirectResponse:
    with answers():
        case_service.record_partner_response(
            engine_of(request), user, reference, text, received_on, source=client_source(request)
        )
    return back(f"/cases/{reference}")


@router.get("/handovers", response_class=HTMLResponse)
def handovers_page(request: Request, user: ListHandovers) -> HTMLResponse:
    lists = handover_service.list_handover_lists(engine_of(request), user)
    return page(
        request,
        "handovers.html",
        user,
        lists=lists,
        banner=page_banner([x.banner for x in lists], user),
        today=date.today(),
    )


@router.post("/handovers")
def create_handover_form(
    request: Request,
    user: CreateHandover,
    title: Annotated[str, Form()],
    handed_over_on: Annotated[date, Form()],
    handed_over_by: Annotated[str, Form()],
    handed_over_to: Annotated[str, Form()],
    references: Annotated[str, Form()] = "",
    release: Annotated[bool, Form()] = False,
) -> RedirectResponse:
    refs = references.replace(",", " ").split() or None
    with answers():
        listing = handover_service.create_handover_list(
            engine_of(request),
            user,
            title=title,
            handed_over_on=handed_over_on,
            handed_over_by=handed_over_by,
            handed_over_to=handed_over_to,
            partner_country=partner_country(),
            references=refs,
            release=release,
            source=client_source(request),
        )
    return back(f"/handovers/{listing.number}")


@router.get("/handovers/{number}", response_class=HTMLResponse)
def handover_page(request: Request, user: ReadHandover, number: RecordNumber) -> HTMLResponse:
    engine = engine_of(request)
    with answers():
        listing = handover_service.get_handover_list(engine, user, number)
    numbers = [x.number for x in handover_service.list_handover_lists(engine, user)]
    return page(
        request,
        "handover.html",
        user,
        listing=listing,
        numbers=numbers,
        formats=list(handover_service.ExportFormat),
    )


@router.get("/handovers/{old}/diff/{new}", response_class=HTMLResponse)
def handover_diff_page(
    request: Request, user: ReadHandover, old: RecordNumber, new: RecordNumber
) -> HTMLResponse:
    with answers():
        result = handover_service.diff_handover_lists(engine_of(request), user, old, new)
    return page(request, "diff.html", user, diff=result)


@router.get("/reviews", response_class=HTMLResponse)
def reviews_page(request: Request, user: ListReviews) -> HTMLResponse:
    sessions = review_service.list_reviews(engine_of(request), user)
    return page(request, "reviews.html", user, sessions=sessions, levels=list(ReviewLevel))


@router.post("/reviews")
def schedule_review_form(
    request: Request,
    user: WriteReview,
    proposed_on: Annotated[date, Form()],
    level: Annotated[ReviewLevel, Form()] = ReviewLevel.WORKING,
    venue: Annotated[str, Form()] = "",
    title: Annotated[str, Form()] = "",
    home_participants: Annotated[str, Form()] = "",
    partner_participants: Annotated[str, Form()] = "",
) -> RedirectResponse:
    people = [
        Participant(n.strip(), Party.HOME) for n in home_participants.splitlines() if n.strip()
    ]
    people += [
        Participant(n.strip(), Party.PARTNER)
        for n in partner_participants.splitlines()
        if n.strip()
    ]
    with answers():
        detail = review_service.schedule_review(
            engine_of(request),
            user,
            level=level,
            proposed_on=proposed_on,
            partner_country=partner_country(),
            venue=venue,
            title=title,
            participants=people,
            source=client_source(request),
        )
    return back(f"/reviews/{detail.session.number}")


@router.get("/reviews/{number}", response_class=HTMLResponse)
def review_page(request: Request, user: ReadReview, number: RecordNumber) -> HTMLResponse:
    with answers():
        detail = review_service.get_review(engine_of(request), user, number)
    outcomes = {o.reference: o for o in detail.outcomes}
    return page(
        request,
        "review.html",
        user,
        detail=detail,
        outcomes=outcomes,
        may_review=policy.may_write_kind(user, review_service.REVIEW_KIND),
    )


@router.post("/reviews/{number}/confirm")
def confirm_review_form(
    request: Request, user: WriteReview, number: RecordNumber, confirmed_on: Annotated[date, Form()]
) -> RedirectResponse:
    with answers():
        review_service.confirm_review(
            engine_of(request), user, number, confirmed_on, source=client_source(request)
        )
    return back(f"/reviews/{number}")


@router.post("/reviews/{number}/cancel")
def cancel_review_form(
    request: Request, user: WriteReview, number: RecordNumber
) -> RedirectResponse:
    with answers():
        review_service.cancel_review(
            engine_of(request), user, number, source=client_source(request)
        )
    return back(f"/reviews/{number}")


@router.post("/reviews/{number}/agenda")
def build_agenda_form(
    request: Request, user: WriteReview, number: RecordNumber
) -> RedirectResponse:
    with answers():
        review_service.build_agenda(engine_of(request), user, number, source=client_source(request))
    return back(f"/reviews/{number}")


@router.post("/reviews/{number}/agenda/edit")
def edit_agenda_form(
    request: Request,
    user: WriteReview,
    number: RecordNumber,
    reference: Annotated[str, Form()],
    note: Annotated[str, Form()] = "",
    position: Annotated[str, Form()] = "",
    remove: Annotated[bool, Form()] = False,
) -> RedirectResponse:
    with answers():
        review_service.edit_agenda_item(
            engine_of(request),
            user,
            number,
            reference,
            note=note or None,
            position=optional_int(position),
            remove=remove,
            source=client_source(request),
        )
    return back(f"/reviews/{number}")


@router.post("/reviews/{number}/outcomes")
def outcome_form(
    request: Request,
    user: WriteReview,
    number: RecordNumber,
    reference: Annotated[str, Form()],
    partner_statement: Annotated[str, Form()] = "",
    next_step: Annotated[str, Form()] = "",
    home_note: Annotated[str, Form()] = "",
    new_status: Annotated[str, Form()] = "",
    outcome: Annotated[str, Form()] = "",
    merged_into: Annotated[str, Form()] = "",
) -> RedirectResponse:
    with answers():
        review_service.record_outcome(
            engine_of(request),
            user,
            number,
            reference,
            partner_statement=partner_statement,
            next_step=next_step,
            home_note=home_note,
            new_status=optional_enum(CaseStatus, new_status),
            outcome=optional_enum(CaseOutcome, outcome),
            merged_into=merged_into or None,
            source=client_source(request),
        )
    return back(f"/reviews/{number}")


@router.get("/dashboard", response_class=HTMLResponse)
def dashboard_page(request: Request, user: ReadMetrics, as_of: date | None = None) -> HTMLResponse:
    board = metrics_service.dashboard(engine_of(request), user, as_of)
    return page(
        request, "dashboard.html", user, figures=board.metrics, svg=board.svg, banner=board.banner
    )


#: Both routers, for the app factory: `for r in (cases.router, cases.api): app.include_router(r)`.
ROUTERS = (router, api)
