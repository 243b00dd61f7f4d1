"""Stored cases, their history, handover lists and review sessions.

Handover entries snapshot a case's releasable text at handover time, so a list always shows
what the partner was actually given. Review agenda items likewise keep the line as printed.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from npdesk.store.db import Base, MarkedMixin, TimestampMixin, utcnow


class CaseRecord(MarkedMixin, TimestampMixin, Base):
    """A proliferation case. `status`, `outcome` and `merged_into` mirror the last event."""

    __tablename__ = "cases"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    reference: Mapped[str] = mapped_column(String(32), unique=True)
    title: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(32), index=True)
    priority: Mapped[str] = mapped_column(String(16), default="medium")
    outcome: Mapped[str | None] = mapped_column(String(32))
    merged_into: Mapped[str | None] = mapped_column(String(32))
    allegation_summary: Mapped[str] = mapped_column(Text, default="")
    releasable_summary: Mapped[str] = mapped_column(Text, default="")
    origin_countries: Mapped[str] = mapped_column(String(200), default="")
    destination_countries: Mapped[str] = mapped_column(String(200), default="")
    fictional: Mapped[bool] = mapped_column(Boolean, default=False)
    created_by: Mapped[str] = mapped_column(String(100), default="")

    subjects: Mapped[list[CaseSubjectRecord]] = relationship(
        cascade="all, delete-orphan", order_by="CaseSubjectRecord.position"
    )
    items: Mapped[list[CaseItemRecord]] = relationship(
        cascade="all, delete-orphan", order_by="CaseItemRecord.position"
    )
    cable_links: Mapped[list[CaseCableLink]] = relationship(
        cascade="all, delete-orphan", order_by="CaseCableLink.id"
    )
    events: Mapped[list[CaseEventRecord]] = relationship(
        cascade="all, delete-orphan", order_by=lambda: [CaseEventRecord.at, CaseEventRecord.id]
    )
    responses: Mapped[list[PartnerResponseRecord]] = relationship(
        cascade="all, delete-orphan",
        order_by=lambda: [PartnerResponseRecord.received_on, PartnerResponseRecord.id],
    )


class CaseSubjectRecord(Base):
    """A firm or person a case is about; `screening_ref` points at a screening result."""

    __tablename__ = "case_subjects"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(Text)
    country: Mapped[str | None] = mapped_column(String(8))
    screening_ref: Mapped[str | None] = mapped_column(String(200))


class CaseItemRecord(Base):
    __tablename__ = "case_items"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    description: Mapped[str] = mapped_column(Text)
    regime: Mapped[str] = mapped_column(String(32))
    category: Mapped[str] = mapped_column(String(200), default="")


class CaseCableLink(Base):
    """A source cable, or one numbered paragraph of it, behind a case."""

    __tablename__ = "case_cable_links"
    __table_args__ = (UniqueConstraint("case_id", "cable_id", "paragraph"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    cable_id: Mapped[str] = mapped_column(ForeignKey("cables.id", ondelete="CASCADE"), index=True)
    paragraph: Mapped[int | None] = mapped_column(Integer)
    linked_by: Mapped[str] = mapped_column(String(100), default="")
    linked_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class CaseEventRecord(Base):
    """One status change with its reason, who made it and when."""

    __tablename__ = "case_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    actor: Mapped[str] = mapped_column(String(100))
    from_status: Mapped[str | None] = mapped_column(String(32))
    to_status: Mapped[str] = mapped_column(String(32))
    reason: Mapped[str] = mapped_column(Text)
    outcome: Mapped[str | None] = mapped_column(String(32))
    merged_into: Mapped[str | None] = mapped_column(String(32))


class PartnerResponseRecord(Base):
    __tablename__ = "case_partner_responses"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    received_on: Mapped[date] = mapped_column(Date)
    text: Mapped[str] = mapped_column(Text)
    recorded_by: Mapped[str] = mapped_column(String(100))
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class PartnerCaseReference(Base):
    """The number a partner government knows a case by (`CHN-2007-001`), assigned once, when
    the case first becomes visible to that partner, and never changed or reused: per partner
    and year (the year of the desk's reference), 1..n in the order cases were released to it.
    """

    __tablename__ = "partner_case_references"
    __table_args__ = (
        UniqueConstraint("partner", "case_id"),
        UniqueConstraint("partner", "year", "number"),
        UniqueConstraint("partner", "reference"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    partner: Mapped[str] = mapped_column(String(3))
    year: Mapped[int] = mapped_column(Integer)
    number: Mapped[int] = mapped_column(Integer)
    reference: Mapped[str] = mapped_column(String(32))
    assigned_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class HandoverListRecord(MarkedMixin, Base):
    """A numbered version of the open-case list handed to the partner."""

    __tablename__ = "handover_lists"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[int] = mapped_column(Integer, unique=True)
    title: Mapped[str] = mapped_column(Text)
    handed_over_on: Mapped[date] = mapped_column(Date, index=True)
    handed_over_by: Mapped[str] = mapped_column(Text)
    handed_over_to: Mapped[str] = mapped_column(Text)
    fictional: Mapped[bool] = mapped_column(Boolean, default=False)
    created_by: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    entries: Mapped[list[HandoverEntryRecord]] = relationship(
        cascade="all, delete-orphan", order_by="HandoverEntryRecord.position"
    )


class HandoverEntryRecord(Base):
    """A case as written on a list: its releasable fields frozen at handover."""

    __tablename__ = "handover_entries"
    __table_args__ = (UniqueConstraint("list_id", "reference"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    list_id: Mapped[int] = mapped_column(
        ForeignKey("handover_lists.id", ondelete="CASCADE"), index=True
    )
    case_id: Mapped[int | None] = mapped_column(
        ForeignKey("cases.id", ondelete="SET NULL"), index=True
    )
    position: Mapped[int] = mapped_column(Integer)
    reference: Mapped[str] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(32))
    releasable_summary: Mapped[str] = mapped_column(Text)
    # Lists of strings: subjects, items, regimes, origin and destination countries.
    details: Mapped[dict[str, Any]] = mapped_column(JSON)


class ReviewSessionRecord(MarkedMixin, Base):
    __tablename__ = "review_sessions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[int] = mapped_column(Integer, unique=True)
    level: Mapped[str] = mapped_column(String(16))
    state: Mapped[str] = mapped_column(String(16), index=True)
    proposed_on: Mapped[date] = mapped_column(Date)
    confirmed_on: Mapped[date | None] = mapped_column(Date)
    venue: Mapped[str] = mapped_column(Text, default="")
    title: Mapped[str] = mapped_column(Text, default="")
    fictional: Mapped[bool] = mapped_column(Boolean, default=False)
    created_by: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    participants: Mapped[list[ReviewParticipantRecord]] = relationship(
        cascade="all, delete-orphan", order_by="ReviewParticipantRecord.position"
    )
    agenda: Mapped[list[AgendaItemRecord]] = relationship(
        cascade="all, delete-orphan", order_by="AgendaItemRecord.position"
    )
    outcomes: Mapped[list[ReviewOutcomeRecord]] = relationship(
        cascade="all, delete-orphan", order_by="ReviewOutcomeRecord.id"
    )


class ReviewParticipantRecord(Base):
    __tablename__ = "review_participants"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    review_id: Mapped[int] = mapped_column(
        ForeignKey("review_sessions.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer)
    side: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(Text)
    role: Mapped[str] = mapped_column(Text, default="")


class AgendaItemRecord(Base):
    """One case on an agenda, as generated (and then edited: `note`, order, removal)."""

    __tablename__ = "review_agenda_items"
    __table_args__ = (UniqueConstraint("review_id", "reference"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    review_id: Mapped[int] = mapped_column(
        ForeignKey("review_sessions.id", ondelete="CASCADE"), index=True
    )
    case_id: Mapped[int | None] = mapped_column(
        ForeignKey("cases.id", ondelete="SET NULL"), index=True
    )
    position: Mapped[int] = mapped_column(Integer)
    reference: Mapped[str] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(32))
    priority: Mapped[str] = mapped_column(String(16))
    age_days: Mapped[int] = mapped_column(Integer)
    releasable_summary: Mapped[str] = mapped_column(Text)
    # [{"on": ISO date, "text": releasable line}, ...]
    changes: Mapped[list[dict[str, str]]] = mapped_column(JSON)
    note: Mapped[str] = mapped_column(Text, default="")


class ReviewOutcomeRecord(Base):
    """What a meeting concluded on one case; `home_note` is home-only."""

    __tablename__ = "review_outcomes"
    __table_args__ = (UniqueConstraint("review_id", "reference"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    review_id: Mapped[int] = mapped_column(
        ForeignKey("review_sessions.id", ondelete="CASCADE"), index=True
    )
    case_id: Mapped[int | None] = mapped_column(
        ForeignKey("cases.id", ondelete="SET NULL"), index=True
    )
    reference: Mapped[str] = mapped_column(String(32))
    partner_statement: Mapped[str] = mapped_column(Text, default="")
    next_step: Mapped[str] = mapped_column(Text, default="")
    home_note: Mapped[str] = mapped_column(Text, default="")
    new_status: Mapped[str | None] = mapped_column(String(32))
    outcome: Mapped[str | None] = mapped_column(String(32))
    merged_into: Mapped[str | None] = mapped_column(String(32))
    recorded_by: Mapped[str] = mapped_column(String(100))
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
