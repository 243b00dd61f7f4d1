"""`npdesk audit verify` and `npdesk audit export --since DATE`.

Both are audited like any other action: `verify` records whether the chain held, `export`
records how many entries it wrote (after writing them, so an export never contains itself).
"""

from __future__ import annotations

import json
import sys
from datetime import datetime
from pathlib import Path
from typing import Annotated, TextIO

import typer

from npdesk.cli.common import DbOption, UserOption, acting_user, err, fail, open_db, out
from npdesk.security.audit import Outcome
from npdesk.services import audit
from npdesk.store.db import transaction

app = typer.Typer(no_args_is_help=True, help="The tamper-evident audit log.")

SOURCE = "cli"


@app.command("verify")
def verify(db: DbOption = None, user: UserOption = None) -> None:
    """Check every entry's hash and link; exit 1 naming the first bad entry."""
    engine = open_db(db)
    actor = acting_user(engine, user)
    try:
        audit.require(engine, actor, "audit.verify", source=SOURCE)
    except audit.PermissionDenied as exc:
        fail(f"{exc} (acting as {actor.username})")
    entries = audit.count(engine)
    problem = audit.verify(engine)
    with transaction(engine) as session:
        audit.record(
            session,
            actor,
            "audit.verify",
            outcome=Outcome.OK if problem is None else Outcome.ERROR,
            source=SOURCE,
            detail={"entries": entries, "problem": str(problem) if problem else None},
        )
    if problem is not None:
        fail(f"audit log broken at {problem}")
    out.print(f"audit log intact: {entries} entries")


@app.command("export")
def export(
    since: Annotated[
        datetime | None,
        typer.Option(
            "--since",
            formats=["%Y-%m-%d", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M:%S%z"],
            help="Only entries at or after this date (UTC), e.g. 2026-11-01.",
        ),
    ] = None,
    output: Annotated[
        Path | None, typer.Option("--out", help="Write here instead of standard output.")
    ] = None,
    db: DbOption = None,
    user: UserOption = None,
) -> None:
    """Write the audit log as JSON Lines, one entry per line, oldest first."""
    engine = open_db(db)
    actor = acting_user(engine, user)
    try:
        audit.require(engine, actor, "audit.export", source=SOURCE)
    except audit.PermissionDenied as exc:
        fail(f"{exc} (acting as {actor.username})")
    try:
        stream: TextIO = output.open("w", encoding="utf-8") if output else sys.stdout
    except OSError as exc:
        fail(f"cannot write {output}: {exc.strerror}")
    written = 0
    try:
        for entry in audit.export(engine, since):
            stream.write(json.dumps(entry, ensure_ascii=False, sort_keys=True) + "\n")
            written += 1
    finally:
        if output:
            stream.close()
    with transaction(engine) as session:
        audit.record(
            session,
            actor,
            "audit.export",
            outcome=Outcome.OK,
            source=SOURCE,
            detail={"since": since.isoformat() if since else None, "entries": written},
        )
    if output:
        err.print(f"wrote {written} entries to {output}")
