"""The read/write/release policy over every user kind × the markings the issue names.

Expected answers are written out by hand from the rules (not computed by the code under test):
home users read by clearance; a liaison (CHN, agreed level CONFIDENTIAL) reads only what is
released to CHN, not NOFORN, at or below both their clearance and CONFIDENTIAL.
"""

from __future__ import annotations

import pytest

from npdesk.security.model import Level, Marking, Party, Role, User
from npdesk.security.policy import may_read, may_release, may_write


def agreement(country: str | None) -> Level | None:
    return Level.C if country == "CHN" else None


MARKINGS = {
    "U": Marking(Level.U),
    "C": Marking(Level.C),
    "S": Marking(Level.S),
    "S//NOFORN": Marking(Level.S, frozenset({"NOFORN"})),
    "C//REL TO CHN": Marking(Level.C, rel_to=frozenset({"CHN"})),
    "S//REL TO CHN": Marking(Level.S, rel_to=frozenset({"CHN"})),
    "U shared": Marking(Level.U, shared=True),
    "C shared": Marking(Level.C, shared=True),
    "S shared": Marking(Level.S, shared=True),
    "C//NOFORN shared": Marking(Level.C, frozenset({"NOFORN"}), shared=True),
    "U//REL TO GBR": Marking(Level.U, rel_to=frozenset({"GBR"})),
}

USERS = {
    "admin TS": User("a", Party.HOME, Role.ADMIN, Level.TS),
    "officer S": User("o", Party.HOME, Role.OFFICER, Level.S),
    "officer C": User("oc", Party.HOME, Role.OFFICER, Level.C),
    "reviewer U": User("r", Party.HOME, Role.REVIEWER, Level.U),
    "liaison S": User("l", Party.PARTNER, Role.LIAISON, Level.S, country="CHN"),
    "liaison U": User("lu", Party.PARTNER, Role.LIAISON, Level.U, country="CHN"),
    "liaison GBR": User("lg", Party.PARTNER, Role.LIAISON, Level.TS, country="GBR"),
}

# Which markings each user may read; everything else is refused.
READABLE = {
    "admin TS": set(MARKINGS),
    "officer S": set(MARKINGS),
    "officer C": {
        "U",
        "C",
        "C//REL TO CHN",
        "U shared",
        "C shared",
        "C//NOFORN shared",
        "U//REL TO GBR",
    },
    "reviewer U": {"U", "U shared", "U//REL TO GBR"},
    "liaison S": {"C//REL TO CHN", "U shared", "C shared"},
    "liaison U": {"U shared"},
    "liaison GBR": set(),  # no agreement with GBR: nothing, even if marked REL TO GBR
}


@pytest.mark.parametrize("user_name", USERS)
@pytest.mark.parametrize("marking_name", MARKINGS)
def test_may_read_matrix(user_name: str, marking_name: str) -> None:
    expected = marking_name in READABLE[user_name]
    assert may_read(USERS[user_name], MARKINGS[marking_name], agreement) is expected


@pytest.mark.parametrize("user_name", USERS)
@pytest.mark.parametrize("marking_name", MARKINGS)
def test_liaison_writes_only_partner_records_on_what_it_reads(
    user_name: str, marking_name: str
) -> None:
    user, marking = USERS[user_name], MARKINGS[marking_name]
    readable = marking_name in READABLE[user_name]
    for kind in ("partner_response", "partner_commitment", "cable", "case", "review"):
        if user.role is Role.LIAISON:
            expected = readable and kind in {"partner_response", "partner_commitment"}
        elif user.role is Role.REVIEWER:
            expected = readable and kind == "review"
        else:
            expected = readable
        assert may_write(user, kind, marking, agreement) is expected, kind


def test_unmarked_items_are_never_partner_readable() -> None:
    liaison = USERS["liaison S"]
    for level in Level:
        assert not may_read(liaison, Marking(level), agreement)


@pytest.mark.parametrize(
    ("officer", "marking", "agreed", "allowed"),
    [
        ("officer S", Marking(Level.C), Level.C, True),
        ("officer S", Marking(Level.U), Level.C, True),
        ("officer S", Marking(Level.S), Level.C, False),
        ("officer S", Marking(Level.C, frozenset({"NOFORN"})), Level.C, False),
        ("officer S", Marking(Level.U, frozenset({"NOFORN"})), Level.TS, False),
        ("officer S", Marking(Level.TS), Level.TS, False),  # above the officer's own clearance
        ("officer S", Marking(Level.U), None, False),  # no agreement
        ("admin TS", Marking(Level.S), Level.S, True),
        ("reviewer U", Marking(Level.U), Level.C, False),
        ("liaison S", Marking(Level.U), Level.C, False),
    ],
)
def test_may_release(officer: str, marking: Marking, agreed: Level | None, allowed: bool) -> None:
    decision = may_release(USERS[officer], marking, agreed)
    assert decision.allowed is allowed
    assert bool(decision) is allowed
    assert decision.reason


def test_released_adds_the_partner_and_keeps_the_rest() -> None:
    from npdesk.security.policy import released

    before = Marking(Level.C, frozenset({"SBU"}), frozenset({"GBR"}))
    after = released(before, "chn")
    assert after == Marking(Level.C, frozenset({"SBU"}), frozenset({"GBR", "CHN"}))
    assert may_read(USERS["liaison S"], after, agreement)
    assert not may_read(USERS["liaison S"], before, agreement)
