"""Desk metrics from case histories: is the list getting "shorter and shorter"?

Everything is computed from the cases' status histories and partner responses, so figures
for any past date are reproducible. `render_burndown_svg` draws the open-case count over time
as a self-contained SVG string (no script, no external resources).
"""

from __future__ import annotations

import statistics
from bisect import bisect_left
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from datetime import date, timedelta
from itertools import pairwise
from xml.sax.saxutils import escape

from npdesk.domain.cases import ACTIVE_STATUSES, Case, CaseStatus

#: Days after which a case with the partner and no response counts as overdue.
DEFAULT_RESPONSE_DUE_DAYS = 90

_WAITING = frozenset({CaseStatus.RAISED, CaseStatus.PARTNER_INVESTIGATING})


@dataclass(frozen=True)
class BurndownPoint:
    on: date
    open_count: int


@dataclass(frozen=True)
class CycleCount:
    """Cases opened (including reopened) and closed in `(start, end]`."""

    label: str
    start: date | None
    end: date
    opened: int
    closed: int


@dataclass(frozen=True)
class ResponseTime:
    reference: str
    raised_on: date
    responded_on: date
    days: int


@dataclass(frozen=True)
class OverdueResponse:
    reference: str
    title: str
    waiting_since: date
    days_waiting: int


@dataclass(frozen=True)
class DeskMetrics:
    """Every dashboard figure as of one day."""

    as_of: date
    open_now: int
    burndown: tuple[BurndownPoint, ...]
    cycles: tuple[CycleCount, ...]
    median_open_age_days: float | None
    response_times: tuple[ResponseTime, ...]
    median_response_days: float | None
    overdue: tuple[OverdueResponse, ...]
    response_due_days: int

    def to_dict(self) -> dict[str, object]:
        """Plain JSON-ready data (dates as ISO strings)."""
        return _jsonable(asdict(self))  # type: ignore[return-value]


