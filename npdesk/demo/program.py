"""The FICTIONAL programme of open cases for `make demo`, from `data/cases.yaml`.

Twenty invented cases opened from September 2007, the first list handed over in November 2007,
an updated list on 19 March 2008 (the date in the seed cable), and three review cycles in
April, July and October 2008 with partner responses and closures, so the burn-down chart has
shape. Every case, list and review is flagged `fictional` and titled "FICTIONAL"; firms named
in the seed cable (NORINCO, CGWIC) appear only in invented allegations labelled as such.
`load_demo_program` is idempotent.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from functools import partial
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Engine

from npdesk.demo.files import read
from npdesk.domain.cases import (
    CableLink,
    CaseOutcome,
    CaseStatus,
    ControlRegime,
    Item,
    Priority,
    Subject,
    SubjectKind,
)
from npdesk.domain.reviews import Participant, ReviewLevel
from npdesk.security.model import Level, Marking, Party, Role, User
from npdesk.services import cases as case_service
from npdesk.services import handovers as handover_service
from npdesk.services import reviews as review_service
from npdesk.services.case_references import shown_references
from npdesk.settings import one_person_desk, partner_country
from npdesk.store.db import session_factory
from npdesk.store.models.cables import CableParagraph
from npdesk.store.models.cases import CaseRecord

#: The audit log's "from where" for everything the demo loader does.
SOURCE = "demo"

OFFICER = User("demo-officer (fictional)", Party.HOME, Role.OFFICER, Level.TS)


def _liaison() -> User:
    return User("demo-liaison (fictional)", Party.PARTNER, Role.LIAISON, Level.C, partner_country())


@dataclass(frozen=True)
class DemoCase:
    """One invented case: what it is, when it opened and what happens to it."""

    reference: str
    title: str
    subject: str
    subject_kind: SubjectKind
    regime: ControlRegime
    item: str
    destination: str
    opened: date
    priority: Priority
    home_only: bool
    draft: bool
    investigating_on: date | None
    # (day, response text) pairs recorded by the partner liaison.
    responses: tuple[tuple[date, str], ...]
    # (review number, outcome) closing the case at that review.
    closed_at_review: tuple[int, CaseOutcome] | None
    merged_into: str | None
    merged_on: date | None
    cable_paragraph: int | None


@dataclass(frozen=True)
class Program:
    """Everything in `cases.yaml`, typed."""

    reference_prefix: str
    seed_cable: str
    cases: tuple[DemoCase, ...]
    lists: tuple[tuple[date, str], ...]
    # (proposed, confirmed or None, level, venue)
    reviews: tuple[tuple[date, date | None, ReviewLevel, str], ...]
    participants: tuple[Participant, ...]
    handed_over_by: str
    handed_over_to: str
    texts: dict[str, str]


def read_program() -> Program:
    data = read("cases")
    prefix, last_2007 = data["reference_prefix"], data["last_2007_number"]

    def reference(number: int) -> str:
        return f"{prefix}-{2007 if number <= last_2007 else 2008}-{number:03d}"

    def case(entry: dict[str, Any]) -> DemoCase:
        closing = entry.get("closed_at_review")
        merged_into = entry.get("merged_into")
        return DemoCase(
            reference=reference(entry["number"]),
            title=entry["title"],
            subject=entry["subject"],
            subject_kind=SubjectKind(entry.get("subject_kind", "firm")),
            regime=ControlRegime(entry["regime"]),
            item=entry["item"],
            destination=entry["destination"],
            opened=entry["opened"],
            priority=Priority(entry.get("priority", "medium")),
            home_only=entry.get("home_only", False),
            draft=entry.get("draft", False),
            investigating_on=entry.get("investigating_on"),
            responses=tuple((r["day"], r["text"]) for r in entry.get("responses", ())),
            closed_at_review=(
                (closing["review"], CaseOutcome(closing["outcome"])) if closing else None
            ),
            merged_into=reference(merged_into) if merged_into else None,
            merged_on=entry.get("merged_on"),
            cable_paragraph=entry.get("cable_paragraph"),
        )

    return Program(
        reference_prefix=prefix,
        seed_cable=data["seed_cable"],
        cases=tuple(case(entry) for entry in data["cases"]),
        lists=tuple((x["handed_over_on"], x["title"]) for x in data["handover_lists"]),
        reviews=tuple(
            (r["proposed_on"], r["confirmed_on"], ReviewLevel(r["level"]), r["venue"])
            for r in data["reviews"]
        ),
        participants=tuple(
            Participant(p["name"], Party(p["side"]), p["role"]) for p in data["participants"]
        ),
        handed_over_by=data["handed_over_by"],
        handed_over_to=data["handed_over_to"],
        texts=data["texts"],
    )


def _at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour, 0), UTC)


def _marking(case: DemoCase) -> Marking:
    """Home-only cases are NOFORN; the rest become REL TO the partner when handed over."""
    if case.home_only:
        return Marking(Level.S, caveats=frozenset({"NOFORN"}))
    return Marking(Level.C)


def _seed_link(engine: Engine, cable_id: str, paragraph: int | None) -> tuple[CableLink, ...]:
    """A link to the seed cable paragraph when the seed cable is stored."""
    if paragraph is None:
        return ()
    with session_factory(engine)() as session:
        found = session.scalar(
            select(CableParagraph.id).where(
                CableParagraph.cable_id == cable_id, CableParagraph.number == paragraph
            )
        )
    return (CableLink(cable_id, paragraph),) if found else ()


def is_loaded(engine: Engine, program: Program) -> bool:
    """Whether the fictional program is already in the database."""
    like = f"{program.reference_prefix}-%"
    with session_factory(engine)() as session:
        return (
            session.scalar(select(CaseRecord.id).where(CaseRecord.reference.like(like))) is not None
        )


@one_person_desk()  # a replay of the programme's history: its releases were made long ago
def load_demo_program(engine: Engine) -> None:
    """Load the FICTIONAL program into a migrated database; does nothing if already loaded.

    Events are replayed in date order through the same services officers use, so histories,
    lists, agendas and minutes are exactly what the desk would have recorded.
    """
    program = read_program()
    if is_loaded(engine, program):
        return
    replay = _Replay(engine, program)
    steps: list[tuple[datetime, int, Callable[[], None]]] = []

    def plan(moment: datetime, step: Callable[[], None]) -> None:
        steps.append((moment, len(steps), step))

    for case in program.cases:
        plan(_at(case.opened, 9), partial(replay.create, case))
        if case.investigating_on:
            plan(
                _at(case.investigating_on),
                partial(replay.investigating, case, case.investigating_on),
            )
        for day, text in case.responses:
            plan(_at(day, 11), partial(replay.respond, case, day, text))
        if case.merged_into and case.merged_on:
            plan(_at(case.merged_on), partial(replay.merge, case, case.merged_on))
    for day, title in program.lists:
        plan(_at(day, 12), partial(replay.hand_over, day, title))
    for number, (proposed, confirmed, level, venue) in enumerate(program.reviews, start=1):
        # The proposal is made about a month ahead; the meeting itself is replayed on its day.
        plan(
            _at(proposed.replace(day=1), 8),
            partial(replay.schedule, number, proposed, level, venue),
        )
        if confirmed:
            plan(_at(confirmed, 14), partial(replay.hold_review, number, confirmed))

    for _moment, _order, step in sorted(steps, key=lambda s: (s[0], s[1])):
        step()


class _Replay:
    """Each kind of step of the programme, done through the services."""

    def __init__(self, engine: Engine, program: Program) -> None:
        self.engine, self.program, self.texts = engine, program, program.texts
        self.partner, self.liaison = partner_country(), _liaison()

    def create(self, case: DemoCase) -> None:
        words = {"subject": case.subject, "item": case.item, "destination": case.destination}
        case_service.create_case(
            self.engine,
            OFFICER,
            case_service.CaseInput(
                reference=case.reference,
                title=self.texts["title"].format(title=case.title),
                allegation_summary=self.texts["allegation_summary"].format(**words),
                releasable_summary=self.texts["releasable_summary"].format(**words),
                priority=case.priority,
                subjects=(Subject(case.subject, case.subject_kind, "CHN"),),
                items=(Item(case.item, case.regime),),
                origin_countries=("CHN",),
                destination_countries=(case.destination,),
                cable_links=_seed_link(self.engine, self.program.seed_cable, case.cable_paragraph),
                marking=_marking(case),
                fictional=True,
            ),
            reason=self.texts["drafted"],
            at=_at(case.opened, 9),
            source=SOURCE,
        )
        if not case.draft:
            self._move(case, CaseStatus.OPEN, self.texts["opened"], _at(case.opened, 10))

    def investigating(self, case: DemoCase, day: date) -> None:
        at = _at(day)
        self._move(case, CaseStatus.PARTNER_INVESTIGATING, self.texts["investigating"], at)

    def _move(self, case: DemoCase, status: CaseStatus, reason: str, at: datetime) -> None:
        case_service.transition_case(
            self.engine, OFFICER, case.reference, status, reason=reason, at=at, source=SOURCE
        )

    def respond(self, case: DemoCase, day: date, text: str) -> None:
        # The liaison names the case by their own number for it, as they see it.
        with session_factory(self.engine)() as session:
            theirs = shown_references(session, self.liaison).shown(case.reference)
        case_service.record_partner_response(
            self.engine,
            self.liaison,
            theirs,
            self.texts["response"].format(text=text),
            day,
            source=SOURCE,
        )

    def merge(self, case: DemoCase, day: date) -> None:
        case_service.transition_case(
            self.engine,
            OFFICER,
            case.reference,
            CaseStatus.CLOSED,
            reason=self.texts["merged"],
            outcome=CaseOutcome.MERGED,
            merged_into=case.merged_into,
            at=_at(day),
            source=SOURCE,
        )

    def hand_over(self, day: date, title: str) -> None:
        handover_service.create_handover_list(
            self.engine,
            OFFICER,
            title=title,
            handed_over_on=day,
            handed_over_by=self.program.handed_over_by,
            handed_over_to=self.program.handed_over_to,
            partner_country=self.partner,
            release=True,
            fictional=True,
            source=SOURCE,
        )

    def schedule(self, number: int, proposed: date, level: ReviewLevel, venue: str) -> None:
        review_service.schedule_review(
            self.engine,
            OFFICER,
            level=level,
            proposed_on=proposed,
            partner_country=self.partner,
            venue=venue,
            title=self.texts["review_title"].format(number=number),
            participants=self.program.participants,
            fictional=True,
            source=SOURCE,
        )

    def hold_review(self, number: int, confirmed: date) -> None:
        review_service.confirm_review(self.engine, OFFICER, number, confirmed, source=SOURCE)
        detail = review_service.build_agenda(self.engine, OFFICER, number, source=SOURCE)
        cases = self.program.cases
        closing = {
            c.reference: c for c in cases if c.closed_at_review and c.closed_at_review[0] == number
        }
        home_only = {c.reference for c in cases if c.home_only}
        texts = self.texts
        for item in detail.agenda:
            if item.reference in home_only:
                continue  # never discussed with the partner
            case = closing.get(item.reference)
            if case is not None and case.closed_at_review:
                said = (
                    case.responses[-1][1] if case.responses else texts["closing_without_response"]
                )
                review_service.record_outcome(
                    self.engine,
                    OFFICER,
                    number,
                    item.reference,
                    partner_statement=texts["closing_statement"].format(text=said),
                    next_step=texts["closing_next_step"],
                    home_note=texts["closing_home_note"],
                    new_status=CaseStatus.CLOSED,
                    outcome=case.closed_at_review[1],
                    source=SOURCE,
                )
            else:
                review_service.record_outcome(
                    self.engine,
                    OFFICER,
                    number,
                    item.reference,
                    partner_statement=texts["continuing_statement"],
                    next_step=texts["continuing_next_step"],
                    home_note=texts["continuing_home_note"],
                    source=SOURCE,
                )
