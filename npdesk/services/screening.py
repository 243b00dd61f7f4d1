"""Screening use cases: load a list file as a new dated version (all or nothing), diff
versions, screen one name or a batch with stored records, record decisions and show earlier
ones, keep a registry of known firms and persons and re-screen them when a list loads.

The matcher is the pure `npdesk.screening`; this module adds storage. The index over the newest
version of every list is built once per set of versions and kept on disk (in the data
directory) and in memory, so later processes start in about a second.

Only home-side users screen: a partner user is refused with PermissionError."""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from npdesk.screening import (
    EntryType,
    Hit,
    ListDiff,
    LoadedList,
    Query,
    Screener,
    ScreeningIndex,
    build_index,
    diff_entries,
    load_index,
    load_list,
)
from npdesk.screening.batch import BatchHit, screen_parallel
from npdesk.screening.cluster import screen_on_cluster
from npdesk.screening.index import IndexFileError
from npdesk.screening.model import ListEntry, entry_from_json
from npdesk.screening.normalize import normalize_name
from npdesk.security.markings import UNPROVEN_LEVEL, strictest
from npdesk.security.model import Level, Marking, Party, User
from npdesk.services import errors
from npdesk.settings import data_dir
from npdesk.store.db import MarkedMixin, session_factory, transaction, utcnow
from npdesk.store.models.cases import CaseRecord
from npdesk.store.models.desk import FirmRecord
from npdesk.store.models.screening import (
    ScreenedSubject,
    ScreeningAlert,
    ScreeningDecision,
    ScreeningHitRecord,
    ScreeningListEntry,
    ScreeningListVersion,
    ScreeningRecord,
)
from npdesk.store.visibility import readable

JUDGEMENTS = ("true_match", "false_positive", "unsure")
SUBJECT_SOURCES = ("case", "firm", "manual")


class ScreeningError(errors.Invalid):
    """A request the screening service cannot carry out; the message says why."""


class NoListsLoaded(ScreeningError):
    """Screening needs at least one loaded list."""


@dataclass(frozen=True)
class LoadResult:
    list_name: str
    version: int
    version_id: int
    format: str
    counts: dict[str, int]
    problems: tuple[str, ...]
    alerts: int

    def to_json(self) -> dict[str, Any]:
        return {
            "list": self.list_name,
            "version": self.version,
            "format": self.format,
            "counts": self.counts,
            "problems": list(self.problems),
            "alerts": self.alerts,
        }


@dataclass(frozen=True)
class EarlierDecision:
    judgement: str
    reason: str
    decided_by: str
    decided_at: str

    def to_json(self) -> dict[str, str]:
        return {
            "judgement": self.judgement,
            "reason": self.reason,
            "decided_by": self.decided_by,
            "decided_at": self.decided_at,
        }


@dataclass(frozen=True)
class StoredHit:
    hit_id: int
    hit: Hit
    earlier_decisions: tuple[EarlierDecision, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "hit_id": self.hit_id,
            **self.hit.to_json(),
            "earlier_decisions": [d.to_json() for d in self.earlier_decisions],
        }


@dataclass(frozen=True)
class ScreeningResult:
    screening_id: int
    query: Query
    list_versions: dict[str, int]
    hits: tuple[StoredHit, ...] = field(default_factory=tuple)

    def to_json(self) -> dict[str, Any]:
        return {
            "screening_id": self.screening_id,
            "query": {
                "name": self.query.name,
                "type": self.query.type.value if self.query.type else None,
                "country": self.query.country,
                "dob": self.query.dob,
            },
            "list_versions": self.list_versions,
            "hits": [h.to_json() for h in self.hits],
        }


def _require_home(user: User) -> None:
    if user.party is not Party.HOME:
        raise PermissionError("screening is for home-side users")


def _marking(row: MarkedMixin) -> Marking:
    """A stored row's marking; an unreadable level counts as TOP SECRET (never widens)."""
    try:
        return Marking.from_strings(
            row.classification, row.caveats or "", row.rel_to or "", row.shared_with_partner
        )
    except ValueError:
        return Marking(Level.TS)


