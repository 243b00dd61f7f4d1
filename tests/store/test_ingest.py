"""Ingest on both backends: idempotence, versions, quarantine with reasons, archives."""

from __future__ import annotations

import io
import tarfile
import zipfile
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.engine import Engine

from npdesk.services.ingest import ingest_paths, list_quarantine
from npdesk.store.db import session_factory
from npdesk.store.models.cables import CableRecord, CableVersion
from tests.store.helpers import SAMPLE_CABLES, table_counts, telegram


def test_sample_cables_ingest_once_then_are_unchanged(engine: Engine) -> None:
    first = ingest_paths(engine, [SAMPLE_CABLES])
    assert first.counts() == {"ingested": 4, "unchanged": 0, "updated": 0, "quarantined": 0}
    before = table_counts(engine)
    again = ingest_paths(engine, [SAMPLE_CABLES])
    assert again.counts() == {"ingested": 0, "unchanged": 4, "updated": 0, "quarantined": 0}
    assert table_counts(engine) == before


def test_changed_content_for_same_id_becomes_a_new_version_keeping_the_old(
    engine: Engine, tmp_path: Path
) -> None:
    path = tmp_path / "cable.txt"
    path.write_text(telegram(1050, "FOLLOW-UP ON PLAN", body="First wording."))
    assert ingest_paths(engine, [path]).ingested == 1
    path.write_text(telegram(1050, "FOLLOW-UP ON PLAN", body="Corrected wording."))
    report = ingest_paths(engine, [path])
    assert report.updated == 1
    with session_factory(engine)() as session:
        record = session.get(CableRecord, "08SAMPLEPOST1050")
        assert record is not None and record.version == 2
        versions = session.scalars(
            select(CableVersion)
            .where(CableVersion.cable_id == record.id)
            .order_by(CableVersion.version)
        ).all()
        assert [v.version for v in versions] == [1, 2]
        assert "First wording." in versions[0].original_text
        assert "Corrected wording." in versions[1].original_text
        assert record.paragraphs[0].text == "Corrected wording."
    # the old bytes again are known: nothing changes
    path.write_text(telegram(1050, "FOLLOW-UP ON PLAN", body="First wording."))
    assert ingest_paths(engine, [path]).unchanged == 1


def test_id_collision_with_a_different_cable_is_quarantined_and_stored_cable_kept(
    engine: Engine, tmp_path: Path
) -> None:
    (tmp_path / "a.txt").write_text(telegram(77, "FIRST SUBJECT", day=20))
    ingest_paths(engine, [tmp_path / "a.txt"])
    (tmp_path / "b.txt").write_text(telegram(77, "ANOTHER SUBJECT ENTIRELY", day=22))
    report = ingest_paths(engine, [tmp_path / "b.txt"])
    assert report.quarantined == 1
    reason = report.problems()[0]["reason"]
    assert "id collision" in reason and "08SAMPLEPOST77" in reason
    with session_factory(engine)() as session:
        record = session.get(CableRecord, "08SAMPLEPOST77")
        assert record is not None
        assert record.subject == "FIRST SUBJECT" and record.version == 1


def test_bad_inputs_are_quarantined_with_reasons_and_the_batch_goes_on(
    engine: Engine, tmp_path: Path
) -> None:
    batch = tmp_path / "batch"
    batch.mkdir()
    (batch / "1-good.txt").write_text(telegram(1, "GOOD ONE"))
    (batch / "2-binary.bin").write_bytes(bytes(range(256)) * 40)
    (batch / "3-corrupt.zip").write_bytes(b"PK\x03\x04 this is not really a zip archive")
    (batch / "4-prose.txt").write_text("Dear colleague,\nthis is a memo, not a cable.\n")
    with (batch / "5-huge.txt").open("w") as handle:
        line = "X" * 99 + "\n"
        for _ in range(500_000):  # 50 MB
            handle.write(line)
    (batch / "6-good.txt").write_text(telegram(2, "GOOD TWO"))
    report = ingest_paths(engine, [batch])
    assert report.ingested == 2
    assert report.quarantined == 4
    reasons = {Path(p["file"]).name: p["reason"] for p in report.problems()}
    assert "binary" in reasons["2-binary.bin"]
    assert "corrupt zip archive" in reasons["3-corrupt.zip"]
    assert reasons["4-prose.txt"].startswith("not a cable")
    assert "too large" in reasons["5-huge.txt"] and "50.0 MB" in reasons["5-huge.txt"]
    with session_factory(engine)() as session:
        listed = {Path(q["file"]).name for q in list_quarantine(session)}
    assert listed == set(reasons)
    # quarantining is idempotent too
    again = ingest_paths(engine, [batch])
    assert again.quarantined == 4 and again.unchanged == 2
    with session_factory(engine)() as session:
        assert len(list_quarantine(session)) == 4


