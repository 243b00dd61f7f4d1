"""Reviews on the web: the regular meetings with the partner, their agendas (drawn from the
cases open on the meeting day), outcomes and minutes, as pages and as the JSON API under
/api/v1/reviews. Thin: `npdesk.services.reviews` applies the policy and does the work;
refusals are answered by the one mapping in `npdesk.web.deps`."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel

from npdesk.domain.cases import CaseOutcome, CaseStatus, Priority
from npdesk.domain.reviews import (
    AgendaItem,
    MinutesVariant,
    Participant,
    ReviewLevel,
    ReviewOutcome,
    ReviewSession,
)
from npdesk.security import policy
from npdesk.security.model import Party, User
from npdesk.services import review_minutes
from npdesk.services import reviews as review_service
from npdesk.settings import partner_country
from npdesk.web import deps
from npdesk.web.auth import client_source, require_action
from npdesk.web.deps import RecordNumber, back, engine_of
from npdesk.web.routes.cases import page
from npdesk.web.schemas import (
    AgendaEditIn,
    ConfirmIn,
    OutcomeIn,
    ParticipantModel,
    ReviewIn,
)

router, api = deps.feature_routers("reviews")

ListReviews = Annotated[User, Depends(require_action("reviews.list"))]
ReadReview = Annotated[User, Depends(require_action("reviews.read"))]
WriteReview = Annotated[User, Depends(require_action("reviews.write"))]
Detail = review_service.ReviewDetail


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


# --- conversions ---------------------------------------------------------------------------


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


# One call per operation, shared by the JSON handler and the form handler.


def schedule(request: Request, user: User, data: ReviewIn) -> Detail:
    return review_service.schedule_review(
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


def confirm(request: Request, user: User, number: int, data: ConfirmIn) -> Detail:
    return review_service.confirm_review(
        engine_of(request), user, number, data.confirmed_on, source=client_source(request)
    )


def cancel(request: Request, user: User, number: int) -> Detail:
    return review_service.cancel_review(
        engine_of(request), user, number, source=client_source(request)
    )


def build_agenda(request: Request, user: User, number: int) -> Detail:
    return review_service.build_agenda(
        engine_of(request), user, number, source=client_source(request)
    )


def edit_agenda(
    request: Request, user: User, number: int, reference: str, data: AgendaEditIn
) -> Detail:
    return review_service.edit_agenda_item(
        engine_of(request),
        user,
        number,
        reference,
        note=data.note,
        position=data.position,
        remove=data.remove,
        source=client_source(request),
    )


def record_outcome(request: Request, user: User, number: int, data: OutcomeIn) -> Detail:
    return review_service.record_outcome(
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


# --- API -----------------------------------------------------------------------------------


@api.get("/reviews", response_model=list[ReviewSessionOut])
def api_list_reviews(request: Request, user: ListReviews) -> list[ReviewSessionOut]:
    """Review sessions by meeting date."""
    return [session_out(s) for s in review_service.list_reviews(engine_of(request), user)]


@api.post("/reviews", response_model=ReviewDetailOut, status_code=201)
def api_schedule_review(request: Request, user: WriteReview, data: ReviewIn) -> ReviewDetailOut:
    """Propose a review (it awaits the partner's answer unless a confirmed date is given)."""
    return review_out(schedule(request, user, data), user)


@api.get("/reviews/{number}", response_model=ReviewDetailOut)
def api_get_review(request: Request, user: ReadReview, number: RecordNumber) -> ReviewDetailOut:
    """A session with its agenda and outcomes."""
    return review_out(review_service.get_review(engine_of(request), user, number), user)


@api.post("/reviews/{number}/confirm", response_model=ReviewDetailOut)
def api_confirm_review(
    request: Request, user: WriteReview, number: RecordNumber, data: ConfirmIn
) -> ReviewDetailOut:
    """Record the partner's agreement to meet on a date."""
    return review_out(confirm(request, user, number, data), user)


@api.post("/reviews/{number}/cancel", response_model=ReviewDetailOut)
def api_cancel_review(request: Request, user: WriteReview, number: RecordNumber) -> ReviewDetailOut:
    """Cancel a session that has not been held."""
    return review_out(cancel(request, user, number), user)


@api.post("/reviews/{number}/agenda", response_model=ReviewDetailOut)
def api_build_agenda(request: Request, user: WriteReview, number: RecordNumber) -> ReviewDetailOut:
    """(Re)generate the agenda from the cases open on the meeting day."""
    return review_out(build_agenda(request, user, number), user)


@api.patch("/reviews/{number}/agenda/{reference}", response_model=ReviewDetailOut)
def api_edit_agenda(
    request: Request, user: WriteReview, number: RecordNumber, reference: str, data: AgendaEditIn
) -> ReviewDetailOut:
    """Edit an agenda line: its note, its place, or remove it."""
    return review_out(edit_agenda(request, user, number, reference, data), user)


@api.post("/reviews/{number}/outcomes", response_model=ReviewDetailOut)
def api_record_outcome(
    request: Request, user: WriteReview, number: RecordNumber, data: OutcomeIn
) -> ReviewDetailOut:
    """Record what the meeting concluded on a case, optionally moving the case."""
    return review_out(record_outcome(request, user, number, data), user)


@api.get(
    "/reviews/{number}/minutes",
    response_class=Response,
    responses={200: {"content": {"text/html": {}, "application/pdf": {}}}},
)
def api_minutes(
    request: Request,
    user: ReadReview,
    number: RecordNumber,
    variant: MinutesVariant = MinutesVariant.RELEASABLE,
    fmt: Annotated[review_minutes.MinutesFormat, Query(alias="format")] = (
        review_minutes.MinutesFormat.HTML
    ),
) -> Response:
    """The minutes (releasable, or home-only for home users) as HTML or PDF."""
    data = review_minutes.render_minutes(engine_of(request), user, number, variant, fmt)
    if fmt is review_minutes.MinutesFormat.PDF:
        return deps.download(data, "application/pdf", f"review-{number}-{variant}.pdf")
    return Response(data, media_type="text/html; charset=utf-8")


# --- pages ---------------------------------------------------------------------------------


@router.get("/reviews", response_class=HTMLResponse)
def reviews_page(request: Request, user: ListReviews) -> HTMLResponse:
    sessions = review_service.list_reviews(engine_of(request), user)
    return page(request, "reviews.html", user, sessions=sessions, levels=list(ReviewLevel))


@router.post("/reviews")
def schedule_review_form(
    request: Request,
    user: WriteReview,
    proposed_on: Annotated[str, Form()],
    level: Annotated[str, Form()] = ReviewLevel.WORKING.value,
    venue: Annotated[str, Form()] = "",
    title: Annotated[str, Form()] = "",
    home_participants: Annotated[str, Form()] = "",
    partner_participants: Annotated[str, Form()] = "",
) -> RedirectResponse:
    # One name a line per side becomes the API's participant list; ReviewIn checks both alike.
    people = [
        {"name": name.strip(), "side": side}
        for side, names in ((Party.HOME, home_participants), (Party.PARTNER, partner_participants))
        for name in names.splitlines()
        if name.strip()
    ]
    data = ReviewIn.model_validate(
        {
            "level": level,
            "proposed_on": proposed_on,
            "venue": venue,
            "title": title,
            "participants": people,
        }
    )
    return back(f"/reviews/{schedule(request, user, data).session.number}")


@router.get("/reviews/{number}", response_class=HTMLResponse)
def review_page(request: Request, user: ReadReview, number: RecordNumber) -> HTMLResponse:
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
    request: Request, user: WriteReview, number: RecordNumber, data: Annotated[ConfirmIn, Form()]
) -> RedirectResponse:
    confirm(request, user, number, data)
    return back(f"/reviews/{number}")


@router.post("/reviews/{number}/cancel")
def cancel_review_form(
    request: Request, user: WriteReview, number: RecordNumber
) -> RedirectResponse:
    cancel(request, user, number)
    return back(f"/reviews/{number}")


@router.post("/reviews/{number}/agenda")
def build_agenda_form(
    request: Request, user: WriteReview, number: RecordNumber
) -> RedirectResponse:
    build_agenda(request, user, number)
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
    data = AgendaEditIn.model_validate({"note": note, "position": position, "remove": remove})
    edit_agenda(request, user, number, reference, data)
    return back(f"/reviews/{number}")


@router.post("/reviews/{number}/outcomes")
def outcome_form(
    request: Request, user: WriteReview, number: RecordNumber, data: Annotated[OutcomeIn, Form()]
) -> RedirectResponse:
    record_outcome(request, user, number, data)
    return back(f"/reviews/{number}")
