"""The account+address lockout (see `npdesk.security.throttle`), counted from the audit log,
which already records every sign-in with its outcome and source.

`refused` runs in the sign-in's transaction before the credentials are checked; a refusal is
audited like any failed sign-in and answers exactly like one (a wrong password costs one
argon2 verification, so a refusal burns one too).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from npdesk.security.audit import Outcome
from npdesk.security.passwords import burn_verification
from npdesk.security.throttle import DEFAULT_POLICY, ThrottlePolicy, pair_locked
from npdesk.services import audit
from npdesk.store.db import utcnow
from npdesk.store.models.security import AuditLogEntry

LOGIN_ACTION = "auth.login"
PAIR_REASON = "too many failures for this account from this address"


def _names(username: str) -> set[str]:
    # Failures of a known user are logged under its stored (lower-case) name, unknown ones as
    # typed: count both spellings as one account.
    return {username[:64], username.strip().lower()[:64]}


def recent_pair_failures(
    session: Session,
    username: str,
    source: str,
    *,
    now: datetime | None = None,
    policy: ThrottlePolicy = DEFAULT_POLICY,
) -> int:
    """Failed sign-ins to `username` from `source` within the pair window and since the last
    success there, not counting refusals by this lockout itself (which would keep it closed
    for as long as anyone kept trying)."""
    moment = now or utcnow()
    same_pair = and_(
        AuditLogEntry.action == LOGIN_ACTION,
        AuditLogEntry.actor.in_(_names(username)),
        AuditLogEntry.source == source[:64],
        AuditLogEntry.at > moment - policy.pair_window,
    )
    last_success = session.scalar(
        select(func.max(AuditLogEntry.at)).where(same_pair, AuditLogEntry.outcome == Outcome.OK)
    )
    reason = AuditLogEntry.detail["reason"].as_string()
    query = (
        select(func.count())
        .select_from(AuditLogEntry)
        .where(
            same_pair,
            AuditLogEntry.outcome == Outcome.DENIED.value,
            or_(reason.is_(None), reason != PAIR_REASON),
        )
    )
    if last_success is not None:
        query = query.where(AuditLogEntry.at > last_success)
    return int(session.scalar(query) or 0)


def refused(
    session: Session,
    username: str,
    source: str,
    *,
    now: datetime | None = None,
    policy: ThrottlePolicy = DEFAULT_POLICY,
) -> bool:
    """Whether `username` is locked out from `source` now; a refusal is audited here."""
    moment = now or utcnow()
    if not pair_locked(
        recent_pair_failures(session, username, source, now=moment, policy=policy), policy
    ):
        return False
    burn_verification()
    audit.record(
        session,
        username[:64] or "(empty)",
        LOGIN_ACTION,
        outcome=Outcome.DENIED,
        source=source,
        detail={"reason": PAIR_REASON},
        at=moment,
    )
    return True
