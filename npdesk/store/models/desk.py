"""Stored firms (with aliases, dialogues, partner notices and ICP assessments), cooperation
events, letters, commitments, and the proposals read from cables with the officers' decisions.

Every record an officer may share carries the marking columns (`MarkedMixin`); decisions on
proposals are kept as judgement records (who, when, what) and never overwritten.
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


class FirmRecord(MarkedMixin, TimestampMixin, Base):
    """A firm on the desk. `fictional` marks the demo programme's firms."""

    __tablename__ = "desk_firms"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(Text)
    country: Mapped[str | None] = mapped_column(String(3))
    sector: Mapped[str | None] = mapped_column(String(200))
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("desk_firms.id", ondelete="SET NULL"), index=True
    )
    note: Mapped[str] = mapped_column(Text, default="")
    fictional: Mapped[bool] = mapped_column(Boolean, default=False)

    aliases: Mapped[list[FirmAliasRecord]] = relationship(
        cascade="all, delete-orphan", order_by="FirmAliasRecord.id"
    )
    dialogues: Mapped[list[DialogueRecord]] = relationship(
        cascade="all, delete-orphan", order_by="DialogueRecord.date"
    )
    assessments: Mapped[list[ICPAssessmentRecord]] = relationship(
        cascade="all, delete-orphan", order_by="ICPAssessmentRecord.assessed_on"
    )


