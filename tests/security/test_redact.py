"""Redaction never leaks a paragraph the user may not read, nor how many were withheld."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from npdesk.security.model import Level, Marking, Party, Role, User
from npdesk.security.policy import may_read
from npdesk.security.redact import MarkedPart, MarkedRecord, redact


def agreement(country: str | None) -> Level | None:
    return Level.C if country == "CHN" else None


markings = st.builds(
    Marking,
    level=st.sampled_from(list(Level)),
    caveats=st.frozensets(st.sampled_from(["NOFORN", "SBU"])),
    rel_to=st.frozensets(st.sampled_from(["CHN", "GBR"])),
    shared=st.booleans(),
)
users = st.builds(
    User,
    username=st.just("someone"),
    party=st.sampled_from(list(Party)),
    role=st.sampled_from(list(Role)),
    clearance=st.sampled_from(list(Level)),
    country=st.sampled_from([None, "CHN", "GBR"]),
)


@st.composite
def records(draw: st.DrawFn) -> MarkedRecord[str]:
    part_markings = draw(st.lists(markings, max_size=12))
    numbered = draw(
        st.lists(st.booleans(), min_size=len(part_markings), max_size=len(part_markings))
    )
    parts = [
        MarkedPart(marking, f"paragraph {index}", index + 1 if has_number else None)
        for index, (marking, has_number) in enumerate(zip(part_markings, numbered, strict=True))
    ]
    return MarkedRecord(draw(markings), parts)


@given(records(), users)
def test_redact_never_leaks_an_unreadable_paragraph(record: MarkedRecord[str], user: User) -> None:
    view = redact(record, user, agreement)
    if not may_read(user, record.marking, agreement):
        assert view is None
        return
    assert view is not None
    readable = [p.content for p in record.parts if may_read(user, p.marking, agreement)]
    assert [p.content for p in view.parts] == readable


@given(records(), users)
def test_partner_view_numbers_have_no_gaps(record: MarkedRecord[str], user: User) -> None:
    view = redact(record, user, agreement)
    if view is None or user.party is not Party.PARTNER:
        return
    numbers = [p.number for p in view.parts if p.number is not None]
    assert numbers == list(range(1, len(numbers) + 1))


def test_partner_view_is_identical_whether_or_not_paragraphs_were_withheld() -> None:
    liaison = User("l", Party.PARTNER, Role.LIAISON, Level.S, country="CHN")
    shared = Marking(Level.U, shared=True)
    secret = Marking(Level.S, frozenset({"NOFORN"}))
    with_hidden = MarkedRecord(
        shared,
        [
            MarkedPart(secret, "home only", 1),
            MarkedPart(shared, "a", 2),
            MarkedPart(shared, "b", 3),
        ],
    )
    without = MarkedRecord(shared, [MarkedPart(shared, "a", 1), MarkedPart(shared, "b", 2)])
    assert redact(with_hidden, liaison, agreement) == redact(without, liaison, agreement)


def test_home_users_keep_original_numbers() -> None:
    officer = User("o", Party.HOME, Role.OFFICER, Level.C)
    record = MarkedRecord(
        Marking(Level.C),
        [MarkedPart(Marking(Level.S), "secret", 1), MarkedPart(Marking(Level.C), "conf", 2)],
    )
    view = redact(record, officer, agreement)
    assert view is not None
    assert [(p.content, p.number) for p in view.parts] == [("conf", 2)]
