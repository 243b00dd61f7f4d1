"""`npdesk users ...` (accounts): add, list, disable and reset the password of user accounts.

Passwords are read from standard input when it is not a terminal (one line), else prompted
twice without echo; they never appear on the command line. Every command acts as `--user` /
`NPDESK_USER` (default: the local operator) and is audited.
"""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from npdesk.cli.common import authorized, commands, fail, out, print_listing
from npdesk.cli.options import DbOption, JsonOption, UserOption
from npdesk.security.model import Level, Party, Role
from npdesk.services import accounts, audit
from npdesk.services.database import transaction, utcnow

app = commands("User accounts.")

SOURCE = "cli"


def read_password(confirm: bool = True) -> str:
    """The new password: one line from a piped stdin, else prompted (twice) without echo."""
    if not sys.stdin.isatty():
        line = sys.stdin.readline()
        password = line.rstrip("\r\n")
        if not password:
            fail("no password on standard input")
        return password
    entered: str = typer.prompt("Password", hide_input=True, confirmation_prompt=confirm)
    return entered


def _level(value: str) -> Level:
    try:
        return Level.parse(value)
    except ValueError:
        fail(f"--clearance must be one of {', '.join(level.name for level in Level)}")


@app.command("add")
def add(
    username: Annotated[str, typer.Argument(help="Login name (letters, digits, . _ -).")],
    role: Annotated[Role, typer.Option("--role", help="admin, officer, reviewer or liaison.")],
    party: Annotated[Party, typer.Option("--party", help="home or partner.")],
    clearance: Annotated[str, typer.Option("--clearance", help="U, C, S or TS.")],
    country: Annotated[
        str | None, typer.Option("--country", help="Partner users: country code (CHN).")
    ] = None,
    db: DbOption = None,
    user: UserOption = None,
) -> None:
    """Create a user; the password comes from standard input or a prompt."""
    level = _level(clearance)
    engine, actor = authorized(db, user, "users.add")
    problem = accounts.validate_new_user(username, party, role, country, "x" * 12)
    if problem:
        fail(problem)
    password = read_password()
    with transaction(engine) as session:
        created = accounts.add_user(
            session,
            actor,
            username=username,
            password=password,
            party=party,
            role=role,
            clearance=level,
            country=country,
            source=SOURCE,
        )
    out.print(
        f"added {created.username} ({created.party}, {created.role}, {created.clearance.name})"
    )


@app.command("list")
def list_(db: DbOption = None, user: UserOption = None, as_json: JsonOption = False) -> None:
    """List every account (never a password hash)."""
    engine, actor = authorized(db, user, "users.list")
    with transaction(engine) as session:
        rows = accounts.list_users(session)
        audit.record(session, actor, "users.list", outcome="allowed", source=SOURCE)
    now = utcnow()

    def status(row: accounts.AccountSummary) -> str:
        locked = row.locked_until is not None and row.locked_until > now
        return "disabled" if row.disabled else ("locked" if locked else "active")

    print_listing(
        rows,
        as_json,
        ("user", "party", "role", "clearance", "country", "status"),
        lambda row: (
            row.username,
            row.party.value,
            row.role.value,
            row.clearance.name,
            row.country,
            status(row),
        ),
        data=[
            {
                "username": row.username,
                "party": row.party.value,
                "role": row.role.value,
                "clearance": row.clearance.name,
                "country": row.country,
                "disabled": row.disabled,
                "locked_until": row.locked_until.isoformat() if row.locked_until else None,
            }
            for row in rows
        ],
    )


@app.command("disable")
def disable(
    username: Annotated[str, typer.Argument(help="The account to disable.")],
    db: DbOption = None,
    user: UserOption = None,
) -> None:
    """Disable an account and revoke its sessions and API tokens."""
    engine, actor = authorized(db, user, "users.disable")
    with transaction(engine) as session:
        accounts.disable_user(session, actor, username, source=SOURCE)
    out.print(f"disabled {username.lower()}")


@app.command("reset-password")
def reset_password(
    username: Annotated[str, typer.Argument(help="The account whose password to set.")],
    db: DbOption = None,
    user: UserOption = None,
) -> None:
    """Set a new password (stdin or prompt), lift any lockout, revoke sessions and tokens."""
    engine, actor = authorized(db, user, "users.reset_password")
    password = read_password()
    with transaction(engine) as session:
        accounts.reset_password(session, actor, username, password, source=SOURCE)
    out.print(f"new password set for {username.lower()}")
