"""Request-scoped dependencies shared by every router: a database session and the viewer."""

from __future__ import annotations

from collections.abc import Iterator

from fastapi import Request
from sqlalchemy.orm import Session

from npdesk.security.model import User


def db_session(request: Request) -> Iterator[Session]:
    """A session for one request; the route commits what it changes."""
    with request.app.state.sessions() as session:
        yield session


def viewer(request: Request) -> User:
    """The signed-in user (authentication lives in `npdesk.web.auth`)."""
    from npdesk.security.model import LOCAL_OPERATOR

    return LOCAL_OPERATOR  # INTEGRATE: replace with npdesk.web.auth.current_user
