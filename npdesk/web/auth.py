"""Who is asking, for every web request: a browser session cookie or an API bearer token.

- `current_user` is the dependency every route but the login page and health check uses. A
  page without a login redirects to /login; an /api/ route answers 401 JSON.
- Any unsafe request (POST, PUT, PATCH, DELETE) made with the session cookie must carry the
  CSRF token (form field `csrf_token`, or header `X-CSRF-Token` for htmx and fetch); bearer
  token requests need none, since a browser never adds that header on its own.
- `require_action(name)` checks the action registry (default deny) and audits refusals.

State needed on `request.app.state`: `engine` (the SQLAlchemy Engine). The signing secret is
read from the database on first use and cached there as `app.state.npdesk_signing_secret`.
"""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, HTTPException, Request, Response
from fastapi.routing import APIRoute, iter_route_contexts
from itsdangerous import BadSignature, URLSafeTimedSerializer
from starlette.concurrency import run_in_threadpool

from npdesk.security.actions import REGISTRY, Rule, permits
from npdesk.security.csrf import make_csrf_token, verify_csrf_token
from npdesk.security.model import User
from npdesk.security.tokens import SESSION_LIFETIME, digest
from npdesk.services import accounts, audit
from npdesk.services.accounts import SecretKind
from npdesk.services.database import transaction
from npdesk.settings import secure_cookies

SESSION_COOKIE = "npdesk_session"
PRELOGIN_COOKIE = "npdesk_prelogin"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_SESSION_SALT = "npdesk.session"


def signing_secret(request: Request) -> str:
    """The server secret that signs cookies and CSRF tokens (cached on the app)."""
    state = request.app.state
    cached: str | None = getattr(state, "npdesk_signing_secret", None)
    if cached is None:
        cached = accounts.server_secret(state.engine)
        state.npdesk_signing_secret = cached
    return cached


def cookies_secure(request: Request) -> bool:
    """Whether cookies get the `Secure` flag: as `NPDESK_SECURE_COOKIES` says, else when the
    request came over https. Behind a TLS-terminating proxy the app sees plain http, so such
    a desk sets `NPDESK_SECURE_COOKIES=true`."""
    configured = secure_cookies()
    return request.url.scheme == "https" if configured is None else configured


def client_source(request: Request) -> str:
    """Where a request came from, for the audit log (the client address)."""
    return request.client.host if request.client else "unknown"


def is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def _session_serializer(request: Request) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(signing_secret(request), salt=_SESSION_SALT)


def session_cookie_value(request: Request, session_id: str) -> str:
    """The signed cookie value carrying `session_id`."""
    return _session_serializer(request).dumps(session_id)


def session_id_from_cookie(request: Request) -> str | None:
    """The session id in the request's signed session cookie, or None (absent, forged or
    older than a session's lifetime)."""
    raw = request.cookies.get(SESSION_COOKIE)
    if not raw:
        return None
    try:
        value = _session_serializer(request).loads(
            raw, max_age=int(SESSION_LIFETIME.total_seconds())
        )
    except BadSignature:
        return None
    return value if isinstance(value, str) else None


def set_session_cookie(request: Request, response: Response, session_id: str) -> None:
    """Put the session cookie on `response`: HttpOnly, SameSite=Lax, Secure as configured."""
    response.set_cookie(
        SESSION_COOKIE,
        session_cookie_value(request, session_id),
        max_age=int(SESSION_LIFETIME.total_seconds()),
        httponly=True,
        samesite="lax",
        secure=cookies_secure(request),
        path="/",
    )


def clear_session_cookie(request: Request, response: Response) -> None:
    response.delete_cookie(
        SESSION_COOKIE,
        httponly=True,
        samesite="lax",
        secure=cookies_secure(request),
        path="/",
    )


def bearer_token(request: Request) -> str | None:
    """The token of an `Authorization: Bearer ...` header, if any."""
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def _not_signed_in(request: Request) -> HTTPException:
    if is_api(request) or request.headers.get("authorization"):
        return HTTPException(
            status_code=401,
            detail="authentication required",
            headers={"WWW-Authenticate": "Bearer"},
        )
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return HTTPException(
        status_code=303,
        detail="sign in first",
        headers={"Location": f"/login?next={quote(target, safe='')}"},
    )


def _lookup(request: Request, value: str, kind: SecretKind) -> User | None:
    # Read-only: every request signs in this way, and must not queue for SQLite's write lock.
    with transaction(request.app.state.engine, read_only=True) as session:
        return accounts.user_for_secret(session, value, kind)


async def _submitted_csrf_token(request: Request) -> str | None:
    header = request.headers.get(CSRF_HEADER)
    if header:
        return header
    content_type = request.headers.get("content-type", "")
    if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        form = await request.form()
        value = form.get(CSRF_FIELD)
        return value if isinstance(value, str) else None
    return None


async def check_csrf(request: Request, binding: str) -> None:
    """Refuse (403) an unsafe request whose CSRF token was not made for `binding`."""
    token = await _submitted_csrf_token(request)
    if not verify_csrf_token(signing_secret(request), token, binding):
        raise HTTPException(status_code=403, detail="missing or invalid CSRF token")


