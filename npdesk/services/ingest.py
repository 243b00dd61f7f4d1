"""Ingest: pour cable files into the store.

Guarantees:
- idempotent: a file whose exact bytes are already stored (any version) changes nothing;
- versioned: new content for a stored id becomes a new version, the old text is kept;
- nothing lost: a file that cannot be read or parsed goes to quarantine with its reason, and
  the batch goes on; an id collision (same id, different cable) is quarantined too, leaving the
  stored cable untouched;
- crash-safe: files are written a batch to a transaction, each cable together with its search
  rows and audit entry, so a `kill -9` at any moment leaves whole cables or none, and
  re-running completes the batch.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from sqlalchemy import delete, func, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from npdesk.cables import Cable, CableParseError, parse_cable
from npdesk.security.audit import Outcome as AuditOutcome
from npdesk.security.markings import CableMarking, cable_marking, paragraph_marking
from npdesk.security.model import LOCAL_OPERATOR, Marking, User
from npdesk.services import audit
from npdesk.services.sources import SourceFile, iter_sources
from npdesk.settings import QUARANTINE_KEEP_BYTES
from npdesk.store.db import session_factory
from npdesk.store.models.cables import (
    CableParagraph,
    CableRecipient,
    CableRecord,
    CableReference,
    CableTag,
    CableVersion,
    QuarantinedFile,
)
from npdesk.store.search import (
    IndexBatch,
    IndexDocument,
    MarkingColumns,
    index_cable,
    unindex_cable,
)

Outcome = Literal["ingested", "unchanged", "updated", "quarantined"]
BATCH_SIZE = 50


@dataclass
class FileResult:
    source: str
    outcome: Outcome
    cable_id: str | None = None
    message: str | None = None
    # Where the cable's marking sources disagree (the stored marking is the strictest).
    marking_notes: tuple[str, ...] = ()


@dataclass
class IngestReport:
    ingested: int = 0
    unchanged: int = 0
    updated: int = 0
    quarantined: int = 0
    results: list[FileResult] = field(default_factory=list)

    def add(self, result: FileResult) -> None:
        setattr(self, result.outcome, getattr(self, result.outcome) + 1)
        self.results.append(result)

    def counts(self) -> dict[str, int]:
        return {
            "ingested": self.ingested,
            "unchanged": self.unchanged,
            "updated": self.updated,
            "quarantined": self.quarantined,
        }

    def disagreements(self) -> list[dict[str, Any]]:
        """Each stored file whose marking sources disagree, with the notes saying how."""
        return [
            {"file": r.source, "id": r.cable_id, "notes": list(r.marking_notes)}
            for r in self.results
            if r.marking_notes
        ]

    def problems(self) -> list[dict[str, str]]:
        return [
            {"file": r.source, "reason": r.message or ""}
            for r in self.results
            if r.outcome == "quarantined"
        ]


def ingest_paths(
    engine: Engine,
    paths: Iterable[Path],
    *,
    actor: User = LOCAL_OPERATOR,
    source: str = "cli",
    on_file: Callable[[FileResult], None] | None = None,
    labels: dict[Path, str] | None = None,
) -> IngestReport:
    """Ingest every file under `paths` (files, directories, .zip/.tar.gz archives) as
    `actor`; every stored or quarantined file is audited with the change itself. `labels`
    names paths as their sender knows them (see `sources.iter_sources`)."""
    return ingest_sources(
        engine, iter_sources(list(paths), labels), actor=actor, source=source, on_file=on_file
    )


def ingest_sources(
    engine: Engine,
    sources: Iterable[SourceFile],
    *,
    actor: User = LOCAL_OPERATOR,
    source: str = "cli",
    on_file: Callable[[FileResult], None] | None = None,
    batch_size: int = BATCH_SIZE,
) -> IngestReport:
    """Ingest `sources`; see the module docstring for the guarantees.

    Files are written `batch_size` to a transaction (one commit per file costs a WAL flush
    each on PostgreSQL), each file inside its own savepoint so a file the database refuses is
    rolled back alone and quarantined while the rest of the batch commits.
    """
    report = IngestReport()
    make_session = session_factory(engine)
    batch: list[SourceFile] = []

    def run_batch(deferred: _Deferred | None) -> list[FileResult]:
        results: list[FileResult] = []
        with make_session() as session, session.begin():
            if deferred is not None:
                deferred.load_known_hashes(session, batch)
            for item in batch:
                results.append(_ingest_isolated(session, item, deferred))
            if deferred is not None:
                deferred.flush(session)
            # Every stored or quarantined file is audited in the transaction that stores it.
            audit.record_many(
                session,
                [_audit_entry(r, actor, source) for r in results if r.outcome != "unchanged"],
            )
        return results

    def flush_batch() -> None:
        try:
            results = run_batch(_Deferred())
        except SQLAlchemyError:
            # A deferred write failed and took the batch with it: redo the batch file by file,
            # where each file's own savepoint isolates (and quarantines) the culprit.
            results = run_batch(None)
        for result in results:  # reported only once committed
            report.add(result)
            if on_file is not None:
                on_file(result)
        batch.clear()

    for item in sources:
        batch.append(item)
        if len(batch) >= batch_size:
            flush_batch()
    if batch:
        flush_batch()
    return report


def _audit_entry(result: FileResult, actor: User, source: str) -> audit.Pending:
    """The audit entry of one ingested or quarantined file."""
    return audit.Pending(
        actor,
        "cables.ingest",
        outcome=AuditOutcome.DENIED if result.outcome == "quarantined" else AuditOutcome.OK,
        source=source,
        record_kind="cable" if result.cable_id else "quarantine",
        record_id=result.cable_id,
        detail={
            "file": result.source[-300:],
            "outcome": result.outcome,
            "message": (result.message or "")[:300],
        },
    )


def _ingest_isolated(
    session: Session, source: SourceFile, deferred: _Deferred | None
) -> FileResult:
    if deferred is not None:
        # No savepoint per file: a database refusal fails the whole deferred batch, which is
        # then redone file by file with savepoints (two statements a file saved meanwhile).
        return ingest_one(session, source, deferred)
    try:
        with session.begin_nested():
            return ingest_one(session, source, deferred)
    except SQLAlchemyError as exc:
        reason = f"database refused the cable: {type(exc).__name__}: {str(exc)[:300]}"
        with session.begin_nested():
            return _quarantine(session, source, source.digest, reason)


class _Deferred:
    """Rows of a batch's cables written together at the end of the batch: parts and index
    rows, with one `executemany` per table instead of a statement per cable."""

    ORDER = (
        CableRecord,
        CableVersion,
        CableRecipient,
        CableTag,
        CableReference,
        CableParagraph,
    )
    """Parents before children (foreign keys)."""

    def __init__(self) -> None:
        self.parts: dict[Any, list[dict[str, Any]]] = {}
        self.index = IndexBatch()
        self.last_doc_id: int | None = None
        self.known_hashes: set[str] = set()
        self.new_ids: set[str] = set()

    def load_known_hashes(self, session: Session, batch: list[SourceFile]) -> None:
        """Which of the batch's contents are stored already: one query for the batch."""
        digests = {item.digest for item in batch if item.data is not None}
        self.known_hashes = set(
            session.scalars(
                select(CableVersion.content_hash).where(CableVersion.content_hash.in_(digests))
            )
        )

    def next_doc_id(self, session: Session) -> int:
        """Full-text keys for the batch's new cables: one query, then counted here (the batch
        holds the write lock for its whole transaction)."""
        if self.last_doc_id is None:
            self.last_doc_id = _next_doc_id(session) - 1
        self.last_doc_id += 1
        return self.last_doc_id

    def flush(self, session: Session) -> None:
        for model in self.ORDER:
            rows = self.parts.pop(model, None)
            if rows:
                _insert(session, model, rows)
        self.new_ids.clear()
        self.index.flush(session)


