"""Password hashing with argon2id, and the checks that keep login timing uniform.

`verify_password` never raises on a wrong or malformed hash; `burn_verification` spends the same
time as a real check, for logins with an unknown username, so timing does not tell which
usernames exist.
"""

from __future__ import annotations

import contextlib
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

MIN_LENGTH = 12
MAX_LENGTH = 1024  # bounds the work an attacker can make one login attempt cost

_hasher = PasswordHasher()


def password_problem(password: str) -> str | None:
    """Why `password` is not acceptable as a new password, or None when it is."""
    if len(password) < MIN_LENGTH:
        return f"a password needs at least {MIN_LENGTH} characters"
    if len(password) > MAX_LENGTH:
        return f"a password may have at most {MAX_LENGTH} characters"
    if password.strip() != password:
        return "a password may not start or end with spaces"
    return None


def hash_password(password: str) -> str:
    """The argon2id hash (PHC string) of `password`. Raises ValueError for an unacceptable one."""
    problem = password_problem(password)
    if problem:
        raise ValueError(problem)
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    """Whether `password` matches `password_hash`. False (not an error) for a malformed hash or
    an over-long password."""
    if len(password) > MAX_LENGTH:
        burn_verification()
        return False
    try:
        return _hasher.verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """Whether the hash was made with older parameters and should be replaced at next login."""
    try:
        return _hasher.check_needs_rehash(password_hash)
    except InvalidHashError:
        return True


@cache
def _dummy_hash() -> str:
    return _hasher.hash("npdesk timing equaliser, never a real password")


def burn_verification() -> None:
    """Spend the time of one password check (for unknown users and locked accounts)."""
    with contextlib.suppress(VerificationError):
        _hasher.verify(_dummy_hash(), "not the password")
