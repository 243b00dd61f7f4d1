"""Record what a release's code stores, as a frozen snapshot for the upgrade test.

Run once per release, on the released checkout (its head is the release's last revision):

    PYTHONPATH=$PWD .venv/bin/python -m tests.store.releases.record 0005

It builds a SQLite desk the way the desk is used (the fictional sample cables, demo accounts,
the fictional program of cases, handover lists and reviews, firms with dialogues and ICP
scores, events, commitments, a fictional restricted-party list screened against them,
releases approved, waiting and rejected, and the audit log all of that wrote) and writes every
row of every table to `release_<revision>.json`, with the text each search audience was
indexed with and the audit key that sealed the log. The snapshot is frozen like the revisions:
`test_upgrade_from_release` loads it into a database migrated to that revision and upgrades
it to head. Never re-record a released snapshot; record the next release's beside it.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import secrets
import tempfile
from datetime import date, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Engine

HERE = Path(__file__).resolve().parent
# Tables the snapshot never holds: Alembic's own, and the per-dialect full-text tables (their
# text is recorded per audience instead, see `search_rows`).
SKIPPED = ("alembic_version", "cable_fts", "cable_search")


def plain(value: Any) -> Any:
    """A JSON value for a column value (the loader converts back by the column's type)."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    return value


def dump_tables(engine: Engine) -> dict[str, list[dict[str, Any]]]:
    metadata = sa.MetaData()
    metadata.reflect(engine)
    tables: dict[str, list[dict[str, Any]]] = {}
    with engine.connect() as connection:
        for table in metadata.sorted_tables:
            if table.name.startswith(SKIPPED):
                continue
            order = list(table.primary_key.columns) or list(table.columns)
            rows = connection.execute(sa.select(table).order_by(*order)).mappings()
            tables[table.name] = [{k: plain(v) for k, v in row.items()} for row in rows]
    return tables


def search_rows(engine: Engine) -> list[dict[str, Any]]:
    """Every full-text row as the release's code wrote it, in both dialects' terms."""
    from npdesk.store.audiences import audiences
    from npdesk.store.db import session_factory
    from npdesk.store.models.cables import CableRecord
    from npdesk.store.search import IndexDocument, audience_texts

    rows = []
    with session_factory(engine)() as session:
        for record in session.scalars(sa.select(CableRecord).order_by(CableRecord.doc_id)):
            document = IndexDocument.of(record)
            for audience, subject, body in audience_texts(document):
                if audience.parent is None and not (subject or body):
                    continue  # as the index does: an empty root row is left out
                rows.append(
                    {
                        "cable_id": document.id,
                        "doc_id": document.doc_id,
                        "audience": audience.name,
                        "sqlite_table": audience.table,
                        "sqlite_rowid": audience.rowid(document.doc_id),
                        "subject": subject,
                        "body": body,
                    }
                )
    assert {r["audience"] for r in rows} <= {a.name for a in audiences()}
    return rows


def build_desk(engine: Engine) -> None:
    """The desk as it is used: everything a release must carry across an upgrade."""
    from npdesk.demo.build import SAMPLE_CABLES, demo_users, load_fictional_programs
    from npdesk.security.model import LOCAL_OPERATOR, Level, Party, Role, User
    from npdesk.services import approvals, screening
    from npdesk.services.ingest import ingest_paths

    olivia = User("olivia", Party.HOME, Role.OFFICER, Level.S)
    oscar = User("oscar", Party.HOME, Role.OFFICER, Level.S)
    ingest_paths(engine, [SAMPLE_CABLES], source="demo")
    demo_users(engine)
    load_fictional_programs(engine)
    # A fictional list naming a demo firm and a demo case's subject: hits and alerts.
    screening.load_list_version(
        engine, LOCAL_OPERATOR, HERE / "fictional_csl.csv", name="fictional-csl"
    )
    approved = approvals.propose_release(
        engine, olivia, approvals.CABLE, "08SAMPLEPOST177", [2], source="snapshot"
    )
    approvals.approve_release(engine, oscar, approved.id, source="snapshot")
    approvals.propose_release(
        engine, olivia, approvals.CABLE, "08SAMPLEPOST101", [2], source="snapshot"
    )
    rejected = approvals.propose_release(
        engine, oscar, approvals.CABLE, "08SAMPLEPOST177", [3], source="snapshot"
    )
    approvals.reject_release(
        engine, olivia, rejected.id, "not yet: wait for the review", source="snapshot"
    )


def record(revision: str) -> Path:
    from npdesk.store.db import make_engine
    from npdesk.store.schema import alembic_config, upgrade

    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    if head != revision:
        raise SystemExit(f"this checkout's head is {head}, not {revision}: record on the release")
    with tempfile.TemporaryDirectory() as tmp:
        key = secrets.token_hex(32)
        key_file = Path(tmp) / "audit.key"
        key_file.write_text(key + "\n", encoding="ascii")
        key_file.chmod(0o600)
        os.environ["NPDESK_AUDIT_KEY_FILE"] = str(key_file)
        engine = make_engine(f"sqlite:///{tmp}/release.sqlite3")
        upgrade(engine)
        build_desk(engine)
        snapshot = {
            "revision": revision,
            "note": "FICTIONAL sample data recorded by tests/store/releases/record.py",
            "audit_key": key,
            "tables": dump_tables(engine),
            "search_rows": search_rows(engine),
        }
        engine.dispose()
    target = HERE / f"release_{revision}.json"
    target.write_text(json.dumps(snapshot, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return target


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("revision", help="the release's last revision, e.g. 0005")
    print(f"wrote {record(parser.parse_args().revision)}")


if __name__ == "__main__":
    main()
