"""Cases on the web: the list, a case's page and its forms, and the JSON API under
/api/v1/cases.

Thin: each route gates on a registered action, parses its input with the model in
`npdesk.web.schemas` (a form builds the same model as the JSON body), calls
`npdesk.services.cases` (which applies the access policy to every record: a liaison sees
only shared cases and only their releasable fields) and renders. Refusals are answered by
the one mapping in `npdesk.web.deps`: a case a user may not see is a 404, exactly like one
that does not exist.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from fastapi import Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import BaseModel, ConfigDict

from npdesk.domain.cases import (
    TRANSITIONS,
    CableLink,
    Case,
    CaseOutcome,
    CaseStatus,
    ControlRegime,
    Item,
    Priority,
    Subject,
)
from npdesk.security.model import Level, Marking, User
from npdesk.services import cases as case_service
from npdesk.services.case_subjects import screen_subjects
from npdesk.web import deps
from npdesk.web.auth import client_source, require_action
from npdesk.web.deps import back, engine_of
from npdesk.web.schemas import (
    CableLinkModel,
    CaseEditIn,
    CaseIn,
    ItemModel,
    ParagraphNumber,
    ResponseIn,
    SubjectModel,
    TransitionIn,
)

router, api = deps.feature_routers("cases")

PAGE_SIZE = 50

# Route-level gates from the action registry (default deny); the record-level checks are the
# service's, applied to every case it loads.
ListCases = Annotated[User, Depends(require_action("cases.list"))]
ReadCase = Annotated[User, Depends(require_action("cases.read"))]
WriteCase = Annotated[User, Depends(require_action("cases.write"))]
Respond = Annotated[User, Depends(require_action("partner.respond"))]
OptionalParagraph = Annotated[ParagraphNumber | None, Query()]


# --- answer shapes--------------------------------------------------------------------------


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
    return case_out(
        case_service.create_case(
            engine_of(request), user, case_input(data), source=client_source(request)
        )
    )


@api.get("/cases/{reference}", response_model=CaseOut, tags=["cases"])
def api_get_case(request: Request, user: ReadCase, reference: str) -> CaseOut:
    """One case with its history and partner responses."""
    return case_out(case_service.get_case(engine_of(request), user, reference))


# One call per operation, shared by the JSON handler and the form handler.


def edit_case(request: Request, user: User, reference: str, data: CaseEditIn) -> Case:
    return case_service.edit_case(
        engine_of(request),
        user,
        reference,
        title=data.title,
        allegation_summary=data.allegation_summary,
        releasable_summary=data.releasable_summary,
        priority=data.priority,
        source=client_source(request),
    )


def move_case(request: Request, user: User, reference: str, data: TransitionIn) -> Case:
    return case_service.transition_case(
        engine_of(request),
        user,
        reference,
        data.status,
        reason=data.reason,
        outcome=data.outcome,
        merged_into=data.merged_into,
        source=client_source(request),
    )


def link_cable(request: Request, user: User, reference: str, data: CableLinkModel) -> Case:
    return case_service.link_cable(
        engine_of(request),
        user,
        reference,
        data.cable_id,
        data.paragraph,
        source=client_source(request),
    )


def respond(request: Request, user: User, reference: str, data: ResponseIn) -> Case:
    return case_service.record_partner_response(
        engine_of(request),
        user,
        reference,
        data.text,
        data.received_on,
        source=client_source(request),
    )


def screen(request: Request, user: User, reference: str) -> Case:
    case, _notes = screen_subjects(
        engine_of(request), user, reference, source=client_source(request)
    )
    return case


@api.patch("/cases/{reference}", response_model=CaseOut, tags=["cases"])
def api_edit_case(request: Request, user: WriteCase, reference: str, data: CaseEditIn) -> CaseOut:
    """Change a case's title, summaries or priority."""
    return case_out(edit_case(request, user, reference, data))


@api.post("/cases/{reference}/transitions", response_model=CaseOut, tags=["cases"])
def api_transition(
    request: Request, user: WriteCase, reference: str, data: TransitionIn
) -> CaseOut:
    """Move a case to another status (409 with the legal next states when not allowed)."""
    return case_out(move_case(request, user, reference, data))


