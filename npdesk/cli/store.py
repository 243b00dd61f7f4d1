"""`npdesk db`, `npdesk ingest`, `npdesk search`, `npdesk cables show`, `npdesk serve`."""

from __future__ import annotations

from pathlib import Path
from types import FrameType
from typing import Annotated, cast

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from npdesk.cli import releases
from npdesk.cli.common import (
    DbOption,
    JsonOption,
    UserOption,
    acting_user,
    err,
    fail,
    open_db,
    out,
    print_json,
)
from npdesk.security.audit import Outcome as AuditOutcome
from npdesk.services import approvals, audit
from npdesk.services import cables as cable_service
from npdesk.services.ingest import FileResult, ingest_paths, list_quarantine
from npdesk.services.release import ReleaseRefused, release_cable
from npdesk.services.sources import count_sources
from npdesk.settings import two_person_release
from npdesk.store.db import session_factory, transaction
from npdesk.store.deadline import Interrupted, cancel_all
from npdesk.store.search import Sort
from npdesk.store.search import search as run_search
from npdesk.store.search_query import QueryError, parse_query

db_app = typer.Typer(no_args_is_help=True, help="Database schema.")


@db_app.command("upgrade")
def db_upgrade(db: DbOption = None) -> None:
    """Apply every pending migration (safe to run again)."""
    engine = open_db(db)
    out.print(f"database at newest schema: {engine.url.render_as_string(hide_password=True)}")


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
    engine = open_db(db)
    actor = acting_user(engine, user)
    if quarantine:
        with session_factory(engine)() as session:
            rows = list_quarantine(session)
        if as_json:
            print_json(rows)
            return
        table = Table("file", "reason", "size", title=f"{len(rows)} quarantined")
        for row in rows:
            table.add_row(row["file"], row["reason"], str(row["size"]))
        out.print(table)
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


def search(
    query: Annotated[str, typer.Argument(help='Words, "phrases", -excluded, tag:, origin:, ...')],
    sort: Annotated[str, typer.Option(help="relevance or date")] = "relevance",
    limit: Annotated[int, typer.Option(min=1, max=1000)] = 20,
    offset: Annotated[int, typer.Option(min=0)] = 0,
    as_json: JsonOption = False,
    db: DbOption = None,
    user: UserOption = None,
) -> None:
    """Full-text search over cables."""
    if sort not in ("relevance", "date"):
        fail("--sort must be 'relevance' or 'date'")
    engine = open_db(db)
    actor = acting_user(engine, user)
    try:
        parsed = parse_query(query)
    except QueryError as exc:
        fail(str(exc))
    try:
        with session_factory(engine)() as session:
            result = run_search(
                session, parsed, actor, sort=cast(Sort, sort), limit=limit, offset=offset
            )
    except Interrupted as exc:
        fail(str(exc))
    with transaction(engine) as session:
        audit.record(
            session,
            actor,
            "cables.search",
            outcome=AuditOutcome.ALLOWED,
            source="cli",
            detail={"q": query[:500], "total": result.total},
        )
    if as_json:
        data = result.to_dict()
        for hit in data["hits"]:
            hit["snippet"] = hit["snippet"].replace("\x02", "").replace("\x03", "")
        print_json(data)
        return
    table = Table("id", "created", "marking", "subject", title=f"{result.total} cables")
    for hit in result.hits:
        table.add_row(hit.id, (hit.created or "")[:10], hit.marking, hit.subject or "")
    out.print(table)


def show(
    cable_id: Annotated[str, typer.Argument(help="Cable id, e.g. 08BEIJING1050")],
    as_json: JsonOption = False,
    db: DbOption = None,
    user: UserOption = None,
) -> None:
    """Show a stored cable with its references (resolved or not) and the cables citing it."""
    engine = open_db(db)
    actor = acting_user(engine, user)
    with session_factory(engine)() as session:
        view = cable_service.cable_view(session, cable_id, actor)
    with transaction(engine) as session:
        audit.record(
            session,
            actor,
            "cables.read",
            outcome=AuditOutcome.ALLOWED if view else AuditOutcome.DENIED,
            source="cli",
            record_kind="cable",
            record_id=cable_service.normalize_id(cable_id)[:64],
        )
    if view is None:
        fail(f"no cable {cable_service.normalize_id(cable_id)}")
    if as_json:
        print_json(view)
        return
    out.rule(f"[bold]{view['marking']}")
    out.print(f"[bold]{view['id']}[/]  {view['created']}  {view['origin']}")
    out.print(f"SUBJECT: {view['subject']}")
    for ref in view["references"]:
        state = "resolved" if ref["resolved"] else "unresolved"
        out.print(f"REF {ref['label'] or ''} {ref['id'] or ref['text']} ({state})")
    for para in view["paragraphs"]:
        number = f"{para['number']}. " if para["number"] is not None else ""
        portion = f"({para['classification']}) " if para["classification"] else ""
        out.print(f"\n{number}{portion}{para['text']}")
    if view["cited_by"]:
        out.print("\nCited by: " + ", ".join(c["id"] for c in view["cited_by"]))
    out.rule(f"[bold]{view['marking']}")


