"""Case desk benchmark: latency of the case list, review agenda and dashboard pages (and their
JSON twins) with 5,000 cases and 50 review sessions, on SQLite and PostgreSQL side by side.

The program is synthetic but shaped like a real one: about a hundred cases open per review
cycle, most closed a few cycles later, so roughly three hundred are open at the end. Rows are
bulk-inserted; the last review's agenda is generated through the service. Pages are requested
in-process through the ASGI app with a bearer token (server time, no network).
"""

from __future__ import annotations

import argparse
import random
import shutil
import statistics
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import insert, text
from sqlalchemy.engine import Engine

from npdesk.security.model import LOCAL_OPERATOR, Level, Party, Role, User
from npdesk.services import accounts
from npdesk.services import cases as case_service
from npdesk.services import reviews as review_service
from npdesk.services.accounts import SecretKind
from npdesk.store.db import make_engine, session_factory, transaction
from npdesk.store.models.cases import (
    CaseEventRecord,
    CaseItemRecord,
    CaseRecord,
    CaseSubjectRecord,
    PartnerResponseRecord,
    ReviewParticipantRecord,
    ReviewSessionRecord,
)
from npdesk.store.schema import upgrade
from npdesk.testing.postgres import PostgresCluster, start_cluster
from npdesk.web.routes import cases as case_routes

PASSWORD = "benchmark passphrase 2008"
START = date(2004, 1, 5)
CYCLE_DAYS = 30
REGIMES = ("mtcr", "nsg", "australia_group", "cwc", "wassenaar", "other")


def _at(day: date, hour: int) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


def populate(engine: Engine, cases: int, reviews: int, seed: int = 2008) -> int:
    """Bulk-insert `cases` cases over `reviews` held review cycles; returns the open count."""
    rng = random.Random(seed)
    per_cycle = max(1, cases // reviews)
    review_days = [START + timedelta(days=CYCLE_DAYS * (k + 1)) for k in range(reviews)]
    case_rows: list[dict[str, Any]] = []
    events: list[dict[str, Any]] = []
    subjects: list[dict[str, Any]] = []
    items: list[dict[str, Any]] = []
    responses: list[dict[str, Any]] = []
    open_at_end = 0
    for n in range(1, cases + 1):
        cycle = min((n - 1) // per_cycle, reviews - 1)
        opened = START + timedelta(days=CYCLE_DAYS * cycle + rng.randrange(CYCLE_DAYS - 5))
        raised = opened + timedelta(days=rng.randrange(1, 5))
        # Most cases close within a few cycles; a hard core of about 4% never does.
        closing_review = cycle + 1 + int(rng.expovariate(1 / 1.5))
        if rng.random() < 0.04:
            closing_review = reviews
        history: list[tuple[datetime, str | None, str, str | None]] = [
            (_at(opened, 9), None, "draft", None),
            (_at(opened, 10), "draft", "open", None),
            (_at(raised, 12), "open", "raised", None),
        ]
        status = "raised"
        if rng.random() < 0.6:
            answered = raised + timedelta(days=rng.randrange(5, 25))
            responses.append(
                {
                    "case_id": n,
                    "received_on": answered,
                    "text": "Synthetic partner reply.",
                    "recorded_by": "bench",
                }
            )
            history.append((_at(answered, 11), "raised", "partner_responded", None))
            status = "partner_responded"
        if closing_review < reviews and review_days[closing_review] > history[-1][0].date():
            history.append((_at(review_days[closing_review], 15), status, "closed", "resolved"))
            status = "closed"
        else:
            open_at_end += 1
        case_rows.append(
            {
                "id": n,
                "reference": f"BENCH-{n:05d}",
                "title": f"Synthetic case {n}",
                "status": status,
                "priority": rng.choice(("high", "medium", "low")),
                "outcome": "resolved" if status == "closed" else None,
                "allegation_summary": "Synthetic home-only allegation.",
                "releasable_summary": "Synthetic releasable summary of the case.",
                "origin_countries": "CHN",
                "destination_countries": rng.choice(("IRN", "PAK", "SYR", "PRK")),
                "fictional": True,
                "created_by": "bench",
                "classification": "CONFIDENTIAL",
                "caveats": "",
                "rel_to": "CHN",
                "shared_with_partner": True,
            }
        )
        for at, before, after, outcome in history:
            events.append(
                {
                    "case_id": n,
                    "at": at,
                    "actor": "bench",
                    "from_status": before,
                    "to_status": after,
                    "reason": "synthetic",
                    "outcome": outcome,
                }
            )
        subjects.append({"case_id": n, "position": 0, "kind": "firm", "name": f"Firm {n % 700}"})
        items.append(
            {
                "case_id": n,
                "position": 0,
                "description": "synthetic item",
                "regime": rng.choice(REGIMES),
                "category": "",
            }
        )
    sessions = [
        {
            "id": k + 1,
            "number": k + 1,
            "level": "working",
            "state": "held",
            "proposed_on": day,
            "confirmed_on": day,
            "venue": "Beijing",
            "title": f"Review {k + 1}",
            "fictional": True,
            "created_by": "bench",
            "classification": "UNCLASSIFIED",
            "caveats": "",
            "rel_to": "CHN",
            "shared_with_partner": True,
        }
        for k, day in enumerate(review_days)
    ]
    # The newest session is the one being prepared: confirmed, not yet held.
    sessions[-1]["state"] = "confirmed"
    participants = [
        {"review_id": s["id"], "position": p, "side": side, "name": name, "role": ""}
        for s in sessions
        for p, (side, name) in enumerate((("home", "PolMinCouns"), ("partner", "Counselor")))
    ]
    with engine.begin() as conn:
        for model, rows in (
            (CaseRecord, case_rows),
            (CaseEventRecord, events),
            (CaseSubjectRecord, subjects),
            (CaseItemRecord, items),
            (PartnerResponseRecord, responses),
            (ReviewSessionRecord, sessions),
            (ReviewParticipantRecord, participants),
        ):
            conn.execute(insert(model), rows)
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE"))
            # Ids were given explicitly; move the sequences past them.
            for table in ("cases", "review_sessions"):
                conn.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                        f"(SELECT max(id) FROM {table}))"
                    )
                )
    else:
        with engine.begin() as conn:
            conn.execute(text("ANALYZE"))
    return open_at_end


