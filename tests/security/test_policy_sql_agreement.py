"""The SQL visibility rule, executed, agrees with the policy: random rows with random markings
are written to a real table on SQLite and on PostgreSQL, read back through
`store.visibility.readable(model, user)`, and the ids the database returns must be exactly the
ids `policy.may_read` allows, for home and partner users of every clearance, partners of the
agreed country and of others, and every agreed level (including none, and an unreadable one).

(`test_policy_agrees_with_sql.py` compares the policy with the Python twin `readable_row` and
never runs the SQL; this one does.)"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, select
from sqlalchemy.engine import Engine

from npdesk.security.model import Level, Marking, Party, Role, User
from npdesk.security.policy import may_read
from npdesk.store.db import make_engine, transaction
from npdesk.store.models.desk import EventRecord
from npdesk.store.models.screening import ScreenedSubject
from npdesk.store.schema import upgrade
from npdesk.store.visibility import readable
from npdesk.testing.postgres import PostgresCluster

PARTNER = "CHN"
# Codes that look like the partner's without being it, so a substring match would show.
COUNTRIES = [PARTNER, "GBR", "DEU", "NATO", "CH", "CHNA", "XCHN", "FVEY"]
CAVEATS = ["NOFORN", "SBU", "FOR OFFICIAL USE ONLY", "FGI", "ORCON", "PROPIN"]
# The partner's agreed level as configured (NPDESK_PARTNER_LEVEL), unreadable ones included.
AGREED = ["UNCLASSIFIED", "CONFIDENTIAL", "SECRET", "TOP SECRET", "C", "S", "RESTRICTED", ""]

markings = st.builds(
    Marking,
    level=st.sampled_from(list(Level)),
    caveats=st.frozensets(st.sampled_from(CAVEATS), max_size=3),
    rel_to=st.frozensets(st.sampled_from(COUNTRIES), max_size=3),
    shared=st.booleans(),
)
home_users = st.builds(
    User,
    username=st.just("home"),
    party=st.just(Party.HOME),
    role=st.sampled_from([Role.ADMIN, Role.OFFICER, Role.REVIEWER]),
    clearance=st.sampled_from(list(Level)),
)
partner_users = st.builds(
    User,
    username=st.just("liaison"),
    party=st.just(Party.PARTNER),
    role=st.just(Role.LIAISON),
    clearance=st.sampled_from(list(Level)),
    country=st.sampled_from([PARTNER, PARTNER.lower(), "GBR", "PAK", "CH"]),
)
users = st.one_of(home_users, partner_users)


def _events(marking: Marking, n: int) -> EventRecord:
    return EventRecord(title=f"event {n}", kind="workshop")


def _subjects(marking: Marking, n: int) -> ScreenedSubject:
    return ScreenedSubject(name=f"subject {n}", source="test", reference="", added_by="test")


MODELS: dict[str, tuple[Any, Any]] = {
    "desk_events": (EventRecord, _events),
    "screened_subjects": (ScreenedSubject, _subjects),
}


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def backend(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Engine]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('agreement') / 'npdesk.sqlite3'}"
        engine = make_engine(url)
        upgrade(engine)
    else:
        cluster: PostgresCluster = request.getfixturevalue("pg_cluster")
        engine = make_engine(cluster.create_database(template="npdesk_template"))
    yield engine
    engine.dispose()


@contextmanager
def agreed_level(word: str) -> Iterator[None]:
    saved = {k: os.environ.get(k) for k in ("NPDESK_PARTNER_COUNTRY", "NPDESK_PARTNER_LEVEL")}
    os.environ["NPDESK_PARTNER_COUNTRY"] = PARTNER
    os.environ["NPDESK_PARTNER_LEVEL"] = word
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def _sql_readable(engine: Engine, table: str, rows: list[Marking], user: User) -> set[int]:
    """Write `rows`, read back through the SQL rule; positions of the rows returned."""
    model, build = MODELS[table]
    with transaction(engine) as session:
        session.execute(delete(model))
        ids: dict[int, int] = {}
        for n, marking in enumerate(rows):
            record = build(marking, n)
            (
                record.classification,
                record.caveats,
                record.rel_to,
                record.shared_with_partner,
            ) = marking.to_columns()
            session.add(record)
            session.flush()
            ids[record.id] = n
        found = session.scalars(select(model.id).where(readable(model, user))).all()
        session.execute(delete(model))
    return {ids[i] for i in found}


@settings(
    max_examples=150,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    table=st.sampled_from(sorted(MODELS)),
    user=users,
    rows=st.lists(markings, min_size=1, max_size=8),
    agreed=st.sampled_from(AGREED),
)
def test_the_sql_rule_returns_exactly_what_the_policy_allows(
    backend: Engine, table: str, user: User, rows: list[Marking], agreed: str
) -> None:
    with agreed_level(agreed):
        expected = {n for n, marking in enumerate(rows) if may_read(user, marking)}
        assert _sql_readable(backend, table, rows, user) == expected


# Hand-picked cases written out with their answers, so the property above cannot pass by the
# policy and the SQL being wrong in the same way (agreed level CONFIDENTIAL, partner CHN).
CHN_C = User("liaison", Party.PARTNER, Role.LIAISON, Level.C, country="CHN")
CHN_S = User("liaison", Party.PARTNER, Role.LIAISON, Level.S, country="CHN")
GBR_TS = User("liaison", Party.PARTNER, Role.LIAISON, Level.TS, country="GBR")
HOME_C = User("officer", Party.HOME, Role.OFFICER, Level.C)
NF = frozenset({"NOFORN"})
CHN = frozenset({"CHN"})
KNOWN: list[tuple[str, Marking, dict[str, bool]]] = [
    ("U", Marking(Level.U), {"chn_c": False, "chn_s": False, "gbr": False, "home_c": True}),
    (
        "U shared",
        Marking(Level.U, shared=True),
        {"chn_c": True, "chn_s": True, "gbr": False, "home_c": True},
    ),
    (
        "C//REL TO CHN",
        Marking(Level.C, rel_to=CHN),
        {"chn_c": True, "chn_s": True, "gbr": False, "home_c": True},
    ),
    (
        "S//REL TO CHN",
        Marking(Level.S, rel_to=CHN),
        {"chn_c": False, "chn_s": False, "gbr": False, "home_c": False},
    ),
    (
        "C//NOFORN//REL TO CHN shared",
        Marking(Level.C, NF, rel_to=CHN, shared=True),
        {"chn_c": False, "chn_s": False, "gbr": False, "home_c": True},
    ),
    (
        "C//REL TO CHNA, XCHN",
        Marking(Level.C, rel_to=frozenset({"CHNA", "XCHN"})),
        {"chn_c": False, "chn_s": False, "gbr": False, "home_c": True},
    ),
    (
        "U//REL TO GBR",
        Marking(Level.U, rel_to=frozenset({"GBR"})),
        {"chn_c": False, "chn_s": False, "gbr": False, "home_c": True},
    ),
    (
        "TS//REL TO CHN",
        Marking(Level.TS, rel_to=CHN),
        {"chn_c": False, "chn_s": False, "gbr": False, "home_c": False},
    ),
]
READERS = {"chn_c": CHN_C, "chn_s": CHN_S, "gbr": GBR_TS, "home_c": HOME_C}


@pytest.mark.parametrize("reader", sorted(READERS))
def test_hand_written_answers(backend: Engine, reader: str) -> None:
    rows = [marking for _, marking, _ in KNOWN]
    expected = {n for n, (_, _, answers) in enumerate(KNOWN) if answers[reader]}
    with agreed_level("CONFIDENTIAL"):
        found = _sql_readable(backend, "desk_events", rows, READERS[reader])
    assert sorted(KNOWN[n][0] for n in found) == sorted(KNOWN[n][0] for n in expected)
