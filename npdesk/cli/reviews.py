"""`npdesk reviews schedule|confirm|cancel|list|agenda|outcome|minutes`: the regular reviews
of open cases with the partner, their agendas, outcomes and minutes."""

from __future__ import annotations

from typing import Annotated

import typer

from npdesk.cli.common import (
    commands,
    connect,
    fictional_mark,
    out,
    parse_day,
    print_json,
    print_listing,
    write_output,
)
from npdesk.cli.options import DbOption, JsonOption, OutputOption, UserOption
from npdesk.domain.cases import CaseOutcome, CaseStatus
from npdesk.domain.reviews import MinutesVariant, Participant, ReviewLevel
from npdesk.security.model import Party
from npdesk.services import review_minutes as minutes_service
from npdesk.services import reviews as review_service
from npdesk.settings import partner_country

app = commands("Regular reviews of open cases.")


@app.command("schedule")
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
    engine, actor = connect(db, user)
    people = [Participant(n, Party.HOME) for n in home or ()]
    people += [Participant(n, Party.PARTNER) for n in partner_side or ()]
    detail = review_service.schedule_review(
        engine,
        actor,
        level=level,
        proposed_on=parse_day(proposed, "--proposed"),
        confirmed_on=parse_day(confirmed, "--confirmed"),
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


@app.command("confirm")
def review_confirm(number: int, on: str, db: DbOption = None, user: UserOption = None) -> None:
    """Record the partner's agreement to meet on a date."""
    engine, actor = connect(db, user)
    review_service.confirm_review(engine, actor, number, parse_day(on, "ON"))
    out.print(f"review {number} confirmed for {on}")


@app.command("cancel")
def review_cancel(number: int, db: DbOption = None, user: UserOption = None) -> None:
    """Cancel a session that has not been held."""
    engine, actor = connect(db, user)
    review_service.cancel_review(engine, actor, number)
    out.print(f"review {number} cancelled")


@app.command("list")
def review_list(as_json: JsonOption = False, db: DbOption = None, user: UserOption = None) -> None:
    """List review sessions by meeting date."""
    engine, actor = connect(db, user)
    print_listing(
        review_service.list_reviews(engine, actor),
        as_json,
        ("no.", "date", "level", "state", "venue", "title"),
        lambda s: (
            s.number,
            s.meeting_on.isoformat(),
            s.level,
            s.state,
            s.venue,
            s.title + fictional_mark(s.title, s.fictional),
        ),
        title="reviews",
    )


@app.command("agenda")
def review_agenda(
    number: int,
    rebuild: Annotated[bool, typer.Option(help="Regenerate from the open cases.")] = False,
    as_json: JsonOption = False,
    db: DbOption = None,
    user: UserOption = None,
) -> None:
    """Show a session's agenda, generating it from the open cases when it has none."""
    engine, actor = connect(db, user)
    detail = review_service.get_review(engine, actor, number)
    if rebuild or not detail.agenda:
        detail = review_service.build_agenda(engine, actor, number)
    print_listing(
        detail.agenda,
        as_json,
        ("#", "reference", "age (days)", "status", "title", "since last review"),
        lambda item: (
            item.position,
            item.reference,
            item.age_days,
            item.status.label,
            item.title,
            "; ".join(f"{c.on}: {c.text}" for c in item.changes),
        ),
    )


@app.command("outcome")
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
    engine, actor = connect(db, user)
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


@app.command("minutes")
def review_minutes(
    number: int,
    variant: Annotated[MinutesVariant, typer.Option(case_sensitive=False)] = (
        MinutesVariant.RELEASABLE
    ),
    fmt: Annotated[
        minutes_service.MinutesFormat, typer.Option("--format", case_sensitive=False)
    ] = minutes_service.MinutesFormat.HTML,
    output: OutputOption = None,
    db: DbOption = None,
    user: UserOption = None,
) -> None:
    """Write the minutes (releasable or home-only; HTML or PDF)."""
    engine, actor = connect(db, user)
    data = minutes_service.render_minutes(engine, actor, number, variant, fmt)
    write_output(data, output, binary=fmt is minutes_service.MinutesFormat.PDF)
