"""Firm use cases: the registry with aliases, dialogues and the partner notices about them,
ICP assessments and their score history, screening status and linked cases, and the gazetteer
that cables are read with."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, selectinload

from npdesk.domain.firms import Firm, FirmError, gazetteer, load_reference_firms, slug
from npdesk.domain.icp import Assessment, ElementScore, ICPError, framework
from npdesk.extract.entities import Gazetteer, GazetteerEntry
from npdesk.screening.model import EntryType
from npdesk.security.model import Level, Marking, Party, User
from npdesk.services import audit, errors, screening
from npdesk.services.case_references import shown_references
from npdesk.services.commitments import CommitmentView, commitment_view
from npdesk.services.program_records import (
    WRITE_ACTION,
    add_marked,
    firm_by_key,
    require_writer,
    stored_firm,
    visible_firm,
    write_one,
)
from npdesk.services.screening import query_key
from npdesk.services.two_person import refuse_shared_creation
from npdesk.store.db import session_factory, transaction
from npdesk.store.models.cables import CableRecord
from npdesk.store.models.cases import CaseRecord, CaseSubjectRecord
from npdesk.store.models.desk import (
    CommitmentRecord,
    DialogueRecord,
    FirmAliasRecord,
    FirmRecord,
    ICPAssessmentRecord,
    ICPScoreRecord,
    PartnerNoticeRecord,
)
from npdesk.store.models.screening import ScreeningDecision, ScreeningRecord
from npdesk.store.visibility import (
    fetch_visible,
    marking_of,
    set_marking,
    shown_banner,
    strictest,
    visible_columns,
    visible_keys,
    visible_select,
)


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


def create_firm(engine: Engine, user: User, data: FirmInput) -> str:
    """Store a firm and return its key. Raises errors.NotPermitted, errors.Invalid (empty name,
    duplicate key, unknown parent), SecondPersonNeeded (created shared with two-person
    release on)."""
    with audit.refusals_audited(engine, user, WRITE_ACTION, record_kind="firm"):
        require_writer(user)
        refuse_shared_creation("firm", data.marking, "`npdesk firms share KEY`")
        try:
            firm = Firm(
                key=data.key or slug(data.name), name=data.name.strip(), aliases=data.aliases
            )
        except FirmError as error:
            raise errors.Invalid(str(error)) from error
        with transaction(engine) as session:
            if firm_by_key(session, firm.key) is not None:
                raise errors.Invalid(f"a firm with key {firm.key!r} exists")
            parent_id = (
                stored_firm(session, data.parent_key, "parent firm").id if data.parent_key else None
            )
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
            audit.record_change(session, user, WRITE_ACTION, record_kind="firm", record_id=firm.key)
        # Every name of the firm joins the registry that is screened again whenever a list changes.
        for name in dict.fromkeys([firm.name, *data.aliases]):
            if name.strip():
                screening.register_subject(
                    engine, user, name, EntryType.ENTITY, source="firm", reference=firm.key
                )
        return firm.key


def ensure_firm(session: Session, name: str, key: str | None = None) -> FirmRecord:
    """The stored firm with `key`, or named `name` (or with it as an alias); created from the
    reference registry or from the name when missing."""
    if key:
        found = firm_by_key(session, key)
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


def _firm_view(record: FirmRecord, parent_key: str | None, user: User) -> FirmView:
    return FirmView(
        key=record.key,
        name=record.name,
        aliases=[a.alias for a in record.aliases],
        country=record.country,
        sector=record.sector,
        parent=parent_key,
        marking=shown_banner(marking_of(record), user),
        fictional=record.fictional,
    )


def list_firms(engine: Engine, user: User) -> list[FirmView]:
    """Every firm `user` may see, by name."""
    with session_factory(engine)() as session:
        rows = session.scalars(
            visible_select(FirmRecord, user)
            .options(selectinload(FirmRecord.aliases))
            .order_by(FirmRecord.name)
        ).all()
        parents = _visible_parent_keys(session, user, [r.parent_id for r in rows])
        return [_firm_view(r, parents.get(r.parent_id or -1), user) for r in rows]


def _visible_parent_keys(
    session: Session, user: User, parent_ids: Iterable[int | None]
) -> dict[int, str]:
    """id → key of the parents `user` may see: a parent the reader cannot see is redacted
    (shown as no parent), so its key never leaks."""
    wanted = sorted({p for p in parent_ids if p is not None})
    if not wanted:
        return {}
    query = visible_columns(FirmRecord, user, FirmRecord.id, FirmRecord.key).where(
        FirmRecord.id.in_(wanted)
    )
    return {firm_id: key for firm_id, key in session.execute(query)}


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
    #: The page's banner: the strictest marking of everything the profile shows.
    banner: str = "UNCLASSIFIED"

    def to_dict(self) -> dict[str, Any]:
        return {
            "banner": self.banner,
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
    screening status, each filtered by what `user` may see. Raises errors.NotFound."""
    today = today or dt.date.today()
    with session_factory(engine)() as session:
        record = visible_firm(session, user, key)
        parents = _visible_parent_keys(session, user, [record.parent_id])
        children = session.scalars(
            visible_select(FirmRecord, user, FirmRecord.parent_id == record.id).order_by(
                FirmRecord.key
            )
        ).all()
        commitments = session.scalars(
            visible_select(CommitmentRecord, user, CommitmentRecord.firm_id == record.id)
        ).all()
        dialogue_rows = session.scalars(
            visible_select(DialogueRecord, user, DialogueRecord.firm_id == record.id).order_by(
                DialogueRecord.date, DialogueRecord.id
            )
        ).all()
        notices: dict[int, list[PartnerNoticeRecord]] = {}
        for notice in session.scalars(
            visible_select(
                PartnerNoticeRecord,
                user,
                PartnerNoticeRecord.dialogue_id.in_([d.id for d in dialogue_rows]),
            ).order_by(PartnerNoticeRecord.informed_on, PartnerNoticeRecord.id)
        ):
            notices.setdefault(notice.dialogue_id, []).append(notice)
        assessments = session.scalars(
            visible_select(ICPAssessmentRecord, user, ICPAssessmentRecord.firm_id == record.id)
            .options(selectinload(ICPAssessmentRecord.scores))
            .order_by(ICPAssessmentRecord.assessed_on, ICPAssessmentRecord.id)
        ).all()
        names = [record.name, *(a.alias for a in record.aliases)]
        # A source cable the reader may not read is not named (its id alone tells it exists).
        cables = visible_keys(
            session, CableRecord.id, CableRecord, user, [d.source_cable for d in dialogue_rows]
        )
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
                source_cable=d.source_cable if d.source_cable in cables else None,
                partner_informed=[
                    {
                        "informed_on": n.informed_on.isoformat(),
                        "channel": n.channel,
                        "by": n.informed_by,
                        "note": n.note,
                    }
                    for n in notices.get(d.id, [])
                ],
                marking=shown_banner(marking_of(d), user),
            )
            for d in dialogue_rows
        ]
        shown = [marking_of(r) for r in (record, *children, *commitments, *dialogue_rows)]
        shown += [marking_of(n) for found in notices.values() for n in found]
        shown += [marking_of(a) for a in assessments]
        profile = FirmProfile(
            firm=_firm_view(record, parents.get(record.parent_id or -1), user),
            subsidiaries=[c.key for c in children],
            dialogues=dialogues,
            assessments=[_score_view(a) for a in assessments],
            commitments=[commitment_view(c, today, user) for c in commitments],
            screening=_screening_status(session, user, [record.name], shown),
            cases=_linked_cases(session, user, names, shown),
        )
        return replace(profile, banner=strictest(shown, user).banner())


