"""The action registry: default deny, and every rule over every role."""

from __future__ import annotations

import pytest

from npdesk.security.actions import ACTIONS, REGISTRY, Rule, permits
from npdesk.security.model import LOCAL_OPERATOR, Level, Marking, Party, Role, User

ADMIN = User("a", Party.HOME, Role.ADMIN, Level.TS)
OFFICER = User("o", Party.HOME, Role.OFFICER, Level.S)
REVIEWER = User("r", Party.HOME, Role.REVIEWER, Level.S)
LIAISON = User("l", Party.PARTNER, Role.LIAISON, Level.S, country="CHN")


def test_unknown_actions_are_denied_to_everyone() -> None:
    for user in (None, ADMIN, LOCAL_OPERATOR, LIAISON):
        assert not permits(user, "cables.delete_everything")


def test_every_action_is_unique_and_described() -> None:
    assert len(REGISTRY) == len(ACTIONS)
    for action in ACTIONS:
        assert action.description
        assert (action.rule is Rule.WRITE) == (action.record_kind is not None)


def test_anonymous_users_reach_only_public_actions() -> None:
    for action in ACTIONS:
        assert permits(None, action.name) is (action.rule is Rule.PUBLIC)


@pytest.mark.parametrize(
    ("name", "allowed"),
    [
        ("users.add", {"admin"}),
        ("audit.verify", {"admin"}),
        ("cables.ingest", {"admin", "officer"}),
        ("cables.release", {"admin", "officer"}),
        ("partner.respond", {"admin", "officer", "liaison"}),
        ("cables.search", {"admin", "officer", "reviewer", "liaison"}),
        ("health", {"admin", "officer", "reviewer", "liaison"}),
    ],
)
def test_route_gates_by_role(name: str, allowed: set[str]) -> None:
    for user in (ADMIN, OFFICER, REVIEWER, LIAISON):
        assert permits(user, name) is (user.role.value in allowed), user.role


def test_marked_checks_apply_the_marking() -> None:
    nf = Marking(Level.S, frozenset({"NOFORN"}))
    shared = Marking(Level.U, shared=True)
    assert permits(OFFICER, "cables.read", nf)
    assert not permits(LIAISON, "cables.read", nf)
    assert permits(LIAISON, "cables.read", shared)
    assert not permits(OFFICER, "cables.release", nf)
    assert permits(LIAISON, "partner.respond", shared)
    assert not permits(LIAISON, "partner.respond", Marking(Level.U))


def test_local_operator_is_a_top_cleared_home_admin() -> None:
    assert LOCAL_OPERATOR.party is Party.HOME
    assert LOCAL_OPERATOR.role is Role.ADMIN
    assert LOCAL_OPERATOR.clearance is Level.TS
