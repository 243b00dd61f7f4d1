"""`npdesk cases ...`, `npdesk handovers ...`, `npdesk reviews ...` and `npdesk metrics`.

Every command opens the database at the newest schema (`--db`), acts as `--user` (default
the local operator) and fails with one clear line and a non-zero exit code, never a traceback.
"""

from __future__ import annotations

import dataclasses
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from enum import Enum
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table
from sqlalchemy.engine import Engine

from npdesk.cli.common import DbOption, JsonOption, UserOption, acting_user, fail, open_db, out
from npdesk.cli.common import print_json as _print_json
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
from npdesk.domain.reviews import MinutesVariant, Participant, ReviewLevel
from npdesk.security.model import Level, Marking, Party, User
from npdesk.services import cases as case_service
from npdesk.services import handovers as handover_service
from npdesk.services import metrics as metrics_service
from npdesk.services import reviews as review_service
from npdesk.services.case_subjects import screen_subjects
from npdesk.settings import partner_country

cases_app = typer.Typer(no_args_is_help=True, help="Open proliferation cases.")
handovers_app = typer.Typer(no_args_is_help=True, help="Lists of open cases handed to the partner.")
reviews_app = typer.Typer(no_args_is_help=True, help="Regular reviews of open cases.")


# --- shared plumbing -----------------------------------------------------------------------


@contextmanager
def clear_errors() -> Iterator[None]:
    """Turn the services' refusals into one-line failures."""
    try:
        yield
    except (LookupError, PermissionError, ValueError, handover_service.ExportFailed) as error:
        message = error.args[0] if error.args and isinstance(error.args[0], str) else str(error)
        fail(message)


def jsonable(value: object) -> object:
    """Dataclasses, enums and dates as plain JSON data."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | frozenset | set):
        items = [jsonable(v) for v in value]
        return sorted(items, key=str) if isinstance(value, frozenset | set) else items
    return value


def case_json(case: Case) -> dict[str, object]:
    """A case as JSON; a redacted (partner) view leaves the home-only fields out entirely."""
    data = jsonable(case)
    assert isinstance(data, dict)
    data["marking"] = case.marking.banner()
    if case.redacted:
        for name in HOME_ONLY_FIELDS:
            data.pop(name, None)
    return data


def print_json(value: object) -> None:
    _print_json(jsonable(value))


def fictional_mark(title: str, fictional: bool) -> str:
    """The ` [FICTIONAL]` suffix for sample data whose title does not already say so."""
    return " [FICTIONAL]" if fictional and "FICTIONAL" not in title.upper() else ""


def parse_day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        fail(f"not a date (YYYY-MM-DD): {text!r}")


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


def parse_level(text: str) -> Level:
    try:
        return Level.parse(text)
    except ValueError as error:
        fail(str(error))


def _session(db: str | None, user: str | None) -> tuple[Engine, User]:
    engine = open_db(db)
    return engine, acting_user(engine, user)


# --- cases ---------------------------------------------------------------------------------

Status = Annotated[CaseStatus, typer.Argument(help="Target status.", case_sensitive=False)]


@cases_app.command("create")
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
    engine, actor = _session(db, user)
    marking = Marking(
        parse_level(classification),
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
    with clear_errors():
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


@cases_app.command("list")
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
    engine, actor = _session(db, user)
    page = case_service.list_cases(engine, actor, statuses=status, limit=limit)
    if as_json:
        print_json({"total": page.total, "cases": [case_json(c) for c in page.cases]})
        return
    table = Table("reference", "status", "priority", "title", title=f"{page.total} cases")
    for case in page.cases:
        priority = "" if case.redacted else case.priority.value
        mark = fictional_mark(case.title, case.fictional)
        table.add_row(case.reference, case.status.label, priority, case.title + mark)
    out.print(table)


@cases_app.command("show")
def show(
    reference: str,
    as_json: JsonOption = False,
    db: DbOption = None,
    user: UserOption = None,
) -> None:
    """Show one case with its history and partner responses."""
    engine, actor = _session(db, user)
    with clear_errors():
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
    history = Table("when", "from", "to", "by", "reason", title="history")
    for event in case.history:
        history.add_row(
            event.at.date().isoformat(),
            event.from_status.label if event.from_status else "",
            event.to_status.label,
            event.actor,
            event.reason,
        )
    out.print(history)
    for response in case.responses:
        out.print(f"partner response {response.received_on}: {response.text}", highlight=False)


@cases_app.command("transition")
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
    engine, actor = _session(db, user)
    with clear_errors():
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


@cases_app.command("link-cable")
def link_cable(
    reference: str,
    cable_id: str,
    paragraph: Annotated[int | None, typer.Option(min=1, help="Paragraph number.")] = None,
    db: DbOption = None,
    user: UserOption = None,
) -> None:
    """Link a stored cable (or one of its paragraphs) to a case."""
    engine, actor = _session(db, user)
    with clear_errors():
        case_service.link_cable(engine, actor, reference, cable_id, paragraph)
    where = f" ¶{paragraph}" if paragraph else ""
    out.print(f"linked {cable_id}{where} to {reference}")


@cases_app.command("respond")
def respond(
    reference: str,
    text: Annotated[str, typer.Argument(help="What the partner said.")],
    received: Annotated[str | None, typer.Option(help="Date received (default today).")] = None,
    db: DbOption = None,
    user: UserOption = None,
) -> None:
    """Record the partner's response on a case."""
    engine, actor = _session(db, user)
    day = parse_day(received) if received else date.today()
    with clear_errors():
        case = case_service.record_partner_response(engine, actor, reference, text, day)
    out.print(f"response recorded on {case.reference} ({case.status.label})")