def ingest_one(
    session: Session, source: SourceFile, deferred: _Deferred | None = None
) -> FileResult:
    """Store one file within the caller's transaction (its parts and index rows go to
    `deferred` when given, for the caller to flush before committing)."""
    digest = source.digest
    if source.data is None:
        return _quarantine(session, source, digest, source.error or "unreadable")
    if deferred is not None:
        if digest in deferred.known_hashes:
            return FileResult(source.name, "unchanged")
    elif session.scalar(
        select(CableVersion.id).where(CableVersion.content_hash == digest).limit(1)
    ):
        return FileResult(source.name, "unchanged")
    text, why_not = decode_text(source.data)
    if text is None:
        return _quarantine(session, source, digest, why_not or "not text")
    try:
        cable = parse_cable(text)
    except CableParseError as exc:
        return _quarantine(session, source, digest, f"not a cable: {exc}")
    if not cable.id:
        return _quarantine(session, source, digest, "not a cable: no reference id could be read")
    derived = derive_marking(cable)
    parsed = cable.to_dict()
    # Kept with the parser's own warnings, so the cable page can show where sources disagree.
    parsed["warnings"] = [*cable.warnings, *(MARKING_NOTE + n for n in derived.disagreements)]
    notes = derived.disagreements
    if deferred is not None and cable.id in deferred.new_ids:
        deferred.flush(session)  # the select below must see this batch's earlier rows
    existing = session.execute(
        select(
            CableRecord.version,
            CableRecord.created,
            CableRecord.subject,
            CableRecord.doc_id,
            CableRecord.shared_with_partner,
        ).where(CableRecord.id == cable.id)
    ).one_or_none()
    if existing is None:
        rows = _rows(cable, digest, version=1, marking=derived.marking)
        if deferred is None:
            rows.record["doc_id"] = _next_doc_id(session)
            _insert(session, CableRecord, [rows.record])
        else:
            rows.record["doc_id"] = deferred.next_doc_id(session)
            deferred.parts.setdefault(CableRecord, []).append(rows.record)
            deferred.new_ids.add(cable.id)
            deferred.known_hashes.add(digest)
        _write_parts(
            session, rows, text, source.name, parsed, new=True, shared=False, deferred=deferred
        )
        return FileResult(source.name, "ingested", cable.id, marking_notes=notes)
    conflict = _collision(existing.created, existing.subject, cable)
    if conflict:
        reason = (
            f"id collision: {cable.id} is already stored with different content ({conflict}); "
            "the stored cable is unchanged"
        )
        return _quarantine(session, source, digest, reason)
    if deferred is not None:
        deferred.flush(session)  # the deletes below must see this batch's earlier rows
        deferred.known_hashes.add(digest)
    version = existing.version + 1
    rows = _rows(cable, digest, version=version, marking=derived.marking)
    rows.record["doc_id"] = existing.doc_id
    kept = ("id", "doc_id", "shared_with_partner")
    record_values = {k: v for k, v in rows.record.items() if k not in kept}
    session.execute(update(CableRecord).where(CableRecord.id == cable.id).values(record_values))
    for part in (CableRecipient, CableTag, CableReference, CableParagraph):
        session.execute(delete(part).where(part.cable_id == cable.id))
    _write_parts(
        session,
        rows,
        text,
        source.name,
        parsed,
        new=False,
        shared=existing.shared_with_partner,
        deferred=deferred,
    )
    return FileResult(
        source.name, "updated", cable.id, f"{cable.id}: stored as version {version}", notes
    )


