"""Firms on the web: the registry, a firm's profile (dialogues with partner notices, ICP
score chart, commitments, screening status), and adding firms, dialogues, notices and ICP
assessments, as pages and as the JSON API. Thin: `npdesk.services.firms` applies the policy;
refusals are answered by the one mapping in `npdesk.web.deps`. The clock is
`app.state.today` when set (tests control it), else `?today=`, else the real date."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import Depends, Query, Request
from fastapi.responses import HTMLResponse
from markupsafe import Markup, escape

from npdesk.domain.icp import frameworks
from npdesk.security.model import User
from npdesk.services import firms as firm_service
from npdesk.services.banners import page_banner
from npdesk.services.firms import ScoreView
from npdesk.web import deps
from npdesk.web.auth import require_action
from npdesk.web.deps import engine_of, today_of
from npdesk.web.schemas import AssessmentIn, Day, DialogueIn, FirmIn, NoticeIn

router, api = deps.feature_routers("firms")

ListFirms = Annotated[User, Depends(require_action("desk.firms.list"))]
ReadFirm = Annotated[User, Depends(require_action("desk.firms.read"))]
# Creating a desk record needs the WRITE rule on record kind "desk" (`desk.write`).
WriteDesk = Annotated[User, Depends(require_action("desk.write"))]
Today = Annotated[Day | None, Query(description="The desk's day (default: today)")]


# --- the ICP chart -------------------------------------------------------------------------

_COLOURS = ("#0b5cad", "#c8102e", "#007a33", "#7a4b00", "#5b2a86")


def score_chart(points: list[ScoreView], width: int = 560, height: int = 220) -> Markup:
    """An inline SVG line chart of ICP scores across time: one line per framework (normalized
    0-100) and a dashed line of the cross-framework comparable score. Server-side, no script."""
    dated = [p for p in points if p.normalized is not None]
    if not dated:
        return Markup('<p class="muted" data-testid="icp-chart-empty">No ICP assessments.</p>')
    left, right, top, bottom = 40, 10, 10, 30
    days = [p.assessed_on.toordinal() for p in dated]
    first, last = min(days), max(days)
    span = max(last - first, 1)

    def x(day: dt.date) -> float:
        if first == last:
            return left + (width - left - right) / 2
        return left + (day.toordinal() - first) / span * (width - left - right)

    def y(value: float) -> float:
        return top + (100 - value) / 100 * (height - top - bottom)

    parts = [
        f'<svg class="icp-chart" data-testid="icp-chart" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-label="ICP scores over time">'
    ]
    for tick in (0, 25, 50, 75, 100):
        parts.append(
            f'<line x1="{left}" x2="{width - right}" y1="{y(tick):.1f}" y2="{y(tick):.1f}" '
            f'stroke="#e3e8ee"/><text x="{left - 6}" y="{y(tick) + 4:.1f}" font-size="10" '
            f'text-anchor="end">{tick}</text>'
        )
    series: dict[str, list[ScoreView]] = {}
    for point in dated:
        series.setdefault(point.framework_id, []).append(point)
    for index, (framework_id, items) in enumerate(sorted(series.items())):
        colour = _COLOURS[index % len(_COLOURS)]
        coords = " ".join(f"{x(p.assessed_on):.1f},{y(p.normalized or 0):.1f}" for p in items)
        parts.append(
            f'<polyline fill="none" stroke="{colour}" stroke-width="2" points="{coords}"/>'
        )
        for p in items:
            label = escape(f"{framework_id} {p.assessed_on.isoformat()}: {p.normalized}")
            parts.append(
                f'<circle class="icp-point" cx="{x(p.assessed_on):.1f}" '
                f'cy="{y(p.normalized or 0):.1f}" r="4" fill="{colour}"><title>{label}</title>'
                "</circle>"
            )
        parts.append(
            f'<text x="{left + 4 + index * 140}" y="{height - 8}" font-size="11" '
            f'fill="{colour}">{escape(framework_id)}</text>'
        )
    comparable = [p for p in dated if p.comparable is not None]
    if len(comparable) > 1:
        coords = " ".join(f"{x(p.assessed_on):.1f},{y(p.comparable or 0):.1f}" for p in comparable)
        parts.append(
            f'<polyline fill="none" stroke="#555" stroke-dasharray="4 3" points="{coords}"/>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))


# --- pages ---------------------------------------------------------------------------------


@router.get("/firms", response_class=HTMLResponse)
def firms_page(request: Request, user: ListFirms) -> HTMLResponse:
    firms = firm_service.list_firms(engine_of(request), user)
    return deps.page(
        request,
        "desk/firms.html",
        user,
        firms=firms,
        banner=page_banner([f.marking for f in firms], user),
        fictional=any(f.fictional for f in firms),
    )


@router.get("/firms/{key}", response_class=HTMLResponse)
def firm_page(request: Request, user: ReadFirm, key: str, today: Today = None) -> HTMLResponse:
    day = today_of(request, today)
    profile = firm_service.get_firm(engine_of(request), user, key, day)
    return deps.page(
        request,
        "desk/firm.html",
        user,
        profile=profile,
        banner=profile.banner,
        today=day,
        chart=score_chart(profile.assessments),
        frameworks=frameworks(),
        fictional=profile.firm.fictional,
    )


# --- JSON API ------------------------------------------------------------------------------


@api.get("/firms")
def api_firms(request: Request, user: ListFirms) -> list[dict[str, Any]]:
    """Firms the user may see."""
    return [f.to_dict() for f in firm_service.list_firms(engine_of(request), user)]


@api.get("/firms/{key}")
def api_firm(request: Request, user: ReadFirm, key: str, today: Today = None) -> dict[str, Any]:
    """A firm's profile: dialogues with partner notices, ICP score history, commitments,
    screening status."""
    return firm_service.get_firm(engine_of(request), user, key, today_of(request, today)).to_dict()


@api.post("/firms", status_code=201)
def api_create_firm(request: Request, user: WriteDesk, body: FirmIn) -> dict[str, str]:
    """Add a firm to the registry."""
    data = firm_service.FirmInput(
        name=body.name,
        aliases=tuple(body.aliases),
        key=body.key,
        country=body.country,
        sector=body.sector,
        parent_key=body.parent,
        marking=body.marking(),
    )
    return {"key": firm_service.create_firm(engine_of(request), user, data)}


@api.post("/firms/{key}/dialogues", status_code=201)
def api_add_dialogue(
    request: Request, user: WriteDesk, key: str, body: DialogueIn
) -> dict[str, int]:
    """Record a meeting or visit with a firm."""
    data = firm_service.DialogueInput(
        body.kind,
        body.date,
        tuple(body.home_participants),
        tuple(body.partner_participants),
        body.venue,
        body.summary,
        tuple(body.follow_ups),
        body.source_cable,
        body.marking(),
    )
    return {"id": firm_service.add_dialogue(engine_of(request), user, key, data)}


@api.post("/partner-notices", status_code=201)
def api_partner_notice(request: Request, user: WriteDesk, body: NoticeIn) -> dict[str, int]:
    """Record when and how the partner was told about a dialogue."""
    notice_id = firm_service.record_partner_notice(
        engine_of(request),
        user,
        body.dialogue_id,
        body.informed_on,
        body.channel,
        body.informed_by,
        body.note,
    )
    return {"id": notice_id}


@api.post("/firms/{key}/assessments", status_code=201)
def api_add_assessment(
    request: Request, user: WriteDesk, key: str, body: AssessmentIn
) -> dict[str, int]:
    """Score a firm's ICP against a framework, element by element."""
    scores = {e: (v, body.evidence.get(e, "")) for e, v in body.scores.items()}
    return {
        "id": firm_service.add_assessment(
            engine_of(request),
            user,
            key,
            body.framework,
            body.assessed_on,
            scores,
            body.assessor,
            marking=body.marking(),
        )
    }
