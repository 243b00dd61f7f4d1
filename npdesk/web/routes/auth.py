"""Sign-in and sign-out: the login page with its form, and API tokens for scripts.

Every refusal says the same thing, whatever the reason (unknown user, wrong password, locked or
disabled account): the reason goes to the audit log only.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import Depends, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from npdesk.security.model import User
from npdesk.security.tokens import NewSecret
from npdesk.services import accounts, login_throttle
from npdesk.services.accounts import SecretKind
from npdesk.services.database import run_transaction, transaction
from npdesk.web import deps
from npdesk.web.auth import (
    PRELOGIN_COOKIE,
    bearer_token,
    check_csrf,
    clear_session_cookie,
    client_source,
    csrf_token_for,
    current_user,
    public_action,
    require_action,
    session_id_from_cookie,
    set_prelogin_cookie,
    set_session_cookie,
)
from npdesk.web.schemas import ErrorOut
from npdesk.web.templating import templates

router, api = deps.feature_routers("auth")

LOGIN_FAILED = "Sign-in failed. Check your username and password."


class TokenRequest(BaseModel):
    username: str = Field(max_length=200)
    password: str = Field(max_length=1024)


class TokenOut(BaseModel):
    access_token: str
    token_type: Literal["bearer"] = "bearer"
    expires_at: datetime


def safe_next(target: str | None) -> str:
    """Where to go after sign-in: a path on this site only (never `//host` or a URL)."""
    # Browsers drop tabs and newlines and read "\\" as "/", so "/\t/evil.example" would
    # become "//evil.example": refuse all of them rather than clean them.
    if not target or not target.startswith("/") or target.startswith("//"):
        return "/"
    if any(char == "\\" or char.isspace() or ord(char) < 0x20 for char in target):
        return "/"
    return target


def _login_page(
    request: Request, status: int, *, error: str | None, next_: str, username: str = ""
) -> Response:
    response = templates.TemplateResponse(
        request,
        "auth/login.html",
        {
            "title": "Sign in",
            "csrf_token": csrf_token_for(request),
            "user": None,
            "error": error,
            "next": safe_next(next_),
            "username": username[:64],
        },
        status_code=status,
    )
    set_prelogin_cookie(request, response)
    return response


def _sign_in(
    request: Request, username: str, password: str, kind: SecretKind
) -> tuple[User, NewSecret] | None:
    source = client_source(request)

    # The slow password hash is checked before the write transaction takes the lock.
    checked = accounts.check_password(request.app.state.engine, username, password)

    def attempt(session: Session) -> tuple[User, NewSecret] | None:
        # Locked out from this address: answered like any failure, before the password.
        if login_throttle.refused(session, username, source):
            return None
        user = accounts.authenticate(session, username, password, source=source, checked=checked)
        if user is None:
            return None
        return user, accounts.issue_secret(session, user, kind, source=source)

    # Re-run whole if PostgreSQL aborts it (deadlock, serialization): it only writes the
    # database, so running it again is safe.
    return run_transaction(request.app.state.engine, attempt)


@router.get(
    "/login",
    response_class=HTMLResponse,
    include_in_schema=False,
    dependencies=[Depends(public_action("auth.login"))],
)
def login_page(request: Request, next: str = "/") -> Response:
    """The sign-in form."""
    return _login_page(request, 200, error=None, next_=next)


@router.post(
    "/login",
    response_class=HTMLResponse,
    include_in_schema=False,
    dependencies=[Depends(public_action("auth.login"))],
)
async def login(
    request: Request,
    username: Annotated[str, Form(max_length=200)] = "",
    password: Annotated[str, Form(max_length=1024)] = "",
    next: Annotated[str, Form(max_length=2000)] = "/",
) -> Response:
    """Check the form's CSRF token, then the credentials; start a session on success."""
    await check_csrf(request, request.cookies.get(PRELOGIN_COOKIE, ""))
    signed_in = await run_in_threadpool(_sign_in, request, username, password, SecretKind.SESSION)
    if signed_in is None:
        return _login_page(request, 401, error=LOGIN_FAILED, next_=next, username=username)
    _, session_id = signed_in
    response = RedirectResponse(safe_next(next), status_code=303)
    set_session_cookie(request, response, session_id.value)
    response.delete_cookie(PRELOGIN_COOKIE, path="/")
    return response


def _end_session(request: Request, user: User) -> None:
    session_id = session_id_from_cookie(request)
    if session_id is None:
        return
    with transaction(request.app.state.engine) as session:
        accounts.revoke_secret(
            session, session_id, SecretKind.SESSION, user, source=client_source(request)
        )


@router.post("/logout", include_in_schema=False)
async def logout(
    request: Request, user: Annotated[User, Depends(require_action("auth.logout"))]
) -> Response:
    """End the browser session (CSRF-checked like every form post)."""
    await run_in_threadpool(_end_session, request, user)
    response = RedirectResponse("/login", status_code=303)
    clear_session_cookie(request, response)
    return response


@api.post(
    "/auth/token",
    response_model=TokenOut,
    responses={401: {"model": ErrorOut, "description": "Wrong credentials"}},
    dependencies=[Depends(public_action("auth.token.create"))],
)
async def create_token(request: Request, body: TokenRequest) -> TokenOut:
    """Exchange a username and password for a bearer token (shown once; stored hashed)."""
    signed_in = await run_in_threadpool(
        _sign_in, request, body.username, body.password, SecretKind.API
    )
    if signed_in is None:
        raise HTTPException(
            status_code=401, detail="invalid credentials", headers={"WWW-Authenticate": "Bearer"}
        )
    _, token = signed_in
    return TokenOut(access_token=token.value, expires_at=token.expires_at)


def _revoke_token(request: Request, token: str, user: User) -> bool:
    with transaction(request.app.state.engine) as session:
        return accounts.revoke_secret(
            session, token, SecretKind.API, user, source=client_source(request)
        )


@api.delete(
    "/auth/token",
    status_code=204,
    responses={
        401: {"model": ErrorOut, "description": "No valid bearer token"},
        403: {"model": ErrorOut, "description": "Not allowed"},
    },
)
async def revoke_token(
    request: Request, user: Annotated[User, Depends(require_action("auth.token.revoke"))]
) -> Response:
    """Revoke the bearer token this request was made with."""
    token = bearer_token(request)
    if token is None:
        raise HTTPException(status_code=401, detail="authentication required")
    await run_in_threadpool(_revoke_token, request, token, user)
    return Response(status_code=204)


__all__ = ["api", "current_user", "router"]
