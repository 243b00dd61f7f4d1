"""The desk on the web: firms (profile with dialogues, ICP score chart, screening status),
cooperation events, commitments with overdue highlighting, and the proposals panel of a cable
page — as pages and as the JSON API under /api/v1.

Routes are thin: they gate on an action, call the feature services (`npdesk.services.firms`,
`.events`, `.commitments`, `.proposals`, which apply the access policy to every record) and map
refusals to HTTP answers. The clock is
`app.state.today` when set (tests control it), else `?today=`, else the real date.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Form, HTTPException, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from markupsafe import Markup, escape
from pydantic import BaseModel, Field
from sqlalchemy.engine import Engine

from npdesk.domain.icp import frameworks
from npdesk.security.actions import REGISTRY
from npdesk.security.model import NOFORN, Level, Marking, Party, User
from npdesk.services import commitments as commitment_service
from npdesk.services import errors
from npdesk.services import events as event_service
from npdesk.services import firms as firm_service
from npdesk.services import proposals as proposal_service
from npdesk.services.firms import ScoreView
from npdesk.settings import partner_country
from npdesk.store.visibility import page_banner
from npdesk.web.auth import current_user, require_action
from npdesk.web.templating import templates

# Ids in paths are bounded so a huge value is a 422, never a database error.
RecordId = Annotated[int, Path(ge=1, le=2_147_483_647)]

router = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/api/v1", tags=["desk"])

NAV_ITEMS = (
    {"href": "/firms", "label": "Firms"},
    {"href": "/events", "label": "Events"},
    {"href": "/commitments", "label": "Commitments"},
)

#: Actions this module needs registered in `npdesk.security.actions` (name, rule, kind).
NEEDED_ACTIONS: tuple[tuple[str, str, str | None], ...] = (
    ("desk.firms.list", "authenticated", None),
    ("desk.firms.read", "read", None),
    ("desk.events.list", "authenticated", None),
    ("desk.commitments.list", "authenticated", None),
    ("desk.commitments.close", "authenticated", None),
    ("desk.proposals.list", "read", None),
    ("desk.proposals.decide", "write", "desk"),
    ("desk.write", "write", "desk"),
)


def gate(name: str) -> Callable[..., Any]:
    """`require_action(name)` once `name` is registered; until then the route signs the user
    in and relies on the services' record checks, and the app's start-up check refuses to
    serve an unregistered action (fails closed)."""
    if name in REGISTRY:
        return require_action(name)

    async def signed_in(request: Request) -> User:
        return await current_user(request)

    signed_in.npdesk_action = name  # type: ignore[attr-defined]
    return signed_in


ListFirms = Annotated[User, Depends(gate("desk.firms.list"))]
ReadFirm = Annotated[User, Depends(gate("desk.firms.read"))]
ListEvents = Annotated[User, Depends(gate("desk.events.list"))]
ListCommitments = Annotated[User, Depends(gate("desk.commitments.list"))]
CloseCommitment = Annotated[User, Depends(gate("desk.commitments.close"))]
ListProposals = Annotated[User, Depends(gate("desk.proposals.list"))]
DecideProposal = Annotated[User, Depends(gate("desk.proposals.decide"))]
# Creating desk records needs the same WRITE rule on record kind "desk" as deciding on a
# proposal; until "desk.write" is registered the routes declare the registered action so the
# authorization matrix stays closed, and they switch by themselves once it is.
WRITE_ACTION = "desk.write" if "desk.write" in REGISTRY else "desk.proposals.decide"
WriteDesk = Annotated[User, Depends(gate(WRITE_ACTION))]


def engine_of(request: Request) -> Engine:
    engine: Engine = request.app.state.engine
    return engine


def today_of(request: Request, override: str | None = None) -> dt.date:
    """The desk's clock: `app.state.today()` when tests set it, else `?today=`, else now."""
    clock = getattr(request.app.state, "today", None)
    if callable(clock):
        value = clock()
        if isinstance(value, dt.date):
            return value
    if override:
        try:
            return dt.date.fromisoformat(override)
        except ValueError:
            raise HTTPException(status_code=422, detail="today must be YYYY-MM-DD") from None
    return dt.date.today()


