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
from sqlalchemy import select, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from npdesk.security.model import User
from npdesk.store.db import banner
from npdesk.store.models.cables import CableRecord
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
class Codes:
    """A categorical column: `codes[position]` indexes `values`."""

    values: list[Any]
    codes: npt.NDArray[np.int32]

    @classmethod
    def of(cls, column: Sequence[Any]) -> Codes:
        index: dict[Any, int] = {}
        codes = np.fromiter(
            (index.setdefault(v, len(index)) for v in column), dtype=np.int32, count=len(column)
        )
        return cls(list(index), codes)

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
    _by_id: dict[str, int] = field(repr=False)

    @property
    def size(self) -> int:
        return len(self.ids)

    # --- masks ----------------------------------------------------------------------------

    def readable(self, user: User) -> Mask:
        """Cables `user` may read: the policy applied once per distinct marking."""
        return self.marking.mask(self.marking.wanted(lambda key: readable_row(key, user)))

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
        if not len(doc_ids) or not self.size:
            return np.empty(0, dtype=np.intp)
        found: Positions = np.minimum(np.searchsorted(self.doc_ids, doc_ids), self.size - 1)
        known: Mask = self.doc_ids[found] == doc_ids
        return found[known]

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
        marking_banners = Codes.of(
            [banner(k.classification, k.caveats) for k in self.marking.values]
        )
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


def load(session: Session, token: int) -> Catalogue:
    """Read every cable's catalogue fields (one query) into a new `Catalogue`."""
    rows = session.execute(
        select(
            CableRecord.doc_id,
            CableRecord.id,
            CableRecord.created,
            CableRecord.origin,
            CableRecord.classification,
            CableRecord.caveats,
            CableRecord.rel_to,
            CableRecord.shared_with_partner,
            CableRecord.month,
            CableRecord.tag_list,
        ).order_by(CableRecord.doc_id)
    ).all()
    n = len(rows)
    ids = [r[1] for r in rows]
    created = np.array([_posix(r[2]) for r in rows], dtype=np.float64)
    tag_index: dict[str, int] = {}
    tag_positions: list[int] = []
    tag_codes: list[int] = []
    for position, row in enumerate(rows):
        for tag in (row[9] or "").split():
            tag_positions.append(position)
            tag_codes.append(tag_index.setdefault(tag, len(tag_index)))
    id_order = sorted(range(n), key=ids.__getitem__)
    id_rank = np.empty(n, dtype=np.intp)
    id_rank[id_order] = np.arange(n)
    # Newest first; undated last; ties by id.
    newest_order = np.lexsort((id_rank, np.isnan(created), -np.nan_to_num(created)))
    newest_rank = np.empty(n, dtype=np.intp)
    newest_rank[newest_order] = np.arange(n)
    return Catalogue(
        token=token,
        key=secrets.randbits(63),
        doc_ids=np.array([r[0] for r in rows], dtype=np.int64),
        ids=ids,
        created=created,
        origin=Codes.of([r[3] for r in rows]),
        marking=Codes.of([MarkingKey(r[4], r[5] or "", r[6] or "", bool(r[7])) for r in rows]),
        year=Codes.of([(r[8] or "")[:4] or NONE for r in rows]),
        tag_values=list(tag_index),
        tag_positions=np.array(tag_positions, dtype=np.intp),
        tag_codes=np.array(tag_codes, dtype=np.int32),
        newest_rank=newest_rank,
        id_rank=id_rank,
        _by_id={cable_id: position for position, cable_id in enumerate(ids)},
    )


def _posix(moment: datetime | None) -> float:
    if moment is None:
        return float("nan")
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.timestamp()


class _Cache:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.catalogue: Catalogue | None = None


_caches: weakref.WeakKeyDictionary[Engine, _Cache] = weakref.WeakKeyDictionary()
_caches_lock = threading.Lock()


def current(session: Session) -> Catalogue:
    """The catalogue of what `session` can see now: cached per engine, rebuilt when the
    database's token differs from the cached one."""
    token = current_token(session)
    bind = session.get_bind()
    engine: Engine = bind if isinstance(bind, Engine) else bind.engine
    with _caches_lock:
        cache = _caches.setdefault(engine, _Cache())
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
