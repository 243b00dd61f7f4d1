"""What every command shares: opening the database, choosing the acting user, reading dates,
printing JSON and writing files, and failing with one clear line instead of a traceback.

Errors are mapped here and nowhere else (`exit_for`): a service's refusal (the kinds in
`npdesk.services.errors`) becomes one line on standard error and the exit code of its kind; a
busy database exits 75; anything else is an "internal error" line. Sub-apps get the mapping
from their group class (`Commands`), commands registered on their own from `one_line_errors`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import json
import os
import sys
from collections.abc import Callable, Iterable, Sequence
from enum import Enum
from pathlib import Path
from typing import Any, NoReturn, ParamSpec, TypeVar, overload

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy.engine import Engine
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, OperationalError, SQLAlchemyError
from typer._click.core import Context as ClickContext  # typer vendors click since 0.2x
from typer.core import TyperGroup

# Commands written before the options had their own module import them from here: kept so
# that work in flight still merges; new code imports `npdesk.cli.options`.
from npdesk.cli.options import DbOption as DbOption
from npdesk.cli.options import JsonOption as JsonOption
from npdesk.cli.options import OutputOption as OutputOption
from npdesk.cli.options import TodayOption as TodayOption
from npdesk.cli.options import UserOption as UserOption
from npdesk.screening.cluster import ClusterUnavailable
from npdesk.security.audit import Outcome
from npdesk.security.model import User
from npdesk.services import audit as audit_service
from npdesk.services import errors
from npdesk.services.accounts import cli_actor
from npdesk.services.audit import AuditKeyError, audit_key
from npdesk.services.database import is_lock_failure, open_database, transaction
from npdesk.services.release import ReleaseRefused
from npdesk.settings import database_url

err = Console(stderr=True)
out = Console()


def fail(message: str, code: int = 1) -> NoReturn:
    # soft_wrap: one line however long (rich would otherwise wrap it at the terminal width).
    err.print(f"[bold red]error:[/] {message}", highlight=False, soft_wrap=True)
    raise typer.Exit(code)


# --- the one error mapping -----------------------------------------------------------------

EXIT_BUSY = errors.EXIT_CODE[errors.Unavailable]
"""Exit code when the database stayed busy (sysexits' EX_TEMPFAIL: try again later)."""

EXIT_CODE: dict[type[errors.DeskError], int] = {
    **errors.EXIT_CODE,
    # Scripts have relied on 1 for a missing record, a refusal and bad input since the first
    # release (and the tests pin it); conflicts and unavailability take the vocabulary's codes.
    errors.NotFound: 1,
    errors.NotPermitted: 1,
    errors.Invalid: 1,
}
"""The CLI's exit code per error kind."""

BUILTIN_KINDS: tuple[tuple[type[Exception], type[errors.DeskError]], ...] = (
    (ClusterUnavailable, errors.Unavailable),
    (LookupError, errors.NotFound),
    (PermissionError, errors.NotPermitted),
    (OSError, errors.Invalid),
    (ValueError, errors.Invalid),
)
"""How the builtins that pure cores and a few services still raise read (a state machine's
TransitionError, a LookupError for a missing paragraph, a file given on the command line
that cannot be read): each as the vocabulary kind it refines."""


def kind_of(exc: Exception) -> type[errors.DeskError] | None:
    """The vocabulary kind of `exc`, or None for a failure no kind describes (a bug)."""
    if isinstance(exc, errors.DeskError):
        return errors.kind_of(exc)
    return next((kind for builtin, kind in BUILTIN_KINDS if isinstance(exc, builtin)), None)


def describe(exc: Exception) -> str:
    """The line for a refusal. A policy's reason alone ("SECRET is above the agreed level")
    does not say that something was refused, so refusals say so first."""
    message = str(exc) or type(exc).__name__
    if isinstance(exc, ReleaseRefused):
        return f"release refused: {message}"
    if kind_of(exc) is errors.NotPermitted:
        return f"not permitted: {message}"
    return message


def error_line(exc: BaseException) -> str:
    """One line about a database error: the driver's first line only, never the statement
    or its bound parameters (which carry cable ids, subjects, names)."""
    orig = getattr(exc, "orig", None) or exc
    lines = str(orig).strip().splitlines()
    return f"{type(orig).__name__}: {lines[0] if lines else 'no message'}"


def exit_for(exc: Exception) -> NoReturn:
    """End the command for `exc`: one line on standard error and the exit code of its kind.
    The command line's own ways out (exits, aborts, usage errors) pass through, and with
    `NPDESK_DEBUG=1` so does everything (with its traceback)."""
    if type(exc).__module__.startswith(("typer", "click")) or os.environ.get("NPDESK_DEBUG"):
        raise exc
    if is_lock_failure(exc):
        fail(
            "the database is busy (another writer held its lock too long); nothing "
            f"from the failed step was saved, try again ({error_line(exc)})",
            code=EXIT_BUSY,
        )
    kind = kind_of(exc)
    if kind is not None:
        fail(describe(exc), code=EXIT_CODE[kind])
    if isinstance(exc, SQLAlchemyError):
        fail(f"database error: {error_line(exc)}")
    fail(f"internal error: {error_line(exc)} (NPDESK_DEBUG=1 shows where)")


class Commands(TyperGroup):
    """The group class of the root and of every sub-app: whatever a command did not handle
    itself ends through `exit_for`, never as a traceback."""

    def invoke(self, ctx: ClickContext) -> Any:
        try:
            return super().invoke(ctx)
        except Exception as exc:
            exit_for(exc)


def commands(help_text: str) -> typer.Typer:
    """A sub-app (`npdesk cases ...`) whose commands fail in one line."""
    return typer.Typer(cls=Commands, no_args_is_help=True, help=help_text)


_P = ParamSpec("_P")
_R = TypeVar("_R")


def one_line_errors(command: Callable[_P, _R]) -> Callable[_P, _R]:
    """`exit_for` for a command registered on its own (`npdesk search`, `npdesk metrics`),
    which no sub-app's group wraps."""

    @functools.wraps(command)
    def run(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        try:
            return command(*args, **kwargs)
        except Exception as exc:
            exit_for(exc)

    return run


# --- database and user ---------------------------------------------------------------------


def open_db(db: str | None) -> Engine:
    """An engine at the newest schema, or a clear failure."""
    url = database_url(db)
    try:
        engine = open_database(url)
    except OperationalError as exc:
        fail(f"cannot open database {_safe(url)}: {str(exc.orig).strip().splitlines()[0]}")
    except (ArgumentError, NoSuchModuleError):
        fail(f"cannot open database {_safe(url)}: use sqlite:///PATH or postgresql://HOST/DB")
    except SQLAlchemyError as exc:
        fail(f"cannot open database {_safe(url)}: {type(exc).__name__}: {str(exc).splitlines()[0]}")
    except Exception as exc:  # e.g. a bad URL scheme: one line, never a traceback
        fail(f"cannot open database {_safe(url)}: {exc}")
    try:
        audit_key()  # created on first start, so a key problem shows now and in one line
    except AuditKeyError as exc:
        fail(str(exc))
    return engine


def acting_user(engine: Engine, username: str | None) -> User:
    """The user a command acts as: `--user`/`NPDESK_USER`, else the local operator (home,
    admin, top clearance: whoever runs the CLI holds the database file anyway)."""
    return cli_actor(engine, username)


def connect(db: str | None, user: str | None) -> tuple[Engine, User]:
    """The database at the newest schema and the user the command acts as."""
    engine = open_db(db)
    return engine, acting_user(engine, user)


def authorized(db: str | None, user: str | None, action: str) -> tuple[Engine, User]:
    """`connect`, then the policy's check (audited) that the user may do `action`."""
    engine, actor = connect(db, user)
    audit_service.require(engine, actor, action, source="cli")
    return engine, actor


def audited(
    engine: Engine,
    actor: User,
    action: str,
    detail: dict[str, Any],
    outcome: Outcome = Outcome.OK,
) -> None:
    """Record in the audit log what a command did that no service records (a verification, an
    export written), in its own transaction, as done from the CLI."""
    with transaction(engine) as session:
        audit_service.record(session, actor, action, outcome=outcome, source="cli", detail=detail)


def _safe(url: str) -> str:
    """A URL fit to print: no password."""
    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        return f"{scheme}://***@{rest.split('@', 1)[1]}"
    return url


# --- input and output ----------------------------------------------------------------------


@overload
def parse_day(text: str, option: str) -> dt.date: ...
@overload
def parse_day(text: str | None, option: str) -> dt.date | None: ...
def parse_day(text: str | None, option: str) -> dt.date | None:
    """A `YYYY-MM-DD` argument (None when not given), or a clear failure naming it."""
    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        fail(f"{option} must be a date like 2008-03-26, not {text!r}")


def jsonable(value: object) -> object:
    """Dataclasses, enums, dates and sets as plain JSON data."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | frozenset | set):
        items = [jsonable(v) for v in value]
        return sorted(items, key=str) if isinstance(value, frozenset | set) else items
    return value


def print_json(value: object) -> None:
    """One JSON document (or JSON Lines record) on plain stdout: never wrapped or styled."""
    sys.stdout.write(json.dumps(jsonable(value), ensure_ascii=False) + "\n")


def print_table(
    columns: Sequence[str], rows: Iterable[Sequence[object]], *, title: str | None = None
) -> None:
    """A table of `columns` on standard output; a cell that is None shows blank, a number as
    its digits."""
    table = Table(*columns, title=title)
    for row in rows:
        table.add_row(*(_cell(cell) for cell in row))
    out.print(table)


def _cell(value: object) -> str:
    # A str subclass (the enums) stays as it is: rich shows its value.
    if isinstance(value, str):
        return value
    return "" if value is None else str(value)


_T = TypeVar("_T")


def print_listing(
    items: Sequence[_T],
    as_json: bool,
    columns: Sequence[str],
    row: Callable[[_T], Sequence[object]],
    *,
    title: str | None = None,
    data: object = None,
) -> None:
    """The one way a command shows a listing: with --json the items (or `data`, when the JSON
    document says more than the list) as `print_json` writes them, else a table of `columns`
    with `row(item)` for each item."""
    if as_json:
        print_json(items if data is None else data)
    else:
        print_table(columns, map(row, items), title=title)


def fictional_mark(title: str, fictional: bool) -> str:
    """The ` [FICTIONAL]` suffix for sample data whose title does not already say so."""
    return " [FICTIONAL]" if fictional and "FICTIONAL" not in title.upper() else ""


def write_output(data: bytes, output: Path | None, *, binary: bool) -> None:
    """An export to `output`, else to standard output (a PDF never to a terminal)."""
    if output is not None:
        try:
            output.write_bytes(data)
        except OSError as error:
            fail(f"cannot write {output}: {error.strerror}")
        out.print(f"wrote {output} ({len(data)} bytes)")
    elif binary and sys.stdout.isatty():
        fail("refusing to write a PDF to the terminal; use --output FILE")
    else:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