@cases_app.command("edit")
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
    engine, actor = _session(db, user)
    with clear_errors():
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


@cases_app.command("screen")
def screen(
    reference: str,
    db: DbOption = None,
    user: UserOption = None,
) -> None:
    """Screen a case's subjects against the newest sanctions lists (and keep them re-screened)."""
    engine, actor = _session(db, user)
    with clear_errors():
        _case, notes = screen_subjects(engine, actor, reference)
    for note in notes:
        out.print(note, highlight=False)


# --- handovers -----------------------------------------------------------------------------


@handovers_app.command("create")
def handover_create(
    title: str,
    on: Annotated[str, typer.Option(help="Handover date YYYY-MM-DD.")],
    by: Annotated[str, typer.Option(help="Who handed it over.")],
    to: Annotated[str, typer.Option(help="Who received it.")],
    case: Annotated[
        list[str] | None, typer.Option(help="Cases on the list (default: all active).")
    ] = None,
    partner: Annotated[str | None, typer.Option(help="Partner country code.")] = None,
    raise_cases: Annotated[bool, typer.Option(help="Move open cases to raised.")] = True,
    release: Annotated[
        bool,
        typer.Option(
            help="Release cases not yet released to the partner, through the release policy "
            "(without it such cases are refused)."
        ),
    ] = False,
    fictional: Annotated[bool, typer.Option()] = False,
    as_json: JsonOption = False,
    db: DbOption = None,
    user: UserOption = None,
) -> None:
    """Record a new numbered list handed to the partner."""
    engine, actor = _session(db, user)
    with clear_errors():
        listing = handover_service.create_handover_list(
            engine,
            actor,
            title=title,
            handed_over_on=parse_day(on),
            handed_over_by=by,
            handed_over_to=to,
            partner_country=partner or partner_country(),
            references=case or None,
            raise_open_cases=raise_cases,
            release=release,
            fictional=fictional,
        )
    if as_json:
        print_json(listing)
    else:
        out.print(f"list {listing.number} recorded with {len(listing.entries)} cases")


@handovers_app.command("list")
def handover_list(
    as_json: JsonOption = False, db: DbOption = None, user: UserOption = None
) -> None:
    """List every handover list you may see."""
    engine, actor = _session(db, user)
    lists = handover_service.list_handover_lists(engine, actor)
    if as_json:
        print_json(lists)
        return
    table = Table("no.", "handed over", "by", "to", "cases", "title", title="handover lists")
    for item in lists:
        title = item.title + fictional_mark(item.title, item.fictional)
        table.add_row(
            str(item.number),
            item.handed_over_on.isoformat(),
            item.handed_over_by,
            item.handed_over_to,
            str(len(item.entries)),
            title,
        )
    out.print(table)


@handovers_app.command("show")
def handover_show(
    number: int, as_json: JsonOption = False, db: DbOption = None, user: UserOption = None
) -> None:
    """Show one list as handed over."""
    engine, actor = _session(db, user)
    with clear_errors():
        listing = handover_service.get_handover_list(engine, actor, number)
    if as_json:
        print_json(listing)
        return
    out.print(f"[bold]{listing.banner}[/]", highlight=False)
    out.print(
        f"list {listing.number}: {listing.title} — {listing.handed_over_on} by "
        f"{listing.handed_over_by} to {listing.handed_over_to}",
        highlight=False,
    )
    table = Table("reference", "status", "title", "releasable summary")
    for entry in listing.entries:
        table.add_row(entry.reference, entry.status, entry.title, entry.releasable_summary)
    out.print(table)


