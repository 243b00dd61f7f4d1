"""`npdesk releases list|approve|reject`: the second step of a two-person release. The first
step is the ordinary command (`cables release`, `firms share`, `screening decide`), which
proposes when `NPDESK_TWO_PERSON_RELEASE` is on."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, TypeVar

import typer
from rich.table import Table

from npdesk.cli.common import (
    DbOption,
    JsonOption,
    UserOption,
    acting_user,
    fail,
    open_db,
    out,
    print_json,
)
from npdesk.services import approvals
from npdesk.services.approvals import ReleaseView
from npdesk.services.errors import NotPermitted
from npdesk.services.release import ReleaseRefused
from npdesk.services.screening import ScreeningError
from npdesk.settings import two_person_release

app = typer.Typer(help="Releases to the partner waiting for a second person.", no_args_is_help=True)

_T = TypeVar("_T")


def run(action: Callable[[], _T]) -> _T:
    """Run a release service call, turning its refusals into one-line failures."""
    try:
        return action()
    except (approvals.ApprovalError, ReleaseRefused) as error:
        fail(f"refused: {error.reason}")
    except (LookupError, ScreeningError) as error:
        fail(str(error))
    except (NotPermitted, PermissionError) as error:
        fail(f"not permitted: {error}")
    except ValueError as error:
        fail(f"invalid: {error}")


def proposed_line(view: ReleaseView) -> str:
    return (
        f"proposed release {view.id}: {view.describe()} to {view.partner}; nothing goes to the "
        f"partner until another officer runs `npdesk releases approve {view.id}`"
    )


@app.command("list")
def list_releases(
    state: Annotated[
        str, typer.Option("--state", help="proposed, approved, rejected or all")
    ] = "proposed",
    as_json: JsonOption = False,
    db: DbOption = None,
    user: UserOption = None,
) -> None:
    """Releases in a state (default: waiting for approval), newest first, with who proposed."""
    if state not in {"proposed", "approved", "rejected", "all"}:
        fail("--state must be proposed, approved, rejected or all")
    engine = open_db(db)
    actor = acting_user(engine, user)
    views = run(lambda: approvals.list_releases(engine, actor, None if state == "all" else state))
    if as_json:
        print_json([v.as_dict() for v in views])
        return
    if not views:
        out.print(f"no {state} releases" if state != "all" else "no releases")
        return
    table = Table("#", "what", "partner", "state", "proposed by", "proposed at", "decided by")
    for v in views:
        decided = f"{v.decided_by} ({v.reason})" if v.reason else (v.decided_by or "")
        table.add_row(
            str(v.id), v.describe(), v.partner, v.state, v.proposed_by, v.proposed_at, decided
        )
    out.print(table)


@app.command("approve")
def approve(
    release_id: Annotated[int, typer.Argument(help="The release number `releases list` shows.")],
    as_json: JsonOption = False,
    db: DbOption = None,
    user: UserOption = None,
) -> None:
    """Approve another officer's proposed release; it goes to the partner at once."""
    engine = open_db(db)
    actor = acting_user(engine, user)
    view = run(lambda: approvals.approve_release(engine, actor, release_id, source="cli"))
    if as_json:
        print_json(view.as_dict())
        return
    out.print(f"approved release {view.id}: {view.describe()} released to {view.partner}")


@app.command("reject")
def reject(
    release_id: Annotated[int, typer.Argument(help="The release number `releases list` shows.")],
    reason: Annotated[str, typer.Option("--reason", help="Why (the proposer sees it).")],
    as_json: JsonOption = False,
    db: DbOption = None,
    user: UserOption = None,
) -> None:
    """Reject a proposed release (or withdraw your own), saying why; nothing is released."""
    engine = open_db(db)
    actor = acting_user(engine, user)
    view = run(lambda: approvals.reject_release(engine, actor, release_id, reason, source="cli"))
    if as_json:
        print_json(view.as_dict())
        return
    out.print(f"rejected release {view.id}: {view.describe()}: {view.reason}")


def release_case(
    reference: Annotated[str, typer.Argument(help="Case reference, e.g. NP-2008-0001")],
    as_json: JsonOption = False,
    db: DbOption = None,
    user: UserOption = None,
) -> None:
    """Propose releasing a case to the partner (a second officer approves it with `npdesk
    releases approve`); with two-person release off, release it at once."""
    engine = open_db(db)
    actor = acting_user(engine, user)
    view = run(
        lambda: approvals.propose_release(engine, actor, approvals.CASE, reference, source="cli")
    )
    if not two_person_release():
        # A one-person desk: the proposal is applied by the same person at once.
        view = run(lambda: approvals.approve_release(engine, actor, view.id, source="cli"))
    if as_json:
        print_json(view.as_dict())
    elif view.state == "approved":
        out.print(f"case {view.record_id} released to {view.partner}")
    else:
        out.print(proposed_line(view))
