"""Batch screening on a Dask cluster (`npdesk screen --batch ... --scheduler ADDRESS`).

The index file's bytes are broadcast to every worker once; each worker loads them into a
screener it keeps for the rest of the run, then screens chunks of queries. Results come back
in input order and equal a single-process run: screening one query depends on no other.
Dask is optional (the dev extra installs it); without it this raises a clear error."""

from __future__ import annotations

import hashlib
import importlib
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from npdesk.screening.batch import BatchHit, screen_chunk
from npdesk.screening.index import load_index_bytes
from npdesk.screening.matcher import Query, Screener

CLUSTER_CHUNK = 2000

_screeners: dict[str, Screener] = {}
_screeners_lock = threading.Lock()


class ClusterUnavailable(RuntimeError):
    """Dask is not installed or the scheduler cannot be reached."""


def _screener_for(digest: str, raw: bytes) -> Screener:
    """The worker's screener for the index with `digest`, loaded once per worker process."""
    with _screeners_lock:
        screener = _screeners.get(digest)
        if screener is None:
            screener = Screener(load_index_bytes(raw, f"index {digest[:12]}"))
            _screeners.clear()
            _screeners[digest] = screener
        return screener


def _screen_on_worker(
    digest: str, raw: bytes, queries: list[Query], min_score: float | None, top: int | None
) -> list[list[BatchHit]]:
    return screen_chunk(_screener_for(digest, raw), queries, min_score, top)


def screen_on_cluster(
    index_path: Path,
    queries: Sequence[Query],
    scheduler: str,
    min_score: float | None = None,
    top: int | None = None,
    progress: Callable[[int], None] | None = None,
    chunk: int = CLUSTER_CHUNK,
    connect_timeout: float = 10.0,
) -> list[list[BatchHit]]:
    """Rows for each of `queries` (in order), screened on the Dask cluster whose scheduler is
    at `scheduler` (e.g. "tcp://10.0.0.5:8786"). `progress` gets each finished chunk's size.
    Raises ClusterUnavailable when Dask is missing or the scheduler does not answer."""
    try:
        # Imported as an untyped module: distributed's API has no annotations for strict mypy.
        distributed: Any = importlib.import_module("distributed")
    except ImportError as error:
        raise ClusterUnavailable("--scheduler needs dask[distributed] installed") from error
    raw = index_path.read_bytes()
    digest = hashlib.sha256(raw).hexdigest()
    try:
        client = distributed.Client(scheduler, timeout=f"{connect_timeout}s")
    except (OSError, TimeoutError) as error:
        raise ClusterUnavailable(f"cannot reach the Dask scheduler at {scheduler}") from error
    try:
        shared = client.scatter(raw, broadcast=True)
        futures: dict[Any, int] = {}
        for position, start in enumerate(range(0, len(queries), chunk)):
            part = list(queries[start : start + chunk])
            future = client.submit(
                _screen_on_worker, digest, shared, part, min_score, top, pure=False
            )
            futures[future] = position
        parts: dict[int, list[list[BatchHit]]] = {}
        for future in distributed.as_completed(list(futures)):
            rows = future.result()
            parts[futures[future]] = rows
            if progress is not None:
                progress(len(rows))
        return [row for position in sorted(parts) for row in parts[position]]
    finally:
        client.close()
