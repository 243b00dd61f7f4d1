"""Cables fill the desk: read a stored cable, store what it proposes, and turn an officer's
decision (accept, edit, reject) into desk records, keeping every decision with user and time.

Each proposal carries the strictest marking of the paragraphs whose text it carries (all of the
cable's when the extractor could not say which), so a proposal (and the record made from it) is
never more visible than its source text.

Proposals are read once per cable version, by `npdesk cables suggest[-all]` or in the
background (`ProposalReader`, run by the server), and the read is recorded even when it yields
nothing; a page view only shows what was read, and never reads a cable the viewer may not read.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import or_, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, selectinload

from npdesk import settings
from npdesk.cables.model import Cable, Paragraph
from npdesk.domain.events import kind_from_title
from npdesk.extract import Proposal, suggest
from npdesk.extract.dates import cable_day
from npdesk.security import policy
from npdesk.security.markings import strictest
from npdesk.security.model import Marking, User
from npdesk.security.partners import agreed_level
from npdesk.services import approvals, audit, errors
from npdesk.services.audit_scope import current_source
from npdesk.services.cables import normalize_id
from npdesk.services.commitments import CommitmentInput, add_commitment_in
from npdesk.services.events import EventInput, add_event_in, add_letter_in
from npdesk.services.firms import DialogueInput, add_dialogue_to, ensure_firm, registry_gazetteer
from npdesk.services.program_records import DESK_KIND, share_in
from npdesk.store.db import session_factory, transaction, utcnow
from npdesk.store.models.cables import CableParagraph, CableRecord
from npdesk.store.models.desk import (
    FirmAliasRecord,
    FirmRecord,
    PartnerNoticeRecord,
    ProposalDecisionRecord,
    ProposalReadRecord,
    ProposalRecord,
)
from npdesk.store.visibility import marking_of, readable, set_marking, visible_select

log = logging.getLogger(__name__)

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


def proposal_marking(
    sources: Sequence[int], paragraphs: Sequence[Marking | None], record: Marking
) -> Marking:
    """The marking of a proposal carrying the text of `sources` (indexes into the cable's
    paragraphs, whose markings are `paragraphs`; None where a paragraph's marking is unknown):
    the strictest of them. With no sources, or one that names no known paragraph, the proposal
    may carry any text of the cable: it takes the strictest of the cable record's marking and
    every paragraph's (fail closed)."""
    chosen = [paragraphs[i] if 0 <= i < len(paragraphs) else None for i in set(sources)]
    if chosen and all(m is not None for m in chosen):
        return strictest(m for m in chosen if m is not None)
    return strictest([record, *(m for m in paragraphs if m is not None)])


def _paragraph_markings(session: Session, cable_id: str) -> list[Marking | None]:
    """The stored paragraphs' markings by position (the index into `Cable.paragraphs`)."""
    rows = session.scalars(select(CableParagraph).where(CableParagraph.cable_id == cable_id))
    by_position = {row.position: marking_of(row) for row in rows}
    size = max(by_position, default=-1) + 1
    return [by_position.get(position) for position in range(size)]


def remark_proposals(session: Session, cable_id: str) -> None:
    """Mark the cable's undecided proposals again from its current paragraph markings (after
    a release or a new version changed them)."""
    cable = session.get(CableRecord, cable_id)
    if cable is None:
        return
    paragraphs = _paragraph_markings(session, cable_id)
    rows = session.scalars(
        select(ProposalRecord).where(
            ProposalRecord.cable_id == cable_id, ProposalRecord.state == "pending"
        )
    )
    for row in rows:
        sources = Proposal.from_detail(row.payload).sources
        set_marking(row, proposal_marking(sources, paragraphs, marking_of(cable)))


def _no_cable(cable_id: str) -> errors.NotFound:
    # One answer for a missing cable and for one the reader may not read.
    return errors.NotFound(f"no cable {cable_id!r}")


def suggest_for_cable(engine: Engine, cable_id: str, refresh: bool = False) -> list[ProposalView]:
    """Read the stored cable `cable_id` for proposals unless its current version was read
    already (or `refresh` asks again: undecided proposals are replaced, decided ones kept).
    The cable is read outside any transaction; the proposals and the record of the read are
    stored together. Returns every stored proposal of the cable, unfiltered: callers facing
    users go through `proposals_for` or `list_proposals`. Raises errors.NotFound when no such
    cable is stored."""
    with session_factory(engine)() as session:
        record = session.get(CableRecord, normalize_id(cable_id))
        if record is None:
            raise _no_cable(cable_id)
        done = session.get(ProposalReadRecord, record.id)
        if done is not None and done.version == record.version and not refresh:
            return [_view(r) for r in _ordered(session, record.id)]
        version, cable = record.version, cable_of(record)
    found = suggest(cable, registry_gazetteer(engine))
    with transaction(engine) as session:
        record = session.get(CableRecord, cable.id or normalize_id(cable_id))
        if record is None:
            raise _no_cable(cable_id)
        done = session.get(ProposalReadRecord, record.id)
        if done is not None and done.version == version and not refresh:
            return [_view(r) for r in _ordered(session, record.id)]  # read meanwhile
        _store_proposals(session, record, found)
        if done is None:
            done = ProposalReadRecord(cable_id=record.id)
            session.add(done)
        done.version, done.proposals, done.read_at = version, len(found), utcnow()
        session.flush()
        return [_view(r) for r in _ordered(session, record.id)]


def _store_proposals(session: Session, cable: CableRecord, found: list[Proposal]) -> None:
    existing = session.scalars(
        select(ProposalRecord).where(ProposalRecord.cable_id == cable.id)
    ).all()
    for row in existing:
        if row.state == "pending":
            session.delete(row)
    session.flush()
    kept = {
        (r.kind, r.payload.get("text"), r.payload.get("date"))
        for r in existing
        if r.state != "pending"
    }
    paragraphs = _paragraph_markings(session, cable.id)
    position = max((r.position for r in existing), default=-1) + 1
    for proposal in found:
        if (proposal.kind, proposal.text, proposal.to_dict()["date"]) in kept:
            continue
        row = ProposalRecord(
            cable_id=cable.id, position=position, kind=proposal.kind, payload=proposal.detail()
        )
        set_marking(row, proposal_marking(proposal.sources, paragraphs, marking_of(cable)))
        session.add(row)
        position += 1


def unread_cables(engine: Engine, limit: int | None = None) -> list[str]:
    """Ids of cables whose current version has not been read for proposals."""
    with session_factory(engine)() as session:
        query = (
            select(CableRecord.id)
            .outerjoin(ProposalReadRecord, ProposalReadRecord.cable_id == CableRecord.id)
            .where(
                or_(
                    ProposalReadRecord.version.is_(None),
                    ProposalReadRecord.version != CableRecord.version,
                )
            )
            .order_by(CableRecord.id)
            .limit(limit)
        )
        return list(session.scalars(query))


def read_pending(engine: Engine, limit: int | None = None) -> int:
    """Read for proposals every cable (at most `limit`) whose current version has not been
    read. Returns how many were read; a cable another process read meanwhile is skipped."""
    count = 0
    for cable_id in unread_cables(engine, limit):
        try:
            suggest_for_cable(engine, cable_id)
        except errors.NotFound:
            continue  # deleted meanwhile
        except SQLAlchemyError as error:  # another reader stored it first, or a lock
            log.warning("proposals of %s not stored: %s", cable_id, type(error).__name__)
            continue
        count += 1
    return count


def suggest_all(engine: Engine) -> int:
    """Read every stored cable whose current version has not been read for proposals (what
    ingest leaves for later: reading is cheap, but not free on a batch of thousands). Returns
    how many cables were read."""
    return read_pending(engine)


class ProposalReader:
    """Reads unread cables for proposals in a background thread, one at a time, so no page
    view ever does; idle, it looks for new cables every `idle_seconds`."""

    def __init__(self, engine: Engine, idle_seconds: float = 5.0) -> None:
        self.engine = engine
        self.idle_seconds = idle_seconds
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="npdesk-proposals", daemon=True)
            self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                read = read_pending(self.engine, limit=1)
            except Exception:  # keep the desk serving; the next round tries again
                log.exception("reading cables for proposals failed")
                read = 0
            if read == 0:
                self._stop.wait(self.idle_seconds)


