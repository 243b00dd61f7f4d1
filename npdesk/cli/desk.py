"""`npdesk firms ...`, `npdesk events ...`, `npdesk commitments ...` and the cable commands
`npdesk cables suggest ID` / `npdesk cables decide PROPOSAL accept|edit|reject`.

Every command opens the database at the newest schema (`--db`), acts as `--user`, and fails
with one clear line and a non-zero exit code, never a traceback.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Annotated, Any, TypeVar

import typer
from rich.table import Table

from npdesk.cli import releases
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
from npdesk.domain.icp import frameworks
from npdesk.services import approvals, errors, program_records
from npdesk.services import commitments as commitment_service
from npdesk.services import events as event_service
from npdesk.services import firms as firm_service
from npdesk.services import proposals as proposal_service
from npdesk.settings import two_person_release
from npdesk.store.db import session_factory

firms_app = typer.Typer(no_args_is_help=True, help="Firms, dialogues and ICP assessments.")
events_app = typer.Typer(no_args_is_help=True, help="Cooperation events and letters.")
commitments_app = typer.Typer(no_args_is_help=True, help="Commitments each side owes.")

_T = TypeVar("_T")
TodayOption = Annotated[
    str | None, typer.Option("--today", help="Treat this day (YYYY-MM-DD) as today.")
]


def _run(action: Callable[[], _T]) -> _T:
    """Run a service call, turning its errors into one-line failures."""
    try:
        return action()
    except errors.NotFound as error:
        fail(str(error))
    except errors.NotPermitted as error:
        fail(f"not permitted: {error}")
    except errors.Invalid as error:
        fail(f"invalid: {error}")


def _day(value: str | None, what: str) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        fail(f"{what} must be a date like 2008-03-26, not {value!r}")


# --- cables suggest / decide ----------------------------------------------------------------


def suggest(
    cable_id: Annotated[str, typer.Argument(help="Cable id, e.g. 08BEIJING1050.")],
    as_json: JsonOption = False,
    refresh: Annotated[
        bool, typer.Option("--refresh", help="Read the cable again; keep decided proposals.")
    ] = False,
    db: DbOption = None,
    user: UserOption = None,
) -> None:
    """Propose firms, people, meetings, events, letters, visits, reviews, handovers and
    commitments read from a stored cable."""
    engine = open_db(db)
    actor = acting_user(engine, user)
    # Who may not read the cable learns nothing and makes nothing read: checked first.
    _run(lambda: proposal_service.proposals_for(engine, actor, cable_id))
    _run(lambda: proposal_service.suggest_for_cable(engine, cable_id, refresh=refresh))
    views = proposal_service.list_proposals(engine, actor, cable_id)
    if not views:
        fail(f"no cable {cable_id!r} (or nothing in it you may read)")
    if as_json:
        keys = ("kind", "text", "date", "date_range", "paragraph", "entities", "owner")
        print_json([{k: v.proposal[k] for k in keys} for v in views])
        return
    table = Table("id", "kind", "date", "¶", "owner", "state", "proposal", title=cable_id)
    for view in views:
        p = view.proposal
        when = p["date"] or ("..".join(p["date_range"]) if p["date_range"] else "")
        table.add_row(
            str(view.id),
            p["kind"],
            when,
            str(p["paragraph"] or ""),
            p["owner"] or "",
            view.state,
            view.title,
        )
    out.print(table)


def suggest_all(db: DbOption = None, user: UserOption = None) -> None:
    """Read every stored cable that has no proposals yet and store its proposals."""
    engine = open_db(db)
    acting_user(engine, user)
    count = proposal_service.suggest_all(engine)
    out.print(f"read {count} cables for proposals")


def decide(
    proposal_id: Annotated[int, typer.Argument(help="Proposal id (from `cables suggest`).")],
    decision: Annotated[str, typer.Argument(help="accept, edit or reject")],
    values: Annotated[
        str | None, typer.Option("--values", help='Edited values as JSON: {"date": "..."}')
    ] = None,
    shared: Annotated[
        bool, typer.Option("--shared", help="Share the created record with the partner.")
    ] = False,
    note: Annotated[str, typer.Option("--note")] = "",
    as_json: JsonOption = False,
    db: DbOption = None,
    user: UserOption = None,
) -> None:
    """Accept, edit or reject a proposal; accepting creates the desk record."""
    engine = open_db(db)
    actor = acting_user(engine, user)
    try:
        changes: dict[str, Any] = json.loads(values) if values else {}
    except json.JSONDecodeError as error:
        fail(f"--values is not JSON: {error.msg}")
    if not isinstance(changes, dict):
        fail("--values must be a JSON object")
    if shared:
        changes["shared_with_partner"] = True
    view = _run(
        lambda: proposal_service.decide(engine, actor, proposal_id, decision, changes, note)
    )
    if as_json:
        print_json(view.to_dict())
    else:
        out.print(
            f"proposal {view.id} {view.state}"
            + (f" → {view.record_kind} {view.record_id}" if view.record_kind else "")
        )


# --- firms ---------------------------------------------------------------------------------


@firms_app.command("list")
def firms_list(as_json: JsonOption = False, db: DbOption = None, user: UserOption = None) -> None:
    """List the firms you may see."""
    engine = open_db(db)
    views = firm_service.list_firms(engine, acting_user(engine, user))
    if as_json:
        print_json([v.to_dict() for v in views])
        return
    table = Table("key", "name", "aliases", "country", "sector", "marking")
    for v in views:
        table.add_row(
            v.key,
            v.name,
            ", ".join(v.aliases),
            v.country or "",
            v.sector or "",
            v.marking + (" (fictional)" if v.fictional else ""),
        )
    out.print(table)


@firms_app.command("show")
def firms_show(
    key: str,
    today: TodayOption = None,
    as_json: JsonOption = False,
    db: DbOption = None,
    user: UserOption = None,
) -> None:
    """A firm's profile: dialogues, partner notices, ICP scores over time, commitments."""
    engine = open_db(db)
    actor = acting_user(engine, user)
    profile = _run(lambda: firm_service.get_firm(engine, actor, key, _day(today, "--today")))
    if as_json:
        print_json(profile.to_dict())
        return
    f = profile.firm
    out.print(f"[bold]{f.name}[/] ({f.key}) {f.marking}" + (" — FICTIONAL" if f.fictional else ""))
    out.print(
        f"aliases: {', '.join(f.aliases) or '—'}; country {f.country or '—'}; "
        f"sector {f.sector or '—'}; parent {f.parent or '—'}"
    )
    table = Table("date", "kind", "home", "partner", "venue", "partner informed", title="dialogues")
    for d in profile.dialogues:
        table.add_row(
            str(d.date or ""),
            d.kind,
            ", ".join(d.home_participants),
            ", ".join(d.partner_participants),
            d.venue or "",
            "; ".join(n["informed_on"] for n in d.partner_informed) or "no",
        )
    out.print(table)
    scores = Table("date", "framework", "score", "comparable", title="ICP scores")
    for a in profile.assessments:
        scores.add_row(
            str(a.assessed_on),
            f"{a.framework_id} {a.framework_version}",
            str(a.normalized),
            str(a.comparable),
        )
    out.print(scores)


