"""Root Typer app: wires the sub-commands together."""

from __future__ import annotations

import typer

from npdesk.cli import cables, store

app = typer.Typer(
    name="npdesk",
    help="npdesk — nonproliferation cooperation desk.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
app.add_typer(cables.app, name="cables", help="Read and inspect cables.")
cables.app.command("show")(store.show)
app.add_typer(store.db_app, name="db")
app.command("ingest")(store.ingest)
app.command("search")(store.search)
app.command("serve")(store.serve)
