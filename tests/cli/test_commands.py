"""The `npdesk` command line as a script runs it, on a real SQLite desk holding the seed cable
and two corpus cables: output and exit codes, and the one-line errors of each kind. Every
expectation below was read off the cables themselves (ids, dates, subjects, references)."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from npdesk.cli import app

SEED = "seeds/000_b040fb51b219b52c.txt"  # 08BEIJING1050, SECRET, 20 March 2008
STAFFDEL = "corpus/cablegate-2010/08BEIJING1141.html"  # CONFIDENTIAL, 26 March 2008

runner = CliRunner()


def npdesk(db: str, *args: str, stdin: str | None = None) -> Result:
    return runner.invoke(app, [*args, "--db", db], input=stdin)


def error_lines(result: Result) -> list[str]:
    return [line for line in result.stderr.splitlines() if line.strip()]


@pytest.fixture(autouse=True)
def quiet_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("NPDESK_SQLITE_BUSY_TIMEOUT_MS", "300")
    monkeypatch.setenv("NPDESK_AUDIT_KEY_FILE", str(tmp_path / "audit.key"))
    monkeypatch.delenv("NPDESK_USER", raising=False)


@pytest.fixture
def desk(tmp_path: Path, shared_dir: Path) -> str:
    """A SQLite desk into which the CLI itself ingested the seed and 08BEIJING1141."""
    db = f"sqlite:///{tmp_path / 'desk.sqlite3'}"
    result = npdesk(db, "ingest", str(shared_dir / SEED), str(shared_dir / STAFFDEL), "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert (report["ingested"], report["quarantined"], report["problems"]) == (2, 0, [])
    return db


def test_cables_show_prints_the_stored_cable(desk: str) -> None:
    result = npdesk(desk, "cables", "show", "08BEIJING1141", "--json")
    assert result.exit_code == 0, result.output
    cable = json.loads(result.stdout)
    assert cable["id"] == "08BEIJING1141"
    assert cable["created"].startswith("2008-03-26")
    assert cable["marking"].startswith("CONFIDENTIAL")
    assert cable["subject"].startswith("STAFFDEL JANUZZI DISCUSSES NONPROLIFERATION, IRAN")

    seed = json.loads(npdesk(desk, "cables", "show", "08 BEIJING 001050", "--json").stdout)
    assert seed["id"] == "08BEIJING1050" and seed["marking"].startswith("SECRET")
    # REF A is 07 BEIJING 5361, which this desk does not hold.
    ref_a = [r for r in seed["references"] if r["label"] == "A"]
    assert [(r["id"], r["resolved"]) for r in ref_a] == [("07BEIJING5361", False)]

    text = npdesk(desk, "cables", "show", "08BEIJING1050")
    assert text.exit_code == 0
    assert "SUBJECT: FOLLOW-UP ON CHINA NONPROLIFERATION COOPERATION" in text.stdout
    assert "shorter and shorter" in " ".join(text.stdout.split())


def test_search_finds_the_cable_that_names_the_staffdel(desk: str) -> None:
    result = npdesk(desk, "search", "Januzzi", "--json")
    assert result.exit_code == 0, result.output
    found = json.loads(result.stdout)
    assert found["total"] == 1 and [h["id"] for h in found["hits"]] == ["08BEIJING1141"]
    norinco = json.loads(npdesk(desk, "search", "NORINCO", "--json").stdout)
    assert [h["id"] for h in norinco["hits"]] == ["08BEIJING1050"]


def test_cases_create_list_show(desk: str) -> None:
    created = npdesk(
        desk,
        "cases",
        "create",
        "FICTIONAL gyroscope transfer",
        "--releasable",
        "Reported transfer of gyroscopes.",
        "--subject",
        "firm:China Great Wall Industry Corporation@CHN",
        "--item",
        "mtcr:gyroscopes",
        "--cable",
        "08BEIJING1050#6",
        "--open",
        "--fictional",
        "--json",
    )
    assert created.exit_code == 0, created.output
    case = json.loads(created.stdout)
    reference = case["reference"]
    assert case["status"] == "open"
    assert [(i["description"], i["regime"]) for i in case["items"]] == [("gyroscopes", "mtcr")]

    listed = npdesk(desk, "cases", "list", "--json")
    assert [c["reference"] for c in json.loads(listed.stdout)["cases"]] == [reference]
    shown = npdesk(desk, "cases", "show", reference)
    assert shown.exit_code == 0
    assert f"{reference} FICTIONAL gyroscope transfer" in shown.stdout
    assert "subject: China Great Wall Industry Corporation (firm)" in shown.stdout
    assert "item: gyroscopes [Missile Technology Control Regime (MTCR)]" in shown.stdout
    assert "source: 08BEIJING1050 ¶6" in shown.stdout


def test_a_missing_record_is_one_line_and_exit_1(desk: str) -> None:
    for args, message in (
        (["cables", "show", "08NOSUCH1"], "error: no cable 08NOSUCH1"),
        (["cases", "show", "NPC-0000-000"], "error: no case"),
        (["handovers", "show", "9"], "error: no handover list number 9"),
    ):
        result = npdesk(desk, *args)
        assert result.exit_code == 1, (args, result.output)
        [line] = error_lines(result)
        assert line.startswith(message), line
        assert "Traceback" not in result.output


def test_a_refused_release_says_why(desk: str) -> None:
    # A SECRET cable never goes to the partner, whose agreed level is CONFIDENTIAL.
    result = npdesk(desk, "cables", "release", "08BEIJING1050", "-p", "6")
    assert result.exit_code == 1, result.output
    assert error_lines(result) == [
        "error: release refused: 08BEIJING1050: SECRET is above the partner's agreed level "
        "(CONFIDENTIAL)"
    ]


def test_a_decided_release_is_a_conflict_exit_6(desk: str) -> None:
    proposed = npdesk(desk, "cables", "release", "08BEIJING1141", "--json")
    assert proposed.exit_code == 0, proposed.output
    number = str(json.loads(proposed.stdout)["id"])
    assert npdesk(desk, "releases", "reject", number, "--reason", "not yet").exit_code == 0
    again = npdesk(desk, "releases", "reject", number, "--reason", "twice")
    assert again.exit_code == 6, again.output
    assert len(error_lines(again)) == 1


def test_invalid_dates_name_the_option(desk: str) -> None:
    result = npdesk(desk, "metrics", "--as-of", "2008-13-01")
    assert result.exit_code == 1
    assert error_lines(result) == [
        "error: --as-of must be a date like 2008-03-26, not '2008-13-01'"
    ]
    result = npdesk(desk, "commitments", "list", "--today", "soon")
    assert error_lines(result) == ["error: --today must be a date like 2008-03-26, not 'soon'"]
    result = npdesk(desk, "search", "from:2008-13")
    assert result.exit_code == 1 and "cannot read date" in result.stderr


@contextmanager
def write_lock_held(db: str) -> Iterator[None]:
    """Another process's writer: a plain sqlite3 connection inside BEGIN IMMEDIATE."""
    holder = sqlite3.connect(db.removeprefix("sqlite:///"), isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        yield
    finally:
        holder.execute("ROLLBACK")
        holder.close()


def test_a_busy_database_exits_75_and_saves_nothing(desk: str) -> None:
    with write_lock_held(desk):
        busy = npdesk(desk, "cases", "create", "FICTIONAL busy case")
    assert busy.exit_code == 75, busy.output
    [line] = error_lines(busy)
    assert "database is busy" in line and "try again" in line
    assert json.loads(npdesk(desk, "cases", "list", "--json").stdout)["total"] == 0
