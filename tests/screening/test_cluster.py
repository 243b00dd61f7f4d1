"""Batch screening on a local Dask cluster gives exactly the single-process results."""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

import pytest

from npdesk.screening import Query, Screener, ScreeningIndex
from npdesk.screening.batch import batch_hit
from npdesk.screening.cluster import ClusterUnavailable, screen_on_cluster

# Untyped for strict mypy, like in npdesk.screening.cluster.
distributed: Any = importlib.import_module("distributed")


def test_cluster_results_equal_single_process(index: ScreeningIndex, tmp_path: Path) -> None:
    path = tmp_path / "lists.idx"
    index.save(path)
    names = [
        "Fangwei Li",
        "李方伟",
        "China Natl Precision Mach I/E Corp",
        "Nobody Fictional",
        "LIMMT Dalian Metallurgy",
        "長安海連技術有限公司",
        "Cheung Long-pao",
    ] * 30
    queries = [Query(n) for n in names]
    single = Screener(index)
    expected = [[batch_hit(h) for h in single.screen(q, top=5)] for q in queries]
    done: list[int] = []
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None
    ) as cluster:
        rows = screen_on_cluster(
            path, queries, cluster.scheduler_address, top=5, progress=done.append, chunk=50
        )
    assert rows == expected
    assert sum(done) == len(queries)


def test_unreachable_scheduler_is_a_clear_error(index: ScreeningIndex, tmp_path: Path) -> None:
    path = tmp_path / "lists.idx"
    index.save(path)
    with pytest.raises(ClusterUnavailable):
        screen_on_cluster(path, [Query("Fangwei Li")], "tcp://127.0.0.1:9", connect_timeout=1)
