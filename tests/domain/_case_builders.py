"""Small builders for hand-made case histories used by the case-desk tests."""

from __future__ import annotations

from datetime import UTC, date, datetime

from npdesk.domain.cases import (
    Case,
    CaseOutcome,
    CaseStatus,
    PartnerResponse,
    Priority,
    apply_transition,
    new_case,
)


def at(day: str) -> datetime:
    """Noon UTC on an ISO day."""
    return datetime.fromisoformat(day).replace(hour=12, tzinfo=UTC)


def drafted(reference: str, day: str = "2007-10-01", **fields: object) -> Case:
    """A draft case created on `day`."""
    base = Case(reference=reference, title=f"Case {reference}", **fields)  # type: ignore[arg-type]
    return new_case(base, actor="officer", at=at(day))


def walk(case: Case, *steps: tuple[str, CaseStatus]) -> Case:
    """Apply `(day, status)` moves in order, closing as resolved."""
    for day, status in steps:
        outcome = CaseOutcome.RESOLVED if status is CaseStatus.CLOSED else None
        case = apply_transition(
            case, status, reason=f"moved on {day}", actor="officer", at=at(day), outcome=outcome
        )
    return case


def responded(case: Case, day: str, text: str = "The partner replied.") -> Case:
    """`case` with one more partner response received on `day`."""
    response = PartnerResponse(date.fromisoformat(day), text, "liaison")
    return Case(**{**case.__dict__, "responses": (*case.responses, response)})


__all__ = ["Priority", "at", "drafted", "responded", "walk"]
