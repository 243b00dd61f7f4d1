"""Screening many queries at once, spread over worker processes.

Each worker loads the stored index once (a fast cold start is what makes this pay), then
screens chunks of queries; results come back in input order, identical to a single-process
run because screening one query never depends on another."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from npdesk.screening.index import load_index
from npdesk.screening.matcher import Hit, Query, Screener

CHUNK = 200

_worker_screener: Screener | None = None


def _start_worker(index_path: str) -> None:
    global _worker_screener
    _worker_screener = Screener(load_index(Path(index_path)))


def _screen_chunk(
    queries: list[Query], min_score: float | None, top: int | None
) -> list[list[Hit]]:
    assert _worker_screener is not None, "worker started without an index"
    return [_worker_screener.screen(q, min_score=min_score, top=top) for q in queries]


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
) -> list[list[Hit]]:
    """Hits for each of `queries` (in order) from `workers` processes that each load the index
    at `index_path`. `progress` is called with the number of queries each finished chunk held.
    A query that raises QueryError fails the whole call; validate queries first."""
    results: list[list[Hit]] = []
    with ProcessPoolExecutor(
        max_workers=max(1, workers), initializer=_start_worker, initargs=(str(index_path),)
    ) as pool:
        futures = [
            pool.submit(_screen_chunk, chunk, min_score, top) for chunk in _chunks(queries, CHUNK)
        ]
        for future in futures:
            chunk_hits = future.result()
            results.extend(chunk_hits)
            if progress is not None:
                progress(len(chunk_hits))
    return results
