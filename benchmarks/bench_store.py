"""Store benchmarks: ingest rate of the 800-page corpus (parse included) into SQLite and into
PostgreSQL, and search latency through the HTTP API on a 100,000-cable database made by
replicating the corpus with new ids. Both backends are measured side by side in one run."""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import text
from sqlalchemy.engine import Engine

from benchmarks.search_server import separate_server
from npdesk.security.model import LOCAL_OPERATOR, Level, Party, Role
from npdesk.services import accounts
from npdesk.services.ingest import ingest_paths
from npdesk.services.release import ReleaseRefused, release_cable
from npdesk.store.audiences import DOC_MASK
from npdesk.store.db import make_engine, session_factory, transaction
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
                # Every audience's rows (rowid = slot << 32 | doc_id, `store.audiences`).
                for fts in ("cable_fts", "cable_fts_partner"):
                    conn.execute(
                        text(
                            f"INSERT INTO {fts} (rowid, subject, body) "
                            f"SELECT rowid + {k * DOC_STRIDE}, subject, body "
                            f"FROM {fts} WHERE (rowid & {DOC_MASK}) < {DOC_STRIDE}"
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


READERS = {
    # name: (party, role, clearance, country)
    "home TS": (Party.HOME, Role.OFFICER, Level.TS, None),
    "home C": (Party.HOME, Role.REVIEWER, Level.C, None),
    "partner U": (Party.PARTNER, Role.LIAISON, Level.U, "CHN"),
    "partner C": (Party.PARTNER, Role.LIAISON, Level.C, "CHN"),
}
"""Readers whose searches are timed side by side: the officer reads every row; the others
read their own clearance's rows where a cable's paragraphs differ (`store.audiences`)."""

RELEASED = 200
"""Corpus cables released to the partner before replication (every allowed paragraph)."""


def release_some(engine: Engine, count: int) -> int:
    """Release the first `count` UNCLASSIFIED or CONFIDENTIAL cables without NOFORN, so the
    partner searches a share of the store like a working desk's."""
    with session_factory(engine)() as session:
        ids = session.scalars(
            text(
                "SELECT id FROM cables WHERE classification IN ('UNCLASSIFIED', 'CONFIDENTIAL') "
                "AND caveats NOT LIKE '%NOFORN%' ORDER BY id LIMIT :n"
            ),
            {"n": count},
        ).all()
    released = 0
    for cable_id in ids:
        try:
            release_cable(engine, LOCAL_OPERATOR, cable_id, source="bench")
            released += 1
        except ReleaseRefused:
            continue
    return released


def index_rows(engine: Engine) -> dict[str, int]:
    """Full-text rows per audience (what per-reader text costs in index size)."""
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            counts: dict[str, int] = {}
            for fts in ("cable_fts", "cable_fts_partner"):
                for slot, rows in conn.execute(
                    text(f"SELECT rowid >> 32, count(*) FROM {fts} GROUP BY rowid >> 32")
                ):
                    counts[f"{fts}:{slot}"] = int(rows)
            return counts
        return {
            str(audience): int(rows)
            for audience, rows in conn.execute(
                text("SELECT audience, count(*) FROM cable_search GROUP BY audience")
            )
        }


SERVERS = ("process", "thread")
"""Where the measured server runs: in a process of its own, as deployed ("process"), or in a
thread of the benchmark's own process, as runs 1-6 measured it ("thread": the client's Python
work and the server's share one GIL)."""


def add_readers(engine: Engine) -> None:
    """One account per timed reader (`READERS`)."""
    with transaction(engine) as session:
        for name, (party, role, clearance, country) in READERS.items():
            accounts.add_user(
                session,
                LOCAL_OPERATOR,
                username=_username(name),
                password=PASSWORD,
                party=party,
                role=role,
                clearance=clearance,
                country=country,
                source="bench",
            )


def _username(reader: str) -> str:
    return "bench-" + reader.replace(" ", "-").lower()


@contextmanager
def _server(engine: Engine, where: str, cache_on: bool) -> Iterator[str]:
    """A server over `engine` with the text cache on or off; yields its base URL."""
    if where == "process":
        url = engine.url.render_as_string(hide_password=False)
        with separate_server(url, cache_mb=None if cache_on else 0) as base:
            yield base
        return
    capacity = CACHE.capacity
    CACHE.clear()
    CACHE.capacity = capacity if cache_on else 0
    try:
        with running_server(engine) as base:
            yield base
    finally:
        CACHE.capacity = capacity


def _timed(client: httpx.Client, q: str, headers: dict[str, str]) -> float:
    start = time.perf_counter()
    response = client.get("/api/v1/search", params={"q": q}, headers=headers)
    elapsed = (time.perf_counter() - start) * 1000
    response.raise_for_status()
    return elapsed


def measure_search(engine: Engine, queries: list[str], where: str) -> dict[str, Any]:
    """Latency (ms) of GET /api/v1/search through a real HTTP server (`SERVERS`): the first
    search (which builds the in-memory catalogue), then the queries twice: with the text
    cache off ("cold": every query asks the database), and on, starting empty (hits only from
    earlier queries of the same run). Each query is asked by every reader in turn, so a noisy
    machine slows them alike and their ratios compare."""
    figures: dict[str, Any] = {"load_before": os.getloadavg()[0]}
    for label, cache_on in (("cold", False), ("cached", True)):
        hits_before, misses_before = CACHE.hits, CACHE.misses
        with (
            _server(engine, where, cache_on) as base,
            httpx.Client(base_url=base, timeout=120) as client,
        ):
            headers = {}
            for name in READERS:
                token = client.post(
                    "/api/v1/auth/token", json={"username": _username(name), "password": PASSWORD}
                ).json()["access_token"]
                headers[name] = {"Authorization": f"Bearer {token}"}

            figures.setdefault("first_ms", _timed(client, "from:2000", headers["home TS"]))
            timings: dict[str, list[float]] = {name: [] for name in READERS}
            for q in queries:
                for name in READERS:
                    timings[name].append(_timed(client, q, headers[name]))
            if label == "cold":
                huge = " ".join(f"w{i}" for i in range(5000))
                start = time.perf_counter()
                refused = client.get(
                    "/api/v1/search", params={"q": huge}, headers=headers["home C"]
                )
                figures["huge_refused_ms"] = (time.perf_counter() - start) * 1000
                figures["huge_status"] = refused.status_code
        for name, values in timings.items():
            values.sort()
            key = "" if name == "home TS" else f"{name}_"
            figures[f"{key}{label}_median_ms"] = statistics.median(values)
            figures[f"{key}{label}_p95_ms"] = values[int(len(values) * 0.95) - 1]
            figures[f"{key}{label}_max_ms"] = values[-1]
        looked_up = CACHE.hits - hits_before + CACHE.misses - misses_before
        if looked_up:  # only seen here when the server ran in this process
            figures[f"{label}_hit_ratio"] = (CACHE.hits - hits_before) / looked_up
    figures["load_after"] = os.getloadavg()[0]
    return figures


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--shared", default="../shared")
    parser.add_argument("--cables", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument(
        "--backends", default="sqlite,postgresql", help="comma-separated: sqlite, postgresql"
    )
    parser.add_argument(
        "--servers", default=",".join(SERVERS), help="comma-separated: " + ", ".join(SERVERS)
    )
    parser.add_argument(
        "--sqlite-file",
        help="keep the SQLite database here; when it exists, search it without ingesting "
        "(ingest is then not measured)",
    )
    args = parser.parse_args(argv)
    wanted = set(args.backends.split(","))
    servers = [where for where in args.servers.split(",") if where]
    corpus = Path(args.shared) / "corpus" / "cablegate-2010"
    workdir = Path(tempfile.mkdtemp(prefix="npdesk-bench-"))
    cluster: PostgresCluster | None = None
    results: dict[str, dict[str, Any]] = {}
    try:
        engines = {}
        reused: set[str] = set()
        if "sqlite" in wanted:
            path = Path(args.sqlite_file) if args.sqlite_file else workdir / "bench.sqlite3"
            if path.exists():
                reused.add("sqlite")
            engines["sqlite"] = make_engine(f"sqlite:///{path}")
        if "postgresql" in wanted:
            cluster = start_cluster()
            engines["postgresql"] = make_engine(cluster.create_database("bench"))
        copies = max(0, args.cables // 800 - 1)
        queries = mixed_queries(args.queries)
        for name, engine in engines.items():
            results[name] = {}
            if name not in reused:
                upgrade(engine)
                results[name]["ingest_cables_per_s"] = measure_ingest(engine, corpus)
                results[name]["released"] = release_some(engine, RELEASED)
                results[name]["cables"] = replicate(engine, copies)
                add_readers(engine)
            results[name]["index_rows"] = index_rows(engine)
            for where in servers:
                results[name][where] = measure_search(engine, queries, where)
            engine.dispose()
    finally:
        if cluster is not None:
            cluster.stop()
        shutil.rmtree(workdir, ignore_errors=True)
    report(results, servers)


def report(results: dict[str, dict[str, Any]], servers: list[str]) -> None:
    print("store benchmark (ingest: 800-page corpus, parse included; search: API, 200 queries)")
    for name, figures in results.items():
        print(
            f"  {name:10s} ingest {figures.get('ingest_cables_per_s', 0):7.1f} cables/s | "
            f"{figures.get('cables', 0):7d} cables ({figures.get('released', 0)} of the corpus "
            "released, then copied)"
        )
        print(f"  {'':10s} full-text rows per audience: {figures.get('index_rows', {})}")
        for where in servers:
            run = figures[where]
            print(
                f"  {'':10s} server in a {where}: first search {run['first_ms']:6.0f} ms, load "
                f"average {run['load_before']:.2f} before, {run['load_after']:.2f} after"
            )
            for label in ("cold", "cached"):
                ratio = run.get(f"{label}_hit_ratio")
                hits = f" (hit ratio {ratio:.2f})" if ratio is not None else ""
                print(f"  {'':12s} text cache {label}{hits}:")
                for reader in READERS:
                    key = "" if reader == "home TS" else f"{reader}_"
                    print(
                        f"  {'':14s} {reader:10s} median "
                        f"{run[f'{key}{label}_median_ms']:6.1f} ms, p95 "
                        f"{run[f'{key}{label}_p95_ms']:6.1f} ms, max "
                        f"{run[f'{key}{label}_max_ms']:6.1f} ms"
                    )
            print(
                f"  {'':12s} 5,000-word query: HTTP {run['huge_status']} in "
                f"{run['huge_refused_ms']:.1f} ms"
            )


if __name__ == "__main__":
    main()
