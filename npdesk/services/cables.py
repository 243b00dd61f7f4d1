"""Reading stored cables: one cable as a document, its references and citations, and browsing
by month. Every answer is cut to what the user may read; a cable they may not read is answered
exactly like a cable that does not exist."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, selectinload

from npdesk.cables.tags import describe_tag
from npdesk.security.audit import Outcome
from npdesk.security.model import Party, User
from npdesk.security.redact import MarkedPart, MarkedRecord, redact
from npdesk.services import audit, errors
from npdesk.services.audit_scope import note_read
from npdesk.store.db import banner, iso_utc, session_factory, transaction
from npdesk.store.models.cables import CableRecord, CableReference, CableVersion
from npdesk.store.visibility import (
    marking_of,
    readable_row,
    shown_banner,
    visible_columns,
    visible_select,
)

_ID = re.compile(r"^\d{2}[A-Z0-9]+\d+$")


def normalize_id(value: str) -> str:
    """`08 BEIJING 1050` and `08beijing001050` both become `08BEIJING1050`."""
    squashed = re.sub(r"\s+", "", value.upper())
    match = re.fullmatch(r"(\d{2})([A-Z][A-Z0-9]*?)0*(\d+)", squashed)
    if not match:
        return squashed
    return f"{match.group(1)}{match.group(2)}{int(match.group(3))}"


def load_readable(session: Session, cable_id: str, user: User) -> CableRecord | None:
    """The stored cable if it exists and `user` may read it, else None (the two are
    indistinguishable to the caller on purpose)."""
    record = session.scalar(
        visible_select(CableRecord, user, CableRecord.id == normalize_id(cable_id)).options(
            selectinload(CableRecord.recipients),
            selectinload(CableRecord.tags),
            selectinload(CableRecord.references),
            selectinload(CableRecord.paragraphs),
        )
    )
    return record


def cable_view(session: Session, cable_id: str, user: User) -> dict[str, Any] | None:
    """The cable as `user` may see it: header fields, tags with meanings, readable paragraphs
    with their portion markings, references (`resolved` true when the cited cable is stored and
    readable by the user) and `cited_by`."""
    record = load_readable(session, cable_id, user)
    if record is None:
        return None
    ref_ids = [r.ref_id for r in record.references if r.ref_id]
    readable_ids = set(
        session.scalars(
            visible_columns(CableRecord, user, CableRecord.id).where(CableRecord.id.in_(ref_ids))
        )
    )
    view = redact(
        MarkedRecord(
            marking_of(record),
            [MarkedPart(marking_of(p), p, p.number) for p in record.paragraphs],
        ),
        user,
    )
    if view is None:  # readable() above already agreed; kept for the policy's own word
        return None
    # Partner users see only released paragraphs, renumbered 1..n so no gap betrays one held
    # back; home users keep the cable's numbers.
    paragraphs = [
        {
            "number": shown.number,
            "classification": shown.content.portion,
            "marking": shown_banner(marking_of(shown.content), user),
            "text": shown.content.text,
        }
        for shown in view.parts
    ]
    parsed = record.parsed
    return {
        "id": record.id,
        "origin": record.origin,
        "created": iso_utc(record.created),
        "precedence": record.precedence,
        "classification": record.classification,
        "caveats": [c for c in record.caveats.split("//") if c],
        "marking": shown_banner(marking_of(record), user),
        "rel_to": record.rel_to.split(),
        "shared_with_partner": record.shared_with_partner,
        "handling": record.handling.split(),
        "recipients": [
            {"route": r.route, "name": r.name, "precedence": r.precedence, "serial": r.serial}
            for r in record.recipients
        ],
        "tags": [{"tag": t.tag, "meaning": describe_tag(t.tag)} for t in record.tags],
        "subject": record.subject,
        "references": [
            {
                "label": r.label,
                "id": r.ref_id,
                "text": r.text,
                "resolved": r.ref_id in readable_ids,
            }
            for r in record.references
        ],
        "classified_by": record.classified_by,
        "reasons": record.reasons.split(),
        "declassify_on": record.declassify_on,
        "declassify_raw": record.declassify_raw,
        "summary": record.summary if _summary_readable(record, user) else None,
        "paragraphs": paragraphs,
        "signers": record.signers.split(),
        "source_format": record.source_format,
        "version": record.version,
        "cited_by": cited_by(session, record.id, user),
        # The reader's warnings speak of the whole text (a banner above the one shown, a
        # paragraph it could not read): the partner, who reads only what was released, gets none.
        "warnings": (
            list(parsed.get("warnings", []))
            if isinstance(parsed, dict) and user.party is Party.HOME
            else []
        ),
    }


def read_cable(engine: Engine, user: User, cable_id: str, *, source: str) -> dict[str, Any]:
    """`cable_view`, with the read audited: every read of a cable is. A cable the user may not
    read raises `NotFound` exactly as a missing one does, audited as denied."""
    with session_factory(engine, read_only=True)() as session:
        view = cable_view(session, cable_id, user)
    cable = normalize_id(cable_id)
    with transaction(engine) as session:
        audit.record(
            session,
            user,
            "cables.read",
            outcome=Outcome.ALLOWED if view is not None else Outcome.DENIED,
            source=source,
            record_kind="cable",
            record_id=cable[:64],
        )
    if view is None:
        raise errors.NotFound(f"no cable {cable}")
    return view


def _summary_readable(record: CableRecord, user: User) -> bool:
    # The summary is a copy of paragraph text: show it only when every paragraph is readable.
    return all(readable_row(p, user) for p in record.paragraphs)


def cited_by(session: Session, cable_id: str, user: User) -> list[dict[str, Any]]:
    """Readable cables whose references cite `cable_id`, oldest first."""
    rows = session.execute(
        visible_columns(CableRecord, user, CableRecord.id, CableRecord.subject, CableRecord.created)
        .join(CableReference, CableReference.cable_id == CableRecord.id)
        .where(CableReference.ref_id == cable_id)
        .distinct()
        .order_by(CableRecord.created, CableRecord.id)
    ).all()
    return [{"id": r.id, "subject": r.subject, "created": iso_utc(r.created)} for r in rows]


def original_versions(session: Session, cable_id: str, user: User) -> list[dict[str, Any]]:
    """Every stored version's metadata (not the text) of a readable cable."""
    record = load_readable(session, cable_id, user)
    if record is None:
        return []
    rows = session.scalars(
        select(CableVersion)
        .where(CableVersion.cable_id == record.id)
        .order_by(CableVersion.version)
    ).all()
    return [
        {
            "version": v.version,
            "sha256": v.content_hash,
            "source": v.source_name,
            "ingested_at": iso_utc(v.ingested_at),
        }
        for v in rows
    ]


