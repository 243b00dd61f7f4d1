"""`npdesk ingest PATH...` (files, folders, archives; bad files quarantined) and `npdesk ingest
--quarantine` (what was quarantined, and why)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from npdesk.cli.common import connect, err, fail, one_line_errors, out, print_json, print_listing
from npdesk.cli.options import DbOption, JsonOption, UserOption
from npdesk.services.database import reading
from npdesk.services.ingest import FileResult, ingest_paths, list_quarantine
from npdesk.services.sources import count_sources


@one_line_errors
def ingest(
    paths: Annotated[
        list[Path] | None, typer.Argument(help="Files, directories, .zip/.tar.gz.")
    ] = None,
    quarantine: Annotated[
        bool, typer.Option("--quarantine", help="List quarantined files instead.")
    ] = False,
    as_json: JsonOption = False,
    db: DbOption = None,
    user: UserOption = None,
) -> None:
    """Ingest cables; files that fail are quarantined with their reason and the batch goes on."""
    engine, actor = connect(db, user)
    if quarantine:
        with reading(engine) as session:
            rows = list_quarantine(session)
        print_listing(
            rows,
            as_json,
            ("file", "reason", "size"),
            lambda row: (row["file"], row["reason"], row["size"]),
            title=f"{len(rows)} quarantined",
        )
        return
    if not paths:
        fail("give at least one PATH to ingest (or --quarantine to list quarantined files)")
    total = count_sources(paths)
    with Progress(
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=as_json,
        disable=not err.is_terminal and as_json,
    ) as progress:
        task = progress.add_task("ingesting", total=total)

        def advance(result: FileResult) -> None:
            if progress.tasks[task].completed >= (progress.tasks[task].total or 0):
                progress.update(task, total=(progress.tasks[task].total or 0) + 1)
            progress.advance(task)
            if result.outcome == "quarantined" and not as_json:
                progress.console.print(f"[yellow]quarantined[/] {result.source}: {result.message}")

        report = ingest_paths(engine, paths, actor=actor, source="cli", on_file=advance)
    if as_json:
        print_json(
            {
                **report.counts(),
                "problems": report.problems(),
                "marking_disagreements": report.disagreements(),
            }
        )
    else:
        counts = report.counts()
        out.print(", ".join(f"{k}: {v}" for k, v in counts.items()))
    if report.quarantined:
        raise typer.Exit(1)
