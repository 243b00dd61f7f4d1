"""Commitments: overdue derived from the injected clock, per-side views."""

from __future__ import annotations

from datetime import date

import pytest

from npdesk.domain.commitments import Commitment, CommitmentError, overdue, owed_by

ASAP = Commitment(
    "partner",
    "Respond to the proposed April review",
    owner="MFA",
    soft_due="as soon as possible",
    made_on=date(2008, 3, 19),
    made_in="meeting",
)
REPORT = Commitment("home", "Send the updated list", due=date(2008, 4, 1))
DUE_COURSE = Commitment(
    "partner", "Conduct the review", soft_due="in due course", made_on=date(2008, 3, 19)
)


def test_soft_due_implies_a_follow_up_day() -> None:
    assert ASAP.follow_up_day() == date(2008, 4, 18)
    assert DUE_COURSE.follow_up_day() == date(2008, 6, 17)
    assert (
        Commitment("home", "x", soft_due="someday", made_on=date(2008, 1, 1)).follow_up_day()
        is None
    )


def test_overdue_follows_the_clock() -> None:
    assert not ASAP.overdue(date(2008, 4, 18))
    assert ASAP.overdue(date(2008, 4, 19))
    assert ASAP.display_status(date(2008, 4, 19)) == "overdue"
    assert overdue([ASAP, REPORT, DUE_COURSE], date(2008, 5, 1)) == [REPORT, ASAP]


def test_done_is_never_overdue() -> None:
    done = ASAP.close("done", "answered in note verbale")
    assert done.status == "done" and done.note == "answered in note verbale"
    assert not done.overdue(date(2009, 1, 1))
    with pytest.raises(CommitmentError):
        done.close("dropped")
    with pytest.raises(CommitmentError):
        ASAP.close("open")


def test_per_side_views() -> None:
    everything = [ASAP, REPORT, DUE_COURSE, ASAP.close("done")]
    assert owed_by(everything, "home") == [REPORT]
    assert owed_by(everything, "partner") == [ASAP, DUE_COURSE]


def test_invalid_commitments() -> None:
    with pytest.raises(CommitmentError):
        Commitment("them", "x")  # type: ignore[arg-type]
    with pytest.raises(CommitmentError):
        Commitment("home", " ")
