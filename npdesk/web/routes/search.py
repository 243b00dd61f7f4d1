"""Search on the web: the search page (whole, or its results for htmx) and the JSON API
`/api/v1/search` and `/api/v1/facets`. Every search runs in a worker thread under a time
budget, a few at a time and at most two per user, and stops when the client goes away; a
search that runs out of time or finds the desk too busy is a 503 with Retry-After."""

from __future__ import annotations

from functools import partial
from typing import Annotated, Any, Literal

import anyio
import anyio.to_thread
from fastapi import Depends, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from npdesk.security.model import User
from npdesk.store.deadline import Budget, Interrupted, SearchBusy, Seats
from npdesk.store.search import SearchResult
from npdesk.store.search import search as run_search
from npdesk.store.search_query import QueryError, SearchQuery, parse_query
from npdesk.web import deps
from npdesk.web.auth import require_action
from npdesk.web.deps import db_session
from npdesk.web.schemas import ErrorOut, FacetsOut, SearchOut
from npdesk.web.templating import templates

router, api = deps.feature_routers("search")

PAGE_SIZE = 20
SessionDep = Annotated[Session, Depends(db_session)]
SortParam = Annotated[Literal["relevance", "date"], Query()]


def _parse_or_400(q: str) -> Any:
    try:
        return parse_query(q)
    except QueryError as exc:
        raise HTTPException(status_code=400, detail=str(exc)) from exc


@router.get("/", include_in_schema=False)
def home(user: Annotated[User, Depends(require_action("home"))]) -> RedirectResponse:
    return RedirectResponse("/search", status_code=303)


@router.get("/search", response_class=HTMLResponse, include_in_schema=False)
async def search_page(
    request: Request,
    session: SessionDep,
    user: Annotated[User, Depends(require_action("cables.search"))],
    q: str = "",
    sort: SortParam = "relevance",
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
) -> Response:
    error = None
    result = None
    status = 200
    try:
        result = await _bounded_search(
            request,
            session,
            parse_query(q),
            user,
            sort=sort,
            limit=PAGE_SIZE,
            offset=(page - 1) * PAGE_SIZE,
        )
    except QueryError as exc:
        error, status = str(exc), 400
    except Interrupted as exc:
        error, status = str(exc), 503
    context = {
        "q": q,
        "sort": sort,
        "page": page,
        "result": result,
        "error": error,
        "user": user,
        "page_size": PAGE_SIZE,
    }
    partial = request.headers.get("HX-Request") == "true"
    name = "cables/_results.html" if partial else "cables/search.html"
    # htmx swaps only 2xx answers by default: the message replaces the results either way.
    return templates.TemplateResponse(
        request, name, context, status_code=200 if partial else status
    )


SEARCH_THREADS = anyio.CapacityLimiter(4)
"""Searches running at once in this process (each is mostly database work outside the GIL);
more wait their turn, inside their own time budget."""
SEARCH_SEATS = Seats(per_user=2)


async def _bounded_search(
    request: Request, session: Session, query: SearchQuery, user: User, **options: Any
) -> SearchResult:
    """Run a search in a worker thread under a time budget, stopping it when the client goes
    away (the thread is never left working for nobody)."""
    budget = Budget()
    answer: list[SearchResult] = []
    failure: list[Exception] = []
    with SEARCH_SEATS.seat(user.username):
        async with anyio.create_task_group() as group:

            async def watch_client() -> None:
                while not budget.cancelled.is_set():
                    if await request.is_disconnected():
                        budget.cancel()
                        return
                    await anyio.sleep(0.2)

            async def work() -> None:
                # Errors are handed out of the task group as they are (it would wrap them).
                try:
                    answer.append(
                        await anyio.to_thread.run_sync(
                            partial(run_search, session, query, user, budget=budget, **options),
                            limiter=SEARCH_THREADS,
                        )
                    )
                except Exception as exc:
                    failure.append(exc)
                finally:
                    group.cancel_scope.cancel()

            group.start_soon(watch_client)
            group.start_soon(work)
    if failure:
        raise failure[0]
    return answer[0]


def _refused(exc: Interrupted) -> HTTPException:
    """503 for a search stopped by its budget or by load, with when to try again."""
    retry = "1" if isinstance(exc, SearchBusy) else "5"
    return HTTPException(status_code=503, detail=str(exc), headers={"Retry-After": retry})


@api.get(
    "/search",
    response_model=SearchOut,
    responses={400: {"model": ErrorOut}, 503: {"model": ErrorOut}},
)
async def api_search(
    request: Request,
    session: SessionDep,
    user: Annotated[User, Depends(require_action("cables.search"))],
    q: str = "",
    sort: SortParam = "relevance",
    limit: Annotated[int, Query(ge=1, le=200)] = 20,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> dict[str, Any]:
    """Search cables: the same answer as `npdesk search QUERY --json`. 400 for a query too
    long or with too many terms; 503 with Retry-After when it took too long."""
    try:
        result = await _bounded_search(
            request, session, _parse_or_400(q), user, sort=sort, limit=limit, offset=offset
        )
    except Interrupted as exc:
        raise _refused(exc) from exc
    data = result.to_dict()
    for hit in data["hits"]:
        hit["snippet"] = hit["snippet"].replace("\x02", "").replace("\x03", "")
    return data


@api.get(
    "/facets",
    response_model=FacetsOut,
    responses={400: {"model": ErrorOut}, 503: {"model": ErrorOut}},
)
async def api_facets(
    request: Request,
    session: SessionDep,
    user: Annotated[User, Depends(require_action("cables.facets"))],
    q: str = "",
) -> dict[str, Any]:
    """Facet counts (tag, origin, marking, year) over the cables matching `q`."""
    try:
        result = await _bounded_search(request, session, _parse_or_400(q), user, limit=1)
    except Interrupted as exc:
        raise _refused(exc) from exc
    return {"total": result.total, "facets": result.facets}
