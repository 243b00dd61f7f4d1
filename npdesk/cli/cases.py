"""`npdesk cases create|list|show|transition|link-cable|respond|edit|screen` (and `cases
release`, in `releases`): the open proliferation cases handed to the partner."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import typer

from npdesk.cli.common import (
    commands,
    connect,
    fail,
    fictional_mark,
    jsonable,
    out,
    parse_day,
    print_json,
    print_listing,
    print_table,
)
from npdesk.cli.options import DbOption, JsonOption, UserOption
from npdesk.domain.cases import (
    HOME_ONLY_FIELDS,
    CableLink,
    Case,
    CaseOutcome,
    CaseStatus,
    ControlRegime,
    Item,
    Priority,
    Subject,
    SubjectKind,
)
from npdesk.security.model import Level, Marking
from npdesk.services import cases as case_service
from npdesk.services.case_subjects import screen_subjects

app = commands("Open proliferation cases.")


def case_json(case: Case) -> dict[str, object]:
    """A case as JSON; a redacted (partner) view leaves the home-only fields out entirely."""
    data = jsonable(case)
    assert isinstance(data, dict)
    data["marking"] = case.marking.banner()
    if case.redacted:
        for name in HOME_ONLY_FIELDS:
            data.pop(name, None)
    return data


def parse_subject(text: str) -> Subject:
    """`Name`, `person:Name` or `firm:Name@CHN`."""
    kind = SubjectKind.FIRM
    head, sep, rest = text.partition(":")
    if sep and head.lower() in {k.value for k in SubjectKind}:
        kind, text = SubjectKind(head.lower()), rest
    name, _, country = text.partition("@")
    if not name.strip():
        fail(f"empty subject name in {text!r}")
    return Subject(name.strip(), kind, country.strip().upper() or None)


def parse_item(text: str) -> Item:
    """`regime:description` (regime one of mtcr, nsg, australia_group, cwc, wassenaar, other)
    or a bare description (regime other)."""
    head, sep, rest = text.partition(":")
    if sep and head.lower() in {r.value for r in ControlRegime}:
        return Item(rest.strip(), ControlRegime(head.lower()))
    return Item(text.strip(), ControlRegime.OTHER)


def parse_cable(text: str) -> CableLink:
    """`CABLE_ID` or `CABLE_ID#PARAGRAPH`."""
    cable, sep, paragraph = text.partition("#")
    if sep and not paragraph.isdigit():
        fail(f"paragraph must be a number in {text!r}")
    return CableLink(cable, int(paragraph) if sep else None)


# --- commands ------------------------------------------------------------------------------

Status = Annotated[CaseStatus, typer.Argument(help="Target status.", case_sensitive=False)]


@app.command("create")
def create(
    title: Annotated[str, typer.Argument(help="Case title (releasable wording).")],
    allegation: Annotated[str, typer.Option(help="Allegation summary (home-only).")] = "",
    releasable: Annotated[str, typer.Option(help="Summary the partner may see.")] = "",
    priority: Annotated[Priority, typer.Option(case_sensitive=False)] = Priority.MEDIUM,
    subject: Annotated[
        list[str] | None, typer.Option(help="Subject: 'Name', 'person:Name', 'firm:Name@CHN'.")
    ] = None,
    item: Annotated[list[str] | None, typer.Option(help="Item: 'mtcr:gyroscopes'.")] = None,
    origin: Annotated[list[str] | None, typer.Option("--from", help="Origin country.")] = None,
    destination: Annotated[list[str] | None, typer.Option("--to", help="Destination.")] = None,
    cable: Annotated[list[str] | None, typer.Option(help="Source: 'CABLE_ID' or 'ID#4'.")] = None,
    classification: Annotated[str, typer.Option(help="Level: U, C, S, TS.")] = "C",
    noforn: Annotated[bool, typer.Option(help="Mark NOFORN (never releasable).")] = False,
    rel_to: Annotated[list[str] | None, typer.Option(help="Releasable to country.")] = None,
    shared: Annotated[bool, typer.Option(help="Share with the partner now.")] = False,
    open_now: Annotated[bool, typer.Option("--open", help="Open it at once.")] = False,
    reference: Annotated[str | None, typer.Option(help="Reference (default: assigned).")] = None,
    fictional: Annotated[bool, typer.Option(help="Mark as fictional sample data.")] = False,
    as_json: JsonOption = False,
    db: DbOption = None,
    user: UserOption = None,
) -> None:
    """Create a draft case (or an open one with --open)."""
    engine, actor = connect(db, user)
    marking = Marking(
        Level.parse(classification),
        caveats=frozenset({"NOFORN"}) if noforn else frozenset(),
        rel_to=frozenset(c.upper() for c in rel_to or ()),
        shared=shared,
    )
    data = case_service.CaseInput(
        title=title,
        allegation_summary=allegation,
        releasable_summary=releasable,
        priority=priority,
        subjects=tuple(parse_subject(s) for s in subject or ()),
        items=tuple(parse_item(i) for i in item or ()),
        origin_countries=tuple(origin or ()),
        destination_countries=tuple(destination or ()),
        cable_links=tuple(parse_cable(c) for c in cable or ()),
        marking=marking,
        fictional=fictional,
        reference=reference,
    )
    case = case_service.create_case(engine, actor, data)
    if open_now:
        case = case_service.transition_case(
            engine,
            actor,
            case.reference,
            CaseStatus.OPEN,
            reason="opened at creation",
        )
    if as_json:
        print_json(case_json(case))
    else:
        out.print(f"created {case.reference} ({case.status}): {case.title}")


@app.command("list")
def list_(
    status: Annotated[
        list[CaseStatus] | None, typer.Option(help="Only these statuses.", case_sensitive=False)
    ] = None,
    limit: Annotated[int | None, typer.Option(min=1)] = None,
    as_json: JsonOption = False,
    db: DbOption = None,
    user: UserOption = None,
) -> None:
    """List the cases you may see, newest first."""
    engine, actor = connect(db, user)
    page = case_service.list_cases(engine, actor, statuses=status, limit=limit)
    print_listing(
        page.cases,
        as_json,
        ("reference", "status", "priority", "title"),
        lambda case: (
            case.reference,
            case.status.label,
            "" if case.redacted else case.priority.value,
            case.title + fictional_mark(case.title, case.fictional),
        ),
        title=f"{page.total} cases",
        data={"total": page.total, "cases": [case_json(c) for c in page.cases]},
    )


@app.command("show")
def show(
    reference: str,
    as_json: JsonOption = False,
    db: DbOption = None,
    user: UserOption = None,
) -> None:
    """Show one case with its history and partner responses."""
    engine, actor = connect(db, user)
    case = case_service.get_case(engine, actor, reference)
    if as_json:
        print_json(case_json(case))
        return
    out.print(f"[bold]{case.marking.banner()}[/]", highlight=False)
    fictional = " [red](FICTIONAL)[/]" if case.fictional else ""
    out.print(f"[bold]{case.reference}[/] {case.title}{fictional}", highlight=False)
    out.print(f"status: {case.status.label}" + (f" ({case.outcome.label})" if case.outcome else ""))
    if case.merged_into:
        out.print(f"merged into: {case.merged_into}")
    if not case.redacted:
        out.print(f"priority: {case.priority.value}")
        out.print(f"allegation (home-only): {case.allegation_summary}", highlight=False)
    out.print(f"releasable summary: {case.releasable_summary}", highlight=False)
    for subject in case.subjects:
        out.print(f"subject: {subject.name} ({subject.kind})", highlight=False)
    for thing in case.items:
        out.print(f"item: {thing.description} [{thing.regime.label}]", highlight=False)
    for link in case.cable_links:
        out.print(f"source: {link.label}")
    print_table(
        ("when", "from", "to", "by", "reason"),
        [
            (
                event.at.date().isoformat(),
                event.from_status.label if event.from_status else "",
                event.to_status.label,
                event.actor,
                event.reason,
            )
            for event in case.history
        ],
        title="history",
    )
    for response in case.responses:
        out.print(f"partner response {response.received_on}: {response.text}", highlight=False)


@app.command("transition")
def transition(
    reference: str,
    status: Status,
    reason: Annotated[str, typer.Option(help="Why (required).")] = "",
    outcome: Annotated[CaseOutcome | None, typer.Option(case_sensitive=False)] = None,
    merged_into: Annotated[str | None, typer.Option(help="Case merged into.")] = None,
    as_json: JsonOption = False,
    db: DbOption = None,
    user: UserOption = None,
) -> None:
    """Move a case to another status, with a reason (and an outcome when closing)."""
    engine, actor = connect(db, user)
    case = case_service.transition_case(
        engine,
        actor,
        reference,
        status,
        reason=reason,
        outcome=outcome,
        merged_into=merged_into,
    )
    if as_json:
        print_json(case_json(case))
    else:
        out.print(f"{case.reference} is now {case.status.label}")


@app.command("link-cable")
def link_cable(
    reference: str,
    cable_id: str,
    paragraph: Annotated[int | None, typer.Option(min=1, help="Paragraph number.")] = None,
    db: DbOption = None,
    user: UserOption = None,
) -> None:
    """Link a stored cable (or one of its paragraphs) to a case."""
    engine, actor = connect(db, user)
    case_service.link_cable(engine, actor, reference, cable_id, paragraph)
    where = f" ¶{paragraph}" if paragraph else ""
    out.print(f"linked {cable_id}{where} to {reference}")


@app.command("respond")
def respond(
    reference: str,
    text: Annotated[str, typer.Argument(help="What the partner said.")],
    received: Annotated[str | None, typer.Option(help="Date received (default today).")] = None,
    db: DbOption = None,
    user: UserOption = None,
) -> None:
    """Record the partner's response on a case."""
    engine, actor = connect(db, user)
    day = parse_day(received, "--received") or date.today()
    case = case_service.record_partner_response(engine, actor, reference, text, day)
    out.print(f"response recorded on {case.reference} ({case.status.label})")


@app.command("edit")
def edit(
    reference: str,
    title: Annotated[str | None, typer.Option(help="New title.")] = None,
    releasable: Annotated[str | None, typer.Option(help="New releasable summary.")] = None,
    allegation: Annotated[str | None, typer.Option(help="New allegation (home-only).")] = None,
    priority: Annotated[Priority | None, typer.Option(case_sensitive=False)] = None,
    db: DbOption = None,
    user: UserOption = None,
) -> None:
    """Change a case's title, summaries or priority."""
    engine, actor = connect(db, user)
    case_service.edit_case(
        engine,
        actor,
        reference,
        title=title,
        releasable_summary=releasable,
        allegation_summary=allegation,
        priority=priority,
    )
    out.print(f"{reference} updated")


@app.command("screen")
def screen(
    reference: str,
    db: DbOption = None,
    user: UserOption = None,
) -> None:
    """Screen a case's subjects against the newest sanctions lists (and keep them re-screened)."""
    engine, actor = connect(db, user)
    _case, notes = screen_subjects(engine, actor, reference)
    for note in notes:
        out.print(note, highlight=False)
