"""`npdesk firms list|show|add|dialogue|inform|assess|frameworks|share`: the firm registry,
dialogues with firms (and telling the partner of them) and ICP assessments."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import typer

from npdesk.cli import releases
from npdesk.cli.common import (
    commands,
    connect,
    fail,
    out,
    parse_day,
    print_json,
    print_listing,
    print_table,
)
from npdesk.cli.options import DbOption, JsonOption, TodayOption, UserOption
from npdesk.domain.icp import frameworks
from npdesk.services import firms

app = commands("Firms, dialogues and ICP assessments.")


@app.command("list")
def firms_list(as_json: JsonOption = False, db: DbOption = None, user: UserOption = None) -> None:
    """List the firms you may see."""
    views = firms.list_firms(*connect(db, user))
    print_listing(
        views,
        as_json,
        ("key", "name", "aliases", "country", "sector", "marking"),
        lambda v: (
            v.key,
            v.name,
            ", ".join(v.aliases),
            v.country,
            v.sector,
            v.marking + (" (fictional)" if v.fictional else ""),
        ),
        data=[v.to_dict() for v in views],
    )


@app.command("show")
def firms_show(
    key: str,
    today: TodayOption = None,
    as_json: JsonOption = False,
    db: DbOption = None,
    user: UserOption = None,
) -> None:
    """A firm's profile: dialogues, partner notices, ICP scores over time, commitments."""
    engine, actor = connect(db, user)
    profile = firms.get_firm(engine, actor, key, parse_day(today, "--today"))
    if as_json:
        print_json(profile.to_dict())
        return
    f = profile.firm
    out.print(f"[bold]{f.name}[/] ({f.key}) {f.marking}" + (" — FICTIONAL" if f.fictional else ""))
    out.print(
        f"aliases: {', '.join(f.aliases) or '—'}; country {f.country or '—'}; "
        f"sector {f.sector or '—'}; parent {f.parent or '—'}"
    )
    print_table(
        ("date", "kind", "home", "partner", "venue", "partner informed"),
        [
            (
                d.date,
                d.kind,
                ", ".join(d.home_participants),
                ", ".join(d.partner_participants),
                d.venue,
                "; ".join(n["informed_on"] for n in d.partner_informed) or "no",
            )
            for d in profile.dialogues
        ],
        title="dialogues",
    )
    print_table(
        ("date", "framework", "score", "comparable"),
        [
            (a.assessed_on, f"{a.framework_id} {a.framework_version}", a.normalized, a.comparable)
            for a in profile.assessments
        ],
        title="ICP scores",
    )


@app.command("add")
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
    engine, actor = connect(db, user)
    data = firms.FirmInput(
        name=name,
        aliases=tuple(alias or ()),
        key=key,
        country=country,
        sector=sector,
        parent_key=parent,
    )
    out.print(f"firm {firms.create_firm(engine, actor, data)} added")


@app.command("dialogue")
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
    engine, actor = connect(db, user)
    data = firms.DialogueInput(
        kind,
        parse_day(date, "--date"),
        tuple(home or ()),
        tuple(partner or ()),
        venue,
        summary,
        source_cable=cable,
    )
    out.print(f"dialogue {firms.add_dialogue(engine, actor, key, data)} recorded")


@app.command("inform")
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
    engine, actor = connect(db, user)
    day = parse_day(on, "--on") or dt.date.today()
    notice = firms.record_partner_notice(engine, actor, dialogue_id, day, channel, by, note)
    out.print(f"partner notice {notice} recorded")


@app.command("assess")
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
    engine, actor = connect(db, user)
    scores: dict[str, tuple[int, str]] = {}
    for item in score:
        element, _, rest = item.partition("=")
        value, _, evidence = rest.partition(":")
        if not element or not value.strip().isdigit():
            fail(f"--score {item!r} is not ELEMENT=SCORE[:evidence]")
        scores[element.strip()] = (int(value), evidence.strip())
    day = parse_day(date, "--date") or dt.date.today()
    new_id = firms.add_assessment(engine, actor, key, framework_id, day, scores, assessor)
    out.print(f"assessment {new_id} recorded")


@app.command("frameworks")
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


@app.command("share")
def firms_share(
    key: str, off: releases.OffOption = False, db: DbOption = None, user: UserOption = None
) -> None:
    """Share a firm (not its dialogues) with the partner (through the release policy)."""
    engine, actor = connect(db, user)
    releases.share(engine, actor, "firm", releases.firm_id(engine, actor, key), off)
