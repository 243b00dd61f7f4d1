"""Diffs between two SDN versions derived from the shared files: rows dropped, added and
altered in a copy."""

from __future__ import annotations

import shutil
from pathlib import Path

from npdesk.screening import LoadedList, diff_entries, load_list


def test_diff_between_two_derived_sdn_versions(
    sanctions_dir: Path, sdn: LoadedList, tmp_path: Path
) -> None:
    folder = tmp_path / "sdn-v2"
    shutil.copytree(sanctions_dir / "ofac-sdn", folder)
    lines = (folder / "sdn.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    dropped = [line.split(",", 1)[0] for line in lines[10:13]]
    altered = lines[20].split(",", 1)[0]
    lines[20] = lines[20].replace('"', '"RENAMED ', 1)
    new_row = '99999999,"FICTIONAL NEW FRONT COMPANY",-0- ,"NPWMD",' + "-0- ," * 7 + "-0- \r\n"
    kept = lines[:10] + lines[13:-1] + [new_row, lines[-1]]
    (folder / "sdn.csv").write_text("".join(kept), encoding="utf-8")
    alt = (folder / "alt.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    (folder / "alt.csv").write_text(
        "".join(a for a in alt if a.split(",", 1)[0] not in dropped), encoding="utf-8"
    )
    add = (folder / "add.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    (folder / "add.csv").write_text(
        "".join(a for a in add if a.split(",", 1)[0] not in dropped), encoding="utf-8"
    )
    newer = load_list(folder)
    assert newer.problems == ()
    diff = diff_entries(sdn.entries, newer.entries)
    assert sorted(e.source_id for e in diff.removed) == sorted(dropped)
    assert [e.source_id for e in diff.added] == ["99999999"]
    assert [(c.new.source_id, c.fields) for c in diff.changed] == [(altered, ("name",))]
    assert diff.to_json()["counts"] == {"added": 1, "removed": 3, "changed": 1}


def test_same_version_has_no_differences(sdn: LoadedList) -> None:
    diff = diff_entries(sdn.entries, sdn.entries)
    assert (diff.added, diff.removed, diff.changed) == ((), (), ())
