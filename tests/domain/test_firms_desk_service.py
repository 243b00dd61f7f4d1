"""The desk services on a real SQLite database: the seed fills the desk, an officer accepts
the NORINCO visit and the partner commitment, a liaison sees only what is shared."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from npdesk.security.model import Level, Marking, Party, Role, User
from npdesk.services import commitments as commitment_service
from npdesk.services import errors
from npdesk.services import firms as firm_service
from npdesk.services.ingest import ingest_paths
from npdesk.services.proposals import ProposalView, decide, list_proposals, suggest_for_cable
from npdesk.store.db import make_engine
from npdesk.store.schema import upgrade


@pytest.fixture(autouse=True)
def one_person_desk(monkeypatch: pytest.MonkeyPatch) -> None:
    """These tests make records shared in one step; two-person release: tests/cases,
    tests/handovers, tests/reviews."""
    monkeypatch.setenv("NPDESK_TWO_PERSON_RELEASE", "false")


OFFICER = User("officer", Party.HOME, Role.OFFICER, Level.TS)
LIAISON = User("liaison", Party.PARTNER, Role.LIAISON, Level.C, country="CHN")
SEED_ID = "08BEIJING1050"


@pytest.fixture()
def engine(tmp_path: Path, shared_dir: Path) -> Engine:
    engine = make_engine("sqlite:///" + str(tmp_path / "desk.db"))
    upgrade(engine)
    ingest_paths(engine, [shared_dir / "seeds" / "000_b040fb51b219b52c.txt"])
    return engine


def find(views: list[ProposalView], **wanted: object) -> ProposalView:
    for view in views:
        data = view.to_dict()
        if all(data.get(k) == v for k, v in wanted.items()):
            return view
    raise AssertionError(f"nothing with {wanted}")


def test_seed_fills_the_desk_and_accepting_creates_records(engine: Engine) -> None:
    proposals = suggest_for_cable(engine, SEED_ID)
    assert {p.proposal["kind"] for p in proposals} >= {"firm", "meeting", "visit", "commitment"}
    assert suggest_for_cable(engine, SEED_ID) == proposals  # stored once, read back after

    visit = find(proposals, kind="visit", date="2008-03-26")
    accepted = decide(engine, OFFICER, visit.id, "accept")
    assert accepted.state == "accepted" and accepted.record_kind == "dialogue"
    assert accepted.decisions[0]["user"] == "officer"

    profile = firm_service.get_firm(engine, OFFICER, "norinco")
    [dialogue] = profile.dialogues
    assert dialogue.kind == "visit" and dialogue.date == date(2008, 3, 26)
    assert dialogue.source_cable == SEED_ID
    assert "中国北方工业公司" in profile.firm.aliases

    [commitment] = [
        p for p in proposals if p.proposal["kind"] == "commitment" and "respond" in p.title
    ]
    made = decide(engine, OFFICER, commitment.id, "accept")
    assert made.record_kind == "commitment"
    views = commitment_service.list_commitments(engine, OFFICER, today=date(2008, 4, 1))
    [mine] = [c for c in views if c.id == made.record_id]
    assert mine.owner_side == "partner" and mine.soft_due == "as soon as possible"
    assert mine.follow_up == date(2008, 4, 19) and not mine.overdue
    later = commitment_service.list_commitments(
        engine, OFFICER, today=date(2008, 4, 20), only_overdue=True
    )
    assert [c.id for c in later] == [made.record_id]
    assert later[0].status == "overdue"
    they_owe = commitment_service.list_commitments(
        engine, OFFICER, today=date(2008, 4, 20), side="partner"
    )
    assert made.record_id in [c.id for c in they_owe]
    assert commitment_service.list_commitments(engine, OFFICER, side="home") == []

    with pytest.raises(errors.Invalid):
        decide(engine, OFFICER, visit.id, "reject")

    [norinco_dialogue] = [
        p
        for p in proposals
        if p.proposal["kind"] == "meeting"
        and p.title == "Dialogue with China North Industries Corporation"
    ]
    decide(engine, OFFICER, norinco_dialogue.id, "accept")
    dialogues = firm_service.get_firm(engine, OFFICER, "norinco").dialogues
    told = [d for d in dialogues if d.partner_informed]
    assert told and told[0].partner_informed[0]["informed_on"] == "2008-03-19"


def test_edit_and_reject_keep_the_judgement(engine: Engine) -> None:
    proposals = suggest_for_cable(engine, SEED_ID)
    review = find(proposals, kind="review")
    edited = decide(engine, OFFICER, review.id, "edit", {"date": "2008-04-17"}, note="moved")
    assert edited.state == "edited" and edited.proposal["date"] == "2008-04-17"
    assert edited.decisions[0]["note"] == "moved"
    letter = find(proposals, kind="letter")
    rejected = decide(engine, OFFICER, letter.id, "reject")
    assert rejected.state == "rejected" and rejected.record_id is None
    with pytest.raises(errors.Invalid):
        decide(engine, OFFICER, find(proposals, kind="event").id, "edit", {"kind": "x"})


def test_liaison_sees_only_shared_and_closes_partner_commitments(engine: Engine) -> None:
    proposals = suggest_for_cable(engine, SEED_ID)
    assert list_proposals(engine, LIAISON, SEED_ID) == []  # a SECRET cable
    with pytest.raises(errors.NotFound):
        decide(engine, LIAISON, proposals[0].id, "accept")

    shared = Marking(Level.C, rel_to=frozenset({"CHN"}), shared=True)
    open_id = commitment_service.create_commitment(
        engine,
        OFFICER,
        commitment_service.CommitmentInput(
            "partner",
            "Answer the review proposal",
            soft_due="soon",
            made_on=date(2008, 3, 19),
            marking=shared,
        ),
    )
    ours = commitment_service.create_commitment(
        engine, OFFICER, commitment_service.CommitmentInput("home", "Send the list", marking=shared)
    )
    hidden = commitment_service.create_commitment(
        engine, OFFICER, commitment_service.CommitmentInput("partner", "Internal follow-up")
    )
    seen = {c.id for c in commitment_service.list_commitments(engine, LIAISON)}
    assert seen == {open_id, ours}
    with pytest.raises(errors.NotFound):
        commitment_service.close_commitment(engine, LIAISON, hidden, "done", "x")
    with pytest.raises(errors.NotPermitted):
        commitment_service.close_commitment(engine, LIAISON, ours, "done", "sent")
    with pytest.raises(errors.NotPermitted):
        commitment_service.close_commitment(engine, LIAISON, open_id, "dropped", "no")
    with pytest.raises(errors.Invalid):
        commitment_service.close_commitment(engine, LIAISON, open_id, "done", " ")
    closed = commitment_service.close_commitment(
        engine, LIAISON, open_id, "done", "answered on April 2"
    )
    assert closed.status == "done" and closed.closed_by == "liaison"
    with pytest.raises(errors.NotPermitted):
        firm_service.create_firm(engine, LIAISON, firm_service.FirmInput("Liaison Firm"))


def test_firms_icp_history_and_partner_notices(engine: Engine) -> None:
    key = firm_service.create_firm(
        engine,
        OFFICER,
        firm_service.FirmInput(
            "Fictional Example Machinery Co",
            aliases=("FEMC",),
            country="CN",
            marking=Marking(Level.U, shared=True),
        ),
    )
    with pytest.raises(errors.Invalid):
        firm_service.create_firm(
            engine, OFFICER, firm_service.FirmInput("Fictional Example Machinery Co")
        )
    dialogue = firm_service.add_dialogue(
        engine, OFFICER, key, firm_service.DialogueInput("visit", date(2008, 5, 1), ("DCM",))
    )
    firm_service.record_partner_notice(
        engine, OFFICER, dialogue, date(2008, 5, 3), "meeting with MFA"
    )
    firm_service.add_assessment(
        engine,
        OFFICER,
        key,
        "bis-ecg",
        date(2008, 5, 1),
        {"management-commitment": (2, "statement signed"), "training": (1, "")},
    )
    firm_service.add_assessment(
        engine,
        OFFICER,
        key,
        "eu-2019-1318",
        date(2009, 5, 1),
        {"top-level-commitment": (4, "board minute"), "training-awareness": (3, "annual course")},
    )
    with pytest.raises(errors.Invalid):
        firm_service.add_assessment(
            engine, OFFICER, key, "bis-ecg", date(2008, 5, 1), {"x": (1, "")}
        )
    profile = firm_service.get_firm(engine, OFFICER, key)
    assert [a.framework_id for a in profile.assessments] == ["bis-ecg", "eu-2019-1318"]
    assert profile.assessments[0].normalized == 9.4
    assert profile.assessments[1].comparable is not None
    assert profile.dialogues[0].partner_informed[0]["channel"] == "meeting with MFA"
    assert "FEMC" in [f.aliases[0] for f in firm_service.list_firms(engine, LIAISON) if f.aliases]
    with pytest.raises(errors.NotFound):
        firm_service.get_firm(engine, OFFICER, "nope")


def test_firm_profile_shows_screening_decisions_and_linked_cases(engine: Engine) -> None:
    from npdesk.domain.cases import Subject
    from npdesk.services.cases import CaseInput, create_case
    from npdesk.services.screening import query_key
    from npdesk.store.db import transaction
    from npdesk.store.models.screening import (
        ScreeningDecision,
        ScreeningHitRecord,
        ScreeningRecord,
    )

    key = firm_service.create_firm(engine, OFFICER, firm_service.FirmInput("Fictional Screened Co"))
    with transaction(engine) as session:
        screening = ScreeningRecord(
            actor="officer",
            origin="manual",
            query_name="Fictional Screened Co",
            query_key=query_key("Fictional Screened Co"),
            list_versions={"TEST": 1},
        )
        screening.hits = [
            ScreeningHitRecord(
                rank=1,
                list_name="TEST",
                source_id="7",
                entry_name="FICTIONAL SCREENED COMPANY",
                matched_name="FICTIONAL SCREENED COMPANY",
                score=93.0,
                band="high",
                explanation={},
            )
        ]
        session.add(screening)
        session.flush()
        session.add(
            ScreeningDecision(
                hit_id=screening.hits[0].id,
                query_key=screening.query_key,
                list_name="TEST",
                source_id="7",
                judgement="false_positive",
                reason="different address",
                decided_by="officer",
            )
        )
    assert firm_service.get_firm(engine, OFFICER, key).screening["status"] == "hits cleared"
    profile = firm_service.get_firm(engine, OFFICER, key)
    assert profile.screening["decisions"][0]["decided_by"] == "officer"
    assert profile.screening["hits"][0]["entry"] == "FICTIONAL SCREENED COMPANY"

    case = create_case(
        engine,
        OFFICER,
        CaseInput(title="Fictional case", subjects=(Subject("Fictional Screened Co"),)),
    )
    reference = case.reference
    assert [c["reference"] for c in firm_service.get_firm(engine, OFFICER, key).cases] == [
        reference
    ]
    # A liaison neither sees the unshared firm nor, through it, the case or the screening.
    with pytest.raises(errors.NotFound):
        firm_service.get_firm(engine, LIAISON, key)
