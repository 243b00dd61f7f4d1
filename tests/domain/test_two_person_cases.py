"""A case goes to the partner only once two home officers agree (issue 12, part 3): a handover
of a case not yet released is refused; the case's release is proposed, approved by a second
officer, and then handed over as released. (A handover with `release` still releases in one
step: not yet gated.)"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from npdesk.domain.cases import CaseStatus, Priority
from npdesk.security.model import Level, Marking, Party, Role, User
from npdesk.services import approvals, audit
from npdesk.services.cases import (
    CaseInput,
    InvalidCaseData,
    all_cases,
    create_case,
    transition_case,
)
from npdesk.services.handovers import create_handover_list

from ._desk_fixtures import LIAISON, OFFICER, at, desk

SECOND = User("second", Party.HOME, Role.OFFICER, Level.S)


def _hand(engine, release: bool):  # type: ignore[no-untyped-def]
    return create_handover_list(
        engine,
        OFFICER,
        title="FICTIONAL list of March 2008",
        handed_over_on=date(2008, 3, 14),
        handed_over_by="PolMinCouns",
        handed_over_to="MFA Arms Control Counselor",
        partner_country="CHN",
        release=release,
        fictional=True,
    )


def test_a_case_is_handed_over_only_after_a_second_officer_approves(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("NPDESK_TWO_PERSON_RELEASE", raising=False)
    engine = desk(tmp_path)
    case = create_case(
        engine,
        OFFICER,
        CaseInput(
            title="FICTIONAL gyroscope transfer",
            releasable_summary="Reported transfer of gyroscopes to a third country.",
            priority=Priority.HIGH,
            marking=Marking(Level.C),
            fictional=True,
        ),
        at=at("2008-03-01"),
    )
    reference = case.reference
    transition_case(
        engine, OFFICER, reference, CaseStatus.OPEN, reason="vetted", at=at("2008-03-02")
    )

    proposed = approvals.propose_release(engine, OFFICER, approvals.CASE, reference, source="t")
    assert all_cases(engine, LIAISON) == []
    with pytest.raises(InvalidCaseData):  # not released yet: nothing to hand over
        _hand(engine, release=False)
    with pytest.raises(approvals.ApprovalError, match="second person"):
        approvals.approve_release(engine, OFFICER, proposed.id, source="t")

    approvals.approve_release(engine, SECOND, proposed.id, source="t")
    handed = _hand(engine, release=False)
    assert [e.reference for e in handed.entries] == [reference]
    seen = all_cases(engine, LIAISON)  # under the reference the partner is shown
    assert [c.releasable_summary for c in seen] == [
        "Reported transfer of gyroscopes to a third country."
    ]
    releases = [
        (e["action"], e["actor"], e["record_id"])
        for e in audit.export(engine)
        if e["action"] == "cases.release"
    ]
    assert releases == [("cases.release", "second", reference)]
