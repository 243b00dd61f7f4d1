"""Store benchmarks: ingest rate of the 800-page corpus (parse included) into SQLite and into
PostgreSQL, and search latency through the HTTP API on a 100,000-cable database made by
replicating the corpus with new ids. Both backends are measured side by side in one run."""

from __future__ import annotations

import argparse
import random
import shutil
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import text
from sqlalchemy.engine import Engine

from npdesk.security.model import LOCAL_OPERATOR, Level, Party, Role
from npdesk.services import accounts
from npdesk.services.ingest import ingest_paths
from npdesk.store.db import make_engine, transaction
from npdesk.store.schema import upgrade
from npdesk.store.textcache import CACHE
from npdesk.testing.postgres import PostgresCluster, start_cluster
from npdesk.testing.server import running_server

PASSWORD = "benchmark passphrase 2008"
DOC_STRIDE = 1_000_000  # copy k of a cable gets doc_id + k * DOC_STRIDE
CHILD_TABLES = {
    "cable_recipients": "cable_id, position, route, name, precedence, serial",
    "cable_tags": "cable_id, position, tag",
    "cable_references": "cable_id, position, label, ref_id, text",
    "cable_paragraphs": (
        "cable_id, position, number, portion, text, classification, caveats, rel_to, "
        "shared_with_partner"
    ),
}
CABLE_COLUMNS = (
    "origin, created, month, precedence, subject, handling, classified_by, reasons, "
    "declassify_on, declassify_raw, signers, source_format, version, content_hash, "
    "tag_list, classification, caveats, rel_to, shared_with_partner"
)


def measure_ingest(engine: Engine, corpus: Path) -> float:
    """Cables per second for a first ingest of `corpus` (parse included)."""
    start = time.perf_counter()
    report = ingest_paths(engine, [corpus], source="bench")
    elapsed = time.perf_counter() - start
    return report.ingested / elapsed


def replicate(engine: Engine, copies: int) -> int:
    """Add `copies` copies of every stored cable under new ids (`<id>-<k>`), with their
    parts, versions and search rows; returns the number of cables afterwards."""
    sqlite = engine.dialect.name == "sqlite"
    concat = "||"
    rum = False
    if not sqlite:  # bulk copy: build the full-text index once afterwards, as a DBA would
        with engine.begin() as conn:
            rum = bool(
                conn.execute(
                    text("SELECT count(*) FROM pg_indexes WHERE indexname = 'ix_cable_search_rum'")
                ).scalar_one()
            )
            if rum:
                conn.execute(text("DROP INDEX ix_cable_search_rum"))
    with engine.begin() as conn:
        for k in range(1, copies + 1):
            suffix = f"'-{k}'"
            conn.execute(
                text(
                    f"INSERT INTO cables (id, doc_id, {CABLE_COLUMNS}) "
                    f"SELECT id {concat} {suffix}, doc_id + {k * DOC_STRIDE}, "
                    f"{CABLE_COLUMNS} FROM cables WHERE id NOT LIKE '%-%'"
                )
            )
            for table, columns in CHILD_TABLES.items():
                rest = columns.split(", ", 1)[1]
                conn.execute(
                    text(
                        f"INSERT INTO {table} ({columns}) SELECT cable_id {concat} {suffix}, "
                        f"{rest} FROM {table} WHERE cable_id NOT LIKE '%-%'"
                    )
                )
            if sqlite:
                for fts in ("cable_fts", "cable_fts_partner"):
                    conn.execute(
                        text(
                            f"INSERT INTO {fts} (rowid, subject, body) "
                            f"SELECT rowid + {k * DOC_STRIDE}, subject, body "
                            f"FROM {fts} WHERE rowid < {DOC_STRIDE}"
                        )
                    )
            else:
                conn.execute(
                    text(
                        "INSERT INTO cable_search (cable_id, doc_id, audience, subject, body, tsv) "
                        f"SELECT cable_id {concat} {suffix}, doc_id + {k * DOC_STRIDE}, audience, "
                        "subject, body, tsv FROM cable_search WHERE cable_id NOT LIKE '%-%'"
                    )
                )
        if rum:
            conn.execute(
                text(
                    "CREATE INDEX ix_cable_search_rum ON cable_search "
                    "USING rum (tsv rum_tsvector_ops)"
                )
            )
        total = conn.execute(text("SELECT count(*) FROM cables")).scalar_one()
    if not sqlite:
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE"))
    else:
        with engine.begin() as conn:
            conn.execute(text("ANALYZE"))
    return int(total)


