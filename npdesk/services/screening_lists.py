"""The screening lists as stored: every loaded file is a dated version of its list (stored
whole or not at all), versions can be listed and diffed, and the index over the newest version
of every list is built once per set of versions and kept on disk (in the data directory) and in
memory, so later processes start in about a second. Screening itself is
`npdesk.services.screening`."""

from __future__ import annotations

import hashlib
import threading
from pathlib import Path
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from npdesk.screening import (
    ListDiff,
    LoadedList,
    Screener,
    ScreeningIndex,
    build_index,
    diff_entries,
    load_index,
)
from npdesk.screening.index import IndexFileError
from npdesk.screening.model import ListEntry, entry_from_json
from npdesk.security.model import User
from npdesk.services import audit, errors
from npdesk.settings import data_dir
from npdesk.store.db import session_factory, transaction
from npdesk.store.models.screening import ScreeningListEntry, ScreeningListVersion


class ScreeningError(errors.Invalid):
    """A request the screening service cannot carry out; the message says why."""


class NoListsLoaded(errors.Conflict, ScreeningError):
    """Screening needs at least one loaded list."""


def _content_hash(path: Path) -> str:
    digest = hashlib.sha256()
    files = sorted(p for p in path.iterdir() if p.is_file()) if path.is_dir() else [path]
    for file in files:
        digest.update(file.name.encode())
        digest.update(file.read_bytes())
    return digest.hexdigest()


def store_list_version(
    engine: Engine, user: User, path: Path, loaded: LoadedList
) -> tuple[int, int]:
    """Store the list read from `path` as the next version of its list, with every entry, in
    one transaction: a version is stored whole or not at all. Returns (version id, number).
    Raises ScreeningError when no entry could be read."""
    if not loaded.entries:
        raise ScreeningError(f"{path}: no entries could be read; nothing stored")
    with transaction(engine) as session:
        latest = session.scalar(
            select(func.max(ScreeningListVersion.version)).where(
                ScreeningListVersion.list_name == loaded.name
            )
        )
        version = ScreeningListVersion(
            list_name=loaded.name,
            version=(latest or 0) + 1,
            format=loaded.format,
            source_name=str(path),
            content_hash=_content_hash(path),
            loaded_by=user.username,
            entry_count=len(loaded.entries),
            counts=dict(loaded.counts),
            problems=[str(p) for p in loaded.problems],
        )
        session.add(version)
        session.flush()
        # Core bulk insert: the ORM unit of work would take seconds for the SDN's 9,000 rows.
        session.execute(
            insert(ScreeningListEntry),
            [
                {
                    "version_id": version.id,
                    "source_id": e.source_id,
                    "entry_type": e.type.value,
                    "name": e.name,
                    "entry": e.to_json(),
                }
                for e in loaded.entries
            ],
        )
        version_id, number = version.id, version.version
        audit.record_change(
            session,
            user,
            "screening.lists.load",
            record_kind="list_version",
            record_id=version_id,
            detail={"list": loaded.name, "version": number, "entries": len(loaded.entries)},
        )
    return version_id, number


def list_versions(engine: Engine, name: str | None = None) -> list[dict[str, Any]]:
    """Stored versions (newest first), of one list or all."""
    with session_factory(engine)() as session:
        query = select(ScreeningListVersion).order_by(
            ScreeningListVersion.list_name, ScreeningListVersion.version.desc()
        )
        if name:
            query = query.where(ScreeningListVersion.list_name == name)
        return [
            {
                "list": v.list_name,
                "version": v.version,
                "format": v.format,
                "loaded_at": v.loaded_at.isoformat(),
                "loaded_by": v.loaded_by,
                "counts": v.counts,
                "problems": len(v.problems),
            }
            for v in session.scalars(query)
        ]


def _version_entries(session: Session, version_id: int) -> list[ListEntry]:
    rows = session.scalars(
        select(ScreeningListEntry.entry).where(ScreeningListEntry.version_id == version_id)
    )
    return [entry_from_json(row) for row in rows]


