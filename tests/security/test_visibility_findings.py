"""Regression tests for the visibility findings of issue 11, on SQLite and PostgreSQL.

Every expectation is written by hand from the records each test stores: which cases a home
reader cleared U or S, or a CHN liaison cleared CONFIDENTIAL (the agreed level), may read, and
what the page must then say.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from npdesk.domain.cases import CaseOutcome, CaseStatus
from npdesk.domain.reviews import MinutesVariant, ReviewLevel
from npdesk.security.model import NOFORN, Level, Marking, Party, Role, User
from npdesk.security.policy import may_read
from npdesk.services import errors
from npdesk.services.cases import (
    CaseInput,
    CaseNotFound,
    create_case,
    get_case,
    list_cases,
    transition_case,
)
from npdesk.services.events import EventInput, create_event, list_events
from npdesk.services.firms import FirmInput, create_firm, get_firm, list_firms
from npdesk.services.metrics import case_histories
from npdesk.services.review_minutes import minutes
from npdesk.services.reviews import build_agenda, get_review, schedule_review
from npdesk.store.db import make_engine, transaction
from npdesk.store.models.cases import CaseRecord
from npdesk.store.models.desk import LetterRecord
from npdesk.store.schema import upgrade
from npdesk.store.visibility import fetch_visible, set_marking, visible_select


@pytest.fixture(autouse=True)
def one_person_desk(monkeypatch: pytest.MonkeyPatch) -> None:
    """These tests make records shared in one step; two-person release: tests/cases,
    tests/handovers, tests/reviews."""
    monkeypatch.setenv("NPDESK_TWO_PERSON_RELEASE", "false")


OFFICER = User("officer", Party.HOME, Role.OFFICER, Level.TS)
REVIEWER_U = User("reviewer-u", Party.HOME, Role.REVIEWER, Level.U)
REVIEWER_S = User("reviewer-s", Party.HOME, Role.REVIEWER, Level.S)
LIAISON = User("liaison", Party.PARTNER, Role.LIAISON, Level.C, country="CHN")

SHARED_C = Marking(Level.C, rel_to=frozenset({"CHN"}), shared=True)
SHARED_U = Marking(Level.U, rel_to=frozenset({"CHN"}), shared=True)
SECRET_NOFORN = Marking(Level.S, frozenset({NOFORN}))
HOME_C = Marking(Level.C)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def backend(request: pytest.FixtureRequest, tmp_path) -> Iterator[Engine]:  # type: ignore[no-untyped-def]
    if request.param == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_path / 'findings.sqlite3'}")
        upgrade(engine)
        yield engine
        engine.dispose()
    else:
        yield request.getfixturevalue("pg_engine")


def at(day: str) -> datetime:
    return datetime.fromisoformat(day).replace(hour=9, tzinfo=UTC)


def opened(engine: Engine, title: str, day: str, marking: Marking) -> str:
    reference = create_case(
        engine, OFFICER, CaseInput(title=title, marking=marking), at=at(day)
    ).reference
    transition_case(engine, OFFICER, reference, CaseStatus.OPEN, reason="vetted", at=at(day))
    return reference


def four_cases(engine: Engine) -> tuple[str, str, str, str]:
    """A: C shared with CHN; B: SECRET//NOFORN; C: U shared with CHN; D: C home only."""
    return (
        opened(engine, "FICTIONAL shared confidential case", "2007-10-01", SHARED_C),
        opened(engine, "ZZSECRET title of a NOFORN case", "2007-10-02", SECRET_NOFORN),
        opened(engine, "FICTIONAL shared unclassified case", "2007-10-03", SHARED_U),
        opened(engine, "ZZCONF home-only title", "2007-10-04", HOME_C),
    )


def review_with_agenda(engine: Engine) -> int:
    schedule_review(
        engine,
        OFFICER,
        level=ReviewLevel.WORKING,
        proposed_on=date(2008, 4, 16),
        partner_country="CHN",
        confirmed_on=date(2008, 4, 16),
        fictional=True,
    )
    build_agenda(engine, OFFICER, 1)
    return 1


