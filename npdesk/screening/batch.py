"""Screening many queries at once, spread over worker processes.

Each worker loads the stored index once (a fast cold start is what makes this pay), then
screens chunks of queries and sends back compact rows (not whole entries with explanations,
whose pickling would cost more than the screening). Results come back in input order and are
identical to a single-process run, because screening one query never depends on another."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from npdesk.screening.index import load_index
from npdesk.screening.matcher import Hit, Query, Screener

CHUNK = 500


@dataclass(frozen=True, slots=True)
class BatchHit:
    """One hit as a batch result row."""

    list_name: str
    source_id: str
    name: str
    matched_name: str
    score: float
    band: str | None
    summary: str


def batch_hit(hit: Hit) -> BatchHit:
    return BatchHit(
        hit.entry.list_name,
        hit.entry.source_id,
        hit.entry.name,
        hit.matched_name,
        hit.score,
        hit.band.value if hit.band else None,
        hit.explanation.summary(),
    )


_worker_screener: Screener | None = None


def _start_worker(index_path: str) -> None:
    global _worker_screener
    _worker_screener = Screener(load_index(Path(index_path)))


def screen_chunk(
    screener: Screener, queries: Sequence[Query], min_score: float | None, top: int | None
) -> list[list[BatchHit]]:
    """Batch rows for `queries` screened one after another by `screener`."""
    return [
        [batch_hit(h) for h in screener.screen(q, min_score=min_score, top=top)] for q in queries
    ]


def _screen_in_worker(
    queries: list[Query], min_score: float | None, top: int | None
) -> list[list[BatchHit]]:
    assert _worker_screener is not None, "worker started without an index"
    return screen_chunk(_worker_screener, queries, min_score, top)


def _chunks(queries: Sequence[Query], size: int) -> Iterator[list[Query]]:
    for start in range(0, len(queries), size):
        yield list(queries[start : start + size])


def screen_parallel(
    index_path: Path,
    queries: Sequence[Query],
    workers: int,
    min_score: float | None = None,
    top: int | None = None,
    progress: Callable[[int], None] | None = None,
) -> list[list[BatchHit]]:
    """Rows for each of `queries` (in order) from `workers` processes that each load the index
    at `index_path` (one worker: this process). `progress` is called with the number of queries
    each finished chunk held. A query that raises QueryError fails the whole call; validate
    queries first."""
    results: list[list[BatchHit]] = []
    if workers <= 1:
        screener = Screener(load_index(index_path))
        for chunk in _chunks(queries, CHUNK):
            results.extend(screen_chunk(screener, chunk, min_score, top))
            if progress is not None:
                progress(len(chunk))
        return results
    with ProcessPoolExecutor(
        max_workers=workers, initializer=_start_worker, initargs=(str(index_path),)
    ) as pool:
        futures = [
            pool.submit(_screen_in_worker, chunk, min_score, top)
            for chunk in _chunks(queries, CHUNK)
        ]
        for future in futures:
            rows = future.result()
            results.extend(rows)
            if progress is not None:
                progress(len(rows))
    return results