def _screening_status(
    session: Session, user: User, names: list[str], shown: list[Marking]
) -> dict[str, Any]:
    """The newest screening of the firm's name: its hits and every decision taken on them
    (judgement, reason, who, when). Screening is home-side work: partner users see none.
    The markings of what it shows are added to `shown` (for the page banner)."""
    if user.party is not Party.HOME:
        return {"status": "not shown", "hits": [], "decisions": []}
    keys = [query_key(n) for n in names]
    screening = session.scalars(
        visible_select(ScreeningRecord, user, ScreeningRecord.query_key.in_(keys))
        .options(selectinload(ScreeningRecord.hits))
        .order_by(ScreeningRecord.at.desc())
    ).first()
    if screening is None:
        return {"status": "not screened", "hits": [], "decisions": []}
    hit_ids = [h.id for h in screening.hits]
    decisions = session.scalars(
        visible_select(ScreeningDecision, user, ScreeningDecision.hit_id.in_(hit_ids)).order_by(
            ScreeningDecision.decided_at
        )
    ).all()
    shown += [marking_of(screening), *(marking_of(d) for d in decisions)]
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
        ],
    }


def _linked_cases(
    session: Session, user: User, names: list[str], shown: list[Marking]
) -> list[dict[str, Any]]:
    """Cases with the firm (by any of its names) among their subjects, as `user` may see;
    their markings are added to `shown` (for the page banner)."""
    rows = (
        session.scalars(
            visible_select(CaseRecord, user)
            .join(CaseSubjectRecord, CaseSubjectRecord.case_id == CaseRecord.id)
            .where(CaseSubjectRecord.name.in_(names))
            .order_by(CaseRecord.reference)
        )
        .unique()
        .all()
    )
    shown += [marking_of(c) for c in rows]
    refs = shown_references(session, user)
    return [
        {"reference": refs.shown(c.reference), "title": c.title, "status": c.status} for c in rows
    ]


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
        raise errors.Invalid(f"a dialogue is a meeting or a visit, not {data.kind!r}")
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
    return add_marked(session, record, data.marking)


