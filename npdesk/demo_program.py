"""A FICTIONAL sample program of open cases for `make demo`.

Everything here is invented to show the desk working: twenty cases opened from September 2007,
the first list handed over in November 2007, an updated list on 19 March 2008 (the date in the
seed cable), and three review cycles in April, July and October 2008 with partner responses
and closures, so the burn-down chart has shape. Every case, list and review is flagged
`fictional` and titled "FICTIONAL"; firms named in the seed cable (NORINCO, CGWIC) appear only
in invented allegations labelled as such. `load_demo_program` is idempotent.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time

from sqlalchemy import select
from sqlalchemy.engine import Engine

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
from npdesk.settings import partner_country
from npdesk.store.db import session_factory
from npdesk.store.models.cables import CableParagraph
from npdesk.store.models.cases import CaseRecord

SEED_CABLE_ID = "08BEIJING1050"
PREFIX = "FICT"
NOTICE = "FICTIONAL sample data: invented for demonstration, not real cases."
#: The audit log's "from where" for everything the demo loader does.
SOURCE = "demo"

OFFICER = User("demo-officer (fictional)", Party.HOME, Role.OFFICER, Level.TS)


def _liaison() -> User:
    return User("demo-liaison (fictional)", Party.PARTNER, Role.LIAISON, Level.C, partner_country())


@dataclass(frozen=True)
class DemoCase:
    """One invented case: what it is, when it opened and what happens to it."""

    number: int
    title: str
    subject: str
    regime: ControlRegime
    item: str
    destination: str
    opened: str
    priority: Priority = Priority.MEDIUM
    subject_kind: SubjectKind = SubjectKind.FIRM
    home_only: bool = False
    draft: bool = False
    # (ISO day, response text) pairs recorded by the partner liaison.
    responses: tuple[tuple[str, str], ...] = ()
    # (review number, outcome) closing the case at that review, or a merge target number.
    closed_at_review: tuple[int, CaseOutcome] | None = None
    merged_into: int | None = None
    merged_on: str = ""
    investigating_on: str = ""
    cable_paragraph: int | None = None
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def reference(self) -> str:
        return reference(self.number)


def reference(number: int) -> str:
    return f"{PREFIX}-{2007 if number <= 14 else 2008}-{number:03d}"


R = CaseOutcome
CASES: tuple[DemoCase, ...] = (
    DemoCase(
        1,
        "Gyroscope shipment via third country",
        "Fictional Dalian Precision Instruments",
        ControlRegime.MTCR,
        "tactical-grade gyroscopes",
        "IRN",
        "2007-09-10",
        Priority.HIGH,
        responses=(("2008-02-14", "Export licence was never issued; shipment stopped."),),
        closed_at_review=(1, R.RESOLVED),
        cable_paragraph=6,
    ),
    DemoCase(
        2,
        "Carbon fibre for rocket motor cases",
        "NORINCO (fictional allegation)",
        ControlRegime.MTCR,
        "high-modulus carbon fibre",
        "PAK",
        "2007-09-12",
        Priority.HIGH,
        investigating_on="2008-01-15",
        responses=(("2008-06-30", "Company audit found no such contract."),),
        closed_at_review=(2, R.UNSUBSTANTIATED),
        cable_paragraph=4,
    ),
    DemoCase(
        3,
        "Maraging steel offer",
        "Fictional Shenyang Special Alloys",
        ControlRegime.NSG,
        "maraging steel bar",
        "IRN",
        "2007-09-18",
        Priority.HIGH,
        investigating_on="2008-02-01",
        responses=(("2008-09-25", "Offer withdrawn; firm warned by MOFCOM."),),
        closed_at_review=(3, R.RESOLVED),
    ),
    DemoCase(
        4,
        "Satellite launch services broker",
        "CGWIC (fictional allegation)",
        ControlRegime.MTCR,
        "launch vehicle telemetry data",
        "PRK",
        "2007-09-25",
        responses=(("2008-04-02", "No transfer of telemetry took place."),),
        closed_at_review=(1, R.UNSUBSTANTIATED),
        cable_paragraph=4,
    ),
    DemoCase(
        5,
        "Dual-use fermenters",
        "Fictional Qingdao Bioprocess Equipment",
        ControlRegime.AUSTRALIA_GROUP,
        "100-litre fermenters",
        "SYR",
        "2007-10-02",
        investigating_on="2008-03-01",
    ),
    DemoCase(
        6,
        "Precursor chemical consignment",
        "Fictional Hubei Fine Chemicals",
        ControlRegime.CWC,
        "thiodiglycol",
        "SYR",
        "2007-10-05",
        Priority.HIGH,
        responses=(("2008-07-02", "Consignment seized at port; case with prosecutors."),),
        closed_at_review=(2, R.RESOLVED),
    ),
    DemoCase(
        7,
        "Machine tools to a missile plant",
        "Fictional Wuxi CNC Works",
        ControlRegime.WASSENAAR,
        "five-axis machine tools",
        "PAK",
        "2007-10-09",
        investigating_on="2008-04-22",
        responses=(("2008-10-01", "End user verified as civilian; licence conditions set."),),
        closed_at_review=(3, R.NO_FURTHER_ACTION),
    ),
    DemoCase(
        8,
        "Duplicate report of gyroscope shipment",
        "Fictional Dalian Precision Instruments",
        ControlRegime.MTCR,
        "gyroscopes (same shipment as case 1)",
        "IRN",
        "2007-10-12",
        merged_into=1,
        merged_on="2008-01-10",
    ),
    DemoCase(
        9,
        "Graphite of nuclear grade",
        "Fictional Harbin Carbon Materials",
        ControlRegime.NSG,
        "isostatic graphite blocks",
        "IRN",
        "2007-10-16",
        investigating_on="2008-03-25",
        responses=(("2008-10-10", "Partial answer: one lot traced to a domestic buyer."),),
    ),
    DemoCase(
        10,
        "Aluminium tubes",
        "Fictional Ningbo Metals Trading",
        ControlRegime.NSG,
        "7075 aluminium tubes",
        "IRN",
        "2007-10-22",
        Priority.HIGH,
        responses=(("2008-04-10", "Tubes were for bicycle frames; invoices attached."),),
        closed_at_review=(1, R.UNSUBSTANTIATED),
    ),
    DemoCase(
        11,
        "Broker of missile propellant ingredient",
        'Fictional broker "Mr. Zhang" (invented person)',
        ControlRegime.MTCR,
        "ammonium perchlorate",
        "PAK",
        "2007-10-29",
        subject_kind=SubjectKind.PERSON,
        investigating_on="2008-05-05",
    ),
    DemoCase(
        12,
        "Vacuum pumps",
        "Fictional Shanghai Vacuum Technology",
        ControlRegime.NSG,
        "turbomolecular vacuum pumps",
        "IRN",
        "2007-11-05",
        responses=(("2008-06-20", "Licence denied by MOFCOM in May 2008."),),
        closed_at_review=(2, R.RESOLVED),
    ),
    DemoCase(
        13,
        "Home-only intelligence lead (NOFORN)",
        "Fictional unnamed trading company",
        ControlRegime.OTHER,
        "unspecified components",
        "PRK",
        "2007-11-08",
        home_only=True,
    ),
    DemoCase(
        14,
        "Chemical reactors lined with glass",
        "Fictional Tianjin Reactor Co.",
        ControlRegime.AUSTRALIA_GROUP,
        "glass-lined reactors",
        "SYR",
        "2007-11-12",
        responses=(("2008-09-30", "Reactors exported to a verified pharmaceutical user."),),
        closed_at_review=(3, R.NO_FURTHER_ACTION),
    ),
    DemoCase(
        15,
        "Night-vision components",
        "Fictional Kunming Optics Export",
        ControlRegime.WASSENAAR,
        "image intensifier tubes",
        "MMR",
        "2008-01-21",
    ),
    DemoCase(
        16,
        "Rocket motor test stand",
        "Fictional Xi'an Test Equipment",
        ControlRegime.MTCR,
        "static test stand instrumentation",
        "PAK",
        "2008-02-11",
        Priority.HIGH,
        responses=(("2008-10-15", "Sale cancelled after MFA intervention."),),
        closed_at_review=(3, R.RESOLVED),
    ),
    DemoCase(
        17,
        "Centrifuge bearings",
        "Fictional Luoyang Bearing Export",
        ControlRegime.NSG,
        "ring magnets and bearings",
        "IRN",
        "2008-03-03",
        Priority.HIGH,
    ),
    DemoCase(
        18,
        "Toxin research equipment",
        "Fictional Guangzhou Lab Supply",
        ControlRegime.AUSTRALIA_GROUP,
        "class III biosafety cabinets",
        "SYR",
        "2008-05-19",
        responses=(("2008-10-18", "Equipment still in bonded warehouse; export blocked."),),
        closed_at_review=(3, R.RESOLVED),
    ),
    DemoCase(
        19,
        "UAV flight controllers",
        "Fictional Shenzhen Drone Parts",
        ControlRegime.MTCR,
        "UAV autopilots",
        "IRN",
        "2008-06-09",
    ),
    DemoCase(
        20,
        "New report under assessment",
        "Fictional Zhejiang Valve Works",
        ControlRegime.CWC,
        "corrosion-resistant valves",
        "SYR",
        "2008-09-29",
        draft=True,
    ),
)

LISTS = (
    ("2007-11-26", "List of open cases provided November 2007 (FICTIONAL)", 1),
    ("2008-03-19", "Updated list handed over 19 March 2008 (FICTIONAL)", 2),
    ("2008-07-17", "Updated list after the July review (FICTIONAL)", 3),
)
# (proposed, confirmed, level, venue)
REVIEWS = (
    ("2008-04-16", "2008-04-24", ReviewLevel.WORKING, "MFA, Beijing (fictional meeting)"),
    ("2008-07-15", "2008-07-15", ReviewLevel.WORKING, "Embassy, Beijing (fictional meeting)"),
    ("2008-10-21", "2008-10-23", ReviewLevel.SENIOR, "MFA, Beijing (fictional meeting)"),
    ("2009-01-20", None, ReviewLevel.WORKING, "to be agreed (fictional proposal)"),
)


def _at(day: str, hour: int = 10) -> datetime:
    return datetime.combine(date.fromisoformat(day), time(hour, 0), UTC)


def _marking(case: DemoCase) -> Marking:
    """Home-only cases are NOFORN; the rest become REL TO the partner when handed over."""
    if case.home_only:
        return Marking(Level.S, caveats=frozenset({"NOFORN"}))
    return Marking(Level.C)


def _seed_link(engine: Engine, paragraph: int | None) -> tuple[CableLink, ...]:
    """A link to the seed cable paragraph when the seed cable is stored."""
    if paragraph is None:
        return ()
    with session_factory(engine)() as session:
        found = session.scalar(
            select(CableParagraph.id).where(
                CableParagraph.cable_id == SEED_CABLE_ID, CableParagraph.number == paragraph
            )
        )
    return (CableLink(SEED_CABLE_ID, paragraph),) if found else ()


def is_loaded(engine: Engine) -> bool:
    """Whether the fictional program is already in the database."""
    with session_factory(engine)() as session:
        return (
            session.scalar(select(CaseRecord.id).where(CaseRecord.reference.like(f"{PREFIX}-%")))
            is not None
        )


def load_demo_program(engine: Engine) -> None:
    """Load the FICTIONAL program into a migrated database; does nothing if already loaded.

    Events are replayed in date order through the same services officers use, so histories,
    lists, agendas and minutes are exactly what the desk would have recorded.
    """
    if is_loaded(engine):
        return
    partner = partner_country()
    liaison = _liaison()
    steps: list[tuple[datetime, int, object]] = []

    def plan(moment: datetime, action: object) -> None:
        steps.append((moment, len(steps), action))

    for demo in CASES:
        plan(_at(demo.opened, 9), ("create", demo))
        if demo.investigating_on:
            plan(_at(demo.investigating_on), ("investigating", demo))
        for day, text in demo.responses:
            plan(_at(day, 11), ("respond", demo, day, text))
        if demo.merged_into:
            plan(_at(demo.merged_on), ("merge", demo))
    for day, title, number in LISTS:
        plan(_at(day, 12), ("list", day, title, number))
    for number, (proposed, confirmed, level, venue) in enumerate(REVIEWS, start=1):
        # The proposal is made about a month ahead; the meeting itself is replayed on its day.
        proposal_day = date.fromisoformat(proposed).replace(day=1)
        plan(_at(proposal_day.isoformat(), 8), ("schedule", number, proposed, level, venue))
        if confirmed:
            plan(_at(confirmed, 14), ("meet", number, confirmed))

    for _moment, _order, action in sorted(steps, key=lambda s: (s[0], s[1])):
        _perform(engine, action, partner, liaison)


def _perform(engine: Engine, action: object, partner: str, liaison: User) -> None:
    assert isinstance(action, tuple)
    kind = action[0]
    if kind == "create":
        demo: DemoCase = action[1]
        case_service.create_case(
            engine,
            OFFICER,
            case_service.CaseInput(
                reference=demo.reference,
                title=f"FICTIONAL: {demo.title}",
                allegation_summary=(
                    f"FICTIONAL home-only allegation: reporting indicates {demo.subject} "
                    f"arranged supply of {demo.item} to an end user in {demo.destination}."
                ),
                releasable_summary=(
                    f"FICTIONAL: reported supply of {demo.item} by {demo.subject} "
                    f"to a destination of concern ({demo.destination})."
                ),
                priority=demo.priority,
                subjects=(Subject(demo.subject, demo.subject_kind, "CHN"),),
                items=(Item(demo.item, demo.regime),),
                origin_countries=("CHN",),
                destination_countries=(demo.destination,),
                cable_links=_seed_link(engine, demo.cable_paragraph),
                marking=_marking(demo),
                fictional=True,
            ),
            reason="FICTIONAL case drafted from reporting",
            at=_at(demo.opened, 9),
            source=SOURCE,
        )
        if not demo.draft:
            case_service.transition_case(
                engine,
                OFFICER,
                demo.reference,
                CaseStatus.OPEN,
                reason="vetted and opened (fictional)",
                at=_at(demo.opened, 10),
                source=SOURCE,
            )
    elif kind == "investigating":
        demo = action[1]
        case_service.transition_case(
            engine,
            OFFICER,
            demo.reference,
            CaseStatus.PARTNER_INVESTIGATING,
            reason="MFA confirmed the case is under investigation (fictional)",
            at=_at(demo.investigating_on),
            source=SOURCE,
        )
    elif kind == "respond":
        _, demo, day, text = action
        # The liaison names the case by their own number for it, as they see it.
        with session_factory(engine)() as session:
            theirs = shown_references(session, liaison).shown(demo.reference)
        case_service.record_partner_response(
            engine,
            liaison,
            theirs,
            f"FICTIONAL: {text}",
            date.fromisoformat(day),
            source=SOURCE,
        )
    elif kind == "merge":
        demo = action[1]
        assert demo.merged_into is not None
        case_service.transition_case(
            engine,
            OFFICER,
            demo.reference,
            CaseStatus.CLOSED,
            reason="same shipment as an earlier case (fictional)",
            outcome=CaseOutcome.MERGED,
            merged_into=reference(demo.merged_into),
            at=_at(demo.merged_on),
            source=SOURCE,
        )
    elif kind == "list":
        _, day, title, _number = action
        handover_service.create_handover_list(
            engine,
            OFFICER,
            title=title,
            handed_over_on=date.fromisoformat(day),
            handed_over_by="PolMinCouns (fictional)",
            handed_over_to="MFA Arms Control Department (fictional)",
            partner_country=partner,
            release=True,
            fictional=True,
            source=SOURCE,
        )
    elif kind == "schedule":
        _, number, proposed, level, venue = action
        review_service.schedule_review(
            engine,
            OFFICER,
            level=level,
            proposed_on=date.fromisoformat(proposed),
            partner_country=partner,
            venue=venue,
            title=f"FICTIONAL review {number} of open cases",
            participants=(
                Participant("PolMinCouns (fictional)", Party.HOME, "Embassy"),
                Participant("ISN desk officer (fictional)", Party.HOME, "Department"),
                Participant("Arms Control Counselor (fictional)", Party.PARTNER, "MFA"),
                Participant("MOFCOM export control official (fictional)", Party.PARTNER),
            ),
            fictional=True,
            source=SOURCE,
        )
    elif kind == "meet":
        _, number, confirmed = action
        _hold_review(engine, number, date.fromisoformat(confirmed))


def _hold_review(engine: Engine, number: int, confirmed: date) -> None:
    review_service.confirm_review(engine, OFFICER, number, confirmed, source=SOURCE)
    detail = review_service.build_agenda(engine, OFFICER, number, source=SOURCE)
    closing = {
        demo.reference: demo
        for demo in CASES
        if demo.closed_at_review and demo.closed_at_review[0] == number
    }
    home_only = {demo.reference for demo in CASES if demo.home_only}
    for item in detail.agenda:
        if item.reference in home_only:
            continue  # never discussed with the partner
        demo = closing.get(item.reference)
        if demo is not None and demo.closed_at_review:
            statement = demo.responses[-1][1] if demo.responses else "The case was reviewed."
            review_service.record_outcome(
                engine,
                OFFICER,
                number,
                item.reference,
                partner_statement=f"FICTIONAL: {statement}",
                next_step="Close the case.",
                home_note="FICTIONAL home note: consistent with our own reporting.",
                new_status=CaseStatus.CLOSED,
                outcome=demo.closed_at_review[1],
                source=SOURCE,
            )
        else:
            review_service.record_outcome(
                engine,
                OFFICER,
                number,
                item.reference,
                partner_statement="FICTIONAL: Investigation continues.",
                next_step="Partner to report back before the next review.",
                home_note="FICTIONAL home note: press for a written answer.",
                source=SOURCE,
            )