@dataclass
class _Rows:
    """A cable flattened into the rows of its tables."""

    record: dict[str, Any]
    recipients: list[dict[str, Any]]
    tags: list[dict[str, Any]]
    references: list[dict[str, Any]]
    paragraphs: list[dict[str, Any]]


def _write_parts(
    session: Session,
    rows: _Rows,
    text: str,
    source_name: str,
    parsed: dict[str, Any],
    *,
    new: bool,
    shared: bool,
    deferred: _Deferred | None,
) -> None:
    cable_id = rows.record["id"]
    version = {
        "cable_id": cable_id,
        "version": rows.record["version"],
        "content_hash": rows.record["content_hash"],
        "original_text": text,
        "source_name": source_name,
        "ingested_at": datetime.now(UTC),
        "parsed": parsed,
    }
    if deferred is None:
        _insert(session, CableVersion, [version])
    else:
        deferred.parts.setdefault(CableVersion, []).append(version)
    for model, values in (
        (CableRecipient, rows.recipients),
        (CableTag, rows.tags),
        (CableReference, rows.references),
        (CableParagraph, rows.paragraphs),
    ):
        if not values:
            continue
        if deferred is None:
            _insert(session, model, values)
        else:
            deferred.parts.setdefault(model, []).extend(values)
    document = IndexDocument(
        id=cable_id,
        doc_id=rows.record["doc_id"],
        subject=rows.record["subject"],
        marking=_marking_row(rows.record, bool(shared)),
        paragraphs=[(p["text"], _marking_row(p, False)) for p in rows.paragraphs],
    )
    if deferred is None:
        index_cable(session, document, new=new)
    else:
        if not new:
            unindex_cable(session, document)
        deferred.index.add(session, document)