def _version(session: Session, name: str, number: int) -> ScreeningListVersion:
    version = session.scalar(
        select(ScreeningListVersion).where(
            ScreeningListVersion.list_name == name, ScreeningListVersion.version == number
        )
    )
    if version is None:
        raise ScreeningError(f"list {name!r} has no version {number}")
    return version


def diff_versions(
    engine: Engine, name: str, old: int | None = None, new: int | None = None
) -> tuple[int, int, ListDiff]:
    """(old, new, diff) between two versions of list `name`; without numbers, the two newest.
    Raises ScreeningError when the list has fewer than two versions or a number is unknown."""
    with session_factory(engine)() as session:
        numbers = list(
            session.scalars(
                select(ScreeningListVersion.version)
                .where(ScreeningListVersion.list_name == name)
                .order_by(ScreeningListVersion.version.desc())
            )
        )
        if old is None or new is None:
            if len(numbers) < 2:
                raise ScreeningError(f"list {name!r} has {len(numbers)} version(s); a diff needs 2")
            new, old = numbers[0], numbers[1]
        before = _version_entries(session, _version(session, name, old).id)
        after = _version_entries(session, _version(session, name, new).id)
    return old, new, diff_entries(before, after)


# --- the index over the newest versions ------------------------------------------------------

_cache_lock = threading.Lock()
_cached: dict[str, tuple[tuple[str, ...], Screener, dict[str, int], Path]] = {}


def _newest_versions(session: Session) -> list[ScreeningListVersion]:
    newest = (
        select(ScreeningListVersion.list_name, func.max(ScreeningListVersion.version).label("v"))
        .group_by(ScreeningListVersion.list_name)
        .subquery()
    )
    return list(
        session.scalars(
            select(ScreeningListVersion)
            .join(
                newest,
                (ScreeningListVersion.list_name == newest.c.list_name)
                & (ScreeningListVersion.version == newest.c.v),
            )
            .order_by(ScreeningListVersion.list_name)
        )
    )


def index_cache_dir() -> Path:
    path = data_dir() / "screening-index"
    path.mkdir(parents=True, exist_ok=True)
    return path


def current_screener(
    engine: Engine, cache_dir: Path | None = None
) -> tuple[Screener, dict[str, int]]:
    """See `current_index`: the screener over it and its list versions."""
    screener, versions, _path = current_index(engine, cache_dir)
    return screener, versions


def current_index(
    engine: Engine, cache_dir: Path | None = None
) -> tuple[Screener, dict[str, int], Path]:
    """A screener over the newest version of every stored list, those versions
    ({list name: version}) and the index file. Built once per set of versions: kept in memory
    and as a file in `cache_dir` (default: the data directory). Raises NoListsLoaded."""
    with session_factory(engine)() as session:
        versions = _newest_versions(session)
        if not versions:
            raise NoListsLoaded("no screening lists loaded; run `npdesk lists load FILE` first")
        # Ids alone could repeat in a database recreated at the same URL; the content hash and
        # load time make the key name exactly these versions.
        ids = tuple(f"{v.id}:{v.content_hash}:{v.loaded_at.isoformat()}" for v in versions)
        labels = {v.list_name: v.version for v in versions}
        key = engine.url.render_as_string(hide_password=True)
        with _cache_lock:
            cached = _cached.get(key)
            if cached is not None and cached[0] == ids and cached[3].exists():
                return cached[1], cached[2], cached[3]
            digest = hashlib.sha256(f"{key}|{ids}".encode()).hexdigest()[:20]
            path = (cache_dir or index_cache_dir()) / f"{digest}.idx"
            index: ScreeningIndex | None = None
            if path.exists():
                try:
                    index = load_index(path)
                except IndexFileError:
                    index = None
            if index is None:
                lists = [
                    LoadedList(
                        v.list_name,
                        v.format,
                        Path(v.source_name),
                        tuple(_version_entries(session, v.id)),
                    )
                    for v in versions
                ]
                index = build_index(lists, {n: str(x) for n, x in labels.items()})
                index.save(path)
            screener = Screener(index)
            _cached[key] = (ids, screener, labels, path)
            return screener, labels, path
