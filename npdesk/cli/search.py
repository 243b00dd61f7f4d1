"""`npdesk search QUERY`: full-text search over the cables the acting user may read."""

from __future__ import annotations

from typing import Annotated, cast

import typer
from rich.table import Table
from sqlalchemy.engine import Engine

from npdesk.cli.common import connect, fail, one_line_errors, out, print_json
from npdesk.cli.options import DbOption, JsonOption, UserOption
from npdesk.security.audit import Outcome as AuditOutcome
from npdesk.security.model import User
from npdesk.services import audit, errors
from npdesk.store.db import session_factory, transaction
from npdesk.store.deadline import Interrupted
from npdesk.store.search import SearchResult, Sort
from npdesk.store.search import search as run_search
from npdesk.store.search_query import QueryError, parse_query


@one_line_errors
def search(
    query: Annotated[str, typer.Argument(help='Words, "phrases", -excluded, tag:, origin:, ...')],
    sort: Annotated[str, typer.Option(help="relevance or date")] = "relevance",
    limit: Annotated[int, typer.Option(min=1, max=1000)] = 20,
    offset: Annotated[int, typer.Option(min=0)] = 0,
    as_json: JsonOption = False,
    db: DbOption = None,
    user: UserOption = None,
) -> None:
    """Full-text search over cables."""
    if sort not in ("relevance", "date"):
        fail("--sort must be 'relevance' or 'date'")
    engine, actor = connect(db, user)
    result = _search(engine, actor, query, cast(Sort, sort), limit, offset)
    with transaction(engine) as session:
        audit.record(
            session,
            actor,
            "cables.search",
            outcome=AuditOutcome.ALLOWED,
            source="cli",
            detail={"q": query[:500], "total": result.total},
        )
    if as_json:
        data = result.to_dict()
        for hit in data["hits"]:
            hit["snippet"] = hit["snippet"].replace("\x02", "").replace("\x03", "")
        print_json(data)
        return
    table = Table("id", "created", "marking", "subject", title=f"{result.total} cables")
    for hit in result.hits:
        table.add_row(hit.id, (hit.created or "")[:10], hit.marking, hit.subject or "")
    out.print(table)


def _search(
    engine: Engine, actor: User, query: str, sort: Sort, limit: int, offset: int
) -> SearchResult:
    # The store's search in the services' vocabulary: a query it cannot read is invalid, one
    # it had to stop (time budget, cancelled, busy) is unavailable for now.
    try:
        parsed = parse_query(query)
        with session_factory(engine)() as session:
            return run_search(session, parsed, actor, sort=sort, limit=limit, offset=offset)
    except QueryError as exc:
        raise errors.Invalid(str(exc)) from exc
    except Interrupted as exc:
        raise errors.Unavailable(str(exc)) from exc
