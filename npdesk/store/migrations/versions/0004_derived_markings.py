"""derived markings: proposal reads per cable version, marked screening hits, re-marking

Schema: `desk_proposal_reads` records that a cable version was read for proposals (none is an
answer too), so nothing reads a cable on a page view; `screening_hits` get the marking columns.

Data: what was stored under the old rules is marked again, never less strictly than before.
- Cables take the strictest of page metadata, banner and caveats, subject portion marking and
  paragraph markings, read again from the stored original text of the current version (the
  stored paragraphs when the text no longer parses); release decisions (REL TO, shared) stay.
  Unmarked paragraphs take the cable's new level and caveats. The notes of disagreeing sources
  join the stored warnings, and the partner's search row of a re-marked cable is rebuilt.
- Proposals stored before their sources were known may carry any text of their cable: each
  takes the strictest marking of its cable and all its paragraphs; a record made by accepting
  one is raised to at least that marking. No read is recorded, so each cable is read again
  for proposals under the new rules (decided proposals are kept).
- Screening subjects take at least the marking of the case or firm they came from (SECRET
  when it is not stored); screenings, hits, decisions and alerts at least their subject's.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import json
import secrets
from typing import Any

import sqlalchemy as sa
from alembic import op

from npdesk.cables import CableParseError, parse_cable
from npdesk.security.markings import UNPROVEN_LEVEL, cable_marking, strictest
from npdesk.security.model import Level, Marking
from npdesk.security.policy import may_read

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

MARKED = ("classification", "caveats", "rel_to", "shared_with_partner")
NOTE = "marking: "


def upgrade() -> None:
    op.create_table(
        "desk_proposal_reads",
        sa.Column("cable_id", sa.String(length=64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("proposals", sa.Integer(), nullable=False),
        sa.Column("read_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["cable_id"],
            ["cables.id"],
            name=op.f("fk_desk_proposal_reads_cable_id_cables"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("cable_id", name=op.f("pk_desk_proposal_reads")),
    )
    # Plain ADD COLUMN with a default (SQLite too): recreating the table, as a batch would,
    # fails on the decisions' foreign keys to it.
    for column in (
        sa.Column(
            "classification", sa.String(length=32), nullable=False, server_default="UNCLASSIFIED"
        ),
        sa.Column("caveats", sa.String(length=200), nullable=False, server_default=""),
        sa.Column("rel_to", sa.String(length=200), nullable=False, server_default=""),
        sa.Column("shared_with_partner", sa.Boolean(), nullable=False, server_default=sa.false()),
    ):
        op.add_column("screening_hits", column)
    bind = op.get_bind()
    cables = _remark_cables(bind)
    _remark_proposals(bind, cables)
    _remark_screening(bind)
    bind.execute(
        sa.text("UPDATE search_state SET token = :token WHERE id = 1"),
        {"token": secrets.randbits(62)},
    )


def downgrade() -> None:
    with op.batch_alter_table("screening_hits") as batch_op:
        for column in reversed(MARKED):
            batch_op.drop_column(column)
    op.drop_table("desk_proposal_reads")


# --- markings of stored rows ----------------------------------------------------------------


def _marking(row: Any) -> Marking:
    try:
        return Marking.from_strings(
            row.classification, row.caveats or "", row.rel_to or "", bool(row.shared_with_partner)
        )
    except ValueError:
        return Marking(Level.TS)


def _raised(stored: Marking, *others: Marking) -> Marking:
    """`stored` raised to the level and caveats of `others`, its releasability kept."""
    combined = strictest([stored, *others])
    return Marking(combined.level, combined.caveats, stored.rel_to, stored.shared)


def _columns(marking: Marking) -> dict[str, Any]:
    return dict(zip(MARKED, marking.to_columns(), strict=True))


def _update(bind: sa.engine.Connection, table: str, key: Any, marking: Marking) -> None:
    bind.execute(
        sa.text(
            f"UPDATE {table} SET classification = :classification, caveats = :caveats, "
            f"rel_to = :rel_to, shared_with_partner = :shared_with_partner "
            "WHERE id = :key"
        ),
        {**_columns(marking), "key": key},
    )


def _rows(bind: sa.engine.Connection, sql: str, **params: Any) -> list[Any]:
    return list(bind.execute(sa.text(sql), params))


# --- cables ---------------------------------------------------------------------------------


def _derive(
    text: str | None, stored: Marking, portions: list[str | None]
) -> tuple[Marking, list[str]]:
    """The derived marking of a cable and the notes of its disagreeing sources."""
    if text:
        try:
            cable = parse_cable(text)
        except CableParseError:
            cable = None
        if cable is not None:
            sources = cable.marking_sources or {"banner": cable.marking or ""}
            derived = cable_marking(
                page=sources.get("page"),
                banner=sources.get("banner"),
                subject=sources.get("subject"),
                paragraphs=[p.classification for p in cable.paragraphs],
            )
            return derived.marking, list(derived.disagreements)
    derived = cable_marking(banner=stored.banner(), paragraphs=portions)
    return derived.marking, list(derived.disagreements)


def _remark_cables(bind: sa.engine.Connection) -> dict[str, tuple[Marking, list[Marking]]]:
    """Re-mark every cable and its unmarked paragraphs; returns each cable's new marking and
    its paragraphs' markings by position."""
    out: dict[str, tuple[Marking, list[Marking]]] = {}
    cables = _rows(
        bind,
        "SELECT c.id, c.doc_id, c.subject, c.classification, c.caveats, c.rel_to, "
        "c.shared_with_partner, v.id AS version_id, v.original_text, v.parsed "
        "FROM cables c LEFT JOIN cable_versions v "
        "ON v.cable_id = c.id AND v.version = c.version ORDER BY c.id",
    )
    for cable in cables:
        paragraphs = _rows(
            bind,
            "SELECT id, position, portion, text, classification, caveats, rel_to, "
            "shared_with_partner FROM cable_paragraphs WHERE cable_id = :id ORDER BY position",
            id=cable.id,
        )
        stored = _marking(cable)
        derived, notes = _derive(cable.original_text, stored, [p.portion for p in paragraphs])
        new = _raised(stored, derived)
        changed = new != stored
        if changed:
            _update(bind, "cables", cable.id, new)
        markings = []
        for paragraph in paragraphs:
            marking = _marking(paragraph)
            if not _readable_portion(paragraph.portion):
                unmarked = _raised(marking, Marking(new.level, new.caveats))
                if unmarked != marking:
                    _update(bind, "cable_paragraphs", paragraph.id, unmarked)
                    changed = True
                marking = unmarked
            markings.append(marking)
        if notes and cable.version_id is not None:
            _add_notes(bind, cable.version_id, cable.parsed, notes)
        if changed:
            _reindex_partner(
                bind, cable, new, [(p.text, m) for p, m in zip(paragraphs, markings, strict=True)]
            )
        out[cable.id] = (new, markings)
    return out


