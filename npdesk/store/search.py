"""Full-text search over cables behind one interface: SQLite FTS5 or PostgreSQL tsvector + GIN.

Each cable has two index rows: `all` (subject and every paragraph) and `partner` (only what the
partner may read). A partner user's words are matched against the `partner` row only, so a hit
can never betray a word in a withheld paragraph. Results and facet counts are always filtered by
`visibility.readable`, so nobody learns that a cable they may not read exists.
"""

from __future__ import annotations

import heapq
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, time
from typing import Any, Literal

from sqlalchemy import (
    ColumnElement,
    and_,
    column,
    delete,
    func,
    literal_column,
    not_,
    or_,
    select,
    table,
    text,
)
from sqlalchemy.orm import Session

from npdesk.security.model import Party, User
from npdesk.store.db import banner, iso_utc
from npdesk.store.models.cables import CableRecord, CableReference, CableTag
from npdesk.store.search_query import SearchQuery
from npdesk.store.visibility import partner_reader, readable, readable_row

Sort = Literal["relevance", "date"]
MARK_START, MARK_END = "\x02", "\x03"
"""Snippet highlight delimiters: control characters no cable contains, so the web layer can
escape the snippet first and then turn them into <mark> safely."""

FTS_TABLES = {"all": "cable_fts", "partner": "cable_fts_partner"}
"""SQLite: one FTS5 table per audience, rowid = `cables.doc_id`."""
_pg = table(
    "cable_search",
    column("cable_id"),
    column("audience"),
    column("subject"),
    column("body"),
    column("tsv"),
)


@dataclass
class SearchHit:
    id: str
    subject: str | None
    created: str | None
    marking: str
    snippet: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "subject": self.subject,
            "created": self.created,
            "marking": self.marking,
            "snippet": self.snippet,
        }


@dataclass
class SearchResult:
    total: int
    hits: list[SearchHit]
    facets: dict[str, dict[str, int]] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "total": self.total,
            "hits": [h.to_dict() for h in self.hits],
            "facets": self.facets,
        }


def audience_for(user: User) -> str:
    return "partner" if user.party is Party.PARTNER else "all"


# --- indexing -------------------------------------------------------------------------------


@dataclass(frozen=True)
class MarkingColumns:
    """The `MarkedMixin` columns of a row, detached from any session."""

    classification: str
    caveats: str
    rel_to: str
    shared_with_partner: bool


@dataclass
class IndexDocument:
    """What the index needs of a cable: its subject, marking and marked paragraph texts."""

    id: str
    doc_id: int
    subject: str | None
    marking: MarkingColumns
    paragraphs: list[tuple[str, MarkingColumns]]

    @classmethod
    def of(cls, record: CableRecord) -> IndexDocument:
        """From a loaded record (e.g. after an officer released paragraphs)."""

        def columns(row: Any) -> MarkingColumns:
            return MarkingColumns(
                row.classification, row.caveats, row.rel_to, row.shared_with_partner
            )

        return cls(
            id=record.id,
            doc_id=record.doc_id,
            subject=record.subject,
            marking=columns(record),
            paragraphs=[(p.text, columns(p)) for p in record.paragraphs],
        )


_PG_INSERT = (
    "INSERT INTO cable_search (cable_id, audience, subject, body, tsv) VALUES "
    "(:cable_id, :audience, :subject, :body, "
    "setweight(to_tsvector('english', :subject), 'A') || "
    "setweight(to_tsvector('english', :body), 'B'))"
)


class IndexBatch:
    """Index rows to write with one `executemany` per statement at the end of an ingest batch
    (a statement per cable costs more in the driver than in the database)."""

    def __init__(self) -> None:
        self.pending: dict[str, list[dict[str, Any]]] = {}

    def add(self, session: Session, document: IndexDocument) -> None:
        for statement, params in _index_inserts(document, _is_sqlite(session)):
            self.pending.setdefault(statement, []).append(params)

    def flush(self, session: Session) -> None:
        for statement, rows in self.pending.items():
            session.execute(text(statement), rows)
        self.pending.clear()


def index_cable(session: Session, document: IndexDocument, *, new: bool = False) -> None:
    """(Re)write both index rows of a cable. Call inside the transaction that changes it;
    `new` skips removing rows that cannot exist yet."""
    if not new:
        unindex_cable(session, document)
    for statement, params in _index_inserts(document, _is_sqlite(session)):
        session.execute(text(statement), params)


def unindex_cable(session: Session, document: IndexDocument) -> None:
    """Remove a cable's index rows (before they are written again)."""
    if _is_sqlite(session):
        for name in FTS_TABLES.values():
            session.execute(
                text(f"DELETE FROM {name} WHERE rowid = :doc"), {"doc": document.doc_id}
            )
    else:
        session.execute(delete(_pg).where(_pg.c.cable_id == document.id))


