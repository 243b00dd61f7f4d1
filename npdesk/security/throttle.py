"""Login throttling and lockout, as a pure policy over recent failures.

Two counters, never a whole address: an account locks after `max_failures` consecutive
failures from anywhere (guessing spread over many addresses), and an account *from one
address* locks after `max_pair_failures` failures there within `pair_window` (guessing from
one place locks that place out of that account only). Refusing a whole address for its
failures, whatever the usernames, shut out everyone behind a shared address (an office NAT, a
proxy) as soon as one of them kept mistyping; it stays available, off by default.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class ThrottlePolicy:
    """`max_failures` consecutive failures lock the account for `lockout`; `max_pair_failures`
    failed logins to one account from one source within `pair_window` (since the last success
    there) refuse that account from that source until they age out. `max_source_failures`
    failed logins from one source within `source_window`, whatever the usernames, refuse the
    source: None (the default) never does."""

    max_failures: int = 20
    lockout: timedelta = timedelta(minutes=15)
    max_pair_failures: int = 5
    pair_window: timedelta = timedelta(minutes=15)
    max_source_failures: int | None = None
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


def pair_locked(recent_pair_failures: int, policy: ThrottlePolicy = DEFAULT_POLICY) -> bool:
    """Whether an account is refused from a source where it failed `recent_pair_failures`
    times within the policy's pair window (since its last success there)."""
    return recent_pair_failures >= policy.max_pair_failures


def source_blocked(recent_failures: int, policy: ThrottlePolicy = DEFAULT_POLICY) -> bool:
    """Whether a source with `recent_failures` failed logins in the policy's window is refused
    whatever the username (never, unless the policy sets `max_source_failures`)."""
    return policy.max_source_failures is not None and recent_failures >= policy.max_source_failures
