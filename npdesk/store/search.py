"""Search over cables: indexing (both backends) and the search use case.

Each cable has two index rows: `all` (subject and every paragraph) and `partner` (only what the
partner may read). A partner user's words are matched against the `partner` row only, so a hit
can never betray a word in a withheld paragraph. Results and facet counts are always filtered
by the visibility policy (`visibility.readable_row`, applied per distinct marking in the
catalogue), so nobody learns that a cable they may not read exists.

The database answers the text (`store.fulltext`: FTS5, or tsvector with RUM); the in-memory
catalogue (`store.catalogue`) applies visibility, filters, facets and date order; answers about
a text are kept in `store.textcache`.
"""

from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from typing import Any, Literal

import numpy as np
from sqlalchemy import column, delete, select, table, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from npdesk.security.model import User
from npdesk.services.audit_scope import note_read
from npdesk.store.audiences import Audience, audiences
from npdesk.store.catalogue import (
    Catalogue,
    Mask,
    Positions,
    ReaderText,
    current_token,
    mark_changed,
)
from npdesk.store.catalogue import current as current_catalogue
from npdesk.store.db import banner, engine_of, iso_utc, session_factory
from npdesk.store.deadline import Budget, Interrupted, bounded
from npdesk.store.fulltext import (
    DENSE,
    MARK_END,
    MARK_START,
    FullText,
    fulltext_for,
)
from npdesk.store.models.cables import CableRecord, CableReference
from npdesk.store.search_query import SearchQuery
from npdesk.store.textcache import CACHE, Key, Matches, Prefix, Snippets, text_key
from npdesk.store.visibility import readable_row

Sort = Literal["relevance", "date"]
__all__ = ["MARK_END", "MARK_START", "SearchHit", "SearchResult", "index_cable", "search"]
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
    "INSERT INTO cable_search (cable_id, doc_id, audience, subject, body, tsv) VALUES "
    "(:cable_id, :doc_id, :audience, :subject, :body, "
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
        if not self.pending:
            return
        for statement, rows in self.pending.items():
            session.execute(text(statement), rows)
        self.pending.clear()
        mark_changed(session)


def index_cable(session: Session, document: IndexDocument, *, new: bool = False) -> None:
    """(Re)write both index rows of a cable. Call inside the transaction that changes it;
    `new` skips removing rows that cannot exist yet."""
    if not new:
        unindex_cable(session, document)
    for statement, params in _index_inserts(document, _is_sqlite(session)):
        session.execute(text(statement), params)
    mark_changed(session)


def unindex_cable(session: Session, document: IndexDocument) -> None:
    """Remove a cable's index rows (before they are written again)."""
    if _is_sqlite(session):
        by_table: dict[str, list[int]] = {}
        for audience in audiences():
            by_table.setdefault(audience.table, []).append(audience.rowid(document.doc_id))
        for name, rowids in by_table.items():
            listed = ", ".join(str(rowid) for rowid in rowids)
            session.execute(text(f"DELETE FROM {name} WHERE rowid IN ({listed})"))
    else:
        session.execute(delete(_pg).where(_pg.c.cable_id == document.id))
    mark_changed(session)


def audience_texts(document: IndexDocument) -> list[tuple[Audience, str, str]]:
    """The (audience, subject, body) rows to store for a cable: each root's, and another
    audience's only where its readable text differs from its parent's (`store.audiences`).
    A reader who may not read the cable gets no row: search never offers it to them."""
    rows: list[tuple[Audience, str, str]] = []
    texts: dict[str, tuple[str, str]] = {}
    for audience in audiences():
        reader = audience.reader
        if not readable_row(document.marking, reader):
            # The catalogue never offers this cable to such a reader; neither to the more
            # restricted audiences after it.
            texts[audience.name] = ("", "")
            if audience.parent is None:
                rows.append((audience, "", ""))
            continue
        own = (
            document.subject or "",
            "\n\n".join(
                body for body, marking in document.paragraphs if readable_row(marking, reader)
            ),
        )
        texts[audience.name] = own
        if audience.parent is None or own != texts[audience.parent]:
            rows.append((audience, *own))
    return rows


