"""The case desk commands end to end on a SQLite file: clear errors, JSON output, exports."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from npdesk.cli.cases import app as cases_app
from npdesk.cli.handovers import app as handovers_app
from npdesk.cli.metrics import metrics
from npdesk.cli.reviews import app as reviews_app


@pytest.fixture(autouse=True)
def one_person_desk(monkeypatch: pytest.MonkeyPatch) -> None:
    """These tests make records shared in one step; two-person release: tests/cases,
    tests/handovers, tests/reviews."""
    monkeypatch.setenv("NPDESK_TWO_PERSON_RELEASE", "false")


app = typer.Typer(pretty_exceptions_enable=False)
app.add_typer(cases_app, name="cases")
app.add_typer(handovers_app, name="handovers")
app.add_typer(reviews_app, name="reviews")
app.command("metrics")(metrics)
runner = CliRunner()
TODAY = datetime.now(UTC).date()
TOMORROW = (TODAY + timedelta(days=1)).isoformat()
LATER = (TODAY + timedelta(days=2)).isoformat()


def run(db: str, *args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, [*args, "--db", db])
    return result.exit_code, result.stdout, result.stderr


def test_the_main_flow_from_the_command_line(tmp_path: Path) -> None:
    db = "sqlite:///" + str(tmp_path / "cli.db")
    code, stdout, _ = run(
        db,
        "cases",
        "create",
        "FICTIONAL gyroscopes",
        "--allegation",
        "ZZSECRET",
        "--releasable",
        "Reported transfer.",
        "--subject",
        "firm:Fictional Co@CHN",
        "--item",
        "mtcr:gyroscopes",
        "--open",
        "--fictional",
        "--json",
    )
    assert code == 0, stdout
    case = json.loads(stdout)
    ref = case["reference"]
    assert case["status"] == "open" and case["items"][0]["regime"] == "mtcr"

    code, stdout, stderr = run(db, "cases", "transition", ref, "draft", "--reason", "x")
    assert code == 1 and "cannot move a case from 'open' to 'draft'" in stderr
    assert "Traceback" not in stdout + stderr
    code, _, stderr = run(db, "cases", "transition", ref, "raised")
    assert code == 1 and "reason" in stderr
    assert run(db, "cases", "edit", ref, "--releasable", "Edited text.")[0] == 0
    code, stdout, _ = run(db, "cases", "show", ref, "--json")
    assert json.loads(stdout)["releasable_summary"] == "Edited text."
    code, _, stderr = run(db, "cases", "show", "NPC-0000-000")
    assert code == 1 and "no case" in stderr

    assert (
        run(
            db,
            "handovers",
            "create",
            "FICTIONAL list",
            "--on",
            TODAY.isoformat(),
            "--by",
            "PolMinCouns",
            "--to",
            "MFA",
            "--release",
        )[0]
        == 0
    )
    out_file = tmp_path / "list.csv"
    code, _, _ = run(db, "handovers", "export", "1", "--format", "csv", "-o", str(out_file))
    assert code == 0 and "ZZSECRET" not in out_file.read_text()
    code, stdout, _ = run(db, "handovers", "export", "1", "--format", "json")
    assert json.loads(stdout)["entries"][0]["status"] == "raised"

    assert run(db, "reviews", "schedule", "--proposed", TOMORROW, "--fictional")[0] == 0
    code, stdout, _ = run(db, "reviews", "agenda", "1", "--json")
    assert [item["reference"] for item in json.loads(stdout)] == [ref]
    code, _, _ = run(
        db,
        "reviews",
        "outcome",
        "1",
        ref,
        "--statement",
        "Licence refused.",
        "--status",
        "closed",
        "--outcome",
        "resolved",
    )
    assert code == 0
    code, stdout, _ = run(db, "reviews", "minutes", "1")
    assert "Licence refused." in stdout and "ZZSECRET" not in stdout

    code, stdout, _ = run(db, "metrics", "--json", "--as-of", LATER)
    figures = json.loads(stdout)
    assert figures["open_now"] == 0
    assert [(c["opened"], c["closed"]) for c in figures["cycles"]] == [(1, 1), (0, 0)]
