"""The policy's `may_read` and the store's visibility rule (the SQL every listing uses, and its
Python twin) must give the same answer for every user and marking."""

from __future__ import annotations

from types import SimpleNamespace

from hypothesis import given, settings
from hypothesis import strategies as st

from npdesk.security.model import Level, Marking, Party, Role, User
from npdesk.security.partners import partner_country
from npdesk.security.policy import may_read
from npdesk.store.visibility import readable_row

markings = st.builds(
    Marking,
    level=st.sampled_from(list(Level)),
    caveats=st.frozensets(st.sampled_from(["NOFORN", "SBU", "FOR OFFICIAL USE ONLY", "FGI"])),
    rel_to=st.frozensets(st.sampled_from([partner_country(), "GBR", "DEU", "NATO"])),
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
    country=st.just(partner_country()),
)


def as_row(marking: Marking) -> SimpleNamespace:
    classification, caveats, rel_to, shared = marking.to_columns()
    return SimpleNamespace(
        classification=classification,
        caveats=caveats,
        rel_to=rel_to,
        shared_with_partner=shared,
    )


@settings(max_examples=400)
@given(st.one_of(home_users, partner_users), markings)
def test_may_read_agrees_with_the_store(user: User, marking: Marking) -> None:
    assert may_read(user, marking) is readable_row(as_row(marking), user)
