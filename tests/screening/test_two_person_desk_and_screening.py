"""Two-person release beyond cables (issue 12, part 3): sharing a desk record with the partner,
and clearing a screening hit in the match band as a false positive, each take a second home
officer. Real SQLite, the shared OFAC SDN list (entry 11447 is LI, Fangwei)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.engine import Engine

from npdesk.screening import Query
from npdesk.security.model import Level, Party, Role, User
from npdesk.services import approvals, audit
from npdesk.services import screening as screening_service
from npdesk.services.firms import FirmInput, create_firm, list_firms
from npdesk.store.db import make_engine, session_factory
from npdesk.store.models.desk import FirmRecord
from npdesk.store.models.screening import ScreeningDecision
from npdesk.store.schema import upgrade
from tests.screening.test_service import sdn_subset

OLIVIA = User("olivia", Party.HOME, Role.OFFICER, Level.S)
OSCAR = User("oscar", Party.HOME, Role.OFFICER, Level.S)
LIAISON = User("li", Party.PARTNER, Role.LIAISON, Level.C, country="CHN")


@pytest.fixture
def engine(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Engine:
    monkeypatch.setenv("NPDESK_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("NPDESK_TWO_PERSON_RELEASE", raising=False)
    engine = make_engine(f"sqlite:///{tmp_path / 'desk.sqlite3'}")
    upgrade(engine)
    return engine


def test_sharing_a_firm_takes_a_second_officer(engine: Engine) -> None:
    key = create_firm(engine, OLIVIA, FirmInput(name="Fictional Example Machinery Corp"))
    with session_factory(engine)() as session:
        firm_id = session.scalars(select(FirmRecord.id).where(FirmRecord.key == key)).one()
    proposed = approvals.propose_release(engine, OLIVIA, "firm", str(firm_id), source="test")
    assert list_firms(engine, LIAISON) == []
    with pytest.raises(approvals.ApprovalError, match="second person"):
        approvals.approve_release(engine, OLIVIA, proposed.id, source="test")
    assert list_firms(engine, LIAISON) == []
    approvals.approve_release(engine, OSCAR, proposed.id, source="test")
    assert [f.key for f in list_firms(engine, LIAISON)] == [key]
    actions = [(e["action"], e["actor"], e["outcome"]) for e in audit.export(engine)]
    assert actions[-3:] == [
        ("releases.propose", "olivia", "ok"),
        ("releases.approve", "olivia", "denied"),
        ("releases.approve", "oscar", "ok"),
    ]


def test_clearing_a_match_as_a_false_positive_takes_a_second_officer(
    engine: Engine, sanctions_dir: Path, tmp_path: Path
) -> None:
    lists = sdn_subset(sanctions_dir, tmp_path / "sdn", {"11447"})
    screening_service.load_list_version(engine, OLIVIA, lists)
    top = screening_service.screen_name(engine, OLIVIA, Query("Li Fangwei")).hits[0]
    assert (top.hit.entry.source_id, top.hit.band) == ("11447", "match")

    # Unsure, or a true match, is one person's call; clearing the match is not.
    assert not approvals.needs_second_person(engine, OLIVIA, top.hit_id, "unsure")
    assert approvals.needs_second_person(engine, OLIVIA, top.hit_id, "false_positive")
    proposed = approvals.propose_release(
        engine,
        OLIVIA,
        approvals.SCREENING_HIT,
        str(top.hit_id),
        source="test",
        detail={"judgement": "false_positive", "reason": "different date of birth"},
    )

    def decisions() -> list[tuple[str, str, str]]:
        with session_factory(engine)() as session:
            rows = session.scalars(select(ScreeningDecision)).all()
            return [(d.judgement, d.decided_by, d.reason) for d in rows]

    assert decisions() == []
    with pytest.raises(approvals.ApprovalError, match="second person"):
        approvals.approve_release(engine, OLIVIA, proposed.id, source="test")
    assert decisions() == []
    approvals.approve_release(engine, OSCAR, proposed.id, source="test")
    assert decisions() == [
        ("false_positive", "oscar", "different date of birth (proposed by olivia)")
    ]


def test_turned_off_a_false_positive_is_one_persons_call(
    engine: Engine, sanctions_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NPDESK_TWO_PERSON_RELEASE", "false")
    lists = sdn_subset(sanctions_dir, tmp_path / "sdn", {"11447"})
    screening_service.load_list_version(engine, OLIVIA, lists)
    top = screening_service.screen_name(engine, OLIVIA, Query("Li Fangwei")).hits[0]
    assert not approvals.needs_second_person(engine, OLIVIA, top.hit_id, "false_positive")
