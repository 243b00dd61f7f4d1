"""The query language parser (pure)."""

from __future__ import annotations

import contextlib
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from npdesk.store.search_query import QueryError, parse_query


def test_words_phrases_exclusions_and_filters() -> None:
    q = parse_query(
        'norinco "export control" -iran tag:parm origin:Beijing class:SECRET '
        "from:2008-01 to:2008-12 ref:07BEIJING5361"
    )
    assert q.words == ["norinco"]
    assert q.phrases == ["export control"]
    assert q.excluded == ["iran"]
    assert q.tags == ["PARM"] and q.origins == ["BEIJING"] and q.classes == ["SECRET"]
    assert q.refs == ["07BEIJING5361"]
    assert q.date_from == date(2008, 1, 1) and q.date_to == date(2008, 12, 31)


def test_dates_take_whole_periods() -> None:
    q = parse_query("from:2008 to:2008-02")
    assert q.date_from == date(2008, 1, 1) and q.date_to == date(2008, 2, 29)
    assert parse_query("year:2009").date_to == date(2009, 12, 31)


def test_unknown_filters_are_plain_words() -> None:
    assert parse_query("color:red").words == ["color", "red"]


@pytest.mark.parametrize("bad", ["from:2008-13", "to:yesterday", "from:2008-02-30"])
def test_unreadable_dates_are_clear_errors(bad: str) -> None:
    with pytest.raises(QueryError, match="cannot read date"):
        parse_query(bad)


@given(st.text(max_size=200))
def test_any_text_parses_or_raises_query_error(text: str) -> None:
    with contextlib.suppress(QueryError):
        parse_query(text)
