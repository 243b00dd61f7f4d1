"""`npdesk handovers create|list|show|diff|export`: the numbered lists of open cases handed
to the partner, what changed between two of them, and each as the partner receives it."""

from __future__ import annotations

from typing import Annotated

import typer

from npdesk.cli.common import (
    commands,
    connect,
    fictional_mark,
    out,
    parse_day,
    print_json,
    print_listing,
    print_table,
    write_output,
)
from npdesk.cli.options import DbOption, JsonOption, OutputOption, UserOption
from npdesk.services import handovers as handover_service
from npdesk.settings import partner_country

app = commands("Lists of open cases handed to the partner.")


@app.command("create")
def handover_create(
    title: str,
    on: Annotated[str, typer.Option(help="Handover date YYYY-MM-DD.")],
    by: Annotated[str, typer.Option(help="Who handed it over.")],
    to: Annotated[str, typer.Option(help="Who received it.")],
    case: Annotated[
        list[str] | None, typer.Option(help="Cases on the list (default: all active).")
    ] = None,
    partner: Annotated[str | None, typer.Option(help="Partner country code.")] = None,
    raise_cases: Annotated[bool, typer.Option(help="Move open cases to raised.")] = True,
    release: Annotated[
        bool,
        typer.Option(
            help="Release cases not yet released to the partner, through the release policy "
            "(without it such cases are refused)."
        ),
    ] = False,
    fictional: Annotated[bool, typer.Option()] = False,
    as_json: JsonOption = False,
    db: DbOption = None,
    user: UserOption = None,
) -> None:
    """Record a new numbered list handed to the partner."""
    engine, actor = connect(db, user)
    listing = handover_service.create_handover_list(
        engine,
        actor,
        title=title,
        handed_over_on=parse_day(on, "--on"),
        handed_over_by=by,
        handed_over_to=to,
        partner_country=partner or partner_country(),
        references=case or None,
        raise_open_cases=raise_cases,
        release=release,
        fictional=fictional,
    )
    if as_json:
        print_json(listing)
    else:
        out.print(f"list {listing.number} recorded with {len(listing.entries)} cases")


@app.command("list")
def handover_list(
    as_json: JsonOption = False, db: DbOption = None, user: UserOption = None
) -> None:
    """List every handover list you may see."""
    engine, actor = connect(db, user)
    print_listing(
        handover_service.list_handover_lists(engine, actor),
        as_json,
        ("no.", "handed over", "by", "to", "cases", "title"),
        lambda item: (
            item.number,
            item.handed_over_on.isoformat(),
            item.handed_over_by,
            item.handed_over_to,
            len(item.entries),
            item.title + fictional_mark(item.title, item.fictional),
        ),
        title="handover lists",
    )


@app.command("show")
def handover_show(
    number: int, as_json: JsonOption = False, db: DbOption = None, user: UserOption = None
) -> None:
    """Show one list as handed over."""
    engine, actor = connect(db, user)
    listing = handover_service.get_handover_list(engine, actor, number)
    if as_json:
        print_json(listing)
        return
    out.print(f"[bold]{listing.banner}[/]", highlight=False)
    out.print(
        f"list {listing.number}: {listing.title} — {listing.handed_over_on} by "
        f"{listing.handed_over_by} to {listing.handed_over_to}",
        highlight=False,
    )
    print_table(
        ("reference", "status", "title", "releasable summary"),
        [(e.reference, e.status, e.title, e.releasable_summary) for e in listing.entries],
    )


@app.command("diff")
def handover_diff(
    old: int, new: int, as_json: JsonOption = False, db: DbOption = None, user: UserOption = None
) -> None:
    """What changed between two lists: added, removed (closed) and changed cases."""
    engine, actor = connect(db, user)
    result = handover_service.diff_handover_lists(engine, actor, old, new)
    if as_json:
        print_json(result)
        return
    out.print(f"list {old} → list {new}")
    for entry in result.added:
        out.print(f"[green]+ {entry.reference}[/] {entry.title}", highlight=False)
    for entry in result.removed:
        out.print(f"[red]- {entry.reference}[/] {entry.title}", highlight=False)
    for change in result.changed:
        out.print(f"[yellow]~ {change.reference}[/] {change.title}", highlight=False)
        for field in change.changes:
            out.print(f"    {field.field}: {field.old!r} → {field.new!r}", highlight=False)
    if result.is_empty:
        out.print("no changes")


@app.command("export")
def handover_export(
    number: int,
    fmt: Annotated[
        handover_service.ExportFormat, typer.Option("--format", case_sensitive=False)
    ] = handover_service.ExportFormat.PDF,
    output: OutputOption = None,
    db: DbOption = None,
    user: UserOption = None,
) -> None:
    """Export a list as the partner receives it (PDF, CSV, JSON or HTML, with its banner)."""
    engine, actor = connect(db, user)
    data = handover_service.export_handover_list(engine, actor, number, fmt)
    write_output(data, output, binary=fmt is handover_service.ExportFormat.PDF)
