"""The options every command shares, declared once: `--db`, `--user`, `--json`, `--output`,
`--today`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

DbOption = Annotated[
    str | None,
    typer.Option("--db", help="Database URL (default: $NPDESK_DATABASE_URL or a SQLite file)."),
]
UserOption = Annotated[
    str | None,
    typer.Option(
        "--user",
        envvar="NPDESK_USER",
        help="Act as this npdesk user (default: the local operator).",
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON.")]
OutputOption = Annotated[Path | None, typer.Option("--output", "-o", help="File to write.")]
TodayOption = Annotated[
    str | None, typer.Option("--today", help="Treat this day (YYYY-MM-DD) as today.")
]