def _mark(row: MarkedMixin, marking: Marking) -> None:
    (row.classification, row.caveats, row.rel_to, row.shared_with_partner) = marking.to_columns()


def subject_marking(
    session: Session, source: str, reference: str, given: Marking | None = None
) -> Marking:
    """The marking of a subject taken from `source` (`case`, `firm`, `manual`) at
    `reference`: the strictest of the case's or firm's marking and `given`. A case or firm
    that is not stored proves nothing, so its subject is kept at SECRET; a subject added by
    hand is marked as given (UNCLASSIFIED when nothing is given)."""
    found: MarkedMixin | None = None
    if source == "case":
        found = session.scalar(select(CaseRecord).where(CaseRecord.reference == reference))
    elif source == "firm":
        found = session.scalar(select(FirmRecord).where(FirmRecord.key == reference))
    markings = [m for m in (given,) if m is not None]
    if source in ("case", "firm"):
        markings.append(_marking(found) if found is not None else Marking(UNPROVEN_LEVEL))
    return strictest(markings) if markings else Marking(Level.U)


def query_key(name: str) -> str:
    """What identifies "the same name" across screenings: its normalized words in sorted
    order, so "Fangwei Li" and "LI, Fangwei" are one name."""
    forms = normalize_name(name)
    return " ".join(sorted(forms[0].tokens)) if forms else name.strip().casefold()


# --- list versions ---------------------------------------------------------------------------


def _content_hash(path: Path) -> str:
    digest = hashlib.sha256()
    files = sorted(p for p in path.iterdir() if p.is_file()) if path.is_dir() else [path]
    for file in files:
        digest.update(file.name.encode())
        digest.update(file.read_bytes())
    return digest.hexdigest()


def load_list_version(
    engine: Engine,
    user: User,
    path: Path,
    format: str | None = None,
    name: str | None = None,
    rescreen: bool = True,
) -> LoadResult:
    """Read the list file at `path` and store it as the next version of its list, with every
    entry, in one transaction: a version is stored whole or not at all. Malformed rows are
    skipped and reported in `problems`. Then, when `rescreen`, every known subject is screened
    against the new lists and alerts are raised (see `rescreen_subjects`).
    Raises PermissionError, FileNotFoundError, or ValueError (unknown format, unreadable file)."""
    _require_home(user)
    loaded = load_list(path, format=format, name=name)
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
    alerts = len(rescreen_subjects(engine, user, version_id)) if rescreen else 0
    return LoadResult(
        loaded.name,
        number,
        version_id,
        loaded.format,
        dict(loaded.counts),
        tuple(str(p) for p in loaded.problems),
        alerts,
    )


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


# --- screening and decisions -----------------------------------------------------------------


def _earlier(session: Session, user: User, key: str, hit: Hit) -> tuple[EarlierDecision, ...]:
    rows = session.scalars(
        select(ScreeningDecision)
        .where(
            ScreeningDecision.query_key == key,
            ScreeningDecision.list_name == hit.entry.list_name,
            ScreeningDecision.source_id == hit.entry.source_id,
            readable(ScreeningDecision, user),
        )
        .order_by(ScreeningDecision.decided_at.desc(), ScreeningDecision.id.desc())
    )
    return tuple(
        EarlierDecision(d.judgement, d.reason, d.decided_by, d.decided_at.isoformat()) for d in rows
    )


