"""Sharing with the partner: `npdesk cables release`, `npdesk cases release`, the `share`
commands of firms, events and commitments, and `npdesk releases list|approve|reject`, the
second step of a two-person release (on unless `NPDESK_TWO_PERSON_RELEASE` is off)."""

from __future__ import annotations

from typing import Annotated

import typer
from sqlalchemy.engine import Engine

from npdesk.cli.common import (
    commands,
    connect,
    fail,
    one_line_errors,
    out,
    print_json,
    print_listing,
)
from npdesk.cli.options import DbOption, JsonOption, UserOption
from npdesk.security.model import User
from npdesk.services import approvals
from npdesk.services.approvals import ReleaseView
from npdesk.services.database import reading
from npdesk.services.program_records import share_record, visible_firm
from npdesk.services.release import release_cable
from npdesk.settings import two_person_release

app = commands("Releases to the partner waiting for a second person.")

OffOption = Annotated[bool, typer.Option("--off", help="Stop sharing instead.")]


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
    engine, actor = connect(db, user)
    views = approvals.list_releases(engine, actor, None if state == "all" else state)
    if not views and not as_json:
        out.print(f"no {state} releases" if state != "all" else "no releases")
        return
    print_listing(
        views,
        as_json,
        ("#", "what", "partner", "state", "proposed by", "proposed at", "decided by"),
        lambda v: (
            v.id,
            v.describe(),
            v.partner,
            v.state,
            v.proposed_by,
            v.proposed_at,
            f"{v.decided_by} ({v.reason})" if v.reason else v.decided_by,
        ),
        data=[v.as_dict() for v in views],
    )


@app.command("approve")
def approve(
    release_id: Annotated[int, typer.Argument(help="The release number `releases list` shows.")],
    as_json: JsonOption = False,
    db: DbOption = None,
    user: UserOption = None,
) -> None:
    """Approve another officer's proposed release; it goes to the partner at once."""
    engine, actor = connect(db, user)
    view = approvals.approve_release(engine, actor, release_id, source="cli")
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
    engine, actor = connect(db, user)
    view = approvals.reject_release(engine, actor, release_id, reason, source="cli")
    if as_json:
        print_json(view.as_dict())
        return
    out.print(f"rejected release {view.id}: {view.describe()}: {view.reason}")


@one_line_errors
def release_case(
    reference: Annotated[str, typer.Argument(help="Case reference, e.g. NP-2008-0001")],
    as_json: JsonOption = False,
    db: DbOption = None,
    user: UserOption = None,
) -> None:
    """Propose releasing a case to the partner (a second officer approves it with `npdesk
    releases approve`); with two-person release off, release it at once."""
    engine, actor = connect(db, user)
    view = approvals.propose_release(engine, actor, approvals.CASE, reference, source="cli")
    if not two_person_release():
        # A one-person desk: the proposal is applied by the same person at once.
        view = approvals.approve_release(engine, actor, view.id, source="cli")
    if as_json:
        print_json(view.as_dict())
    elif view.state == "approved":
        out.print(f"case {view.record_id} released to {view.partner}")
    else:
        out.print(proposed_line(view))


@one_line_errors
def release_cable_command(
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
    engine, actor = connect(db, user)
    if two_person_release():
        view = approvals.propose_release(
            engine, actor, approvals.CABLE, cable_id, paragraph or None, source="cli"
        )
        if as_json:
            print_json(view.as_dict())
        else:
            out.print(proposed_line(view))
        return
    result = release_cable(engine, actor, cable_id, paragraph or None, source="cli")
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


def share(engine: Engine, actor: User, kind: str, record_id: int, off: bool) -> None:
    """Share a desk record with the partner (a proposal when two people must agree) or stop
    sharing it (`off`, which never needs a second person)."""
    if not off and two_person_release():
        view = approvals.propose_release(engine, actor, kind, str(record_id), source="cli")
        out.print(proposed_line(view))
        return
    share_record(engine, actor, kind, record_id, not off)
    out.print(f"{kind} {record_id} {'no longer shared' if off else 'shared with the partner'}")


def firm_id(engine: Engine, actor: User, key: str) -> int:
    """The record number of firm `key`; a firm the user may not see answers like one that does
    not exist."""
    with reading(engine) as session:
        return visible_firm(session, actor, key).id
