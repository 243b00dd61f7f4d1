"""`npdesk audit verify [--checkpoint FILE]`, `npdesk audit checkpoint` and
`npdesk audit export --since DATE`.

All are audited like any other action: `verify` records whether the chain held, `checkpoint`
and `export` record what they wrote (after writing it, so neither ever contains itself).
"""

from __future__ import annotations

import json
import sys
from datetime import datetime
from pathlib import Path
from typing import Annotated, TextIO

import typer

from npdesk.cli.common import audited, authorized, commands, err, fail, out
from npdesk.cli.options import DbOption, UserOption
from npdesk.security.audit import BadCheckpoint, Checkpoint, Outcome
from npdesk.services import audit

app = commands("The tamper-evident audit log.")

CheckpointOption = Annotated[
    list[Path] | None,
    typer.Option(
        "--checkpoint",
        help="A file of checkpoints from `npdesk audit checkpoint` (repeatable): the log must "
        "still hold each of them.",
    ),
]


@app.command("verify")
def verify(
    checkpoint: CheckpointOption = None, db: DbOption = None, user: UserOption = None
) -> None:
    """Check every entry's keyed hash and link, the head, and any checkpoints given; exit 1
    naming the first bad entry."""
    engine, actor = authorized(db, user, "audit.verify")
    try:
        checkpoints: list[Checkpoint] = [
            found for path in checkpoint or [] for found in audit.load_checkpoints(path)
        ]
        entries = audit.count(engine)
        problem = audit.verify(engine, checkpoints)
    except BadCheckpoint as exc:
        fail(f"bad checkpoint: {exc}", code=2)
    audited(
        engine,
        actor,
        "audit.verify",
        {
            "entries": entries,
            "checkpoints": len(checkpoints),
            "problem": str(problem) if problem else None,
        },
        Outcome.OK if problem is None else Outcome.ERROR,
    )
    if problem is not None:
        fail(f"audit log broken at {problem}")
    held = f", holding {len(checkpoints)} checkpoints" if checkpoints else ""
    out.print(f"audit log intact: {entries} entries{held}")


@app.command("checkpoint")
def checkpoint(db: DbOption = None, user: UserOption = None) -> None:
    """Print a signed checkpoint (sequence, head, time) of the log as it ends now, as one JSON
    line. Keep it outside the database (`>> checkpoints.jsonl` elsewhere); `verify
    --checkpoint FILE` then shows a log cut, emptied or rewritten since."""
    engine, actor = authorized(db, user, "audit.export")
    try:
        taken = audit.checkpoint(engine)
    except audit.AuditBroken as exc:
        fail(f"no checkpoint of a broken log: audit log broken at {exc.problem}")
    sys.stdout.write(json.dumps(taken.to_json(), sort_keys=True) + "\n")
    sys.stdout.flush()
    audited(engine, actor, "audit.export", {"checkpoint": taken.content()})


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
    engine, actor = authorized(db, user, "audit.export")
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
    audited(
        engine,
        actor,
        "audit.export",
        {"since": since.isoformat() if since else None, "entries": written},
    )
    if output:
        err.print(f"wrote {written} entries to {output}")