def add_dialogue(engine: Engine, user: User, firm_key: str, data: DialogueInput) -> int:
    """Record a meeting or visit with a firm; returns its id. Raises errors.NotPermitted,
    errors.NotFound, errors.Invalid, SecondPersonNeeded (created shared with two-person release
    on)."""
    refuse_shared_creation("dialogue", data.marking, "a release of kind dialogue")
    return write_one(
        engine,
        user,
        "dialogue",
        lambda session: add_dialogue_to(session, visible_firm(session, user, firm_key), data).id,
    )


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
    with audit.refusals_audited(engine, user, WRITE_ACTION, record_kind="partner_notice"):
        require_writer(user)
        if not channel.strip():
            raise errors.Invalid("say how the partner was informed")
        with transaction(engine) as session:
            dialogue = fetch_visible(
                session,
                DialogueRecord,
                user,
                DialogueRecord.id == dialogue_id,
                missing=lambda: errors.NotFound(f"no dialogue {dialogue_id}"),
            )
            notice = PartnerNoticeRecord(
                dialogue_id=dialogue.id,
                informed_on=informed_on,
                channel=channel,
                informed_by=informed_by,
                note=note,
                source_cable=source_cable,
            )
            notice_id = add_marked(session, notice, marking_of(dialogue)).id
            audit.record_change(
                session, user, WRITE_ACTION, record_kind="partner_notice", record_id=notice_id
            )
            return notice_id


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
    (score, evidence)); returns the assessment id. Raises errors.Invalid on unknown elements
    or scores off the scale."""
    with audit.refusals_audited(engine, user, WRITE_ACTION, record_kind="assessment"):
        require_writer(user)
        try:
            fw = framework(framework_id)
            Assessment(
                firm_key,
                framework_id,
                assessed_on,
                [ElementScore(e, s, ev) for e, (s, ev) in scores.items()],
            )
        except ICPError as error:
            raise errors.Invalid(str(error)) from error
        with transaction(engine) as session:
            firm = visible_firm(session, user, firm_key)
            record = ICPAssessmentRecord(
                firm_id=firm.id,
                framework_id=fw.id,
                framework_version=fw.version,
                assessed_on=assessed_on,
                assessor=assessor,
                source=source,
                fictional=fictional,
            )
            record.scores = [
                ICPScoreRecord(element=e, score=s, evidence=ev) for e, (s, ev) in scores.items()
            ]
            assessment_id = add_marked(session, record, marking or marking_of(firm)).id
            audit.record_change(
                session,
                user,
                WRITE_ACTION,
                record_kind="assessment",
                record_id=assessment_id,
                detail={"firm": firm.key},
            )
            return assessment_id


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