def mixed_queries(count: int, seed: int = 2008) -> list[str]:
    """A reproducible mix of the query language: words, phrases, exclusions, filters."""
    rng = random.Random(seed)
    words = [
        "nuclear",
        "export",
        "missile",
        "iran",
        "sanctions",
        "minister",
        "election",
        "embassy",
        "oil",
        "military",
        "corruption",
        "visit",
        "agreement",
        "police",
        "trade",
        "terrorism",
        "uranium",
        "border",
        "parliament",
        "reform",
        "china",
        "bank",
    ]
    phrases = ['"export control"', '"prime minister"', '"human rights"', '"foreign minister"']
    filters = [
        "tag:PREL",
        "tag:PGOV",
        "tag:PARM",
        "tag:ETTC",
        "origin:MOSCOW",
        "origin:PARIS",
        "class:SECRET",
        "class:CONFIDENTIAL",
        "from:2009-01 to:2009-12",
        "from:2008-01",
    ]
    queries = []
    for _ in range(count):
        shape = rng.randrange(6)
        if shape == 0:
            q = rng.choice(words)
        elif shape == 1:
            q = " ".join(rng.sample(words, 2))
        elif shape == 2:
            q = rng.choice(phrases)
        elif shape == 3:
            q = f"{rng.choice(words)} -{rng.choice(words)}"
        elif shape == 4:
            q = f"{rng.choice(words)} {rng.choice(filters)}"
        else:
            q = rng.choice(filters)
        queries.append(q)
    return queries


def measure_search(engine: Engine, queries: list[str]) -> dict[str, float]:
    """Latency (ms) of GET /api/v1/search through a real HTTP server: the first search (which
    builds the in-memory catalogue), then the queries twice: with the text cache off ("cold":
    every query asks the database), and on, starting empty (hits only from earlier queries of
    the same run)."""
    with transaction(engine) as session:
        accounts.add_user(
            session,
            LOCAL_OPERATOR,
            username="bench",
            password=PASSWORD,
            party=Party.HOME,
            role=Role.OFFICER,
            clearance=Level.TS,
            source="bench",
        )
    figures: dict[str, float] = {}
    capacity = CACHE.capacity
    with running_server(engine) as base, httpx.Client(base_url=base, timeout=120) as client:
        token = client.post(
            "/api/v1/auth/token", json={"username": "bench", "password": PASSWORD}
        ).json()["access_token"]
        headers = {"Authorization": f"Bearer {token}"}

        def timed(q: str) -> float:
            start = time.perf_counter()
            response = client.get("/api/v1/search", params={"q": q}, headers=headers)
            elapsed = (time.perf_counter() - start) * 1000
            response.raise_for_status()
            return elapsed

        figures["first_ms"] = timed("from:2000")
        for label, size in (("cold", 0), ("cached", capacity)):
            CACHE.clear()
            CACHE.capacity = size
            hits_before, misses_before = CACHE.hits, CACHE.misses
            timings = sorted(timed(q) for q in queries)
            figures[f"{label}_median_ms"] = statistics.median(timings)
            figures[f"{label}_p95_ms"] = timings[int(len(timings) * 0.95) - 1]
            figures[f"{label}_max_ms"] = timings[-1]
            looked_up = CACHE.hits - hits_before + CACHE.misses - misses_before
            figures[f"{label}_hit_ratio"] = (CACHE.hits - hits_before) / max(looked_up, 1)
    CACHE.capacity = capacity
    return figures


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--shared", default="../shared")
    parser.add_argument("--cables", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=200)
    args = parser.parse_args(argv)
    corpus = Path(args.shared) / "corpus" / "cablegate-2010"
    workdir = Path(tempfile.mkdtemp(prefix="npdesk-bench-"))
    cluster: PostgresCluster | None = None
    results: dict[str, dict[str, Any]] = {}
    try:
        cluster = start_cluster()
        engines = {
            "sqlite": make_engine(f"sqlite:///{workdir / 'bench.sqlite3'}"),
            "postgresql": make_engine(cluster.create_database("bench")),
        }
        for name, engine in engines.items():
            upgrade(engine)
            results[name] = {"ingest_cables_per_s": measure_ingest(engine, corpus)}
        copies = max(0, args.cables // 800 - 1)
        queries = mixed_queries(args.queries)
        for name, engine in engines.items():
            results[name]["cables"] = replicate(engine, copies)
            results[name].update(measure_search(engine, queries))
            engine.dispose()
    finally:
        if cluster is not None:
            cluster.stop()
        shutil.rmtree(workdir, ignore_errors=True)
    print("store benchmark (ingest: 800-page corpus, parse included; search: API, 200 queries)")
    for name, figures in results.items():
        print(
            f"  {name:10s} ingest {figures['ingest_cables_per_s']:7.1f} cables/s | "
            f"{figures.get('cables', 0):7d} cables, first search "
            f"{figures.get('first_ms', 0):6.0f} ms"
        )
        for label in ("cold", "cached"):
            print(
                f"  {'':10s} search, text cache {label:6s}: median "
                f"{figures.get(f'{label}_median_ms', 0):6.1f} ms, p95 "
                f"{figures.get(f'{label}_p95_ms', 0):6.1f} ms, max "
                f"{figures.get(f'{label}_max_ms', 0):6.1f} ms, hit ratio "
                f"{figures.get(f'{label}_hit_ratio', 0):.2f}"
            )


if __name__ == "__main__":
    main()
