"""Ingest stores the derived marking (issue 11, part 2), on SQLite and PostgreSQL: the SECRET
cable the page metadata calls CONFIDENTIAL is stored SECRET, its unmarked paragraphs take that
marking, and the disagreement shows in `npdesk ingest --json` and on the cable page."""

from __future__ import annotations

import json
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.engine import Engine
from typer.testing import CliRunner

from npdesk.cli.main import app as cli_app
from npdesk.services.ingest import ingest_paths
from npdesk.store.db import session_factory
from npdesk.store.models.cables import CableParagraph, CableRecord
from npdesk.web.app import create_app
from tests.web.conftest import add_users, sign_in


def test_ingest_stores_secret_for_the_confidential_page_and_reports_it(
    engine: Engine, corpus_dir: Path
) -> None:
    report = ingest_paths(
        engine, [corpus_dir / "88BAGHDAD28.html", corpus_dir / "09STATE83014.html"]
    )
    assert report.ingested == 2
    disagreements = {d["id"]: d["notes"] for d in report.disagreements()}
    assert set(disagreements) == {"88BAGHDAD28", "09STATE83014"}
    assert disagreements["09STATE83014"][0].startswith("page metadata SECRET understates")
    with session_factory(engine)() as session:
        baghdad = session.get(CableRecord, "88BAGHDAD28")
        stockholm = session.get(CableRecord, "09STATE83014")
        assert baghdad is not None and stockholm is not None
        assert (baghdad.classification, baghdad.caveats) == ("SECRET", "")
        assert (stockholm.classification, stockholm.caveats) == ("SECRET", "NOFORN")
        # The stored warnings keep the parser's and add the marking note.
        assert any(w.startswith("marking: page metadata") for w in stockholm.parsed["warnings"])
        unmarked = session.scalars(
            select(CableParagraph).where(
                CableParagraph.cable_id == "09STATE83014", CableParagraph.portion.is_(None)
            )
        ).all()
        assert unmarked, "09STATE83014 has unmarked paragraphs (the talking points)"
        for paragraph in unmarked:
            assert (paragraph.classification, paragraph.caveats, paragraph.rel_to) == (
                "SECRET",
                "NOFORN",
                "",
            )


def test_ingest_json_lists_marking_disagreements_per_file(tmp_path: Path, corpus_dir: Path) -> None:
    db = f"sqlite:///{tmp_path / 'cli.db'}"
    runner = CliRunner()
    assert runner.invoke(cli_app, ["db", "upgrade", "--db", db]).exit_code == 0
    result = runner.invoke(
        cli_app,
        [
            "ingest",
            str(corpus_dir / "88BAGHDAD28.html"),
            str(corpus_dir / "01PRETORIA1173.html"),
            "--json",
            "--db",
            db,
        ],
    )
    assert result.exit_code == 0, result.output
    answer = json.loads(result.stdout)
    assert answer["ingested"] == 2
    [flagged] = answer["marking_disagreements"]
    assert flagged["id"] == "88BAGHDAD28"
    assert flagged["file"].endswith("88BAGHDAD28.html")
    assert flagged["notes"][0].startswith("page metadata CONFIDENTIAL understates the cable")


def test_cable_page_shows_the_disagreement_to_home_users(engine: Engine, corpus_dir: Path) -> None:
    ingest_paths(engine, [corpus_dir / "88BAGHDAD28.html"])
    add_users(engine)
    with TestClient(create_app(engine), follow_redirects=False) as client:
        sign_in(client, "olivia")
        page = client.get("/cables/88BAGHDAD28")
        assert page.status_code == 200
        assert 'data-testid="marking-disagreement"' in page.text
        assert "page metadata CONFIDENTIAL understates the cable" in page.text
        assert 'data-testid="banner-top">SECRET<' in page.text
