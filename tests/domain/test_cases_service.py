"""Case services on a real SQLite database: create, move, link, respond, and who sees what."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from npdesk.domain.cases import (
    CaseOutcome,
    CaseStatus,
    ControlRegime,
    IllegalTransition,
    Item,
    Subject,
)
from npdesk.services.cases import (
    CaseInput,
    CaseNotFound,
    InvalidCaseData,
    NotPermitted,
    create_case,
    get_case,
    list_cases,
    record_partner_response,
    transition_case,
    update_marking,
)

from ._desk_fixtures import (
    HOME_ONLY,
    LIAISON,
    OFFICER,
    OTHER_LIAISON,
    REVIEWER,
    SHARED,
    at,
    desk,
)


@pytest.fixture(autouse=True)
def one_person_desk(monkeypatch: pytest.MonkeyPatch) -> None:
    """These tests make records shared in one step; two-person release: tests/cases,
    tests/handovers, tests/reviews."""
    monkeypatch.setenv("NPDESK_TWO_PERSON_RELEASE", "false")


SECRET_TEXT = "HOME-ONLY allegation from sensitive reporting"


def sample(marking=SHARED, **extra: object) -> CaseInput:  # type: ignore[no-untyped-def]
    return CaseInput(
        title="FICTIONAL: gyroscope transfer",
        allegation_summary=SECRET_TEXT,
        releasable_summary="Reported transfer of gyroscopes.",
        subjects=(Subject("Fictional Gyro Co.", country="CHN", screening_ref="screening 1"),),
        items=(Item("gyroscopes", ControlRegime.MTCR, "Category II"),),
        origin_countries=("chn",),
        destination_countries=("IRN",),
        marking=marking,
        fictional=True,
        **extra,  # type: ignore[arg-type]
    )


def test_a_case_goes_through_its_life_and_keeps_its_history(tmp_path: Path) -> None:
    engine = desk(tmp_path)
    case = create_case(engine, OFFICER, sample(), at=at("2007-10-01"))
    assert case.reference == "NPC-2007-001" and case.status is CaseStatus.DRAFT
    ref = case.reference
    transition_case(engine, OFFICER, ref, CaseStatus.OPEN, reason="vetted", at=at("2007-10-02"))
    transition_case(engine, OFFICER, ref, CaseStatus.RAISED, reason="list 1", at=at("2007-11-20"))
    with pytest.raises(IllegalTransition, match="'raised' to 'draft'"):
        transition_case(engine, OFFICER, ref, CaseStatus.DRAFT, reason="oops")
    # The liaison has their own numbering: this is the first case shared with them in 2007.
    record_partner_response(
        engine, LIAISON, "CHN-2007-001", "We are looking into it.", date(2008, 2, 1)
    )
    closed = transition_case(
        engine,
        OFFICER,
        ref,
        CaseStatus.CLOSED,
        reason="review 1",
        outcome=CaseOutcome.RESOLVED,
        at=at("2008-04-16"),
    )
    assert [e.to_status for e in closed.history] == [
        CaseStatus.DRAFT,
        CaseStatus.OPEN,
        CaseStatus.RAISED,
        CaseStatus.PARTNER_RESPONDED,
        CaseStatus.CLOSED,
    ]
    assert closed.history[3].actor == "liaison"
    assert closed.responses[0].text == "We are looking into it."
    assert closed.origin_countries == ("CHN",)
    assert get_case(engine, OFFICER, ref) == closed


def test_a_liaison_sees_only_shared_cases_and_only_releasable_fields(tmp_path: Path) -> None:
    engine = desk(tmp_path)
    shared = create_case(engine, OFFICER, sample())
    hidden = create_case(engine, OFFICER, sample(marking=HOME_ONLY))

    seen = list_cases(engine, LIAISON)
    # The first case shared with them this year, in the liaison's own numbering.
    assert [c.reference for c in seen.cases] == [shared.reference.replace("NPC-", "CHN-")]
    assert seen.total == 1
    view = seen.cases[0]
    assert view.redacted and view.allegation_summary == "" and SECRET_TEXT not in repr(view)
    assert all(e.reason == "" and e.actor == "" for e in view.history)
    assert all(subject.screening_ref is None for subject in view.subjects)
    with pytest.raises(CaseNotFound):
        get_case(engine, LIAISON, hidden.reference)
    assert list_cases(engine, OTHER_LIAISON).total == 0
    assert list_cases(engine, OFFICER).total == 2


def test_liaisons_and_reviewers_cannot_change_cases(tmp_path: Path) -> None:
    engine = desk(tmp_path)
    ref = create_case(engine, OFFICER, sample()).reference
    # The liaison's number for the same (first shared) case.
    for user, shown in ((LIAISON, ref.replace("NPC-", "CHN-")), (REVIEWER, ref)):
        with pytest.raises(NotPermitted):
            transition_case(engine, user, shown, CaseStatus.OPEN, reason="x")
        with pytest.raises(NotPermitted):
            create_case(engine, user, sample())
    with pytest.raises(CaseNotFound):
        record_partner_response(
            engine,
            LIAISON,
            create_case(engine, OFFICER, sample(marking=HOME_ONLY)).reference,
            "hi",
            date(2008, 1, 1),
        )


def test_bad_input_is_refused_clearly(tmp_path: Path) -> None:
    engine = desk(tmp_path)
    with pytest.raises(InvalidCaseData, match="title"):
        create_case(engine, OFFICER, CaseInput(title="  "))
    ref = create_case(engine, OFFICER, sample(), at=at("2008-01-01")).reference
    with pytest.raises(InvalidCaseData, match="already exists"):
        create_case(engine, OFFICER, sample(reference=ref))
    with pytest.raises(InvalidCaseData, match="NOFORN"):
        update_marking(
            engine,
            OFFICER,
            ref,
            HOME_ONLY.__class__(HOME_ONLY.level, HOME_ONLY.caveats, shared=True),
        )
    transition_case(engine, OFFICER, ref, CaseStatus.OPEN, reason="go")
    with pytest.raises(CaseNotFound):
        transition_case(
            engine,
            OFFICER,
            ref,
            CaseStatus.CLOSED,
            reason="dup",
            outcome=CaseOutcome.MERGED,
            merged_into="NPC-1999-999",
        )


def test_summaries_carry_items_and_history_only(tmp_path: Path) -> None:
    engine = desk(tmp_path)
    create_case(engine, OFFICER, sample(), at=at("2007-10-01"))
    (full,) = list_cases(engine, OFFICER).cases
    (brief,) = list_cases(engine, OFFICER, summary=True).cases
    assert brief.items == full.items and brief.history == full.history
    assert full.subjects and not brief.subjects and not brief.cable_links


def test_every_change_is_audited_in_an_intact_chain(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NPDESK_TWO_PERSON_RELEASE", "false")  # hands over with release in one step
    from sqlalchemy import select

    from npdesk.security.model import Level, Marking
    from npdesk.services import audit
    from npdesk.services.handovers import create_handover_list
    from npdesk.store.db import session_factory
    from npdesk.store.models.security import AuditLogEntry

    engine = desk(tmp_path)
    # Not yet released: the handover releases it, and that decision is audited.
    unreleased = sample(marking=Marking(Level.C))
    ref = create_case(engine, OFFICER, unreleased, at=at("2007-10-01"), source="10.0.0.1").reference
    transition_case(engine, OFFICER, ref, CaseStatus.OPEN, reason="vetted", at=at("2007-10-02"))
    create_handover_list(
        engine,
        OFFICER,
        title="FICTIONAL list",
        handed_over_on=date(2007, 11, 20),
        handed_over_by="a",
        handed_over_to="b",
        partner_country="CHN",
        release=True,
    )
    record_partner_response(engine, LIAISON, "CHN-2007-001", "Looking into it.", date(2008, 1, 5))

    with session_factory(engine)() as session:
        rows = session.scalars(select(AuditLogEntry).order_by(AuditLogEntry.seq)).all()
        trail = [(r.actor, r.action, r.record_kind, r.detail.get("change")) for r in rows]
        first_source = rows[0].source
    assert trail == [
        ("officer", "cases.write", "case", "create"),
        ("officer", "cases.write", "case", "status"),
        ("officer", "handovers.create", "case", None),  # the release decision
        ("officer", "handovers.create", "case", "status"),  # open -> raised
        ("officer", "handovers.create", "handover_list", None),
        ("liaison", "partner.respond", "case", "response"),
        ("liaison", "partner.respond", "case", "status"),
    ]
    assert first_source == "10.0.0.1"
    assert audit.verify(engine) is None