async def current_user(request: Request) -> User:
    """The signed-in user of this request (also left on `request.state.user`).

    Raises HTTPException: 401 for API requests without valid credentials, a 303 redirect to
    /login for pages, 403 for a cookie-authenticated unsafe request without a valid CSRF token.
    """
    token = bearer_token(request)
    if token is not None:
        user = await run_in_threadpool(_lookup, request, token, SecretKind.API)
        if user is None:
            raise _not_signed_in(request)
        request.state.user = user
        return user
    session_id = session_id_from_cookie(request)
    user = None
    if session_id is not None:
        user = await run_in_threadpool(_lookup, request, session_id, SecretKind.SESSION)
    if user is None or session_id is None:
        raise _not_signed_in(request)
    request.state.user = user
    request.state.csrf_binding = digest(session_id)
    if request.method not in SAFE_METHODS:
        await check_csrf(request, digest(session_id))
    return user


def csrf_token_for(request: Request) -> str:
    """The CSRF token to put in forms served by this request (`csrf_token` hidden field, or
    `hx-headers='{"X-CSRF-Token": ...}'`). Before sign-in it is bound to a pre-login cookie,
    which `set_prelogin_cookie` must then put on the response."""
    binding: str | None = getattr(request.state, "csrf_binding", None)
    if binding is None:
        binding = request.cookies.get(PRELOGIN_COOKIE) or getattr(request.state, "prelogin", None)
        if binding is None:
            binding = secrets.token_urlsafe(24)
        request.state.prelogin = binding
    return make_csrf_token(signing_secret(request), binding)


def set_prelogin_cookie(request: Request, response: Response) -> None:
    """Put the pre-login CSRF binding chosen by `csrf_token_for` on `response`."""
    value: str | None = getattr(request.state, "prelogin", None)
    if value and request.cookies.get(PRELOGIN_COOKIE) != value:
        response.set_cookie(
            PRELOGIN_COOKIE,
            value,
            max_age=3600,
            httponly=True,
            samesite="strict",
            secure=cookies_secure(request),
            path="/",
        )


def template_context(request: Request) -> dict[str, Any]:
    """A Jinja2 context processor: `csrf_token` and `user` for every template."""
    return {
        "csrf_token": csrf_token_for(request),
        "user": getattr(request.state, "user", None),
    }


ActionDependency = Callable[[Request], Awaitable[User]]


def require_action(name: str) -> ActionDependency:
    """A dependency that signs the user in and checks action `name` in the registry (its
    route-level gate; record-level checks follow once the record is loaded). A refusal is
    audited and raises `PermissionDenied`, which `npdesk.web.deps.answers` answers 403.
    Raises LookupError at import time for an unregistered action, and ValueError for a public
    one (public routes use `public_action`)."""
    registered = REGISTRY.get(name)
    if registered is None:
        raise LookupError(f"action {name!r} is not registered in npdesk.security.actions")
    if registered.rule is Rule.PUBLIC:
        raise ValueError(f"action {name!r} is public: use public_action")

    async def dependency(request: Request) -> User:
        user = await current_user(request)
        if not permits(user, name):
            # Audits the refusal, then raises `PermissionDenied`: answered 403 by `answers`.
            await run_in_threadpool(
                audit.require, request.app.state.engine, user, name, source=client_source(request)
            )
        return user

    dependency.npdesk_action = name  # type: ignore[attr-defined]
    return dependency


def public_action(name: str) -> Callable[[], None]:
    """A no-op dependency that marks a route as the public action `name` (for the
    authorization-matrix test, which reads every route's action from its dependencies)."""
    registered = REGISTRY.get(name)
    if registered is None or registered.rule is not Rule.PUBLIC:
        raise ValueError(f"action {name!r} is not a registered public action")

    def dependency() -> None:
        return None

    dependency.npdesk_action = name  # type: ignore[attr-defined]
    return dependency


def _declared_action(dependant: Any) -> str | None:
    if dependant is None:
        return None
    name = getattr(dependant.call, "npdesk_action", None)
    if isinstance(name, str):
        return name
    for sub in dependant.dependencies:
        found = _declared_action(sub)
        if found is not None:
            return found
    return None


def route_actions(app: FastAPI) -> dict[str, str | None]:
    """Every API route of `app` ("METHOD /path") and the action it declares through
    `require_action`/`public_action` (None when it declares none). The authorization-matrix
    test is generated from this table."""
    table: dict[str, str | None] = {}
    for context in iter_route_contexts(app.routes):
        if not isinstance(context.original_route, APIRoute):
            continue
        action = _declared_action(getattr(context, "dependant", None))
        for method in sorted(context.methods or ()):
            table[f"{method} {context.path_format}"] = action
    return table


def check_route_actions(app: FastAPI) -> None:
    """Refuse to serve an app with a route that declares no registered action (default deny
    at start-up). Raises LookupError naming the routes."""
    missing = [
        route
        for route, action in route_actions(app).items()
        if action is None or action not in REGISTRY
    ]
    if missing:
        raise LookupError("routes without a registered action: " + ", ".join(sorted(missing)))
