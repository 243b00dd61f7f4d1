"""The case state machine: every legal and every illegal move, reasons, outcomes, merges."""

from __future__ import annotations

from itertools import pairwise, product

import pytest
from hypothesis import given
from hypothesis import strategies as st

from npdesk.domain.cases import (
    TRANSITIONS,
    Case,
    CaseOutcome,
    CaseStatus,
    IllegalTransition,
    IncompleteTransition,
    OutOfOrderTransition,
    apply_transition,
    check_transition,
    is_legal,
    legal_targets,
)

from ._case_builders import at, drafted

ALL_PAIRS = list(product(CaseStatus, CaseStatus))
LEGAL = [(a, b) for a, b in ALL_PAIRS if b in TRANSITIONS[a]]
ILLEGAL = [(a, b) for a, b in ALL_PAIRS if b not in TRANSITIONS[a]]


def case_in(status: CaseStatus) -> Case:
    return Case(reference="C-1", title="t", status=status)


def close_args(target: CaseStatus) -> dict[str, object]:
    return {"outcome": CaseOutcome.RESOLVED} if target is CaseStatus.CLOSED else {}


def test_the_table_covers_every_status_and_the_documented_flow() -> None:
    assert set(TRANSITIONS) == set(CaseStatus)
    flow = [
        CaseStatus.DRAFT,
        CaseStatus.OPEN,
        CaseStatus.RAISED,
        CaseStatus.PARTNER_INVESTIGATING,
        CaseStatus.PARTNER_RESPONDED,
        CaseStatus.CLOSED,
        CaseStatus.OPEN,  # reopening
    ]
    for current, nxt in pairwise(flow):
        assert is_legal(current, nxt)
    assert len(LEGAL) + len(ILLEGAL) == len(CaseStatus) ** 2


@pytest.mark.parametrize(("current", "target"), LEGAL)
def test_every_legal_move_is_applied_and_recorded(current: CaseStatus, target: CaseStatus) -> None:
    moved = apply_transition(
        case_in(current),
        target,
        reason="because",
        actor="ann",
        at=at("2008-03-19"),
        **close_args(target),  # type: ignore[arg-type]
    )
    assert moved.status is target
    event = moved.history[-1]
    assert (event.from_status, event.to_status, event.reason, event.actor) == (
        current,
        target,
        "because",
        "ann",
    )


@pytest.mark.parametrize(("current", "target"), ILLEGAL)
def test_every_illegal_move_is_refused_naming_the_states(
    current: CaseStatus, target: CaseStatus
) -> None:
    with pytest.raises(IllegalTransition) as refused:
        apply_transition(
            case_in(current),
            target,
            reason="because",
            actor="ann",
            at=at("2008-03-19"),
            **close_args(target),  # type: ignore[arg-type]
        )
    error = refused.value
    assert (error.current, error.requested, error.legal) == (
        current,
        target,
        legal_targets(current),
    )
    message = str(error)
    assert f"'{current}'" in message and f"'{target}'" in message
    for legal in legal_targets(current):
        assert str(legal) in message


@pytest.mark.parametrize(("current", "target"), LEGAL)
@pytest.mark.parametrize("reason", ["", "   "])
def test_every_move_needs_a_reason(current: CaseStatus, target: CaseStatus, reason: str) -> None:
    with pytest.raises(IncompleteTransition, match="reason"):
        check_transition(current, target, reason, **close_args(target))  # type: ignore[arg-type]


def test_closing_needs_an_outcome_and_merging_needs_a_target() -> None:
    with pytest.raises(IncompleteTransition, match="outcome"):
        check_transition(CaseStatus.RAISED, CaseStatus.CLOSED, "done")
    with pytest.raises(IncompleteTransition, match="merged into"):
        check_transition(CaseStatus.RAISED, CaseStatus.CLOSED, "dup", CaseOutcome.MERGED)
    with pytest.raises(IncompleteTransition, match="only a merged"):
        check_transition(CaseStatus.RAISED, CaseStatus.CLOSED, "dup", CaseOutcome.RESOLVED, "C-2")
    with pytest.raises(IncompleteTransition, match="only recorded when closing"):
        check_transition(CaseStatus.OPEN, CaseStatus.RAISED, "x", CaseOutcome.RESOLVED)


def test_merge_names_the_other_case_and_not_itself() -> None:
    case = case_in(CaseStatus.PARTNER_RESPONDED)
    merged = apply_transition(
        case,
        CaseStatus.CLOSED,
        reason="same shipment",
        actor="ann",
        at=at("2008-04-16"),
        outcome=CaseOutcome.MERGED,
        merged_into=" C-7 ",
    )
    assert (merged.outcome, merged.merged_into) == (CaseOutcome.MERGED, "C-7")
    with pytest.raises(IncompleteTransition, match="itself"):
        apply_transition(
            case,
            CaseStatus.CLOSED,
            reason="x",
            actor="ann",
            at=at("2008-04-16"),
            outcome=CaseOutcome.MERGED,
            merged_into="C-1",
        )


def test_a_move_cannot_be_dated_before_the_latest_change() -> None:
    case = apply_transition(
        drafted("C-1", "2008-01-10"), CaseStatus.OPEN, reason="go", actor="a", at=at("2008-01-10")
    )
    with pytest.raises(OutOfOrderTransition, match="cannot precede"):
        apply_transition(case, CaseStatus.RAISED, reason="late", actor="a", at=at("2007-11-20"))


def test_reopening_clears_the_outcome_and_keeps_history() -> None:
    case = drafted("C-9")
    for target in (CaseStatus.OPEN, CaseStatus.RAISED):
        case = apply_transition(case, target, reason="go", actor="a", at=at("2007-11-01"))
    case = apply_transition(
        case,
        CaseStatus.CLOSED,
        reason="no evidence",
        actor="a",
        at=at("2008-04-16"),
        outcome=CaseOutcome.UNSUBSTANTIATED,
    )
    assert case.closed_at == at("2008-04-16")
    reopened = apply_transition(
        case, CaseStatus.OPEN, reason="new reporting", actor="a", at=at("2008-06-01")
    )
    assert reopened.outcome is None and reopened.closed_at is None
    assert [e.to_status for e in reopened.history] == [
        CaseStatus.DRAFT,
        CaseStatus.OPEN,
        CaseStatus.RAISED,
        CaseStatus.CLOSED,
        CaseStatus.OPEN,
    ]


@given(st.lists(st.tuples(st.sampled_from(CaseStatus), st.sampled_from(CaseOutcome)), max_size=30))
def test_any_sequence_of_requests_keeps_the_history_consistent(
    requests: list[tuple[CaseStatus, CaseOutcome]],
) -> None:
    """Whatever is requested, the case only ever takes legal steps, each recorded once."""
    case = drafted("C-H")
    for target, outcome in requests:
        merged_into = "C-OTHER" if outcome is CaseOutcome.MERGED else None
        closing = target is CaseStatus.CLOSED
        try:
            case = apply_transition(
                case,
                target,
                reason="step",
                actor="h",
                at=at("2008-01-01"),
                outcome=outcome if closing else None,
                merged_into=merged_into if closing else None,
            )
        except IllegalTransition:
            assert not is_legal(case.status, target)
    assert case.history[-1].to_status is case.status
    for before, after in zip(case.history, case.history[1:], strict=False):
        assert after.from_status is before.to_status
        assert is_legal(before.to_status, after.to_status)
    assert (case.outcome is not None) == (case.status is CaseStatus.CLOSED)
