"""`npdesk commitments list|add|close|share`: what each side owes the other, with the overdue
status derived from the day (`--today` sets it)."""

from __future__ import annotations

from typing import Annotated

import typer

from npdesk.cli import releases
from npdesk.cli.common import commands, connect, out, parse_day, print_listing
from npdesk.cli.options import DbOption, JsonOption, TodayOption, UserOption
from npdesk.services import commitments

app = commands("Commitments each side owes.")


@app.command("list")
def commitments_list(
    side: Annotated[
        str | None,
        typer.Option("--side", help="home: what we owe them; partner: what they owe us."),
    ] = None,
    overdue: Annotated[bool, typer.Option("--overdue", help="Only overdue ones.")] = False,
    today: TodayOption = None,
    as_json: JsonOption = False,
    db: DbOption = None,
    user: UserOption = None,
) -> None:
    """List commitments with their derived overdue status."""
    engine, actor = connect(db, user)
    day = parse_day(today, "--today")
    views = commitments.list_commitments(engine, actor, day, side, overdue)
    print_listing(
        views,
        as_json,
        ("id", "owner", "description", "due", "status"),
        lambda v: (
            v.id,
            f"{v.owner_side}: {v.owner}",
            v.description,
            v.due or (f"{v.soft_due} (→ {v.follow_up})" if v.soft_due else ""),
            f"[bold red]{v.status}[/]" if v.overdue else v.status,
        ),
        data=[v.to_dict() for v in views],
    )


@app.command("add")
def commitments_add(
    description: str,
    side: Annotated[str, typer.Option("--side", help="home or partner")],
    owner: Annotated[str, typer.Option("--owner")] = "",
    due: Annotated[str | None, typer.Option("--due")] = None,
    soft_due: Annotated[str | None, typer.Option("--soft-due")] = None,
    made_on: Annotated[str | None, typer.Option("--made-on")] = None,
    firm: Annotated[str | None, typer.Option("--firm")] = None,
    db: DbOption = None,
    user: UserOption = None,
) -> None:
    """Add a commitment."""
    engine, actor = connect(db, user)
    data = commitments.CommitmentInput(
        side,
        description,
        owner,
        parse_day(due, "--due"),
        soft_due,
        parse_day(made_on, "--made-on"),
        firm_key=firm,
    )
    out.print(f"commitment {commitments.create_commitment(engine, actor, data)} added")


@app.command("share")
def commitments_share(
    commitment_id: int,
    off: releases.OffOption = False,
    db: DbOption = None,
    user: UserOption = None,
) -> None:
    """Share a commitment with the partner (through the release policy)."""
    releases.share(*connect(db, user), "commitment", commitment_id, off)


@app.command("close")
def commitments_close(
    commitment_id: int,
    status: Annotated[str, typer.Option("--status", help="done or dropped")] = "done",
    note: Annotated[str, typer.Option("--note")] = "",
    db: DbOption = None,
    user: UserOption = None,
) -> None:
    """Mark a commitment done or dropped, with a note."""
    engine, actor = connect(db, user)
    view = commitments.close_commitment(engine, actor, commitment_id, status, note)
    out.print(f"commitment {view.id} {view.status}")
