"""Dashboard figures for the cases a user may see, and the burn-down chart as SVG.

Metrics need only each case's status history and partner response dates, so they are loaded
with three plain queries instead of whole case graphs; that keeps the dashboard fast with
thousands of cases.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from itertools import pairwise

from sqlalchemy import select
from sqlalchemy.engine import Engine

from npdesk.domain.cases import Case, CaseEvent, CaseOutcome, CaseStatus, PartnerResponse
from npdesk.domain.metrics import (
    DEFAULT_RESPONSE_DUE_DAYS,
    BurndownPoint,
    DeskMetrics,
    desk_metrics,
    render_burndown_svg,
)
from npdesk.domain.reviews import ReviewState
from npdesk.security.model import Marking, User
from npdesk.services.cases import aware, may_see, visible_filter
from npdesk.services.reviews import list_reviews
from npdesk.store.db import session_factory, utcnow
from npdesk.store.models.cases import CaseEventRecord, CaseRecord, PartnerResponseRecord

#: Days of unchanged count kept after the last change when the chart would otherwise run on.
QUIET_TAIL_DAYS = 60


def case_histories(engine: Engine, user: User) -> list[Case]:
    """Every case `user` may see with its history and response dates (no text fields)."""
    condition = visible_filter(user)
    query = select(
        CaseRecord.id,
        CaseRecord.reference,
        CaseRecord.title,
        CaseRecord.status,
        CaseRecord.classification,
        CaseRecord.caveats,
        CaseRecord.rel_to,
        CaseRecord.shared_with_partner,
    )
    if condition is not None:
        query = query.where(condition)
    query = query.order_by(CaseRecord.reference)
    events: dict[int, list[CaseEvent]] = defaultdict(list)
    responses: dict[int, list[PartnerResponse]] = defaultdict(list)
    with session_factory(engine)() as session:
        rows = session.execute(query).all()
        for case_id, at, from_status, to_status, outcome in session.execute(
            select(
                CaseEventRecord.case_id,
                CaseEventRecord.at,
                CaseEventRecord.from_status,
                CaseEventRecord.to_status,
                CaseEventRecord.outcome,
            ).order_by(CaseEventRecord.at, CaseEventRecord.id)
        ):
            events[case_id].append(
                CaseEvent(
                    at=aware(at),
                    actor="",
                    from_status=CaseStatus(from_status) if from_status else None,
                    to_status=CaseStatus(to_status),
                    reason="",
                    outcome=CaseOutcome(outcome) if outcome else None,
                )
            )
        for case_id, received_on in session.execute(
            select(PartnerResponseRecord.case_id, PartnerResponseRecord.received_on)
        ):
            responses[case_id].append(PartnerResponse(received_on, "", ""))
    cases: list[Case] = []
    for case_id, reference, title, status, level, caveats, rel_to, shared in rows:
        try:
            marking = Marking.from_strings(level, caveats, rel_to, shared)
        except ValueError:
            continue
        if may_see(user, marking):
            cases.append(
                Case(
                    reference=reference,
                    title=title,
                    status=CaseStatus(status),
                    history=tuple(events[case_id]),
                    responses=tuple(responses[case_id]),
                    marking=marking,
                )
            )
    return cases


def metrics_for(
    engine: Engine,
    user: User,
    as_of: date | None = None,
    due_days: int = DEFAULT_RESPONSE_DUE_DAYS,
) -> DeskMetrics:
    """All dashboard figures for the cases `user` may see, as of `as_of` (default today).

    Review cycles are bounded by the meeting dates of held reviews.
    """
    day = as_of or utcnow().date()
    reviews = [d for d in _held_review_dates(engine, user) if d <= day]
    return desk_metrics(case_histories(engine, user), reviews, day, due_days)


def _held_review_dates(engine: Engine, user: User) -> list[date]:
    return [s.meeting_on for s in list_reviews(engine, user) if s.state is ReviewState.HELD]


def chart_points(points: tuple[BurndownPoint, ...]) -> list[BurndownPoint]:
    """The burn-down trimmed to `QUIET_TAIL_DAYS` after its last change, so an old program
    viewed years later still fills the chart."""
    changes = [p for prev, p in pairwise(points) if p.open_count != prev.open_count]
    if not changes:
        return list(points)
    cutoff = changes[-1].on + timedelta(days=QUIET_TAIL_DAYS)
    kept = [p for p in points if p.on <= cutoff]
    if kept[-1].on < cutoff and points[-1].on > cutoff:
        kept.append(BurndownPoint(cutoff, kept[-1].open_count))
    return kept


def burndown_svg(engine: Engine, user: User, metrics: DeskMetrics) -> str:
    """The burn-down chart for `metrics` with held reviews marked, as an SVG string."""
    markers = [
        (s.meeting_on, f"review {s.number}")
        for s in list_reviews(engine, user)
        if s.state is ReviewState.HELD
    ]
    return render_burndown_svg(chart_points(metrics.burndown), markers)


__all__ = ["burndown_svg", "case_histories", "chart_points", "metrics_for"]
