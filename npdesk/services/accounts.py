"""User accounts, sign-in, API tokens and browser sessions.

Sign-in gives the same answer, in about the same time, for an unknown user, a wrong password,
a disabled account and a locked one, so neither the message nor the clock tells which usernames
exist. Every sign-in, account change and token issue is audited in the same transaction.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum

from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from npdesk.security.audit import Outcome
from npdesk.security.model import LOCAL_OPERATOR, PARTY_ROLES, Level, Party, Role, User
from npdesk.security.passwords import (
    burn_verification,
    hash_password,
    needs_rehash,
    password_problem,
    verify_password,
)
from npdesk.security.throttle import (
    DEFAULT_POLICY,
    FailureState,
    ThrottlePolicy,
    after_failure,
    is_locked,
    source_blocked,
)
from npdesk.security.tokens import NewSecret, digest, new_api_token, new_session_id
from npdesk.services import audit, errors
from npdesk.store.db import session_factory, transaction, utcnow
from npdesk.store.models.security import (
    AuditLogEntry,
    BearerSecret,
    ServerSecret,
    UserAccount,
)

_USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")
_COUNTRY = re.compile(r"^[A-Z]{3}$")


class AccountError(errors.Invalid):
    """A request about accounts that cannot be carried out; the message is one clear line."""


class SecretKind(StrEnum):
    API = "api"
    SESSION = "session"


@dataclass(frozen=True)
class AccountSummary:
    """What `users list` shows: never the password hash."""

    username: str
    party: Party
    role: Role
    clearance: Level
    country: str | None
    disabled: bool
    locked_until: datetime | None
    created_at: datetime


def _aware(moment: datetime | None) -> datetime | None:
    # SQLite gives naive datetimes back; everything is stored in UTC.
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=UTC)


def to_user(account: UserAccount) -> User:
    """The policy's view of a stored account."""
    return User(
        username=account.username,
        party=Party(account.party),
        role=Role(account.role),
        clearance=Level[account.clearance],
        country=account.country,
        user_id=account.id,
    )


def _find(session: Session, username: str) -> UserAccount | None:
    return session.scalar(select(UserAccount).where(UserAccount.username == username.lower()))


def _existing(session: Session, username: str) -> UserAccount:
    account = _find(session, username)
    if account is None:
        raise AccountError(f"no user named {username!r}")
    return account


def validate_new_user(
    username: str, party: Party, role: Role, country: str | None, password: str
) -> str | None:
    """Why a user with these attributes cannot be created, or None when it can."""
    if not _USERNAME.match(username.lower()):
        return "a username is 2-64 characters: letters, digits, '.', '_' or '-'"
    if username.lower() == LOCAL_OPERATOR.username:
        return f"{LOCAL_OPERATOR.username!r} is reserved for the command line's operator"
    if role not in PARTY_ROLES[party]:
        allowed = ", ".join(sorted(r.value for r in PARTY_ROLES[party]))
        return f"a {party.value} user's role is one of: {allowed}"
    if party is Party.PARTNER and (country is None or not _COUNTRY.match(country.upper())):
        return "a partner user needs --country with a three-letter country code (e.g. CHN)"
    if party is Party.HOME and country is not None:
        return "--country is only for partner users"
    return password_problem(password)


def add_user(
    session: Session,
    actor: User,
    *,
    username: str,
    password: str,
    party: Party,
    role: Role,
    clearance: Level,
    country: str | None = None,
    source: str,
) -> User:
    """Create an account and audit it. Raises AccountError for invalid attributes, a weak
    password or a taken username. The caller checks `users.add` is permitted first."""
    problem = validate_new_user(username, party, role, country, password)
    if problem:
        raise AccountError(problem)
    if _find(session, username) is not None:
        raise AccountError(f"a user named {username.lower()!r} already exists")
    account = UserAccount(
        username=username.lower(),
        party=party.value,
        role=role.value,
        clearance=clearance.name,
        country=country.upper() if country else None,
        password_hash=hash_password(password),
        disabled=False,
        failed_logins=0,
    )
    session.add(account)
    session.flush()
    user = to_user(account)
    audit.record(
        session,
        actor,
        "users.add",
        outcome=Outcome.OK,
        source=source,
        record_kind="user",
        record_id=user.username,
        detail={
            "party": party.value,
            "role": role.value,
            "clearance": clearance.name,
            "country": user.country,
        },
    )
    return user


def list_users(session: Session) -> list[AccountSummary]:
    """Every account, by username."""
    rows = session.scalars(select(UserAccount).order_by(UserAccount.username))
    return [
        AccountSummary(
            username=row.username,
            party=Party(row.party),
            role=Role(row.role),
            clearance=Level[row.clearance],
            country=row.country,
            disabled=row.disabled,
            locked_until=_aware(row.locked_until),
            created_at=_aware(row.created_at) or row.created_at,
        )
        for row in rows
    ]


