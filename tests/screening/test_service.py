"""Screening with storage: list versions, diffs, stored screenings, decisions that come back,
and re-screening of known subjects with alerts. SQLite in a temporary folder; the SDN versions
are small subsets of the shared files written to that folder."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from npdesk.screening import EntryType, Query
from npdesk.security.model import Level, Party, Role, User
from npdesk.services import screening as service
from npdesk.services import screening_lists
from npdesk.store.db import make_engine, session_factory
from npdesk.store.models.screening import ScreeningDecision, ScreeningListVersion
from npdesk.store.schema import upgrade

OFFICER = User("officer1", Party.HOME, Role.OFFICER, Level.S)
LIAISON = User("liaison1", Party.PARTNER, Role.LIAISON, Level.C, country="CHN")


def sdn_subset(sanctions_dir: Path, folder: Path, keep: set[str], extra: int = 200) -> Path:
    """An SDN folder holding the entries in `keep` plus the first `extra` entries."""
    folder.mkdir(parents=True)
    source = sanctions_dir / "ofac-sdn"
    lines = (source / "sdn.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    rows = [line for line in lines[:-1] if line.split(",", 1)[0] in keep] + lines[:extra]
    ids = {line.split(",", 1)[0] for line in rows}
    (folder / "sdn.csv").write_text("".join(rows), encoding="utf-8")
    for name in ("alt.csv", "add.csv"):
        kept = [
            line
            for line in (source / name).read_text(encoding="utf-8").splitlines(keepends=True)
            if line.split(",", 1)[0] in ids
        ]
        (folder / name).write_text("".join(kept), encoding="utf-8")
    return folder


@pytest.fixture
def engine(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Engine:
    monkeypatch.setenv("NPDESK_DATA_DIR", str(tmp_path / "data"))
    engine = make_engine(f"sqlite:///{tmp_path / 'desk.sqlite3'}")
    upgrade(engine)
    return engine


def test_versions_diffs_rescreening_and_decisions(
    engine: Engine, sanctions_dir: Path, tmp_path: Path
) -> None:
    fangwei = service.register_subject(
        engine, OFFICER, "Fangwei Li", EntryType.INDIVIDUAL, source="case", reference="C-1"
    )
    limmt = service.register_subject(
        engine, OFFICER, "LIMMT Dalian Metallurgy and Minerals", source="firm", reference="F-9"
    )
    service.register_subject(engine, OFFICER, "Fictional Harmless Widgets Ltd", source="manual")

    first = sdn_subset(sanctions_dir, tmp_path / "v1", {"9749", "9753"})
    second = sdn_subset(sanctions_dir, tmp_path / "v2", {"9753", "11447"})
    loaded = service.load_list_version(engine, OFFICER, first)
    assert (loaded.list_name, loaded.version, loaded.problems) == ("ofac-sdn", 1, ())
    assert loaded.counts["entries"] == 202
    assert loaded.alerts == 1  # LIMMT's first hit; Fangwei Li is not on version 1

    again = service.load_list_version(engine, OFFICER, second)
    assert again.version == 2
    alerts = {
        (a["subject"], a["kind"], a["source_id"]) for a in service.open_alerts(engine, OFFICER)
    }
    assert ("Fangwei Li", "new_hit", "11447") in alerts
    assert ("LIMMT Dalian Metallurgy and Minerals", "entry_removed", "9749") in alerts
    assert not any(a[0].startswith("Fictional") for a in alerts)
    assert fangwei != limmt

    old, new, diff = screening_lists.diff_versions(engine, "ofac-sdn")
    assert (old, new) == (1, 2)
    assert [e.source_id for e in diff.added] == ["11447"]
    assert [e.source_id for e in diff.removed] == ["9749"]

    chinese = service.screen_name(engine, OFFICER, Query("李方伟"))
    assert chinese.list_versions == {"ofac-sdn": 2}
    assert chinese.hits[0].hit.entry.source_id == "11447"
    result = service.screen_name(engine, OFFICER, Query("Fangwei Li"))
    top = result.hits[0]
    assert (top.hit.entry.source_id, top.earlier_decisions) == ("11447", ())
    service.record_decision(engine, OFFICER, top.hit_id, "true_match", "same DOB and employer")
    later = service.screen_name(engine, OFFICER, Query("LI, Fangwei"))
    shown = later.hits[0].earlier_decisions
    assert [(d.judgement, d.decided_by) for d in shown] == [("true_match", "officer1")]
    assert later.to_json()["hits"][0]["earlier_decisions"][0]["reason"] == "same DOB and employer"


def test_bad_loads_store_nothing_and_partners_are_refused(engine: Engine, tmp_path: Path) -> None:
    junk = tmp_path / "junk.txt"
    junk.write_text("not a list\n", encoding="utf-8")
    with pytest.raises(ValueError):
        service.load_list_version(engine, OFFICER, junk)
    with session_factory(engine)() as session:
        assert session.scalar(select(func.count()).select_from(ScreeningListVersion)) == 0
    with pytest.raises(service.NoListsLoaded):
        service.screen_name(engine, OFFICER, Query("anyone"))
    with pytest.raises(PermissionError):
        service.screen_name(engine, LIAISON, Query("anyone"))
    with pytest.raises(service.ScreeningError):
        service.record_decision(engine, OFFICER, 12345, "true_match", "why")
    with session_factory(engine)() as session:
        assert session.scalar(select(func.count()).select_from(ScreeningDecision)) == 0
