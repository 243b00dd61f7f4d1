"""`npdesk cables parse|show|reread`: read cable files, show a stored cable, read every stored
cable again. (`cables release` is in `releases`, `cables suggest|decide` in `proposals`.)"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from npdesk.cables import Cable, CableParseError, parse_cable
from npdesk.cables.tags import describe_tag
from npdesk.cli.common import commands, connect, err, one_line_errors, out, print_json
from npdesk.cli.options import DbOption, JsonOption, UserOption
from npdesk.services import cables as cable_service
from npdesk.services.reread import reread_cables, stored_count

app = commands("Read and inspect cables.")


def read_cable_file(path: Path) -> Cable:
    """Read and parse one file. Raises CableParseError for anything that is not a cable,
    including files that are missing, unreadable, or not UTF-8 text."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise CableParseError("file not found") from None
    except IsADirectoryError:
        raise CableParseError("is a directory, not a file") from None
    except OSError as error:
        raise CableParseError(f"cannot read file: {error.strerror or error}") from None
    if b"\x00" in data[:65536]:
        raise CableParseError("binary file, not cable text")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise CableParseError("not UTF-8 text", line) from None
    return parse_cable(text)


@app.command("parse")
def parse_command(
    files: Annotated[
        list[Path], typer.Argument(help="Cable files: telegram, HTML page or copied text.")
    ],
    as_json: Annotated[
        bool, typer.Option("--json", help="Print JSON Lines: one object per file, in order.")
    ] = False,
) -> None:
    """Parse cables. Files that are not cables are reported and the others still parsed; the
    exit code is 1 when any file failed."""
    console = Console(highlight=False)
    failed = False
    for path in files:
        try:
            cable = read_cable_file(path)
        except CableParseError as error:
            failed = True
            if as_json:
                print_json({"file": str(path), "error": str(error)})
            else:
                console.print(f"[bold red]{path}[/]: not read — {error}")
            continue
        if as_json:
            print_json({"file": str(path), **cable.to_dict()})
        else:
            console.print(_summary_table(path, cable))
    if failed:
        raise typer.Exit(code=1)


def _summary_table(path: Path, cable: Cable) -> Table:
    table = Table(
        title=f"{cable.id or '(no id)'} — {path}", show_header=False, title_justify="left"
    )
    table.add_column("field", style="bold")
    table.add_column("value", overflow="fold")
    table.add_row("marking", cable.marking or "—")
    table.add_row("created", cable.created or "—")
    table.add_row("origin", cable.origin or "—")
    table.add_row("subject", cable.subject or "—")
    tags = [f"{tag} ({describe_tag(tag) or 'unknown tag'})" for tag in cable.tags]
    table.add_row("tags", ", ".join(tags) or "—")
    to = [f"{r.route} {r.name}" for r in cable.recipients]
    table.add_row("recipients", "; ".join(to) or "—")
    refs = [f"{r.label or '-'}: {r.id or r.text}" for r in cable.references]
    table.add_row("references", "; ".join(refs) or "—")
    table.add_row("classified by", cable.classified_by or "—")
    table.add_row("reasons", " ".join(cable.reasons) or "—")
    table.add_row("declassify", cable.declassify_on or cable.declassify_raw or "—")
    numbered = sum(1 for p in cable.paragraphs if p.number is not None)
    table.add_row("paragraphs", f"{numbered} numbered, {len(cable.paragraphs)} in all")
    table.add_row("summary", (cable.summary or "—")[:300])
    table.add_row("signers", ", ".join(cable.signers) or "—")
    if cable.warnings:
        table.add_row("warnings", "; ".join(cable.warnings))
    return table


@one_line_errors
def show(
    cable_id: Annotated[str, typer.Argument(help="Cable id, e.g. 08BEIJING1050")],
    as_json: JsonOption = False,
    db: DbOption = None,
    user: UserOption = None,
) -> None:
    """Show a stored cable with its references (resolved or not) and the cables citing it."""
    view = cable_service.read_cable(*connect(db, user), cable_id, source="cli")
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


@one_line_errors
def reread(
    as_json: JsonOption = False,
    db: DbOption = None,
    user: UserOption = None,
) -> None:
    """Read every stored cable again with the current reader: references, tags, recipients
    and header fields (markings and paragraphs stay as stored). Audited; safe to repeat."""
    engine, actor = connect(db, user)
    total = stored_count(engine, actor)
    columns = (TextColumn("rereading"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=err, disable=as_json, transient=True) as progress:
        task = progress.add_task("reread", total=total)
        result = reread_cables(
            engine, actor, source="cli", progress=lambda n: progress.advance(task, n)
        )
    if as_json:
        print_json(result.to_dict())
        return
    out.print(f"{result.read} cables reread, {result.changed} changed")
    for cable_id in result.unreadable:
        err.print(f"{cable_id}: its stored text could not be read again; left as it was")
