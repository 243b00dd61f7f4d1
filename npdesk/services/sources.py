"""Walking the inputs of an ingest: files, directories (recursive), `.zip` and `.tar.gz`
archives. Each yields `SourceFile`s; an unreadable input yields one with an `error` instead of
stopping the walk."""

from __future__ import annotations

import hashlib
import tarfile
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from npdesk.settings import MAX_CABLE_BYTES

ARCHIVE_SUFFIXES = (".zip", ".tar.gz", ".tgz", ".tar")


@dataclass(frozen=True)
class SourceFile:
    """One candidate cable. `data` is None when `error` says why it could not be read;
    `size` is always the real size, even when the content was too large to load."""

    name: str
    data: bytes | None
    size: int
    error: str | None = None

    @cached_property
    def digest(self) -> str:
        """SHA-256 of the content (of nothing when unreadable): how ingest knows bytes it has
        stored before."""
        return hashlib.sha256(self.data or b"").hexdigest()


def is_archive(path: Path) -> bool:
    return path.name.lower().endswith(ARCHIVE_SUFFIXES)


def iter_sources(paths: list[Path]) -> Iterator[SourceFile]:
    """Every file under `paths` in a stable order (directories sorted, archives in member
    order)."""
    for path in paths:
        if path.is_dir():
            for child in sorted(p for p in path.rglob("*") if p.is_file()):
                yield from _from_path(child)
        elif path.exists():
            yield from _from_path(path)
        else:
            yield SourceFile(str(path), None, 0, "no such file or directory")


def count_sources(paths: list[Path]) -> int:
    """How many plain files the walk will visit (archives count as one: their members are
    only known once opened). Used to size the progress bar."""
    total = 0
    for path in paths:
        if path.is_dir():
            total += sum(1 for p in path.rglob("*") if p.is_file())
        else:
            total += 1
    return total


def _from_path(path: Path) -> Iterator[SourceFile]:
    if is_archive(path):
        yield from _from_archive(path)
        return
    try:
        size = path.stat().st_size
        if size > MAX_CABLE_BYTES:
            yield SourceFile(str(path), None, size, _too_large(size))
            return
        yield SourceFile(str(path), path.read_bytes(), size)
    except OSError as exc:
        yield SourceFile(str(path), None, 0, f"cannot read: {exc.strerror or exc}")


def _from_archive(path: Path) -> Iterator[SourceFile]:
    name = path.name.lower()
    try:
        if name.endswith(".zip"):
            with zipfile.ZipFile(path) as archive:
                for info in archive.infolist():
                    if info.is_dir():
                        continue
                    member = f"{path}!{info.filename}"
                    if info.file_size > MAX_CABLE_BYTES:
                        yield SourceFile(member, None, info.file_size, _too_large(info.file_size))
                        continue
                    try:
                        data = archive.read(info)
                    except (zipfile.BadZipFile, OSError, ValueError) as exc:
                        yield SourceFile(member, None, info.file_size, f"corrupt member: {exc}")
                        continue
                    yield SourceFile(member, data, len(data))
        else:
            with tarfile.open(path, "r:*") as archive:
                for tar_member in archive:
                    if not tar_member.isfile():
                        continue
                    member = f"{path}!{tar_member.name}"
                    if tar_member.size > MAX_CABLE_BYTES:
                        yield SourceFile(member, None, tar_member.size, _too_large(tar_member.size))
                        continue
                    handle = archive.extractfile(tar_member)
                    if handle is None:
                        continue
                    data = handle.read()
                    yield SourceFile(member, data, len(data))
    except (zipfile.BadZipFile, tarfile.TarError, EOFError, OSError) as exc:
        kind = "zip" if name.endswith(".zip") else "tar"
        yield SourceFile(str(path), None, _size(path), f"corrupt {kind} archive: {exc}")


def _too_large(size: int) -> str:
    return (
        f"file too large for one cable: {size / 1_000_000:.1f} MB "
        f"(limit {MAX_CABLE_BYTES / 1_000_000:.0f} MB)"
    )


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0