@firms_app.command("add")
def firms_add(
    name: str,
    alias: Annotated[list[str] | None, typer.Option("--alias", help="Repeat for more.")] = None,
    key: Annotated[str | None, typer.Option("--key")] = None,
    country: Annotated[str | None, typer.Option("--country")] = None,
    sector: Annotated[str | None, typer.Option("--sector")] = None,
    parent: Annotated[str | None, typer.Option("--parent", help="Parent firm key.")] = None,
    db: DbOption = None,
    user: UserOption = None,
) -> None:
    """Add a firm to the registry."""
    engine = open_db(db)
    actor = acting_user(engine, user)
    data = firm_service.FirmInput(
        name=name,
        aliases=tuple(alias or ()),
        key=key,
        country=country,
        sector=sector,
        parent_key=parent,
    )
    out.print(f"firm {_run(lambda: firm_service.create_firm(engine, actor, data))} added")


@firms_app.command("dialogue")
def firms_dialogue(
    key: str,
    kind: Annotated[str, typer.Option("--kind", help="meeting or visit")] = "meeting",
    date: Annotated[str | None, typer.Option("--date")] = None,
    home: Annotated[list[str] | None, typer.Option("--home")] = None,
    partner: Annotated[list[str] | None, typer.Option("--partner")] = None,
    venue: Annotated[str | None, typer.Option("--venue")] = None,
    summary: Annotated[str, typer.Option("--summary")] = "",
    cable: Annotated[str | None, typer.Option("--cable")] = None,
    db: DbOption = None,
    user: UserOption = None,
) -> None:
    """Record a meeting or visit with a firm."""
    engine = open_db(db)
    actor = acting_user(engine, user)
    data = firm_service.DialogueInput(
        kind,
        _day(date, "--date"),
        tuple(home or ()),
        tuple(partner or ()),
        venue,
        summary,
        source_cable=cable,
    )
    out.print(
        f"dialogue {_run(lambda: firm_service.add_dialogue(engine, actor, key, data))} recorded"
    )


