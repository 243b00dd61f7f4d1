"""`npdesk events list|add|letter|share`: cooperation events (workshops, trainings,
dialogues) and the letters the two sides exchange."""

from __future__ import annotations

from typing import Annotated

import typer

from npdesk.cli import releases
from npdesk.cli.common import commands, connect, out, parse_day, print_listing, print_table
from npdesk.cli.options import DbOption, JsonOption, UserOption
from npdesk.services import events

app = commands("Cooperation events and letters.")


@app.command("list")
def events_list(as_json: JsonOption = False, db: DbOption = None, user: UserOption = None) -> None:
    """List cooperation events and letters you may see."""
    engine, actor = connect(db, user)
    rows = events.list_events(engine, actor)
    letters = events.list_letters(engine, actor)
    print_listing(
        rows,
        as_json,
        ("start", "kind", "title", "place", "marking"),
        lambda e: (
            e["start"],
            e["kind"],
            e["title"],
            e["place"],
            e["marking"] + (" (fictional)" if e["fictional"] else ""),
        ),
        title="events",
        data={"events": rows, "letters": letters},
    )
    if not as_json:
        print_table(
            ("date", "from", "to", "cable"),
            [(x["date"], x["sender"], x["recipient"], x["cable"]) for x in letters],
            title="letters",
        )


@app.command("add")
def events_add(
    title: str,
    kind: Annotated[str, typer.Option("--kind", help="workshop, training, dialogue, ...")] = (
        "workshop"
    ),
    start: Annotated[str | None, typer.Option("--start")] = None,
    end: Annotated[str | None, typer.Option("--end")] = None,
    place: Annotated[str | None, typer.Option("--place")] = None,
    agency: Annotated[list[str] | None, typer.Option("--agency")] = None,
    outcome: Annotated[str, typer.Option("--outcome")] = "",
    db: DbOption = None,
    user: UserOption = None,
) -> None:
    """Add a cooperation event."""
    engine, actor = connect(db, user)
    data = events.EventInput(
        title,
        kind,
        parse_day(start, "--start"),
        parse_day(end, "--end"),
        place,
        tuple(agency or ()),
        outcome=outcome,
    )
    out.print(f"event {events.create_event(engine, actor, data)} added")


@app.command("letter")
def events_letter(
    sender: Annotated[str, typer.Option("--from")],
    recipient: Annotated[str, typer.Option("--to")],
    date: Annotated[str | None, typer.Option("--date")] = None,
    subject: Annotated[str, typer.Option("--subject")] = "",
    cable: Annotated[str | None, typer.Option("--cable")] = None,
    db: DbOption = None,
    user: UserOption = None,
) -> None:
    """Record a letter: who wrote to whom, when, about what."""
    engine, actor = connect(db, user)
    day = parse_day(date, "--date")
    letter = events.create_letter(engine, actor, sender, recipient, day, subject, cable)
    out.print(f"letter {letter} recorded")


@app.command("share")
def events_share(
    event_id: int, off: releases.OffOption = False, db: DbOption = None, user: UserOption = None
) -> None:
    """Share an event with the partner (through the release policy)."""
    releases.share(*connect(db, user), "event", event_id, off)
