"""A list handed over today is recorded now, so it follows the morning's changes to its cases
(it was recorded at noon, which refused any list made in the afternoon)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from npdesk.services.handovers import handover_moment

AFTERNOON = datetime(2026, 11, 29, 15, 30, tzinfo=UTC)


def test_today_is_now() -> None:
    assert handover_moment(date(2026, 11, 29), AFTERNOON) == AFTERNOON


def test_other_days_are_noon_utc() -> None:
    assert handover_moment(date(2026, 11, 30), AFTERNOON) == datetime(
        2026, 11, 30, 12, 0, tzinfo=UTC
    )
    assert handover_moment(date(2026, 3, 20), AFTERNOON) == datetime(2026, 3, 20, 12, 0, tzinfo=UTC)