SHUTDOWN_GRACE_SECONDS = 5
"""After SIGTERM, how long answers still being written may take before connections close."""


def serve(
    host: Annotated[str, typer.Option()] = "127.0.0.1",
    port: Annotated[int, typer.Option()] = 8000,
    db: DbOption = None,
) -> None:
    """Serve the web desk and the JSON API (SIGTERM or Ctrl-C stops it within seconds)."""
    import uvicorn

    from npdesk.services.proposals import ProposalReader
    from npdesk.web.app import create_app

    engine = open_db(db)

    class Server(uvicorn.Server):
        def handle_exit(self, sig: int, frame: FrameType | None) -> None:
            # Searches still running are stopped in the database at once; their requests
            # answer 503 and the graceful shutdown has nothing left to wait for.
            cancel_all()
            super().handle_exit(sig, frame)

    config = uvicorn.Config(
        create_app(engine),
        host=host,
        port=port,
        log_level="warning",
        timeout_graceful_shutdown=SHUTDOWN_GRACE_SECONDS,
    )
    out.print(f"npdesk serving on http://{host}:{port}/")
    reader = ProposalReader(engine)  # cables are read for proposals here, never on a view
    reader.start()
    try:
        Server(config).run()
    finally:
        reader.stop()
        engine.dispose()


def release(
    cable_id: Annotated[str, typer.Argument(help="Cable id, e.g. 08SAMPLEPOST177")],
    paragraph: Annotated[
        list[int] | None,
        typer.Option(
            "--paragraph", "-p", help="Paragraph to release (repeat); default: all allowed"
        ),
    ] = None,
    as_json: JsonOption = False,
    db: DbOption = None,
    user: UserOption = None,
) -> None:
    """Share a cable with the partner government, with the chosen paragraphs (audited). With
    two-person release on (the default), this proposes; another officer approves it with
    `npdesk releases approve`."""
    engine = open_db(db)
    actor = acting_user(engine, user)
    if two_person_release():
        view = releases.run(
            lambda: approvals.propose_release(
                engine, actor, "cable", cable_id, paragraph or None, source="cli"
            )
        )
        if as_json:
            print_json(view.as_dict())
        else:
            out.print(releases.proposed_line(view))
        return
    try:
        result = release_cable(engine, actor, cable_id, paragraph or None, source="cli")
    except LookupError as exc:
        fail(str(exc))
    except ReleaseRefused as exc:
        fail(f"release refused: {exc.reason}")
    if as_json:
        print_json(
            {
                "id": result.cable_id,
                "partner": result.partner,
                "paragraphs": list(result.paragraphs),
            }
        )
        return
    shown = ", ".join(map(str, result.paragraphs)) or "none"
    out.print(f"{result.cable_id} shared with {result.partner}; paragraphs released: {shown}")


def reread(
    as_json: JsonOption = False,
    db: DbOption = None,
    user: UserOption = None,
) -> None:
    """Read every stored cable again with the current reader: references, tags, recipients
    and header fields (markings and paragraphs stay as stored). Audited; safe to repeat."""
    from npdesk.services.reread import reread_cables, stored_count

    engine = open_db(db)
    actor = acting_user(engine, user)
    total = stored_count(engine, actor)
    columns = (TextColumn("rereading"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=err, disable=as_json, transient=True) as progress:
        task = progress.add_task("reread", total=total)
        try:
            result = reread_cables(
                engine, actor, source="cli", progress=lambda n: progress.advance(task, n)
            )
        except audit.PermissionDenied:
            fail("not permitted: rereading cables needs an officer or admin")
    if as_json:
        print_json(result.to_dict())
        return
    out.print(f"{result.read} cables reread, {result.changed} changed")
    for cable_id in result.unreadable:
        err.print(f"{cable_id}: its stored text could not be read again; left as it was")
