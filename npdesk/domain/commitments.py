"""Commitments and action items each side owes the other, and when they are overdue.

A commitment has an owner side (home or partner) and a person or office, a description, a due
date or a soft due ("as soon as possible", "in due course"), the review, meeting or cable where
it was made, and a status. `overdue` is derived, never stored: an open commitment whose due day
(or the follow-up day implied by its soft due) is before `today`. The clock is always passed in.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Literal

Side = Literal["home", "partner"]
Status = Literal["open", "done", "dropped"]
MadeIn = Literal["review", "meeting", "cable"]
STATUSES: tuple[Status, ...] = ("open", "done", "dropped")

# A soft due still needs a day to follow up on; these are the desk's conventions, and an
# officer can always set a firm due date instead.
SOFT_DUE_DAYS = {
    "as soon as possible": 30,
    "asap": 30,
    "promptly": 30,
    "without delay": 30,
    "shortly": 30,
    "soon": 30,
    "at the earliest opportunity": 30,
    "in the near future": 60,
    "in due course": 90,
}


class CommitmentError(ValueError):
    """An invalid commitment or status change."""


@dataclass(frozen=True)
class Commitment:
    owner_side: Side
    description: str
    owner: str = ""
    due: dt.date | None = None
    soft_due: str | None = None
    made_on: dt.date | None = None
    made_in: MadeIn = "cable"
    made_in_ref: str | None = None
    status: Status = "open"
    note: str = ""

    def __post_init__(self) -> None:
        if self.owner_side not in ("home", "partner"):
            raise CommitmentError(f"owner side must be home or partner, not {self.owner_side!r}")
        if not self.description.strip():
            raise CommitmentError("a commitment needs a description")
        if self.status not in STATUSES:
            raise CommitmentError(f"unknown status {self.status!r}")

    def follow_up_day(self) -> dt.date | None:
        """The due date, else the day implied by the soft due counted from `made_on`."""
        if self.due is not None:
            return self.due
        if self.soft_due and self.made_on:
            days = SOFT_DUE_DAYS.get(self.soft_due.strip().lower())
            if days is not None:
                return self.made_on + dt.timedelta(days=days)
        return None

    def overdue(self, today: dt.date) -> bool:
        """Open and past its follow-up day."""
        day = self.follow_up_day()
        return self.status == "open" and day is not None and day < today

    def display_status(self, today: dt.date) -> str:
        """`overdue` for an overdue open commitment, else the stored status."""
        return "overdue" if self.overdue(today) else self.status

    def close(self, status: Status, note: str = "") -> Commitment:
        """The commitment marked done or dropped with a note. Raises CommitmentError when
        it is not open or the status is not a closing one."""
        if status not in ("done", "dropped"):
            raise CommitmentError(f"cannot close a commitment as {status!r}")
        if self.status != "open":
            raise CommitmentError(f"commitment is already {self.status}")
        return replace(self, status=status, note=note)


def overdue(commitments: Iterable[Commitment], today: dt.date) -> list[Commitment]:
    """Overdue commitments, the longest overdue first."""
    late = [c for c in commitments if c.overdue(today)]
    return sorted(late, key=lambda c: c.follow_up_day() or dt.date.max)


def owed_by(commitments: Iterable[Commitment], side: Side) -> list[Commitment]:
    """Open commitments of `side`: home → "what we owe them", partner → "what they owe us";
    soonest follow-up first, undated last."""
    return sorted(
        (c for c in commitments if c.owner_side == side and c.status == "open"),
        key=lambda c: c.follow_up_day() or dt.date.max,
    )
