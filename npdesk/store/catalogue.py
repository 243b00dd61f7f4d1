"""The search catalogue: every stored cable's filterable and facetable fields as numpy arrays,
keyed by the full-text key `doc_id`, held in memory beside the database.

Why: a broad query ("minister", `tag:PREL`) matches most of the store, and exact facet counts
need every matching cable's tags, origin, marking and year. Reading those rows from the database
costs about 10 µs a row through the driver (0.5-0.9 s at 100,000 cables); counting them in numpy
over arrays already in memory costs milliseconds. The database still answers the full-text part
(which cables match, and how well); filters, visibility, facets and date order happen here.

Freshness: every change to what search sees (`store.search.index_cable` and friends) writes a
new random token into `search_state` in the same transaction. A search reads the token first
and rebuilds the catalogue when it differs, so a search never sees a catalogue older than the
data it can read. The token is random rather than a counter so that a catalogue built inside a
transaction that later rolls back can never be mistaken for the committed state.
"""

from __future__ import annotations

import secrets
import threading
import weakref
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, time
from typing import Any

import numpy as np
import numpy.typing as npt
from sqlalchemy import text
from sqlalchemy.orm import Session
from sqlalchemy.pool import Pool

from npdesk.security.model import User
from npdesk.store.audiences import DOC_MASK, SLOT_SHIFT, Audience, by_rowid_slot, chain_for
from npdesk.store.db import banner, engine_of
from npdesk.store.search_query import SearchQuery
from npdesk.store.visibility import readable_row

Mask = npt.NDArray[np.bool_]
Positions = npt.NDArray[np.intp]

FACET_SIZE = 30
NONE = "(none)"


def mark_changed(session: Session) -> None:
    """Record, inside the caller's transaction, that what search sees has changed."""
    session.execute(
        text("UPDATE search_state SET token = :token WHERE id = 1"),
        {"token": secrets.randbits(62)},
    )


def current_token(session: Session) -> int:
    return int(session.execute(text("SELECT token FROM search_state WHERE id = 1")).scalar_one())


@dataclass(frozen=True)
class MarkingKey:
    """One distinct marking among stored cables (the `MarkedMixin` columns)."""

    classification: str
    caveats: str
    rel_to: str
    shared_with_partner: bool


@dataclass(frozen=True)
class ReaderText:
    """Which full-text row is one reader's text of each cable (see `store.audiences`)."""

    name: str  # the reader's own audience: what answers about the text are filed under
    chain: tuple[Audience, ...]  # the reader's own audience first, its root last
    slots: npt.NDArray[np.int16] | None
    """Per position, the slot of the chain audience whose row is the text; None when it is the
    root's row for every cable (no cable has a row of another audience of the chain)."""

    @property
    def root(self) -> Audience:
        return self.chain[-1]

    def slot_of(self, name: str) -> int:
        return next(a.slot for a in self.chain if a.name == name)

    def keep(self, positions: Positions, slots: npt.NDArray[np.int64]) -> Mask:
        """Which of the rows at `positions` (with their audiences' `slots`) are the reader's
        text, not another audience's row of the same cable."""
        if self.slots is None:
            return np.asarray(slots == 0)
        return np.asarray(self.slots[positions] == slots)


@dataclass(frozen=True)
class Codes:
    """A categorical column: `codes[position]` indexes `values`."""

    values: list[Any]
    codes: npt.NDArray[np.int32]

    @classmethod
    def of(cls, column: Sequence[Any]) -> Codes:
        # Index the few distinct values first, then look every row up (C-level map): a
        # setdefault per row costs several times more at 100,000 rows.
        values = list(dict.fromkeys(column))
        index = {value: code for code, value in enumerate(values)}
        codes = np.fromiter(map(index.__getitem__, column), dtype=np.int32, count=len(column))
        return cls(values, codes)

    def mask(self, wanted: npt.NDArray[np.bool_]) -> Mask:
        """Positions whose value is wanted (`wanted[code]`)."""
        return wanted[self.codes]

    def wanted(self, predicate: Any) -> npt.NDArray[np.bool_]:
        return np.array([bool(predicate(v)) for v in self.values], dtype=np.bool_)


