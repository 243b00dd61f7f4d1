"""Archives are expanded defensively (issue 12, "Hardening"): rejected members are kept as name,
size, hash and reason with at most their first 64 KB, once per distinct content; an archive
that expands without end becomes one rejection; uploads are named as the sender named them."""

from __future__ import annotations

import hashlib
import io
import tarfile
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from npdesk.services import sources
from npdesk.services.ingest import ingest_paths, list_quarantine
from npdesk.store.db import session_factory
from npdesk.store.models.cables import QuarantinedFile
from tests.store.helpers import telegram

# 1.5 MB of one repeated line: under the one-cable limit, compresses ~1000:1, not a cable.
JUNK = b"this is not a cable, just filler text\n" * 40_000


def kept_bytes(engine: Engine) -> int:
    with session_factory(engine)() as session:
        return int(
            session.scalar(select(func.coalesce(func.sum(func.length(QuarantinedFile.content)), 0)))
            or 0
        )


def test_a_small_zip_of_large_rejected_members_keeps_64_kb_once(
    engine: Engine, tmp_path: Path
) -> None:
    # The finding: a 205 KB zip stored 200 MB of rejected members on every upload.
    archive = tmp_path / "bomb.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as z:
        for i in range(100):
            z.writestr(f"junk-{i:03d}.txt", JUNK)
    assert archive.stat().st_size < 500_000
    report = ingest_paths(engine, [archive])
    assert report.quarantined == 100 and report.ingested == 0
    rows = list_quarantine(session_factory(engine)())
    assert len(rows) == 100
    digest = hashlib.sha256(JUNK).hexdigest()
    assert {r["sha256"] for r in rows} == {digest}
    assert {r["size"] for r in rows} == {len(JUNK)}
    assert all(r["file"].startswith(f"{archive}!junk-") and r["reason"] for r in rows)
    assert kept_bytes(engine) == 65_536
    # The same archive again: nothing new is stored (same names, same bytes).
    again = ingest_paths(engine, [archive])
    assert again.quarantined == 100
    assert len(list_quarantine(session_factory(engine)())) == 100
    # Under another name: the names are recorded, the bytes are not kept twice.
    copy = tmp_path / "copy.zip"
    copy.write_bytes(archive.read_bytes())
    ingest_paths(engine, [copy])
    assert len(list_quarantine(session_factory(engine)())) == 200
    assert kept_bytes(engine) == 65_536


def test_a_member_declaring_more_than_a_cable_is_refused_unread(
    engine: Engine, tmp_path: Path
) -> None:
    archive = tmp_path / "big.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("zeros.bin", b"\0" * 3_000_000)
        z.writestr("real.txt", telegram(9, "A REAL CABLE AFTER THE BIG ONE"))
    report = ingest_paths(engine, [archive])
    assert report.ingested == 1 and report.quarantined == 1
    [row] = list_quarantine(session_factory(engine)())
    assert row["file"] == f"{archive}!zeros.bin"
    assert row["size"] == 3_000_000
    assert "too large" in row["reason"] and "3.0 MB" in row["reason"]
    assert kept_bytes(engine) == 0


@pytest.mark.parametrize("kind", ["zip", "tar.gz"])
def test_an_archive_past_its_member_allowance_stops_with_one_rejection(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kind: str
) -> None:
    # A deployment's allowance is a setting; a small one shows the behaviour at test size.
    monkeypatch.setattr(sources, "MAX_ARCHIVE_MEMBERS", 3)
    archive = tmp_path / f"many.{kind}"
    members = {f"c{i}.txt": telegram(100 + i, f"CABLE NUMBER {i}").encode() for i in range(5)}
    if kind == "zip":
        with zipfile.ZipFile(archive, "w") as z:
            for name, data in members.items():
                z.writestr(name, data)
    else:
        with tarfile.open(archive, "w:gz") as t:
            for name, data in members.items():
                info = tarfile.TarInfo(name)
                info.size = len(data)
                t.addfile(info, io.BytesIO(data))
    report = ingest_paths(engine, [archive])
    assert report.ingested == 3
    assert report.quarantined == 1
    [row] = list_quarantine(session_factory(engine)())
    assert row["file"] == str(archive)
    assert row["reason"] == "archive has more than 3 files; the rest were not read"


def test_an_archive_past_its_byte_allowance_stops_with_one_rejection(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sources, "MAX_ARCHIVE_BYTES", 2_000_000)
    archive = tmp_path / "deep.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as z:
        for i in range(4):
            z.writestr(f"junk-{i}.txt", JUNK)
    report = ingest_paths(engine, [archive])
    # 1.5 MB read, then 3 MB: the allowance is spent after the second member.
    assert report.quarantined == 3
    reasons = [r["reason"] for r in list_quarantine(session_factory(engine)())]
    assert "archive expands past 2 MB; the rest was not read" in reasons