class FirmAliasRecord(Base):
    __tablename__ = "desk_firm_aliases"
    __table_args__ = (UniqueConstraint("firm_id", "alias"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    firm_id: Mapped[int] = mapped_column(
        ForeignKey("desk_firms.id", ondelete="CASCADE"), index=True
    )
    alias: Mapped[str] = mapped_column(String(300), index=True)


class DialogueRecord(MarkedMixin, TimestampMixin, Base):
    """A meeting or visit with a firm."""

    __tablename__ = "desk_dialogues"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    firm_id: Mapped[int] = mapped_column(
        ForeignKey("desk_firms.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(16))
    date: Mapped[date | None] = mapped_column(Date, index=True)
    home_participants: Mapped[list[str]] = mapped_column(JSON, default=list)
    partner_participants: Mapped[list[str]] = mapped_column(JSON, default=list)
    venue: Mapped[str | None] = mapped_column(Text)
    summary: Mapped[str] = mapped_column(Text, default="")
    follow_ups: Mapped[list[str]] = mapped_column(JSON, default=list)
    source_cable: Mapped[str | None] = mapped_column(String(64), index=True)
    fictional: Mapped[bool] = mapped_column(Boolean, default=False)

    notices: Mapped[list[PartnerNoticeRecord]] = relationship(
        cascade="all, delete-orphan", order_by="PartnerNoticeRecord.informed_on"
    )


class PartnerNoticeRecord(MarkedMixin, Base):
    """When and how the partner government was told about a dialogue."""

    __tablename__ = "desk_partner_notices"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    dialogue_id: Mapped[int] = mapped_column(
        ForeignKey("desk_dialogues.id", ondelete="CASCADE"), index=True
    )
    informed_on: Mapped[date] = mapped_column(Date)
    channel: Mapped[str] = mapped_column(Text)
    informed_by: Mapped[str] = mapped_column(String(200), default="")
    note: Mapped[str] = mapped_column(Text, default="")
    source_cable: Mapped[str | None] = mapped_column(String(64))


class ICPAssessmentRecord(MarkedMixin, TimestampMixin, Base):
    """A firm's ICP scored against one framework and version on one day."""

    __tablename__ = "desk_icp_assessments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    firm_id: Mapped[int] = mapped_column(
        ForeignKey("desk_firms.id", ondelete="CASCADE"), index=True
    )
    framework_id: Mapped[str] = mapped_column(String(40))
    framework_version: Mapped[str] = mapped_column(String(20))
    assessed_on: Mapped[date] = mapped_column(Date)
    assessor: Mapped[str] = mapped_column(String(200), default="")
    source: Mapped[str] = mapped_column(Text, default="")
    dialogue_id: Mapped[int | None] = mapped_column(
        ForeignKey("desk_dialogues.id", ondelete="SET NULL")
    )
    fictional: Mapped[bool] = mapped_column(Boolean, default=False)

    scores: Mapped[list[ICPScoreRecord]] = relationship(
        cascade="all, delete-orphan", order_by="ICPScoreRecord.id"
    )


class ICPScoreRecord(Base):
    __tablename__ = "desk_icp_scores"
    __table_args__ = (UniqueConstraint("assessment_id", "element"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    assessment_id: Mapped[int] = mapped_column(
        ForeignKey("desk_icp_assessments.id", ondelete="CASCADE"), index=True
    )
    element: Mapped[str] = mapped_column(String(80))
    score: Mapped[int] = mapped_column(Integer)
    evidence: Mapped[str] = mapped_column(Text, default="")


class EventRecord(MarkedMixin, TimestampMixin, Base):
    """A workshop, training, dialogue or exchange."""

    __tablename__ = "desk_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(16))
    start: Mapped[date | None] = mapped_column(Date, index=True)
    end: Mapped[date | None] = mapped_column(Date)
    place: Mapped[str | None] = mapped_column(Text)
    agencies: Mapped[list[str]] = mapped_column(JSON, default=list)
    firms: Mapped[list[str]] = mapped_column(JSON, default=list)
    outcome: Mapped[str] = mapped_column(Text, default="")
    follow_ups: Mapped[list[str]] = mapped_column(JSON, default=list)
    source_cable: Mapped[str | None] = mapped_column(String(64), index=True)
    fictional: Mapped[bool] = mapped_column(Boolean, default=False)


class LetterRecord(MarkedMixin, TimestampMixin, Base):
    """Who wrote to whom, when, about what."""

    __tablename__ = "desk_letters"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sender: Mapped[str] = mapped_column(Text)
    recipient: Mapped[str] = mapped_column(Text)
    date: Mapped[date | None] = mapped_column(Date)
    subject: Mapped[str] = mapped_column(Text, default="")
    cable: Mapped[str | None] = mapped_column(String(64), index=True)
    fictional: Mapped[bool] = mapped_column(Boolean, default=False)


class CommitmentRecord(MarkedMixin, TimestampMixin, Base):
    """A commitment one side owes the other. `overdue` is never stored: it is derived from the
    due date (or the soft due) and the clock."""

    __tablename__ = "desk_commitments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    owner_side: Mapped[str] = mapped_column(String(8), index=True)
    owner: Mapped[str] = mapped_column(String(300), default="")
    description: Mapped[str] = mapped_column(Text)
    due: Mapped[date | None] = mapped_column(Date, index=True)
    soft_due: Mapped[str | None] = mapped_column(String(100))
    made_on: Mapped[date | None] = mapped_column(Date)
    made_in: Mapped[str] = mapped_column(String(16), default="cable")
    made_in_ref: Mapped[str | None] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(String(16), default="open", index=True)
    note: Mapped[str] = mapped_column(Text, default="")
    closed_by: Mapped[str | None] = mapped_column(String(100))
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    firm_id: Mapped[int | None] = mapped_column(ForeignKey("desk_firms.id", ondelete="SET NULL"))
    fictional: Mapped[bool] = mapped_column(Boolean, default=False)


class ProposalReadRecord(Base):
    """That a cable version has been read for proposals, and how many it gave (none is an
    answer too): proposals are read once per version, never on a page view."""

    __tablename__ = "desk_proposal_reads"

    cable_id: Mapped[str] = mapped_column(
        ForeignKey("cables.id", ondelete="CASCADE"), primary_key=True
    )
    version: Mapped[int] = mapped_column(Integer)
    proposals: Mapped[int] = mapped_column(Integer, default=0)
    read_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ProposalRecord(MarkedMixin, Base):
    """A proposal read from a cable, waiting for (or carrying) an officer's decision. Its
    marking is the strictest marking of the paragraphs whose text it carries."""

    __tablename__ = "desk_proposals"
    __table_args__ = (UniqueConstraint("cable_id", "position"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    cable_id: Mapped[str] = mapped_column(ForeignKey("cables.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(16), index=True)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    state: Mapped[str] = mapped_column(String(16), default="pending", index=True)
    record_kind: Mapped[str | None] = mapped_column(String(32))
    record_id: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    decisions: Mapped[list[ProposalDecisionRecord]] = relationship(
        cascade="all, delete-orphan", order_by="ProposalDecisionRecord.id"
    )


class ProposalDecisionRecord(Base):
    """A judgement on a proposal: accept, edit or reject, by whom and when, with the values
    as decided."""

    __tablename__ = "desk_proposal_decisions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    proposal_id: Mapped[int] = mapped_column(
        ForeignKey("desk_proposals.id", ondelete="CASCADE"), index=True
    )
    decision: Mapped[str] = mapped_column(String(16))
    username: Mapped[str] = mapped_column(String(100))
    decided_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    values: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    note: Mapped[str] = mapped_column(Text, default="")
