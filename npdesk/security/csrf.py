"""CSRF tokens: signed with the server secret and bound to the browser they were issued to.

The binding is the session id digest once logged in, or a random pre-login cookie value on the
login form, so a token lifted from one browser is useless in another.
"""

from __future__ import annotations

import hmac

from itsdangerous import BadSignature, URLSafeTimedSerializer

CSRF_MAX_AGE_SECONDS = 12 * 3600
_SALT = "npdesk.csrf"


def _serializer(secret: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret, salt=_SALT)


def make_csrf_token(secret: str, binding: str) -> str:
    """A CSRF token for forms served to the browser identified by `binding`."""
    return _serializer(secret).dumps(binding)


def verify_csrf_token(
    secret: str, token: str | None, binding: str, max_age: int = CSRF_MAX_AGE_SECONDS
) -> bool:
    """Whether `token` was made with `secret` for `binding` within `max_age` seconds."""
    if not token or not binding:
        return False
    try:
        bound = _serializer(secret).loads(token, max_age=max_age)
    except BadSignature:
        return False
    return isinstance(bound, str) and hmac.compare_digest(bound.encode(), binding.encode())