def _index_inserts(document: IndexDocument, sqlite: bool) -> list[tuple[str, dict[str, Any]]]:
    """The INSERT statements and parameters of a cable's `all` and `partner` rows."""
    partner = partner_reader()
    full_body = "\n\n".join(body for body, _ in document.paragraphs)
    if readable_row(document.marking, partner):
        partner_subject = document.subject or ""
        partner_body = "\n\n".join(
            body for body, marking in document.paragraphs if readable_row(marking, partner)
        )
    else:
        partner_subject, partner_body = "", ""
    rows = [
        ("all", document.subject or "", full_body),
        ("partner", partner_subject, partner_body),
    ]
    if sqlite:
        return [
            (
                f"INSERT INTO {FTS_TABLES[audience]} (rowid, subject, body) "
                "VALUES (:doc, :subject, :body)",
                {"doc": document.doc_id, "subject": subject, "body": body},
            )
            for audience, subject, body in rows
            if subject or body  # nothing released: no partner row
        ]
    return [
        (
            _PG_INSERT,
            {"cable_id": document.id, "audience": audience, "subject": subject, "body": body},
        )
        for audience, subject, body in rows
    ]


# --- querying -------------------------------------------------------------------------------


def search(
    session: Session,
    query: SearchQuery,
    user: User,
    *,
    sort: Sort = "relevance",
    limit: int = 20,
    offset: int = 0,
    with_facets: bool = True,
) -> SearchResult:
    """Cables matching `query` that `user` may read, best first (or newest first), with facet
    counts over the whole matching set."""
    audience = audience_for(user)
    sqlite = _is_sqlite(session)
    base = select(
        CableRecord.id,
        CableRecord.created,
        CableRecord.origin,
        CableRecord.classification,
        CableRecord.caveats,
        CableRecord.month,
        CableRecord.tag_list,
    ).where(readable(CableRecord, user), *_filters(query))
    rank: Any = None
    if query.has_text or query.excluded:
        if sqlite:
            base, rank = _sqlite_text(base, query, audience)
        else:
            base, rank = _pg_text(base, query, audience)
    ranked = rank is not None and sort == "relevance" and query.has_text
    if ranked:
        base = base.add_columns(rank.label("rank"))
    # One pass over the matching set: the database finds and ranks the matches; the total, the
    # facets and the page order come from the same rows (a GROUP BY per facet would evaluate
    # the match again for each facet, which dominates on large result sets).
    matches: list[Any] = list(session.execute(base).all())
    page = _page(matches, ranked=ranked, higher_is_better=not sqlite, limit=limit, offset=offset)
    details = {
        r.id: r
        for r in session.execute(
            select(CableRecord.id, CableRecord.doc_id, CableRecord.subject).where(
                CableRecord.id.in_([m.id for m in page])
            )
        )
    }
    snippets = _snippets(
        session, [(m.id, details[m.id].doc_id) for m in page], query, audience, sqlite
    )
    hits = [
        SearchHit(
            id=m.id,
            subject=details[m.id].subject,
            created=iso_utc(m.created),
            marking=banner(m.classification, m.caveats),
            snippet=snippets.get(m.id, ""),
        )
        for m in page
    ]
    facets = _facets(matches) if with_facets else {}
    return SearchResult(total=len(matches), hits=hits, facets=facets)


def _page(
    matches: list[Any], *, ranked: bool, higher_is_better: bool, limit: int, offset: int
) -> list[Any]:
    """The rows of one result page: best rank first (ties by id), or newest first."""
    if ranked:
        sign = -1.0 if higher_is_better else 1.0

        def by_rank(row: Any) -> tuple[float, str]:
            return (sign * float(row.rank), row.id)

        return heapq.nsmallest(offset + limit, matches, key=by_rank)[offset:]

    def by_date(row: Any) -> tuple[float, str]:
        created = row.created
        if created is None:
            return (float("inf"), row.id)  # undated cables last
        if created.tzinfo is None:
            created = created.replace(tzinfo=UTC)
        return (-created.timestamp(), row.id)

    return heapq.nsmallest(offset + limit, matches, key=by_date)[offset:]


FACET_SIZE = 30


def _facets(matches: list[Any]) -> dict[str, dict[str, int]]:
    """Facet counts (tag, origin, marking, year) over every matching row."""
    tags: Counter[str] = Counter()
    origins: Counter[str] = Counter()
    markings: Counter[str] = Counter()
    years: Counter[str] = Counter()
    for row in matches:
        tags.update(row.tag_list.split())
        origins[row.origin or "(none)"] += 1
        markings[banner(row.classification, row.caveats)] += 1
        years[(row.month or "")[:4] or "(none)"] += 1

    def top(counts: Counter[str]) -> dict[str, int]:
        return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:FACET_SIZE])

    return {
        "tag": top(tags),
        "origin": top(origins),
        "marking": top(markings),
        "year": dict(sorted(years.items())),
    }


