"""Walking the inputs of an ingest: files, directories (recursive), `.zip` and `.tar.gz`
archives. Each yields `SourceFile`s; an unreadable input yields one with an `error` instead of
stopping the walk.

Archives are read defensively: a member is never read past the one-cable limit whatever size it
declares, and an archive stops being expanded once its members add up to
`MAX_ARCHIVE_BYTES` or number `MAX_ARCHIVE_MEMBERS` (a zip bomb becomes one rejection, not
gigabytes in memory or in quarantine)."""

from __future__ import annotations

import hashlib
import tarfile
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import IO

from npdesk.settings import MAX_ARCHIVE_BYTES, MAX_ARCHIVE_MEMBERS, MAX_CABLE_BYTES

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


def iter_sources(paths: list[Path], labels: dict[Path, str] | None = None) -> Iterator[SourceFile]:
    """Every file under `paths` in a stable order (directories sorted, archives in member
    order). `labels` names a path as its user knows it (an upload's own file name rather than
    the temporary file it was copied to), so reports and quarantine name what was sent."""
    labels = labels or {}
    for path in paths:
        if path.is_dir():
            for child in sorted(p for p in path.rglob("*") if p.is_file()):
                yield from _from_path(child, str(child))
        elif path.exists():
            yield from _from_path(path, labels.get(path, str(path)))
        else:
            yield SourceFile(labels.get(path, str(path)), None, 0, "no such file or directory")


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


def _from_path(path: Path, label: str) -> Iterator[SourceFile]:
    if is_archive(path):
        yield from _from_archive(path, label)
        return
    try:
        size = path.stat().st_size
        if size > MAX_CABLE_BYTES:
            yield SourceFile(label, None, size, _too_large(size))
            return
        yield SourceFile(label, path.read_bytes(), size)
    except OSError as exc:
        yield SourceFile(label, None, 0, f"cannot read: {exc.strerror or exc}")


class _Budget:
    """What is left of an archive's expansion allowance."""

    def __init__(self) -> None:
        self.bytes = MAX_ARCHIVE_BYTES
        self.members = MAX_ARCHIVE_MEMBERS

    def spent(self) -> str | None:
        """Why expansion must stop, if it must."""
        if self.members <= 0:
            return f"archive has more than {MAX_ARCHIVE_MEMBERS:,} files; the rest were not read"
        if self.bytes <= 0:
            return (
                f"archive expands past {MAX_ARCHIVE_BYTES / 1_000_000:.0f} MB; "
                "the rest was not read"
            )
        return None


def _open_small(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> IO[bytes] | None:
    """The member's stream, or None when it declares more than one cable may hold."""
    return None if info.file_size > MAX_CABLE_BYTES else archive.open(info)


def _bounded_member(
    label: str, handle: IO[bytes] | None, declared: int, budget: _Budget
) -> SourceFile:
    """One archive member, read at most one byte past the cable limit: declared sizes can lie.
    A member declared too large is refused unread (`handle` None)."""
    budget.members -= 1
    if declared > MAX_CABLE_BYTES or handle is None:
        return SourceFile(label, None, declared, _too_large(declared))
    with handle:
        data = handle.read(MAX_CABLE_BYTES + 1)
    budget.bytes -= len(data)
    if len(data) > MAX_CABLE_BYTES:
        return SourceFile(label, None, len(data), _too_large(len(data)))
    return SourceFile(label, data, len(data))


def _from_archive(path: Path, label: str) -> Iterator[SourceFile]:
    name = path.name.lower()
    budget = _Budget()
    try:
        if name.endswith(".zip"):
            with zipfile.ZipFile(path) as archive:
                for info in archive.infolist():
                    if info.is_dir():
                        continue
                    if (why := budget.spent()) is not None:
                        yield SourceFile(label, None, _size(path), why)
                        return
                    member = f"{label}!{info.filename}"
                    try:
                        found: SourceFile = _bounded_member(
                            member, _open_small(archive, info), info.file_size, budget
                        )
                    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
                        found = SourceFile(member, None, info.file_size, f"corrupt member: {exc}")
                    yield found
        else:
            with tarfile.open(path, "r:*") as archive:
                for tar_member in archive:
                    if not tar_member.isfile():
                        continue
                    if (why := budget.spent()) is not None:
                        yield SourceFile(label, None, _size(path), why)
                        return
                    member = f"{label}!{tar_member.name}"
                    small = tar_member.size <= MAX_CABLE_BYTES
                    handle = archive.extractfile(tar_member) if small else None
                    yield _bounded_member(member, handle, tar_member.size, budget)
    except (zipfile.BadZipFile, tarfile.TarError, EOFError, OSError) as exc:
        kind = "zip" if name.endswith(".zip") else "tar"
        yield SourceFile(label, None, _size(path), f"corrupt {kind} archive: {exc}")


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
