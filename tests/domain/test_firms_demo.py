"""The fictional sample programme loads once, is marked fictional, and shows scores over time."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from npdesk.demo.firms import DEMO_USER, load_demo_firms
from npdesk.security.model import Level, Party, Role, User
from npdesk.services import commitments as commitment_service
from npdesk.services import events as event_service
from npdesk.services import firms as firm_service
from npdesk.store.db import make_engine
from npdesk.store.schema import upgrade


def test_demo_desk_is_fictional_idempotent_and_useful(tmp_path: Path) -> None:
    engine = make_engine("sqlite:///" + str(tmp_path / "demo.db"))
    upgrade(engine)
    load_demo_firms(engine)
    load_demo_firms(engine)
    firms = firm_service.list_firms(engine, DEMO_USER)
    assert len(firms) == 3 and all(f.fictional and "fictional" in f.name for f in firms)
    profile = firm_service.get_firm(engine, DEMO_USER, "demo-hsp", dt.date(2009, 1, 1))
    history = [a.normalized or 0.0 for a in profile.assessments]
    assert len(history) == 3 and history == sorted(history)
    assert profile.dialogues[0].partner_informed
    events = event_service.list_events(engine, DEMO_USER)
    assert events and all(e["fictional"] and "FICTIONAL" in e["title"] for e in events)
    late = commitment_service.list_commitments(
        engine, DEMO_USER, dt.date(2009, 1, 1), only_overdue=True
    )
    assert late and all("FICTIONAL" in c.description for c in late)
    liaison = User("liaison", Party.PARTNER, Role.LIAISON, Level.C, country="CHN")
    assert {f.key for f in firm_service.list_firms(engine, liaison)} == {"demo-hsp", "demo-nls"}
