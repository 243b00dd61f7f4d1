"""`make demo`: a populated desk on a fresh SQLite database, then the web server.

Loads the seed cable and the 2010 corpus from the shared folder when it is there (else the
project's own fictional sample cables), the fictional programme (cases, handover lists,
reviews; firms, dialogues, ICP scores, events, commitments), the shared restricted-party lists
when present, and the demo accounts of `data/accounts.yaml`.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from rich.console import Console
from rich.table import Table
from sqlalchemy.engine import Engine

from npdesk.demo.files import read
from npdesk.demo.firms import load_demo_firms
from npdesk.demo.program import load_demo_program
from npdesk.security.model import LOCAL_OPERATOR, Level, Party, Role
from npdesk.services import accounts
from npdesk.services.ingest import ingest_paths
from npdesk.store.db import make_engine, transaction
from npdesk.store.schema import upgrade

SAMPLE_CABLES = Path(__file__).resolve().parent.parent / "sample_data" / "cables"

console = Console()


def cable_sources(shared: Path) -> list[Path]:
    """The seed and corpus when the shared folder has them, else the fictional sample."""
    seed = shared / "seeds"
    corpus = shared / "corpus" / "cablegate-2010"
    found = [p for p in (seed, corpus) if p.is_dir()]
    return found or [SAMPLE_CABLES]


def fresh_database(url: str) -> Engine:
    """An empty, migrated database at `url` (a SQLite file is recreated)."""
    if url.startswith("sqlite:///"):
        path = Path(url.removeprefix("sqlite:///"))
        path.parent.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    engine = make_engine(url)
    upgrade(engine)
    return engine


def demo_users(engine: Engine) -> list[tuple[str, str, str]]:
    """Create the demo accounts, passwords `npdesk-demo-<name>`: (username, password, who)."""
    created = []
    with transaction(engine) as session:
        for entry in read("accounts")["accounts"]:
            name, country = entry["username"], entry.get("country")
            party, role, clearance = (
                Party(entry["party"]),
                Role(entry["role"]),
                Level[entry["clearance"]],
            )
            password = f"npdesk-demo-{name}"
            accounts.add_user(
                session,
                LOCAL_OPERATOR,
                username=name,
                password=password,
                party=party,
                role=role,
                clearance=clearance,
                country=country,
                source="demo",
            )
            who = f"{party.value} {role.value}, clearance {clearance.name}"
            created.append((name, password, who + (f", {country}" if country else "")))
    return created


def load_fictional_programs(engine: Engine) -> list[str]:
    """The fictional cases programme and firms programme; returns what was loaded."""
    load_demo_program(engine)
    load_demo_firms(engine)
    return ["cases, handover lists and reviews", "firms, events and commitments"]


def load_sanction_lists(engine: Engine, shared: Path) -> list[str]:
    """Load the shared restricted-party lists (real, old snapshots) when they are there; the
    last load re-screens every firm and case subject the demo program registered."""
    from npdesk.services import screening

    folder = shared / "data" / "sanctions"
    names = read("accounts")["sanction_lists"]
    present = [folder / name for name in names if (folder / name).exists()]
    loaded = []
    for i, path in enumerate(present):
        result = screening.load_list_version(
            engine, LOCAL_OPERATOR, path, rescreen=i == len(present) - 1
        )
        loaded.append(
            f"{result.list_name} v{result.version} ({result.counts.get('entries', 0)} entries)"
        )
    return loaded


def prepare(url: str, shared: Path) -> tuple[Engine, list[tuple[str, str, str]]]:
    """Build the demo database; returns the engine and the demo accounts."""
    engine = fresh_database(url)
    sources = cable_sources(shared)
    with console.status(f"ingesting cables from {', '.join(map(str, sources))}"):
        report = ingest_paths(engine, sources, source="demo")
    console.print(f"cables: {report.counts()}")
    with console.status("loading the fictional sample program"):
        loaded = load_fictional_programs(engine)
    console.print(f"fictional program loaded: {', '.join(loaded)}")
    with console.status("loading restricted-party lists and re-screening"):
        lists = load_sanction_lists(engine, shared)
    console.print(f"screening lists: {', '.join(lists) or 'none (no shared data)'}")
    return engine, demo_users(engine)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--shared", default="../shared")
    parser.add_argument("--db", default="sqlite:///var/demo.sqlite3")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--no-serve", action="store_true", help="build the database and stop")
    args = parser.parse_args()
    engine, users = prepare(args.db, Path(args.shared))
    table = Table("username", "password", "who", title="Demo accounts (demo only)")
    for row in users:
        table.add_row(*row)
    console.print(table)
    url = f"http://{args.host}:{args.port}/"
    console.print(f"[bold green]npdesk demo:[/] {url}  (database {args.db})")
    if args.no_serve:
        return
    import uvicorn

    from npdesk.services.proposals import ProposalReader
    from npdesk.web.app import create_app

    reader = ProposalReader(engine)  # cables are read for proposals here, never on a view
    reader.start()
    try:
        uvicorn.run(create_app(engine), host=args.host, port=args.port, log_level="warning")
    finally:
        reader.stop()