def make_app(engine: Engine) -> FastAPI:
    """The real app when it serves the case desk; else a bare app with the case routers."""
    try:
        from npdesk.web.app import create_app

        app = create_app(engine)
        if any(getattr(route, "path", "") == "/dashboard" for route in app.routes):
            return app
    except Exception:  # an app factory mid-integration must not stop the measurement
        pass
    app = FastAPI()
    app.state.engine = engine
    app.state.sessions = session_factory(engine)
    for router in case_routes.ROUTERS:
        app.include_router(router)
    return app


def bench_token(engine: Engine, username: str, party: Party, role: Role) -> str:
    with transaction(engine) as session:
        user = accounts.add_user(
            session,
            LOCAL_OPERATOR,
            username=username,
            password=PASSWORD,
            party=party,
            role=role,
            clearance=Level.S,
            country="CHN" if party is Party.PARTNER else None,
            source="bench",
        )
        return accounts.issue_secret(session, user, SecretKind.API, source="bench").value


def measure(client: TestClient, path: str, headers: dict[str, str], runs: int) -> dict[str, float]:
    """Median and p95 (ms) of `runs` GETs of `path` after three warm-up requests."""
    for _ in range(3):
        client.get(path, headers=headers).raise_for_status()
    timings = []
    for _ in range(runs):
        start = time.perf_counter()
        response = client.get(path, headers=headers)
        timings.append((time.perf_counter() - start) * 1000)
        response.raise_for_status()
    timings.sort()
    return {
        "median_ms": statistics.median(timings),
        "p95_ms": timings[max(0, int(len(timings) * 0.95) - 1)],
    }