def reference_graph(session: Session, cable_id: str, user: User) -> dict[str, Any]:
    """The cable's neighbours: what it cites and what cites it, as nodes and edges."""
    view = cable_view(session, cable_id, user)
    if view is None:
        return {"nodes": [], "edges": []}
    nodes: dict[str, dict[str, Any]] = {view["id"]: {"id": view["id"], "kind": "self"}}
    edges: list[dict[str, str]] = []
    for ref in view["references"]:
        if ref["id"]:
            nodes.setdefault(
                ref["id"], {"id": ref["id"], "kind": "cites", "resolved": ref["resolved"]}
            )
            edges.append({"from": view["id"], "to": ref["id"]})
    for citing in view["cited_by"]:
        nodes.setdefault(citing["id"], {"id": citing["id"], "kind": "cited_by", "resolved": True})
        edges.append({"from": citing["id"], "to": view["id"]})
    return {"nodes": list(nodes.values()), "edges": edges}


def months(session: Session, user: User) -> list[tuple[str, int]]:
    """(YYYY-MM, count) of readable cables, newest month first."""
    rows = session.execute(
        visible_columns(CableRecord, user, CableRecord.month, func.count())
        .where(CableRecord.month.is_not(None))
        .group_by(CableRecord.month)
        .order_by(CableRecord.month.desc())
    ).all()
    return [(m or "", n) for m, n in rows]


def cables_in_month(session: Session, month: str, user: User) -> list[dict[str, Any]]:
    rows = session.execute(
        visible_columns(
            CableRecord,
            user,
            CableRecord.id,
            CableRecord.subject,
            CableRecord.created,
            CableRecord.classification,
            CableRecord.caveats,
            CableRecord.origin,
        )
        .where(CableRecord.month == month)
        .order_by(CableRecord.created, CableRecord.id)
    ).all()
    for row in rows:
        note_read("cables", row.id, row.classification)
    return [
        {
            "id": r.id,
            "subject": r.subject,
            "created": iso_utc(r.created),
            "marking": banner(r.classification, r.caveats),
            "origin": r.origin,
        }
        for r in rows
    ]
