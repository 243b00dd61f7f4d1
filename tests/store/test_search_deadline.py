"""Bounded search cost (issue 11, "any signed-in user can stall the server"): query bounds,
and a time budget that stops statements inside the database, on both backends."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine

from npdesk.security.model import Level, Party, Role, User
from npdesk.services.ingest import ingest_paths
from npdesk.store.db import session_factory
from npdesk.store.deadline import (
    Budget,
    SearchBusy,
    SearchCancelled,
    SearchTimeout,
    Seats,
    bounded,
    cancel_all,
)
from npdesk.store.search import search
from npdesk.store.search_query import QueryTooLarge, parse_query
from tests.store.helpers import SAMPLE_CABLES

OFFICER = User("officer", Party.HOME, Role.OFFICER, Level.TS)


def slow_statement(engine: Engine) -> str:
    """A statement that runs for minutes unless stopped."""
    if engine.dialect.name == "sqlite":
        return (
            "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < 10000000000)"
            " SELECT count(*) FROM n"
        )
    return "SELECT pg_sleep(600)"


# --- the query's own bounds ---------------------------------------------------------------


def test_5000_word_query_is_refused_by_the_parser() -> None:
    words = " ".join(f"w{i}" for i in range(5000))
    with pytest.raises(
        QueryTooLarge, match=r"query too long: 2\d,\d{3} characters \(at most 1,000\)"
    ):
        parse_query(words)


def test_too_many_terms_are_refused_and_repeats_count_once() -> None:
    with pytest.raises(QueryTooLarge, match=r"too many search terms: 33 \(at most 32\)"):
        parse_query(" ".join(f"w{i}" for i in range(33)))
    # 400 repeated words took 28 s: they ask no more than the word once.
    assert parse_query(" ".join(["nuclear"] * 100)).words == ["nuclear"]
    query = parse_query('iran "export control" -china tag:PARM tag:PARM origin:BEIJING')
    assert (query.words, query.phrases, query.excluded, query.tags) == (
        ["iran"],
        ["export control"],
        ["china"],
        ["PARM"],
    )
    assert query.terms == 6  # a phrase counts its words


# --- the time budget ----------------------------------------------------------------------


def test_a_spent_budget_stops_a_running_statement(engine: Engine) -> None:
    with session_factory(engine)() as session:
        with (
            pytest.raises(SearchTimeout, match="search took too long"),
            bounded(session, Budget(0.3)),
        ):
            session.execute(text(slow_statement(engine)))
        session.rollback()
        assert session.execute(text("SELECT 1")).scalar_one() == 1  # the session still works


def test_cancelling_a_budget_stops_its_statement_from_another_thread(engine: Engine) -> None:
    budget = Budget(600)
    outcome: list[BaseException] = []
    started = threading.Event()

    def work() -> None:
        with session_factory(engine)() as session:
            session.execute(text("SELECT 1"))
            try:
                with bounded(session, budget):
                    started.set()
                    session.execute(text(slow_statement(engine)))
            except BaseException as exc:
                outcome.append(exc)

    worker = threading.Thread(target=work, daemon=True)
    worker.start()
    assert started.wait(30)
    budget.cancel()
    worker.join(60)
    assert not worker.is_alive()
    assert len(outcome) == 1 and isinstance(outcome[0], SearchCancelled)


def test_stopping_the_server_cancels_every_running_budget(engine: Engine) -> None:
    first, second = Budget(600), Budget(600)
    cancel_all()
    assert first.cancelled.is_set() and second.cancelled.is_set()
    with session_factory(engine)() as session, pytest.raises(SearchCancelled):
        search(session, parse_query("workshop"), OFFICER, budget=first)


def test_search_past_its_budget_says_it_took_too_long(engine: Engine) -> None:
    ingest_paths(engine, [SAMPLE_CABLES])
    with session_factory(engine)() as session:
        with pytest.raises(SearchTimeout):
            search(session, parse_query("workshop"), OFFICER, budget=Budget(0))
        session.rollback()
        # Within its budget the same session answers.
        result = search(session, parse_query("workshop"), OFFICER, budget=Budget(60))
    assert result.hits[0].id == "08SAMPLEPOST101"


def test_one_account_may_run_only_so_many_searches_at_once() -> None:
    seats = Seats(per_user=2)
    with seats.seat("rita"), seats.seat("rita"):
        with pytest.raises(SearchBusy, match="too many searches at once"), seats.seat("rita"):
            pass
        with seats.seat("olivia"):  # others are not held up
            pass
    with seats.seat("rita"):  # seats come back
        pass
