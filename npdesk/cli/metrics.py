"""`npdesk metrics`: the dashboard's figures (open cases over time and per review cycle, ages,
partner response times, overdue responses), optionally with the burn-down chart as SVG."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from npdesk.cli.common import connect, one_line_errors, out, parse_day, print_json, print_table
from npdesk.cli.options import DbOption, JsonOption, UserOption
from npdesk.services import metrics as metrics_service


@one_line_errors
def metrics(
    as_of: Annotated[
        str | None, typer.Option(help="Figures as of YYYY-MM-DD (default today).")
    ] = None,
    due_days: Annotated[int, typer.Option(min=1, help="Days before a response is overdue.")] = 90,
    svg: Annotated[Path | None, typer.Option(help="Also write the burn-down SVG here.")] = None,
    as_json: JsonOption = False,
    db: DbOption = None,
    user: UserOption = None,
) -> None:
    """Dashboard figures: open cases over time, per review cycle, ages, response times."""
    engine, actor = connect(db, user)
    day = parse_day(as_of, "--as-of")
    figures = metrics_service.metrics_for(engine, actor, day, due_days)
    if svg is not None:
        svg.write_text(metrics_service.burndown_svg(engine, actor, figures), encoding="utf-8")
    if as_json:
        print_json(figures.to_dict())
        return
    out.print(f"as of {figures.as_of}: {figures.open_now} open cases")
    median = figures.median_open_age_days
    out.print(f"median age of open cases: {median:.0f} days" if median is not None else "")
    if figures.median_response_days is not None:
        out.print(f"median partner response time: {figures.median_response_days:.0f} days")
    print_table(
        ("cycle", "opened", "closed"),
        [(c.label, c.opened, c.closed) for c in figures.cycles],
        title="per review cycle",
    )
    if figures.overdue:
        print_table(
            ("reference", "waiting since", "days", "title"),
            [(i.reference, i.waiting_since, i.days_waiting, i.title) for i in figures.overdue],
            title="overdue responses",
        )
