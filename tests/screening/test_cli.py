"""The screening commands end to end on SQLite: load lists, diff versions, screen one name and
a CSV batch, record a decision and see it again; errors are one line with a non-zero exit."""

from __future__ import annotations

import csv
import importlib
import json
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from npdesk.cli.screening import BATCH_COLUMNS, lists_app, screen, screening_app
from tests.screening.test_service import sdn_subset

runner = CliRunner()


def _app() -> typer.Typer:
    app = typer.Typer()
    app.add_typer(lists_app, name="lists")
    app.command("screen")(screen)
    app.add_typer(screening_app, name="screening")
    return app


@pytest.fixture(scope="module")
def desk(tmp_path_factory: pytest.TempPathFactory, sanctions_dir: Path) -> dict[str, str]:
    """A database with the full SDN and the UN list loaded, and a reduced SDN version 2."""
    root = tmp_path_factory.mktemp("cli")
    env = {"NPDESK_DATA_DIR": str(root / "data")}
    db = f"sqlite:///{root / 'desk.sqlite3'}"
    app = _app()
    for path in (sanctions_dir / "ofac-sdn", sanctions_dir / "un-consolidated.xml"):
        result = runner.invoke(app, ["lists", "load", str(path), "--db", db, "--json"], env=env)
        assert result.exit_code == 0, result.output
    return {"db": db, "root": str(root), **env}


def _run(desk: dict[str, str], *args: str) -> tuple[int, str]:
    env = {"NPDESK_DATA_DIR": desk["NPDESK_DATA_DIR"]}
    result = runner.invoke(_app(), [*args, "--db", desk["db"]], env=env)
    return result.exit_code, result.output


def test_must_show_screenings(desk: dict[str, str]) -> None:
    cases = {
        "China National Precision Machinery Import Export Corp": ("ofac-sdn", "9753"),
        "LIMMT Dalian Metallurgy and Minerals": ("ofac-sdn", "9749"),
        "李方伟": ("ofac-sdn", "11447"),
        "Fangwei Li": ("ofac-sdn", "11447"),
    }
    for name, expected in cases.items():
        code, output = _run(desk, "screen", name, "--json")
        assert code == 0, output
        hit = json.loads(output)["hits"][0]
        assert (hit["list"], hit["source_id"]) == expected, name
        assert {"list", "source_id", "name", "matched_name", "score", "explanation"} <= set(hit)
    code, output = _run(desk, "screen", "長安海連技術有限公司", "--json")
    top = json.loads(output)["hits"][0]
    assert (top["list"], top["name"]) == ("un-consolidated", "CHANG AN SHIPPING & TECHNOLOGY")


def test_decision_is_shown_on_the_next_screening(
    desk: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # One person clears this match in one step; the two-person flow is
    # tests/screening/test_two_person_desk_and_screening.py.
    monkeypatch.setenv("NPDESK_TWO_PERSON_RELEASE", "false")
    code, output = _run(desk, "screen", "Karl Lee", "--json")
    hit = json.loads(output)["hits"][0]
    code, output = _run(
        desk,
        "screening",
        "decide",
        str(hit["hit_id"]),
        "--judgement",
        "false_positive",
        "--reason",
        "different person, born 1990",
    )
    assert code == 0, output
    code, output = _run(desk, "screen", "LEE, Karl", "--json")
    earlier = json.loads(output)["hits"][0]["earlier_decisions"]
    assert earlier[0]["judgement"] == "false_positive"


def test_batch_csv(desk: dict[str, str], tmp_path: Path) -> None:
    source = tmp_path / "in.csv"
    source.write_text(
        "id,name,type,country,dob\n"
        "a1,Fangwei Li,individual,CN,1972\n"
        "a2,Fictional Harmless Widgets Ltd,,,\n"
        "a3,China National Precision Machinery I/E Corp,entity,,\n",
        encoding="utf-8",
    )
    results = {}
    for workers in ("1", "2"):
        target = tmp_path / f"out{workers}.csv"
        code, output = _run(
            desk,
            "screen",
            "--batch",
            str(source),
            "--out",
            str(target),
            "--top",
            "2",
            "--workers",
            workers,
        )
        assert code == 0, output
        with target.open(encoding="utf-8") as handle:
            rows = list(csv.reader(handle))
        results[workers] = rows
    distributed: Any = importlib.import_module("distributed")  # untyped for strict mypy
    with distributed.LocalCluster(
        n_workers=1, threads_per_worker=2, processes=False, dashboard_address=None
    ) as cluster:
        target = tmp_path / "out-dask.csv"
        code, output = _run(
            desk,
            "screen",
            "--batch",
            str(source),
            "--out",
            str(target),
            "--top",
            "2",
            "--scheduler",
            cluster.scheduler_address,
        )
        assert code == 0, output
    with target.open(encoding="utf-8") as handle:
        results["dask"] = list(csv.reader(handle))
    rows = results["1"]
    assert results["2"] == rows
    assert results["dask"] == rows
    assert tuple(rows[0]) == BATCH_COLUMNS
    by_id: dict[str, list[list[str]]] = {}
    for row in rows[1:]:
        by_id.setdefault(row[0], []).append(row)
    assert by_id["a1"][0][2:5] == ["1", "ofac-sdn", "11447"]
    assert by_id["a1"][0][7] == "match"
    assert by_id["a2"] == [["a2", "Fictional Harmless Widgets Ltd", "", "", "", "", "", ""]]
    assert by_id["a3"][0][4] == "9753"
    assert all(len(hits) <= 2 for hits in by_id.values())


def test_versions_and_diff(desk: dict[str, str], sanctions_dir: Path, tmp_path: Path) -> None:
    smaller = sdn_subset(sanctions_dir, tmp_path / "sdn-small", {"9753"}, extra=50)
    code, output = _run(desk, "lists", "load", str(smaller), "--json")
    assert code == 0, output
    assert json.loads(output)["version"] >= 2
    code, output = _run(desk, "lists", "diff", "ofac-sdn", "--json")
    data = json.loads(output)
    assert data["counts"]["added"] == 0
    assert data["counts"]["removed"] > 8000
    assert "11447" in {row["source_id"] for row in data["removed"]}


@pytest.mark.parametrize(
    "args",
    [
        ["screen", "Fangwei Li", "--country", "Atlantis"],
        ["screen", "Fangwei Li", "--type", "vessel"],
        ["lists", "load", "/nonexistent/list.csv"],
        ["lists", "diff", "no-such-list"],
        ["screening", "decide", "999999", "--judgement", "maybe", "--reason", "x"],
    ],
)
def test_errors_are_one_line(desk: dict[str, str], args: list[str]) -> None:
    code, output = _run(desk, *args)
    assert code != 0
    assert "Traceback" not in output
    assert len(output.strip().splitlines()) == 1, output