def _index_inserts(document: IndexDocument, sqlite: bool) -> list[tuple[str, dict[str, Any]]]:
    """The INSERT statements and parameters of a cable's rows, one per audience stored."""
    rows = audience_texts(document)
    if sqlite:
        return [
            (
                f"INSERT INTO {audience.table} (rowid, subject, body) "
                "VALUES (:doc, :subject, :body)",
                {"doc": audience.rowid(document.doc_id), "subject": subject, "body": body},
            )
            for audience, subject, body in rows
            # An empty root row is left out (absent means empty); another audience's empty
            # row is kept: without it the reader would fall back to its parent's text.
            if subject or body or audience.parent is not None
        ]
    return [
        (
            _PG_INSERT,
            {
                "cable_id": document.id,
                "doc_id": document.doc_id,
                "audience": audience.name,
                "subject": subject,
                "body": body,
            },
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
    budget: Budget | None = None,
) -> SearchResult:
    """Cables matching `query` that `user` may read, best first (or newest first), with facet
    counts over the whole matching set.

    The database answers the full-text part (`store.fulltext`); visibility, filters, facets and
    date order come from the in-memory catalogue (`store.catalogue`). The work stops when
    `budget` (default: `deadline.default_seconds()`) is spent or cancelled, raising
    `deadline.SearchTimeout` or `deadline.SearchCancelled`."""
    budget = budget or Budget()
    budget.check()
    # Rebuilding the catalogue after a change costs what the store's size says, not what the
    # query asks, and serves every search after it: one reader's budget does not stop it.
    catalogue = current_catalogue(session)
    with bounded(session, budget):
        return _search(session, catalogue, query, user, sort, limit, offset, with_facets, budget)


def _search(
    session: Session,
    catalogue: Catalogue,
    query: SearchQuery,
    user: User,
    sort: Sort,
    limit: int,
    offset: int,
    with_facets: bool,
    budget: Budget,
) -> SearchResult:
    reader = catalogue.text_for(user)
    if reader is None:  # a reader with no readable text (no agreement): nothing to find
        return SearchResult(total=0, hits=[], facets=catalogue.facets(np.empty(0, np.intp)))
    fulltext = fulltext_for(session)
    eligible = catalogue.readable(user) & catalogue.filtered(query)
    if query.refs:
        eligible &= catalogue.mask_of(catalogue.positions_of_ids(_citing(session, query.refs)))
    relevance = sort == "relevance" and query.has_text
    # Exclusions add nothing to a cable's rank and leave the order of the others alone, so a
    # page is read from the order of the words and phrases alone, with excluded cables out of
    # `eligible`: "minister -iran" reuses what "minister" ranked.
    positive = replace(query, excluded=[])
    matches: Matches | None = None
    read_ahead: Prefix | None = None
    if query.has_text:
        rank_share = float(eligible.mean()) if relevance and catalogue.size else 1.0
        key = text_key(catalogue.key, reader.name, "matches", query)
        cached = CACHE.get(key)
        if isinstance(cached, Matches):
            matches = cached
        else:
            ahead = None
            if relevance and rank_share >= DENSE and catalogue.size >= READ_AHEAD_FROM:
                ahead = _start_read_ahead(
                    session, catalogue, positive, reader, eligible, offset + limit, budget
                )
            matches = fulltext.matching(catalogue, query, reader, rank_share=rank_share)
            budget.check()
            CACHE.put(key, matches)
            if ahead is not None:
                read_ahead = ahead.result()
        eligible &= catalogue.mask_of(matches.positions)
    elif query.excluded:
        eligible[fulltext.containing_any(catalogue, query.excluded, reader)] = False
    budget.check()
    selected = np.flatnonzero(eligible)
    if relevance and matches is not None:
        page = _best_page(
            fulltext, catalogue, positive, reader, matches, eligible, offset + limit, read_ahead
        )[offset:]
    else:
        page = catalogue.newest(selected, offset, limit)
    budget.check()
    hits = _hits(session, fulltext, catalogue, page, query, reader)
    facets = catalogue.facets(selected) if with_facets else {}
    return SearchResult(total=len(selected), hits=hits, facets=facets)


def _best_page(
    fulltext: FullText,
    catalogue: Catalogue,
    query: SearchQuery,
    reader: ReaderText,
    matches: Matches,
    eligible: Mask,
    need: int,
    read_ahead: Prefix | None,
) -> Positions:
    """The `need` best eligible matches: from a best-first prefix already read for the text
    (ahead, or by an earlier query) when it can tell, else from the database."""
    if need <= 0 or not eligible[matches.positions].any():
        return np.empty(0, dtype=np.intp)
    key = text_key(catalogue.key, reader.name, "best", query)
    for prefix in (read_ahead, CACHE.get(key)):
        if isinstance(prefix, Prefix):
            page = prefix.page(eligible, need)
            if page is not None:
                return page
    page, read = fulltext.best_page(catalogue, query, reader, matches, eligible, need)
    if read is not None:
        CACHE.put(key, read)
    return page


READ_AHEAD_FROM = 20_000
"""From this many cables, a new text's best-first order is read on a second connection while
the first reads its matches: both are database work outside the GIL, so on two cores the
answer comes in the time of the longer one (about 40 ms saved for a common word at 100,000
cables). Smaller stores answer fast enough without a thread."""

_read_ahead_pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="npdesk-read-ahead")


