"""What every command shares: opening the database, choosing the acting user, printing JSON,
and failing with one clear line instead of a traceback."""

from __future__ import annotations

import json
import os
import sys
from typing import Annotated, Any, NoReturn

import typer
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from rich.console import Console
from sqlalchemy.engine import Engine
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, OperationalError, SQLAlchemyError
from typer._click.core import Context as ClickContext  # typer vendors click since 0.2x
from typer.core import TyperGroup

from npdesk.security.model import User
from npdesk.services.accounts import AccountError, cli_actor
from npdesk.services.audit import AuditKeyError, audit_key
from npdesk.settings import database_url
from npdesk.store.db import READ_ONLY, is_lock_failure, make_engine
from npdesk.store.schema import alembic_config, upgrade

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

err = Console(stderr=True)
out = Console()


def fail(message: str, code: int = 1) -> NoReturn:
    # soft_wrap: one line however long (rich would otherwise wrap it at the terminal width).
    err.print(f"[bold red]error:[/] {message}", highlight=False, soft_wrap=True)
    raise typer.Exit(code)


EXIT_BUSY = 75
"""Exit code when the database stayed busy (sysexits' EX_TEMPFAIL: try again later)."""


def error_line(exc: BaseException) -> str:
    """One line about a database error: the driver's first line only, never the statement
    or its bound parameters (which carry cable ids, subjects, names)."""
    orig = getattr(exc, "orig", None) or exc
    lines = str(orig).strip().splitlines()
    return f"{type(orig).__name__}: {lines[0] if lines else 'no message'}"


class OneLineErrors(TyperGroup):
    """The root command group: whatever a command did not handle itself ends as one line on
    standard error and an exit code, never a traceback (`NPDESK_DEBUG=1` shows it)."""

    def invoke(self, ctx: ClickContext) -> Any:
        try:
            return super().invoke(ctx)
        except Exception as exc:
            # Exits, aborts and usage errors are the command line's own way out: keep them.
            if type(exc).__module__.startswith(("typer", "click")) or os.environ.get(
                "NPDESK_DEBUG"
            ):
                raise
            if is_lock_failure(exc):
                fail(
                    "the database is busy (another writer held its lock too long); nothing "
                    f"from the failed step was saved, try again ({error_line(exc)})",
                    code=EXIT_BUSY,
                )
            if isinstance(exc, SQLAlchemyError):
                fail(f"database error: {error_line(exc)}")
            fail(f"internal error: {error_line(exc)} (NPDESK_DEBUG=1 shows where)")


def open_db(db: str | None) -> Engine:
    """An engine at the newest schema, or a clear failure."""
    url = database_url(db)
    try:
        engine = make_engine(url)
        if not _is_current(engine):
            upgrade(engine)
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


def _is_current(engine: Engine) -> bool:
    # Read-only: a current schema (the usual case) must not queue for SQLite's write lock
    # behind a running ingest just to find there is nothing to do.
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    with engine.connect().execution_options(**{READ_ONLY: True}) as connection:
        return MigrationContext.configure(connection).get_current_revision() == head


def acting_user(engine: Engine, username: str | None) -> User:
    """The user a command acts as: `--user`/`NPDESK_USER`, else the local operator (home,
    admin, top clearance: whoever runs the CLI holds the database file anyway)."""
    try:
        return cli_actor(engine, username)
    except AccountError as exc:
        fail(str(exc))


def print_json(value: Any) -> None:
    sys.stdout.write(json.dumps(value, ensure_ascii=False) + "\n")


def _safe(url: str) -> str:
    """A URL fit to print: no password."""
    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        return f"{scheme}://***@{rest.split('@', 1)[1]}"
    return url


def is_ci() -> bool:
    return os.environ.get("CI", "").lower() == "true"
