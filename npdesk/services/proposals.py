"""Cables fill the desk: read a stored cable, store what it proposes, and turn an officer's
decision (accept, edit, reject) into desk records, keeping every decision with user and time.

Each proposal carries the marking of the paragraph it came from, so a proposal (and the record
made from it) is never more visible than its source text.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, selectinload

from npdesk.cables.model import Cable, Paragraph
from npdesk.domain.events import kind_from_title
from npdesk.extract import Proposal, suggest
from npdesk.extract.dates import cable_day
from npdesk.security import policy
from npdesk.security.model import Marking, User
from npdesk.services.cables import normalize_id
from npdesk.services.desk import (
    DESK_KIND,
    CommitmentInput,
    DeskNotFound,
    DialogueInput,
    EventInput,
    InvalidDeskData,
    NotPermitted,
    add_commitment_in,
    add_dialogue_to,
    add_event_in,
    add_letter_in,
    ensure_firm,
    marking_of,
    may_see,
    registry_gazetteer,
    set_marking,
)
from npdesk.store.db import session_factory, transaction, utcnow
from npdesk.store.models.cables import CableParagraph, CableRecord
from npdesk.store.models.desk import (
    FirmAliasRecord,
    FirmRecord,
    PartnerNoticeRecord,
    ProposalDecisionRecord,
    ProposalRecord,
)

Decision = Literal["accept", "edit", "reject"]
DECISIONS: tuple[Decision, ...] = ("accept", "edit", "reject")
EDITABLE = (
    "text",
    "title",
    "date",
    "date_range",
    "owner",
    "entities",
    "soft_due",
    "place",
    "shared_with_partner",
)


@dataclass(frozen=True)
class ProposalView:
    """A stored proposal as the user may see it: the public JSON shape plus id, state, the
    record it became and its decisions."""

    id: int
    cable_id: str
    proposal: dict[str, Any]
    title: str
    state: str
    record_kind: str | None
    record_id: int | None
    decisions: list[dict[str, Any]]
    marking: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "cable_id": self.cable_id,
            **self.proposal,
            "title": self.title,
            "state": self.state,
            "record_kind": self.record_kind,
            "record_id": self.record_id,
            "decisions": self.decisions,
            "marking": self.marking,
        }


def cable_of(record: CableRecord) -> Cable:
    """The `Cable` stored in `CableRecord.parsed` (only the parts the reader needs)."""
    parsed = record.parsed or {}
    return Cable(
        id=parsed.get("id") or record.id,
        created=parsed.get("created"),
        subject=parsed.get("subject"),
        classification=parsed.get("classification"),
        paragraphs=[
            Paragraph(p.get("number"), p.get("classification"), p.get("text") or "")
            for p in parsed.get("paragraphs") or []
        ],
    )


def _view(record: ProposalRecord) -> ProposalView:
    proposal = Proposal.from_detail(record.payload)
    return ProposalView(
        id=record.id,
        cable_id=record.cable_id,
        proposal=proposal.to_dict(),
        title=proposal.title or proposal.text[:120],
        state=record.state,
        record_kind=record.record_kind,
        record_id=record.record_id,
        decisions=[
            {
                "decision": d.decision,
                "user": d.username,
                "at": d.decided_at.isoformat(),
                "note": d.note,
            }
            for d in record.decisions
        ],
        marking=marking_of(record).banner(),
    )


def _paragraph_markings(session: Session, cable: CableRecord) -> dict[int | None, Marking]:
    rows = session.scalars(select(CableParagraph).where(CableParagraph.cable_id == cable.id)).all()
    out: dict[int | None, Marking] = {None: marking_of(cable)}
    for row in rows:
        if row.number is not None:
            out[row.number] = marking_of(row)
    return out


def suggest_for_cable(engine: Engine, cable_id: str, refresh: bool = False) -> list[ProposalView]:
    """Read the stored cable `cable_id` and store its proposals (kept as they are when already
    stored, unless `refresh` replaces the undecided ones). Returns every stored proposal of
    the cable, unfiltered: callers facing users go through `list_proposals`.
    Raises DeskNotFound when no such cable is stored."""
    gaz = registry_gazetteer(engine)
    with transaction(engine) as session:
        cable = session.get(CableRecord, normalize_id(cable_id))
        if cable is None:
            raise DeskNotFound(f"no cable {cable_id!r}")
        existing = session.scalars(
            select(ProposalRecord).where(ProposalRecord.cable_id == cable.id)
        ).all()
        if existing and not refresh:
            return [_view(r) for r in _ordered(session, cable.id)]
        for row in existing:
            if row.state == "pending":
                session.delete(row)
        session.flush()
        kept = {
            (r.kind, r.payload.get("text"), r.payload.get("date"))
            for r in existing
            if r.state != "pending"
        }
        markings = _paragraph_markings(session, cable)
        position = max((r.position for r in existing), default=-1) + 1
        for proposal in suggest(cable_of(cable), gaz):
            if (proposal.kind, proposal.text, proposal.to_dict()["date"]) in kept:
                continue
            record = ProposalRecord(
                cable_id=cable.id,
                position=position,
                kind=proposal.kind,
                payload=proposal.detail(),
            )
            set_marking(record, markings.get(proposal.paragraph, markings[None]))
            session.add(record)
            position += 1
        session.flush()
        return [_view(r) for r in _ordered(session, cable.id)]


def suggest_all(engine: Engine) -> int:
    """Read every stored cable that has no proposals yet and store its proposals (what ingest
    leaves for later: reading is cheap, but not free on a batch of thousands). Returns how
    many cables were read."""
    with session_factory(engine)() as session:
        done = set(session.scalars(select(ProposalRecord.cable_id).distinct()))
        pending = [c for c in session.scalars(select(CableRecord.id)) if c not in done]
    for cable_id in pending:
        suggest_for_cable(engine, cable_id)
    return len(pending)


def _ordered(session: Session, cable_id: str) -> list[ProposalRecord]:
    return list(
        session.scalars(
            select(ProposalRecord)
            .where(ProposalRecord.cable_id == cable_id)
            .options(selectinload(ProposalRecord.decisions))
            .order_by(ProposalRecord.position)
        ).all()
    )


def list_proposals(engine: Engine, user: User, cable_id: str) -> list[ProposalView]:
    """The proposals of a cable that `user` may see (nothing when they may not see the
    cable)."""
    with session_factory(engine)() as session:
        cable = session.get(CableRecord, normalize_id(cable_id))
        if cable is None or not may_see(user, cable):
            return []
        return [_view(r) for r in _ordered(session, cable.id) if may_see(user, r)]


def _edited(proposal: Proposal, values: dict[str, Any]) -> Proposal:
    data = proposal.detail()
    for key, value in values.items():
        if key not in EDITABLE:
            raise InvalidDeskData(f"cannot edit {key!r}")
        if key != "shared_with_partner":
            data[key] = value
    try:
        return Proposal.from_detail(data)
    except (ValueError, TypeError, IndexError) as error:
        raise InvalidDeskData(f"bad value: {error}") from error


def decide(
    engine: Engine,
    user: User,
    proposal_id: int,
    decision: str,
    values: dict[str, Any] | None = None,
    note: str = "",
    now: dt.datetime | None = None,
) -> ProposalView:
    """Accept, edit (accept with changed values) or reject a proposal. Accepting creates the
    desk record (firm, dialogue, event, letter or commitment) marked like the proposal (or
    shared with the partner when `values["shared_with_partner"]` is true). The decision is
    kept with user and time. Raises DeskNotFound, NotPermitted, InvalidDeskData."""
    if decision not in DECISIONS:
        raise InvalidDeskData(f"decision is one of {', '.join(DECISIONS)}")
    values = dict(values or {})
    with transaction(engine) as session:
        record = session.scalars(
            select(ProposalRecord)
            .where(ProposalRecord.id == proposal_id)
            .options(selectinload(ProposalRecord.decisions))
        ).one_or_none()
        if record is None or not may_see(user, record):
            raise DeskNotFound(f"no proposal {proposal_id}")
        marking = marking_of(record)
        if not policy.may_write(user, DESK_KIND, marking):
            raise NotPermitted(f"{user.username} may not decide on proposals")
        if record.state != "pending":
            raise InvalidDeskData(f"proposal {proposal_id} is already {record.state}")
        proposal = Proposal.from_detail(record.payload)
        if decision == "edit":
            proposal = _edited(proposal, values)
        if decision != "reject":
            shared = bool(values.get("shared_with_partner", False))
            target = Marking(marking.level, marking.caveats, marking.rel_to, shared)
            cable = session.get(CableRecord, record.cable_id)
            made_on = cable_day(cable.parsed.get("created")) if cable is not None else None
            kind, created_id = _create(session, proposal, record.cable_id, target, made_on)
            record.record_kind, record.record_id = kind, created_id
            record.payload = proposal.detail()
        record.state = {"accept": "accepted", "edit": "edited", "reject": "rejected"}[decision]
        record.decisions.append(
            ProposalDecisionRecord(
                decision=decision,
                username=user.username,
                decided_at=now or utcnow(),
                values=values,
                note=note,
            )
        )
        session.flush()
        return _view(record)


def _first_firm(session: Session, proposal: Proposal) -> FirmRecord | None:
    """The stored firm a proposal names (by registry key, else by any entity name)."""
    if proposal.key:
        return ensure_firm(
            session, proposal.entities[0] if proposal.entities else proposal.key, proposal.key
        )
    for name in proposal.entities:
        match = session.scalars(
            select(FirmRecord)
            .outerjoin(FirmAliasRecord)
            .where((FirmRecord.name == name) | (FirmAliasRecord.alias == name))
        ).first()
        if match is not None:
            return match
    return None


def _create(
    session: Session, p: Proposal, cable_id: str, marking: Marking, made_on: dt.date | None
) -> tuple[str | None, int | None]:
    """Create the desk record an accepted proposal stands for; returns (kind, id)."""
    start = p.date or (p.date_range[0] if p.date_range else None)
    end = p.date_range[1] if p.date_range and p.date is None else None
    if p.kind == "firm":
        return "firm", ensure_firm(session, p.title or p.text, p.key).id
    if p.kind == "person":
        return None, None
    if p.kind in ("meeting", "visit"):
        firm = _first_firm(session, p)
        if firm is not None:
            home = p.participants.get("home", [])
            partner = p.participants.get("partner", [])
            others = [e for e in p.entities if e != firm.name and e not in home + partner]
            dialogue = add_dialogue_to(
                session,
                firm,
                DialogueInput(
                    kind=p.kind,
                    date=start,
                    home_participants=tuple(home or others[:1]),
                    partner_participants=tuple(partner),
                    venue=p.place,
                    summary=p.text,
                    source_cable=cable_id,
                    marking=marking,
                ),
            )
            if p.partner_informed_on is not None:
                notice = PartnerNoticeRecord(
                    dialogue_id=dialogue.id,
                    informed_on=p.partner_informed_on,
                    channel=p.partner_informed_via or "reported in the cable",
                    note="read from the cable",
                    source_cable=cable_id,
                )
                set_marking(notice, marking)
                session.add(notice)
            return "dialogue", dialogue.id
        event = add_event_in(
            session,
            EventInput(
                title=p.title or p.kind.capitalize(),
                kind="meeting" if p.kind == "meeting" else "exchange",
                start=start,
                end=end,
                place=p.place,
                agencies=tuple(p.entities),
                outcome=p.text,
                source_cable=cable_id,
                marking=marking,
            ),
        )
        return "event", event.id
    if p.kind in ("event", "review", "handover"):
        title = p.title or p.kind.capitalize()
        kind = (
            kind_from_title(title)
            if p.kind == "event"
            else ("meeting" if p.kind == "review" else "exchange")
        )
        event = add_event_in(
            session,
            EventInput(
                title=title,
                kind=kind,
                start=start,
                end=end,
                place=p.place,
                agencies=tuple(p.entities),
                outcome=p.text,
                source_cable=cable_id,
                marking=marking,
            ),
        )
        return "event", event.id
    if p.kind == "letter":
        letter = add_letter_in(
            session,
            ", ".join(p.participants.get("from", [])) or "",
            ", ".join(p.participants.get("to", [])) or "",
            p.date,
            p.text,
            cable_id,
            marking,
        )
        return "letter", letter.id
    if p.kind == "commitment":
        firm = _first_firm(session, p)
        commitment = add_commitment_in(
            session,
            CommitmentInput(
                owner_side=p.owner or "partner",
                description=p.title or p.text,
                owner=", ".join(e for e in p.entities if firm is None or e != firm.name)[:300],
                due=p.date if p.status == "open" else None,
                soft_due=p.soft_due,
                made_on=p.date if p.status == "done" else made_on,
                made_in="cable",
                made_in_ref=cable_id,
                status=p.status,
                firm_key=firm.key if firm is not None else None,
                marking=marking,
            ),
        )
        return "commitment", commitment.id
    raise InvalidDeskData(f"unknown proposal kind {p.kind!r}")
