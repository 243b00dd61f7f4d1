"""The FICTIONAL firms programme for `make demo`, from `data/firms.yaml`: firms with dialogues
and ICP scores over time, cooperation events, and commitments. Every record is flagged
`fictional` and its text says so. `load_demo_firms` is idempotent."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Engine

from npdesk.demo.files import fields, marking, read
from npdesk.security.model import Level, Party, Role, User
from npdesk.services import commitments, events, firms
from npdesk.settings import one_person_desk
from npdesk.store.db import session_factory
from npdesk.store.models.desk import FirmRecord

DEMO_USER = User("demo-loader", Party.HOME, Role.ADMIN, Level.TS)


def _loaded(engine: Engine, first_key: str) -> bool:
    with session_factory(engine)() as session:
        return session.scalar(select(FirmRecord.id).where(FirmRecord.key == first_key)) is not None


@one_person_desk()  # the programme's records as they were shared long ago
def load_demo_firms(engine: Engine) -> None:
    """Load the fictional firms programme into the database at `engine` (already migrated).
    Does nothing when it is already loaded."""
    data = read("firms")
    if _loaded(engine, data["firms"][0]["key"]):
        return
    markings = {name: marking(spec) for name, spec in data["markings"].items()}

    def kwargs(entry: dict[str, Any], *drop: str) -> dict[str, Any]:
        values = fields(entry, drop=("marking", *drop))
        return {**values, "marking": markings[entry["marking"]], "fictional": True}

    for firm in data["firms"]:
        firms.create_firm(engine, DEMO_USER, firms.FirmInput(**kwargs(firm)))
    for dialogue in data["dialogues"]:
        dialogue_id = firms.add_dialogue(
            engine,
            DEMO_USER,
            dialogue["firm"],
            firms.DialogueInput(**kwargs(dialogue, "firm", "partner_notice")),
        )
        notice = dialogue.get("partner_notice")
        if notice:
            firms.record_partner_notice(engine, DEMO_USER, dialogue_id, **notice)
    for assessment in data["assessments"]:
        firms.add_assessment(
            engine,
            DEMO_USER,
            assessment["firm"],
            assessment["framework"],
            assessment["assessed_on"],
            {element: (score, why) for element, (score, why) in assessment["scores"].items()},
            assessor=data["assessor"],
            source=data["assessment_source"],
            marking=markings[assessment["marking"]],
            fictional=True,
        )
    for event in data["events"]:
        events.create_event(engine, DEMO_USER, events.EventInput(**kwargs(event)))
    for commitment in data["commitments"]:
        commitments.create_commitment(
            engine, DEMO_USER, commitments.CommitmentInput(**kwargs(commitment))
        )
