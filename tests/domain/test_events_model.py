"""Cooperation events and letters."""

from __future__ import annotations

from datetime import date

import pytest

from npdesk.domain.events import Event, EventError, Letter, kind_from_title, upcoming


def test_event_kinds_from_titles() -> None:
    assert kind_from_title("Export control workshop") == "workshop"
    assert kind_from_title("Nonproliferation Dialogue") == "dialogue"
    assert kind_from_title("Licensing seminar") == "training"
    assert kind_from_title("Reception") == "other"


def test_events_validate_and_order() -> None:
    with pytest.raises(EventError):
        Event("Workshop", "workshop", date(2008, 1, 10), date(2008, 1, 9))
    with pytest.raises(EventError):
        Event(" ", "workshop", None)
    past = Event("Workshop", "workshop", date(2008, 1, 10), date(2008, 1, 11))
    soon = Event("Training", "training", date(2008, 4, 2))
    later = Event("Exchange", "exchange", date(2008, 6, 2))
    assert past.is_past(date(2008, 3, 20))
    assert upcoming([later, past, soon], date(2008, 3, 20)) == [soon, later]


def test_letter_needs_a_party() -> None:
    with pytest.raises(EventError):
        Letter("", "")
    assert Letter("Patricia McNerney", "Cheng Jingye").subject == ""
