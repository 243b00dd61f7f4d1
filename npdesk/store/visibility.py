"""The one visibility rule every listing query uses, as SQL.

`readable(model, user)` is the SQL form of `npdesk.security.policy.may_read` for any table with
the `MarkedMixin` columns, so lists and lookups never count or return a record the user may not
read (TheHive's lesson: one function, no side feature forgets it). `readable_row` applies the
policy itself to a loaded row (search applies it to each distinct marking of its catalogue); a
test keeps the two in agreement.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, and_, case, false, literal, not_, or_, true

from npdesk.security.model import LEVEL_WORDS, Level, Marking, Party, Role, User
from npdesk.security.partners import agreed_level
from npdesk.security.policy import may_read
from npdesk.settings import partner_country


def level_rank_sql(column: Any) -> ColumnElement[int]:
    """Rank of a classification word column; unknown words rank highest (protect)."""
    return case(
        {word: int(level) for level, word in LEVEL_WORDS.items()},
        value=column,
        else_=int(Level.TS),
    )


def readable(model: Any, user: User) -> ColumnElement[bool]:
    """SQL condition: `user` may read a row of `model` (a `MarkedMixin` table)."""
    rank = level_rank_sql(model.classification)
    if user.party is Party.HOME:
        return rank <= int(user.clearance)
    ceiling = agreed_level(user.country)
    if ceiling is None or user.country is None:
        return false()
    country = user.country.upper()
    released = or_(
        model.shared_with_partner == true(),
        (literal(" ") + model.rel_to + literal(" ")).contains(f" {country} "),
    )
    return and_(
        released,
        not_(model.caveats.contains("NOFORN")),
        rank <= min(int(user.clearance), int(ceiling)),
    )


def row_marking(row: Any) -> Marking:
    """The policy's `Marking` of a loaded `MarkedMixin` row (unknown levels read as TS)."""
    try:
        return Marking.from_strings(
            row.classification, row.caveats or "", row.rel_to or "", row.shared_with_partner
        )
    except ValueError:
        return Marking(level=Level.TS)


def readable_row(row: Any, user: User) -> bool:
    """Whether `user` may read a loaded `MarkedMixin` row."""
    return may_read(user, row_marking(row))


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