def test_zip_and_tar_gz_archives_are_read(engine: Engine, tmp_path: Path) -> None:
    zipped = tmp_path / "cables.zip"
    with zipfile.ZipFile(zipped, "w") as archive:
        archive.writestr("dir/one.txt", telegram(11, "IN A ZIP"))
        archive.writestr("dir/two.txt", telegram(12, "ALSO IN A ZIP"))
    tarred = tmp_path / "cables.tar.gz"
    with tarfile.open(tarred, "w:gz") as archive:
        data = telegram(13, "IN A TARBALL").encode()
        info = tarfile.TarInfo("three.txt")
        info.size = len(data)
        archive.addfile(info, io.BytesIO(data))
    report = ingest_paths(engine, [zipped, tarred])
    assert report.counts()["ingested"] == 3
    assert {r.cable_id for r in report.results} == {
        "08SAMPLEPOST11",
        "08SAMPLEPOST12",
        "08SAMPLEPOST13",
    }


def test_markings_are_stored_per_cable_and_per_paragraph(engine: Engine) -> None:
    ingest_paths(engine, [SAMPLE_CABLES])
    with session_factory(engine)() as session:
        cable = session.get(CableRecord, "08SAMPLEPOST140")
        assert cable is not None
        assert (cable.classification, cable.caveats, cable.shared_with_partner) == (
            "SECRET",
            "",
            False,
        )
        marks = [(p.number, p.classification, p.caveats, p.rel_to) for p in cable.paragraphs]
        assert (1, "SECRET", "", "") in marks
        assert (3, "CONFIDENTIAL", "", "CHN") in marks
        assert (4, "UNCLASSIFIED", "", "") in marks
        guidance = session.get(CableRecord, "08STATE2001")
        assert guidance is not None
        assert ("CONFIDENTIAL", "NOFORN") in [
            (p.classification, p.caveats) for p in guidance.paragraphs
        ]


def test_seed_and_corpus_ingest_completely(
    engine: Engine, seed_text: str, corpus_dir: Path, tmp_path: Path
) -> None:
    seed = tmp_path / "seed.txt"
    seed.write_text(seed_text)
    report = ingest_paths(engine, [seed, corpus_dir])
    assert report.quarantined == 0, report.problems()[:3]
    assert report.ingested == 801
    assert table_counts(engine)["cables"] == 801


def test_one_batch_handles_repeats_versions_and_collisions_in_order(
    engine: Engine, tmp_path: Path
) -> None:
    """Within one batch (written together at its end), later files see earlier ones: the same
    bytes twice are unchanged, new wording is a new version, a different cable under the same
    id is quarantined, and the outcome matches ingesting the files one by one."""
    files = {
        "1-first.txt": telegram(88, "PLAN", body="First wording."),
        "2-same-bytes.txt": telegram(88, "PLAN", body="First wording."),
        "3-corrected.txt": telegram(88, "PLAN", body="Corrected wording."),
        "4-collision.txt": telegram(88, "ANOTHER SUBJECT ENTIRELY", day=23),
        "5-other.txt": telegram(89, "OTHER", body="Other text."),
        "6-corrected-again.txt": telegram(88, "PLAN", body="Corrected wording."),
    }
    folder = tmp_path / "batch"
    folder.mkdir()
    for name, content in files.items():
        (folder / name).write_text(content)
    report = ingest_paths(engine, [folder])
    assert [(r.source.rsplit("/", 1)[-1], r.outcome) for r in report.results] == [
        ("1-first.txt", "ingested"),
        ("2-same-bytes.txt", "unchanged"),
        ("3-corrected.txt", "updated"),
        ("4-collision.txt", "quarantined"),
        ("5-other.txt", "ingested"),
        ("6-corrected-again.txt", "unchanged"),
    ]
    with session_factory(engine)() as session:
        record = session.get(CableRecord, "08SAMPLEPOST88")
        assert record is not None and record.version == 2
        assert record.paragraphs[0].text == "Corrected wording."
        assert session.get(CableRecord, "08SAMPLEPOST89") is not None
    assert table_counts(engine)["versions"] == 3
