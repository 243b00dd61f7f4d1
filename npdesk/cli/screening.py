"""`npdesk lists ...` (load and diff list versions), `npdesk screen` (one name or a CSV batch)
and `npdesk screening ...` (decisions, known subjects, alerts).

Every command opens the database at the newest schema (`--db`), acts as `--user` and fails with
one clear line and a non-zero exit code, never a traceback."""

from __future__ import annotations

import csv
import os
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn
from rich.table import Table
from sqlalchemy.engine import Engine

from npdesk.cli.common import (
    commands,
    connect,
    fail,
    one_line_errors,
    open_db,
    out,
    print_json,
    print_listing,
)
from npdesk.cli.options import DbOption, JsonOption, UserOption
from npdesk.screening import EntryType, Query, QueryError
from npdesk.screening.batch import BatchHit
from npdesk.screening.loaders import LOADERS
from npdesk.security import csvsafe
from npdesk.security.model import User
from npdesk.services import approvals, errors, screening_lists
from npdesk.services import screening as service

lists_app = commands("Restricted-party lists: load and compare.")
screening_app = commands("Screening decisions, known subjects and alerts.")

BATCH_COLUMNS = ("id", "name", "rank", "list", "source_id", "matched_name", "score", "band")
TypeOption = Annotated[
    str | None, typer.Option("--type", help="entity or individual (evidence for the score).")
]
CountryOption = Annotated[
    str | None, typer.Option("--country", help="Country name or ISO code, e.g. CN.")
]
DobOption = Annotated[str | None, typer.Option("--dob", help="Year of birth, YYYY.")]


def _entry_type(value: str | None) -> EntryType | None:
    if value is None or value == "":
        return None
    if value not in (EntryType.ENTITY.value, EntryType.INDIVIDUAL.value):
        raise QueryError(f"--type must be entity or individual, not {value!r}")
    return EntryType(value)


# --- npdesk lists ----------------------------------------------------------------------------


@lists_app.command("load")
def load(
    file: Annotated[Path, typer.Argument(help="List file (or the OFAC SDN folder).")],
    format: Annotated[
        str | None, typer.Option("--format", help=f"One of {', '.join(LOADERS)}; detected.")
    ] = None,
    name: Annotated[str | None, typer.Option("--name", help="List name to store it as.")] = None,
    db: DbOption = None,
    user: UserOption = None,
    as_json: JsonOption = False,
) -> None:
    """Store FILE as a new dated version of its list, print its counts, re-screen known
    subjects. Malformed rows are reported and skipped; nothing is stored if the file cannot
    be read."""
    engine, actor = connect(db, user)
    if not file.exists():
        raise errors.NotFound(f"no such file: {file}")
    result = service.load_list_version(engine, actor, file, format=format, name=name)
    if as_json:
        print_json(result.to_json())
        return
    out.print(f"loaded [bold]{result.list_name}[/] version {result.version} ({result.format})")
    for key, value in result.counts.items():
        out.print(f"  {key}: {value}")
    for problem in result.problems:
        out.print(f"  [yellow]skipped[/] {problem}", highlight=False)
    out.print(f"  alerts raised by re-screening: {result.alerts}")


