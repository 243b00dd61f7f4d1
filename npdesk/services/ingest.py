"""Ingest: pour cable files into the store.

Guarantees:
- idempotent: a file whose exact bytes are already stored (any version) changes nothing;
- versioned: new content for a stored id becomes a new version, the old text is kept;
- nothing lost: a file that cannot be read or parsed goes to quarantine with its reason, and
  the batch goes on; an id collision (same id, different cable) is quarantined too, leaving the
  stored cable untouched;
- crash-safe: each file is written in its own transaction together with its search rows, so a
  `kill -9` at any moment leaves whole cables or none, and re-running completes the batch.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from npdesk.cables import Cable, CableParseError, parse_cable
from npdesk.security.markings import paragraph_marking, parse_rel_to
from npdesk.security.model import Level, Marking
from npdesk.services.sources import SourceFile, iter_sources
from npdesk.settings import MAX_CABLE_BYTES
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
from npdesk.store.search import index_cable

Outcome = Literal["ingested", "unchanged", "updated", "quarantined"]


@dataclass
class FileResult:
    source: str
    outcome: Outcome
    cable_id: str | None = None
    message: str | None = None


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
    on_file: Callable[[FileResult], None] | None = None,
) -> IngestReport:
    """Ingest every file under `paths` (files, directories, .zip/.tar.gz archives)."""
    return ingest_sources(engine, iter_sources(list(paths)), on_file=on_file)


def ingest_sources(
    engine: Engine,
    sources: Iterable[SourceFile],
    *,
    on_file: Callable[[FileResult], None] | None = None,
) -> IngestReport:
    """Ingest `sources` one transaction each; see the module docstring for the guarantees."""
    report = IngestReport()
    make_session = session_factory(engine)
    for source in sources:
        with make_session() as session:
            try:
                with session.begin():
                    result = ingest_one(session, source)
            except SQLAlchemyError as exc:
                # The cable's own transaction rolled back; keep the file in quarantine.
                reason = f"database refused the cable: {type(exc).__name__}: {str(exc)[:300]}"
                with session.begin():
                    result = _quarantine(session, source, _sha256(source.data), reason)
        report.add(result)
        if on_file is not None:
            on_file(result)
    return report


def ingest_one(session: Session, source: SourceFile) -> FileResult:
    """Store one file within the caller's transaction."""
    digest = _sha256(source.data)
    if source.data is None:
        return _quarantine(session, source, digest, source.error or "unreadable")
    if session.scalar(select(CableVersion.id).where(CableVersion.content_hash == digest).limit(1)):
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
    parsed = cable.to_dict()
    existing = session.get(CableRecord, cable.id)
    if existing is None:
        record = CableRecord(id=cable.id, version=1)
        _fill(record, cable, parsed, digest)
        record.versions.append(_version(1, digest, text, source.name, parsed))
        session.add(record)
        session.flush()
        index_cable(session, record)
        return FileResult(source.name, "ingested", cable.id)
    conflict = _collision(existing, cable)
    if conflict:
        reason = (
            f"id collision: {cable.id} is already stored with different content ({conflict}); "
            "the stored cable is unchanged"
        )
        return _quarantine(session, source, digest, reason)
    version = existing.version + 1
    _fill(existing, cable, parsed, digest)
    existing.version = version
    existing.versions.append(_version(version, digest, text, source.name, parsed))
    session.flush()
    index_cable(session, existing)
    return FileResult(source.name, "updated", cable.id, f"{cable.id}: stored as version {version}")