def _start_read_ahead(
    session: Session,
    catalogue: Catalogue,
    query: SearchQuery,
    reader: ReaderText,
    eligible: Mask,
    need: int,
    budget: Budget,
) -> Future[Prefix | None] | None:
    key = text_key(catalogue.key, reader.name, "best", query)
    if CACHE.get(key) is not None:
        return None
    engine = engine_of(session)
    return _read_ahead_pool.submit(
        _read_ahead, engine, catalogue, query, reader, eligible.copy(), need, key, budget
    )


def _read_ahead(
    engine: Engine,
    catalogue: Catalogue,
    query: SearchQuery,
    reader: ReaderText,
    eligible: Mask,
    need: int,
    key: Key,
    budget: Budget,
) -> Prefix | None:
    try:
        with session_factory(engine)() as session, bounded(session, budget):
            # Another connection sees only committed data: if that is not the state the
            # catalogue describes (a newer commit, or the caller's own uncommitted change),
            # its order could miss cables the caller matches, so it is not kept.
            if current_token(session) != catalogue.token:
                return None
            prefix = fulltext_for(session).read_ahead(catalogue, query, reader, eligible, need)
    except (SQLAlchemyError, Interrupted):
        return None  # only a head start: the caller reads the order itself (and stops too)
    if prefix is not None:
        CACHE.put(key, prefix)
    return prefix


def _citing(session: Session, refs: list[str]) -> list[str]:
    """Ids of cables citing every one of `refs`."""
    citing: set[str] | None = None
    for ref in refs:
        ids = set(
            session.execute(
                select(CableReference.cable_id).where(CableReference.ref_id == ref)
            ).scalars()
        )
        citing = ids if citing is None else citing & ids
    return sorted(citing or ())


def _hits(
    session: Session,
    fulltext: FullText,
    catalogue: Catalogue,
    page: Positions,
    query: SearchQuery,
    reader: ReaderText,
) -> list[SearchHit]:
    ids = [catalogue.ids[p] for p in page]
    rows = {
        r.id: r
        for r in session.execute(
            select(
                CableRecord.id,
                CableRecord.doc_id,
                CableRecord.subject,
                CableRecord.created,
                CableRecord.classification,
                CableRecord.caveats,
            ).where(CableRecord.id.in_(ids))
        )
    }
    for row in rows.values():
        note_read("cables", row.id, row.classification)
    key = text_key(catalogue.key, reader.name, "snippets", query)
    cached = CACHE.get(key)
    known = cached.texts if isinstance(cached, Snippets) else {}
    missing = [
        (cable, rows[cable].doc_id, 0 if reader.slots is None else int(reader.slots[position]))
        for cable, position in zip(ids, page, strict=True)
        if cable in rows and cable not in known
    ]
    snippets = {**known, **fulltext.snippets(missing, query, reader)} if missing else known
    if missing:
        CACHE.put(key, Snippets(snippets))
    return [
        SearchHit(
            id=cable,
            subject=rows[cable].subject,
            created=iso_utc(rows[cable].created),
            marking=banner(rows[cable].classification, rows[cable].caveats),
            snippet=snippets.get(cable, ""),
        )
        for cable in ids
        if cable in rows
    ]


def _is_sqlite(session: Session) -> bool:
    return session.get_bind().dialect.name == "sqlite"