def _readable_portion(portion: str | None) -> bool:
    if not portion:
        return False
    try:
        Marking.from_portion(portion)
    except ValueError:
        return False
    return True


def _add_notes(bind: sa.engine.Connection, version_id: int, parsed: Any, notes: list[str]) -> None:
    data = json.loads(parsed) if isinstance(parsed, str) else dict(parsed or {})
    warnings = [w for w in data.get("warnings") or [] if not w.startswith(NOTE)]
    data["warnings"] = [*warnings, *(NOTE + n for n in notes)]
    table = sa.table("cable_versions", sa.column("id"), sa.column("parsed", sa.JSON))
    bind.execute(table.update().where(table.c.id == version_id).values(parsed=data))


def _reindex_partner(
    bind: sa.engine.Connection,
    cable: Any,
    marking: Marking,
    paragraphs: list[tuple[str, Marking]],
) -> None:
    """Write the partner's search row of a re-marked cable again (the 0002/0003 layout)."""
    from npdesk.store.visibility import partner_reader

    partner = partner_reader()
    subject, body = "", ""
    if may_read(partner, marking):
        subject = cable.subject or ""
        body = "\n\n".join(text for text, m in paragraphs if may_read(partner, m))
    if bind.dialect.name == "sqlite":
        bind.execute(
            sa.text("DELETE FROM cable_fts_partner WHERE rowid = :doc"), {"doc": cable.doc_id}
        )
        if subject or body:
            bind.execute(
                sa.text(
                    "INSERT INTO cable_fts_partner (rowid, subject, body) "
                    "VALUES (:doc, :subject, :body)"
                ),
                {"doc": cable.doc_id, "subject": subject, "body": body},
            )
        return
    bind.execute(
        sa.text(
            "UPDATE cable_search SET subject = :subject, body = :body, "
            "tsv = setweight(to_tsvector('english', :subject), 'A') || "
            "setweight(to_tsvector('english', :body), 'B') "
            "WHERE cable_id = :id AND audience = 'partner'"
        ),
        {"id": cable.id, "subject": subject, "body": body},
    )


