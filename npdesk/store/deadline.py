"""A time budget for database work that a user's request sets off (search), and a way to stop
it early: when the budget is spent, when the client has gone away, or when the server stops.

Why: a search is a few statements whose cost the query decides. Without a bound, one query
kept a server busy for 20 minutes after its client left, and its thread kept the process from
exiting on SIGTERM. The budget is enforced inside the database:

- SQLite: a progress handler (`sqlite3.Connection.set_progress_handler`), called every few
  thousand virtual-machine steps, interrupts the running statement once the budget is spent
  or the budget is cancelled;
- PostgreSQL: `SET LOCAL statement_timeout` to what is left of the budget, and a cancel
  request (`pg_cancel_backend` over the wire: psycopg's `Connection.cancel`) when the budget
  is cancelled from another thread.

Between statements `Budget.check` stops Python-side work the same way. Interrupted work raises
`SearchTimeout` or `SearchCancelled`, never a driver error.
"""

from __future__ import annotations

import os
import threading
import time
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from typing import Any

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm import Session

PROGRESS_STEPS = 4_000
"""SQLite virtual-machine steps between checks (well under a millisecond of work)."""


def default_seconds() -> float:
    """`NPDESK_SEARCH_SECONDS` (default 5): far above search's p95 at 100,000 cables, far
    below what a user would wait for."""
    try:
        seconds = float(os.environ.get("NPDESK_SEARCH_SECONDS", "5"))
    except ValueError:
        seconds = 5.0
    return seconds if seconds > 0 else 5.0


class Interrupted(Exception):
    """Work stopped before it finished."""


class SearchTimeout(Interrupted):
    def __init__(self) -> None:
        super().__init__(
            "search took too long: narrow it (fewer or rarer words, a filter) and try again"
        )


class SearchCancelled(Interrupted):
    def __init__(self) -> None:
        super().__init__("search abandoned: the request was cancelled")


_live: weakref.WeakSet[Budget] = weakref.WeakSet()
_live_lock = threading.Lock()


class Budget:
    """Seconds of work allowed from now, and a cancel switch any thread may pull."""

    def __init__(self, seconds: float | None = None) -> None:
        self.seconds = default_seconds() if seconds is None else seconds
        self.ends = time.monotonic() + self.seconds
        self.cancelled = threading.Event()
        self._on_cancel: list[Callable[[], None]] = []
        self._lock = threading.Lock()
        with _live_lock:
            _live.add(self)

    def remaining(self) -> float:
        return self.ends - time.monotonic()

    def spent(self) -> bool:
        return self.cancelled.is_set() or self.remaining() <= 0

    def check(self) -> None:
        """Raise if the work should stop now."""
        if self.cancelled.is_set():
            raise SearchCancelled()
        if self.remaining() <= 0:
            raise SearchTimeout()

    def cancel(self) -> None:
        """Stop the work (from any thread): statements running under it are interrupted."""
        self.cancelled.set()
        with self._lock:
            callbacks = list(self._on_cancel)
        for callback in callbacks:
            with suppress(Exception):  # a connection already gone has nothing to stop
                callback()

    def _stop_with(self, callback: Callable[[], None]) -> Callable[[], None]:
        with self._lock:
            self._on_cancel.append(callback)

        def forget() -> None:
            with self._lock:
                if callback in self._on_cancel:
                    self._on_cancel.remove(callback)

        return forget

    def raise_for(self, error: BaseException) -> None:
        """Turn a driver error caused by this budget into `SearchTimeout`/`SearchCancelled`;
        other errors are left to the caller."""
        if self.cancelled.is_set():
            raise SearchCancelled() from error
        if _is_interruption(error) or self.remaining() <= 0:
            raise SearchTimeout() from error


def cancel_all() -> None:
    """Cancel every budget still running (the server is stopping)."""
    with _live_lock:
        budgets = list(_live)
    for budget in budgets:
        budget.cancel()


def _is_interruption(error: BaseException) -> bool:
    message = str(getattr(error, "orig", error)).lower()
    return "interrupted" in message or "statement timeout" in message or "canceling" in message


@contextmanager
def bounded(session: Session, budget: Budget) -> Iterator[Budget]:
    """Run the block's statements on `session` under `budget`: they stop when it is spent or
    cancelled, and the block raises `SearchTimeout` or `SearchCancelled`."""
    budget.check()
    connection = session.connection()
    dbapi: Any = connection.connection.dbapi_connection
    sqlite = connection.dialect.name == "sqlite"
    if sqlite:

        def progress() -> int:
            return 1 if budget.spent() else 0

        dbapi.set_progress_handler(progress, PROGRESS_STEPS)
        forget = budget._stop_with(dbapi.interrupt)
    else:
        milliseconds = max(1, int(budget.remaining() * 1000))
        session.execute(text(f"SET LOCAL statement_timeout = {milliseconds}"))
        forget = budget._stop_with(dbapi.cancel)
    try:
        yield budget
    except (OperationalError, DBAPIError) as error:
        if not sqlite:
            session.rollback()  # the statement's transaction is aborted
        budget.raise_for(error)
        raise
    finally:
        forget()
        if sqlite:
            dbapi.set_progress_handler(None, 0)
        elif session.in_transaction() and not budget.spent():
            session.execute(text("SET LOCAL statement_timeout = DEFAULT"))
    budget.check()


class SearchBusy(Interrupted):
    def __init__(self) -> None:
        super().__init__("too many searches at once from this account: try again in a moment")


class Seats:
    """At most `per_user` searches running at once for one account, so one account cannot
    take every worker from the others (a refused search should be retried shortly)."""

    def __init__(self, per_user: int = 2) -> None:
        self.per_user = per_user
        self._running: dict[str, int] = {}
        self._lock = threading.Lock()

    @contextmanager
    def seat(self, account: str) -> Iterator[None]:
        with self._lock:
            if self._running.get(account, 0) >= self.per_user:
                raise SearchBusy()
            self._running[account] = self._running.get(account, 0) + 1
        try:
            yield
        finally:
            with self._lock:
                self._running[account] -= 1
                if not self._running[account]:
                    del self._running[account]
