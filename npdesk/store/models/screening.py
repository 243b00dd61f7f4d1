"""Stored screening: dated list versions and their entries, screenings with their hits,
officers' decisions on hits (judgement records, never deleted), the registry of firms and
persons npdesk knows (re-screened when a list changes) and the alerts re-screening raises."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from npdesk.store.db import Base, MarkedMixin, utcnow


class ScreeningListVersion(Base):
    """One load of one list: numbered per list name, with its counts and skipped rows."""

    __tablename__ = "screening_list_versions"
    __table_args__ = (UniqueConstraint("list_name", "version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    list_name: Mapped[str] = mapped_column(String(64), index=True)
    version: Mapped[int] = mapped_column(Integer)
    format: Mapped[str] = mapped_column(String(16))
    source_name: Mapped[str] = mapped_column(Text)
    content_hash: Mapped[str] = mapped_column(String(64))
    loaded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    loaded_by: Mapped[str] = mapped_column(String(100))
    entry_count: Mapped[int] = mapped_column(Integer)
    counts: Mapped[dict[str, int]] = mapped_column(JSON)
    problems: Mapped[list[str]] = mapped_column(JSON)


class ScreeningListEntry(Base):
    """A list entry as loaded in one version: key columns plus the whole entry as JSON
    (`npdesk.screening.model.ListEntry.to_json`)."""

    __tablename__ = "screening_entries"
    __table_args__ = (UniqueConstraint("version_id", "source_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version_id: Mapped[int] = mapped_column(
        ForeignKey("screening_list_versions.id", ondelete="CASCADE"), index=True
    )
    source_id: Mapped[str] = mapped_column(String(64), index=True)
    entry_type: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(Text)
    entry: Mapped[dict[str, Any]] = mapped_column(JSON)


class ScreenedSubject(MarkedMixin, Base):
    """A firm or person npdesk knows and keeps screening: from a case, a firm profile, or
    added by hand; `reference` says where (a case reference, a firm id). Marked at least as
    strictly as the case or firm it came from, and so are its screenings, hits, decisions and
    alerts."""

    __tablename__ = "screened_subjects"
    __table_args__ = (UniqueConstraint("source", "reference", "name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    kind: Mapped[str | None] = mapped_column(String(16))
    country: Mapped[str | None] = mapped_column(String(64))
    dob: Mapped[str | None] = mapped_column(String(32))
    source: Mapped[str] = mapped_column(String(32))
    reference: Mapped[str] = mapped_column(String(200), default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    added_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    added_by: Mapped[str] = mapped_column(String(100))


class ScreeningRecord(MarkedMixin, Base):
    """One screening of one name: who, when, the query, the list versions used, the hits."""

    __tablename__ = "screenings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    actor: Mapped[str] = mapped_column(String(100))
    origin: Mapped[str] = mapped_column(String(32))
    query_name: Mapped[str] = mapped_column(Text)
    query_key: Mapped[str] = mapped_column(Text, index=True)
    query_type: Mapped[str | None] = mapped_column(String(16))
    query_country: Mapped[str | None] = mapped_column(String(64))
    query_dob: Mapped[str | None] = mapped_column(String(32))
    list_versions: Mapped[dict[str, int]] = mapped_column(JSON)
    subject_id: Mapped[int | None] = mapped_column(ForeignKey("screened_subjects.id"), index=True)
    hit_count: Mapped[int] = mapped_column(Integer, default=0)

    hits: Mapped[list[ScreeningHitRecord]] = relationship(
        cascade="all, delete-orphan", order_by="ScreeningHitRecord.rank"
    )


class ScreeningHitRecord(MarkedMixin, Base):
    """One hit of a screening, as shown: rank, entry, matched name, score, band, explanation;
    marked like its screening."""

    __tablename__ = "screening_hits"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    screening_id: Mapped[int] = mapped_column(
        ForeignKey("screenings.id", ondelete="CASCADE"), index=True
    )
    rank: Mapped[int] = mapped_column(Integer)
    list_name: Mapped[str] = mapped_column(String(64))
    source_id: Mapped[str] = mapped_column(String(64))
    entry_name: Mapped[str] = mapped_column(Text)
    matched_name: Mapped[str] = mapped_column(Text)
    score: Mapped[float] = mapped_column(Float)
    band: Mapped[str | None] = mapped_column(String(16))
    explanation: Mapped[dict[str, Any]] = mapped_column(JSON)


class ScreeningDecision(MarkedMixin, Base):
    """An officer's judgement on a hit: true match, false positive or unsure, with a reason.
    Keyed also by the normalized query and the entry, so a later screening of the same name
    against the same entry shows it. Judgements are never deleted or changed: a new decision
    on the same hit is a new row."""

    __tablename__ = "screening_decisions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    hit_id: Mapped[int] = mapped_column(ForeignKey("screening_hits.id"), index=True)
    query_key: Mapped[str] = mapped_column(Text, index=True)
    list_name: Mapped[str] = mapped_column(String(64))
    source_id: Mapped[str] = mapped_column(String(64))
    judgement: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(Text)
    decided_by: Mapped[str] = mapped_column(String(100))
    decided_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ScreeningAlert(MarkedMixin, Base):
    """Raised by re-screening after a list loads: a known subject has a new hit, or an entry
    it hit before was removed from the list."""

    __tablename__ = "screening_alerts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    subject_id: Mapped[int] = mapped_column(ForeignKey("screened_subjects.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    list_name: Mapped[str] = mapped_column(String(64))
    source_id: Mapped[str] = mapped_column(String(64))
    entry_name: Mapped[str] = mapped_column(Text)
    score: Mapped[float | None] = mapped_column(Float)
    version_id: Mapped[int] = mapped_column(ForeignKey("screening_list_versions.id"))
    screening_id: Mapped[int | None] = mapped_column(ForeignKey("screenings.id"))
    raised_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    acknowledged_by: Mapped[str | None] = mapped_column(String(100))
    acknowledged_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
