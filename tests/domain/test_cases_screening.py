"""Screening a case's subjects against a real (subset of the) OFAC SDN list: each subject is
registered for re-screening and its screening is noted on the case."""

from __future__ import annotations

from pathlib import Path

import pytest

from npdesk.domain.cases import Subject, SubjectKind
from npdesk.services import screening
from npdesk.services.case_subjects import screen_subjects
from npdesk.services.cases import CaseInput, InvalidCaseData, create_case
from tests.conftest import require

from ._desk_fixtures import LIAISON, OFFICER, desk


def sdn_subset(shared_dir: Path, folder: Path, keep: set[str]) -> Path:
    source = shared_dir / "data" / "sanctions" / "ofac-sdn"
    require(source.is_dir(), f"OFAC SDN list {source}")
    folder.mkdir(parents=True)
    rows = [
        line
        for line in (source / "sdn.csv").read_text(encoding="utf-8").splitlines(keepends=True)
        if line.split(",", 1)[0] in keep
    ]
    (folder / "sdn.csv").write_text("".join(rows), encoding="utf-8")
    for name in ("alt.csv", "add.csv"):
        kept = [
            line
            for line in (source / name).read_text(encoding="utf-8").splitlines(keepends=True)
            if line.split(",", 1)[0] in keep
        ]
        (folder / name).write_text("".join(kept), encoding="utf-8")
    return folder


def test_case_subjects_are_screened_and_registered(
    tmp_path: Path, shared_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NPDESK_DATA_DIR", str(tmp_path / "data"))
    engine = desk(tmp_path)
    ref = create_case(
        engine,
        OFFICER,
        CaseInput(
            title="FICTIONAL case about a listed firm",
            subjects=(
                Subject("LIMMT Economic and Trade Company", SubjectKind.FIRM, "CHN"),
                Subject("Fictional Harmless Widgets Ltd", SubjectKind.FIRM),
            ),
            fictional=True,
        ),
    ).reference
    with pytest.raises(InvalidCaseData, match="cannot screen"):
        screen_subjects(engine, OFFICER, ref)

    screening.load_list_version(engine, OFFICER, sdn_subset(shared_dir, tmp_path / "sdn", {"9749"}))
    case, notes = screen_subjects(engine, OFFICER, ref)

    listed, harmless = case.subjects
    assert listed.screening_ref is not None and "best LIMMT" in listed.screening_ref
    assert harmless.screening_ref is not None and harmless.screening_ref.endswith("no hits")
    assert len(notes) == 2
    with pytest.raises(PermissionError):
        screen_subjects(engine, LIAISON, ref)
