"""Date resolution against the cable date and the tense of the sentence."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from npdesk.extract.dates import cable_day, resolve_dates
from npdesk.extract.tense import Tense, sentence_tense, tense_at

CABLE = "2008-03-20T11:06:00Z"


def only(text: str, cable_date: str | date = CABLE) -> tuple[date | None, tuple[date, date] | None]:
    mentions = resolve_dates(text, cable_date)
    assert len(mentions) == 1, mentions
    return mentions[0].date, mentions[0].date_range


def test_future_day_in_the_cable_year() -> None:
    assert only("The DCM will visit NORINCO headquarters on March 26.") == (
        date(2008, 3, 26),
        None,
    )


def test_past_agreement_goes_to_the_previous_year() -> None:
    text = "China formally agreed to the proposal on November 30 (ref B)."
    assert only(text) == (date(2007, 11, 30), None)


def test_mid_month_is_a_range() -> None:
    text = "He proposed holding our first review at the working-level in mid-April."
    assert only(text) == (None, (date(2008, 4, 11), date(2008, 4, 20)))


def test_early_and_late_parts_of_a_month() -> None:
    assert only("They will meet in early May.")[1] == (date(2008, 5, 1), date(2008, 5, 10))
    assert only("They will meet in late February.")[1] == (date(2009, 2, 21), date(2009, 2, 28))


def test_month_with_year_is_the_whole_month() -> None:
    text = "the list of open cases we provided to them in November 2007"
    assert only(text) == (None, (date(2007, 11, 1), date(2007, 11, 30)))


def test_past_month_workshop_is_this_year() -> None:
    text = "We jointly held a successful export control workshop in January in Beijing."
    assert only(text) == (None, (date(2008, 1, 1), date(2008, 1, 31)))


@pytest.mark.parametrize(
    ("sentence", "year"),
    [
        ("The workshop will be held in January.", 2009),
        ("The workshop was held in January.", 2008),
        ("China plans to host a seminar in January.", 2009),
        ("The delegation visited Beijing in January.", 2008),
    ],
)
def test_year_boundary_in_a_december_cable(sentence: str, year: int) -> None:
    _, span = only(sentence, "2008-12-10")
    assert span == (date(year, 1, 1), date(year, 1, 31))


def test_past_day_after_the_cable_date_goes_back_a_year() -> None:
    assert only("He met the minister Dec. 16-17.", "2008-12-10")[1] == (
        date(2007, 12, 16),
        date(2007, 12, 17),
    )


def test_explicit_and_day_first_forms() -> None:
    assert only("on 26 March 2008") == (date(2008, 3, 26), None)
    assert only("on March 5, 2006") == (date(2006, 3, 5), None)


def test_may_as_a_verb_is_not_a_date() -> None:
    assert resolve_dates("China May consider it. They may come.", CABLE) == []
    assert only("The talks will resume in May.") == (None, (date(2008, 5, 1), date(2008, 5, 31)))


def test_impossible_day_is_skipped() -> None:
    assert resolve_dates("They met on February 30.", CABLE) == []


def test_relative_days() -> None:
    assert only("The MFA called yesterday.") == (date(2008, 3, 19), None)


def test_without_a_cable_date_only_explicit_years_resolve() -> None:
    assert resolve_dates("on March 26", None) == []
    assert resolve_dates("in November 2007", None)[0].date_range is not None


def test_cable_day_reads_iso_strings_and_dates() -> None:
    assert cable_day("2008-03-20T11:06:00Z") == date(2008, 3, 20)
    assert cable_day(date(2008, 3, 20)) == date(2008, 3, 20)
    assert cable_day("garbage") is None
    assert cable_day(None) is None


def test_tense_cues() -> None:
    assert sentence_tense("China will respond as soon as possible.") is Tense.FUTURE
    assert sentence_tense("China formally agreed to the proposal.") is Tense.PAST
    assert sentence_tense("Export controls matter.") is Tense.UNKNOWN
    text = "Li pledged to respond to the proposal to meet in April."
    assert tense_at(text, text.index("April")) is Tense.FUTURE
    text = "The seminar will be held in Beijing."
    assert tense_at(text, text.index("Beijing")) is Tense.FUTURE


WORDS = st.sampled_from(
    [
        "March",
        "26",
        "mid-April",
        "in",
        "November",
        "2007",
        "will",
        "met",
        "Dec.",
        "16-17",
        "May",
        "the",
        "early",
        "late",
        "January",
        ",",
        ".",
        "yesterday",
        "30",
        "February",
    ]
)


@settings(max_examples=200, deadline=None)
@given(st.lists(WORDS, max_size=25), st.dates(min_value=date(1990, 1, 1)))
def test_any_text_resolves_without_error_to_spans_inside_it(words: list[str], day: date) -> None:
    text = " ".join(words)
    for mention in resolve_dates(text, day):
        assert text[mention.start : mention.end] == mention.text
        assert (mention.date is None) != (mention.date_range is None)
        if mention.date_range:
            assert mention.date_range[0] <= mention.date_range[1]