@handovers_app.command("diff")
def handover_diff(
    old: int, new: int, as_json: JsonOption = False, db: DbOption = None, user: UserOption = None
) -> None:
    """What changed between two lists: added, removed (closed) and changed cases."""
    engine, actor = _session(db, user)
    with clear_errors():
        result = handover_service.diff_handover_lists(engine, actor, old, new)
    if as_json:
        print_json(result)
        return
    out.print(f"list {old} → list {new}")
    for entry in result.added:
        out.print(f"[green]+ {entry.reference}[/] {entry.title}", highlight=False)
    for entry in result.removed:
        out.print(f"[red]- {entry.reference}[/] {entry.title}", highlight=False)
    for change in result.changed:
        out.print(f"[yellow]~ {change.reference}[/] {change.title}", highlight=False)
        for field in change.changes:
            out.print(f"    {field.field}: {field.old!r} → {field.new!r}", highlight=False)
    if result.is_empty:
        out.print("no changes")


@handovers_app.command("export")
def handover_export(
    number: int,
    fmt: Annotated[
        handover_service.ExportFormat, typer.Option("--format", case_sensitive=False)
    ] = handover_service.ExportFormat.PDF,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="File to write.")] = None,
    db: DbOption = None,
    user: UserOption = None,
) -> None:
    """Export a list as the partner receives it (PDF, CSV, JSON or HTML, with its banner)."""
    engine, actor = _session(db, user)
    with clear_errors():
        data = handover_service.export_handover_list(engine, actor, number, fmt)
    _write(data, output, binary=fmt is handover_service.ExportFormat.PDF)


def _write(data: bytes, output: Path | None, *, binary: bool) -> None:
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


# --- reviews -------------------------------------------------------------------------------


@reviews_app.command("schedule")
def review_schedule(
    proposed: Annotated[str, typer.Option(help="Proposed date YYYY-MM-DD.")],
    level: Annotated[ReviewLevel, typer.Option(case_sensitive=False)] = ReviewLevel.WORKING,
    confirmed: Annotated[str | None, typer.Option(help="Confirmed date, if agreed.")] = None,
    venue: Annotated[str, typer.Option()] = "",
    title: Annotated[str, typer.Option()] = "",
    home: Annotated[list[str] | None, typer.Option(help="Home participant.")] = None,
    partner_side: Annotated[
        list[str] | None, typer.Option("--partner-participant", help="Partner participant.")
    ] = None,
    partner: Annotated[str | None, typer.Option(help="Partner country code.")] = None,
    fictional: Annotated[bool, typer.Option()] = False,
    as_json: JsonOption = False,
    db: DbOption = None,
    user: UserOption = None,
) -> None:
    """Propose a review session (it awaits the partner's answer until confirmed)."""
    engine, actor = _session(db, user)
    people = [Participant(n, Party.HOME) for n in home or ()]
    people += [Participant(n, Party.PARTNER) for n in partner_side or ()]
    with clear_errors():
        detail = review_service.schedule_review(
            engine,
            actor,
            level=level,
            proposed_on=parse_day(proposed),
            confirmed_on=parse_day(confirmed) if confirmed else None,
            partner_country=partner or partner_country(),
            venue=venue,
            title=title,
            participants=people,
            fictional=fictional,
        )
    if as_json:
        print_json(detail)
    else:
        state = "awaiting the partner" if detail.session.awaiting_partner else "confirmed"
        out.print(f"review {detail.session.number} scheduled ({state})")


@reviews_app.command("confirm")
def review_confirm(number: int, on: str, db: DbOption = None, user: UserOption = None) -> None:
    """Record the partner's agreement to meet on a date."""
    engine, actor = _session(db, user)
    with clear_errors():
        review_service.confirm_review(engine, actor, number, parse_day(on))
    out.print(f"review {number} confirmed for {on}")


@reviews_app.command("cancel")
def review_cancel(number: int, db: DbOption = None, user: UserOption = None) -> None:
    """Cancel a session that has not been held."""
    engine, actor = _session(db, user)
    with clear_errors():
        review_service.cancel_review(engine, actor, number)
    out.print(f"review {number} cancelled")


@reviews_app.command("list")
def review_list(as_json: JsonOption = False, db: DbOption = None, user: UserOption = None) -> None:
    """List review sessions by meeting date."""
    engine, actor = _session(db, user)
    sessions = review_service.list_reviews(engine, actor)
    if as_json:
        print_json(sessions)
        return
    table = Table("no.", "date", "level", "state", "venue", "title", title="reviews")
    for s in sessions:
        title = s.title + fictional_mark(s.title, s.fictional)
        table.add_row(str(s.number), s.meeting_on.isoformat(), s.level, s.state, s.venue, title)
    out.print(table)


