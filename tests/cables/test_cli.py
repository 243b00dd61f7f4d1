"""`npdesk cables parse`: JSON Lines in input order, errors on their own line, exit code 1 at
the end when any file failed, never a traceback."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from npdesk.cli import app


def test_parse_json_lines_in_order_with_errors(shared_dir: Path, tmp_path: Path) -> None:
    seed = shared_dir / "seeds" / "000_b040fb51b219b52c.txt"
    page = shared_dir / "corpus" / "cablegate-2010" / "01PRETORIA1173.html"
    binary = tmp_path / "image.bin"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00")
    latin = tmp_path / "latin1.txt"
    latin.write_bytes("SUBJECT: caf\xe9\n".encode("latin-1"))
    prose = tmp_path / "prose.txt"
    prose.write_text("Dear colleague, lunch is at noon.\n", encoding="utf-8")
    missing = tmp_path / "missing.txt"

    files = [seed, binary, page, missing, latin, prose, tmp_path]
    result = CliRunner().invoke(app, ["cables", "parse", *map(str, files), "--json"])

    assert result.exit_code == 1
    assert result.exception is None or isinstance(result.exception, SystemExit)
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert [record["file"] for record in records] == [str(f) for f in files]
    assert records[0]["id"] == "08BEIJING1050"
    assert records[0]["tags"] == ["PARM", "PREL", "ETTC", "CH"]
    assert records[2]["id"] == "01PRETORIA1173"
    assert records[2]["source_format"] == "html"
    errors = {Path(r["file"]).name: r["error"] for r in records if "error" in r}
    assert set(errors) == {"image.bin", "missing.txt", "latin1.txt", "prose.txt", tmp_path.name}
    assert "binary" in errors["image.bin"]
    assert "not found" in errors["missing.txt"]
    assert "UTF-8" in errors["latin1.txt"] and "line 1" in errors["latin1.txt"]
    assert "not a cable" in errors["prose.txt"]
    assert "Traceback" not in result.output


def test_parse_all_good_exits_zero_and_prints_a_summary(shared_dir: Path) -> None:
    seed = shared_dir / "seeds" / "000_b040fb51b219b52c.txt"
    result = CliRunner().invoke(app, ["cables", "parse", str(seed)])
    assert result.exit_code == 0, result.output
    assert "08BEIJING1050" in result.output
    assert "RANDT" in result.output
    assert "Arms controls and disarmament" in result.output  # the tag dictionary at work