@dataclass(frozen=True)
class Catalogue:
    """Arrays over positions 0..n-1, in `doc_id` order."""

    token: int
    key: int  # random, unique to this instance: what cached answers about it are filed under
    doc_ids: npt.NDArray[np.int64]
    ids: list[str]
    created: npt.NDArray[np.float64]  # POSIX seconds, NaN when undated
    origin: Codes
    marking: Codes  # of MarkingKey
    year: Codes
    tag_values: list[str]
    tag_positions: npt.NDArray[np.intp]  # one entry per (cable, tag)
    tag_codes: npt.NDArray[np.int32]
    newest_rank: npt.NDArray[np.intp]  # position in newest-first order (ties by id)
    id_rank: npt.NDArray[np.intp]  # position in id order
    marking_banners: Codes  # marking code -> banner code (markings differing in REL TO share one)
    _by_id: dict[str, int] = field(repr=False)
    rows_of: dict[str, Positions] = field(default_factory=dict, repr=False)
    """Non-root audiences: positions of the cables that have a row of their own."""
    _texts: dict[str, ReaderText] = field(default_factory=dict, repr=False)

    @property
    def size(self) -> int:
        return len(self.ids)

    # --- masks ----------------------------------------------------------------------------

    def readable(self, user: User) -> Mask:
        """Cables `user` may read: the policy applied once per distinct marking."""
        return self.marking.mask(self.marking.wanted(lambda key: readable_row(key, user)))

    def text_for(self, user: User) -> ReaderText | None:
        """Which index rows are `user`'s text; None when the user reads no text at all."""
        chain = chain_for(user)
        if not chain:
            return None
        name = chain[0].name
        known = self._texts.get(name)
        if known is not None:
            return known
        slots: npt.NDArray[np.int16] | None = None
        for audience in reversed(chain[:-1]):  # nearest the root first: the reader's own wins
            positions = self.rows_of.get(audience.name)
            if positions is None or not len(positions):
                continue
            if slots is None:
                slots = np.zeros(self.size, dtype=np.int16)
            slots[positions] = audience.slot
        reader_text = ReaderText(name, chain, slots)
        self._texts[name] = reader_text
        return reader_text

    def filtered(self, query: SearchQuery) -> Mask:
        """Cables passing the query's tag, origin, class and date filters (not `ref:`)."""
        mask = np.ones(self.size, dtype=np.bool_)
        for tag in query.tags:
            mask &= self._has_tag(tag)
        if query.origins:
            origins = query.origins
            mask &= self.origin.mask(
                self.origin.wanted(lambda o: o is not None and any(x in o.upper() for x in origins))
            )
        if query.classes:
            classes = query.classes
            mask &= self.marking.mask(
                self.marking.wanted(lambda key: any(_class_matches(key, c) for c in classes))
            )
        if query.date_from is not None:
            start = datetime.combine(query.date_from, time.min, tzinfo=UTC).timestamp()
            mask &= self.created >= start
        if query.date_to is not None:
            end = datetime.combine(query.date_to, time.max, tzinfo=UTC).timestamp()
            mask &= self.created <= end
        return mask

    def _has_tag(self, tag: str) -> Mask:
        mask = np.zeros(self.size, dtype=np.bool_)
        try:
            code = self.tag_values.index(tag)
        except ValueError:
            return mask
        mask[self.tag_positions[self.tag_codes == code]] = True
        return mask

    def mask_of(self, positions: Positions) -> Mask:
        mask = np.zeros(self.size, dtype=np.bool_)
        mask[positions] = True
        return mask

    # --- keys -----------------------------------------------------------------------------

    def positions_of_doc_ids(self, doc_ids: npt.NDArray[np.int64]) -> Positions:
        """Positions of the given full-text keys, in the given order; unknown keys dropped."""
        positions, _ = self.locate_doc_ids(doc_ids)
        return positions

    def locate_doc_ids(self, doc_ids: npt.NDArray[np.int64]) -> tuple[Positions, Mask]:
        """Positions of the known keys among `doc_ids` (in order), and which keys were known
        (to keep values that came with them aligned)."""
        if not len(doc_ids) or not self.size:
            return np.empty(0, dtype=np.intp), np.zeros(len(doc_ids), dtype=np.bool_)
        found: Positions = np.minimum(np.searchsorted(self.doc_ids, doc_ids), self.size - 1)
        known: Mask = self.doc_ids[found] == doc_ids
        return found[known], known

    def positions_of_ids(self, ids: Iterable[str]) -> Positions:
        """Positions of the given cable ids, in the given order; unknown ids dropped."""
        by_id = self._by_id
        return np.fromiter((p for p in map(by_id.get, ids) if p is not None), dtype=np.intp)

    def position_of_doc_id(self, doc_id: int) -> int | None:
        position = int(np.searchsorted(self.doc_ids, doc_id))
        if position < self.size and self.doc_ids[position] == doc_id:
            return position
        return None

    # --- answers --------------------------------------------------------------------------

    def newest(self, selected: Positions, offset: int, limit: int) -> Positions:
        """One page of `selected`, newest first (undated last, ties by id)."""
        return _smallest(self.newest_rank[selected], selected, offset, limit)

    def facets(self, selected: Positions) -> dict[str, dict[str, int]]:
        """Facet counts (tag, origin, marking, year) over the selected cables."""
        marking_banners = self.marking_banners
        chosen = self.mask_of(selected)
        tag_counts = np.bincount(
            self.tag_codes[chosen[self.tag_positions]], minlength=len(self.tag_values)
        )
        return {
            "tag": _top(self.tag_values, tag_counts),
            "origin": _top(
                [o or NONE for o in self.origin.values],
                np.bincount(self.origin.codes[selected], minlength=len(self.origin.values)),
            ),
            "marking": _top(
                marking_banners.values,
                np.bincount(
                    marking_banners.codes[self.marking.codes[selected]],
                    minlength=len(marking_banners.values),
                ),
            ),
            "year": dict(
                sorted(
                    _counted(
                        self.year.values,
                        np.bincount(self.year.codes[selected], minlength=len(self.year.values)),
                    ).items()
                )
            ),
        }


