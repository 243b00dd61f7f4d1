"""Accounts on a real (SQLite) store: creation rules, sign-in, lockout, tokens, CLI actor."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.engine import Engine

from npdesk.security.model import LOCAL_OPERATOR, Level, Party, Role
from npdesk.security.throttle import ThrottlePolicy
from npdesk.services import accounts, audit
from npdesk.services.accounts import AccountError, SecretKind
from npdesk.store.db import transaction, utcnow
from npdesk.store.models.security import AuditLogEntry, BearerSecret, UserAccount

PASSWORD = "a long enough passphrase"


def add(engine: Engine, name: str, **kwargs: object) -> None:
    attrs: dict[str, object] = {
        "party": Party.HOME,
        "role": Role.OFFICER,
        "clearance": Level.S,
        "country": None,
    }
    attrs.update(kwargs)
    with transaction(engine) as session:
        accounts.add_user(
            session,
            LOCAL_OPERATOR,
            username=name,
            password=PASSWORD,
            source="test",
            **attrs,  # type: ignore[arg-type]
        )


def login(engine: Engine, name: str, password: str, **kwargs: object) -> object:
    with transaction(engine) as session:
        return accounts.authenticate(session, name, password, source="127.0.0.1", **kwargs)  # type: ignore[arg-type]


def test_add_and_list_users_never_shows_hashes(engine: Engine) -> None:
    add(engine, "olivia")
    add(engine, "li", party=Party.PARTNER, role=Role.LIAISON, clearance=Level.C, country="chn")
    with transaction(engine) as session:
        listed = accounts.list_users(session)
        stored = session.scalar(select(UserAccount).where(UserAccount.username == "olivia"))
        assert stored is not None and PASSWORD not in stored.password_hash
    assert [(u.username, u.party, u.country) for u in listed] == [
        ("li", Party.PARTNER, "CHN"),
        ("olivia", Party.HOME, None),
    ]
    assert not hasattr(listed[0], "password_hash")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"party": Party.PARTNER, "role": Role.OFFICER, "country": "CHN"}, "role is one of"),
        ({"party": Party.PARTNER, "role": Role.LIAISON}, "--country"),
        ({"party": Party.HOME, "role": Role.LIAISON}, "role is one of"),
        ({"country": "CHN"}, "only for partner"),
    ],
)
def test_inconsistent_users_are_refused(
    engine: Engine, kwargs: dict[str, object], message: str
) -> None:
    with pytest.raises(AccountError, match=message):
        add(engine, "bad", **kwargs)


def test_duplicate_and_reserved_names_are_refused(engine: Engine) -> None:
    add(engine, "olivia")
    with pytest.raises(AccountError, match="already exists"):
        add(engine, "Olivia")
    with pytest.raises(AccountError, match="reserved"):
        add(engine, LOCAL_OPERATOR.username)


def test_authenticate_and_refusals_look_alike(engine: Engine) -> None:
    add(engine, "olivia")
    user = login(engine, "olivia", PASSWORD)
    assert user is not None and getattr(user, "username", None) == "olivia"
    assert login(engine, "olivia", "wrong password here") is None
    assert login(engine, "nobody", PASSWORD) is None
    with transaction(engine) as session:
        accounts.disable_user(session, LOCAL_OPERATOR, "olivia", source="test")
    assert login(engine, "olivia", PASSWORD) is None
    with transaction(engine) as session:
        rows = session.scalars(
            select(AuditLogEntry).where(AuditLogEntry.action == "auth.login")
        ).all()
    assert [(r.actor, r.outcome) for r in rows] == [
        ("olivia", "ok"),
        ("olivia", "denied"),
        ("nobody", "denied"),
        ("olivia", "denied"),
    ]
    assert [r.detail.get("reason") for r in rows[1:]] == [
        "wrong password",
        "unknown user",
        "disabled",
    ]


def test_lockout_after_repeated_failures_even_with_right_password(engine: Engine) -> None:
    add(engine, "olivia")
    policy = ThrottlePolicy(max_failures=3, lockout=timedelta(minutes=15))
    now = utcnow()
    for _ in range(3):
        assert login(engine, "olivia", "wrong password here", now=now, policy=policy) is None
    assert login(engine, "olivia", PASSWORD, now=now, policy=policy) is None
    later = now + timedelta(minutes=16)
    assert login(engine, "olivia", PASSWORD, now=later, policy=policy) is not None


def test_reset_password_lifts_lockout_and_revokes_tokens(engine: Engine) -> None:
    add(engine, "olivia")
    with transaction(engine) as session:
        user = accounts.authenticate(session, "olivia", PASSWORD, source="t")
        assert user is not None
        token = accounts.issue_secret(session, user, SecretKind.API, source="t")
    with transaction(engine) as session:
        assert accounts.user_for_secret(session, token.value, SecretKind.API) == user
        accounts.reset_password(
            session, LOCAL_OPERATOR, "olivia", "another long passphrase", source="t"
        )
    with transaction(engine) as session:
        assert accounts.user_for_secret(session, token.value, SecretKind.API) is None
    assert login(engine, "olivia", PASSWORD) is None
    assert login(engine, "olivia", "another long passphrase") is not None


def test_tokens_are_stored_hashed_expire_and_revoke(engine: Engine) -> None:
    add(engine, "olivia")
    with transaction(engine) as session:
        user = accounts.authenticate(session, "olivia", PASSWORD, source="t")
        assert user is not None
        token = accounts.issue_secret(session, user, SecretKind.API, source="t")
        session_id = accounts.issue_secret(session, user, SecretKind.SESSION, source="t")
    with transaction(engine) as session:
        digests = session.scalars(select(BearerSecret.digest)).all()
        assert token.value not in digests and len(digests) == 2
        # A session id is not an API token and vice versa.
        assert accounts.user_for_secret(session, session_id.value, SecretKind.API) is None
        assert accounts.user_for_secret(session, token.value, SecretKind.SESSION) is None
        after_expiry = token.expires_at + timedelta(seconds=1)
        assert (
            accounts.user_for_secret(session, token.value, SecretKind.API, now=after_expiry) is None
        )
        assert accounts.revoke_secret(session, token.value, SecretKind.API, user, source="t")
    with transaction(engine) as session:
        assert accounts.user_for_secret(session, token.value, SecretKind.API) is None
    assert audit.verify(engine) is None


def test_cli_actor(engine: Engine) -> None:
    add(engine, "olivia")
    assert accounts.cli_actor(engine, None) == LOCAL_OPERATOR
    assert accounts.cli_actor(engine, "olivia").username == "olivia"
    with pytest.raises(AccountError, match="no active user"):
        accounts.cli_actor(engine, "ghost")


def test_a_source_that_keeps_failing_is_refused_whatever_names_it_tries(engine: Engine) -> None:
    add(engine, "olivia")
    policy = ThrottlePolicy(max_failures=5, max_source_failures=3)
    for name in ("amy", "bob", "carl"):
        with transaction(engine) as session:
            assert (
                accounts.authenticate(session, name, PASSWORD, source="10.9.9.9", policy=policy)
                is None
            )
    with transaction(engine) as session:
        assert (
            accounts.authenticate(session, "olivia", PASSWORD, source="10.9.9.9", policy=policy)
            is None
        )
        assert (
            accounts.authenticate(session, "olivia", PASSWORD, source="10.1.1.1", policy=policy)
            is not None
        )
    later = utcnow() + timedelta(minutes=16)
    with transaction(engine) as session:
        assert (
            accounts.authenticate(
                session, "olivia", PASSWORD, source="10.9.9.9", now=later, policy=policy
            )
            is not None
        )


def test_unknown_users_take_as_long_as_wrong_passwords(engine: Engine) -> None:
    import statistics
    import time

    add(engine, "olivia")
    policy = ThrottlePolicy(max_failures=1000, max_source_failures=1000)
    timings: dict[str, list[float]] = {"olivia": [], "nobody": []}
    for _ in range(7):
        for name in timings:  # interleaved, so load on the machine hits both alike
            started = time.perf_counter()
            login(engine, name, "wrong password here", policy=policy)
            timings[name].append(time.perf_counter() - started)
    known, unknown = (statistics.median(timings[name]) for name in ("olivia", "nobody"))
    # Both spend one argon2 verification; without the dummy check an unknown name would
    # answer many times faster.
    assert 0.5 < unknown / known < 2.0, timings


def test_password_checked_before_the_write_lock_is_used_only_while_the_hash_is_the_same(
    engine: Engine,
) -> None:
    # Sign-ins once held SQLite's write lock through the password hash, so during an ingest
    # most of them answered 503: the hash is now checked first, outside the transaction.
    add(engine, "olivia")
    right = accounts.check_password(engine, "olivia", PASSWORD)
    wrong = accounts.check_password(engine, "olivia", "not the passphrase")
    unknown = accounts.check_password(engine, "nobody", PASSWORD)
    assert (right.matches, wrong.matches, unknown.matches) == (True, False, False)
    assert login(engine, "olivia", PASSWORD, checked=right) is not None
    assert login(engine, "olivia", PASSWORD, checked=wrong) is None  # the check decides
    # The password changes between the check and the sign-in: the stale check is not used.
    with transaction(engine) as session:
        accounts.reset_password(
            session, LOCAL_OPERATOR, "olivia", "another long passphrase", source="t"
        )
    assert login(engine, "olivia", PASSWORD, checked=right) is None
    assert login(engine, "olivia", "another long passphrase", checked=right) is not None