@firms_app.command("inform")
def firms_inform(
    dialogue_id: Annotated[int, typer.Argument(help="Dialogue id (from `firms show --json`).")],
    channel: Annotated[str, typer.Option("--channel", help="How the partner was told.")],
    on: Annotated[str | None, typer.Option("--on", help="Day the partner was told.")] = None,
    by: Annotated[str, typer.Option("--by")] = "",
    note: Annotated[str, typer.Option("--note")] = "",
    db: DbOption = None,
    user: UserOption = None,
) -> None:
    """Record that the partner government was informed of a dialogue."""
    engine = open_db(db)
    actor = acting_user(engine, user)
    day = _day(on, "--on") or dt.date.today()
    notice = _run(
        lambda: firm_service.record_partner_notice(
            engine, actor, dialogue_id, day, channel, by, note
        )
    )
    out.print(f"partner notice {notice} recorded")


@firms_app.command("assess")
def firms_assess(
    key: str,
    framework_id: Annotated[str, typer.Argument(help="bis-ecg, eu-2019-1318, wa-icp, exbs-icp")],
    score: Annotated[
        list[str], typer.Option("--score", help="ELEMENT=SCORE[:evidence], repeatable.")
    ],
    date: Annotated[str | None, typer.Option("--date")] = None,
    assessor: Annotated[str, typer.Option("--assessor")] = "",
    db: DbOption = None,
    user: UserOption = None,
) -> None:
    """Score a firm's ICP against a framework, element by element (0-4)."""
    engine = open_db(db)
    actor = acting_user(engine, user)
    scores: dict[str, tuple[int, str]] = {}
    for item in score:
        element, _, rest = item.partition("=")
        value, _, evidence = rest.partition(":")
        if not element or not value.strip().isdigit():
            fail(f"--score {item!r} is not ELEMENT=SCORE[:evidence]")
        scores[element.strip()] = (int(value), evidence.strip())
    day = _day(date, "--date") or dt.date.today()
    new_id = _run(
        lambda: firm_service.add_assessment(engine, actor, key, framework_id, day, scores, assessor)
    )
    out.print(f"assessment {new_id} recorded")


@firms_app.command("frameworks")
def firms_frameworks(as_json: JsonOption = False) -> None:
    """The ICP frameworks and their elements."""
    if as_json:
        print_json(
            [
                {
                    "id": f.id,
                    "version": f.version,
                    "title": f.title,
                    "verified": f.verified,
                    "elements": [
                        {"id": e.id, "number": e.number, "title": e.title} for e in f.elements
                    ],
                }
                for f in frameworks().values()
            ]
        )
        return
    for f in frameworks().values():
        out.print(
            f"[bold]{f.id}[/] {f.version} — {f.title}"
            + ("" if f.verified else " [yellow](titles to verify)[/]")
        )
        for e in f.elements:
            out.print(f"  {e.number}. {e.title} [dim]({e.id})[/]")


# --- events --------------------------------------------------------------------------------


@events_app.command("list")
def events_list(as_json: JsonOption = False, db: DbOption = None, user: UserOption = None) -> None:
    """List cooperation events and letters you may see."""
    engine = open_db(db)
    actor = acting_user(engine, user)
    events = event_service.list_events(engine, actor)
    letters = event_service.list_letters(engine, actor)
    if as_json:
        print_json({"events": events, "letters": letters})
        return
    table = Table("start", "kind", "title", "place", "marking", title="events")
    for e in events:
        table.add_row(
            e["start"] or "",
            e["kind"],
            e["title"],
            e["place"] or "",
            e["marking"] + (" (fictional)" if e["fictional"] else ""),
        )
    out.print(table)
    letters_table = Table("date", "from", "to", "cable", title="letters")
    for letter in letters:
        letters_table.add_row(
            letter["date"] or "", letter["sender"], letter["recipient"], letter["cable"] or ""
        )
    out.print(letters_table)


@events_app.command("add")
def events_add(
    title: str,
    kind: Annotated[str, typer.Option("--kind", help="workshop, training, dialogue, ...")] = (
        "workshop"
    ),
    start: Annotated[str | None, typer.Option("--start")] = None,
    end: Annotated[str | None, typer.Option("--end")] = None,
    place: Annotated[str | None, typer.Option("--place")] = None,
    agency: Annotated[list[str] | None, typer.Option("--agency")] = None,
    outcome: Annotated[str, typer.Option("--outcome")] = "",
    db: DbOption = None,
    user: UserOption = None,
) -> None:
    """Add a cooperation event."""
    engine = open_db(db)
    actor = acting_user(engine, user)
    data = event_service.EventInput(
        title,
        kind,
        _day(start, "--start"),
        _day(end, "--end"),
        place,
        tuple(agency or ()),
        outcome=outcome,
    )
    out.print(f"event {_run(lambda: event_service.create_event(engine, actor, data))} added")