def _store(
    session: Session,
    user: User,
    query: Query,
    hits: Sequence[Hit],
    versions: dict[str, int],
    origin: str,
    subject_id: int | None,
    marking: Marking | None = None,
) -> ScreeningResult:
    """Store a screening and its hits, marked like the subject screened (when there is one)
    and at least `marking`."""
    key = query_key(query.name)
    markings = [m for m in (marking,) if m is not None]
    if subject_id is not None:
        subject = session.get(ScreenedSubject, subject_id)
        markings.append(_marking(subject) if subject is not None else Marking(UNPROVEN_LEVEL))
    screening_marking = strictest(markings) if markings else Marking(Level.U)
    record = ScreeningRecord(
        actor=user.username,
        origin=origin,
        query_name=query.name,
        query_key=key,
        query_type=query.type.value if query.type else None,
        query_country=query.country,
        query_dob=query.dob,
        list_versions=versions,
        subject_id=subject_id,
        hit_count=len(hits),
    )
    record.hits = [
        ScreeningHitRecord(
            rank=rank,
            list_name=h.entry.list_name,
            source_id=h.entry.source_id,
            entry_name=h.entry.name,
            matched_name=h.matched_name,
            score=h.score,
            band=h.band.value if h.band else None,
            explanation=h.explanation.to_json(),
        )
        for rank, h in enumerate(hits, 1)
    ]
    marked: list[MarkedMixin] = [record, *record.hits]
    for row in marked:
        _mark(row, screening_marking)
    session.add(record)
    session.flush()
    stored = tuple(
        StoredHit(row.id, hit, _earlier(session, user, key, hit))
        for row, hit in zip(record.hits, hits, strict=True)
    )
    return ScreeningResult(record.id, query, versions, stored)


def screen_name(
    engine: Engine,
    user: User,
    query: Query,
    top: int | None = None,
    origin: str = "cli",
    subject_id: int | None = None,
    marking: Marking | None = None,
) -> ScreeningResult:
    """Screen one name against the newest lists and store the screening with its hits, marked
    like the subject `subject_id` and at least `marking`; each hit carries the decisions
    recorded earlier for the same name and entry that `user` may read. Raises
    PermissionError, NoListsLoaded, or QueryError (a ValueError) for an unusable query."""
    _require_home(user)
    screener, versions = current_screener(engine)
    hits = screener.screen(query, top=top)
    with transaction(engine) as session:
        return _store(session, user, query, hits, versions, origin, subject_id, marking)


def screen_names(
    engine: Engine,
    user: User,
    queries: Sequence[Query],
    top: int | None = None,
    origin: str = "batch",
    progress: Callable[[int], None] | None = None,
) -> list[ScreeningResult]:
    """Screen many names (in order) and store every screening in one transaction. `progress`
    is called with 1 after each name. Raises like `screen_name`; a bad query stores nothing."""
    _require_home(user)
    screener, versions = current_screener(engine)
    found = []
    for query in queries:
        found.append(screener.screen(query, top=top))
        if progress is not None:
            progress(1)
    with transaction(engine) as session:
        return [
            _store(session, user, q, hits, versions, origin, None)
            for q, hits in zip(queries, found, strict=True)
        ]


def screen_batch(
    engine: Engine,
    user: User,
    queries: Sequence[Query],
    top: int | None = None,
    workers: int = 1,
    progress: Callable[[int], None] | None = None,
    scheduler: str | None = None,
) -> list[list[BatchHit]]:
    """Screen many names, over `workers` processes or on the Dask cluster at `scheduler`
    (raising ClusterUnavailable when it cannot be used), and store every screening (hits with a
    one-line explanation) in one transaction. Rows come back in input order; `progress` gets
    the number of names each finished chunk held. Queries must be valid (see
    `Query.country_code` / `Query.birth_year`). Raises PermissionError or NoListsLoaded."""
    _require_home(user)
    _screener, versions, path = current_index(engine)
    if scheduler:
        rows = screen_on_cluster(path, queries, scheduler, top=top, progress=progress)
    else:
        rows = screen_parallel(path, queries, workers=workers, top=top, progress=progress)
    with transaction(engine) as session:
        for query, hits in zip(queries, rows, strict=True):
            record = ScreeningRecord(
                actor=user.username,
                origin="batch",
                query_name=query.name,
                query_key=query_key(query.name),
                query_type=query.type.value if query.type else None,
                query_country=query.country,
                query_dob=query.dob,
                list_versions=versions,
                hit_count=len(hits),
            )
            record.hits = [
                ScreeningHitRecord(
                    rank=rank,
                    list_name=h.list_name,
                    source_id=h.source_id,
                    entry_name=h.name,
                    matched_name=h.matched_name,
                    score=h.score,
                    band=h.band,
                    explanation={"summary": h.summary},
                )
                for rank, h in enumerate(hits, 1)
            ]
            session.add(record)
    return rows


