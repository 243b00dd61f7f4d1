"""Two-person release on the web: the list of releases waiting for a second person (page and
API), and approving or rejecting one. Proposals are made where the one-step release was
(`POST /cables/{id}/release` and its API), which propose when
`NPDESK_TWO_PERSON_RELEASE` is on. Thin: `npdesk.services.approvals` does the work."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from npdesk.security.model import User
from npdesk.services import approvals
from npdesk.services.errors import NotPermitted
from npdesk.services.release import ReleaseRefused
from npdesk.services.screening import ScreeningError
from npdesk.settings import two_person_release
from npdesk.web.auth import client_source, require_action
from npdesk.web.schemas import ErrorOut
from npdesk.web.templating import templates

router = APIRouter()
api = APIRouter(prefix="/api/v1", tags=["releases"])

StateParam = Annotated[Literal["proposed", "approved", "rejected", "all"], Query()]


class PendingReleaseOut(BaseModel):
    """A release proposed by one home user, waiting for (or decided by) another."""

    id: int
    record_kind: str
    record_id: str
    paragraphs: list[int] | None
    partner: str
    state: Literal["proposed", "approved", "rejected"]
    proposed_by: str
    proposed_at: str
    decided_by: str | None
    decided_at: str | None
    reason: str | None
    detail: dict[str, Any]


class RejectIn(BaseModel):
    reason: str = Field(min_length=1, max_length=2000, description="Why (the proposer sees it)")


def status_of(exc: Exception) -> tuple[int, str]:
    """The HTTP status and message for a refusal of the release services."""
    if isinstance(exc, approvals.AlreadyDecided):
        return 409, exc.reason
    if isinstance(exc, approvals.ApprovalError | ReleaseRefused):
        return 403, exc.reason
    if isinstance(exc, NotPermitted):
        return 403, str(exc)
    if isinstance(exc, LookupError | ScreeningError):
        return 404, str(exc) or "not found"
    if isinstance(exc, ValueError):
        return 422, str(exc)
    raise exc


REFUSALS = (
    approvals.ApprovalError,
    ReleaseRefused,
    NotPermitted,
    LookupError,
    ScreeningError,
    ValueError,
)


# --- API -------------------------------------------------------------------------------------


@api.get("/releases", response_model=list[PendingReleaseOut], responses={403: {"model": ErrorOut}})
def api_list(
    request: Request,
    user: Annotated[User, Depends(require_action("releases.list"))],
    state: StateParam = "proposed",
) -> list[dict[str, Any]]:
    """Releases in `state` (default: waiting for approval), newest first, with who proposed."""
    views = approvals.list_releases(
        request.app.state.engine, user, None if state == "all" else state
    )
    return [v.as_dict() for v in views]


@api.post(
    "/releases/{release_id}/approve",
    response_model=PendingReleaseOut,
    responses={403: {"model": ErrorOut}, 404: {"model": ErrorOut}, 409: {"model": ErrorOut}},
)
def api_approve(
    request: Request,
    release_id: int,
    user: Annotated[User, Depends(require_action("releases.approve"))],
) -> dict[str, Any]:
    """Approve another user's proposed release; the partner sees it from now on."""
    try:
        view = approvals.approve_release(
            request.app.state.engine, user, release_id, source=client_source(request)
        )
    except REFUSALS as exc:
        code, message = status_of(exc)
        raise HTTPException(status_code=code, detail=message) from exc
    return view.as_dict()


@api.post(
    "/releases/{release_id}/reject",
    response_model=PendingReleaseOut,
    responses={403: {"model": ErrorOut}, 404: {"model": ErrorOut}, 409: {"model": ErrorOut}},
)
def api_reject(
    request: Request,
    release_id: int,
    body: RejectIn,
    user: Annotated[User, Depends(require_action("releases.reject"))],
) -> dict[str, Any]:
    """Reject a proposed release (or withdraw your own), saying why."""
    try:
        view = approvals.reject_release(
            request.app.state.engine, user, release_id, body.reason, source=client_source(request)
        )
    except REFUSALS as exc:
        code, message = status_of(exc)
        raise HTTPException(status_code=code, detail=message) from exc
    return view.as_dict()


