"""Desk figures on the web: open cases over time, opened and closed per review cycle, ages
and partner response times, as the dashboard page and the JSON API under /api/v1/metrics,
over the cases the user may see (`npdesk.services.metrics`)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import Depends, Query, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel

from npdesk.security.model import User
from npdesk.services import metrics as metrics_service
from npdesk.web import deps
from npdesk.web.auth import require_action
from npdesk.web.deps import engine_of
from npdesk.web.routes.cases import page
from npdesk.web.schemas import Day

router, api = deps.feature_routers("metrics")

ReadMetrics = Annotated[User, Depends(require_action("metrics.read"))]
AsOf = Annotated[Day | None, Query(description="The day to count up to (default: today)")]


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


@api.get("/metrics", response_model=MetricsOut)
def api_metrics(
    request: Request,
    user: ReadMetrics,
    as_of: AsOf = None,
    due_days: Annotated[int, Query(ge=1, le=3650)] = 90,
) -> Response:
    """Open cases over time, opened and closed per review cycle, median age, response times,
    overdue responses — for the cases the user may see."""
    # The figures' JSON is made once per desk state (see `metrics_service.dashboard`).
    board = metrics_service.dashboard(engine_of(request), user, as_of, due_days)
    return Response(board.json, media_type="application/json")


@api.get(
    "/metrics/burndown.svg",
    response_class=Response,
    responses={200: {"content": {"image/svg+xml": {}}}},
)
def api_burndown(request: Request, user: ReadMetrics, as_of: AsOf = None) -> Response:
    """The burn-down chart as SVG (rendered on the server; no script)."""
    board = metrics_service.dashboard(engine_of(request), user, as_of)
    return Response(board.svg, media_type="image/svg+xml")


@router.get("/dashboard", response_class=HTMLResponse)
def dashboard_page(request: Request, user: ReadMetrics, as_of: AsOf = None) -> HTMLResponse:
    board = metrics_service.dashboard(engine_of(request), user, as_of)
    return page(
        request, "dashboard.html", user, figures=board.metrics, svg=board.svg, banner=board.banner
    )
