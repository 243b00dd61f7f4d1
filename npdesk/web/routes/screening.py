"""Screening over the JSON API: `POST /api/v1/screen` for one name or a batch.

Thin: validates the request with `npdesk.web.schemas.ScreenRequest`, calls
`npdesk.services.screening` (which stores every screening and refuses partner-side users);
refusals are answered by the one mapping in `npdesk.web.deps`."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Request
from pydantic import BaseModel, Field

from npdesk.security.model import User
from npdesk.services import screening as service
from npdesk.web import deps
from npdesk.web.auth import require_action
from npdesk.web.deps import engine_of
from npdesk.web.schemas import ScreenRequest

router, api = deps.feature_routers("screening")


class HitOut(BaseModel):
    hit_id: int
    list_name: str = Field(alias="list")
    source_id: str
    name: str
    type: str
    matched_name: str
    score: float
    band: str | None
    explanation: dict[str, Any]
    earlier_decisions: list[dict[str, str]]


class ScreeningOut(BaseModel):
    id: str | None
    screening_id: int
    query: dict[str, Any]
    list_versions: dict[str, int]
    hits: list[HitOut]


class ScreenResponse(BaseModel):
    results: list[ScreeningOut]


@api.post("/screen", response_model=ScreenResponse)
def screen(
    body: ScreenRequest,
    request: Request,
    user: Annotated[User, Depends(require_action("screening.screen"))],
) -> ScreenResponse:
    """Screen one name or a batch against the newest lists; every screening is stored. Hits
    are best first, at most `top` per name, each with its explanation and any decisions
    recorded earlier for the same name and entry."""
    items = body.items()
    queries = [item.to_query() for item in items]
    for query in queries:  # a batch with one unreadable name is refused whole, before storing
        query.country_code()
        query.birth_year()
    # One transaction for the whole request: a batch is stored whole or not at all.
    results = service.screen_names(engine_of(request), user, queries, top=body.top, origin="api")
    return ScreenResponse(
        results=[
            ScreeningOut(id=item.id, **result.to_json())
            for item, result in zip(items, results, strict=True)
        ]
    )
