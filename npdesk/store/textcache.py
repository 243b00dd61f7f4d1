"""What the database said about a query's text, kept for the next query with the same text.

An officer narrows a search by clicking facets (`minister` → `minister tag:PREL` →
`minister tag:PREL origin:PARIS`), pages through results and switches the sort: each step asks
the same full-text question again with different filters, which the catalogue applies in
memory. So the answers to the text alone (which cables match, the best-first prefix read so
far, the snippets already made) are kept in a small LRU, keyed by the catalogue they are
positions of (any change to the store brings a new catalogue and makes every entry
unreachable), the audience and the normalised text.

Bounded by bytes (`NPDESK_SEARCH_CACHE_MB`, default 64; 0 turns it off).
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from npdesk.store.catalogue import Positions
from npdesk.store.search_query import SearchQuery

Ranks = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Matches:
    """The cables whose text matches, as catalogue positions, with their ranks (lower is
    better) when the database gave them in the same pass."""

    positions: Positions
    ranks: Ranks | None = None

    def __len__(self) -> int:
        return len(self.positions)

    @property
    def nbytes(self) -> int:
        return self.positions.nbytes + (self.ranks.nbytes if self.ranks is not None else 0)


@dataclass(frozen=True)
class Prefix:
    """The best matches read so far, best first, and whether they are all of them.

    `positions` are sorted by (rank, tie order). Every match ranked strictly better than the
    last one read is present; of those tied with the last one, maybe only some."""

    positions: Positions
    ranks: Ranks
    exhausted: bool
    total_order: bool = False
    """Whether the database sorted ties too (then the prefix is a prefix of the final order,
    and any `need` eligible rows in it are the answer)."""

    @property
    def nbytes(self) -> int:
        return self.positions.nbytes + self.ranks.nbytes

    def page(self, eligible: npt.NDArray[np.bool_], need: int) -> Positions | None:
        """The `need` best eligible matches if this prefix can tell them, else None."""
        keep = eligible[self.positions]
        kept = self.positions[keep]
        if len(kept) < need and not self.exhausted:
            return None
        if self.exhausted or need == 0 or self.total_order:
            return kept[:need]
        boundary = self.ranks[keep][need - 1]
        if boundary < self.ranks[-1]:  # every match tied with the boundary has been read
            return kept[:need]
        return None


@dataclass(frozen=True)
class Snippets:
    """Highlighted snippets already made for a text, by cable id (pages seen before)."""

    texts: dict[str, str]

    @property
    def nbytes(self) -> int:
        return sum(len(k) + len(v) * 2 + 100 for k, v in self.texts.items())


Entry = Matches | Prefix | Snippets
Key = tuple[int, str, str, tuple[str, ...]]


def text_key(catalogue_key: int, audience: str, kind: str, query: SearchQuery) -> Key:
    text = (*sorted(query.words), "|", *sorted(query.phrases), "-", *sorted(query.excluded))
    return (catalogue_key, audience, kind, text)


class TextCache:
    def __init__(self, capacity_bytes: int) -> None:
        self.capacity = capacity_bytes
        self.used = 0
        self.entries: OrderedDict[Key, Entry] = OrderedDict()
        self.lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def clear(self) -> None:
        with self.lock:
            self.entries.clear()
            self.used = 0

    def get(self, key: Key) -> Entry | None:
        with self.lock:
            entry = self.entries.get(key)
            if entry is None:
                self.misses += 1
                return None
            self.entries.move_to_end(key)
            self.hits += 1
            return entry

    def put(self, key: Key, entry: Entry) -> None:
        size = entry.nbytes + 200
        if size > self.capacity:
            return
        with self.lock:
            old = self.entries.pop(key, None)
            if old is not None:
                self.used -= old.nbytes + 200
            self.entries[key] = entry
            self.used += size
            while self.used > self.capacity:
                _, evicted = self.entries.popitem(last=False)
                self.used -= evicted.nbytes + 200


def _capacity() -> int:
    try:
        megabytes = float(os.environ.get("NPDESK_SEARCH_CACHE_MB", "64"))
    except ValueError:
        megabytes = 64.0
    return max(0, int(megabytes * 1024 * 1024))


CACHE = TextCache(_capacity())
"""One per process: keys carry the key of the catalogue whose positions they hold."""
