"""Screening over the JSON API: `POST /api/v1/screen` for one name or a batch.

Thin: validates the request, calls `npdesk.services.screening` (which stores every screening
and refuses partner-side users), maps refusals to HTTP answers. Not registered here; the app
includes `router`."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Request
from pydantic import BaseModel, ConfigDict, Field, model_validator

from npdesk.screening import EntryType, Query, QueryError
from npdesk.security.model import User
from npdesk.services import screening as service
from npdesk.web.auth import require_action

router = APIRouter(prefix="/api/v1", tags=["screening"])

MAX_BATCH = 1000


class NameQuery(BaseModel):
    """One name to screen, with optional evidence."""

    model_config = ConfigDict(extra="forbid")

    id: str | None = Field(default=None, max_length=200, description="Your reference, echoed.")
    name: str = Field(min_length=1, max_length=500)
    type: Literal["entity", "individual"] | None = None
    country: str | None = Field(default=None, max_length=64, description="Name or ISO code.")
    dob: str | None = Field(default=None, max_length=32, description="Starts with YYYY.")

    def to_query(self) -> Query:
        return Query(self.name, EntryType(self.type) if self.type else None, self.country, self.dob)


class ScreenRequest(BaseModel):
    """Either `name` (with optional `type`, `country`, `dob`) or `queries` (a batch)."""

    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(default=None, min_length=1, max_length=500)
    type: Literal["entity", "individual"] | None = None
    country: str | None = Field(default=None, max_length=64)
    dob: str | None = Field(default=None, max_length=32)
    queries: list[NameQuery] | None = Field(default=None, max_length=MAX_BATCH)
    top: int = Field(default=5, ge=1, le=100)

    @model_validator(mode="after")
    def one_or_batch(self) -> ScreenRequest:
        if (self.name is None) == (self.queries is None):
            raise ValueError("give either name or queries")
        return self

    def items(self) -> list[NameQuery]:
        if self.queries is not None:
            return self.queries
        assert self.name is not None
        return [NameQuery(name=self.name, type=self.type, country=self.country, dob=self.dob)]


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


@router.post("/screen", response_model=ScreenResponse)
def screen(
    body: ScreenRequest,
    request: Request,
    user: Annotated[User, Depends(require_action("screening.screen"))],
) -> ScreenResponse:
    """Screen one name or a batch against the newest lists; every screening is stored. Hits
    are best first, at most `top` per name, each with its explanation and any decisions
    recorded earlier for the same name and entry."""
    engine = request.app.state.engine
    items = body.items()
    queries = [item.to_query() for item in items]
    try:
        for query in queries:
            query.country_code()
            query.birth_year()
        # One transaction for the whole request: a batch is stored whole or not at all.
        results = service.screen_names(engine, user, queries, top=body.top, origin="api")
    except PermissionError as error:
        raise HTTPException(status_code=403, detail=str(error)) from error
    except service.NoListsLoaded as error:
        raise HTTPException(status_code=409, detail=str(error)) from error
    except QueryError as error:
        raise HTTPException(status_code=422, detail=str(error)) from error
    return ScreenResponse(
        results=[
            ScreeningOut(id=item.id, **result.to_json())
            for item, result in zip(items, results, strict=True)
        ]
    )
