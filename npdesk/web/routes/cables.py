"""The reading room: search, cable pages, browsing by month, and their JSON API."""

from __future__ import annotations

import shutil
import tempfile
from functools import partial
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, HTTPException, Request, UploadFile
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from npdesk.security.audit import Outcome
from npdesk.security.model import User
from npdesk.services import approvals, audit
from npdesk.services import cables as cable_service
from npdesk.services.ingest import ingest_paths
from npdesk.services.release import ReleaseRefused, release_cable
from npdesk.settings import two_person_release
from npdesk.store.db import transaction
from npdesk.web.auth import client_source, require_action
from npdesk.web.deps import db_session
from npdesk.web.graph import reference_svg
from npdesk.web.routes.releases import PendingReleaseOut
from npdesk.web.schemas import (
    CableOut,
    ErrorOut,
    IngestOut,
    ReleaseIn,
    ReleaseOut,
)
from npdesk.web.templating import templates

router = APIRouter()
api = APIRouter(prefix="/api/v1", tags=["cables"])

SessionDep = Annotated[Session, Depends(db_session)]


def _audit_read(request: Request, user: User, cable_id: str, *, found: bool) -> None:
    """Every read of a cable is audited; asking for one the user may not read (or that does
    not exist: the answer is the same) is audited as denied."""
    with transaction(request.app.state.engine) as session:
        audit.record(
            session,
            user,
            "cables.read",
            outcome=Outcome.ALLOWED if found else Outcome.DENIED,
            source=client_source(request),
            record_kind="cable",
            record_id=cable_service.normalize_id(cable_id)[:64],
        )


# --- pages ----------------------------------------------------------------------------------


@router.get("/cables/{cable_id}", response_class=HTMLResponse, include_in_schema=False)
def cable_page(
    request: Request,
    cable_id: str,
    session: SessionDep,
    user: Annotated[User, Depends(require_action("cables.read"))],
) -> Response:
    view = cable_service.cable_view(session, cable_id, user)
    _audit_read(request, user, cable_id, found=view is not None)
    if view is None:
        return templates.TemplateResponse(
            request,
            "error.html",
            {"user": user, "title": "Not found", "message": "No such cable."},
            status_code=404,
        )
    graph = reference_svg(cable_service.reference_graph(session, view["id"], user))
    return templates.TemplateResponse(
        request, "cables/cable.html", {"cable": view, "graph": graph, "user": user}
    )


@router.get("/browse", response_class=HTMLResponse, include_in_schema=False)
def browse_page(
    request: Request,
    session: SessionDep,
    user: Annotated[User, Depends(require_action("cables.list"))],
) -> Response:
    months = cable_service.months(session, user)
    years: dict[str, list[tuple[str, int]]] = {}
    for month, count in months:
        years.setdefault(month[:4], []).append((month, count))
    return templates.TemplateResponse(request, "cables/browse.html", {"years": years, "user": user})


@router.get("/browse/{month}", response_class=HTMLResponse, include_in_schema=False)
def month_page(
    request: Request,
    month: str,
    session: SessionDep,
    user: Annotated[User, Depends(require_action("cables.list"))],
) -> Response:
    cables = cable_service.cables_in_month(session, month, user)
    return templates.TemplateResponse(
        request, "cables/month.html", {"month": month, "cables": cables, "user": user}
    )


# --- JSON API -------------------------------------------------------------------------------


@api.get("/cables/{cable_id}", response_model=CableOut, responses={404: {"model": ErrorOut}})
def api_cable(
    request: Request,
    cable_id: str,
    session: SessionDep,
    user: Annotated[User, Depends(require_action("cables.read"))],
) -> dict[str, Any]:
    """One stored cable with its references (`resolved`) and `cited_by`."""
    view = cable_service.cable_view(session, cable_id, user)
    _audit_read(request, user, cable_id, found=view is not None)
    if view is None:
        raise HTTPException(status_code=404, detail="no such cable")
    return view


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
    request: Request,
    cable_id: str,
    body: ReleaseIn,
    user: Annotated[User, Depends(require_action("cables.release"))],
) -> dict[str, Any] | JSONResponse:
    """Share a cable with the partner government with the chosen paragraphs (all the policy
    allows when `paragraphs` is omitted). Every release decision is audited. With two-person
    release on (the default) this proposes the release and answers 202 with the proposal;
    another officer approves it at `POST /api/v1/releases/{id}/approve`."""
    if two_person_release():
        try:
            view = approvals.propose_release(
                request.app.state.engine,
                user,
                approvals.CABLE,
                cable_id,
                body.paragraphs,
                source=client_source(request),
            )
        except LookupError as exc:
            raise HTTPException(status_code=404, detail="no such cable or paragraph") from exc
        except (ReleaseRefused, approvals.ApprovalError) as exc:
            raise HTTPException(status_code=403, detail=exc.reason) from exc
        return JSONResponse(view.as_dict(), status_code=202)
    try:
        result = release_cable(
            request.app.state.engine, user, cable_id, body.paragraphs, source=client_source(request)
        )
    except LookupError as exc:
        raise HTTPException(status_code=404, detail="no such cable or paragraph") from exc
    except ReleaseRefused as exc:
        raise HTTPException(status_code=403, detail=exc.reason) from exc
    return {"id": result.cable_id, "partner": result.partner, "paragraphs": list(result.paragraphs)}


@router.post("/cables/{cable_id}/release", include_in_schema=False)
async def release_form(
    request: Request,
    cable_id: str,
    user: Annotated[User, Depends(require_action("cables.release"))],
) -> Response:
    form = await request.form()
    numbers = [int(v) for v in form.getlist("paragraph") if isinstance(v, str) and v.isdigit()]
    if two_person_release():
        try:
            await run_in_threadpool(
                partial(
                    approvals.propose_release,
                    request.app.state.engine,
                    user,
                    approvals.CABLE,
                    cable_id,
                    numbers,
                    source=client_source(request),
                )
            )
        except LookupError:
            return templates.TemplateResponse(
                request, "error.html", {"title": "Not found", "message": "No such cable."}, 404
            )
        except (ReleaseRefused, approvals.ApprovalError) as exc:
            return templates.TemplateResponse(
                request, "error.html", {"title": "Release refused", "message": exc.reason}, 403
            )
        return RedirectResponse("/releases", status_code=303)
    try:
        await run_in_threadpool(
            release_cable,
            request.app.state.engine,
            user,
            cable_id,
            numbers,
            source=client_source(request),
        )
    except LookupError:
        return templates.TemplateResponse(
            request, "error.html", {"title": "Not found", "message": "No such cable."}, 404
        )
    except ReleaseRefused as exc:
        return templates.TemplateResponse(
            request, "error.html", {"title": "Release refused", "message": exc.reason}, 403
        )
    return RedirectResponse(f"/cables/{cable_service.normalize_id(cable_id)}", status_code=303)


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
            request.app.state.engine,
            list(labels),
            actor=user,
            source=client_source(request),
            labels=labels,
        )
    problems = report.problems()
    return {**report.counts(), "problems": problems}