def _smallest(keys: npt.NDArray[Any], items: Positions, offset: int, limit: int) -> Positions:
    """`items[offset:offset+limit]` in order of `keys`, without sorting all of them."""
    need = offset + limit
    if need <= 0 or not len(items):
        return items[:0]
    if need < len(items):
        part = np.argpartition(keys, need - 1)[:need]
        keys, items = keys[part], items[part]
    order = np.argsort(keys, kind="stable")
    result: Positions = items[order][offset:need]
    return result


def _counted(values: list[str], counts: npt.NDArray[np.int64]) -> dict[str, int]:
    return {values[i]: int(c) for i, c in enumerate(counts) if c}


def _top(values: list[str], counts: npt.NDArray[np.int64]) -> dict[str, int]:
    counted = _counted(values, counts)
    return dict(sorted(counted.items(), key=lambda kv: (-kv[1], kv[0]))[:FACET_SIZE])


def _class_matches(key: MarkingKey, wanted: str) -> bool:
    """`class:` semantics: the level word, a caveat, or the whole banner."""
    return (
        key.classification == wanted
        or wanted in key.caveats.upper()
        or f"{key.classification}//{key.caveats}" == wanted
    )


# --- loading and caching ----------------------------------------------------------------------


_EPOCH_SQL = {
    # SQLite keeps naive UTC text; PostgreSQL a timestamptz.
    "sqlite": "(julianday(created) - 2440587.5) * 86400.0",
    "postgresql": "extract(epoch FROM created)::float8",
}


def load(session: Session, token: int) -> Catalogue:
    """Read every cable's catalogue fields (one query, through the driver: at 100,000 rows
    the ORM's per-value conversions cost more than the read) into a new `Catalogue`."""
    epoch = _EPOCH_SQL[session.get_bind().dialect.name]
    rows = (
        session.connection()
        .exec_driver_sql(
            f"SELECT doc_id, id, {epoch}, origin, classification, caveats, rel_to, "
            "shared_with_partner, month, tag_list FROM cables ORDER BY doc_id"
        )
        .fetchall()
    )
    n = len(rows)
    if n:
        doc_ids, ids, created_at, origins, levels, caveats, rel_to, shared, months, tags = (
            list(column) for column in zip(*rows, strict=True)
        )
    else:
        doc_ids, ids, created_at, origins, levels, caveats, rel_to, shared, months, tags = (
            [] for _ in range(10)
        )
    created = np.array([float("nan") if t is None else t for t in created_at], dtype=np.float64)
    flat_tags, tag_counts = _split_tag_lists(tags)
    tag_codes = Codes.of(flat_tags)
    tag_positions = np.repeat(np.arange(n, dtype=np.intp), tag_counts)
    id_order = sorted(range(n), key=ids.__getitem__)
    id_rank = np.empty(n, dtype=np.intp)
    id_rank[id_order] = np.arange(n)
    # Newest first; undated last; ties by id.
    newest_order = np.lexsort((id_rank, np.isnan(created), -np.nan_to_num(created)))
    newest_rank = np.empty(n, dtype=np.intp)
    newest_rank[newest_order] = np.arange(n)
    markings = Codes.of(
        list(
            zip(levels, [c or "" for c in caveats], [r or "" for r in rel_to], shared, strict=True)
        )
    )
    doc_id_array = np.array(doc_ids, dtype=np.int64)
    return Catalogue(
        token=token,
        key=secrets.randbits(63),
        doc_ids=doc_id_array,
        ids=ids,
        created=created,
        origin=Codes.of(origins),
        marking=Codes(
            [MarkingKey(lvl, cav, rel, bool(sh)) for lvl, cav, rel, sh in markings.values],
            markings.codes,
        ),
        year=Codes.of([(m or "")[:4] or NONE for m in months]),
        tag_values=tag_codes.values,
        tag_positions=tag_positions,
        tag_codes=tag_codes.codes,
        newest_rank=newest_rank,
        id_rank=id_rank,
        marking_banners=Codes.of([banner(lvl, cav) for lvl, cav, _, _ in markings.values]),
        _by_id={cable_id: position for position, cable_id in enumerate(ids)},
        rows_of=_audience_rows(session, doc_id_array),
    )


