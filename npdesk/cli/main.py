"""Root Typer app: wires the sub-commands together. Each feature keeps its commands in the
module of its name (`cli/cases.py` for `npdesk cases ...`); this is the only place that knows
them all."""

from __future__ import annotations

import typer

from npdesk.cli import (
    accounts,
    audit,
    cables,
    cases,
    commitments,
    events,
    firms,
    handovers,
    ingest,
    metrics,
    proposals,
    releases,
    reviews,
    screening,
    search,
    serve,
)
from npdesk.cli.common import Commands

app = typer.Typer(
    cls=Commands,
    name="npdesk",
    help="npdesk — nonproliferation cooperation desk.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
app.add_typer(cables.app, name="cables", help="Read and inspect cables.")
cables.app.command("show")(cables.show)
cables.app.command("release")(releases.release_cable_command)
cables.app.command("reread")(cables.reread)
cables.app.command("suggest")(proposals.suggest)
cables.app.command("suggest-all")(proposals.suggest_all)
cables.app.command("decide")(proposals.decide)
app.add_typer(serve.db_app, name="db")
app.command("ingest")(ingest.ingest)
app.command("search")(search.search)
app.command("serve")(serve.serve)
app.add_typer(accounts.app, name="users")
app.add_typer(audit.app, name="audit")
app.add_typer(cases.app, name="cases")
app.add_typer(handovers.app, name="handovers")
app.add_typer(reviews.app, name="reviews")
app.command("metrics")(metrics.metrics)
app.add_typer(firms.app, name="firms")
app.add_typer(events.app, name="events")
app.add_typer(commitments.app, name="commitments")
app.add_typer(screening.lists_app, name="lists")
app.command("screen")(screening.screen)
app.add_typer(screening.screening_app, name="screening")
app.add_typer(releases.app, name="releases")
cases.app.command("release")(releases.release_case)