def record_decision(
    engine: Engine, user: User, hit_id: int, judgement: str, reason: str
) -> EarlierDecision:
    """Record an officer's judgement on hit `hit_id` (true_match, false_positive, unsure) with
    a reason. Never replaces an earlier decision: each is kept. Raises PermissionError or
    ScreeningError (unknown hit or judgement, empty reason)."""
    _require_home(user)
    if judgement not in JUDGEMENTS:
        raise ScreeningError(f"judgement must be one of {', '.join(JUDGEMENTS)}")
    if not reason.strip():
        raise ScreeningError("a decision needs a reason")
    with transaction(engine) as session:
        return decision_in(session, user, hit_id, judgement, reason)


def decision_in(
    session: Session, user: User, hit_id: int, judgement: str, reason: str
) -> EarlierDecision:
    """`record_decision` inside the caller's transaction (a two-person clearance applies it
    when approved, `npdesk.services.approvals`)."""
    hit = session.scalar(
        select(ScreeningHitRecord).where(
            ScreeningHitRecord.id == hit_id, readable(ScreeningHitRecord, user)
        )
    )
    if hit is None:
        raise ScreeningError(f"no screening hit {hit_id}")
    screening = session.get(ScreeningRecord, hit.screening_id)
    assert screening is not None
    decision = ScreeningDecision(
        hit_id=hit.id,
        query_key=screening.query_key,
        list_name=hit.list_name,
        source_id=hit.source_id,
        judgement=judgement,
        reason=reason.strip(),
        decided_by=user.username,
        decided_at=utcnow(),
    )
    # A judgement on a hit says what the hit and its screening say.
    _mark(decision, strictest([_marking(hit), _marking(screening)]))
    session.add(decision)
    session.flush()
    return EarlierDecision(
        decision.judgement,
        decision.reason,
        decision.decided_by,
        decision.decided_at.isoformat(),
    )


# --- known subjects and re-screening ---------------------------------------------------------


def register_subject(
    engine: Engine,
    user: User,
    name: str,
    kind: EntryType | None = None,
    country: str | None = None,
    dob: str | None = None,
    source: str = "manual",
    reference: str = "",
    marking: Marking | None = None,
) -> int:
    """Add a firm or person to the registry re-screening covers (or return the id it already
    has for the same source, reference and name), marked by `subject_marking` (an existing
    subject keeps the stricter of its marking and that). Raises PermissionError or
    ScreeningError."""
    _require_home(user)
    if source not in SUBJECT_SOURCES:
        raise ScreeningError(f"source must be one of {', '.join(SUBJECT_SOURCES)}")
    if not name.strip():
        raise ScreeningError("a subject needs a name")
    with transaction(engine) as session:
        existing = session.scalar(
            select(ScreenedSubject.id).where(
                ScreenedSubject.source == source,
                ScreenedSubject.reference == reference,
                ScreenedSubject.name == name.strip(),
            )
        )
        derived = subject_marking(session, source, reference, marking)
        if existing is not None:
            known = session.get(ScreenedSubject, existing)
            assert known is not None
            _mark(known, strictest([_marking(known), derived]))
            return int(existing)
        subject = ScreenedSubject(
            name=name.strip(),
            kind=kind.value if kind else None,
            country=country,
            dob=dob,
            source=source,
            reference=reference,
            added_by=user.username,
        )
        _mark(subject, derived)
        session.add(subject)
        session.flush()
        return subject.id


