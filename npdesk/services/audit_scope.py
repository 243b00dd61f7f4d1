"""Who is acting, from where and as which registered action, for the web request running
now; and the change audit a new service cannot forget.

Services audit their own changes, in the change's transaction (`npdesk.services.audit`); what
is here is the safety net under them. The web middleware opens a scope (`scoped`) around each
request; sign-in names the actor in it (`acting_as` does for other callers). Outside a scope
(the CLI) nothing here acts, and `current_source` is `cli`. Within a scope:

- every transaction that changed desk records through the ORM and committed without writing
  an audit entry of its own gets one in the same transaction, just before it commits: the
  scope's action and actor, the first changed record, and which rows changed. A service that
  audits its change itself (with a more telling action name and detail) is left alone;
- the audit entries each committed transaction wrote are noted on the scope (`audited`), so
  the web layer knows whether a request was audited already before it adds the rows only it
  can write (partner reads, 404s, CSRF refusals);
- every marked record loaded above CONFIDENTIAL that the actor is cleared for is noted
  (`read_above`), so the web layer audits a home user's read of it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, MutableMapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from itertools import chain
from typing import Any

from sqlalchemy import event, inspect
from sqlalchemy.orm import Session, UOWTransaction

from npdesk.security.model import Level, User
from npdesk.store.db import Base

AUDITED = "npdesk_audited"
"""`Session.info` key: the entries recorded in the session's current transaction."""
_CHANGED = "npdesk_changed"
_READ_ONLY = "npdesk_read_only"  # as `npdesk.store.db` marks a read-only session
_MAX_CHANGED = 20
# Levels whose every read is audited (the stored banner words of SECRET and TOP SECRET).
AUDITED_READ_LEVELS = {level.word: level for level in Level if level > Level.C}
CHANGE_SOURCE_DETAIL = "changed"
"""The detail key of an entry written for a change its service did not audit itself."""


@dataclass(frozen=True)
class Audited:
    """One committed audit entry, as the scope remembers it."""

    action: str
    outcome: str
    actor: str


@dataclass
class AuditScope:
    """One web request or CLI command. `state` holds the signed-in user under "user" (the
    web passes the request's state, which sign-in fills in)."""

    source: str
    named_action: str | None = None
    state: MutableMapping[str, Any] = field(default_factory=dict)
    audited: list[Audited] = field(default_factory=list)
    # Marked records read above CONFIDENTIAL ("table:id"), at most `_MAX_CHANGED`.
    read_above: list[str] = field(default_factory=list)
    # The web knows the action only once the request is routed: asked when needed.
    find_action: Callable[[], str | None] | None = None

    @property
    def action(self) -> str | None:
        if self.named_action is None and self.find_action is not None:
            return self.find_action()
        return self.named_action

    @property
    def actor(self) -> User | None:
        user = self.state.get("user")
        return user if isinstance(user, User) else None


_scope: ContextVar[AuditScope | None] = ContextVar("npdesk_audit_scope", default=None)


@contextmanager
def scoped(
    source: str,
    *,
    action: str | None = None,
    state: MutableMapping[str, Any] | None = None,
    find_action: Callable[[], str | None] | None = None,
) -> Iterator[AuditScope]:
    """Run the block as one audited request or command (worker threads started from it see
    the same scope: they run in a copy of this context)."""
    scope = AuditScope(
        source=source,
        named_action=action,
        state=state if state is not None else {},
        find_action=find_action,
    )
    token = _scope.set(scope)
    try:
        yield scope
    finally:
        _scope.reset(token)


def current() -> AuditScope | None:
    return _scope.get()


def current_source(default: str = "cli") -> str:
    """Where the running request or command comes from (the client address, or `cli`)."""
    scope = _scope.get()
    return scope.source if scope is not None else default


def acting_as(user: User) -> None:
    """Name the actor of the running command (the web names it at sign-in)."""
    scope = _scope.get()
    if scope is not None:
        scope.state["user"] = user


def note_recorded(session: Session, entries: Iterator[Audited] | list[Audited]) -> None:
    """Remember entries recorded in `session`'s transaction (see `npdesk.services.audit`)."""
    session.info.setdefault(AUDITED, []).extend(entries)


def _changed(session: Session, _context: UOWTransaction) -> None:
    if _scope.get() is None:
        return
    changed: list[str] = session.info.setdefault(_CHANGED, [])
    for obj in chain(session.new, session.deleted, session.dirty):
        if len(changed) >= _MAX_CHANGED:
            return
        if obj in session.dirty and not session.is_modified(obj):
            continue
        changed.append(_key(obj))


def note_read(table: str, ident: object, classification: str) -> None:
    """Note a record read as columns rather than as an ORM object (a search hit, a listing
    row), for the audit of reads above CONFIDENTIAL."""
    scope = _scope.get()
    if scope is None or len(scope.read_above) >= _MAX_CHANGED:
        return
    level = AUDITED_READ_LEVELS.get(classification)
    actor = scope.actor
    # A record above the actor's clearance is loaded only to be withheld (never shown).
    if level is None or actor is None or actor.clearance < level:
        return
    scope.read_above.append(f"{table}:{ident}")


def _loaded(target: object, _context: object) -> None:
    if _scope.get() is None or not hasattr(target, "classification"):
        return
    table, _, ident = _key(target).partition(":")
    note_read(table, ident, str(target.classification))


def _key(obj: object) -> str:
    state = inspect(obj)
    # A row inserted by the flush has no identity key yet in `after_flush`: read its primary
    # key off the instance (set by the INSERT).
    identity = state.identity or state.mapper.primary_key_from_instance(obj)
    key = ",".join(str(part) for part in identity if part is not None) or "?"
    return f"{state.mapper.local_table.name}:{key}"


def _audit_unaudited_change(session: Session) -> None:
    scope = _scope.get()
    if scope is None or scope.actor is None or session.info.get(_READ_ONLY):
        return
    session.flush()
    changed: list[str] = session.info.get(_CHANGED, [])
    if not changed or session.info.get(AUDITED):
        return
    from npdesk.security.audit import Outcome
    from npdesk.services.audit import record

    kind, _, ident = changed[0].partition(":")
    record(
        session,
        scope.actor,
        scope.action or "unknown",
        outcome=Outcome.OK,
        source=scope.source,
        record_kind=kind,
        record_id=ident[:64],
        detail={CHANGE_SOURCE_DETAIL: changed},
    )


def _committed(session: Session) -> None:
    entries: list[Audited] = session.info.pop(AUDITED, [])
    session.info.pop(_CHANGED, None)
    scope = _scope.get()
    if scope is not None:
        scope.audited.extend(entries)


def _rolled_back(session: Session) -> None:
    session.info.pop(AUDITED, None)
    session.info.pop(_CHANGED, None)


event.listen(Base, "load", _loaded, propagate=True)
event.listen(Session, "after_flush", _changed)
event.listen(Session, "before_commit", _audit_unaudited_change)
event.listen(Session, "after_commit", _committed)
event.listen(Session, "after_rollback", _rolled_back)
