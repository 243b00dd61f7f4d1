"""The one visibility rule: who may see which marked record, as SQL, and the only way to query
marked records.

`readable(model, user)` is the SQL form of `npdesk.security.policy.may_read` for any table with
the `MarkedMixin` columns. Services never write `select(SomeMarkedModel)` themselves (a test
over `npdesk/services` and `npdesk/web` fails if they do): they call

- `visible_select(model, user)` for listings, counts, agendas, metrics and exports, a `select`
  already restricted to what `user` may read;
- `fetch_visible(session, model, user, *criteria, missing=...)` for one record: the check is
  inside the query, so a record the user may not read is never loaded and answers exactly like
  a missing one (same exception, same status and body, same single query);
- `visible_count(session, model, user, *criteria)` for totals.

`readable_row` applies the Python policy to a loaded row: the in-memory search catalogue uses
it once per distinct marking, and a test keeps it in agreement with `readable`. `marking_of`
is the one reading of the stored marking columns (an unreadable level fails closed).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from functools import lru_cache
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Select, and_, case, false, func, literal, not_, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.base import ExecutableOption

from npdesk.security.markings import banner_marking
from npdesk.security.model import LEVEL_WORDS, NOFORN, Level, Marking, Party, Role, User
from npdesk.security.partners import agreed_level
from npdesk.security.policy import may_read
from npdesk.settings import partner_country
from npdesk.store.db import MarkedMixin

_M = TypeVar("_M", bound=MarkedMixin)

#: What an unreadable stored level is read as: the strictest marking, so it never widens access.
UNREADABLE = Marking(Level.TS, frozenset({NOFORN}))


def level_rank_sql(column: Any) -> ColumnElement[int]:
    """Rank of a classification word column; unknown words rank highest (protect)."""
    return case(
        {word: int(level) for level, word in LEVEL_WORDS.items()},
        value=column,
        else_=int(Level.TS),
    )


def readable(model: Any, user: User) -> ColumnElement[bool]:
    """SQL condition: `user` may read a row of `model` (a `MarkedMixin` table or alias)."""
    rank = level_rank_sql(model.classification)
    if user.party is Party.HOME:
        return rank <= int(user.clearance)
    ceiling = agreed_level(user.country)
    if ceiling is None or user.country is None:
        return false()
    country = user.country.upper()
    released = or_(
        model.shared_with_partner.is_(True),
        (literal(" ") + func.coalesce(model.rel_to, "") + literal(" ")).contains(f" {country} "),
    )
    return and_(
        released,
        not_(func.coalesce(model.caveats, "").contains(NOFORN)),
        rank <= min(int(user.clearance), int(ceiling)),
    )


def visible_select(model: type[_M], user: User, *criteria: Any) -> Select[_M]:
    """`select(model)` restricted to the rows `user` may read (and `criteria`)."""
    return select(model).where(readable(model, user), *criteria)


def visible_columns(model: Any, user: User, *columns: Any) -> Select[Any]:
    """`select(*columns)` of `model` restricted to the rows `user` may read: for listings that
    need a few columns only (metrics, chart markers, reference sets)."""
    return select(*columns).where(readable(model, user))


def visible_count(session: Session, model: Any, user: User, *criteria: Any) -> int:
    """How many rows of `model` matching `criteria` `user` may read."""
    query = select(func.count()).select_from(model).where(readable(model, user), *criteria)
    return int(session.scalar(query) or 0)


def fetch_visible(
    session: Session,
    model: type[_M],
    user: User,
    *criteria: Any,
    missing: Callable[[], Exception],
    options: Sequence[ExecutableOption] = (),
) -> _M:
    """The one row of `model` matching `criteria` that `user` may read; else raise `missing()`.

    The reader's right is part of the query, so a hidden row is never loaded: it answers with
    the same exception (and so the same status and body) as a row that does not exist.
    """
    row = session.scalars(visible_select(model, user, *criteria).options(*options)).first()
    if row is None:
        raise missing()
    return row


def find_visible(session: Session, model: type[_M], user: User, *criteria: Any) -> _M | None:
    """Like `fetch_visible`, but None for a missing or hidden row."""
    return session.scalars(visible_select(model, user, *criteria)).first()


def visible_keys(
    session: Session, column: Any, model: Any, user: User, keys: Iterable[Any]
) -> set[Any]:
    """Which of `keys` (values of `column` of `model`) name rows `user` may read: for
    redacting references to records the reader cannot see."""
    wanted = list(dict.fromkeys(k for k in keys if k is not None))
    if not wanted:
        return set()
    query = select(column).where(column.in_(wanted), readable(model, user))
    return set(session.scalars(query))


@lru_cache(maxsize=1024)
def stored_marking(level: str, caveats: str, rel_to: str, shared: bool) -> Marking:
    """The marking of stored marking columns; an unreadable level reads as `UNREADABLE`. A desk
    has only a handful of distinct markings, so parsing is cached."""
    try:
        return Marking.from_strings(level, caveats or "", rel_to or "", bool(shared))
    except ValueError:
        return UNREADABLE


def marking_of(row: Any) -> Marking:
    """The policy's `Marking` of a loaded `MarkedMixin` row (an unreadable level fails closed)."""
    return stored_marking(
        row.classification, row.caveats or "", row.rel_to or "", bool(row.shared_with_partner)
    )


#: Older name kept for importers.
row_marking = marking_of


def set_marking(row: MarkedMixin, marking: Marking) -> None:
    """Store `marking` on `row`'s marking columns."""
    (row.classification, row.caveats, row.rel_to, row.shared_with_partner) = marking.to_columns()


def readable_row(row: Any, user: User) -> bool:
    """Whether `user` may read a loaded `MarkedMixin` row (the Python policy; the search
    catalogue applies it per distinct marking)."""
    return may_read(user, marking_of(row))


def strictest(markings: Iterable[Marking], user: User | None = None) -> Marking:
    """The banner marking of a page or agenda showing items marked `markings`: the highest
    level and every caveat among them. For a partner reader it carries `REL TO` their country
    (everything shown to them is releasable to them)."""
    items = list(markings)
    level = max((m.level for m in items), default=Level.U)
    caveats = frozenset().union(*(m.caveats for m in items)) if items else frozenset()
    rel_to: frozenset[str] = frozenset()
    if user is not None and user.party is not Party.HOME and user.country:
        rel_to = frozenset({user.country.upper()})
    elif items and all(m.rel_to for m in items):
        rel_to = frozenset.intersection(*(m.rel_to for m in items))
    return Marking(level=level, caveats=caveats, rel_to=rel_to)


def shown_banner(marking: Marking, user: User | None) -> str:
    """The banner of one item as shown to `user`: its full marking, with `REL TO` their
    country on everything a partner user is shown."""
    return strictest([marking], user).banner()


def page_banner(shown: Iterable[str], user: User | None) -> str:
    """The banner of a page from the banners of the items it shows (each as `shown_banner`
    wrote it): the strictest of them, UNCLASSIFIED when it shows nothing, `REL TO` their
    country for a partner reader. An unreadable item banner counts as `UNREADABLE`."""

    def parsed(text: str) -> Marking:
        try:
            return banner_marking(text)
        except ValueError:
            return UNREADABLE

    return strictest([parsed(text) for text in shown], user).banner()


def partner_reader(country: str | None = None) -> User:
    """A stand-in liaison cleared to the agreed level: whose eyes the partner search index is
    built for."""
    code = (country or partner_country()).upper()
    return User(
        username="(partner index)",
        party=Party.PARTNER,
        role=Role.LIAISON,
        clearance=agreed_level(code) or Level.U,
        country=code,
    )