@api.post("/cases/{reference}/cable-links", response_model=CaseOut, tags=["cases"])
def api_link_cable(
    request: Request, user: WriteCase, reference: str, data: CableLinkModel
) -> CaseOut:
    """Link a stored cable, or one numbered paragraph of it, to a case."""
    return case_out(link_cable(request, user, reference, data))


@api.post("/cases/{reference}/responses", response_model=CaseOut, tags=["cases"])
def api_respond(request: Request, user: Respond, reference: str, data: ResponseIn) -> CaseOut:
    """Record the partner's response on a case shared with the partner."""
    return case_out(respond(request, user, reference, data))


@api.post("/cases/{reference}/screening", response_model=CaseOut, tags=["cases"])
def api_screen_subjects(request: Request, user: WriteCase, reference: str) -> CaseOut:
    """Screen the case's subjects against the newest sanctions lists; each subject's
    `screening_ref` then names its stored screening and best hit."""
    return case_out(screen(request, user, reference))


# --- pages ---------------------------------------------------------------------------------


def page(request: Request, name: str, user: User, **context: Any) -> HTMLResponse:
    """A page of the case desk (cases, handover lists, reviews, dashboard): its templates
    offer the write forms only to those who may write cases."""
    return deps.page(
        request,
        f"cases/{name}",
        user,
        may_write=case_service.may_write_cases(user),
        CaseStatus=CaseStatus,
        CaseOutcome=CaseOutcome,
        **context,
    )


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
    request: Request, user: WriteCase, cable: str = "", paragraph: OptionalParagraph = None
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
    priority: Annotated[str, Form()] = Priority.MEDIUM.value,
    subjects: Annotated[str, Form()] = "",
    item: Annotated[str, Form()] = "",
    regime: Annotated[str, Form()] = ControlRegime.OTHER.value,
    origin: Annotated[str, Form()] = "",
    destination: Annotated[str, Form()] = "",
    classification: Annotated[str, Form()] = "C",
    noforn: Annotated[bool, Form()] = False,
    cable: Annotated[str, Form()] = "",
    paragraph: Annotated[str, Form()] = "",
    open_now: Annotated[bool, Form()] = False,
) -> RedirectResponse:
    # The form's one-line fields become the API's lists; CaseIn then checks both alike.
    data = CaseIn.model_validate(
        {
            "title": title,
            "allegation_summary": allegation_summary,
            "releasable_summary": releasable_summary,
            "priority": priority,
            "subjects": [{"name": n.strip()} for n in subjects.splitlines() if n.strip()],
            "items": [{"description": item.strip(), "regime": regime}] if item.strip() else [],
            "origin_countries": origin.upper().split(),
            "destination_countries": destination.upper().split(),
            "cable_links": (
                [{"cable_id": cable.strip(), "paragraph": paragraph}] if cable.strip() else []
            ),
            "classification": classification,
            "noforn": noforn,
        }
    )
    engine = engine_of(request)
    case = case_service.create_case(engine, user, case_input(data), source=client_source(request))
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
    request: Request, user: WriteCase, cable: str, paragraph: OptionalParagraph = None
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
    link_cable(
        request,
        user,
        reference,
        CableLinkModel.model_validate({"cable_id": cable, "paragraph": paragraph}),
    )
    return back(f"/cases/{reference}")


@router.get("/cases/{reference}", response_class=HTMLResponse)
def case_page(request: Request, user: ReadCase, reference: str) -> HTMLResponse:
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
    data: Annotated[TransitionIn, Form()],
) -> RedirectResponse:
    move_case(request, user, reference, data)
    return back(f"/cases/{reference}")


@router.post("/cases/{reference}/edit")
def edit_form(
    request: Request,
    user: WriteCase,
    reference: str,
    data: Annotated[CaseEditIn, Form()],
) -> RedirectResponse:
    edit_case(request, user, reference, data)
    return back(f"/cases/{reference}")


@router.post("/cases/{reference}/screen")
def screen_form(request: Request, user: WriteCase, reference: str) -> RedirectResponse:
    screen(request, user, reference)
    return back(f"/cases/{reference}")


@router.post("/cases/{reference}/respond")
def respond_form(
    request: Request,
    user: Respond,
    reference: str,
    data: Annotated[ResponseIn, Form()],
) -> RedirectResponse:
    respond(request, user, reference, data)
    return back(f"/cases/{reference}")
