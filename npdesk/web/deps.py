"""Request-scoped dependencies shared by every router (the user comes from `npdesk.web.auth`)."""

from __future__ import annotations

from collections.abc import Iterator

from fastapi import Request
from sqlalchemy.orm import Session


def db_session(request: Request) -> Iterator[Session]:
    """A session for one request; the route commits what it changes."""
    with request.app.state.sessions() as session:
        yield session
