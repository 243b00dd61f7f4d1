"""The FICTIONAL demo program loads once, is marked fictional everywhere, and gives the
burn-down its shape: up to a peak, then shorter after each review."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from npdesk.demo.program import load_demo_program
from npdesk.domain.cases import CaseStatus
from npdesk.domain.reviews import ReviewState
from npdesk.services.cases import list_cases
from npdesk.services.handovers import diff_handover_lists, list_handover_lists
from npdesk.services.metrics import metrics_for
from npdesk.services.reviews import list_reviews

from ._desk_fixtures import LIAISON, OFFICER, desk


def test_the_demo_program_tells_the_story_of_a_shrinking_list(tmp_path: Path) -> None:
    engine = desk(tmp_path)
    load_demo_program(engine)
    load_demo_program(engine)  # idempotent

    cases = list_cases(engine, OFFICER).cases
    assert len(cases) == 20
    assert all(c.fictional and c.title.startswith("FICTIONAL") for c in cases)
    lists = list_handover_lists(engine, OFFICER)
    assert [(x.number, x.handed_over_on) for x in lists][-2:] == [
        (2, date(2008, 3, 19)),
        (1, date(2007, 11, 26)),
    ]
    assert all(x.fictional for x in lists)
    reviews = list_reviews(engine, OFFICER)
    assert [r.state for r in reviews] == [ReviewState.HELD] * 3 + [ReviewState.PROPOSED]
    assert reviews[-1].awaiting_partner

    figures = metrics_for(engine, OFFICER, as_of=date(2008, 12, 31))
    counts = {p.on: p.open_count for p in figures.burndown}
    peak = max(counts.values())
    assert peak >= 14 and figures.open_now == 7
    assert [c.closed for c in figures.cycles][:3] == [4, 3, 5]
    assert figures.response_times and figures.overdue

    second = diff_handover_lists(engine, OFFICER, 1, 2)
    assert second.added and second.removed

    # The partner sees every case handed over and none of the home-only one.
    seen = list_cases(engine, LIAISON).cases
    assert len(seen) == 18
    assert all(c.status is not CaseStatus.DRAFT and not c.allegation_summary for c in seen)