@api.post(
    "/cases/{reference}/release",
    response_model=PendingReleaseOut,
    status_code=202,
    responses={403: {"model": ErrorOut}, 404: {"model": ErrorOut}},
)
def api_release_case(
    request: Request,
    reference: str,
    user: Annotated[User, Depends(require_action("cases.release"))],
) -> dict[str, Any]:
    """Propose releasing a case to the partner; a second officer approves it at
    `POST /api/v1/releases/{id}/approve` (with two-person release off, it is released at once
    and the answer says `approved`)."""
    return _propose_at_once_when_off(request, user, approvals.CASE, reference)


def _propose_at_once_when_off(
    request: Request, user: User, kind: str, record_id: str
) -> dict[str, Any]:
    """Propose a release; on a one-person desk, approve it at once."""
    engine, source = request.app.state.engine, client_source(request)
    try:
        view = approvals.propose_release(engine, user, kind, record_id, source=source)
        if not two_person_release():
            view = approvals.approve_release(engine, user, view.id, source=source)
    except REFUSALS as exc:
        code, message = status_of(exc)
        raise HTTPException(status_code=code, detail=message) from exc
    return view.as_dict()


@api.post(
    "/reviews/{number}/minutes/release",
    response_model=PendingReleaseOut,
    status_code=202,
    responses={403: {"model": ErrorOut}, 404: {"model": ErrorOut}},
)
def api_release_minutes(
    request: Request,
    number: int,
    user: Annotated[User, Depends(require_action("releases.propose"))],
) -> dict[str, Any]:
    """Propose releasing a review's releasable minutes, as they are now, to the partner; a
    second officer approves it at `POST /api/v1/releases/{id}/approve` (with two-person release
    off, the partner reads the minutes at once and the answer says `approved`)."""
    return _propose_at_once_when_off(request, user, approvals.MINUTES, str(number))


# --- pages -----------------------------------------------------------------------------------


@router.get("/releases", include_in_schema=False)
def releases_page(
    request: Request,
    user: Annotated[User, Depends(require_action("releases.list"))],
) -> Response:
    engine = request.app.state.engine
    waiting = approvals.list_releases(engine, user, approvals.PROPOSED)
    decided = [v for v in approvals.list_releases(engine, user, None) if v.state != "proposed"]
    return templates.TemplateResponse(
        request,
        "releases/list.html",
        {"waiting": waiting, "decided": decided[:50], "message": request.query_params.get("m")},
    )


async def _decide_form(request: Request, user: User, release_id: int, approve: bool) -> Response:
    form = await request.form()
    engine = request.app.state.engine
    source = client_source(request)
    try:
        if approve:
            await run_in_threadpool(
                approvals.approve_release, engine, user, release_id, source=source
            )
        else:
            reason = form.get("reason")
            await run_in_threadpool(
                approvals.reject_release,
                engine,
                user,
                release_id,
                reason if isinstance(reason, str) else "",
                source=source,
            )
    except REFUSALS as exc:
        code, message = status_of(exc)
        return templates.TemplateResponse(
            request, "error.html", {"title": "Release refused", "message": message}, code
        )
    return RedirectResponse("/releases", status_code=303)


@router.post("/releases/{release_id}/approve", include_in_schema=False)
async def approve_form(
    request: Request,
    release_id: int,
    user: Annotated[User, Depends(require_action("releases.approve"))],
) -> Response:
    return await _decide_form(request, user, release_id, approve=True)


@router.post("/releases/{release_id}/reject", include_in_schema=False)
async def reject_form(
    request: Request,
    release_id: int,
    user: Annotated[User, Depends(require_action("releases.reject"))],
) -> Response:
    return await _decide_form(request, user, release_id, approve=False)
