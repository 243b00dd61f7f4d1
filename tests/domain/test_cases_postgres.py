"""The case desk on PostgreSQL gives the same answers as on SQLite: the FICTIONAL demo
program loaded on both, compared through the services."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from npdesk.demo.program import load_demo_program
from npdesk.services.cases import list_cases
from npdesk.services.handovers import ExportFormat, diff_handover_lists, export_handover_list
from npdesk.services.metrics import metrics_for
from npdesk.services.reviews import get_review
from npdesk.store.db import make_engine
from npdesk.testing.postgres import PostgresCluster

from ._desk_fixtures import LIAISON, OFFICER, desk


def snapshot(engine: Engine) -> tuple[object, ...]:
    load_demo_program(engine)
    return (
        [c.__dict__ for c in list_cases(engine, OFFICER).cases],
        [c.reference for c in list_cases(engine, LIAISON).cases],
        metrics_for(engine, OFFICER, as_of=date(2008, 12, 31)).to_dict(),
        diff_handover_lists(engine, OFFICER, 1, 3),
        get_review(engine, OFFICER, 2),
        export_handover_list(engine, LIAISON, 2, ExportFormat.CSV),
    )


@pytest.mark.postgres
def test_postgres_and_sqlite_agree(pg_cluster: PostgresCluster, tmp_path: Path) -> None:
    pg_engine = make_engine(pg_cluster.create_database(template="npdesk_template"))
    try:
        on_postgres = snapshot(pg_engine)
    finally:
        pg_engine.dispose()
    on_sqlite = snapshot(desk(tmp_path))
    for index, (pg_part, lite_part) in enumerate(zip(on_postgres, on_sqlite, strict=True)):
        assert pg_part == lite_part, index
