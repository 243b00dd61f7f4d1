"""Commitments on the web: what each side owes, with overdue highlighting, closing one, and
the JSON API under /api/v1/commitments (`npdesk.services.commitments` applies the policy).
The clock is `app.state.today` when set (tests control it), else `?today=`, else now."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from npdesk.security.model import User
from npdesk.services import commitments as commitment_service
from npdesk.services.banners import page_banner
from npdesk.web import deps
from npdesk.web.auth import require_action
from npdesk.web.deps import RecordNumber, back, engine_of, today_of
from npdesk.web.schemas import CloseIn, CommitmentIn, Day

router, api = deps.feature_routers("commitments")

ListCommitments = Annotated[User, Depends(require_action("desk.commitments.list"))]
CloseCommitment = Annotated[User, Depends(require_action("desk.commitments.close"))]
# Creating a desk record needs the WRITE rule on record kind "desk" (`desk.write`).
WriteDesk = Annotated[User, Depends(require_action("desk.write"))]
Today = Annotated[Day | None, Query(description="The desk's day (default: today)")]


@router.get("/commitments", response_class=HTMLResponse)
def commitments_page(request: Request, user: ListCommitments, today: Today = None) -> HTMLResponse:
    day = today_of(request, today)
    engine = engine_of(request)
    everything = commitment_service.list_commitments(engine, user, day)
    return deps.page(
        request,
        "desk/commitments.html",
        user,
        today=day,
        overdue=commitment_service.list_commitments(engine, user, day, only_overdue=True),
        we_owe=commitment_service.list_commitments(engine, user, day, side="home"),
        they_owe=commitment_service.list_commitments(engine, user, day, side="partner"),
        closed=[c for c in everything if c.status in ("done", "dropped")],
        banner=page_banner([c.marking for c in everything], user),
        fictional=any("FICTIONAL" in c.description for c in everything),
    )


@router.post("/commitments/{commitment_id}/close")
def close_commitment_form(
    request: Request,
    user: CloseCommitment,
    commitment_id: RecordNumber,
    data: Annotated[CloseIn, Form()],
) -> RedirectResponse:
    commitment_service.close_commitment(
        engine_of(request), user, commitment_id, data.status, data.note
    )
    return back("/commitments")


@api.get("/commitments")
def api_commitments(
    request: Request,
    user: ListCommitments,
    side: Annotated[Literal["home", "partner"] | None, Query()] = None,
    overdue: Annotated[bool, Query()] = False,
    today: Today = None,
) -> list[dict[str, Any]]:
    """Commitments with `overdue` derived from the clock; `side=home` is what we owe them,
    `side=partner` what they owe us; `overdue=true` the overdue list."""
    views = commitment_service.list_commitments(
        engine_of(request), user, today_of(request, today), side, overdue
    )
    return [v.to_dict() for v in views]


@api.post("/commitments/{commitment_id}/close")
def api_close_commitment(
    request: Request, user: CloseCommitment, commitment_id: RecordNumber, body: CloseIn
) -> dict[str, Any]:
    """Mark a commitment done or dropped with a note (a liaison: partner commitments shared
    with them, done only, note required)."""
    return commitment_service.close_commitment(
        engine_of(request), user, commitment_id, body.status, body.note
    ).to_dict()


@api.post("/commitments", status_code=201)
def api_create_commitment(request: Request, user: WriteDesk, body: CommitmentIn) -> dict[str, int]:
    """Add a commitment."""
    data = commitment_service.CommitmentInput(
        body.owner_side,
        body.description,
        body.owner,
        body.due,
        body.soft_due,
        body.made_on,
        body.made_in,
        body.made_in_ref,
        firm_key=body.firm,
        marking=body.marking(),
    )
    return {"id": commitment_service.create_commitment(engine_of(request), user, data)}
