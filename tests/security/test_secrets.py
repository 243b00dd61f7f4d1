"""Passwords, bearer secrets, CSRF tokens and the login throttle."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from npdesk.security.csrf import make_csrf_token, verify_csrf_token
from npdesk.security.passwords import (
    burn_verification,
    hash_password,
    needs_rehash,
    password_problem,
    verify_password,
)
from npdesk.security.throttle import (
    FailureState,
    ThrottlePolicy,
    after_failure,
    after_success,
    is_locked,
)
from npdesk.security.tokens import digest, new_api_token, new_session_id, same_digest

NOW = datetime(2026, 11, 29, 9, 0, tzinfo=UTC)


def test_password_hash_verifies_only_the_right_password() -> None:
    stored = hash_password("correct horse battery")
    assert stored.startswith("$argon2id$")
    assert "correct horse" not in stored
    assert verify_password(stored, "correct horse battery")
    assert not verify_password(stored, "correct horse batterY")
    assert not verify_password("not a hash", "correct horse battery")
    assert not verify_password(stored, "x" * 5000)
    assert not needs_rehash(stored)
    burn_verification()


def test_weak_passwords_are_refused() -> None:
    assert password_problem("short") is not None
    assert password_problem(" leading space ok?") is not None
    with pytest.raises(ValueError):
        hash_password("short")


def test_tokens_are_random_and_stored_hashed() -> None:
    token = new_api_token(NOW)
    other = new_api_token(NOW)
    assert token.value.startswith("npd_") and token.value != other.value
    assert token.digest == digest(token.value) != token.value
    assert len(token.digest) == 64
    assert same_digest(token.digest, digest(token.value))
    assert not same_digest(token.digest, other.digest)
    assert token.expires_at > NOW
    assert new_session_id(NOW).expires_at - NOW < token.expires_at - NOW


def test_csrf_tokens_are_bound_to_secret_and_browser() -> None:
    token = make_csrf_token("server secret", "browser-1")
    assert verify_csrf_token("server secret", token, "browser-1")
    assert not verify_csrf_token("server secret", token, "browser-2")
    assert not verify_csrf_token("other secret", token, "browser-1")
    assert not verify_csrf_token("server secret", None, "browser-1")
    assert not verify_csrf_token("server secret", token + "x", "browser-1")
    assert not verify_csrf_token("server secret", token, "")


def test_lockout_after_repeated_failures_then_release() -> None:
    policy = ThrottlePolicy(max_failures=3, lockout=timedelta(minutes=10))
    state = FailureState()
    for _ in range(2):
        state = after_failure(state, NOW, policy)
        assert not is_locked(state, NOW)
    state = after_failure(state, NOW, policy)
    assert is_locked(state, NOW + timedelta(minutes=9))
    # Failures while locked do not extend the lockout.
    assert after_failure(state, NOW + timedelta(minutes=5), policy) == state
    assert not is_locked(state, NOW + timedelta(minutes=10))
    assert after_success() == FailureState()
