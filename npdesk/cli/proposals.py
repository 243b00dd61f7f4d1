"""`npdesk cables suggest ID`, `npdesk cables suggest-all` and `npdesk cables decide PROPOSAL
accept|edit|reject`: what a cable proposes for the desk, and the officer's decision on it."""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer

from npdesk.cli.common import connect, fail, one_line_errors, out, print_json, print_listing
from npdesk.cli.options import DbOption, JsonOption, UserOption
from npdesk.services import errors
from npdesk.services import proposals as proposal_service


@one_line_errors
def suggest(
    cable_id: Annotated[str, typer.Argument(help="Cable id, e.g. 08BEIJING1050.")],
    as_json: JsonOption = False,
    refresh: Annotated[
        bool, typer.Option("--refresh", help="Read the cable again; keep decided proposals.")
    ] = False,
    db: DbOption = None,
    user: UserOption = None,
) -> None:
    """Propose firms, people, meetings, events, letters, visits, reviews, handovers and
    commitments read from a stored cable."""
    engine, actor = connect(db, user)
    # Who may not read the cable learns nothing and makes nothing read: checked first.
    proposal_service.proposals_for(engine, actor, cable_id)
    proposal_service.suggest_for_cable(engine, cable_id, refresh=refresh)
    views = proposal_service.list_proposals(engine, actor, cable_id)
    if not views:
        raise errors.NotFound(f"no cable {cable_id!r} (or nothing in it you may read)")
    keys = ("kind", "text", "date", "date_range", "paragraph", "entities", "owner")
    print_listing(
        views,
        as_json,
        ("id", "kind", "date", "¶", "owner", "state", "proposal"),
        lambda view: (
            view.id,
            view.proposal["kind"],
            view.proposal["date"]
            or ("..".join(view.proposal["date_range"]) if view.proposal["date_range"] else ""),
            view.proposal["paragraph"] or "",
            view.proposal["owner"],
            view.state,
            view.title,
        ),
        title=cable_id,
        data=[{k: v.proposal[k] for k in keys} for v in views],
    )


@one_line_errors
def suggest_all(db: DbOption = None, user: UserOption = None) -> None:
    """Read every stored cable that has no proposals yet and store its proposals."""
    engine, _actor = connect(db, user)
    count = proposal_service.suggest_all(engine)
    out.print(f"read {count} cables for proposals")


@one_line_errors
def decide(
    proposal_id: Annotated[int, typer.Argument(help="Proposal id (from `cables suggest`).")],
    decision: Annotated[str, typer.Argument(help="accept, edit or reject")],
    values: Annotated[
        str | None, typer.Option("--values", help='Edited values as JSON: {"date": "..."}')
    ] = None,
    shared: Annotated[
        bool, typer.Option("--shared", help="Share the created record with the partner.")
    ] = False,
    note: Annotated[str, typer.Option("--note")] = "",
    as_json: JsonOption = False,
    db: DbOption = None,
    user: UserOption = None,
) -> None:
    """Accept, edit or reject a proposal; accepting creates the desk record."""
    engine, actor = connect(db, user)
    try:
        changes: dict[str, Any] = json.loads(values) if values else {}
    except json.JSONDecodeError as error:
        fail(f"--values is not JSON: {error.msg}")
    if not isinstance(changes, dict):
        fail("--values must be a JSON object")
    if shared:
        changes["shared_with_partner"] = True
    view = proposal_service.decide(engine, actor, proposal_id, decision, changes, note)
    if as_json:
        print_json(view.to_dict())
    else:
        out.print(
            f"proposal {view.id} {view.state}"
            + (f" → {view.record_kind} {view.record_id}" if view.record_kind else "")
        )