def _filters(query: SearchQuery) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    # IN (uncorrelated subquery) rather than EXISTS: SQLite would otherwise walk every
    # cable carrying the tag once per candidate cable.
    for tag in query.tags:
        conditions.append(CableRecord.id.in_(select(CableTag.cable_id).where(CableTag.tag == tag)))
    if query.origins:
        conditions.append(or_(*(func.upper(CableRecord.origin).contains(o) for o in query.origins)))
    if query.classes:
        conditions.append(
            or_(
                *(
                    or_(
                        CableRecord.classification == c,
                        func.upper(CableRecord.caveats).contains(c),
                        CableRecord.classification + "//" + CableRecord.caveats == c,
                    )
                    for c in query.classes
                )
            )
        )
    for ref in query.refs:
        cited = select(CableReference.cable_id).where(CableReference.ref_id == ref)
        conditions.append(CableRecord.id.in_(cited))
    if query.date_from:
        conditions.append(
            CableRecord.created >= datetime.combine(query.date_from, time.min, tzinfo=UTC)
        )
    if query.date_to:
        conditions.append(
            CableRecord.created <= datetime.combine(query.date_to, time.max, tzinfo=UTC)
        )
    return conditions


def _fts5_expression(query: SearchQuery) -> str | None:
    def quote(term: str) -> str:
        return '"' + term.replace('"', "") + '"'

    positive = [quote(w) for w in query.words] + [quote(p) for p in query.phrases]
    if not positive:
        return None
    expression = " AND ".join(positive)
    for word in query.excluded:
        expression = f"({expression}) NOT {quote(word)}"
    return expression


def _sqlite_text(base: Any, query: SearchQuery, audience: str) -> tuple[Any, Any]:
    name = FTS_TABLES[audience]
    fts = table(name, column("rowid"))
    matches = literal_column(name).op("MATCH")
    expression = _fts5_expression(query)
    if expression is None:  # only exclusions: drop cables containing any excluded word
        excluded = " OR ".join(f'"{w}"' for w in query.excluded)
        hit = select(fts.c.rowid).where(matches(excluded))
        return base.where(CableRecord.doc_id.not_in(hit)), None
    rank: Any = literal_column(f"bm25({name}, 5.0, 1.0)")
    joined = base.join(fts, fts.c.rowid == CableRecord.doc_id).where(matches(expression))
    return joined, rank


def _pg_tsquery(query: SearchQuery) -> Any:
    parts: list[Any] = [func.plainto_tsquery("english", w) for w in query.words]
    parts += [func.phraseto_tsquery("english", p) for p in query.phrases]
    combined: Any = None
    for part in parts:
        combined = part if combined is None else combined.op("&&")(part)
    return combined


def _pg_text(base: Any, query: SearchQuery, audience: str) -> tuple[Any, Any]:
    positive = _pg_tsquery(query)
    joined = base.join(_pg, and_(_pg.c.cable_id == CableRecord.id, _pg.c.audience == audience))
    if positive is not None:
        joined = joined.where(_pg.c.tsv.op("@@")(positive))
    for word in query.excluded:
        joined = joined.where(not_(_pg.c.tsv.op("@@")(func.plainto_tsquery("english", word))))
    rank = func.ts_rank_cd(_pg.c.tsv, positive) if positive is not None else None
    return joined, rank


def _snippets(
    session: Session, keys: list[tuple[str, int]], query: SearchQuery, audience: str, sqlite: bool
) -> dict[str, str]:
    """Highlighted snippets for the cables of one result page, by cable id."""
    if not keys:
        return {}
    if sqlite:
        name = FTS_TABLES[audience]
        fts = table(name, column("rowid"), column("body"))
        by_doc = {doc: cable for cable, doc in keys}
        expression = _fts5_expression(query)
        if expression is None:
            statement = select(fts.c.rowid, func.substr(fts.c.body, 1, 240)).where(
                fts.c.rowid.in_(list(by_doc))
            )
        else:
            snippet: Any = literal_column(
                f"snippet({name}, 1, '{MARK_START}', '{MARK_END}', ' … ', 24)"
            )
            statement = select(fts.c.rowid, snippet).where(
                fts.c.rowid.in_(list(by_doc)), literal_column(name).op("MATCH")(expression)
            )
        return {by_doc[doc]: text or "" for doc, text in session.execute(statement).all()}
    ids = [cable for cable, _ in keys]
    tsquery = _pg_tsquery(query)
    if tsquery is None:
        headline: Any = func.substr(_pg.c.body, 1, 240)
    else:
        headline = func.ts_headline(
            "english",
            _pg.c.body,
            tsquery,
            f"StartSel={MARK_START}, StopSel={MARK_END}, MaxWords=30, MinWords=12, "
            'MaxFragments=2, FragmentDelimiter=" … "',
        )
    rows = session.execute(
        select(_pg.c.cable_id, headline).where(_pg.c.audience == audience, _pg.c.cable_id.in_(ids))
    ).all()
    return {r[0]: r[1] or "" for r in rows}


def _is_sqlite(session: Session) -> bool:
    return session.get_bind().dialect.name == "sqlite"