# --- proposals ------------------------------------------------------------------------------

_MADE_FROM_PROPOSALS = {
    "dialogue": "desk_dialogues",
    "event": "desk_events",
    "letter": "desk_letters",
    "commitment": "desk_commitments",
}


def _remark_proposals(
    bind: sa.engine.Connection, cables: dict[str, tuple[Marking, list[Marking]]]
) -> None:
    rows = _rows(
        bind,
        "SELECT id, cable_id, record_kind, record_id, classification, caveats, rel_to, "
        "shared_with_partner FROM desk_proposals ORDER BY id",
    )
    for row in rows:
        if row.cable_id not in cables:
            continue
        record, paragraphs = cables[row.cable_id]
        # No stored proposal knows its sources: it may carry any text of its cable.
        marking = strictest([record, *paragraphs])
        _update(bind, "desk_proposals", row.id, marking)
        table = _MADE_FROM_PROPOSALS.get(row.record_kind or "")
        if table is None or row.record_id is None:
            continue
        for made in _rows(
            bind,
            f"SELECT id, classification, caveats, rel_to, shared_with_partner FROM {table} "
            "WHERE id = :id",
            id=row.record_id,
        ):
            raised = _raised(_marking(made), marking)
            if raised != _marking(made):
                _update(bind, table, made.id, raised)


# --- screening ------------------------------------------------------------------------------


def _remark_screening(bind: sa.engine.Connection) -> None:
    columns = "classification, caveats, rel_to, shared_with_partner"
    subjects: dict[int, Marking] = {}
    for subject in _rows(bind, f"SELECT id, source, reference, {columns} FROM screened_subjects"):
        stored = _marking(subject)
        origin = _origin_marking(bind, subject.source, subject.reference)
        marking = strictest([stored, origin]) if origin is not None else stored
        if marking != stored:
            _update(bind, "screened_subjects", subject.id, marking)
        subjects[subject.id] = marking
    screenings: dict[int, Marking] = {}
    for screening in _rows(bind, f"SELECT id, subject_id, {columns} FROM screenings"):
        stored = _marking(screening)
        marking = stored
        if screening.subject_id is not None:
            marking = strictest([stored, subjects.get(screening.subject_id, Marking(Level.TS))])
        if marking != stored:
            _update(bind, "screenings", screening.id, marking)
        screenings[screening.id] = marking
    hits: dict[int, Marking] = {}
    for hit in _rows(bind, "SELECT id, screening_id FROM screening_hits"):
        hits[hit.id] = screenings[hit.screening_id]
        _update(bind, "screening_hits", hit.id, hits[hit.id])
    for decision in _rows(bind, f"SELECT id, hit_id, {columns} FROM screening_decisions"):
        stored = _marking(decision)
        marking = strictest([stored, hits.get(decision.hit_id, Marking(Level.TS))])
        if marking != stored:
            _update(bind, "screening_decisions", decision.id, marking)
    for alert in _rows(
        bind, f"SELECT id, subject_id, screening_id, {columns} FROM screening_alerts"
    ):
        stored = _marking(alert)
        sources = [subjects.get(alert.subject_id, Marking(Level.TS))]
        if alert.screening_id is not None:
            sources.append(screenings.get(alert.screening_id, Marking(Level.TS)))
        marking = strictest([stored, *sources])
        if marking != stored:
            _update(bind, "screening_alerts", alert.id, marking)


def _origin_marking(bind: sa.engine.Connection, source: str, reference: str) -> Marking | None:
    """The marking of the case or firm a subject came from (SECRET when it is not stored);
    None for a subject added by hand."""
    if source == "case":
        sql = "SELECT classification, caveats, rel_to, shared_with_partner FROM cases "
        sql += "WHERE reference = :ref"
    elif source == "firm":
        sql = "SELECT classification, caveats, rel_to, shared_with_partner FROM desk_firms "
        sql += "WHERE key = :ref"
    else:
        return None
    found = _rows(bind, sql, ref=reference)
    return _marking(found[0]) if found else Marking(UNPROVEN_LEVEL)
