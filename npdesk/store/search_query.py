"""The search query language, parsed into a `SearchQuery` (pure: no database here).

    words  "exact phrases"  -excluded  tag:PARM  origin:BEIJING  class:SECRET
    from:2008-01  to:2008-12  ref:07BEIJING5361

Filters may repeat (two `tag:` filters mean both tags). Unknown `name:value` pairs are kept as
plain words, so a query never fails to parse, except past the bounds below: a query of
thousands of words costs the database seconds to minutes, and no person types one.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, field
from datetime import date

FILTERS = ("tag", "origin", "class", "from", "to", "ref", "year")
MAX_QUERY_CHARS = 1_000
"""Longest query text accepted (a long boolean search fits in a few hundred characters)."""
MAX_TERMS = 32
"""Most distinct words, phrases, exclusions and filters in one query (repeats count once)."""
_TOKEN = re.compile(r'(-?)(?:(\w+):)?("([^"]*)"?|\S+)')


class QueryError(ValueError):
    """A filter value that cannot be understood (e.g. `from:2008-13`), or a query past the
    bounds (`QueryTooLarge`)."""


class QueryTooLarge(QueryError):
    """More text or more terms than one search may ask for."""


@dataclass
class SearchQuery:
    words: list[str] = field(default_factory=list)
    phrases: list[str] = field(default_factory=list)
    excluded: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    origins: list[str] = field(default_factory=list)
    classes: list[str] = field(default_factory=list)
    refs: list[str] = field(default_factory=list)
    date_from: date | None = None
    date_to: date | None = None

    @property
    def has_text(self) -> bool:
        return bool(self.words or self.phrases)

    @property
    def terms(self) -> int:
        """How many things the query asks (each phrase word counts: each is matched)."""
        return (
            len(self.words)
            + sum(len(p.split()) for p in self.phrases)
            + len(self.excluded)
            + len(self.tags)
            + len(self.origins)
            + len(self.classes)
            + len(self.refs)
        )


def parse_query(text: str) -> SearchQuery:
    """Parse `text`; raises `QueryError` for an unreadable date filter, `QueryTooLarge` for a
    query longer than `MAX_QUERY_CHARS` or with more than `MAX_TERMS` distinct terms."""
    text = text or ""
    if len(text) > MAX_QUERY_CHARS:
        raise QueryTooLarge(
            f"query too long: {len(text):,} characters (at most {MAX_QUERY_CHARS:,})"
        )
    query = SearchQuery()
    for match in _TOKEN.finditer(text):
        negated, name, raw, quoted = match.groups()
        value = quoted if quoted is not None else raw
        key = (name or "").lower()
        if key in FILTERS and value:
            _apply_filter(query, key, value.strip())
            continue
        if name and key not in FILTERS:
            value = f"{name} {value}"
        words = _words(value)
        if not words:
            continue
        if negated:
            query.excluded.extend(words)
        elif quoted is not None and len(words) > 1:
            query.phrases.append(" ".join(words))
        else:
            query.words.extend(words)
    _drop_repeats(query)
    terms = query.terms
    if terms > MAX_TERMS:
        raise QueryTooLarge(f"too many search terms: {terms} (at most {MAX_TERMS})")
    return query


def _drop_repeats(query: SearchQuery) -> None:
    """A word or filter said twice asks nothing more (the text cache already ignores order)."""
    for name in ("words", "phrases", "excluded", "tags", "origins", "classes", "refs"):
        setattr(query, name, list(dict.fromkeys(getattr(query, name))))


def _words(value: str) -> list[str]:
    return re.findall(r"\w+", value.lower())


def _apply_filter(query: SearchQuery, key: str, value: str) -> None:
    if key == "tag":
        query.tags.append(value.upper())
    elif key == "origin":
        query.origins.append(value.upper())
    elif key == "class":
        query.classes.append(value.upper().replace("_", " "))
    elif key == "ref":
        query.refs.append(re.sub(r"\s+", "", value.upper()))
    elif key == "from":
        query.date_from = _period(value, end=False)
    elif key == "to":
        query.date_to = _period(value, end=True)
    elif key == "year":
        query.date_from = _period(value, end=False)
        query.date_to = _period(value, end=True)


def _period(value: str, *, end: bool) -> date:
    """`2008`, `2008-03` or `2008-03-20`; `end` picks the last day of a year or month."""
    match = re.fullmatch(r"(\d{4})(?:-(\d{1,2}))?(?:-(\d{1,2}))?", value)
    if not match:
        raise QueryError(f"cannot read date {value!r}: use YYYY, YYYY-MM or YYYY-MM-DD")
    year = int(match.group(1))
    month = int(match.group(2)) if match.group(2) else (12 if end else 1)
    if not 1 <= month <= 12:
        raise QueryError(f"cannot read date {value!r}: month must be 01-12")
    last = calendar.monthrange(year, month)[1]
    day = int(match.group(3)) if match.group(3) else (last if end else 1)
    if not 1 <= day <= last:
        raise QueryError(f"cannot read date {value!r}: no such day")
    return date(year, month, day)