def _ordered(session: Session, cable_id: str) -> list[ProposalRecord]:
    return list(
        session.scalars(
            select(ProposalRecord)
            .where(ProposalRecord.cable_id == cable_id)
            .options(selectinload(ProposalRecord.decisions))
            .order_by(ProposalRecord.position)
        ).all()
    )


@dataclass(frozen=True)
class CableProposals:
    """What a reader is shown of a cable's proposals: those they may read, and whether the
    cable's current version has been read yet."""

    read: bool
    proposals: list[ProposalView]


def proposals_for(engine: Engine, user: User, cable_id: str) -> CableProposals:
    """The stored proposals of `cable_id` that `user` may read; never reads the cable itself.
    Raises errors.NotFound, with the same message as for a missing cable, when `user` may not
    read the cable."""
    with session_factory(engine)() as session:
        cable = session.scalars(
            select(CableRecord).where(
                CableRecord.id == normalize_id(cable_id), readable(CableRecord, user)
            )
        ).one_or_none()
        if cable is None:
            raise _no_cable(cable_id)
        done = session.get(ProposalReadRecord, cable.id)
        rows = session.scalars(
            select(ProposalRecord)
            .where(ProposalRecord.cable_id == cable.id, readable(ProposalRecord, user))
            .options(selectinload(ProposalRecord.decisions))
            .order_by(ProposalRecord.position)
        )
        return CableProposals(
            read=done is not None and done.version == cable.version,
            proposals=[_view(r) for r in rows],
        )