def _audience_rows(session: Session, doc_ids: npt.NDArray[np.int64]) -> dict[str, Positions]:
    """Positions of the cables with a row of each non-root audience (few: only cables whose
    paragraphs read differently at that audience's level)."""
    found: dict[str, list[int]] = {}
    if session.get_bind().dialect.name == "sqlite":
        audiences = by_rowid_slot()
        for table in sorted({a.table for a in audiences.values()}):
            rowids = session.execute(
                text(f"SELECT rowid FROM {table} WHERE rowid > :root"), {"root": DOC_MASK}
            ).scalars()
            for rowid in rowids:
                audience = audiences.get((table, rowid >> SLOT_SHIFT))
                if audience is not None:
                    found.setdefault(audience.name, []).append(rowid & DOC_MASK)
    else:
        rows = session.execute(
            text(
                "SELECT audience, doc_id FROM cable_search "
                "WHERE audience <> 'all' AND audience <> 'partner'"
            )
        )
        for name, doc_id in rows:
            found.setdefault(name, []).append(doc_id)
    result: dict[str, Positions] = {}
    for name, docs in found.items():
        wanted = np.array(docs, dtype=np.int64)
        located: Positions = np.minimum(np.searchsorted(doc_ids, wanted), max(len(doc_ids) - 1, 0))
        if len(doc_ids):
            result[name] = located[doc_ids[located] == wanted]
    return result


def _split_tag_lists(tag_lists: list[str | None]) -> tuple[list[str], npt.NDArray[np.intp]]:
    """Every tag of every cable in order, and how many each cable has. Tag lists are written
    single-space-joined, so one split of the whole and a count of spaces per cable do it."""
    present = [t.strip() for t in tag_lists if t and t.strip()]
    flat = " ".join(present).split()
    counts = np.fromiter(
        ((t.count(" ") + 1) if t and t.strip() else 0 for t in tag_lists),
        dtype=np.intp,
        count=len(tag_lists),
    )
    if int(counts.sum()) != len(flat):  # irregular spacing: split cable by cable
        lists = [(t or "").split() for t in tag_lists]
        flat = [tag for tags in lists for tag in tags]
        counts = np.fromiter(map(len, lists), dtype=np.intp, count=len(lists))
    return flat, counts


class _Cache:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.catalogue: Catalogue | None = None


_caches: weakref.WeakKeyDictionary[Pool, _Cache] = weakref.WeakKeyDictionary()
"""One catalogue per connection pool: `session_factory` binds each sessionmaker to a new
`execution_options` copy of the engine, and the copies share their engine's pool. Keyed by
the copy, every `transaction(engine)` or `session_factory(engine)()` caller rebuilt the
catalogue (0.7-2 s at 100,000 cables) and kept one more in memory until collected."""
_caches_lock = threading.Lock()


def current(session: Session) -> Catalogue:
    """The catalogue of what `session` can see now: cached per engine, rebuilt when the
    database's token differs from the cached one."""
    token = current_token(session)
    pool = engine_of(session).pool
    with _caches_lock:
        cache = _caches.setdefault(pool, _Cache())
    cached = cache.catalogue
    if cached is not None and cached.token == token:
        return cached
    with cache.lock:  # one rebuild at a time; the others wait and reuse it
        cached = cache.catalogue
        if cached is not None and cached.token == token:
            return cached
        fresh = load(session, token)
        cache.catalogue = fresh
        return fresh