def test_u_cleared_reviewer_sees_no_secret_titles_on_agenda(backend: Engine) -> None:
    a, b, c, d = four_cases(backend)
    number = review_with_agenda(backend)
    # The officer (TS) built the agenda over all four, oldest first.
    assert [i.reference for i in get_review(backend, OFFICER, number).agenda] == [a, b, c, d]

    detail = get_review(backend, REVIEWER_U, number)

    assert [(i.position, i.reference) for i in detail.agenda] == [(1, c)]
    titles = " ".join(i.title for i in detail.agenda)
    assert "ZZSECRET" not in titles and "ZZCONF" not in titles
    assert detail.banner == "UNCLASSIFIED//REL TO CHN"


def test_u_cleared_reviewer_home_minutes_hold_only_readable_cases(backend: Engine) -> None:
    _, _, c, _ = four_cases(backend)
    number = review_with_agenda(backend)

    home = minutes(backend, REVIEWER_U, number, MinutesVariant.HOME)

    assert [e.reference for e in home.entries] == [c]
    assert home.banner == "UNCLASSIFIED//NOFORN"


def test_review_banner_is_the_strictest_item_shown(backend: Engine) -> None:
    four_cases(backend)
    number = review_with_agenda(backend)

    # A SECRET reader sees the NOFORN case: the page is SECRET//NOFORN, not U//REL TO CHN.
    assert get_review(backend, REVIEWER_S, number).banner == "SECRET//NOFORN"
    # The liaison sees the two shared cases (C and U): CONFIDENTIAL, released to them.
    assert get_review(backend, LIAISON, number).banner == "CONFIDENTIAL//REL TO CHN"


def test_partner_agenda_positions_contiguous(backend: Engine) -> None:
    a, _, c, _ = four_cases(backend)
    number = review_with_agenda(backend)

    detail = get_review(backend, LIAISON, number)

    # On the stored agenda they sit at 1 and 3 (NPC-2007-001 and -003); the liaison sees no
    # gap in positions, nor in their own case numbers.
    assert (a, c) == ("NPC-2007-001", "NPC-2007-003")
    assert [(i.position, i.reference) for i in detail.agenda] == [
        (1, "CHN-2007-001"),
        (2, "CHN-2007-002"),
    ]


def test_partner_case_numbers_contiguous(backend: Engine) -> None:
    a, b, c, d = four_cases(backend)
    assert [a, b, c, d] == ["NPC-2007-001", "NPC-2007-002", "NPC-2007-003", "NPC-2007-004"]

    listed = list_cases(backend, LIAISON)

    assert listed.total == 2
    assert sorted(case.reference for case in listed.cases) == ["CHN-2007-001", "CHN-2007-002"]
    # Their numbers open the cases; the desk's own references (which would reveal the gap)
    # answer like missing cases, as does the hidden case's place in their numbering.
    assert get_case(backend, LIAISON, "CHN-2007-002").title == "FICTIONAL shared unclassified case"
    for probe in (a, c, "CHN-2007-003"):
        with pytest.raises(CaseNotFound):
            get_case(backend, LIAISON, probe)
    # Home readers keep the desk's references.
    assert get_case(backend, OFFICER, c).reference == c


def test_u_cleared_reviewer_counts_only_readable_cases(backend: Engine) -> None:
    _, _, c, _ = four_cases(backend)

    assert list_cases(backend, REVIEWER_U).total == 1
    assert [case.reference for case in case_histories(backend, REVIEWER_U)] == [c]
    assert {case.reference for case in case_histories(backend, REVIEWER_S)} == set(
        four_cases_refs(backend)
    )


def four_cases_refs(engine: Engine) -> list[str]:
    return [c.reference for c in list_cases(engine, OFFICER).cases]


def test_hidden_case_answers_like_missing(backend: Engine) -> None:
    _, b, _, _ = four_cases(backend)
    missing = "NPC-2007-999"

    with pytest.raises(CaseNotFound) as hidden_error:
        get_case(backend, LIAISON, b)
    with pytest.raises(CaseNotFound) as missing_error:
        get_case(backend, LIAISON, missing)

    assert type(hidden_error.value) is type(missing_error.value)
    assert str(hidden_error.value) == f"no case {b!r}"
    assert str(missing_error.value) == f"no case {missing!r}"