@lists_app.command("diff")
def diff(
    name: Annotated[str, typer.Argument(help="List name, e.g. ofac-sdn.")],
    old: Annotated[
        int | None, typer.Argument(help="Older version (default: second newest).")
    ] = None,
    new: Annotated[int | None, typer.Argument(help="Newer version (default: newest).")] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Entries added, removed and changed between two versions of list NAME."""
    if (old is None) != (new is None):
        fail("give both OLD and NEW versions, or neither")
    engine = open_db(db)
    older, newer, result = screening_lists.diff_versions(engine, name, old, new)
    data = {"list": name, "old": older, "new": newer, **result.to_json()}
    if as_json:
        print_json(data)
        return
    counts = data["counts"]
    out.print(f"{name} {older} -> {newer}: {counts}")
    for label, rows in (("+", data["added"]), ("-", data["removed"]), ("~", data["changed"])):
        for row in rows:
            out.print(f"  {label} {row['source_id']} {row['name']}", highlight=False)


@lists_app.command("versions")
def versions(
    name: Annotated[str | None, typer.Argument(help="Only this list.")] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Stored list versions, newest first."""
    print_listing(
        screening_lists.list_versions(open_db(db), name),
        as_json,
        ("list", "version", "format", "loaded at", "by", "entries"),
        lambda row: (
            row["list"],
            row["version"],
            row["format"],
            row["loaded_at"],
            row["loaded_by"],
            row["counts"].get("entries", ""),
        ),
    )


# --- npdesk screen ---------------------------------------------------------------------------


@one_line_errors
def screen(
    name: Annotated[str | None, typer.Argument(help="The name to screen.")] = None,
    type: TypeOption = None,
    country: CountryOption = None,
    dob: DobOption = None,
    top: Annotated[int | None, typer.Option("--top", help="At most N hits per name.")] = None,
    batch: Annotated[
        Path | None, typer.Option("--batch", help="CSV with columns id,name[,type,country,dob].")
    ] = None,
    out_file: Annotated[Path | None, typer.Option("--out", help="Batch results CSV.")] = None,
    workers: Annotated[
        int, typer.Option("--workers", help="Processes for a batch (default: all cores).")
    ] = 0,
    scheduler: Annotated[
        str | None,
        typer.Option("--scheduler", help="Dask scheduler address to spread a batch over."),
    ] = None,
    db: DbOption = None,
    user: UserOption = None,
    as_json: JsonOption = False,
) -> None:
    """Screen NAME (or a --batch CSV into --out) against the newest lists; hits best first,
    each with the list name that matched, its score, band and why."""
    if (name is None) == (batch is None):
        fail("give a NAME or --batch IN.csv, not both")
    if batch is not None and out_file is None:
        fail("--batch needs --out OUT.csv")
    engine, actor = connect(db, user)
    if batch is not None and out_file is not None:
        _screen_batch(
            engine,
            actor,
            batch,
            out_file,
            top if top is not None else 5,
            workers or os.cpu_count() or 1,
            as_json,
            scheduler,
        )
        return
    assert name is not None
    query = Query(name, _entry_type(type), country or None, dob or None)
    query.country_code()
    query.birth_year()
    result = service.screen_name(engine, actor, query, top=top)
    if as_json:
        print_json(result.to_json())
        return
    if not result.hits:
        out.print(f"no hits for {name!r} (lists: {result.list_versions})", highlight=False)
        return
    table = Table("hit", "list", "id", "name", "matched name", "score", "band", "why")
    for stored in result.hits:
        hit = stored.hit
        why = hit.explanation.summary()
        if stored.earlier_decisions:
            last = stored.earlier_decisions[0]
            why += f" | earlier: {last.judgement} by {last.decided_by} ({last.reason})"
        table.add_row(
            str(stored.hit_id),
            hit.entry.list_name,
            hit.entry.source_id,
            hit.entry.name,
            hit.matched_name,
            f"{hit.score:.2f}",
            hit.band.value if hit.band else "",
            why,
        )
    out.print(table)


def read_batch(path: Path) -> list[tuple[str, Query]]:
    """(id, query) for each row of a batch CSV. Raises ValueError naming the file and line of
    the first bad row (missing columns, empty name, bad type, country or year)."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        columns = set(reader.fieldnames or ())
        if not {"id", "name"} <= columns:
            raise ValueError(
                f"{path}: the header must have the columns id,name "
                "(and optionally type,country,dob)"
            )
        rows = []
        for row in reader:
            line = reader.line_num
            try:
                if not (row.get("name") or "").strip():
                    raise QueryError("empty name")
                query = Query(
                    row["name"].strip(),
                    _entry_type((row.get("type") or "").strip()),
                    (row.get("country") or "").strip() or None,
                    (row.get("dob") or "").strip() or None,
                )
                query.country_code()
                query.birth_year()
            except QueryError as error:
                raise ValueError(f"{path}:{line}: {error}") from error
            rows.append(((row.get("id") or "").strip(), query))
    return rows


def write_batch(path: Path, rows: list[tuple[str, Query]], results: list[list[BatchHit]]) -> int:
    """Write the batch results CSV; returns the number of hit rows written."""
    written = 0
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csvsafe.writer(handle)  # no formula cells for spreadsheets
        writer.writerow(BATCH_COLUMNS)
        for (row_id, query), hits in zip(rows, results, strict=True):
            if not hits:
                writer.writerow([row_id, query.name, "", "", "", "", "", ""])
            for rank, hit in enumerate(hits, 1):
                writer.writerow(
                    [
                        row_id,
                        query.name,
                        rank,
                        hit.list_name,
                        hit.source_id,
                        hit.matched_name,
                        f"{hit.score:.4f}",
                        hit.band or "",
                    ]
                )
                written += 1
    return written


def _screen_batch(
    engine: Engine,
    actor: User,
    source: Path,
    target: Path,
    top: int,
    workers: int,
    as_json: bool,
    scheduler: str | None,
) -> None:
    rows = read_batch(source)
    with Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=out,
        disable=as_json,
        transient=False,
    ) as progress:
        task = progress.add_task("screening", total=len(rows))
        results = service.screen_batch(
            engine,
            actor,
            [q for _id, q in rows],
            top=top,
            workers=workers,
            progress=lambda n: progress.advance(task, n),
            scheduler=scheduler,
        )
    written = write_batch(target, rows, results)
    summary = {
        "names": len(rows),
        "with_hits": sum(1 for r in results if r),
        "hit_rows": written,
        "out": str(target),
    }
    if as_json:
        print_json(summary)
    else:
        out.print(f"screened {len(rows)} names; {summary['with_hits']} with hits; wrote {target}")


# --- npdesk screening ------------------------------------------------------------------------


@screening_app.command("decide")
def decide(
    hit_id: Annotated[int, typer.Argument(help="The hit number a screening showed.")],
    judgement: Annotated[
        str, typer.Option("--judgement", help="true_match, false_positive or unsure.")
    ],
    reason: Annotated[str, typer.Option("--reason", help="Why (kept with the decision).")],
    db: DbOption = None,
    user: UserOption = None,
    as_json: JsonOption = False,
) -> None:
    """Record a decision on a hit. Decisions are kept for good; a later screening of the same
    name against the same entry shows them."""
    engine, actor = connect(db, user)
    if approvals.needs_second_person(engine, actor, hit_id, judgement):
        # Clearing a match is as irreversible in effect as a release: two people.
        view = approvals.propose_release(
            engine,
            actor,
            approvals.SCREENING_HIT,
            str(hit_id),
            source="cli",
            detail={"judgement": judgement, "reason": reason.strip()},
        )
        if as_json:
            print_json(view.as_dict())
        else:
            out.print(
                f"hit {hit_id} is a match: clearing it takes a second person; "
                f"proposed as release {view.id} (`npdesk releases approve {view.id}`)"
            )
        return
    decision = service.record_decision(engine, actor, hit_id, judgement, reason)
    if as_json:
        print_json(decision.to_json())
    else:
        out.print(f"recorded {decision.judgement} on hit {hit_id}")


@screening_app.command("subject")
def subject(
    name: Annotated[str, typer.Argument(help="Firm or person to keep screening.")],
    type: TypeOption = None,
    country: CountryOption = None,
    dob: DobOption = None,
    source: Annotated[str, typer.Option("--source", help="case, firm or manual.")] = "manual",
    reference: Annotated[str, typer.Option("--reference", help="Case reference, firm id.")] = "",
    db: DbOption = None,
    user: UserOption = None,
    as_json: JsonOption = False,
) -> None:
    """Add a firm or person to the subjects re-screened whenever a list version loads."""
    engine, actor = connect(db, user)
    subject_id = service.register_subject(
        engine, actor, name, _entry_type(type), country, dob, source, reference
    )
    if as_json:
        print_json({"subject_id": subject_id, "name": name})
    else:
        out.print(f"subject {subject_id}: {name}", highlight=False)


@screening_app.command("alerts")
def alerts(db: DbOption = None, user: UserOption = None, as_json: JsonOption = False) -> None:
    """Open alerts from re-screening: new hits and removed entries."""
    engine, actor = connect(db, user)
    print_listing(
        service.open_alerts(engine, actor),
        as_json,
        ("alert", "subject", "kind", "list", "id", "entry", "score", "raised"),
        lambda row: (
            row["alert_id"],
            row["subject"],
            row["kind"],
            row["list"],
            row["source_id"],
            row["entry_name"],
            None if row["score"] is None else f"{row['score']:.2f}",
            row["raised_at"],
        ),
    )
