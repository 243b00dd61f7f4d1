"""Desk use cases: firms with dialogues, partner notices and ICP assessments; cooperation
events and letters; commitments with overdue and per-side views.

Every function takes the engine and the acting user and goes through the shared access policy
(`npdesk.security.policy`): a liaison (partner party) sees only records shared with their
government (the shared flag or REL TO their country, never NOFORN, at or below the agreed
level) and may only mark partner commitments done, with a note. A record the user may not see
answers exactly like a record that does not exist. The clock (`today`) is always injectable.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlalchemy import or_, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, selectinload

from npdesk import settings
from npdesk.domain import commitments as commitment_rules
from npdesk.domain.commitments import Commitment, CommitmentError
from npdesk.domain.events import EVENT_KINDS, EventError, Letter
from npdesk.domain.firms import Firm, FirmError, gazetteer, load_reference_firms, slug
from npdesk.domain.icp import Assessment, ElementScore, ICPError, framework
from npdesk.extract.entities import Gazetteer, GazetteerEntry
from npdesk.security import policy
from npdesk.security.model import NOFORN, Level, Marking, Party, User
from npdesk.security.partners import agreed_level
from npdesk.services.screening import query_key
from npdesk.store.db import MarkedMixin, session_factory, transaction, utcnow
from npdesk.store.models.cases import CaseRecord, CaseSubjectRecord
from npdesk.store.models.desk import (
    CommitmentRecord,
    DialogueRecord,
    EventRecord,
    FirmAliasRecord,
    FirmRecord,
    ICPAssessmentRecord,
    ICPScoreRecord,
    LetterRecord,
    PartnerNoticeRecord,
)
from npdesk.store.models.screening import ScreeningDecision, ScreeningRecord

_M = TypeVar("_M", bound=MarkedMixin)
DESK_KIND = "desk"
PARTNER_COMMITMENT_KIND = "partner_commitment"


class DeskNotFound(LookupError):
    """No such record, or the user may not see it."""


class NotPermitted(PermissionError):
    """The user may not perform this action."""


class InvalidDeskData(ValueError):
    """The submitted data is incomplete or inconsistent."""


def marking_of(record: MarkedMixin) -> Marking:
    """The marking of a stored record; an unreadable level counts as TOP SECRET NOFORN so a
    bad marking never widens access."""
    try:
        return Marking.from_strings(
            record.classification, record.caveats, record.rel_to, record.shared_with_partner
        )
    except ValueError:
        return Marking(Level.TS, frozenset({NOFORN}))


def set_marking(record: MarkedMixin, marking: Marking) -> None:
    (record.classification, record.caveats, record.rel_to, record.shared_with_partner) = (
        marking.to_columns()
    )


def may_see(user: User, record: MarkedMixin) -> bool:
    """Whether `user` may see `record` (the shared policy, `policy.may_read`)."""
    return policy.may_read(user, marking_of(record))


def _require_writer(user: User) -> None:
    if not policy.may_write_kind(user, DESK_KIND):
        raise NotPermitted(f"{user.username} may not change the desk")


def _visible(user: User, rows: Sequence[_M]) -> list[_M]:
    return [r for r in rows if may_see(user, r)]


# --- firms -------------------------------------------------------------------------------


@dataclass(frozen=True)
class FirmInput:
    """What an officer enters for a firm. `key` defaults to a slug of the name."""

    name: str
    aliases: tuple[str, ...] = ()
    key: str | None = None
    country: str | None = None
    sector: str | None = None
    parent_key: str | None = None
    note: str = ""
    marking: Marking = field(default_factory=lambda: Marking(Level.U))
    fictional: bool = False


def _firm_by_key(session: Session, key: str) -> FirmRecord | None:
    return session.scalars(
        select(FirmRecord).where(FirmRecord.key == key).options(selectinload(FirmRecord.aliases))
    ).one_or_none()


def create_firm(engine: Engine, user: User, data: FirmInput) -> str:
    """Store a firm and return its key. Raises NotPermitted, InvalidDeskData (empty name,
    duplicate key, unknown parent)."""
    _require_writer(user)
    try:
        firm = Firm(key=data.key or slug(data.name), name=data.name.strip(), aliases=data.aliases)
    except FirmError as error:
        raise InvalidDeskData(str(error)) from error
    with transaction(engine) as session:
        if _firm_by_key(session, firm.key) is not None:
            raise InvalidDeskData(f"a firm with key {firm.key!r} exists")
        parent_id = None
        if data.parent_key:
            parent = _firm_by_key(session, data.parent_key)
            if parent is None:
                raise InvalidDeskData(f"no parent firm {data.parent_key!r}")
            parent_id = parent.id
        record = FirmRecord(
            key=firm.key,
            name=firm.name,
            country=data.country,
            sector=data.sector,
            parent_id=parent_id,
            note=data.note,
            fictional=data.fictional,
        )
        set_marking(record, data.marking)
        record.aliases = [FirmAliasRecord(alias=a) for a in dict.fromkeys(data.aliases) if a]
        session.add(record)
    return firm.key


def ensure_firm(session: Session, name: str, key: str | None = None) -> FirmRecord:
    """The stored firm with `key`, or named `name` (or with it as an alias); created from the
    reference registry or from the name when missing."""
    if key:
        found = _firm_by_key(session, key)
        if found is not None:
            return found
    by_name = session.scalars(
        select(FirmRecord)
        .outerjoin(FirmAliasRecord)
        .where(or_(FirmRecord.name == name, FirmAliasRecord.alias == name))
    ).first()
    if by_name is not None:
        return by_name
    reference = next((f for f in load_reference_firms() if f.key == key or f.name == name), None)
    if reference is not None:
        record = FirmRecord(
            key=reference.key,
            name=reference.name,
            country=reference.country,
            sector=reference.sector,
            note=reference.note,
        )
        record.aliases = [FirmAliasRecord(alias=a) for a in reference.aliases]
    else:
        record = FirmRecord(key=slug(name), name=name)
    session.add(record)
    session.flush()
    return record


@dataclass(frozen=True)
class FirmView:
    key: str
    name: str
    aliases: list[str]
    country: str | None
    sector: str | None
    parent: str | None
    marking: str
    fictional: bool

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def _firm_view(record: FirmRecord, parent_key: str | None) -> FirmView:
    return FirmView(
        key=record.key,
        name=record.name,
        aliases=[a.alias for a in record.aliases],
        country=record.country,
        sector=record.sector,
        parent=parent_key,
        marking=marking_of(record).banner(),
        fictional=record.fictional,
    )


def list_firms(engine: Engine, user: User) -> list[FirmView]:
    """Every firm `user` may see, by name."""
    with session_factory(engine)() as session:
        rows = session.scalars(
            select(FirmRecord).options(selectinload(FirmRecord.aliases)).order_by(FirmRecord.name)
        ).all()
        keys = {r.id: r.key for r in rows}
        return [_firm_view(r, keys.get(r.parent_id or -1)) for r in _visible(user, rows)]


@dataclass(frozen=True)
class DialogueView:
    id: int
    kind: str
    date: dt.date | None
    home_participants: list[str]
    partner_participants: list[str]
    venue: str | None
    summary: str
    follow_ups: list[str]
    source_cable: str | None
    partner_informed: list[dict[str, Any]]
    marking: str

    def to_dict(self) -> dict[str, Any]:
        out = dict(self.__dict__)
        out["date"] = self.date.isoformat() if self.date else None
        return out


@dataclass(frozen=True)
class ScoreView:
    assessed_on: dt.date
    framework_id: str
    framework_version: str
    normalized: float | None
    comparable: float | None
    elements: list[dict[str, Any]]

    def to_dict(self) -> dict[str, Any]:
        out = dict(self.__dict__)
        out["assessed_on"] = self.assessed_on.isoformat()
        return out


@dataclass(frozen=True)
class FirmProfile:
    firm: FirmView
    subsidiaries: list[str]
    dialogues: list[DialogueView]
    assessments: list[ScoreView]
    commitments: list[CommitmentView]
    screening: dict[str, Any]
    cases: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "firm": self.firm.to_dict(),
            "subsidiaries": self.subsidiaries,
            "dialogues": [d.to_dict() for d in self.dialogues],
            "assessments": [a.to_dict() for a in self.assessments],
            "commitments": [c.to_dict() for c in self.commitments],
            "screening": self.screening,
            "cases": self.cases,
        }


def get_firm(engine: Engine, user: User, key: str, today: dt.date | None = None) -> FirmProfile:
    """A firm's profile: dialogues with partner notices, ICP score history, commitments and
    screening status, each filtered by what `user` may see. Raises DeskNotFound."""
    today = today or dt.date.today()
    with session_factory(engine)() as session:
        record = session.scalars(
            select(FirmRecord)
            .where(FirmRecord.key == key)
            .options(
                selectinload(FirmRecord.aliases),
                selectinload(FirmRecord.dialogues).selectinload(DialogueRecord.notices),
                selectinload(FirmRecord.assessments).selectinload(ICPAssessmentRecord.scores),
            )
        ).one_or_none()
        if record is None or not may_see(user, record):
            raise DeskNotFound(f"no firm {key!r}")
        parent = session.get(FirmRecord, record.parent_id) if record.parent_id else None
        children = session.scalars(
            select(FirmRecord).where(FirmRecord.parent_id == record.id)
        ).all()
        commitments = session.scalars(
            select(CommitmentRecord).where(CommitmentRecord.firm_id == record.id)
        ).all()
        dialogues = [
            DialogueView(
                id=d.id,
                kind=d.kind,
                date=d.date,
                home_participants=list(d.home_participants),
                partner_participants=list(d.partner_participants),
                venue=d.venue,
                summary=d.summary,
                follow_ups=list(d.follow_ups),
                source_cable=d.source_cable,
                partner_informed=[
                    {
                        "informed_on": n.informed_on.isoformat(),
                        "channel": n.channel,
                        "by": n.informed_by,
                        "note": n.note,
                    }
                    for n in _visible(user, n_list(d))
                ],
                marking=marking_of(d).banner(),
            )
            for d in _visible(user, record.dialogues)
        ]
        return FirmProfile(
            firm=_firm_view(record, parent.key if parent else None),
            subsidiaries=[c.key for c in _visible(user, children)],
            dialogues=dialogues,
            assessments=[_score_view(a) for a in _visible(user, record.assessments)],
            commitments=[_commitment_view(c, today) for c in _visible(user, commitments)],
            screening=_screening_status(session, user, [record.name]),
            cases=_linked_cases(session, user, [record.name, *(a.alias for a in record.aliases)]),
        )


def _screening_status(session: Session, user: User, names: list[str]) -> dict[str, Any]:
    """The newest screening of the firm's name: its hits and every decision taken on them
    (judgement, reason, who, when). Screening is home-side work: partner users see none."""
    if user.party is not Party.HOME:
        return {"status": "not shown", "hits": [], "decisions": []}
    keys = [query_key(n) for n in names]
    screening = session.scalars(
        select(ScreeningRecord)
        .where(ScreeningRecord.query_key.in_(keys))
        .options(selectinload(ScreeningRecord.hits))
        .order_by(ScreeningRecord.at.desc())
    ).first()
    if screening is None or not may_see(user, screening):
        return {"status": "not screened", "hits": [], "decisions": []}
    hit_ids = [h.id for h in screening.hits]
    decisions = session.scalars(
        select(ScreeningDecision)
        .where(ScreeningDecision.hit_id.in_(hit_ids))
        .order_by(ScreeningDecision.decided_at)
    ).all()
    judgements = {d.judgement for d in decisions}
    if not screening.hits:
        status = "no hits"
    elif "true_match" in judgements:
        status = "true match"
    elif len({d.hit_id for d in decisions}) == len(hit_ids):
        status = "hits cleared"
    else:
        status = f"{len(hit_ids)} hits to review"
    return {
        "status": status,
        "screened_at": screening.at.isoformat(),
        "screened_by": screening.actor,
        "hits": [
            {
                "id": h.id,
                "list": h.list_name,
                "entry": h.entry_name,
                "score": h.score,
                "band": h.band,
            }
            for h in screening.hits
        ],
        "decisions": [
            {
                "hit_id": d.hit_id,
                "judgement": d.judgement,
                "reason": d.reason,
                "decided_by": d.decided_by,
                "decided_at": d.decided_at.isoformat(),
            }
            for d in decisions
            if may_see(user, d)
        ],
    }


def _linked_cases(session: Session, user: User, names: list[str]) -> list[dict[str, Any]]:
    """Cases with the firm (by any of its names) among their subjects, as `user` may see."""
    rows = (
        session.scalars(
            select(CaseRecord)
            .join(CaseSubjectRecord, CaseSubjectRecord.case_id == CaseRecord.id)
            .where(CaseSubjectRecord.name.in_(names))
            .order_by(CaseRecord.reference)
        )
        .unique()
        .all()
    )
    return [
        {"reference": c.reference, "title": c.title, "status": c.status}
        for c in _visible(user, rows)
    ]


def n_list(dialogue: DialogueRecord) -> list[PartnerNoticeRecord]:
    return list(dialogue.notices)


def _score_view(record: ICPAssessmentRecord) -> ScoreView:
    assessment = _assessment(record)
    return ScoreView(
        assessed_on=record.assessed_on,
        framework_id=record.framework_id,
        framework_version=record.framework_version,
        normalized=assessment.normalized(),
        comparable=assessment.comparable(),
        elements=[
            {
                "element": s.element,
                "title": framework(record.framework_id).element(s.element).title,
                "score": s.score,
                "evidence": s.evidence,
            }
            for s in record.scores
        ],
    )


def _assessment(record: ICPAssessmentRecord) -> Assessment:
    return Assessment(
        firm=str(record.firm_id),
        framework_id=record.framework_id,
        assessed_on=record.assessed_on,
        scores=[ElementScore(s.element, s.score, s.evidence) for s in record.scores],
    )


@dataclass(frozen=True)
class DialogueInput:
    kind: str
    date: dt.date | None
    home_participants: tuple[str, ...] = ()
    partner_participants: tuple[str, ...] = ()
    venue: str | None = None
    summary: str = ""
    follow_ups: tuple[str, ...] = ()
    source_cable: str | None = None
    marking: Marking = field(default_factory=lambda: Marking(Level.U))
    fictional: bool = False


def add_dialogue_to(session: Session, firm: FirmRecord, data: DialogueInput) -> DialogueRecord:
    """Add a dialogue to `firm` inside an open session (used by proposals too)."""
    if data.kind not in ("meeting", "visit"):
        raise InvalidDeskData(f"a dialogue is a meeting or a visit, not {data.kind!r}")
    record = DialogueRecord(
        firm_id=firm.id,
        kind=data.kind,
        date=data.date,
        home_participants=list(data.home_participants),
        partner_participants=list(data.partner_participants),
        venue=data.venue,
        summary=data.summary,
        follow_ups=list(data.follow_ups),
        source_cable=data.source_cable,
        fictional=data.fictional,
    )
    set_marking(record, data.marking)
    session.add(record)
    session.flush()
    return record


def add_dialogue(engine: Engine, user: User, firm_key: str, data: DialogueInput) -> int:
    """Record a meeting or visit with a firm; returns its id. Raises NotPermitted,
    DeskNotFound, InvalidDeskData."""
    _require_writer(user)
    with transaction(engine) as session:
        firm = _firm_by_key(session, firm_key)
        if firm is None or not may_see(user, firm):
            raise DeskNotFound(f"no firm {firm_key!r}")
        return add_dialogue_to(session, firm, data).id


def record_partner_notice(
    engine: Engine,
    user: User,
    dialogue_id: int,
    informed_on: dt.date,
    channel: str,
    informed_by: str = "",
    note: str = "",
    source_cable: str | None = None,
) -> int:
    """Record when and how the partner was told about a dialogue; returns the notice id."""
    _require_writer(user)
    if not channel.strip():
        raise InvalidDeskData("say how the partner was informed")
    with transaction(engine) as session:
        dialogue = session.get(DialogueRecord, dialogue_id)
        if dialogue is None or not may_see(user, dialogue):
            raise DeskNotFound(f"no dialogue {dialogue_id}")
        notice = PartnerNoticeRecord(
            dialogue_id=dialogue.id,
            informed_on=informed_on,
            channel=channel,
            informed_by=informed_by,
            note=note,
            source_cable=source_cable,
        )
        set_marking(notice, marking_of(dialogue))
        session.add(notice)
        session.flush()
        return notice.id


def add_assessment(
    engine: Engine,
    user: User,
    firm_key: str,
    framework_id: str,
    assessed_on: dt.date,
    scores: dict[str, tuple[int, str]],
    assessor: str = "",
    source: str = "",
    marking: Marking | None = None,
    fictional: bool = False,
) -> int:
    """Score a firm's ICP against a framework element by element (`scores`: element id →
    (score, evidence)); returns the assessment id. Raises InvalidDeskData on unknown elements
    or scores off the scale."""
    _require_writer(user)
    try:
        fw = framework(framework_id)
        Assessment(
            firm_key,
            framework_id,
            assessed_on,
            [ElementScore(e, s, ev) for e, (s, ev) in scores.items()],
        )
    except ICPError as error:
        raise InvalidDeskData(str(error)) from error
    with transaction(engine) as session:
        firm = _firm_by_key(session, firm_key)
        if firm is None or not may_see(user, firm):
            raise DeskNotFound(f"no firm {firm_key!r}")
        record = ICPAssessmentRecord(
            firm_id=firm.id,
            framework_id=fw.id,
            framework_version=fw.version,
            assessed_on=assessed_on,
            assessor=assessor,
            source=source,
            fictional=fictional,
        )
        set_marking(record, marking or marking_of(firm))
        record.scores = [
            ICPScoreRecord(element=e, score=s, evidence=ev) for e, (s, ev) in scores.items()
        ]
        session.add(record)
        session.flush()
        return record.id


def registry_gazetteer(engine: Engine, extra: Iterable[GazetteerEntry] = ()) -> Gazetteer:
    """The stored firms with their aliases plus the shipped reference registry and `extra`
    names (e.g. `npdesk.domain.firms.screening_names` of the loaded screening lists), as a
    gazetteer for reading cables."""
    with session_factory(engine)() as session:
        rows = session.scalars(select(FirmRecord).options(selectinload(FirmRecord.aliases))).all()
        stored = [
            Firm(
                key=r.key, name=r.name, aliases=tuple(a.alias for a in r.aliases), country=r.country
            )
            for r in rows
        ]
    known = {f.key for f in stored}
    return gazetteer(stored + [f for f in load_reference_firms() if f.key not in known], extra)


# --- events and letters ---------------------------------------------------------------------


@dataclass(frozen=True)
class EventInput:
    title: str
    kind: str
    start: dt.date | None
    end: dt.date | None = None
    place: str | None = None
    agencies: tuple[str, ...] = ()
    firms: tuple[str, ...] = ()
    outcome: str = ""
    follow_ups: tuple[str, ...] = ()
    source_cable: str | None = None
    marking: Marking = field(default_factory=lambda: Marking(Level.U))
    fictional: bool = False


def add_event_in(session: Session, data: EventInput) -> EventRecord:
    """Add an event inside an open session. Raises InvalidDeskData."""
    if not data.title.strip():
        raise InvalidDeskData("an event needs a title")
    if data.kind not in EVENT_KINDS:
        raise InvalidDeskData(f"unknown event kind {data.kind!r}")
    if data.start and data.end and data.end < data.start:
        raise InvalidDeskData("an event cannot end before it starts")
    record = EventRecord(
        title=data.title.strip(),
        kind=data.kind,
        start=data.start,
        end=data.end,
        place=data.place,
        agencies=list(data.agencies),
        firms=list(data.firms),
        outcome=data.outcome,
        follow_ups=list(data.follow_ups),
        source_cable=data.source_cable,
        fictional=data.fictional,
    )
    set_marking(record, data.marking)
    session.add(record)
    session.flush()
    return record


def create_event(engine: Engine, user: User, data: EventInput) -> int:
    """Store a cooperation event; returns its id."""
    _require_writer(user)
    with transaction(engine) as session:
        return add_event_in(session, data).id


def list_events(engine: Engine, user: User) -> list[dict[str, Any]]:
    """Every event `user` may see, newest first, as JSON-ready dicts."""
    with session_factory(engine)() as session:
        rows = session.scalars(select(EventRecord).order_by(EventRecord.start.desc())).all()
        return [
            {
                "id": r.id,
                "title": r.title,
                "kind": r.kind,
                "start": r.start.isoformat() if r.start else None,
                "end": r.end.isoformat() if r.end else None,
                "place": r.place,
                "agencies": list(r.agencies),
                "firms": list(r.firms),
                "outcome": r.outcome,
                "follow_ups": list(r.follow_ups),
                "source_cable": r.source_cable,
                "marking": marking_of(r).banner(),
                "fictional": r.fictional,
            }
            for r in _visible(user, rows)
        ]


def add_letter_in(
    session: Session,
    sender: str,
    recipient: str,
    date: dt.date | None,
    subject: str,
    cable: str | None,
    marking: Marking,
    fictional: bool = False,
) -> LetterRecord:
    try:
        Letter(sender, recipient, date, subject, cable)
    except EventError as error:
        raise InvalidDeskData(str(error)) from error
    record = LetterRecord(
        sender=sender,
        recipient=recipient,
        date=date,
        subject=subject,
        cable=cable,
        fictional=fictional,
    )
    set_marking(record, marking)
    session.add(record)
    session.flush()
    return record


def create_letter(
    engine: Engine,
    user: User,
    sender: str,
    recipient: str,
    date: dt.date | None = None,
    subject: str = "",
    cable: str | None = None,
    marking: Marking | None = None,
) -> int:
    """Store a letter; returns its id. Raises NotPermitted, InvalidDeskData."""
    _require_writer(user)
    with transaction(engine) as session:
        return add_letter_in(
            session, sender, recipient, date, subject, cable, marking or Marking(Level.U)
        ).id


def list_letters(engine: Engine, user: User) -> list[dict[str, Any]]:
    """Every letter `user` may see, newest first."""
    with session_factory(engine)() as session:
        rows = session.scalars(select(LetterRecord).order_by(LetterRecord.date.desc())).all()
        return [
            {
                "id": r.id,
                "sender": r.sender,
                "recipient": r.recipient,
                "date": r.date.isoformat() if r.date else None,
                "subject": r.subject,
                "cable": r.cable,
                "marking": marking_of(r).banner(),
            }
            for r in _visible(user, rows)
        ]


# --- commitments ----------------------------------------------------------------------------


@dataclass(frozen=True)
class CommitmentInput:
    owner_side: str
    description: str
    owner: str = ""
    due: dt.date | None = None
    soft_due: str | None = None
    made_on: dt.date | None = None
    made_in: str = "cable"
    made_in_ref: str | None = None
    status: str = "open"
    firm_key: str | None = None
    marking: Marking = field(default_factory=lambda: Marking(Level.U))
    fictional: bool = False


@dataclass(frozen=True)
class CommitmentView:
    id: int
    owner_side: str
    owner: str
    description: str
    due: dt.date | None
    soft_due: str | None
    follow_up: dt.date | None
    made_on: dt.date | None
    made_in: str
    made_in_ref: str | None
    status: str
    overdue: bool
    note: str
    closed_by: str | None
    marking: str
    shared: bool

    def to_dict(self) -> dict[str, Any]:
        out = dict(self.__dict__)
        for name in ("due", "follow_up", "made_on"):
            value = out[name]
            out[name] = value.isoformat() if value else None
        return out


def _domain(record: CommitmentRecord) -> Commitment:
    return Commitment(
        owner_side=record.owner_side,  # type: ignore[arg-type]
        description=record.description,
        owner=record.owner,
        due=record.due,
        soft_due=record.soft_due,
        made_on=record.made_on,
        made_in=record.made_in,  # type: ignore[arg-type]
        made_in_ref=record.made_in_ref,
        status=record.status,  # type: ignore[arg-type]
        note=record.note,
    )


def _commitment_view(record: CommitmentRecord, today: dt.date) -> CommitmentView:
    commitment = _domain(record)
    marking = marking_of(record)
    return CommitmentView(
        id=record.id,
        owner_side=record.owner_side,
        owner=record.owner,
        description=record.description,
        due=record.due,
        soft_due=record.soft_due,
        follow_up=commitment.follow_up_day(),
        made_on=record.made_on,
        made_in=record.made_in,
        made_in_ref=record.made_in_ref,
        status=commitment.display_status(today),
        overdue=commitment.overdue(today),
        note=record.note,
        closed_by=record.closed_by,
        marking=marking.banner(),
        shared=marking.shared,
    )


def add_commitment_in(session: Session, data: CommitmentInput) -> CommitmentRecord:
    """Add a commitment inside an open session. Raises InvalidDeskData."""
    try:
        Commitment(
            owner_side=data.owner_side,  # type: ignore[arg-type]
            description=data.description,
            due=data.due,
            soft_due=data.soft_due,
            status=data.status,  # type: ignore[arg-type]
        )
    except CommitmentError as error:
        raise InvalidDeskData(str(error)) from error
    firm_id = None
    if data.firm_key:
        firm = _firm_by_key(session, data.firm_key)
        if firm is None:
            raise InvalidDeskData(f"no firm {data.firm_key!r}")
        firm_id = firm.id
    record = CommitmentRecord(
        owner_side=data.owner_side,
        owner=data.owner,
        description=data.description.strip(),
        due=data.due,
        soft_due=data.soft_due,
        made_on=data.made_on,
        made_in=data.made_in,
        made_in_ref=data.made_in_ref,
        status=data.status,
        firm_id=firm_id,
        fictional=data.fictional,
    )
    set_marking(record, data.marking)
    session.add(record)
    session.flush()
    return record


def create_commitment(engine: Engine, user: User, data: CommitmentInput) -> int:
    """Store a commitment; returns its id. Raises NotPermitted, InvalidDeskData."""
    _require_writer(user)
    with transaction(engine) as session:
        return add_commitment_in(session, data).id


def list_commitments(
    engine: Engine,
    user: User,
    today: dt.date | None = None,
    side: str | None = None,
    only_overdue: bool = False,
) -> list[CommitmentView]:
    """Commitments `user` may see with `overdue` derived from `today`: all of them, one
    side's open ones (`side`: home = what we owe them, partner = what they owe us), or the
    overdue list (longest overdue first)."""
    today = today or dt.date.today()
    with session_factory(engine)() as session:
        rows = _visible(user, session.scalars(select(CommitmentRecord)).all())
        pairs = [(r, _domain(r)) for r in rows]
        if only_overdue:
            chosen = commitment_rules.overdue([c for _, c in pairs], today)
        elif side is not None:
            if side not in ("home", "partner"):
                raise InvalidDeskData("side is home or partner")
            chosen = commitment_rules.owed_by([c for _, c in pairs], side)  # type: ignore[arg-type]
        else:
            chosen = [c for _, c in pairs]
        order = {id(c): i for i, c in enumerate(chosen)}
        picked = sorted((p for p in pairs if id(p[1]) in order), key=lambda p: order[id(p[1])])
        return [_commitment_view(r, today) for r, _ in picked]


def close_commitment(
    engine: Engine,
    user: User,
    commitment_id: int,
    status: str,
    note: str = "",
    now: dt.datetime | None = None,
) -> CommitmentView:
    """Mark a commitment done or dropped with a note. Officers close any they may see; a
    liaison only marks partner commitments shared with them as done, and must say how.
    Raises DeskNotFound, NotPermitted, InvalidDeskData."""
    with transaction(engine) as session:
        record = session.get(CommitmentRecord, commitment_id)
        if record is None or not may_see(user, record):
            raise DeskNotFound(f"no commitment {commitment_id}")
        if policy.may_write_kind(user, DESK_KIND):
            pass
        elif policy.may_write(user, PARTNER_COMMITMENT_KIND, marking_of(record)):
            if record.owner_side != "partner":
                raise NotPermitted("a liaison may only close the partner's commitments")
            if status != "done":
                raise NotPermitted("a liaison may only mark commitments done")
            if not note.strip():
                raise InvalidDeskData("say how the commitment was met")
        else:
            raise NotPermitted(f"{user.username} may not close commitments")
        try:
            closed = _domain(record).close(status, note)  # type: ignore[arg-type]
        except CommitmentError as error:
            raise InvalidDeskData(str(error)) from error
        record.status, record.note = closed.status, closed.note
        record.closed_by = user.username
        record.closed_at = now or utcnow()
        session.flush()
        return _commitment_view(record, (now or utcnow()).date())


def share_record(engine: Engine, user: User, kind: str, record_id: int, shared: bool) -> None:
    """Set the "shared with partner" flag on a firm, event, dialogue or commitment, through
    the release policy. Raises DeskNotFound, NotPermitted."""
    models: dict[str, type[MarkedMixin]] = {
        "firm": FirmRecord,
        "event": EventRecord,
        "dialogue": DialogueRecord,
        "commitment": CommitmentRecord,
        "letter": LetterRecord,
    }
    model = models.get(kind)
    if model is None:
        raise InvalidDeskData(f"cannot share a {kind!r}")
    with transaction(engine) as session:
        record = session.get(model, record_id)
        if record is None or not may_see(user, record):
            raise DeskNotFound(f"no {kind} {record_id}")
        marking = marking_of(record)
        if shared:
            decision = policy.may_release(user, marking, agreed_level(settings.partner_country()))
            if not decision:
                raise NotPermitted(decision.reason)
        elif not policy.may_write_kind(user, DESK_KIND):
            raise NotPermitted(f"{user.username} may not change sharing")
        record.shared_with_partner = shared