def decode_text(data: bytes) -> tuple[str | None, str | None]:
    """Text from bytes, or (None, reason) for binary content. Cables are ASCII in practice;
    UTF-8 is tried first (web copies carry ¶ and curly quotes), then Windows-1252."""
    head = data[:65536]
    if b"\x00" in head:
        return None, "binary file (contains NUL bytes), not a cable"
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        controls = sum(1 for ch in text[:65536] if ord(ch) < 32 and ch not in "\r\n\t\f")
        if controls > max(8, len(text[:65536]) // 100):
            return None, "binary file (control characters), not a cable"
        return text, None
    return None, "binary file (undecodable bytes), not a cable"


def _collision(existing: CableRecord, cable: Cable) -> str | None:
    """Why `cable` is a different document from the stored one with the same id, if it is.
    Re-sent or corrected versions keep their date; a different day or subject means two
    different cables were given one id."""
    old_day = existing.created.date().isoformat() if existing.created else None
    new_day = cable.created[:10] if cable.created else None
    if old_day and new_day and old_day != new_day:
        return f"created {new_day}, stored {old_day}"
    old_subject = _squash(existing.subject)
    new_subject = _squash(cable.subject)
    if old_subject and new_subject and old_subject != new_subject:
        return "subject differs"
    return None


def _squash(value: str | None) -> str:
    return "".join(ch for ch in (value or "").upper() if ch.isalnum())


def _fill(record: CableRecord, cable: Cable, parsed: dict[str, Any], digest: str) -> None:
    marking = record_marking(cable)
    created = _parse_created(cable.created)
    record.origin = cable.origin
    record.created = created
    record.month = created.strftime("%Y-%m") if created else None
    record.precedence = cable.precedence
    record.subject = cable.subject
    record.handling = " ".join(cable.handling)
    record.classified_by = cable.classified_by
    record.reasons = " ".join(cable.reasons)
    record.declassify_on = cable.declassify_on
    record.declassify_raw = cable.declassify_raw
    record.summary = cable.summary
    record.signers = " ".join(cable.signers)
    record.source_format = cable.source_format
    record.content_hash = digest
    record.parsed = parsed
    record.classification, record.caveats, record.rel_to, _ = marking.to_columns()
    record.shared_with_partner = bool(record.shared_with_partner)
    record.recipients = [
        CableRecipient(
            position=i, route=r.route, name=r.name, precedence=r.precedence, serial=r.serial
        )
        for i, r in enumerate(cable.recipients)
    ]
    record.tags = [CableTag(position=i, tag=t) for i, t in enumerate(cable.tags)]
    record.references = [
        CableReference(position=i, label=r.label, ref_id=r.id, text=r.text)
        for i, r in enumerate(cable.references)
    ]
    paragraphs = []
    for i, p in enumerate(cable.paragraphs):
        level, caveats, rel_to, _ = paragraph_marking(p.classification, marking).to_columns()
        paragraphs.append(
            CableParagraph(
                position=i,
                number=p.number,
                portion=p.classification,
                text=p.text,
                classification=level,
                caveats=caveats,
                rel_to=rel_to,
                shared_with_partner=False,
            )
        )
    record.paragraphs = paragraphs


def record_marking(cable: Cable) -> Marking:
    """The record marking from a cable's banner. A cable whose level cannot be read is stored
    as SECRET: the reader could not prove it is anything less."""
    try:
        level = Level.parse(cable.classification or "")
    except ValueError:
        level = Level.S
    caveats: set[str] = set()
    rel_to: frozenset[str] = frozenset()
    for caveat in cable.caveats:
        upper = caveat.upper().strip()
        if upper.startswith("REL TO") or upper.startswith("RELEASABLE TO"):
            rel_to |= parse_rel_to(upper.split(" TO ", 1)[1])
        else:
            caveats.add(upper)
    return Marking(level=level, caveats=frozenset(caveats), rel_to=rel_to)


def _version(
    number: int, digest: str, text: str, source: str, parsed: dict[str, Any]
) -> CableVersion:
    return CableVersion(
        version=number, content_hash=digest, original_text=text, source_name=source, parsed=parsed
    )


def _quarantine(session: Session, source: SourceFile, digest: str, reason: str) -> FileResult:
    known = session.scalar(
        select(QuarantinedFile.id).where(
            QuarantinedFile.source_name == source.name, QuarantinedFile.content_hash == digest
        )
    )
    if known is None:
        keep = (
            source.data if source.data is not None and len(source.data) <= MAX_CABLE_BYTES else None
        )
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


def _sha256(data: bytes | None) -> str:
    return hashlib.sha256(data or b"").hexdigest()


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
