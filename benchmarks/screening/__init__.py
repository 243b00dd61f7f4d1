"""Screening benchmark: labelled queries from the lists (see `generator`), recall per category
and the alert rate on negatives, throughput and latency, side by side with brute-force
rapidfuzz and nomenklatura's logic-v2 / logic-v1 in one run. Appends a "## Screening" section
to docs/benchmarks.md.

Run: .venv/bin/python -m benchmarks screening   (or `main(["--shared", "../shared"])`)"""

from __future__ import annotations

import argparse
import logging
import os
import platform
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path

from benchmarks.screening.baselines import (
    NOMENKLATURA_THRESHOLD,
    EntryKey,
    brute_force,
    candidate_entries,
    nomenklatura_scorers,
)
from benchmarks.screening.generator import (
    CHINESE_CATEGORIES,
    LATIN_CATEGORIES,
    NEGATIVE_CATEGORIES,
    POSITIVE_CATEGORIES,
    Generator,
    LabelledQuery,
)
from npdesk.screening import LoadedList, Query, Screener, build_index, load_list
from npdesk.screening.batch import screen_parallel
from npdesk.screening.cluster import screen_on_cluster

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs" / "benchmarks.md"
LIST_FILES = ("ofac-sdn", "un-consolidated.xml", "us-csl-sample.csv", "bis-dpl.txt")


def _rates(
    queries: Sequence[LabelledQuery], hits: Sequence[set[EntryKey]]
) -> dict[str, tuple[float, int]]:
    """Per category: recall (positives) or alert rate (negatives), and the query count."""
    good: dict[str, int] = defaultdict(int)
    total: dict[str, int] = defaultdict(int)
    for query, found in zip(queries, hits, strict=True):
        total[query.category] += 1
        if query.expected is None:
            good[query.category] += bool(found)
        else:
            good[query.category] += query.expected in found
    for group, members in (
        ("latin (all)", LATIN_CATEGORIES),
        ("negatives (all)", NEGATIVE_CATEGORIES),
    ):
        total[group] = sum(total[c] for c in members)
        good[group] = sum(good[c] for c in members)
    return {c: (good[c] / total[c] if total[c] else float("nan"), total[c]) for c in total}


def _cold_start(index_path: Path) -> float:
    script = (
        "import sys, time; t = time.perf_counter()\n"
        "from pathlib import Path\n"
        "from npdesk.screening import Query, Screener, load_index\n"
        "Screener(load_index(Path(sys.argv[1]))).screen(Query('Fangwei Li'))\n"
        "print(time.perf_counter() - t)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", script, str(index_path)],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    return float(out.stdout)


def _machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    return (
        f"nproc {os.cpu_count()}, {cpu}, Python {platform.python_version()}, "
        f"{platform.system()} {platform.release()}; load average {load} at the end of the run "
        "(other work shares the machine)"
    )