def _jsonable(value: object) -> object:
    if isinstance(value, dict):
        return {key: _jsonable(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(item) for item in value]
    if isinstance(value, date):
        return value.isoformat()
    return value


def open_deltas(case: Case) -> list[tuple[date, int]]:
    """+1 on each day the case became active, -1 on each day it stopped being active."""
    deltas: list[tuple[date, int]] = []
    active = False
    for event in case.history:
        now_active = event.to_status in ACTIVE_STATUSES
        if now_active != active:
            deltas.append((event.at.date(), 1 if now_active else -1))
            active = now_active
    return deltas


def burndown(cases: Iterable[Case], start: date, end: date) -> list[BurndownPoint]:
    """Active-case count at the end of `start`, of each day it changed, and of `end`."""
    if end < start:
        raise ValueError(f"burn-down end {end} is before its start {start}")
    per_day: dict[date, int] = {}
    baseline = 0
    for case in cases:
        for day, delta in open_deltas(case):
            if day <= start:
                baseline += delta
            elif day <= end:
                per_day[day] = per_day.get(day, 0) + delta
    points = [BurndownPoint(start, baseline)]
    count = baseline
    for day in sorted(per_day):
        count += per_day[day]
        points.append(BurndownPoint(day, count))
    if points[-1].on != end:
        points.append(BurndownPoint(end, count))
    return points


def cycle_counts(
    cases: Sequence[Case], review_dates: Sequence[date], as_of: date
) -> list[CycleCount]:
    """Opened and closed counts per review cycle.

    The first cycle runs up to the first review; each next one to the following review; the
    last, "since last review", to `as_of` (omitted when `as_of` is not after the last review).
    """
    bounds = sorted(set(review_dates))
    spans: list[tuple[str, date | None, date]] = []
    previous: date | None = None
    for index, review_on in enumerate(bounds, start=1):
        spans.append((f"up to review {index} ({review_on.isoformat()})", previous, review_on))
        previous = review_on
    if previous is None or as_of > previous:
        spans.append(("since last review" if previous else "to date", previous, as_of))
    ends = [span_end for _, _, span_end in spans]
    opened = [0] * len(spans)
    closed = [0] * len(spans)
    first_start = spans[0][1]
    for case in cases:
        for event in case.history:
            day = event.at.date()
            if (first_start is not None and day <= first_start) or day > ends[-1]:
                continue
            index = bisect_left(ends, day)  # the first span whose end is on or after `day`
            if event.to_status is CaseStatus.OPEN:
                opened[index] += 1
            elif event.to_status is CaseStatus.CLOSED and event.from_status in ACTIVE_STATUSES:
                # Abandoned drafts never made the list, so closing one is not progress.
                closed[index] += 1
    return [
        CycleCount(label, span_start, span_end, opened[i], closed[i])
        for i, (label, span_start, span_end) in enumerate(spans)
    ]


def median_open_age(cases: Iterable[Case], on: date) -> float | None:
    """Median days since opening of the cases active at the end of `on`; None if none are."""
    ages = [case.age_days(on) for case in cases if _active_on(case, on)]
    return float(statistics.median(ages)) if ages else None


def response_times(cases: Iterable[Case]) -> list[ResponseTime]:
    """Days from first raising each case to the partner's first response after that."""
    times: list[ResponseTime] = []
    for case in cases:
        raised = case.raised_at
        if raised is None:
            continue
        raised_on = raised.date()
        answered = sorted(r.received_on for r in case.responses if r.received_on >= raised_on)
        if answered:
            days = (answered[0] - raised_on).days
            times.append(ResponseTime(case.reference, raised_on, answered[0], days))
    return times


def overdue_responses(
    cases: Iterable[Case], on: date, due_days: int = DEFAULT_RESPONSE_DUE_DAYS
) -> list[OverdueResponse]:
    """Cases with the partner (raised or investigating) on `on` with no response for more
    than `due_days` since they last went to the partner; longest wait first."""
    overdue: list[OverdueResponse] = []
    for case in cases:
        events = [e for e in case.history if e.at.date() <= on]
        if not events or events[-1].to_status not in _WAITING:
            continue
        since = events[-1].at.date()
        for event in reversed(events):
            if event.to_status not in _WAITING:
                break
            since = event.at.date()
        if any(since <= r.received_on <= on for r in case.responses):
            continue
        waited = (on - since).days
        if waited > due_days:
            overdue.append(OverdueResponse(case.reference, case.title, since, waited))
    overdue.sort(key=lambda item: (-item.days_waiting, item.reference))
    return overdue


def desk_metrics(
    cases: Sequence[Case],
    review_dates: Sequence[date],
    as_of: date,
    due_days: int = DEFAULT_RESPONSE_DUE_DAYS,
) -> DeskMetrics:
    """All dashboard figures as of `as_of`; the burn-down starts on the earliest history day."""
    days = [event.at.date() for case in cases for event in case.history]
    start = min([*days, as_of]) - timedelta(days=1)
    times = response_times(cases)
    return DeskMetrics(
        as_of=as_of,
        open_now=sum(1 for case in cases if _active_on(case, as_of)),
        burndown=tuple(burndown(cases, start, as_of)),
        cycles=tuple(cycle_counts(cases, review_dates, as_of)),
        median_open_age_days=median_open_age(cases, as_of),
        response_times=tuple(times),
        median_response_days=float(statistics.median(t.days for t in times)) if times else None,
        overdue=tuple(overdue_responses(cases, as_of, due_days)),
        response_due_days=due_days,
    )


def _active_on(case: Case, on: date) -> bool:
    status: CaseStatus | None = None
    for event in case.history:
        if event.at.date() > on:
            break
        status = event.to_status
    return status in ACTIVE_STATUSES


def render_burndown_svg(
    points: Sequence[BurndownPoint],
    markers: Sequence[tuple[date, str]] = (),
    handovers: Sequence[tuple[date, str]] = (),
    *,
    width: int = 720,
    height: int = 280,
    title: str = "Open cases over time",
) -> str:
    """The burn-down as a step chart in a standalone SVG string.

    `markers` are dashed vertical lines labelled at the top (review meetings); `handovers` are
    dotted ones labelled at the bottom (lists handed to the partner). With no points, an empty chart
    saying so. Text is XML-escaped; the SVG has a `<title>` for screen readers.
    """
    left, right, top, bottom = 48, 16, 28, 40
    plot_w, plot_h = width - left - right, height - top - bottom
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" class="burndown">',
        f"<title>{escape(title)}</title>",
        f'<text x="{left}" y="18" font-size="13" font-weight="bold">{escape(title)}</text>',
    ]
    if not points:
        parts.append(f'<text x="{left}" y="{top + plot_h // 2}" font-size="12">no cases yet</text>')
        parts.append("</svg>")
        return "".join(parts)
    first, last = points[0].on, points[-1].on
    span = max((last - first).days, 1)
    peak = max(max(p.open_count for p in points), 1)

    def x_of(day: date) -> float:
        return left + plot_w * (day - first).days / span

    def y_of(count: int) -> float:
        return top + plot_h - plot_h * count / peak

    axis = "#444"
    parts.append(
        f'<line x1="{left}" y1="{top + plot_h}" x2="{left + plot_w}" y2="{top + plot_h}" '
        f'stroke="{axis}"/><line x1="{left}" y1="{top}" x2="{left}" y2="{top + plot_h}" '
        f'stroke="{axis}"/>'
    )
    for tick in sorted({0, peak // 2, peak}):
        y = y_of(tick)
        parts.append(
            f'<text x="{left - 6}" y="{y + 4:.1f}" font-size="11" text-anchor="end">{tick}</text>'
            f'<line x1="{left}" y1="{y:.1f}" x2="{left + plot_w}" y2="{y:.1f}" '
            f'stroke="#ddd"/>'
        )
    for day, label in markers:
        if first <= day <= last:
            x = x_of(day)
            parts.append(
                f'<line x1="{x:.1f}" y1="{top}" x2="{x:.1f}" y2="{top + plot_h}" '
                f'stroke="#b55" stroke-dasharray="4 3"/>'
                f'<text x="{x + 3:.1f}" y="{top + 10}" font-size="10" fill="#b55">'
                f"{escape(label)}</text>"
            )
    for day, label in handovers:
        if first <= day <= last:
            x = x_of(day)
            parts.append(
                f'<line x1="{x:.1f}" y1="{top}" x2="{x:.1f}" y2="{top + plot_h}" '
                f'stroke="#2e7d32" stroke-dasharray="1 3"/>'
                f'<text x="{x + 3:.1f}" y="{top + plot_h - 4}" font-size="10" fill="#2e7d32">'
                f"{escape(label)}</text>"
            )
    path = [f"M{x_of(points[0].on):.1f},{y_of(points[0].open_count):.1f}"]
    for previous, point in pairwise(points):
        path.append(f"H{x_of(point.on):.1f}")
        if point.open_count != previous.open_count:
            path.append(f"V{y_of(point.open_count):.1f}")
    parts.append(f'<path d="{"".join(path)}" fill="none" stroke="#1f5fa8" stroke-width="2"/>')
    for day in (first, last):
        anchor = "start" if day == first else "end"
        parts.append(
            f'<text x="{x_of(day):.1f}" y="{top + plot_h + 16}" font-size="11" '
            f'text-anchor="{anchor}">{day.isoformat()}</text>'
        )
    parts.append(
        f'<text x="{left + plot_w:.1f}" y="{y_of(points[-1].open_count) - 6:.1f}" '
        f'font-size="11" text-anchor="end">{points[-1].open_count} open</text>'
    )
    parts.append("</svg>")
    return "".join(parts)