def rescreen_subjects(engine: Engine, user: User, version_id: int) -> list[ScreeningAlert]:
    """Screen every active subject against the newest lists after version `version_id` loaded,
    store the screenings, and raise alerts: `new_hit` for an entry the subject's previous
    screening did not hit, `entry_removed` for an entry of that list it hit before that the new
    version no longer holds. Returns the alerts raised."""
    _require_home(user)
    with session_factory(engine)() as session:
        if session.scalar(select(func.count()).where(ScreenedSubject.active)) == 0:
            return []
    screener, versions = current_screener(engine)
    alerts: list[ScreeningAlert] = []
    with transaction(engine) as session:
        version = session.get(ScreeningListVersion, version_id)
        if version is None:
            raise ScreeningError(f"no list version {version_id}")
        present = set(
            session.scalars(
                select(ScreeningListEntry.source_id).where(
                    ScreeningListEntry.version_id == version_id
                )
            )
        )
        subjects = session.scalars(select(ScreenedSubject).where(ScreenedSubject.active))
        for subject in subjects:
            query = Query(
                subject.name,
                EntryType(subject.kind) if subject.kind else None,
                subject.country,
                subject.dob,
            )
            previous = session.scalar(
                select(ScreeningRecord)
                .where(ScreeningRecord.subject_id == subject.id)
                .order_by(ScreeningRecord.at.desc(), ScreeningRecord.id.desc())
                .limit(1)
            )
            before = {(h.list_name, h.source_id): h for h in previous.hits} if previous else {}
            result = _store(
                session, user, query, screener.screen(query), versions, "rescreen", subject.id
            )
            # An alert says what the subject and the screening it came from say.
            alert_marking = strictest([_marking(subject), _marking(result_record(session, result))])
            marking = dict(
                zip(
                    ("classification", "caveats", "rel_to", "shared_with_partner"),
                    alert_marking.to_columns(),
                    strict=True,
                )
            )
            for stored in result.hits:
                entry = stored.hit.entry
                if (entry.list_name, entry.source_id) not in before:
                    alerts.append(
                        ScreeningAlert(
                            subject_id=subject.id,
                            kind="new_hit",
                            list_name=entry.list_name,
                            source_id=entry.source_id,
                            entry_name=entry.name,
                            score=stored.hit.score,
                            version_id=version_id,
                            screening_id=result.screening_id,
                            **marking,
                        )
                    )
            for (list_name, source_id), old_hit in before.items():
                if list_name == version.list_name and source_id not in present:
                    alerts.append(
                        ScreeningAlert(
                            subject_id=subject.id,
                            kind="entry_removed",
                            list_name=list_name,
                            source_id=source_id,
                            entry_name=old_hit.entry_name,
                            score=None,
                            version_id=version_id,
                            screening_id=result.screening_id,
                            **marking,
                        )
                    )
        session.add_all(alerts)
        session.flush()
        for alert in alerts:
            session.expunge(alert)
    return alerts


def result_record(session: Session, result: ScreeningResult) -> ScreeningRecord:
    record = session.get(ScreeningRecord, result.screening_id)
    assert record is not None
    return record


def open_alerts(engine: Engine, user: User) -> list[dict[str, Any]]:
    """Alerts not yet acknowledged that `user` may read, newest first, with the subject's
    name."""
    _require_home(user)
    with session_factory(engine)() as session:
        rows = session.execute(
            select(ScreeningAlert, ScreenedSubject.name)
            .join(ScreenedSubject, ScreenedSubject.id == ScreeningAlert.subject_id)
            .where(
                ScreeningAlert.acknowledged_at.is_(None),
                readable(ScreeningAlert, user),
                readable(ScreenedSubject, user),
            )
            .order_by(ScreeningAlert.raised_at.desc(), ScreeningAlert.id.desc())
        )
        return [
            {
                "alert_id": a.id,
                "subject": name,
                "kind": a.kind,
                "list": a.list_name,
                "source_id": a.source_id,
                "entry_name": a.entry_name,
                "score": a.score,
                "raised_at": a.raised_at.isoformat(),
            }
            for a, name in rows
        ]
