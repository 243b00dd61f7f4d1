"""The store commands end to end, as a script would run them (JSON on stdout, exit codes)."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from npdesk.cli import app
from npdesk.services import audit
from npdesk.store.db import make_engine
from tests.store.helpers import SAMPLE_CABLES

runner = CliRunner()


def invoke(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout


def test_ingest_search_show_round_trip(db_url: str, tmp_path: Path) -> None:
    code, out = invoke("ingest", str(SAMPLE_CABLES), "--json", "--db", db_url)
    assert code == 0
    answer = json.loads(out)
    disagreements = answer.pop("marking_disagreements")
    assert answer == {
        "ingested": 4,
        "unchanged": 0,
        "updated": 0,
        "quarantined": 0,
        "problems": [],
    }
    # Banner CONFIDENTIAL, paragraph 2 (C//NF): the only sample whose sources disagree.
    assert [d["id"] for d in disagreements] == ["08STATE2001"]
    code, out = invoke("ingest", str(SAMPLE_CABLES), "--json", "--db", db_url)
    assert json.loads(out)["unchanged"] == 4

    code, out = invoke("search", '"open cases" -washington', "--json", "--db", db_url)
    assert code == 0
    found = json.loads(out)
    assert found["total"] == 1
    assert set(found["hits"][0]) == {"id", "subject", "created", "marking", "snippet"}
    assert found["hits"][0]["id"] == "08SAMPLEPOST140"
    assert set(found["facets"]) == {"tag", "origin", "marking", "year"}

    code, out = invoke("cables", "show", "08STATE2001", "--json", "--db", db_url)
    assert code == 0
    shown = json.loads(out)
    assert [(r["id"], r["resolved"]) for r in shown["references"]] == [
        ("08SAMPLEPOST140", True),
        ("08SAMPLEPOST177", True),
    ]
    code, out = invoke("cables", "show", "08SAMPLEPOST101", "--json", "--db", db_url)
    assert [c["id"] for c in json.loads(out)["cited_by"]] == ["08SAMPLEPOST140"]

    engine = make_engine(db_url)
    actions = [e["action"] for e in audit.export(engine)]
    engine.dispose()
    assert actions.count("cables.ingest") == 4
    assert "cables.search" in actions and "cables.read" in actions


def test_quarantine_exit_code_and_listing(db_url: str, tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "memo.txt").write_text("Not a cable.\n")
    code, out = invoke("ingest", str(inbox), "--json", "--db", db_url)
    assert code == 1
    report = json.loads(out)
    assert report["quarantined"] == 1
    assert report["problems"][0]["file"].endswith("memo.txt")
    code, out = invoke("ingest", "--quarantine", "--json", "--db", db_url)
    assert code == 0
    assert [Path(q["file"]).name for q in json.loads(out)] == ["memo.txt"]


def test_errors_are_one_line_without_traceback(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'x.sqlite3'}"
    result = runner.invoke(app, ["cables", "show", "08NOSUCH1", "--db", db])
    assert result.exit_code == 1
    assert "no cable 08NOSUCH1" in result.output and "Traceback" not in result.output
    result = runner.invoke(app, ["search", "from:2008-13", "--db", db])
    assert result.exit_code == 1 and "cannot read date" in result.output
    result = runner.invoke(app, ["search", "x", "--db", "nosuchdb://nowhere"])
    assert result.exit_code == 1 and "cannot open database" in result.output
    result = runner.invoke(app, ["search", "x", "--db", db, "--user", "nobody"])
    assert result.exit_code == 1 and "nobody" in result.output