@events_app.command("letter")
def events_letter(
    sender: Annotated[str, typer.Option("--from")],
    recipient: Annotated[str, typer.Option("--to")],
    date: Annotated[str | None, typer.Option("--date")] = None,
    subject: Annotated[str, typer.Option("--subject")] = "",
    cable: Annotated[str | None, typer.Option("--cable")] = None,
    db: DbOption = None,
    user: UserOption = None,
) -> None:
    """Record a letter: who wrote to whom, when, about what."""
    engine = open_db(db)
    actor = acting_user(engine, user)
    day = _day(date, "--date")
    letter = _run(
        lambda: event_service.create_letter(engine, actor, sender, recipient, day, subject, cable)
    )
    out.print(f"letter {letter} recorded")


# --- commitments ---------------------------------------------------------------------------


@commitments_app.command("list")
def commitments_list(
    side: Annotated[
        str | None,
        typer.Option("--side", help="home: what we owe them; partner: what they owe us."),
    ] = None,
    overdue: Annotated[bool, typer.Option("--overdue", help="Only overdue ones.")] = False,
    today: TodayOption = None,
    as_json: JsonOption = False,
    db: DbOption = None,
    user: UserOption = None,
) -> None:
    """List commitments with their derived overdue status."""
    engine = open_db(db)
    actor = acting_user(engine, user)
    day = _day(today, "--today")
    views = _run(lambda: commitment_service.list_commitments(engine, actor, day, side, overdue))
    if as_json:
        print_json([v.to_dict() for v in views])
        return
    table = Table("id", "owner", "description", "due", "status")
    for v in views:
        due = str(v.due) if v.due else (f"{v.soft_due} (→ {v.follow_up})" if v.soft_due else "")
        status = f"[bold red]{v.status}[/]" if v.overdue else v.status
        table.add_row(str(v.id), f"{v.owner_side}: {v.owner}", v.description, due, status)
    out.print(table)


@commitments_app.command("add")
def commitments_add(
    description: str,
    side: Annotated[str, typer.Option("--side", help="home or partner")],
    owner: Annotated[str, typer.Option("--owner")] = "",
    due: Annotated[str | None, typer.Option("--due")] = None,
    soft_due: Annotated[str | None, typer.Option("--soft-due")] = None,
    made_on: Annotated[str | None, typer.Option("--made-on")] = None,
    firm: Annotated[str | None, typer.Option("--firm")] = None,
    db: DbOption = None,
    user: UserOption = None,
) -> None:
    """Add a commitment."""
    engine = open_db(db)
    actor = acting_user(engine, user)
    data = commitment_service.CommitmentInput(
        side,
        description,
        owner,
        _day(due, "--due"),
        soft_due,
        _day(made_on, "--made-on"),
        firm_key=firm,
    )
    made = _run(lambda: commitment_service.create_commitment(engine, actor, data))
    out.print(f"commitment {made} added")


OffOption = Annotated[bool, typer.Option("--off", help="Stop sharing instead.")]


@commitments_app.command("share")
def commitments_share(
    commitment_id: int, off: OffOption = False, db: DbOption = None, user: UserOption = None
) -> None:
    """Share a commitment with the partner (through the release policy)."""
    _share("commitment", commitment_id, off, db, user)


@events_app.command("share")
def events_share(
    event_id: int, off: OffOption = False, db: DbOption = None, user: UserOption = None
) -> None:
    """Share an event with the partner (through the release policy)."""
    _share("event", event_id, off, db, user)


@firms_app.command("share")
def firms_share(
    key: str, off: OffOption = False, db: DbOption = None, user: UserOption = None
) -> None:
    """Share a firm (not its dialogues) with the partner (through the release policy)."""
    engine = open_db(db)
    actor = acting_user(engine, user)
    with session_factory(engine)() as session:
        # A firm the user may not see answers like one that does not exist.
        record = _run(lambda: program_records.visible_firm(session, actor, key))
        record_id = record.id
    _share("firm", record_id, off, db, user)


def _share(kind: str, record_id: int, off: bool, db: str | None, user: str | None) -> None:
    engine = open_db(db)
    actor = acting_user(engine, user)
    if not off and two_person_release():
        view = releases.run(
            lambda: approvals.propose_release(engine, actor, kind, str(record_id), source="cli")
        )
        out.print(releases.proposed_line(view))
        return
    _run(lambda: program_records.share_record(engine, actor, kind, record_id, not off))
    out.print(f"{kind} {record_id} {'no longer shared' if off else 'shared with the partner'}")


@commitments_app.command("close")
def commitments_close(
    commitment_id: int,
    status: Annotated[str, typer.Option("--status", help="done or dropped")] = "done",
    note: Annotated[str, typer.Option("--note")] = "",
    db: DbOption = None,
    user: UserOption = None,
) -> None:
    """Mark a commitment done or dropped, with a note."""
    engine = open_db(db)
    actor = acting_user(engine, user)
    view = _run(
        lambda: commitment_service.close_commitment(engine, actor, commitment_id, status, note)
    )
    out.print(f"commitment {view.id} {view.status}")