def _insert(session: Session, model: Any, rows: list[dict[str, Any]]) -> None:
    # Core inserts on the session's connection: the ORM's bulk-insert path costs more than
    # the database does for these plain rows.
    session.connection().execute(model.__table__.insert(), rows)


def _next_doc_id(session: Session) -> int:
    """The next full-text key. Ingest holds the write lock on SQLite; on PostgreSQL two
    concurrent ingests may race here, and the loser's savepoint is retried as a refusal."""
    current = session.scalar(select(func.max(CableRecord.doc_id)))
    return int(current or 0) + 1


def _marking_row(values: dict[str, Any], shared: bool) -> MarkingColumns:
    return MarkingColumns(values["classification"], values["caveats"], values["rel_to"], shared)


def _rows(cable: Cable, digest: str, version: int, marking: Marking) -> _Rows:
    level, caveats, rel_to, _ = marking.to_columns()
    created = _parse_created(cable.created)
    record = {
        "id": cable.id,
        "origin": cable.origin,
        "created": created,
        "month": created.strftime("%Y-%m") if created else None,
        "precedence": cable.precedence,
        "subject": cable.subject,
        "handling": " ".join(cable.handling),
        "classified_by": cable.classified_by,
        "reasons": " ".join(cable.reasons),
        "declassify_on": cable.declassify_on,
        "declassify_raw": cable.declassify_raw,
        "signers": " ".join(cable.signers),
        "source_format": cable.source_format,
        "version": version,
        "content_hash": digest,
        "tag_list": " ".join(cable.tags),
        "classification": level,
        "caveats": caveats,
        "rel_to": rel_to,
        "shared_with_partner": False,
    }
    cable_id = cable.id
    paragraphs = []
    for i, p in enumerate(cable.paragraphs):
        p_level, p_caveats, p_rel, _ = paragraph_marking(p.classification, marking).to_columns()
        paragraphs.append(
            {
                "cable_id": cable_id,
                "position": i,
                "number": p.number,
                "portion": p.classification,
                "text": p.text,
                "classification": p_level,
                "caveats": p_caveats,
                "rel_to": p_rel,
                "shared_with_partner": False,
            }
        )
    return _Rows(
        record=record,
        recipients=[
            {
                "cable_id": cable_id,
                "position": i,
                "route": r.route,
                "name": r.name,
                "precedence": r.precedence,
                "serial": r.serial,
            }
            for i, r in enumerate(cable.recipients)
        ],
        tags=[{"cable_id": cable_id, "position": i, "tag": t} for i, t in enumerate(cable.tags)],
        references=[
            {"cable_id": cable_id, "position": i, "label": r.label, "ref_id": r.id, "text": r.text}
            for i, r in enumerate(cable.references)
        ],
        paragraphs=paragraphs,
    )