def run(engine: Engine, cases: int, reviews: int, runs: int) -> dict[str, Any]:
    upgrade(engine)
    start = time.perf_counter()
    open_count = populate(engine, cases, reviews)
    officer = {"Authorization": f"Bearer {bench_token(engine, 'olivia', Party.HOME, Role.OFFICER)}"}
    liaison = {"Authorization": f"Bearer {bench_token(engine, 'li', Party.PARTNER, Role.LIAISON)}"}
    agenda_start = time.perf_counter()
    user = accounts.cli_actor(engine, "olivia")
    detail = review_service.build_agenda(engine, user, reviews)
    agenda_ms = (time.perf_counter() - agenda_start) * 1000
    results: dict[str, Any] = {
        "setup_s": agenda_start - start,
        "open": open_count,
        "agenda_items": len(detail.agenda),
        "agenda_build_ms": agenda_ms,
    }
    pages = {
        "case list page": ("/cases", officer),
        "case list page (liaison)": ("/cases", liaison),
        "agenda page": (f"/reviews/{reviews}", officer),
        "agenda page (liaison)": (f"/reviews/{reviews}", liaison),
        "dashboard page": ("/dashboard", officer),
        "GET /api/v1/cases": ("/api/v1/cases", officer),
        "GET /api/v1/reviews/{n}": (f"/api/v1/reviews/{reviews}", officer),
        "GET /api/v1/metrics": ("/api/v1/metrics", officer),
    }
    with TestClient(make_app(engine)) as client:
        for label, (path, headers) in pages.items():
            results[label] = measure(client, path, headers, runs)
        results["dashboard page, first view after a change"] = measure_cold_dashboard(
            engine, client, officer, user
        )
    return results


def measure_cold_dashboard(
    engine: Engine, client: TestClient, headers: dict[str, str], user: User, runs: int = 10
) -> dict[str, float]:
    """The dashboard when its figures must be recomputed: a partner response is recorded
    before each request, which changes the desk state the figures are kept for."""
    timings = []
    for n in range(runs):
        case_service.record_partner_response(
            engine,
            user,
            f"BENCH-{n + 1:05d}",
            "Another synthetic reply.",
            date(2030, 1, 1),
            move_to_responded=False,
        )
        start = time.perf_counter()
        client.get("/dashboard", headers=headers).raise_for_status()
        timings.append((time.perf_counter() - start) * 1000)
    timings.sort()
    return {"median_ms": statistics.median(timings), "p95_ms": timings[-1]}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--shared", default="../shared")
    parser.add_argument("--cases", type=int, default=5_000)
    parser.add_argument("--reviews", type=int, default=50)
    parser.add_argument("--runs", type=int, default=60)
    parser.add_argument("--no-postgres", action="store_true")
    args = parser.parse_args(argv)
    workdir = Path(tempfile.mkdtemp(prefix="npdesk-bench-cases-"))
    cluster: PostgresCluster | None = None
    results: dict[str, dict[str, Any]] = {}
    try:
        engines = {"sqlite": make_engine(f"sqlite:///{workdir / 'cases.sqlite3'}")}
        if not args.no_postgres:
            cluster = start_cluster()
            engines["postgresql"] = make_engine(cluster.create_database("bench_cases"))
        for name, engine in engines.items():
            results[name] = run(engine, args.cases, args.reviews, args.runs)
            engine.dispose()
    finally:
        if cluster is not None:
            cluster.stop()
        shutil.rmtree(workdir, ignore_errors=True)
    print(
        f"case desk benchmark ({args.cases} cases, {args.reviews} reviews, "
        f"{args.runs} requests per page after warm-up)"
    )
    for name, figures in results.items():
        print(
            f"  {name}: {figures['open']} open, agenda of {figures['agenda_items']} cases built "
            f"in {figures['agenda_build_ms']:.0f} ms (data set-up {figures['setup_s']:.1f} s)"
        )
        for label, value in figures.items():
            if isinstance(value, dict):
                print(
                    f"    {label:28s} median {value['median_ms']:6.1f} ms, "
                    f"p95 {value['p95_ms']:6.1f} ms"
                )


if __name__ == "__main__":
    main()
