"""Each shared list loads with the counts an independent stdlib reading gives; malformed rows
are reported by file and line and skipped."""

from __future__ import annotations

import csv
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from npdesk.screening import EntryType, LoadedList, detect_format, load_list
from npdesk.screening.loaders import UnknownFormatError
from npdesk.screening.model import AliasStrength


def _csv_rows(path: Path, delimiter: str = ",") -> list[list[str]]:
    with path.open(encoding="utf-8", errors="replace", newline="") as handle:
        return [row for row in csv.reader(handle, delimiter=delimiter) if row and row != ["\x1a"]]


def test_detects_every_format_from_content(sanctions_dir: Path) -> None:
    assert detect_format(sanctions_dir / "ofac-sdn") == "ofac-sdn"
    assert detect_format(sanctions_dir / "ofac-sdn" / "sdn.csv") == "ofac-sdn"
    assert detect_format(sanctions_dir / "us-csl-sample.csv") == "us-csl"
    assert detect_format(sanctions_dir / "bis-dpl.txt") == "bis-dpl"
    assert detect_format(sanctions_dir / "un-consolidated.xml") == "un-xml"


def test_unknown_format_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("just some text\n", encoding="utf-8")
    with pytest.raises(UnknownFormatError):
        load_list(path)


def test_sdn_counts_match_the_files(sanctions_dir: Path, sdn: LoadedList) -> None:
    folder = sanctions_dir / "ofac-sdn"
    rows = _csv_rows(folder / "sdn.csv")
    aliases = _csv_rows(folder / "alt.csv")
    continued = dict(_csv_rows(folder / "sdn_comments.csv"))
    remarks = {row[0]: row[11] + continued.get(row[0], "") for row in rows}
    weak = sum(r.count("a.k.a. '") + r.count("f.k.a. '") for r in remarks.values())
    assert sdn.problems == ()
    assert len(sdn.entries) == len(rows)
    assert sdn.counts["individual"] == sum(1 for r in rows if r[2].strip() == "individual")
    assert sdn.counts["vessel"] == sum(1 for r in rows if r[2].strip() == "vessel")
    assert sdn.counts["aircraft"] == sum(1 for r in rows if r[2].strip() == "aircraft")
    assert sdn.counts["aliases"] == len(aliases) + weak
    assert sum(len(e.addresses) for e in sdn.entries) == len(_csv_rows(folder / "add.csv"))


def test_sdn_entry_fields(sdn: LoadedList) -> None:
    entries = {e.source_id: e for e in sdn.entries}
    li = entries["11447"]
    assert (li.name, li.type) == ("LI, Fangwei", EntryType.INDIVIDUAL)
    assert li.dates_of_birth == ("18 Sep 1972",)
    assert "China" in li.countries
    assert [a.name for a in li.aliases] == ["LEE, Karl"]
    assert entries["9753"].programs == ("NPWMD", "IFSR")
    banco = entries["306"]
    assert any(a.name == "BNC" and a.strength is AliasStrength.WEAK for a in banco.aliases)


def test_sdn_remarks_continue_in_comments(sanctions_dir: Path, sdn: LoadedList) -> None:
    comments = _csv_rows(sanctions_dir / "ofac-sdn" / "sdn_comments.csv")
    entries = {e.source_id: e for e in sdn.entries}
    for ent_num, tail in comments:
        assert entries[ent_num].remarks.endswith(tail)


def test_un_counts_match_the_xml(sanctions_dir: Path) -> None:
    path = sanctions_dir / "un-consolidated.xml"
    root = ET.parse(path).getroot()
    loaded = load_list(path)
    assert loaded.problems == ()
    assert loaded.counts["individual"] == len(root.findall("INDIVIDUALS/INDIVIDUAL"))
    assert loaded.counts["entity"] == len(root.findall("ENTITIES/ENTITY"))
    alias_count = sum(
        1 for a in root.iter() if a.tag.endswith("_ALIAS") and (a.findtext("ALIAS_NAME") or "")
    )
    assert loaded.counts["aliases"] == alias_count
    chang_an = next(e for e in loaded.entries if e.name == "CHANG AN SHIPPING & TECHNOLOGY")
    assert "長安海連技術有限公司" in chang_an.original_script_names


def test_csl_counts_match_the_csv(sanctions_dir: Path) -> None:
    path = sanctions_dir / "us-csl-sample.csv"
    rows = _csv_rows(path)[1:]
    loaded = load_list(path)
    assert loaded.problems == ()
    assert len(loaded.entries) == len(rows)
    assert loaded.counts["individual"] == sum(1 for r in rows if r[2] == "Individual")
    assert len({e.source_id for e in loaded.entries}) == len(rows)


def test_dpl_merges_address_rows_of_one_party(sanctions_dir: Path) -> None:
    path = sanctions_dir / "bis-dpl.txt"
    rows = _csv_rows(path, delimiter="\t")[1:]
    parties = {(r[0].strip().casefold(), r[11].strip()) for r in rows}
    loaded = load_list(path)
    assert loaded.problems == ()
    assert len(loaded.entries) == len(parties)
    assert sum(len(e.addresses) for e in loaded.entries) == len(rows)


def test_malformed_sdn_rows_are_reported_and_skipped(sanctions_dir: Path, tmp_path: Path) -> None:
    folder = tmp_path / "sdn"
    shutil.copytree(sanctions_dir / "ofac-sdn", folder)
    lines = (folder / "sdn.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    lines[2] = '999999,"BROKEN ROW",-0-\r\n'
    lines[4] = 'abc,"NOT A NUMBER",-0- ,"X",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \r\n'
    (folder / "sdn.csv").write_text("".join(lines), encoding="utf-8")
    loaded = load_list(folder)
    problems = {(p.file, p.line) for p in loaded.problems}
    assert ("sdn.csv", 3) in problems
    assert ("sdn.csv", 5) in problems
    assert len(loaded.entries) == len(lines) - 1 - 2  # minus the EOF byte line and two bad rows
    # Aliases and addresses of the dropped entries are reported against their own file.
    assert any(p.file in {"alt.csv", "add.csv"} for p in loaded.problems)


def test_malformed_un_record_is_reported_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "un.xml"
    path.write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n<CONSOLIDATED_LIST>\n<INDIVIDUALS>\n'
        "<INDIVIDUAL>\n<DATAID>1</DATAID><FIRST_NAME>ANNA</FIRST_NAME>\n</INDIVIDUAL>\n"
        "<INDIVIDUAL>\n<FIRST_NAME>NO ID</FIRST_NAME>\n</INDIVIDUAL>\n"
        "</INDIVIDUALS>\n<ENTITIES/>\n</CONSOLIDATED_LIST>\n",
        encoding="utf-8",
    )
    loaded = load_list(path)
    assert [e.name for e in loaded.entries] == ["ANNA"]
    assert [(p.file, p.line) for p in loaded.problems] == [("un.xml", 7)]


def test_malformed_csl_row_is_reported(sanctions_dir: Path, tmp_path: Path) -> None:
    source = (sanctions_dir / "us-csl-sample.csv").read_text(encoding="utf-8").splitlines()
    path = tmp_path / "csl.csv"
    path.write_text("\n".join([source[0], "only,three,fields", *source[1:4]]) + "\n", "utf-8")
    loaded = load_list(path)
    assert len(loaded.entries) == 3
    assert [(p.file, p.line) for p in loaded.problems] == [("csl.csv", 2)]