@reviews_app.command("agenda")
def review_agenda(
    number: int,
    rebuild: Annotated[bool, typer.Option(help="Regenerate from the open cases.")] = False,
    as_json: JsonOption = False,
    db: DbOption = None,
    user: UserOption = None,
) -> None:
    """Show a session's agenda, generating it from the open cases when it has none."""
    engine, actor = _session(db, user)
    with clear_errors():
        detail = review_service.get_review(engine, actor, number)
        if rebuild or not detail.agenda:
            detail = review_service.build_agenda(engine, actor, number)
    if as_json:
        print_json(detail.agenda)
        return
    table = Table("#", "reference", "age (days)", "status", "title", "since last review")
    for item in detail.agenda:
        changes = "; ".join(f"{c.on}: {c.text}" for c in item.changes)
        table.add_row(
            str(item.position),
            item.reference,
            str(item.age_days),
            item.status.label,
            item.title,
            changes,
        )
    out.print(table)


@reviews_app.command("outcome")
def review_outcome(
    number: int,
    reference: str,
    statement: Annotated[str, typer.Option(help="Partner statement (releasable).")] = "",
    next_step: Annotated[str, typer.Option(help="Next step (releasable).")] = "",
    home_note: Annotated[str, typer.Option(help="Internal note (home-only).")] = "",
    status: Annotated[CaseStatus | None, typer.Option(case_sensitive=False)] = None,
    reason: Annotated[str, typer.Option(help="Reason for the status change.")] = "",
    outcome: Annotated[CaseOutcome | None, typer.Option(case_sensitive=False)] = None,
    merged_into: Annotated[str | None, typer.Option()] = None,
    db: DbOption = None,
    user: UserOption = None,
) -> None:
    """Record what the meeting concluded on one case (optionally changing its status)."""
    engine, actor = _session(db, user)
    with clear_errors():
        review_service.record_outcome(
            engine,
            actor,
            number,
            reference,
            partner_statement=statement,
            next_step=next_step,
            home_note=home_note,
            new_status=status,
            reason=reason,
            outcome=outcome,
            merged_into=merged_into,
        )
    out.print(f"outcome recorded for {reference} at review {number}")


@reviews_app.command("minutes")
def review_minutes(
    number: int,
    variant: Annotated[MinutesVariant, typer.Option(case_sensitive=False)] = (
        MinutesVariant.RELEASABLE
    ),
    fmt: Annotated[
        review_service.MinutesFormat, typer.Option("--format", case_sensitive=False)
    ] = review_service.MinutesFormat.HTML,
    output: Annotated[Path | None, typer.Option("--output", "-o")] = None,
    db: DbOption = None,
    user: UserOption = None,
) -> None:
    """Write the minutes (releasable or home-only; HTML or PDF)."""
    engine, actor = _session(db, user)
    with clear_errors():
        data = review_service.render_minutes(engine, actor, number, variant, fmt)
    _write(data, output, binary=fmt is review_service.MinutesFormat.PDF)


# --- metrics -------------------------------------------------------------------------------


def metrics(
    as_of: Annotated[
        str | None, typer.Option(help="Figures as of YYYY-MM-DD (default today).")
    ] = None,
    due_days: Annotated[int, typer.Option(min=1, help="Days before a response is overdue.")] = 90,
    svg: Annotated[Path | None, typer.Option(help="Also write the burn-down SVG here.")] = None,
    as_json: JsonOption = False,
    db: DbOption = None,
    user: UserOption = None,
) -> None:
    """Dashboard figures: open cases over time, per review cycle, ages, response times."""
    engine, actor = _session(db, user)
    day = parse_day(as_of) if as_of else None
    with clear_errors():
        figures = metrics_service.metrics_for(engine, actor, day, due_days)
        if svg is not None:
            svg.write_text(metrics_service.burndown_svg(engine, actor, figures), encoding="utf-8")
    if as_json:
        print_json(figures.to_dict())
        return
    out.print(f"as of {figures.as_of}: {figures.open_now} open cases")
    median = figures.median_open_age_days
    out.print(f"median age of open cases: {median:.0f} days" if median is not None else "")
    if figures.median_response_days is not None:
        out.print(f"median partner response time: {figures.median_response_days:.0f} days")
    cycles = Table("cycle", "opened", "closed", title="per review cycle")
    for cycle in figures.cycles:
        cycles.add_row(cycle.label, str(cycle.opened), str(cycle.closed))
    out.print(cycles)
    if figures.overdue:
        overdue = Table("reference", "waiting since", "days", "title", title="overdue responses")
        for item in figures.overdue:
            overdue.add_row(
                item.reference, item.waiting_since.isoformat(), str(item.days_waiting), item.title
            )
        out.print(overdue)


__all__ = ["cases_app", "handovers_app", "metrics", "reviews_app"]
