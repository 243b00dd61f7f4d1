"""Root Typer app: wires the sub-commands together. Each concern keeps its commands in its own
module; this is the only place that knows them all."""

from __future__ import annotations

import typer

from npdesk.cli import audit, cables, cases, desk, releases, screening, store, users
from npdesk.cli.common import OneLineErrors

app = typer.Typer(
    cls=OneLineErrors,
    name="npdesk",
    help="npdesk — nonproliferation cooperation desk.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
app.add_typer(cables.app, name="cables", help="Read and inspect cables.")
cables.app.command("show")(store.show)
cables.app.command("release")(store.release)
cables.app.command("reread")(store.reread)
cables.app.command("suggest")(desk.suggest)
cables.app.command("suggest-all")(desk.suggest_all)
cables.app.command("decide")(desk.decide)
app.add_typer(store.db_app, name="db")
app.command("ingest")(store.ingest)
app.command("search")(store.search)
app.command("serve")(store.serve)
app.add_typer(users.app, name="users")
app.add_typer(audit.app, name="audit")
app.add_typer(cases.cases_app, name="cases")
app.add_typer(cases.handovers_app, name="handovers")
app.add_typer(cases.reviews_app, name="reviews")
app.command("metrics")(cases.metrics)
app.add_typer(desk.firms_app, name="firms")
app.add_typer(desk.events_app, name="events")
app.add_typer(desk.commitments_app, name="commitments")
app.add_typer(screening.lists_app, name="lists")
app.command("screen")(screening.screen)
app.add_typer(screening.screening_app, name="screening")
app.add_typer(releases.app, name="releases")
cases.cases_app.command("release")(releases.release_case)
