"""The fictional sample programme for `make demo`: firms with dialogues and ICP scores over
time, cooperation events, letters and commitments. Every name here is invented and every
record is flagged `fictional` (and says so in its text), so nobody mistakes it for real
reporting.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.engine import Engine

from npdesk.security.model import Level, Marking, Party, Role, User
from npdesk.services import commitments as commitment_service
from npdesk.services import events as event_service
from npdesk.services import firms as firm_service
from npdesk.store.db import session_factory
from npdesk.store.models.desk import FirmRecord

DEMO_USER = User("demo-loader", Party.HOME, Role.ADMIN, Level.TS)
SHARED = Marking(Level.U, rel_to=frozenset({"CHN"}), shared=True)
HOME_ONLY = Marking(Level.C, caveats=frozenset({"NOFORN"}))
TAG = "FICTIONAL SAMPLE — "

FIRMS = [
    firm_service.FirmInput(
        key="demo-hsp",
        name="Harbor Star Precision Machinery Co. (fictional)",
        aliases=("HSPM", "海星精密机械公司"),
        country="CN",
        sector="machine tools",
        note=TAG + "invented firm for the demo",
        marking=SHARED,
        fictional=True,
    ),
    firm_service.FirmInput(
        key="demo-nls",
        name="Northern Lantern Specialty Chemicals Ltd. (fictional)",
        aliases=("NLSC",),
        country="CN",
        sector="chemicals",
        note=TAG + "invented firm for the demo",
        marking=SHARED,
        fictional=True,
    ),
    firm_service.FirmInput(
        key="demo-nls-trading",
        name="Lantern Trading Subsidiary (fictional)",
        aliases=("LTS",),
        country="CN",
        sector="trading",
        parent_key="demo-nls",
        note=TAG + "invented subsidiary for the demo",
        marking=HOME_ONLY,
        fictional=True,
    ),
]

# (firm, framework, day, {element: (score, evidence)}) — scores rise as dialogues go on.
ASSESSMENTS: list[tuple[str, str, dt.date, dict[str, tuple[int, str]]]] = [
    (
        "demo-hsp",
        "bis-ecg",
        dt.date(2007, 9, 12),
        {
            "management-commitment": (1, TAG + "no written policy yet"),
            "risk-assessment": (1, TAG + "ad hoc"),
            "export-authorization": (2, TAG + "manual"),
            "recordkeeping": (1, TAG + "paper files"),
            "training": (0, TAG + "none"),
            "audits": (0, TAG + "none"),
            "violations-corrective-actions": (1, TAG + "informal"),
            "build-maintain-ecp": (0, TAG + "no manual"),
        },
    ),
    (
        "demo-hsp",
        "bis-ecg",
        dt.date(2008, 3, 5),
        {
            "management-commitment": (3, TAG + "signed statement shown"),
            "risk-assessment": (2, TAG + "red-flag checklist"),
            "export-authorization": (3, TAG + "licence log"),
            "recordkeeping": (2, TAG + "database"),
            "training": (2, TAG + "annual course"),
            "audits": (1, TAG + "first internal audit"),
            "violations-corrective-actions": (2, TAG + "reporting line"),
            "build-maintain-ecp": (2, TAG + "draft manual"),
        },
    ),
    (
        "demo-hsp",
        "eu-2019-1318",
        dt.date(2009, 2, 20),
        {
            "top-level-commitment": (4, TAG + "board resolution"),
            "organisation-resources": (3, TAG + "two compliance staff"),
            "training-awareness": (3, TAG + "all sales staff trained"),
            "transaction-screening": (3, TAG + "screening software"),
            "performance-review": (2, TAG + "yearly review"),
            "recordkeeping": (3, TAG + "five-year retention"),
            "physical-information-security": (2, TAG + "badge access"),
        },
    ),
    (
        "demo-nls",
        "wa-icp",
        dt.date(2008, 1, 15),
        {
            "commitment": (2, TAG + "policy on website"),
            "structure-responsibility": (1, TAG),
            "export-screening": (1, TAG),
            "shipment-control": (2, TAG),
            "performance-review": (0, TAG),
            "training": (1, TAG),
            "record-keeping": (2, TAG),
            "reporting-corrective-action": (0, TAG),
        },
    ),
    (
        "demo-nls",
        "wa-icp",
        dt.date(2008, 11, 3),
        {
            "commitment": (3, TAG),
            "structure-responsibility": (2, TAG),
            "export-screening": (3, TAG + "end-user checks"),
            "shipment-control": (2, TAG),
            "performance-review": (2, TAG),
            "training": (2, TAG),
            "record-keeping": (3, TAG),
            "reporting-corrective-action": (1, TAG),
        },
    ),
]


def _loaded(engine: Engine) -> bool:
    with session_factory(engine)() as session:
        return session.scalar(select(FirmRecord.id).where(FirmRecord.key == "demo-hsp")) is not None


def load_demo_desk(engine: Engine) -> None:
    """Load the fictional sample programme into the database at `engine` (already migrated).
    Idempotent: does nothing when it is already loaded."""
    if _loaded(engine):
        return
    for firm_input in FIRMS:
        firm_service.create_firm(engine, DEMO_USER, firm_input)
    first = firm_service.add_dialogue(
        engine,
        DEMO_USER,
        "demo-hsp",
        firm_service.DialogueInput(
            "visit",
            dt.date(2007, 9, 12),
            ("DCM", "EXBS Advisor"),
            ("General Manager (fictional)",),
            "Company headquarters (fictional)",
            TAG + "first look at the compliance programme",
            (TAG + "send the BIS guidelines in Chinese",),
            marking=SHARED,
            fictional=True,
        ),
    )
    firm_service.record_partner_notice(
        engine,
        DEMO_USER,
        first,
        dt.date(2007, 9, 20),
        "readout to MFA Arms Control Department",
        "PolOff",
        TAG + "partner informed as the plan asks",
    )
    firm_service.add_dialogue(
        engine,
        DEMO_USER,
        "demo-hsp",
        firm_service.DialogueInput(
            "meeting",
            dt.date(2008, 3, 5),
            ("EconCouns",),
            ("Compliance Director (fictional)",),
            "Embassy (fictional)",
            TAG + "reviewed the new licence log and training plan",
            marking=SHARED,
            fictional=True,
        ),
    )
    firm_service.add_dialogue(
        engine,
        DEMO_USER,
        "demo-nls",
        firm_service.DialogueInput(
            "meeting",
            dt.date(2008, 11, 3),
            ("PolOff",),
            ("Export Manager (fictional)",),
            "Trade fair (fictional)",
            TAG + "end-user screening now in place",
            marking=SHARED,
            fictional=True,
        ),
    )
    for firm, framework_id, day, scores in ASSESSMENTS:
        firm_service.add_assessment(
            engine,
            DEMO_USER,
            firm,
            framework_id,
            day,
            scores,
            assessor="demo",
            source=TAG.strip(" —"),
            marking=SHARED,
            fictional=True,
        )
    for event in (
        event_service.EventInput(
            TAG + "Export control workshop",
            "workshop",
            dt.date(2008, 1, 22),
            dt.date(2008, 1, 24),
            "Beijing (fictional venue)",
            ("MOFCOM (fictional delegation)", "Commerce/BIS"),
            ("Harbor Star Precision Machinery Co. (fictional)",),
            TAG + "licensing and ICP sessions",
            marking=SHARED,
            fictional=True,
        ),
        event_service.EventInput(
            TAG + "Customs enforcement training",
            "training",
            dt.date(2008, 6, 10),
            None,
            "Shanghai (fictional venue)",
            ("GAC (fictional)", "DHS/CBP"),
            outcome=TAG + "commodity identification",
            marking=SHARED,
            fictional=True,
        ),
        event_service.EventInput(
            TAG + "Working-level review of open cases",
            "dialogue",
            dt.date(2008, 4, 16),
            None,
            "MFA (fictional)",
            ("MFA Arms Control (fictional)", "ISN"),
            marking=HOME_ONLY,
            fictional=True,
        ),
    ):
        event_service.create_event(engine, DEMO_USER, event)
    for commitment in (
        commitment_service.CommitmentInput(
            "partner",
            TAG + "Respond to the proposed April review date",
            "MFA Arms Control (fictional)",
            soft_due="as soon as possible",
            made_on=dt.date(2008, 3, 19),
            made_in="meeting",
            marking=SHARED,
            fictional=True,
        ),
        commitment_service.CommitmentInput(
            "home",
            TAG + "Send the Chinese translation of the BIS guidelines",
            "EXBS Advisor",
            due=dt.date(2007, 10, 31),
            made_on=dt.date(2007, 9, 12),
            made_in="meeting",
            firm_key="demo-hsp",
            marking=SHARED,
            fictional=True,
        ),
        commitment_service.CommitmentInput(
            "partner",
            TAG + "Share the outcome of the company audit",
            "Harbor Star compliance office (fictional)",
            due=dt.date(2008, 6, 30),
            made_on=dt.date(2008, 3, 5),
            made_in="meeting",
            firm_key="demo-hsp",
            marking=SHARED,
            fictional=True,
        ),
        commitment_service.CommitmentInput(
            "home",
            TAG + "Brief ISN on the trading subsidiary",
            "PolOff",
            soft_due="in due course",
            made_on=dt.date(2008, 11, 3),
            firm_key="demo-nls-trading",
            marking=HOME_ONLY,
            fictional=True,
        ),
    ):
        commitment_service.create_commitment(engine, DEMO_USER, commitment)
