"""Releases waiting for a second person: one home user proposes that a record (or some of a
cable's paragraphs) go to the partner, another approves or rejects it (issue 12, part 3)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from npdesk.store.db import Base, utcnow


class PendingRelease(Base):
    """One proposed release. `record_kind` + `record_id` name what goes (a cable id, or a desk
    record's number as text); `paragraphs` are the cable paragraph numbers chosen when it was
    proposed (resolved then, so the approver approves exactly what was shown); `detail` holds
    what a kind needs besides (a screening decision's note). `state` is `proposed`, `approved`
    or `rejected`; a rejection keeps its `reason`. Rows are never deleted: they are the record
    of who asked and who agreed."""

    __tablename__ = "pending_releases"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    record_kind: Mapped[str] = mapped_column(String(32))
    record_id: Mapped[str] = mapped_column(String(64))
    paragraphs: Mapped[list[int] | None] = mapped_column(JSON)
    partner: Mapped[str] = mapped_column(String(3))
    detail: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    proposed_by: Mapped[str] = mapped_column(String(64))
    proposed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    state: Mapped[str] = mapped_column(String(16), default="proposed", index=True)
    decided_by: Mapped[str | None] = mapped_column(String(64))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    reason: Mapped[str | None] = mapped_column(Text)
