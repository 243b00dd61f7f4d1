"""Stored cables: the current parsed form, every original version, and the parts search and
the reading room need (recipients, tags, references, paragraphs with their markings)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from npdesk.store.db import Base, MarkedMixin, banner, utcnow


class CableRecord(MarkedMixin, Base):
    """The current version of a cable. References resolve by joining `CableReference.ref_id`
    to this table's id, so a cable that arrives later resolves earlier citations at once."""

    __tablename__ = "cables"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    # A compact integer key for the full-text index (its rowid on SQLite).
    doc_id: Mapped[int] = mapped_column(Integer, unique=True)
    origin: Mapped[str | None] = mapped_column(String(200))
    created: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), index=True)
    month: Mapped[str | None] = mapped_column(String(7), index=True)
    precedence: Mapped[str | None] = mapped_column(String(32))
    subject: Mapped[str | None] = mapped_column(Text)
    handling: Mapped[str] = mapped_column(String(200), default="")
    classified_by: Mapped[str | None] = mapped_column(Text)
    reasons: Mapped[str] = mapped_column(String(200), default="")
    declassify_on: Mapped[str | None] = mapped_column(String(10))
    declassify_raw: Mapped[str | None] = mapped_column(String(200))
    signers: Mapped[str] = mapped_column(String(200), default="")
    source_format: Mapped[str] = mapped_column(String(16))
    version: Mapped[int] = mapped_column(Integer, default=1)
    content_hash: Mapped[str] = mapped_column(String(64))
    # The tags again, space-separated: search counts tag facets from the matching rows it has
    # already read instead of joining cable_tags once more (cable_tags stays the source).
    tag_list: Mapped[str] = mapped_column(String(1000), default="")

    # Large values (the parsed form, the original text) live only in `cable_versions`: the
    # cables table stays small, so scans for counts and facets read a few pages, not megabytes.
    current: Mapped[CableVersion] = relationship(
        primaryjoin="and_(CableVersion.cable_id == CableRecord.id, "
        "CableVersion.version == CableRecord.version)",
        viewonly=True,
        uselist=False,
        lazy="select",
    )
    recipients: Mapped[list[CableRecipient]] = relationship(
        cascade="all, delete-orphan", order_by="CableRecipient.position"
    )
    tags: Mapped[list[CableTag]] = relationship(
        cascade="all, delete-orphan", order_by="CableTag.position"
    )
    references: Mapped[list[CableReference]] = relationship(
        cascade="all, delete-orphan", order_by="CableReference.position"
    )
    paragraphs: Mapped[list[CableParagraph]] = relationship(
        cascade="all, delete-orphan", order_by="CableParagraph.position"
    )
    versions: Mapped[list[CableVersion]] = relationship(
        cascade="all, delete-orphan", order_by="CableVersion.version"
    )

    @property
    def parsed(self) -> dict[str, Any]:
        """The `Cable.to_dict()` of the current version."""
        return self.current.parsed if self.current is not None else {}

    @property
    def summary(self) -> str | None:
        value = self.parsed.get("summary")
        return value if isinstance(value, str) else None

    @property
    def marking(self) -> str:
        return banner(self.classification, self.caveats)


class CableVersion(Base):
    """The original text of every version of a cable, exactly as it arrived."""

    __tablename__ = "cable_versions"
    __table_args__ = (
        UniqueConstraint("cable_id", "version"),
        UniqueConstraint("cable_id", "content_hash"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    cable_id: Mapped[str] = mapped_column(ForeignKey("cables.id", ondelete="CASCADE"))
    version: Mapped[int] = mapped_column(Integer)
    content_hash: Mapped[str] = mapped_column(String(64), index=True)
    original_text: Mapped[str] = mapped_column(Text)
    source_name: Mapped[str] = mapped_column(Text)
    ingested_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    parsed: Mapped[dict[str, Any]] = mapped_column(JSON)


class CableRecipient(Base):
    __tablename__ = "cable_recipients"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    cable_id: Mapped[str] = mapped_column(ForeignKey("cables.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    route: Mapped[str] = mapped_column(String(8))
    name: Mapped[str] = mapped_column(Text)
    precedence: Mapped[str | None] = mapped_column(String(32))
    serial: Mapped[str | None] = mapped_column(String(32))


class CableTag(Base):
    __tablename__ = "cable_tags"
    # Covering index: tag facets over many cables read the index only.
    __table_args__ = (Index("ix_cable_tags_cable_id_tag", "cable_id", "tag"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    cable_id: Mapped[str] = mapped_column(ForeignKey("cables.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    tag: Mapped[str] = mapped_column(String(64), index=True)


class CableReference(Base):
    __tablename__ = "cable_references"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    cable_id: Mapped[str] = mapped_column(ForeignKey("cables.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    label: Mapped[str | None] = mapped_column(String(16))
    ref_id: Mapped[str | None] = mapped_column(String(64), index=True)
    text: Mapped[str] = mapped_column(Text)


class CableParagraph(MarkedMixin, Base):
    """A paragraph with its own marking, taken from its portion marking (`portion`)."""

    __tablename__ = "cable_paragraphs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    cable_id: Mapped[str] = mapped_column(ForeignKey("cables.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    number: Mapped[int | None] = mapped_column(Integer)
    portion: Mapped[str | None] = mapped_column(String(32))
    text: Mapped[str] = mapped_column(Text)


class QuarantinedFile(Base):
    """A file that could not be ingested, kept with its reason so nothing is lost."""

    __tablename__ = "quarantine"
    __table_args__ = (UniqueConstraint("source_name", "content_hash"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source_name: Mapped[str] = mapped_column(Text)
    content_hash: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(Text)
    content: Mapped[bytes | None] = mapped_column(LargeBinary)
    quarantined_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