@contextmanager
def answers() -> Iterator[None]:
    """Map the services' refusals to HTTP answers (404, 403, 422)."""
    try:
        yield
    except errors.NotFound as error:
        raise HTTPException(status_code=404, detail=str(error)) from error
    except errors.NotPermitted as error:
        raise HTTPException(status_code=403, detail=str(error)) from error
    except errors.Invalid as error:
        raise HTTPException(status_code=422, detail=str(error)) from error


def page(request: Request, name: str, user: User, **context: Any) -> HTMLResponse:
    return templates.TemplateResponse(
        request,
        f"desk/{name}",
        {"user": user, "home": user.party is Party.HOME, "nav_items": NAV_ITEMS, **context},
    )


def back(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


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
    return page(
        request,
        "firms.html",
        user,
        firms=firms,
        banner=page_banner([f.marking for f in firms], user),
        fictional=any(f.fictional for f in firms),
    )


@router.get("/firms/{key}", response_class=HTMLResponse)
def firm_page(
    request: Request, user: ReadFirm, key: str, today: Annotated[str | None, Query()] = None
) -> HTMLResponse:
    day = today_of(request, today)
    with answers():
        profile = firm_service.get_firm(engine_of(request), user, key, day)
    return page(
        request,
        "firm.html",
        user,
        profile=profile,
        banner=profile.banner,
        today=day,
        chart=score_chart(profile.assessments),
        frameworks=frameworks(),
        fictional=profile.firm.fictional,
    )


def events_banner(events: list[dict[str, Any]], letters: list[dict[str, Any]], user: User) -> str:
    """The banner of the events page and answer: the strictest event or letter shown."""
    return page_banner([item["marking"] for item in (*events, *letters)], user)


@router.get("/events", response_class=HTMLResponse)
def events_page(request: Request, user: ListEvents) -> HTMLResponse:
    events = event_service.list_events(engine_of(request), user)
    letters = event_service.list_letters(engine_of(request), user)
    return page(
        request,
        "events.html",
        user,
        events=events,
        letters=letters,
        banner=events_banner(events, letters, user),
        fictional=any(e["fictional"] for e in events),
    )


@router.get("/commitments", response_class=HTMLResponse)
def commitments_page(
    request: Request, user: ListCommitments, today: Annotated[str | None, Query()] = None
) -> HTMLResponse:
    day = today_of(request, today)
    engine = engine_of(request)
    everything = commitment_service.list_commitments(engine, user, day)
    return page(
        request,
        "commitments.html",
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
    commitment_id: RecordId,
    status: Annotated[Literal["done", "dropped"], Form()] = "done",
    note: Annotated[str, Form()] = "",
) -> RedirectResponse:
    with answers():
        commitment_service.close_commitment(engine_of(request), user, commitment_id, status, note)
    return back("/commitments")


@router.get("/cables/{cable_id}/proposals", response_class=HTMLResponse)
def proposals_panel(request: Request, user: ListProposals, cable_id: str) -> HTMLResponse:
    """The proposals panel fragment for a cable page (htmx: `hx-get` this URL): what has been
    read from the cable, never read on the view; 404 as for a missing cable when the user may
    not read it."""
    with answers():
        found = proposal_service.proposals_for(engine_of(request), user, cable_id)
    # htmx asks for the fragment (the cable page embeds it); a plain visit gets a whole page.
    name = (
        "desk/_proposals.html" if request.headers.get("hx-request") else "desk/proposals_page.html"
    )
    return templates.TemplateResponse(
        request,
        name,
        {
            "user": user,
            "cable_id": cable_id,
            "proposals": found.proposals,
            "pending": not found.read,
            "may_decide": user.party is Party.HOME,
        },
    )


@router.post("/proposals/{proposal_id}/decide")
def decide_form(
    request: Request,
    user: DecideProposal,
    proposal_id: RecordId,
    decision: Annotated[Literal["accept", "edit", "reject"], Form()],
    cable_id: Annotated[str, Form()] = "",
    date: Annotated[str, Form()] = "",
    text: Annotated[str, Form()] = "",
    shared: Annotated[bool, Form()] = False,
    note: Annotated[str, Form()] = "",
) -> Response:
    values: dict[str, Any] = {}
    if decision == "edit":
        if date:
            values["date"] = date
        if text:
            values["title"] = text
    if shared:
        values["shared_with_partner"] = True
    with answers():
        view = proposal_service.decide(
            engine_of(request), user, proposal_id, decision, values, note
        )
    if request.headers.get("hx-request"):
        return proposals_panel(request, user, view.cable_id)
    return back(f"/cables/{cable_id or view.cable_id}/proposals")


# --- JSON API ------------------------------------------------------------------------------


class CloseIn(BaseModel):
    status: Literal["done", "dropped"] = "done"
    note: str = Field(default="", max_length=4000)


class MarkingIn(BaseModel):
    """The marking of a new record: level letter, NOFORN, shared with the partner."""

    classification: Literal["U", "C", "S", "TS"] = "U"
    noforn: bool = False
    shared_with_partner: bool = False

    def marking(self) -> Marking:
        return Marking(
            Level[self.classification],
            frozenset({NOFORN}) if self.noforn else frozenset(),
            frozenset({partner_country()}) if self.shared_with_partner else frozenset(),
            self.shared_with_partner,
        )


class FirmIn(MarkingIn):
    name: str = Field(min_length=1, max_length=300)
    aliases: list[str] = Field(default_factory=list, max_length=50)
    key: str | None = Field(default=None, max_length=80)
    country: str | None = Field(default=None, max_length=3)
    sector: str | None = Field(default=None, max_length=200)
    parent: str | None = Field(default=None, max_length=80)


class DialogueIn(MarkingIn):
    kind: Literal["meeting", "visit"]
    date: dt.date | None = None
    home_participants: list[str] = Field(default_factory=list)
    partner_participants: list[str] = Field(default_factory=list)
    venue: str | None = None
    summary: str = ""
    follow_ups: list[str] = Field(default_factory=list)
    source_cable: str | None = None


class NoticeIn(BaseModel):
    dialogue_id: int
    informed_on: dt.date
    channel: str = Field(min_length=1, max_length=500)
    informed_by: str = ""
    note: str = ""


class AssessmentIn(MarkingIn):
    framework: str
    assessed_on: dt.date
    scores: dict[str, int]
    evidence: dict[str, str] = Field(default_factory=dict)
    assessor: str = ""


class EventIn(MarkingIn):
    title: str = Field(min_length=1, max_length=500)
    kind: Literal["workshop", "training", "dialogue", "exchange", "meeting", "other"]
    start: dt.date | None = None
    end: dt.date | None = None
    place: str | None = None
    agencies: list[str] = Field(default_factory=list)
    firms: list[str] = Field(default_factory=list)
    outcome: str = ""


class CommitmentIn(MarkingIn):
    owner_side: Literal["home", "partner"]
    description: str = Field(min_length=1, max_length=2000)
    owner: str = ""
    due: dt.date | None = None
    soft_due: str | None = None
    made_on: dt.date | None = None
    made_in: Literal["review", "meeting", "cable"] = "cable"
    made_in_ref: str | None = None
    firm: str | None = None


class DecisionIn(BaseModel):
    decision: Literal["accept", "edit", "reject"]
    values: dict[str, Any] = Field(default_factory=dict)
    note: str = Field(default="", max_length=4000)


@api.get("/firms")
def api_firms(request: Request, user: ListFirms) -> list[dict[str, Any]]:
    """Firms the user may see."""
    return [f.to_dict() for f in firm_service.list_firms(engine_of(request), user)]


@api.get("/firms/{key}")
def api_firm(
    request: Request, user: ReadFirm, key: str, today: Annotated[str | None, Query()] = None
) -> dict[str, Any]:
    """A firm's profile: dialogues with partner notices, ICP score history, commitments,
    screening status."""
    with answers():
        return firm_service.get_firm(
            engine_of(request), user, key, today_of(request, today)
        ).to_dict()


@api.get("/events")
def api_events(request: Request, user: ListEvents) -> dict[str, Any]:
    """Cooperation events and letters the user may see."""
    engine = engine_of(request)
    events, letters = (
        event_service.list_events(engine, user),
        event_service.list_letters(engine, user),
    )
    return {
        "banner": events_banner(events, letters, user),
        "events": events,
        "letters": letters,
    }


@api.get("/commitments")
def api_commitments(
    request: Request,
    user: ListCommitments,
    side: Annotated[Literal["home", "partner"] | None, Query()] = None,
    overdue: Annotated[bool, Query()] = False,
    today: Annotated[str | None, Query()] = None,
) -> list[dict[str, Any]]:
    """Commitments with `overdue` derived from the clock; `side=home` is what we owe them,
    `side=partner` what they owe us; `overdue=true` the overdue list."""
    with answers():
        views = commitment_service.list_commitments(
            engine_of(request), user, today_of(request, today), side, overdue
        )
    return [v.to_dict() for v in views]


@api.post("/commitments/{commitment_id}/close")
def api_close_commitment(
    request: Request, user: CloseCommitment, commitment_id: RecordId, body: CloseIn
) -> dict[str, Any]:
    """Mark a commitment done or dropped with a note (a liaison: partner commitments shared
    with them, done only, note required)."""
    with answers():
        return commitment_service.close_commitment(
            engine_of(request), user, commitment_id, body.status, body.note
        ).to_dict()


@api.get("/cables/{cable_id}/proposals", responses={202: {}, 404: {}})
def api_proposals(
    request: Request, response: Response, user: ListProposals, cable_id: str
) -> list[dict[str, Any]]:
    """The proposals read from a cable, as the user may see them: 202 while the cable's
    current version is still waiting to be read (in the background, never on request), 404
    as for a missing cable when the user may not read it."""
    with answers():
        found = proposal_service.proposals_for(engine_of(request), user, cable_id)
    if not found.read:
        response.status_code = 202
    return [v.to_dict() for v in found.proposals]


@api.post("/proposals/{proposal_id}/decision")
def api_decide(
    request: Request, user: DecideProposal, proposal_id: RecordId, body: DecisionIn
) -> dict[str, Any]:
    """Accept, edit or reject a proposal; accepting creates the desk record."""
    with answers():
        return proposal_service.decide(
            engine_of(request), user, proposal_id, body.decision, body.values, body.note
        ).to_dict()


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
    with answers():
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
    with answers():
        return {"id": firm_service.add_dialogue(engine_of(request), user, key, data)}


@api.post("/partner-notices", status_code=201)
def api_partner_notice(request: Request, user: WriteDesk, body: NoticeIn) -> dict[str, int]:
    """Record when and how the partner was told about a dialogue."""
    with answers():
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
    with answers():
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


@api.post("/events", status_code=201)
def api_create_event(request: Request, user: WriteDesk, body: EventIn) -> dict[str, int]:
    """Add a cooperation event."""
    data = event_service.EventInput(
        body.title,
        body.kind,
        body.start,
        body.end,
        body.place,
        tuple(body.agencies),
        tuple(body.firms),
        body.outcome,
        marking=body.marking(),
    )
    with answers():
        return {"id": event_service.create_event(engine_of(request), user, data)}


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
    with answers():
        return {"id": commitment_service.create_commitment(engine_of(request), user, data)}
