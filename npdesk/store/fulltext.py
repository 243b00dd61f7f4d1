"""The full-text half of a search, one class per database: which cables match the text of a
query, in which order of relevance, and the highlighted snippets of a result page.

SQLite: FTS5 tables keyed by `doc_id` (`cable_fts`, `cable_fts_partner`), ranked by bm25 with
the subject weighted five times the body. PostgreSQL: `cable_search` rows with a weighted
tsvector; with the RUM extension (`postgresql-15-rum`) its index keeps word positions, so
phrases match and results rank inside the index (`tsv <=> query`); without it a GIN index
matches and `ts_rank_cd` ranks, which must read every matching document's vector.

Everything here answers in catalogue positions (see `store.catalogue`): filters, visibility and
facets are applied there, not in SQL.
"""

from __future__ import annotations

import threading
import weakref
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt
from sqlalchemy import (
    Integer,
    Text,
    bindparam,
    cast,
    column,
    func,
    literal,
    literal_column,
    select,
    table,
    text,
    tuple_,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from npdesk.store.audiences import DOC_MASK, SLOT_SHIFT
from npdesk.store.catalogue import Catalogue, Mask, Positions, ReaderText
from npdesk.store.db import engine_of
from npdesk.store.search_query import SearchQuery
from npdesk.store.textcache import Matches, Prefix, Ranks

MARK_START, MARK_END = "\x02", "\x03"
"""Snippet highlight delimiters: control characters no cable contains, so the web layer can
escape the snippet first and then turn them into <mark> safely."""

FTS_TABLES = {"all": "cable_fts", "partner": "cable_fts_partner"}
"""SQLite: one FTS5 table per root audience, rowid = `cables.doc_id` for the root's rows and
`slot << 32 | doc_id` for the other audiences of that root (`store.audiences`)."""

RUM_INDEX = "ix_cable_search_rum"

_pg = table(
    "cable_search",
    column("cable_id"),
    column("doc_id"),
    column("audience"),
    column("subject"),
    column("body"),
    column("tsv"),
)

DENSE = 0.2
"""FTS5: when at least this share of the text matches survives the filters, a result page is
read from the ranked order (overfetching by the share); below it every match is ranked in one
pass, already while matching when the filters alone keep under this share of all cables."""


class FullText(Protocol):
    def matching(
        self, catalogue: Catalogue, query: SearchQuery, reader: ReaderText, *, rank_share: float
    ) -> Matches:
        """Every cable whose text for `reader` matches the query's words, phrases and exclusions
        (the query must have words or phrases). `rank_share` is the share of all cables the
        filters keep when results will be ranked, else 1.0 (a hint: when few survive, ranking
        every match at once may be cheaper than reading the best later)."""

    def containing_any(
        self, catalogue: Catalogue, words: list[str], reader: ReaderText
    ) -> Positions:
        """Every cable whose text for `reader` contains any of `words`."""

    def best_page(
        self,
        catalogue: Catalogue,
        query: SearchQuery,
        reader: ReaderText,
        matches: Matches,
        eligible: Mask,
        need: int,
    ) -> tuple[Positions, Prefix | None]:
        """The `need` best eligible matches, best first (equal ranks in a fixed order), and the
        best-first prefix of all matches read on the way, if one is worth keeping for the text.
        At least one match is eligible and `need` is positive (the caller has tried the
        prefixes it already had)."""

    def read_ahead(
        self,
        catalogue: Catalogue,
        query: SearchQuery,
        reader: ReaderText,
        eligible: Mask,
        need: int,
    ) -> Prefix | None:
        """The best-first prefix `best_page` would read for `need` rows when most matches
        survive the filters (`eligible` before the text), or None if it cannot tell."""

    def snippets(
        self, ids: list[tuple[str, int, int]], query: SearchQuery, reader: ReaderText
    ) -> dict[str, str]:
        """Highlighted snippets of the reader's text for (cable id, doc_id, slot of the
        reader's row) triples, by cable id."""


def fulltext_for(session: Session) -> FullText:
    if session.get_bind().dialect.name == "sqlite":
        return SqliteText(session)
    return PostgresText(session, ranks_in_index=_has_rum_index(session))


def _sorted_page(
    positions: Positions, ranks: Ranks, ties: npt.NDArray[np.intp], eligible: Mask, need: int
) -> Positions:
    keep = eligible[positions]
    positions, ranks = positions[keep], ranks[keep]
    order = np.lexsort((ties[positions], ranks))
    result: Positions = positions[order][:need]
    return result


# --- SQLite FTS5 ------------------------------------------------------------------------------


def fts5_expression(query: SearchQuery) -> str | None:
    """The FTS5 MATCH expression of the query's words, phrases and exclusions (None without
    words or phrases)."""

    def quote(term: str) -> str:
        return '"' + term.replace('"', "") + '"'

    positive = [quote(w) for w in query.words] + [quote(p) for p in query.phrases]
    if not positive:
        return None
    expression = " AND ".join(positive)
    for word in query.excluded:
        expression = f"({expression}) NOT {quote(word)}"
    return expression


def _integers(joined: str | None) -> npt.NDArray[np.int64]:
    # group_concat hands the whole match set back as one string: one row through the driver
    # instead of tens of thousands.
    if not joined:
        return np.empty(0, dtype=np.int64)
    return np.array(joined.split(","), dtype=np.int64)


def _reader_rows(
    catalogue: Catalogue, reader: ReaderText, rowids: npt.NDArray[np.int64]
) -> tuple[Positions, Mask]:
    """Positions of the rows (FTS5 rowids) that are the reader's text of a cable, and which
    of `rowids` they were (to keep values that came with them aligned). Rows of another
    audience of the same table, and unknown keys, are dropped."""
    positions, known = catalogue.locate_doc_ids(rowids & DOC_MASK)
    keep = reader.keep(positions, rowids[known] >> SLOT_SHIFT)
    kept = known.copy()
    kept[known] = keep
    return positions[keep], kept


class SqliteText:
    """FTS5: bm25 computes every match's rank whatever the LIMIT, so a page costs one pass
    over the matches either way; the choice is only how many rows cross the driver.

    One MATCH reads every audience's rows of the reader's root table; the rows that are not
    the reader's text are dropped here. When no cable has a row of the reader's own chain
    besides the root's, the MATCH is bounded to the root's rowids instead."""

    RANK = "bm25({table}, 5.0, 1.0)"
    OVERFETCH = 2048
    """Extra rows read beyond a page: ties (copies, near-duplicates) and filters eat into it,
    and when they eat it all every match is ranked again. Reading them costs little: FTS5 has
    computed every rank before the LIMIT applies."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def _one(self, sql: str, **params: Any) -> Any:
        return self.session.execute(text(sql), params).one()

    @staticmethod
    def _where(reader: ReaderText) -> str:
        name = reader.root.table
        bound = f" AND rowid <= {DOC_MASK}" if reader.slots is None else ""
        return f"{name} MATCH :e{bound}"

    def matching(
        self, catalogue: Catalogue, query: SearchQuery, reader: ReaderText, *, rank_share: float
    ) -> Matches:
        if rank_share < DENSE:  # few survive the filters: rank all now, once
            return self._ranked(catalogue, query, reader)
        (joined,) = self._one(
            f"SELECT group_concat(rowid) FROM {reader.root.table} WHERE {self._where(reader)}",
            e=fts5_expression(query),
        )
        return Matches(_reader_rows(catalogue, reader, _integers(joined))[0])

    def containing_any(
        self, catalogue: Catalogue, words: list[str], reader: ReaderText
    ) -> Positions:
        expression = " OR ".join('"' + w.replace('"', "") + '"' for w in words)
        (joined,) = self._one(
            f"SELECT group_concat(rowid) FROM {reader.root.table} WHERE {self._where(reader)}",
            e=expression,
        )
        return _reader_rows(catalogue, reader, _integers(joined))[0]

    def best_page(
        self,
        catalogue: Catalogue,
        query: SearchQuery,
        reader: ReaderText,
        matches: Matches,
        eligible: Mask,
        need: int,
    ) -> tuple[Positions, Prefix | None]:
        survivors = int(eligible[matches.positions].sum())
        share = survivors / len(matches)
        if matches.ranks is None and share >= DENSE:
            fetch = int(need / share * 1.25) + self.OVERFETCH
            prefix = self._best(catalogue, query, reader, fetch)
            page = prefix.page(eligible, need)
            if page is not None:
                return page, prefix
        if matches.ranks is None:
            matches = self._ranked(catalogue, query, reader)
        assert matches.ranks is not None
        order = np.lexsort((matches.positions, matches.ranks))  # ties in doc_id order
        prefix = Prefix(matches.positions[order], matches.ranks[order], exhausted=True)
        page = prefix.page(eligible, need)
        assert page is not None
        return page, prefix

    def read_ahead(
        self,
        catalogue: Catalogue,
        query: SearchQuery,
        reader: ReaderText,
        eligible: Mask,
        need: int,
    ) -> Prefix | None:
        share = float(eligible.mean()) if catalogue.size else 1.0
        return self._best(catalogue, query, reader, int(need / share * 1.25) + self.OVERFETCH)

    def _best(
        self, catalogue: Catalogue, query: SearchQuery, reader: ReaderText, limit: int
    ) -> Prefix:
        name = reader.root.table
        docs, ranks = self._one(
            f"WITH m AS MATERIALIZED (SELECT rowid AS doc, {self.RANK.format(table=name)} AS r "
            f"FROM {name} WHERE {self._where(reader)} ORDER BY r, rowid LIMIT :k) "
            "SELECT group_concat(doc), group_concat(r) FROM m",
            e=fts5_expression(query),
            k=limit,
        )
        rowids = _integers(docs)
        values = np.array(ranks.split(","), dtype=np.float64) if ranks else np.empty(0)
        positions, keep = _reader_rows(catalogue, reader, rowids)
        values = values[keep]
        if reader.slots is None:
            return Prefix(positions, values, exhausted=len(rowids) < limit, total_order=True)
        # Ties were cut in rowid order, which is not doc_id order across audiences: sort them
        # like every other answer and let the prefix tell when the tied group is complete.
        order = np.lexsort((positions, values))
        return Prefix(positions[order], values[order], exhausted=len(rowids) < limit)

    def _ranked(self, catalogue: Catalogue, query: SearchQuery, reader: ReaderText) -> Matches:
        # FTS5 evaluates `rowid IN (...)` as one full-text query per id (1-2 ms each), so a
        # subset is ranked by ranking every match.
        name = reader.root.table
        docs, ranks = self._one(
            f"WITH m AS MATERIALIZED (SELECT rowid AS doc, {self.RANK.format(table=name)} AS r "
            f"FROM {name} WHERE {self._where(reader)}) "
            "SELECT group_concat(doc), group_concat(r) FROM m",
            e=fts5_expression(query),
        )
        rowids = _integers(docs)
        values = np.array(ranks.split(","), dtype=np.float64) if ranks else np.empty(0)
        positions, keep = _reader_rows(catalogue, reader, rowids)
        return Matches(positions, values[keep])

    def snippets(
        self, ids: list[tuple[str, int, int]], query: SearchQuery, reader: ReaderText
    ) -> dict[str, str]:
        if not ids:
            return {}
        name = reader.root.table
        fts = table(name, column("rowid"), column("body"))
        by_rowid = {(slot << SLOT_SHIFT) | doc: cable for cable, doc, slot in ids}
        expression = fts5_expression(query)
        if expression is None:
            statement = select(fts.c.rowid, func.substr(fts.c.body, 1, 240)).where(
                fts.c.rowid.in_(list(by_rowid))
            )
        else:
            snippet: Any = literal_column(
                f"snippet({name}, 1, '{MARK_START}', '{MARK_END}', ' … ', 24)"
            )
            statement = select(fts.c.rowid, snippet).where(
                fts.c.rowid.in_(list(by_rowid)), literal_column(name).op("MATCH")(expression)
            )
        return {by_rowid[row]: body or "" for row, body in self.session.execute(statement).all()}


# --- PostgreSQL tsvector ----------------------------------------------------------------------


def _all_of(parts: list[Any]) -> Any:
    combined: Any = None
    for part in parts:
        combined = part if combined is None else func.tsquery_and(combined, part)
    return combined


def _tsquery(query: SearchQuery) -> Any:
    """The query's words and phrases as one tsquery, exclusions folded in with `!!` so the
    index answers them too (a separate `NOT tsv @@ ...` reads every candidate's vector)."""
    parts: list[Any] = [func.plainto_tsquery("english", w) for w in query.words]
    parts += [func.phraseto_tsquery("english", p) for p in query.phrases]
    parts += [func.tsquery_not(func.plainto_tsquery("english", w)) for w in query.excluded]
    return _all_of(parts)


def _rank_tsquery(query: SearchQuery) -> Any:
    """What results are ranked by: every word of the query, phrases as plain words. RUM's
    index order follows its reported rank for such queries but strays far from it for
    phrase queries; exclusions rank nothing."""
    return _all_of([func.plainto_tsquery("english", w) for w in query.words + query.phrases])


class PostgresText:
    """tsvector matching; ranks from the RUM index (`tsv <=> query`, best first, read
    incrementally) or, without it, `ts_rank_cd` over every match."""

    SIZEABLE = 8_000
    """Up to this many survivors are ranked by id (about 20 ms a thousand: each reads its
    document's vector); reading the index's best-first order instead can go deep when the
    filters keep cables the text ranks low."""
    OVERFETCH = 128

    def __init__(self, session: Session, *, ranks_in_index: bool) -> None:
        self.session = session
        self.ranks_in_index = ranks_in_index

    def _rank(self, query: SearchQuery) -> Any:
        """An SQL expression ordering best first when ascending."""
        tsquery = _rank_tsquery(query)
        if self.ranks_in_index:
            return _pg.c.tsv.op("<=>")(tsquery)
        return -func.ts_rank_cd(_pg.c.tsv, tsquery)

    @staticmethod
    def _audience(reader: ReaderText) -> Any:
        """The rows of the reader's chain: its root's alone when no cable has another."""
        if reader.slots is None:
            return _pg.c.audience == reader.root.name
        return _pg.c.audience.in_([audience.name for audience in reader.chain])

    def _ids(self, catalogue: Catalogue, reader: ReaderText, condition: Any) -> Positions:
        # One comma-joined string per audience through the driver: parsing an array of tens
        # of thousands of values costs several times more.
        rows = self.session.execute(
            select(_pg.c.audience, func.string_agg(cast(_pg.c.doc_id, Text), literal(",")))
            .where(self._audience(reader), condition)
            .group_by(_pg.c.audience)
        ).all()
        found: list[Positions] = []
        for name, joined in rows:
            positions = catalogue.positions_of_doc_ids(_integers(joined))
            slots = np.full(len(positions), reader.slot_of(name), dtype=np.int64)
            found.append(positions[reader.keep(positions, slots)])
        if not found:
            return np.empty(0, dtype=np.intp)
        return np.sort(np.concatenate(found)) if len(found) > 1 else found[0]

    def matching(
        self, catalogue: Catalogue, query: SearchQuery, reader: ReaderText, *, rank_share: float
    ) -> Matches:
        return Matches(self._ids(catalogue, reader, _pg.c.tsv.op("@@")(_tsquery(query))))

    def containing_any(
        self, catalogue: Catalogue, words: list[str], reader: ReaderText
    ) -> Positions:
        combined: Any = None
        for word in words:
            part = func.plainto_tsquery("english", word)
            combined = part if combined is None else combined.op("||")(part)
        return self._ids(catalogue, reader, _pg.c.tsv.op("@@")(combined))

    def best_page(
        self,
        catalogue: Catalogue,
        query: SearchQuery,
        reader: ReaderText,
        matches: Matches,
        eligible: Mask,
        need: int,
    ) -> tuple[Positions, Prefix | None]:
        survivors = int(eligible[matches.positions].sum())
        expected_reads = need * len(matches) / survivors + self.OVERFETCH
        by_id = survivors <= self.SIZEABLE
        if by_id and survivors < len(matches) / 2:
            return self._rank_subset(catalogue, query, reader, eligible, need), None
        # Filters that keep cables the text ranks low make the read go deep: past a few times
        # the expected depth, ranking the survivors by id is the cheaper way when it is open.
        limit = int(4 * expected_reads) + 1000 if by_id else None
        prefix = self._read_best(catalogue, query, reader, eligible, need, limit)
        if prefix is None:
            return self._rank_subset(catalogue, query, reader, eligible, need), None
        page = prefix.page(eligible, need)
        assert page is not None
        return page, prefix

    def read_ahead(
        self,
        catalogue: Catalogue,
        query: SearchQuery,
        reader: ReaderText,
        eligible: Mask,
        need: int,
    ) -> Prefix | None:
        limit = 4 * (need + self.OVERFETCH) + 1000
        return self._read_best(catalogue, query, reader, eligible, need, limit)

    def _read_best(
        self,
        catalogue: Catalogue,
        query: SearchQuery,
        reader: ReaderText,
        eligible: Mask,
        need: int,
        max_reads: int | None,
    ) -> Prefix | None:
        """Read matches best first (a server-side cursor on the ranked index scan) until
        `need` eligible ones are in hand and the group tied with the last one is complete.
        Ordering by the rank alone keeps the index order; ties are sorted here by id. (For
        phrases RUM's index order can stray slightly from the ranks it reports, so rows are
        sorted again by rank here.) None when `max_reads` rows did not suffice."""
        tsquery = _tsquery(query)
        rank = self._rank(query)
        statement = (
            select(_pg.c.doc_id, _pg.c.audience, rank)
            .where(self._audience(reader), _pg.c.tsv.op("@@")(tsquery))
            .order_by(rank)
            .execution_options(yield_per=need + self.OVERFETCH)
        )
        slots = reader.slots
        slot_of = {audience.name: audience.slot for audience in reader.chain}
        positions: list[int] = []
        ranks: list[float] = []
        found = 0
        boundary: float | None = None
        exhausted = True
        result = self.session.execute(statement)
        try:
            for doc_id, audience, value in result:
                position = catalogue.position_of_doc_id(doc_id)
                if position is None:
                    continue
                if slots is not None and slots[position] != slot_of[audience]:
                    continue  # another audience's row of this cable
                positions.append(position)
                ranks.append(value)
                if max_reads is not None and len(positions) > max_reads:
                    return None
                if boundary is not None and value > boundary:
                    exhausted = False
                    break
                if eligible[position]:
                    found += 1
                    if found == need:
                        boundary = value
        finally:
            result.close()
        read = np.array(positions, dtype=np.intp)
        values = np.array(ranks, dtype=np.float64)
        order = np.lexsort((catalogue.id_rank[read], values))
        return Prefix(read[order], values[order], exhausted=exhausted)

    def _rank_subset(
        self,
        catalogue: Catalogue,
        query: SearchQuery,
        reader: ReaderText,
        eligible: Mask,
        need: int,
    ) -> Positions:
        tsquery = _tsquery(query)
        docs = catalogue.doc_ids[np.flatnonzero(eligible)].tolist()
        statement = select(
            func.array_agg(_pg.c.doc_id),
            func.array_agg(_pg.c.audience),
            func.array_agg(self._rank(query)),
        ).where(
            self._audience(reader),
            _pg.c.tsv.op("@@")(tsquery),
            _pg.c.doc_id == func.any(bindparam("docs", value=docs, type_=ARRAY(Integer))),
        )
        found, audiences, ranks = self.session.execute(statement).one()
        doc_ids = np.array(found or [], dtype=np.int64)
        positions, known = catalogue.locate_doc_ids(doc_ids)
        values = np.array(ranks or [], dtype=np.float64)[known]
        slots = np.array([reader.slot_of(a) for a in audiences or []], dtype=np.int64)[known]
        keep = reader.keep(positions, slots)
        return _sorted_page(positions[keep], values[keep], catalogue.id_rank, eligible, need)

    def snippets(
        self, ids: list[tuple[str, int, int]], query: SearchQuery, reader: ReaderText
    ) -> dict[str, str]:
        if not ids:
            return {}
        name_of = {audience.slot: audience.name for audience in reader.chain}
        pairs = [(cable, name_of[slot]) for cable, _, slot in ids]
        if not query.has_text:
            headline: Any = func.substr(_pg.c.body, 1, 240)
        else:
            headline = func.ts_headline(
                "english",
                _headline_window(query),
                _tsquery(SearchQuery(words=query.words, phrases=query.phrases)),
                f"StartSel={MARK_START}, StopSel={MARK_END}, MaxWords=30, MinWords=12, "
                'MaxFragments=2, FragmentDelimiter=" … "',
            )
        rows = self.session.execute(
            select(_pg.c.cable_id, headline).where(
                tuple_(_pg.c.cable_id, _pg.c.audience).in_(pairs)
            )
        ).all()
        return {r[0]: r[1] or "" for r in rows}


HEADLINE_WINDOW = 4_000
"""Characters of a body given to ts_headline, which costs about 0.15 ms a kilobyte (8 ms for
some 64 KB cables, for each hit of a page)."""


def _headline_window(query: SearchQuery) -> Any:
    """The part of the body around the first literal occurrence of a query word (or the
    start): ts_headline picks its fragments there."""
    terms = [w.lower() for w in query.words] + [p.split()[0].lower() for p in query.phrases]
    found = [func.nullif(func.strpos(func.lower(_pg.c.body), term), 0) for term in terms]
    start = func.greatest(1, func.least(*found) - HEADLINE_WINDOW // 8) if found else 1
    return func.substr(_pg.c.body, start, HEADLINE_WINDOW)


_rum_cache: weakref.WeakKeyDictionary[Engine, bool] = weakref.WeakKeyDictionary()
_rum_lock = threading.Lock()


def _has_rum_index(session: Session) -> bool:
    engine = engine_of(session)
    with _rum_lock:
        known = _rum_cache.get(engine)
    if known is None:
        known = bool(
            session.execute(
                text("SELECT count(*) FROM pg_indexes WHERE indexname = :name"),
                {"name": RUM_INDEX},
            ).scalar_one()
        )
        with _rum_lock:
            _rum_cache[engine] = known
    return known
