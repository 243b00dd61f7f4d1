"""Metrics on a hand-built history: burn-down, cycles, ages, response times, overdue."""

from __future__ import annotations

from datetime import date
from xml.etree import ElementTree

from npdesk.domain.cases import CaseStatus
from npdesk.domain.metrics import (
    BurndownPoint,
    burndown,
    cycle_counts,
    desk_metrics,
    median_open_age,
    overdue_responses,
    render_burndown_svg,
    response_times,
)

from ._case_builders import drafted, responded, walk

OPEN, RAISED, CLOSED = CaseStatus.OPEN, CaseStatus.RAISED, CaseStatus.CLOSED
INVESTIGATING = CaseStatus.PARTNER_INVESTIGATING


def history() -> list:  # type: ignore[type-arg]
    a = walk(drafted("A"), ("2007-10-01", OPEN), ("2007-11-20", RAISED), ("2008-04-16", CLOSED))
    a = responded(a, "2008-02-19")
    b = walk(drafted("B"), ("2007-10-05", OPEN), ("2007-11-20", RAISED))
    c = walk(drafted("C"), ("2008-03-01", OPEN), ("2008-03-19", RAISED))
    c = walk(c, ("2008-05-01", INVESTIGATING), ("2008-07-15", CLOSED), ("2008-08-01", OPEN))
    c = responded(c, "2008-06-01")
    never = drafted("D")
    return [a, b, c, never]


def test_burndown_steps_on_each_change() -> None:
    points = burndown(history(), date(2007, 9, 30), date(2008, 10, 1))
    assert points == [
        BurndownPoint(date(2007, 9, 30), 0),
        BurndownPoint(date(2007, 10, 1), 1),
        BurndownPoint(date(2007, 10, 5), 2),
        BurndownPoint(date(2008, 3, 1), 3),
        BurndownPoint(date(2008, 4, 16), 2),
        BurndownPoint(date(2008, 7, 15), 1),
        BurndownPoint(date(2008, 8, 1), 2),
        BurndownPoint(date(2008, 10, 1), 2),
    ]


def test_cycles_count_openings_and_closings_between_reviews() -> None:
    cycles = cycle_counts(history(), [date(2008, 4, 16), date(2008, 7, 15)], date(2008, 10, 1))
    assert [(c.opened, c.closed) for c in cycles] == [(3, 1), (0, 1), (1, 0)]
    assert cycles[-1].label == "since last review"


def test_median_age_response_times_and_overdue() -> None:
    cases = history()
    # On 2008-04-17: B (open since 2007-10-05) and C (since 2008-03-01) are active.
    assert median_open_age(cases, date(2008, 4, 17)) == (195 + 47) / 2
    times = {t.reference: t.days for t in response_times(cases)}
    assert times == {"A": 91, "C": 74}
    overdue = overdue_responses(cases, date(2008, 4, 17), due_days=90)
    assert [(o.reference, o.waiting_since, o.days_waiting) for o in overdue] == [
        ("B", date(2007, 11, 20), 149)
    ]
    assert overdue_responses(cases, date(2008, 2, 17), due_days=90) == []


def test_desk_metrics_is_json_ready_and_the_svg_is_well_formed() -> None:
    metrics = desk_metrics(history(), [date(2008, 4, 16)], date(2008, 10, 1))
    data = metrics.to_dict()
    assert data["open_now"] == 2
    assert data["burndown"][0] == {"on": "2007-09-30", "open_count": 0}  # type: ignore[index]
    svg = render_burndown_svg(metrics.burndown, [(date(2008, 4, 16), "Review <1>")])
    root = ElementTree.fromstring(svg)
    assert root.tag.endswith("svg")
    assert "Review &lt;1&gt;" in svg and "<script" not in svg
    assert "2 open" in svg
    assert "no cases yet" in render_burndown_svg([])
    with_lists = render_burndown_svg(metrics.burndown, handovers=[(date(2007, 11, 26), "list 1")])
    assert "list 1" in with_lists and ElementTree.fromstring(with_lists) is not None
    outside = render_burndown_svg(metrics.burndown, handovers=[(date(1999, 1, 1), "list 0")])
    assert "list 0" not in outside