def decode_text(data: bytes) -> tuple[str | None, str | None]:
    """Text from bytes, or (None, reason) for binary content. Cables are ASCII in practice;
    UTF-8 is tried first (web copies carry ¶ and curly quotes), then Windows-1252."""
    head = data[:65536]
    if b"\x00" in head:
        return None, "binary file (contains NUL bytes), not a cable"
    controls = len(head) - len(head.translate(None, _CONTROL_BYTES))
    if controls > max(8, len(head) // 100):
        return None, "binary file (control characters), not a cable"
    for encoding in ("utf-8-sig", "cp1252", "latin-1"):
        try:
            return data.decode(encoding), None
        except UnicodeDecodeError:
            continue
    return None, "binary file (undecodable bytes), not a cable"


_CONTROL_BYTES = bytes(b for b in range(32) if chr(b) not in "\r\n\t\f")


def _collision(created: datetime | None, subject: str | None, cable: Cable) -> str | None:
    """Why `cable` is a different document from the stored one with the same id, if it is.
    Re-sent or corrected versions keep their date; a different day or subject means two
    different cables were given one id."""
    old_day = created.date().isoformat() if created else None
    new_day = cable.created[:10] if cable.created else None
    if old_day and new_day and old_day != new_day:
        return f"created {new_day}, stored {old_day}"
    old_subject = _squash(subject)
    new_subject = _squash(cable.subject)
    if old_subject and new_subject and old_subject != new_subject:
        return "subject differs"
    return None


def _squash(value: str | None) -> str:
    return "".join(ch for ch in (value or "").upper() if ch.isalnum())


MARKING_NOTE = "marking: "
"""How a marking disagreement starts among a stored cable's warnings."""


def derive_marking(cable: Cable) -> CableMarking:
    """The derived marking of a parsed cable with its sources and disagreements (see
    `npdesk.security.markings.cable_marking`)."""
    sources = cable.marking_sources or {"banner": cable.marking or ""}  # a Cable built by hand
    return cable_marking(
        page=sources.get("page"),
        banner=sources.get("banner"),
        subject=sources.get("subject"),
        paragraphs=[p.classification for p in cable.paragraphs],
    )


def record_marking(cable: Cable) -> Marking:
    """The record marking of a cable: the strictest of its page metadata, banner and caveats,
    subject portion marking and paragraph markings. A cable whose level no source states is
    stored as SECRET: the reader could not prove it is anything less."""
    return derive_marking(cable).marking


def _quarantine(session: Session, source: SourceFile, digest: str, reason: str) -> FileResult:
    known = session.scalar(
        select(QuarantinedFile.id).where(
            QuarantinedFile.source_name == source.name, QuarantinedFile.content_hash == digest
        )
    )
    if known is None:
        # The first 64 KB are enough to see why a file was refused; the same bytes sent again
        # (under another name) add a row naming them, not another copy.
        seen = session.scalar(
            select(QuarantinedFile.id).where(
                QuarantinedFile.content_hash == digest, QuarantinedFile.content.is_not(None)
            )
        )
        keep = source.data[:QUARANTINE_KEEP_BYTES] if source.data and seen is None else None
        session.add(
            QuarantinedFile(
                source_name=source.name,
                content_hash=digest,
                size=source.size,
                reason=reason,
                content=keep,
            )
        )
    return FileResult(source.name, "quarantined", None, reason)


def _parse_created(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def list_quarantine(session: Session) -> list[dict[str, Any]]:
    """Quarantined files, newest first, without their content."""
    rows = session.scalars(
        select(QuarantinedFile).order_by(QuarantinedFile.quarantined_at.desc(), QuarantinedFile.id)
    ).all()
    return [
        {
            "file": q.source_name,
            "reason": q.reason,
            "size": q.size,
            "sha256": q.content_hash,
            "quarantined_at": q.quarantined_at.isoformat() if q.quarantined_at else None,
        }
        for q in rows
    ]
