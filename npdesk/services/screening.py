"""Screening use cases: screen one name or a batch with stored records, record decisions and
show earlier ones, keep a registry of known firms and persons and re-screen them when a list
loads (`load_list_version`).

The matcher is the pure `npdesk.screening`; this module adds storage. The stored lists and the
index over their newest versions are `npdesk.services.screening_lists`.

Only home-side users screen: a partner user is refused with PermissionError."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from npdesk.screening import EntryType, Hit, Query, load_list
from npdesk.screening.batch import BatchHit, screen_parallel
from npdesk.screening.cluster import screen_on_cluster
from npdesk.screening.normalize import normalize_name
from npdesk.security.markings import UNPROVEN_LEVEL, strictest
from npdesk.security.model import Level, Marking, Party, User
from npdesk.services import errors
from npdesk.services.screening_lists import (
    NoListsLoaded as NoListsLoaded,  # the feature's errors, raised by both modules
)
from npdesk.services.screening_lists import ScreeningError as ScreeningError
from npdesk.services.screening_lists import current_index, current_screener, store_list_version
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
from npdesk.store.visibility import marking_of, readable, set_marking

JUDGEMENTS = ("true_match", "false_positive", "unsure")
SUBJECT_SOURCES = ("case", "firm", "manual")


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
        raise errors.NotPermitted("screening is for home-side users")


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
        markings.append(marking_of(found) if found is not None else Marking(UNPROVEN_LEVEL))
    return strictest(markings) if markings else Marking(Level.U)


def query_key(name: str) -> str:
    """What identifies "the same name" across screenings: its normalized words in sorted
    order, so "Fangwei Li" and "LI, Fangwei" are one name."""
    forms = normalize_name(name)
    return " ".join(sorted(forms[0].tokens)) if forms else name.strip().casefold()


# --- loading a list ------------------------------------------------------------------------


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
    version_id, number = store_list_version(engine, user, path, loaded)
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


def _screening_row(
    user: User,
    query: Query,
    versions: dict[str, int],
    origin: str,
    hit_count: int,
    subject_id: int | None = None,
) -> ScreeningRecord:
    return ScreeningRecord(
        actor=user.username,
        origin=origin,
        query_name=query.name,
        query_key=query_key(query.name),
        query_type=query.type.value if query.type else None,
        query_country=query.country,
        query_dob=query.dob,
        list_versions=versions,
        subject_id=subject_id,
        hit_count=hit_count,
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
        markings.append(marking_of(subject) if subject is not None else Marking(UNPROVEN_LEVEL))
    screening_marking = strictest(markings) if markings else Marking(Level.U)
    record = _screening_row(user, query, versions, origin, len(hits), subject_id)
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
        set_marking(row, screening_marking)
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
            record = _screening_row(user, query, versions, "batch", len(hits))
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
    set_marking(decision, strictest([marking_of(hit), marking_of(screening)]))
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
            set_marking(known, strictest([marking_of(known), derived]))
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
        set_marking(subject, derived)
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
            raised = [
                ScreeningAlert(
                    kind="new_hit",
                    list_name=stored.hit.entry.list_name,
                    source_id=stored.hit.entry.source_id,
                    entry_name=stored.hit.entry.name,
                    score=stored.hit.score,
                )
                for stored in result.hits
                if (stored.hit.entry.list_name, stored.hit.entry.source_id) not in before
            ] + [
                ScreeningAlert(
                    kind="entry_removed",
                    list_name=list_name,
                    source_id=source_id,
                    entry_name=old_hit.entry_name,
                    score=None,
                )
                for (list_name, source_id), old_hit in before.items()
                if list_name == version.list_name and source_id not in present
            ]
            # An alert says what the subject and the screening it came from say.
            alert_marking = strictest(
                [marking_of(subject), marking_of(result_record(session, result))]
            )
            for alert in raised:
                alert.subject_id = subject.id
                alert.version_id = version_id
                alert.screening_id = result.screening_id
                set_marking(alert, alert_marking)
            alerts += raised
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