def test_hidden_case_is_never_loaded(backend: Engine) -> None:
    # The check is inside the query: one statement, and no row of the hidden case reaches the
    # session, exactly as for a reference that does not exist.
    _, b, _, _ = four_cases(backend)
    statements: list[str] = []

    def count(*args: object) -> None:
        if str(args[2]).lstrip().upper().startswith("SELECT"):
            statements.append(str(args[2]))

    event.listen(backend, "before_cursor_execute", count)
    try:
        for reference in (b, "NPC-2007-999"):
            statements.clear()
            with Session(backend) as session:
                with pytest.raises(CaseNotFound):
                    fetch_visible(
                        session,
                        CaseRecord,
                        LIAISON,
                        CaseRecord.reference == reference,
                        missing=lambda reference=reference: CaseNotFound(reference),
                    )
                assert len(session.identity_map) == 0
            assert len(statements) == 1
    finally:
        event.remove(backend, "before_cursor_execute", count)


def test_partner_sees_no_merge_into_a_hidden_case(backend: Engine) -> None:
    a, _, _, d = four_cases(backend)
    transition_case(
        backend,
        OFFICER,
        a,
        CaseStatus.CLOSED,
        reason="same diversion as the home-only case",
        outcome=CaseOutcome.MERGED,
        merged_into=d,
        at=at("2008-01-10"),
    )

    assert get_case(backend, OFFICER, a).merged_into == d
    seen = get_case(backend, LIAISON, "CHN-2007-001")
    assert seen.merged_into is None
    assert all(e.merged_into is None for e in seen.history)


def test_partner_case_marking_carries_rel_to(backend: Engine) -> None:
    # Shared by the officer's flag alone (no REL TO column): shown to the liaison as released.
    reference = opened(
        backend, "FICTIONAL flag-shared case", "2007-11-01", Marking(Level.C, shared=True)
    )

    assert reference == "NPC-2007-001"
    assert get_case(backend, LIAISON, "CHN-2007-001").marking.banner() == (
        "CONFIDENTIAL//REL TO CHN"
    )
    assert get_case(backend, OFFICER, reference).marking.banner() == "CONFIDENTIAL"


def test_partner_sees_no_hidden_parent_firm(backend: Engine) -> None:
    create_firm(
        backend,
        OFFICER,
        FirmInput(name="ZZHidden Holding Group", key="zz-hidden-holding", marking=SECRET_NOFORN),
    )
    create_firm(
        backend,
        OFFICER,
        FirmInput(
            name="Fictional Shared Subsidiary",
            key="fictional-subsidiary",
            parent_key="zz-hidden-holding",
            marking=SHARED_C,
        ),
    )

    assert get_firm(backend, OFFICER, "fictional-subsidiary").firm.parent == "zz-hidden-holding"
    listed = {f.key: f.parent for f in list_firms(backend, LIAISON)}
    assert listed == {"fictional-subsidiary": None}
    assert get_firm(backend, LIAISON, "fictional-subsidiary").firm.parent is None
    with pytest.raises(errors.NotFound) as hidden:
        get_firm(backend, LIAISON, "zz-hidden-holding")
    with pytest.raises(errors.NotFound) as missing:
        get_firm(backend, LIAISON, "no-such-firm")
    assert str(hidden.value) == "no firm 'zz-hidden-holding'"
    assert str(missing.value) == "no firm 'no-such-firm'"


def test_partner_sees_no_hidden_firm_on_an_event(backend: Engine) -> None:
    create_firm(
        backend,
        OFFICER,
        FirmInput(name="ZZHidden Holding Group", key="zz-hidden-holding", marking=SECRET_NOFORN),
    )
    create_firm(
        backend,
        OFFICER,
        FirmInput(name="Fictional Shared Firm", key="fictional-shared", marking=SHARED_C),
    )
    create_event(
        backend,
        OFFICER,
        EventInput(
            title="FICTIONAL export-control workshop",
            kind="workshop",
            start=date(2008, 5, 6),
            firms=("zz-hidden-holding", "fictional-shared", "Unregistered Trading Co"),
            marking=SHARED_C,
            fictional=True,
        ),
    )

    (seen,) = list_events(backend, LIAISON)
    assert seen["firms"] == ["fictional-shared", "Unregistered Trading Co"]
    (home,) = list_events(backend, OFFICER)
    assert home["firms"] == ["zz-hidden-holding", "fictional-shared", "Unregistered Trading Co"]