def list_proposals(engine: Engine, user: User, cable_id: str) -> list[ProposalView]:
    """The proposals of a cable that `user` may see (nothing when they may not see the
    cable)."""
    try:
        return proposals_for(engine, user, cable_id).proposals
    except errors.NotFound:
        return []


def _edited(proposal: Proposal, values: dict[str, Any]) -> Proposal:
    data = proposal.detail()
    for key, value in values.items():
        if key not in EDITABLE:
            raise errors.Invalid(f"cannot edit {key!r}")
        if key != "shared_with_partner":
            data[key] = value
    try:
        return Proposal.from_detail(data)
    except (ValueError, TypeError, IndexError) as error:
        raise errors.Invalid(f"bad value: {error}") from error


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
    kept with user and time. Raises errors.NotFound, errors.NotPermitted, errors.Invalid."""
    with audit.refusals_audited(
        engine, user, "desk.proposals.decide", record_kind="proposal", record_id=proposal_id
    ):
        if decision not in DECISIONS:
            raise errors.Invalid(f"decision is one of {', '.join(DECISIONS)}")
        values = dict(values or {})
        with transaction(engine) as session:
            # Checked inside the query: a proposal the user may not read is a missing one.
            record = session.scalars(
                visible_select(ProposalRecord, user, ProposalRecord.id == proposal_id).options(
                    selectinload(ProposalRecord.decisions)
                )
            ).one_or_none()
            if record is None:
                raise errors.NotFound(f"no proposal {proposal_id}")
            marking = marking_of(record)
            if not policy.may_write(user, DESK_KIND, marking):
                raise errors.NotPermitted(f"{user.username} may not decide on proposals")
            if record.state != "pending":
                raise errors.Invalid(f"proposal {proposal_id} is already {record.state}")
            proposal = Proposal.from_detail(record.payload)
            if decision == "edit":
                proposal = _edited(proposal, values)
            if decision != "reject":
                shared = bool(values.get("shared_with_partner", False))
                if shared:  # sharing the new record is a release like any other
                    allowed = policy.may_release(
                        user, marking, agreed_level(settings.partner_country())
                    )
                    if not allowed:
                        raise errors.NotPermitted(allowed.reason)
                # With two-person release on, the record is made unshared and its sharing proposed.
                two_person = shared and settings.two_person_release()
                target = Marking(
                    marking.level, marking.caveats, marking.rel_to, shared and not two_person
                )
                cable = session.get(CableRecord, record.cable_id)
                made_on = cable_day(cable.parsed.get("created")) if cable is not None else None
                kind, created_id = _create(session, proposal, record.cable_id, target, made_on)
                if two_person and kind is not None and created_id is not None:
                    session.flush()
                    refused = approvals.propose_in(
                        session, user, kind, str(created_id), source=current_source()
                    )
                    if isinstance(refused, Exception):
                        raise refused
                elif shared and kind is not None and created_id is not None:
                    # One step: a firm the proposal names may be stored already, not made with
                    # `target`, so sharing is set on whatever record the proposal stands for.
                    session.flush()
                    share_in(session, user, kind, created_id, True)
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
            audit.record_change(
                session,
                user,
                "desk.proposals.decide",
                record_kind="proposal",
                record_id=record.id,
                detail={"decision": decision, "made": f"{record.record_kind}:{record.record_id}"},
            )
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
    raise errors.Invalid(f"unknown proposal kind {p.kind!r}")
