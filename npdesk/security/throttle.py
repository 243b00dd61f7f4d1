"""Login throttling and lockout, as a pure policy over an account's recent failures."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class ThrottlePolicy:
    """`max_failures` consecutive failures lock the account for `lockout`; more than
    `max_source_failures` failed logins from one source within `source_window` (whatever the
    usernames tried: password spraying) refuse that source until the window has passed."""

    max_failures: int = 5
    lockout: timedelta = timedelta(minutes=15)
    max_source_failures: int = 20
    source_window: timedelta = timedelta(minutes=15)


DEFAULT_POLICY = ThrottlePolicy()


@dataclass(frozen=True)
class FailureState:
    """What the account records: consecutive failures and when a lockout ends."""

    failures: int = 0
    locked_until: datetime | None = None


def is_locked(state: FailureState, now: datetime) -> bool:
    """Whether logins are refused at `now` (even with the right password)."""
    return state.locked_until is not None and now < state.locked_until


def after_failure(
    state: FailureState, now: datetime, policy: ThrottlePolicy = DEFAULT_POLICY
) -> FailureState:
    """The state after one more failed login at `now`. Reaching `max_failures` starts a lockout;
    failures while locked extend nothing (so an attacker cannot keep the owner out forever by
    hammering, beyond one lockout period after their last batch)."""
    if is_locked(state, now):
        return state
    failures = state.failures + 1
    if failures >= policy.max_failures:
        return FailureState(failures=0, locked_until=now + policy.lockout)
    return FailureState(failures=failures, locked_until=None)


def after_success() -> FailureState:
    """The state after a successful login: a clean slate."""
    return FailureState()


def source_blocked(recent_failures: int, policy: ThrottlePolicy = DEFAULT_POLICY) -> bool:
    """Whether a source with `recent_failures` failed logins in the policy's window is refused."""
    return recent_failures >= policy.max_source_failures