# Every combination of the marking columns, and readers of each party and clearance.
MARKINGS = [
    Marking(level, frozenset(caveats), frozenset(rel_to), shared)
    for level, caveats, rel_to, shared in itertools.product(
        Level, [(), (NOFORN,)], [(), ("CHN",), ("PAK",), ("CHN", "GBR")], [False, True]
    )
]
READERS = [
    *(User(f"home-{lv.name}", Party.HOME, Role.OFFICER, lv) for lv in Level),
    *(User(f"chn-{lv.name}", Party.PARTNER, Role.LIAISON, lv, country="CHN") for lv in Level),
    User("pak-ts", Party.PARTNER, Role.LIAISON, Level.TS, country="PAK"),
    User("nobody", Party.PARTNER, Role.LIAISON, Level.TS, country=None),
]


def test_sql_rule_agrees_with_policy_on_the_database(backend: Engine) -> None:
    with transaction(backend) as session:
        for n, marking in enumerate(MARKINGS):
            letter = LetterRecord(sender="a", recipient="b", subject=str(n))
            set_marking(letter, marking)
            session.add(letter)
    for reader in READERS:
        expected = {str(n) for n, m in enumerate(MARKINGS) if may_read(reader, m)}
        with Session(backend) as session:
            got = {r.subject for r in session.scalars(visible_select(LetterRecord, reader))}
        assert got == expected, reader.username
    # By hand, for two readers: the CHN liaison cleared C reads only U/C, not NOFORN, released
    # by flag or REL TO CHN: 2 levels × (2 of 4 REL TO without the flag + 4 with it) = 12.
    chn_c = next(r for r in READERS if r.username == "chn-C")
    assert sum(may_read(chn_c, m) for m in MARKINGS) == 12
    home_u = next(r for r in READERS if r.username == "home-U")
    assert sum(may_read(home_u, m) for m in MARKINGS) == 16


def test_handover_does_not_silently_release_a_case(
    backend: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NPDESK_TWO_PERSON_RELEASE", "false")  # hands over with release in one step
    from npdesk.services.cases import InvalidCaseData
    from npdesk.services.handovers import create_handover_list, list_handover_lists

    home_only = opened(backend, "FICTIONAL home-only case", "2007-10-01", HOME_C)
    released = opened(backend, "FICTIONAL released case", "2007-10-02", SHARED_C)

    def hand(references: list[str] | None, release: bool = False):  # type: ignore[no-untyped-def]
        return create_handover_list(
            backend,
            OFFICER,
            title="FICTIONAL list",
            handed_over_on=date(2007, 11, 20),
            handed_over_by="PolMinCouns",
            handed_over_to="MFA",
            partner_country="CHN",
            references=references,
            release=release,
        )

    with pytest.raises(InvalidCaseData) as refused:
        hand([home_only])
    assert str(refused.value) == (
        f"case {home_only} is not released to CHN (marked CONFIDENTIAL): release it first, "
        "or hand the list over with release to release it through the release policy"
    )
    assert get_case(backend, OFFICER, home_only).marking == HOME_C
    assert list_handover_lists(backend, OFFICER) == []

    # By default only cases already released go on the list, and keep their marking.
    first = hand(None)
    assert first.references == (released,)
    assert get_case(backend, OFFICER, home_only).marking == HOME_C
    assert get_case(backend, OFFICER, released).marking == SHARED_C

    # Asked to, the officer releases through the policy: the case is then REL TO CHN.
    hand([home_only], release=True)
    assert get_case(backend, OFFICER, home_only).marking.banner() == "CONFIDENTIAL//REL TO CHN"
