"""The reading room: cable pages, browsing by month, releasing a cable to the partner and
uploading cables, with their JSON API (search is `routes/search.py`). Thin: the services do
the work; refusals are answered by the one mapping in `npdesk.web.deps`."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, File, Request, UploadFile
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from npdesk.security.model import User
from npdesk.services import approvals
from npdesk.services import cables as cable_service
from npdesk.services.ingest import ingest_paths
from npdesk.services.release import ReleaseResult, release_cable
from npdesk.settings import two_person_release
from npdesk.web import deps
from npdesk.web.auth import client_source, require_action
from npdesk.web.deps import back, db_session, engine_of
from npdesk.web.graph import reference_svg
from npdesk.web.routes.releases import PendingReleaseOut
from npdesk.web.schemas import CableOut, ErrorOut, IngestOut, ReleaseIn, ReleaseOut

router, api = deps.feature_routers("cables")

SessionDep = Annotated[Session, Depends(db_session)]
ReadCable = Annotated[User, Depends(require_action("cables.read"))]
ListCables = Annotated[User, Depends(require_action("cables.list"))]
ReleaseCable = Annotated[User, Depends(require_action("cables.release"))]


def read(request: Request, user: User, cable_id: str) -> dict[str, Any]:
    """The cable as `user` may read it, the read audited (a refusal answers 404, as missing)."""
    return cable_service.read_cable(
        engine_of(request), user, cable_id, source=client_source(request)
    )


def release(
    request: Request, user: User, cable_id: str, paragraphs: list[int] | None
) -> approvals.ReleaseView | ReleaseResult:
    """Share a cable with the partner: proposed for a second person's approval when
    two-person release is on, else at once (shared by the JSON handler and the form)."""
    engine, source = engine_of(request), client_source(request)
    if two_person_release():
        return approvals.propose_release(
            engine, user, approvals.CABLE, cable_id, paragraphs, source=source
        )
    return release_cable(engine, user, cable_id, paragraphs, source=source)


# --- pages ----------------------------------------------------------------------------------


@router.get("/cables/{cable_id}", response_class=HTMLResponse)
def cable_page(
    request: Request, cable_id: str, session: SessionDep, user: ReadCable
) -> HTMLResponse:
    view = cable_service.read_cable(
        engine_of(request), user, cable_id, source=client_source(request)
    )
    graph = reference_svg(cable_service.reference_graph(session, view["id"], user))
    return deps.page(request, "cables/cable.html", user, cable=view, graph=graph)


@router.get("/browse", response_class=HTMLResponse)
def browse_page(request: Request, session: SessionDep, user: ListCables) -> HTMLResponse:
    years: dict[str, list[tuple[str, int]]] = {}
    for month, count in cable_service.months(session, user):
        years.setdefault(month[:4], []).append((month, count))
    return deps.page(request, "cables/browse.html", user, years=years)


@router.get("/browse/{month}", response_class=HTMLResponse)
def month_page(request: Request, month: str, session: SessionDep, user: ListCables) -> HTMLResponse:
    cables = cable_service.cables_in_month(session, month, user)
    return deps.page(request, "cables/month.html", user, month=month, cables=cables)


@router.post("/cables/{cable_id}/release")
async def release_form(request: Request, cable_id: str, user: ReleaseCable) -> RedirectResponse:
    form = await request.form()
    numbers = [int(v) for v in form.getlist("paragraph") if isinstance(v, str) and v.isdigit()]
    result = await run_in_threadpool(release, request, user, cable_id, numbers)
    if isinstance(result, approvals.ReleaseView):
        return back("/releases")
    return back(f"/cables/{result.cable_id}")


# --- JSON API -------------------------------------------------------------------------------


@api.get("/cables/{cable_id}", response_model=CableOut, responses={404: {"model": ErrorOut}})
def api_cable(request: Request, cable_id: str, user: ReadCable) -> dict[str, Any]:
    """One stored cable with its references (`resolved`) and `cited_by`."""
    return cable_service.read_cable(
        engine_of(request), user, cable_id, source=client_source(request)
    )


@api.post(
    "/cables/{cable_id}/release",
    response_model=ReleaseOut,
    responses={
        202: {"model": PendingReleaseOut, "description": "Proposed: a second officer approves"},
        403: {"model": ErrorOut},
        404: {"model": ErrorOut},
    },
)
def api_release(
    request: Request, cable_id: str, body: ReleaseIn, user: ReleaseCable
) -> dict[str, Any] | JSONResponse:
    """Share a cable with the partner government with the chosen paragraphs (all the policy
    allows when `paragraphs` is omitted). Every release decision is audited. With two-person
    release on (the default) this proposes the release and answers 202 with the proposal;
    another officer approves it at `POST /api/v1/releases/{id}/approve`."""
    result = release(request, user, cable_id, body.paragraphs)
    if isinstance(result, approvals.ReleaseView):
        return JSONResponse(result.as_dict(), status_code=202)
    return {"id": result.cable_id, "partner": result.partner, "paragraphs": list(result.paragraphs)}


@api.post("/ingest", response_model=IngestOut, responses={403: {"model": ErrorOut}})
def api_ingest(
    request: Request,
    user: Annotated[User, Depends(require_action("cables.ingest"))],
    files: Annotated[list[UploadFile], File(description="Cable files or .zip/.tar.gz archives")],
) -> dict[str, Any]:
    """Ingest uploaded cable files or archives (same rules as `npdesk ingest`)."""
    with tempfile.TemporaryDirectory(prefix="npdesk-upload-") as tmp:
        labels: dict[Path, str] = {}
        for i, upload in enumerate(files):
            name = Path(upload.filename or f"upload-{i}").name or f"upload-{i}"
            # Numbered so two uploads of the same name do not overwrite each other.
            target = Path(tmp) / f"{i:04d}-{name}"
            with target.open("wb") as handle:
                shutil.copyfileobj(upload.file, handle)
            labels[target] = name
        report = ingest_paths(
            engine_of(request),
            list(labels),
            actor=user,
            source=client_source(request),
            labels=labels,
        )
    problems = report.problems()
    return {**report.counts(), "problems": problems}