def _revoke_all(session: Session, account: UserAccount, now: datetime) -> int:
    result = session.execute(
        update(BearerSecret)
        .where(BearerSecret.user_id == account.id, BearerSecret.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    return int(getattr(result, "rowcount", 0) or 0)


def disable_user(session: Session, actor: User, username: str, *, source: str) -> None:
    """Disable an account and revoke its sessions and tokens. Raises AccountError when there
    is no such user."""
    account = _existing(session, username)
    account.disabled = True
    revoked = _revoke_all(session, account, utcnow())
    audit.record(
        session,
        actor,
        "users.disable",
        outcome=Outcome.OK,
        source=source,
        record_kind="user",
        record_id=account.username,
        detail={"revoked_secrets": revoked},
    )


def reset_password(
    session: Session, actor: User, username: str, password: str, *, source: str
) -> None:
    """Set a new password, lift any lockout and revoke the user's sessions and tokens.
    Raises AccountError for an unknown user or a weak password."""
    account = _existing(session, username)
    problem = password_problem(password)
    if problem:
        raise AccountError(problem)
    now = utcnow()
    account.password_hash = hash_password(password)
    account.password_changed_at = now
    account.failed_logins = 0
    account.locked_until = None
    revoked = _revoke_all(session, account, now)
    audit.record(
        session,
        actor,
        "users.reset_password",
        outcome=Outcome.OK,
        source=source,
        record_kind="user",
        record_id=account.username,
        detail={"revoked_secrets": revoked},
    )


def _recent_source_failures(
    session: Session, source: str, now: datetime, policy: ThrottlePolicy
) -> int:
    # The audit log already records every failed login with its source: count from it.
    count = session.scalar(
        select(func.count())
        .select_from(AuditLogEntry)
        .where(
            AuditLogEntry.action == "auth.login",
            AuditLogEntry.outcome == Outcome.DENIED.value,
            AuditLogEntry.source == source[:64],
            AuditLogEntry.at > now - policy.source_window,
        )
    )
    return int(count or 0)


@dataclass(frozen=True)
class PasswordCheck:
    """A password verified against the hash stored when it was read (None: no such user)."""

    password_hash: str | None
    matches: bool


def check_password(engine: Engine, username: str, password: str) -> PasswordCheck:
    """Verify `password` for `username` outside any write transaction: the slow hash (argon2,
    about half a second on a loaded machine) must not hold the database's write lock, or every
    other writer waits behind sign-ins. An unknown user costs the same time as a known one.
    `authenticate(..., checked=...)` then uses the answer if the hash is still the same."""
    with session_factory(engine)() as session:
        account = _find(session, username) if _USERNAME.match(username.lower()) else None
        stored = account.password_hash if account is not None else None
    if stored is None:
        burn_verification()
        return PasswordCheck(None, False)
    return PasswordCheck(stored, verify_password(stored, password))


def authenticate(
    session: Session,
    username: str,
    password: str,
    *,
    source: str,
    now: datetime | None = None,
    policy: ThrottlePolicy = DEFAULT_POLICY,
    checked: PasswordCheck | None = None,
) -> User | None:
    """The user when `username` and `password` match an active, unlocked account, else None.

    Every attempt is audited (`auth.login`, ok or denied). Failures count towards a lockout of
    the account, and towards a refusal of the source (address) that keeps failing whatever
    usernames it tries; the reason for a refusal goes only to the audit log, never the caller.
    The caller commits the session even on failure, so the failure count and the entry stay.
    """
    moment = now or utcnow()
    if source_blocked(_recent_source_failures(session, source, moment, policy), policy):
        if checked is None:
            burn_verification()
        audit.record(
            session,
            username[:64] or "(empty)",
            "auth.login",
            outcome=Outcome.DENIED,
            source=source,
            detail={"reason": "too many failures from this source"},
            at=moment,
        )
        return None
    account = _find(session, username) if _USERNAME.match(username.lower()) else None
    if account is None:
        if checked is None:
            burn_verification()
        audit.record(
            session,
            username or "(empty)",
            "auth.login",
            outcome=Outcome.DENIED,
            source=source,
            detail={"reason": "unknown user"},
            at=moment,
        )
        return None
    state = FailureState(account.failed_logins, _aware(account.locked_until))
    if checked is not None and checked.password_hash == account.password_hash:
        matches = checked.matches
    else:  # not checked beforehand, or the password changed since: verify here
        matches = verify_password(account.password_hash, password)
    reason = None
    if account.disabled:
        reason = "disabled"
    elif is_locked(state, moment):
        reason = "locked"
    elif not matches:
        reason = "wrong password"
        state = after_failure(state, moment, policy)
        account.failed_logins = state.failures
        account.locked_until = state.locked_until
        if state.locked_until is not None:
            reason = "wrong password; account locked"
    user = to_user(account)
    if reason is not None:
        audit.record(
            session,
            user,
            "auth.login",
            outcome=Outcome.DENIED,
            source=source,
            detail={"reason": reason},
            at=moment,
        )
        return None
    account.failed_logins = 0
    account.locked_until = None
    if needs_rehash(account.password_hash):
        account.password_hash = hash_password(password)
    audit.record(session, user, "auth.login", outcome=Outcome.OK, source=source, at=moment)
    return user


def issue_secret(
    session: Session,
    user: User,
    kind: SecretKind,
    *,
    source: str,
    now: datetime | None = None,
) -> NewSecret:
    """A new API token or session id for `user` (an account in the database). Only its digest
    is stored; the value in the result is the only copy. API tokens are audited."""
    if user.user_id is None:
        raise AccountError("only stored accounts receive tokens")
    moment = now or utcnow()
    secret = new_api_token(moment) if kind is SecretKind.API else new_session_id(moment)
    session.add(
        BearerSecret(
            digest=secret.digest,
            kind=kind.value,
            user_id=user.user_id,
            created_at=moment,
            expires_at=secret.expires_at,
        )
    )
    if kind is SecretKind.API:
        audit.record(
            session,
            user,
            "auth.token.create",
            outcome=Outcome.OK,
            source=source,
            record_kind="api_token",
            record_id=secret.digest[:12],
            detail={"expires_at": secret.expires_at.isoformat()},
            at=moment,
        )
    return secret


def user_for_secret(
    session: Session, value: str, kind: SecretKind, *, now: datetime | None = None
) -> User | None:
    """The active user holding the unexpired, unrevoked secret `value` of `kind`, else None."""
    if not value or len(value) > 200:
        return None
    moment = now or utcnow()
    row = session.execute(
        select(BearerSecret, UserAccount)
        .join(UserAccount, UserAccount.id == BearerSecret.user_id)
        .where(BearerSecret.digest == digest(value), BearerSecret.kind == kind.value)
    ).one_or_none()
    if row is None:
        return None
    secret, account = row
    expires = _aware(secret.expires_at)
    if secret.revoked_at is not None or account.disabled or expires is None or expires <= moment:
        return None
    return to_user(account)


def revoke_secret(
    session: Session, value: str, kind: SecretKind, actor: User, *, source: str
) -> bool:
    """Revoke the secret `value` of `kind` if it belongs to `actor`; True when one was revoked.
    Revoking an API token is audited; ending a session is audited as `auth.logout`."""
    result = session.execute(
        update(BearerSecret)
        .where(
            BearerSecret.digest == digest(value),
            BearerSecret.kind == kind.value,
            BearerSecret.user_id == actor.user_id,
            BearerSecret.revoked_at.is_(None),
        )
        .values(revoked_at=utcnow())
    )
    revoked = bool(getattr(result, "rowcount", 0))
    audit.record(
        session,
        actor,
        "auth.token.revoke" if kind is SecretKind.API else "auth.logout",
        outcome=Outcome.OK if revoked else Outcome.ERROR,
        source=source,
        record_kind="api_token" if kind is SecretKind.API else "session",
        record_id=digest(value)[:12],
    )
    return revoked


def cli_actor(engine: Engine, username: str | None) -> User:
    """Whom a CLI command acts as: the active user `username` (from `--user` or `NPDESK_USER`),
    or without one the local operator (home, admin, top clearance), since whoever runs the CLI
    holds the database anyway. Raises AccountError for an unknown or disabled user."""
    if not username:
        return LOCAL_OPERATOR
    with transaction(engine) as session:
        account = _find(session, username)
        if account is None or account.disabled:
            raise AccountError(f"no active user named {username!r}")
        return to_user(account)


def server_secret(engine: Engine, name: str = "signing") -> str:
    """The server's own secret called `name` (cookie and CSRF signing), made on first use and
    kept in the database so every worker and restart shares it. Racing first users agree:
    the loser's insert does nothing and both read the winner's value."""
    with transaction(engine) as session:
        values = {"name": name, "value": secrets.token_urlsafe(48), "created_at": utcnow()}
        if session.get_bind().dialect.name == "postgresql":
            session.execute(pg_insert(ServerSecret).values(values).on_conflict_do_nothing())
        else:
            session.execute(sqlite_insert(ServerSecret).values(values).on_conflict_do_nothing())
        value = session.scalar(select(ServerSecret.value).where(ServerSecret.name == name))
    if value is None:
        raise RuntimeError(f"server secret {name!r} could not be created")
    return value
