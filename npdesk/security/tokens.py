"""Bearer secrets (API tokens and session ids): random, shown once, stored only as a hash.

A sha256 of a 256-bit random value is enough here (no salt or slow hash needed): the value is
not guessable, so the hash only has to keep a database reader from using it.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

API_TOKEN_PREFIX = "npd_"
API_TOKEN_LIFETIME = timedelta(days=30)
SESSION_LIFETIME = timedelta(hours=12)


@dataclass(frozen=True)
class NewSecret:
    """A freshly made secret: `value` goes to the client once, `digest` to the database."""

    value: str
    digest: str
    expires_at: datetime


def digest(value: str) -> str:
    """The stored form of a secret: hex sha256."""
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


def new_secret(now: datetime, lifetime: timedelta, prefix: str = "") -> NewSecret:
    """A new random secret valid from `now` for `lifetime`."""
    value = prefix + secrets.token_urlsafe(32)
    return NewSecret(value=value, digest=digest(value), expires_at=now + lifetime)


def new_api_token(now: datetime, lifetime: timedelta = API_TOKEN_LIFETIME) -> NewSecret:
    """A new API token (`npd_...`)."""
    return new_secret(now, lifetime, API_TOKEN_PREFIX)


def new_session_id(now: datetime, lifetime: timedelta = SESSION_LIFETIME) -> NewSecret:
    """A new browser session id."""
    return new_secret(now, lifetime)


def same_digest(a: str, b: str) -> bool:
    """Constant-time comparison of two digests."""
    return hmac.compare_digest(a.encode("ascii", "replace"), b.encode("ascii", "replace"))