def main(argv: list[str] | None = None) -> None:
    """Run the benchmark and print/append its report. Arguments: --shared DIR,
    --per-category N (default 250), --anchor-sample N (queries per category the nomenklatura
    anchors score; default 40), --workers N (batch processes; default nproc), --no-docs."""
    parser = argparse.ArgumentParser(prog="benchmarks.screening")
    parser.add_argument("--shared", default=str(ROOT.parent / "shared"))
    parser.add_argument("--per-category", type=int, default=250)
    parser.add_argument("--anchor-sample", type=int, default=40)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument(
        "--large", type=int, default=100_000, help="names in the volume run (0 to skip)"
    )
    parser.add_argument("--no-docs", action="store_true")
    args = parser.parse_args(argv)
    folder = Path(args.shared) / "data" / "sanctions"

    started = time.perf_counter()
    lists = [load_list(folder / name) for name in LIST_FILES]
    load_seconds = time.perf_counter() - started
    started = time.perf_counter()
    index = build_index(lists)
    build_seconds = time.perf_counter() - started
    with tempfile.TemporaryDirectory() as tmp:
        index_path = Path(tmp) / "lists.idx"
        index.save(index_path)
        index_mb = index_path.stat().st_size / 1e6
        cold = sorted(_cold_start(index_path) for _ in range(3))[1]

        queries = Generator(lists, per_category=args.per_category).generate()
        texts = [q.text for q in queries]
        screener = Screener(index)
        screener.screen(Query("warm up"))
        ours: list[set[EntryKey]] = []
        latencies: list[float] = []
        for text in texts:
            t0 = time.perf_counter()
            hits = screener.screen(Query(text))
            latencies.append(time.perf_counter() - t0)
            ours.append({(h.entry.list_name, h.entry.source_id) for h in hits})
        single_qps = len(texts) / sum(latencies)
        latencies.sort()
        p50 = latencies[len(latencies) // 2] * 1000
        p95 = latencies[int(len(latencies) * 0.95)] * 1000

        started = time.perf_counter()
        parallel = screen_parallel(index_path, [Query(t) for t in texts], workers=args.workers)
        batch_qps = len(texts) / (time.perf_counter() - started)
        same = all(
            {(h.list_name, h.source_id) for h in hits} == mine
            for hits, mine in zip(parallel, ours, strict=True)
        )

        volume_line = ""
        if args.large:
            volume_line = _volume_run(lists, index_path, args.large, args.workers)

    started = time.perf_counter()
    brute = brute_force(index, texts)
    brute_qps = len(texts) / (time.perf_counter() - started)

    sample_ids: list[int] = []
    per_category: dict[str, int] = defaultdict(int)
    for i, query in enumerate(queries):
        if per_category[query.category] < args.anchor_sample:
            per_category[query.category] += 1
            sample_ids.append(i)
    sample = [queries[i] for i in sample_ids]
    anchors: dict[str, tuple[list[set[EntryKey]], float]] = {}
    try:
        scorers = nomenklatura_scorers()
    except ImportError as error:
        print(f"nomenklatura not available: {error}")
        scorers = {}
    for name, score in scorers.items():
        score("warm up", index.entries[0])
        found: list[set[EntryKey]] = []
        started = time.perf_counter()
        for query in sample:
            found.append(
                {
                    (e.list_name, e.source_id)
                    for e in candidate_entries(index, query.text)
                    if score(query.text, e) >= NOMENKLATURA_THRESHOLD
                }
            )
        anchors[name] = (found, len(sample) / (time.perf_counter() - started))

    rates_ours = _rates(queries, ours)
    rates_brute = _rates(queries, brute)
    rates_ours_sample = _rates(sample, [ours[i] for i in sample_ids])
    rates_anchor = {name: _rates(sample, found) for name, (found, _qps) in anchors.items()}

    rows = [*POSITIVE_CATEGORIES, "latin (all)", *NEGATIVE_CATEGORIES, "negatives (all)"]
    lines = [
        "## Screening",
        "",
        f"Machine: {_machine()}. Run {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}.",
        "",
        f"Index: {len(index.entries)} entries, {len(index.names)} searchable names "
        f"(OFAC SDN with aliases, UN, CSL sample, DPL); lists load {load_seconds:.2f} s, "
        f"index builds {build_seconds:.2f} s, {index_mb:.1f} MB on disk; **cold start "
        f"(new process: import, load stored index, first query) {cold:.2f} s**.",
        "",
        f"npdesk: **{single_qps:.0f} queries/s single process, {batch_qps:.0f} queries/s batch "
        f"with {args.workers} processes** (counting their start and index load; same hits as "
        f"single process: {same}); single query "
        f"p50 {p50:.1f} ms, **p95 {p95:.1f} ms**. Brute-force rapidfuzz `cdist` "
        f"(token_sort_ratio >= 85, all cores): {brute_qps:.0f} queries/s. "
        + ", ".join(
            f"nomenklatura {n} (threshold {NOMENKLATURA_THRESHOLD}) on npdesk's "
            f"candidates: {qps:.1f} queries/s"
            for n, (_f, qps) in anchors.items()
        ),
        "",
        volume_line,
        "",
        "Recall (expected entry among hits at or above the review threshold 0.75) for positives; "
        "share of queries with any hit for negatives. nomenklatura columns score a sample of "
        f"{args.anchor_sample} queries per category (npdesk on the same sample beside them).",
        "",
        "| category | n | npdesk | rapidfuzz brute force | n sample | npdesk (sample) | "
        + " | ".join(anchors)
        + " |",
        "| --- | ---: | ---: | ---: | ---: | ---: | " + " | ".join("---:" for _ in anchors) + " |",
    ]
    for row in rows:
        recall, n = rates_ours.get(row, (float("nan"), 0))
        brute_rate = rates_brute.get(row, (float("nan"), 0))[0]
        sample_rate, sample_n = rates_ours_sample.get(row, (float("nan"), 0))
        anchor_cells = " | ".join(
            f"{rates_anchor[a].get(row, (float('nan'), 0))[0]:.2f}" for a in anchors
        )
        lines.append(
            f"| {row} | {n} | {recall:.2f} | {brute_rate:.2f} | {sample_n} | "
            f"{sample_rate:.2f} | {anchor_cells} |"
        )
    lines += [
        "",
        "Categories: `latin (all)` pools exact, word order, legal forms, abbreviations, extra and "
        "dropped words, typos, Wade-Giles/Cantonese, pinyin split; Chinese-character queries "
        f"({', '.join(CHINESE_CATEGORIES)}) are written from listed Chinese persons and firms "
        "(characters picked by reading, so they sound right but are not the parties' real "
        "characters) plus the Chinese-script names the UN list carries, switched between "
        "simplified and traditional; acronyms are initials of listed firm names; negatives are "
        "real company names, common person names and listed firm names with the distinctive "
        "word changed (look-alikes).",
        "",
    ]
    report = "\n".join(lines)
    print(report)
    if not args.no_docs:
        _write_section(report)


def _volume_run(lists: list[LoadedList], index_path: Path, count: int, workers: int) -> str:
    """Screen `count` distinct names with `workers` processes and on a local Dask cluster of
    `workers` worker processes; report both rates and whether the results are identical."""
    import distributed

    # Workers log a heartbeat error when the cluster shuts down under them; it means nothing.
    logging.getLogger("distributed").setLevel(logging.CRITICAL)
    names = Generator(lists, seed=7).volume(count)
    queries = [Query(n) for n in names]
    started = time.perf_counter()
    local = screen_parallel(index_path, queries, workers=workers, top=5)
    local_seconds = time.perf_counter() - started
    with distributed.LocalCluster(  # type: ignore[no-untyped-call]
        n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster:
        started = time.perf_counter()
        on_cluster = screen_on_cluster(index_path, queries, cluster.scheduler_address, top=5)
        cluster_seconds = time.perf_counter() - started
    with_hits = sum(1 for rows in local if rows)
    return (
        f"Volume: {count:,} distinct names (listed names with a typo, legal-form, order or "
        f"dropped-word change, and invented names; {with_hits:,} with hits): "
        f"{count / local_seconds:.0f} names/s with {workers} processes "
        f"({local_seconds:.0f} s), {count / cluster_seconds:.0f} names/s on a local Dask "
        f"cluster of {workers} worker processes ({cluster_seconds:.0f} s, including shipping "
        f"the index to the workers); identical results: {local == on_cluster}. (Screening "
        "only; `npdesk screen --batch` also stores every screening.)"
    )


def _write_section(report: str) -> None:
    """Replace the "## Screening" section of docs/benchmarks.md (or append it)."""
    text = DOCS.read_text(encoding="utf-8") if DOCS.exists() else "# Benchmarks\n"
    start = text.find("\n## Screening")
    if start >= 0:
        end = text.find("\n## ", start + 1)
        text = text[:start] + (text[end:] if end >= 0 else "")
    DOCS.write_text(text.rstrip("\n") + "\n\n" + report, encoding="utf-8")
