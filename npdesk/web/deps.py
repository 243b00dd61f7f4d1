"""What every route module shares, written once: the routers with the one error mapping, the
engine and session of a request, the desk's clock, bounded path numbers, and the `page` and
`back` answers of the server-rendered pages (the user comes from `npdesk.web.auth`).

The error mapping: services raise the kinds of `npdesk.services.errors`; `answers` (a
dependency the app puts on every route) turns them into `HTTPException` with the kind's status,
and the app's handlers render that as JSON under /api/ or as the error page. No route catches
a refusal itself.
A record the reader may not see raises the same `NotFound` as a missing one, so both answer
the same 404.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator, Iterator
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Path, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from npdesk.domain.cases import IllegalTransition, TransitionError
from npdesk.screening import QueryError as ScreeningQueryError
from npdesk.security.model import Party, User
from npdesk.services import errors
from npdesk.settings import retry_after_seconds
from npdesk.web.templating import templates

#: Record numbers in paths are bounded so a huge value is a 422, never a database error.
RecordNumber = Annotated[int, Path(ge=1, le=2_147_483_647)]


#: The pure cores cannot import the service vocabulary: what they refuse, by kind. An illegal
#: case transition is a conflict; an incomplete one, or a name screening cannot read, invalid.
CORE_REFUSALS: tuple[tuple[type[Exception], type[errors.DeskError]], ...] = (
    (IllegalTransition, errors.Conflict),
    (TransitionError, errors.Invalid),
    (ScreeningQueryError, errors.Invalid),
)


def refusal(error: errors.DeskError) -> HTTPException:
    """The HTTP answer to a refusal of kind `kind_of(error)`: 404 not found or hidden, 403 not
    permitted, 409 conflict, 422 invalid, 503 unavailable (with Retry-After)."""
    kind = errors.kind_of(error)
    busy = kind is errors.Unavailable
    headers = {"Retry-After": str(retry_after_seconds())} if busy else None
    return HTTPException(errors.HTTP_STATUS[kind], str(error), headers)


async def answers() -> AsyncIterator[None]:
    """Map what a route, its other dependencies (the sign-in and action gate of
    `npdesk.web.auth`) or the services they call refuse to an HTTP answer by kind (`refusal`);
    the app puts it on every route, `feature_routers` on theirs. A form that builds an input
    model in the handler fails that model's validation as a 422 like the JSON API's."""
    try:
        yield
    except errors.DeskError as error:
        raise refusal(error) from error
    except ValidationError as error:
        # Where and what only: echoing the input back is how error paths leak.
        raise RequestValidationError(
            error.errors(include_url=False, include_context=False, include_input=False)
        ) from error
    except tuple(core for core, _ in CORE_REFUSALS) as error:
        kind = next(kind for core, kind in CORE_REFUSALS if isinstance(error, core))
        raise refusal(kind(str(error))) from error


def feature_routers(tag: str) -> tuple[APIRouter, APIRouter]:
    """A feature's two routers: its pages (left out of the OpenAPI schema) and its JSON API
    under /api/v1 tagged `tag`, both answering refusals through `answers` (also where an app
    other than `create_app`'s includes them; under both, it runs once: FastAPI caches it)."""
    mapped = [Depends(answers)]
    pages = APIRouter(include_in_schema=False, dependencies=mapped)
    api = APIRouter(prefix="/api/v1", tags=[tag], dependencies=mapped)
    return pages, api


def engine_of(request: Request) -> Engine:
    """The desk's database engine (set by `create_app`)."""
    engine: Engine = request.app.state.engine
    return engine


def db_session(request: Request) -> Iterator[Session]:
    """A session for one request; the route commits what it changes."""
    with request.app.state.sessions() as session:
        yield session


def today_of(request: Request, override: dt.date | None = None) -> dt.date:
    """The desk's clock: `app.state.today()` when tests set it, else `?today=`, else now."""
    clock = getattr(request.app.state, "today", None)
    if callable(clock):
        value = clock()
        if isinstance(value, dt.date):
            return value
    return override or dt.date.today()


def page(request: Request, name: str, user: User, **context: Any) -> HTMLResponse:
    """The page template `name` rendered for `user` (`home`: a home-party reader)."""
    return templates.TemplateResponse(
        request, name, {"user": user, "home": user.party is Party.HOME, **context}
    )


def download(data: bytes, media_type: str, filename: str) -> Response:
    """An export the browser saves as `filename` rather than shows."""
    disposition = {"Content-Disposition": f'attachment; filename="{filename}"'}
    return Response(data, media_type=media_type, headers=disposition)


def back(url: str) -> RedirectResponse:
    """After a form post: see the result at `url` (303, so a reload does not post again)."""
    return RedirectResponse(url, status_code=303)
