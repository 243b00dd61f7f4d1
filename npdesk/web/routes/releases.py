"""Two-person release on the web: the list of releases waiting for a second person (page and
API), and approving or rejecting one. Proposals are made where the one-step release was
(`POST /cables/{id}/release` and its API), which propose when
`NPDESK_TWO_PERSON_RELEASE` is on. Thin: `npdesk.services.approvals` does the work; refusals
are answered by the one mapping in `npdesk.web.deps`."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import BaseModel

from npdesk.security.model import User
from npdesk.services import approvals
from npdesk.settings import two_person_release
from npdesk.web import deps
from npdesk.web.auth import client_source, require_action
from npdesk.web.deps import RecordNumber, back, engine_of
from npdesk.web.schemas import ErrorOut, RejectIn

router, api = deps.feature_routers("releases")

StateParam = Annotated[Literal["proposed", "approved", "rejected", "all"], Query()]
ListReleases = Annotated[User, Depends(require_action("releases.list"))]
Approve = Annotated[User, Depends(require_action("releases.approve"))]
Reject = Annotated[User, Depends(require_action("releases.reject"))]
REFUSED: dict[int | str, dict[str, Any]] = {code: {"model": ErrorOut} for code in (403, 404, 409)}


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


# One call per operation, shared by the JSON handler and the form handler.


def approve(request: Request, user: User, release_id: int) -> approvals.ReleaseView:
    return approvals.approve_release(
        engine_of(request), user, release_id, source=client_source(request)
    )


def reject(request: Request, user: User, release_id: int, reason: str) -> approvals.ReleaseView:
    return approvals.reject_release(
        engine_of(request), user, release_id, reason, source=client_source(request)
    )


# --- API -------------------------------------------------------------------------------------


@api.get("/releases", response_model=list[PendingReleaseOut], responses={403: {"model": ErrorOut}})
def api_list(
    request: Request, user: ListReleases, state: StateParam = "proposed"
) -> list[dict[str, Any]]:
    """Releases in `state` (default: waiting for approval), newest first, with who proposed."""
    views = approvals.list_releases(engine_of(request), user, None if state == "all" else state)
    return [v.as_dict() for v in views]


@api.post("/releases/{release_id}/approve", response_model=PendingReleaseOut, responses=REFUSED)
def api_approve(request: Request, release_id: RecordNumber, user: Approve) -> dict[str, Any]:
    """Approve another user's proposed release; the partner sees it from now on."""
    return approve(request, user, release_id).as_dict()


@api.post("/releases/{release_id}/reject", response_model=PendingReleaseOut, responses=REFUSED)
def api_reject(
    request: Request, release_id: RecordNumber, body: RejectIn, user: Reject
) -> dict[str, Any]:
    """Reject a proposed release (or withdraw your own), saying why."""
    return reject(request, user, release_id, body.reason).as_dict()


@api.post(
    "/cases/{reference}/release",
    response_model=PendingReleaseOut,
    status_code=202,
    responses=REFUSED,
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
    engine, source = engine_of(request), client_source(request)
    view = approvals.propose_release(engine, user, kind, record_id, source=source)
    if not two_person_release():
        view = approve(request, user, view.id)
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


@router.get("/releases", response_class=HTMLResponse)
def releases_page(request: Request, user: ListReleases) -> HTMLResponse:
    engine = engine_of(request)
    waiting = approvals.list_releases(engine, user, approvals.PROPOSED)
    decided = [v for v in approvals.list_releases(engine, user, None) if v.state != "proposed"]
    return deps.page(
        request,
        "releases/list.html",
        user,
        waiting=waiting,
        decided=decided[:50],
        message=request.query_params.get("m"),
    )


@router.post("/releases/{release_id}/approve")
def approve_form(request: Request, release_id: RecordNumber, user: Approve) -> RedirectResponse:
    approve(request, user, release_id)
    return back("/releases")


@router.post("/releases/{release_id}/reject")
def reject_form(
    request: Request,
    release_id: RecordNumber,
    user: Reject,
    reason: Annotated[str, Form(max_length=2000)] = "",
) -> RedirectResponse:
    reject(request, user, release_id, reason)
    return back("/releases")
