"""Dashboard figures for the cases a user may see, and the burn-down chart as SVG.

Metrics need only each case's status history and partner response dates, so they are loaded
with three plain queries instead of whole case graphs; that keeps the dashboard fast with
thousands of cases.
"""

from __future__ import annotations

import json
from collections import OrderedDict, defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from itertools import pairwise
from threading import Lock

from sqlalchemy import String, func, select, type_coerce
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
from npdesk.security.model import User
from npdesk.services.case_records import aware
from npdesk.services.case_references import shown_references
from npdesk.services.handovers import handover_dates
from npdesk.services.reviews import list_reviews
from npdesk.store.db import session_factory, utcnow
from npdesk.store.models.cases import CaseEventRecord, CaseRecord, PartnerResponseRecord
from npdesk.store.visibility import stored_marking, strictest, visible_columns

#: Days of unchanged count kept after the last change when the chart would otherwise run on.
QUIET_TAIL_DAYS = 60


_STATUSES = {status.value: status for status in CaseStatus}
_OUTCOMES = {outcome.value: outcome for outcome in CaseOutcome}


def case_histories(engine: Engine, user: User) -> list[Case]:
    """Every case `user` may see with its history and response dates (no text fields)."""
    query = visible_columns(
        CaseRecord,
        user,
        CaseRecord.id,
        CaseRecord.reference,
        CaseRecord.title,
        CaseRecord.status,
        CaseRecord.classification,
        CaseRecord.caveats,
        CaseRecord.rel_to,
        CaseRecord.shared_with_partner,
    ).order_by(CaseRecord.reference)
    events: dict[int, list[CaseEvent]] = defaultdict(list)
    responses: dict[int, list[PartnerResponse]] = defaultdict(list)
    # Histories and responses of the cases the user may see only: hidden ones are never read.
    seen = visible_columns(CaseRecord, user, CaseRecord.id)
    with engine.connect() as connection:
        rows = connection.execute(query).all()
        for case_id, at, from_status, to_status, outcome in connection.execute(
            select(
                CaseEventRecord.case_id,
                # Raw values: SQLite's text timestamps parse far faster with fromisoformat
                # than through the ORM type; PostgreSQL hands back datetimes either way.
                type_coerce(CaseEventRecord.at, String),
                CaseEventRecord.from_status,
                CaseEventRecord.to_status,
                CaseEventRecord.outcome,
            )
            .where(CaseEventRecord.case_id.in_(seen))
            .order_by(CaseEventRecord.at, CaseEventRecord.id)
        ):
            events[case_id].append(
                CaseEvent(
                    at=aware(at if isinstance(at, datetime) else datetime.fromisoformat(at)),
                    actor="",
                    from_status=_STATUSES[from_status] if from_status else None,
                    to_status=_STATUSES[to_status],
                    reason="",
                    outcome=_OUTCOMES[outcome] if outcome else None,
                )
            )
        for case_id, received_on in connection.execute(
            select(PartnerResponseRecord.case_id, PartnerResponseRecord.received_on).where(
                PartnerResponseRecord.case_id.in_(seen)
            )
        ):
            responses[case_id].append(PartnerResponse(received_on, "", ""))
    with session_factory(engine)() as session:
        refs = shown_references(session, user)
    cases: list[Case] = []
    for case_id, reference, title, status, level, caveats, rel_to, shared in rows:
        cases.append(
            Case(
                reference=refs.shown(reference),
                title=title,
                status=_STATUSES[status],
                history=tuple(events[case_id]),
                responses=tuple(responses[case_id]),
                marking=stored_marking(level, caveats, rel_to, shared),
            )
        )
    return cases


@dataclass(frozen=True)
class Dashboard:
    """The dashboard figures and the burn-down chart drawn from them."""

    metrics: DeskMetrics
    svg: str
    json: bytes
    #: The page's banner: the strictest marking among the cases the figures are drawn from.
    banner: str = "UNCLASSIFIED"


# Figures are derived data that change only when the desk does, so they are kept per desk
# state (see `_desk_state`), per visibility and per day; a change to any case, event, response
# or review makes a new key. Bounded, and shared by the threads of one server process.
_CACHE: OrderedDict[tuple[object, ...], Dashboard] = OrderedDict()
_CACHE_SIZE = 64
_CACHE_LOCK = Lock()


def _desk_state(engine: Engine) -> tuple[object, ...]:
    """A cheap fingerprint of everything the figures depend on."""
    with session_factory(engine)() as session:
        events = session.execute(select(func.count(), func.max(CaseEventRecord.id))).one()
        cases = session.execute(
            select(func.count(), func.max(CaseRecord.updated_at)).select_from(CaseRecord)
        ).one()
        responses = session.execute(select(func.count(), func.max(PartnerResponseRecord.id))).one()
    return (*events, *cases, *responses)


def _visibility(user: User) -> tuple[object, ...]:
    """What decides which cases `user` may see (two users alike here see the same cases)."""
    return (user.party, user.clearance, user.country)


def dashboard(
    engine: Engine,
    user: User,
    as_of: date | None = None,
    due_days: int = DEFAULT_RESPONSE_DUE_DAYS,
) -> Dashboard:
    """All dashboard figures for the cases `user` may see, as of `as_of` (default today), with
    the burn-down chart. Review cycles are bounded by the meeting dates of held reviews."""
    day = as_of or utcnow().date()
    held = [s for s in list_reviews(engine, user) if s.state is ReviewState.HELD]
    lists = handover_dates(engine, user)
    key = (
        id(engine),
        str(engine.url),
        _visibility(user),
        day,
        due_days,
        tuple((s.number, s.meeting_on) for s in held),
        tuple(lists),
        _desk_state(engine),
    )
    with _CACHE_LOCK:
        cached = _CACHE.get(key)
        if cached is not None:
            _CACHE.move_to_end(key)
            return cached
    reviews = [s.meeting_on for s in held if s.meeting_on <= day]
    cases = case_histories(engine, user)
    figures = desk_metrics(cases, reviews, day, due_days)
    markers = [(s.meeting_on, f"review {s.number}") for s in held]
    result = Dashboard(
        figures,
        render_burndown_svg(
            chart_points(figures.burndown),
            markers,
            [(day, f"list {number}") for number, day in lists],
        ),
        json.dumps(figures.to_dict(), separators=(",", ":")).encode(),
        strictest([c.marking for c in cases], user).banner(),
    )
    with _CACHE_LOCK:
        _CACHE[key] = result
        while len(_CACHE) > _CACHE_SIZE:
            _CACHE.popitem(last=False)
    return result


def metrics_for(
    engine: Engine,
    user: User,
    as_of: date | None = None,
    due_days: int = DEFAULT_RESPONSE_DUE_DAYS,
) -> DeskMetrics:
    """All dashboard figures for the cases `user` may see (see `dashboard`)."""
    return dashboard(engine, user, as_of, due_days).metrics


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


__all__ = [
    "Dashboard",
    "burndown_svg",
    "case_histories",
    "chart_points",
    "dashboard",
    "metrics_for",
]
