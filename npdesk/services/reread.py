"""Read stored cables again with the current reader: references (so the reference graph and
"cited by" use what the reader now understands), tags, recipients and the header fields
(origin, subject, classified-by, declassification, signers, summary).

Markings and paragraphs are left exactly as stored: they carry release decisions (REL TO,
shared) that officers made, and a reread must never widen or narrow what anyone may see.
Each cable is reread from the text of its current version, in batches, one transaction each;
the run is idempotent (a second run changes nothing) and is audited.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.engine import Engine

from npdesk.cables import parse_cable
from npdesk.cables.model import Cable, CableParseError
from npdesk.security.actions import permits
from npdesk.security.audit import Outcome
from npdesk.security.model import User
from npdesk.services import audit
from npdesk.services.ingest import MARKING_NOTE, _rows, derive_marking
from npdesk.store.catalogue import mark_changed
from npdesk.store.db import session_factory, transaction
from npdesk.store.models.cables import (
    CableRecipient,
    CableRecord,
    CableReference,
    CableTag,
    CableVersion,
)
from npdesk.store.search import IndexDocument, index_cable

REREAD_ACTION = "cables.reread"
BATCH = 200
# Header fields a reread rewrites; markings, doc_id, version and hashes stay as stored.
HEADER_FIELDS = (
    "origin",
    "precedence",
    "subject",
    "handling",
    "classified_by",
    "reasons",
    "declassify_on",
    "declassify_raw",
    "signers",
    "tag_list",
)


@dataclass(frozen=True)
class RereadResult:
    read: int
    changed: int
    unreadable: list[str]

    def to_dict(self) -> dict[str, Any]:
        return {"read": self.read, "changed": self.changed, "unreadable": list(self.unreadable)}


def stored_count(engine: Engine, actor: User) -> int:
    """How many cables a reread would read (for a progress bar); 0 for anyone who may not
    reread, who learns nothing from it."""
    if not permits(actor, REREAD_ACTION):
        return 0
    with session_factory(engine)() as session:
        return int(session.scalar(select(func.count()).select_from(CableRecord)) or 0)


def reread_cables(
    engine: Engine,
    actor: User,
    *,
    source: str,
    progress: Callable[[int], None] | None = None,
) -> RereadResult:
    """Reread every stored cable (see the module's docstring). `progress` is told how many
    cables each finished batch held. Raises `audit.PermissionDenied` unless `actor` may
    ingest cables."""
    audit.require(engine, actor, REREAD_ACTION, source=source)
    with session_factory(engine)() as session:
        ids = list(session.scalars(select(CableRecord.id).order_by(CableRecord.id)))
    changed = 0
    unreadable: list[str] = []
    for start in range(0, len(ids), BATCH):
        batch = ids[start : start + BATCH]
        with transaction(engine) as session:
            texts = dict(
                session.execute(
                    select(CableVersion.cable_id, CableVersion.original_text)
                    .join(
                        CableRecord,
                        (CableRecord.id == CableVersion.cable_id)
                        & (CableRecord.version == CableVersion.version),
                    )
                    .where(CableVersion.cable_id.in_(batch))
                ).all()
            )
            batch_changed = 0
            for cable_id in batch:
                cable = _parse(texts.get(cable_id))
                if cable is None or cable.id != cable_id:
                    unreadable.append(cable_id)
                    continue
                if _rewrite(session, cable_id, cable):
                    batch_changed += 1
            if batch_changed:
                mark_changed(session)
            changed += batch_changed
        if progress is not None:
            progress(len(batch))
    with transaction(engine) as session:
        audit.record(
            session,
            actor,
            REREAD_ACTION,
            outcome=Outcome.OK,
            source=source,
            record_kind="cable",
            detail={"read": len(ids), "changed": changed, "unreadable": len(unreadable)},
        )
    return RereadResult(len(ids), changed, unreadable)


def _parse(text: str | None) -> Cable | None:
    if text is None:
        return None
    try:
        return parse_cable(text)
    except CableParseError:
        return None


def _rewrite(session: Any, cable_id: str, cable: Cable) -> bool:
    """Rewrite one cable's reread parts; whether anything differed."""
    record = session.get(CableRecord, cable_id)
    derived = derive_marking(cable)
    rows = _rows(cable, record.content_hash, version=record.version, marking=derived.marking)
    header = {name: rows.record[name] for name in HEADER_FIELDS}
    before = (
        {name: getattr(record, name) for name in HEADER_FIELDS},
        [(r.label, r.ref_id, r.text) for r in record.references],
        [t.tag for t in record.tags],
        [(r.route, r.name, r.precedence, r.serial) for r in record.recipients],
    )
    after = (
        header,
        [(r["label"], r["ref_id"], r["text"]) for r in rows.references],
        [t["tag"] for t in rows.tags],
        [(r["route"], r["name"], r["precedence"], r["serial"]) for r in rows.recipients],
    )
    if before == after:
        return False
    subject_changed = header["subject"] != record.subject
    session.execute(update(CableRecord).where(CableRecord.id == cable_id).values(header))
    parts: tuple[tuple[Any, list[dict[str, Any]]], ...] = (
        (CableRecipient, rows.recipients),
        (CableTag, rows.tags),
        (CableReference, rows.references),
    )
    for part, values in parts:
        session.execute(delete(part).where(part.cable_id == cable_id))
        if values:
            session.execute(insert(part), values)
    version = session.scalar(
        select(CableVersion).where(
            CableVersion.cable_id == cable_id, CableVersion.version == record.version
        )
    )
    if version is not None:
        parsed = cable.to_dict()
        parsed["warnings"] = [*cable.warnings, *(MARKING_NOTE + n for n in derived.disagreements)]
        version.parsed = parsed
    session.flush()
    session.expire(record)
    if subject_changed:
        index_cable(session, IndexDocument.of(session.get(CableRecord, cable_id)), new=False)
    return True
