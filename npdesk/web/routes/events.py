"""Cooperation events and letters on the web: the events page and the JSON API under
/api/v1/events (`npdesk.services.events` applies the policy)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse

from npdesk.security.model import User
from npdesk.services import events as event_service
from npdesk.services.banners import page_banner
from npdesk.web import deps
from npdesk.web.auth import require_action
from npdesk.web.deps import engine_of
from npdesk.web.schemas import EventIn

router, api = deps.feature_routers("events")

ListEvents = Annotated[User, Depends(require_action("desk.events.list"))]
# Creating a desk record needs the WRITE rule on record kind "desk" (`desk.write`).
WriteDesk = Annotated[User, Depends(require_action("desk.write"))]


def events_banner(events: list[dict[str, Any]], letters: list[dict[str, Any]], user: User) -> str:
    """The banner of the events page and answer: the strictest event or letter shown."""
    return page_banner([item["marking"] for item in (*events, *letters)], user)


@router.get("/events", response_class=HTMLResponse)
def events_page(request: Request, user: ListEvents) -> HTMLResponse:
    events = event_service.list_events(engine_of(request), user)
    letters = event_service.list_letters(engine_of(request), user)
    return deps.page(
        request,
        "desk/events.html",
        user,
        events=events,
        letters=letters,
        banner=events_banner(events, letters, user),
        fictional=any(e["fictional"] for e in events),
    )


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
    return {"id": event_service.create_event(engine_of(request), user, data)}
