"""The leak-matrix world: records of every kind at every marking, each carrying canary words
that appear nowhere else, and readers of every party and clearance.

Who may read what is written out by hand below (`RIGHTS`), from the rules in the README and
the partner agreement (CHN, agreed level CONFIDENTIAL; no agreement with GBR), never computed
with the policy under test. A canary's right is the intersection of the rights of every marking
it sits under (a paragraph under its cable, a dialogue under its firm).
"""

from __future__ import annotations

import itertools
import string
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import selectinload

from npdesk import settings
from npdesk.domain.cases import CableLink, CaseStatus, ControlRegime, Item, Priority, Subject
from npdesk.domain.reviews import Participant, ReviewLevel
from npdesk.security.model import LOCAL_OPERATOR, Level, Marking, Party, Role, User
from npdesk.services import accounts, approvals
from npdesk.services.cases import CaseInput, create_case, transition_case
from npdesk.services.commitments import CommitmentInput, create_commitment
from npdesk.services.events import EventInput, create_event
from npdesk.services.firms import DialogueInput, FirmInput, add_dialogue, create_firm
from npdesk.services.handovers import create_handover_list
from npdesk.services.ingest import ingest_paths
from npdesk.services.proposals import suggest_for_cable
from npdesk.services.release import release_cable
from npdesk.services.reviews import build_agenda, record_outcome, schedule_review
from npdesk.settings import one_person_desk
from npdesk.store.db import transaction
from npdesk.store.models.cables import CableRecord
from npdesk.store.models.cases import ReviewSessionRecord
from npdesk.store.models.screening import ScreeningDecision, ScreeningHitRecord, ScreeningRecord
from npdesk.store.search import IndexDocument, index_cable
from npdesk.web.app import create_app

PASSWORD = "a long enough passphrase"
PARTNER = "CHN"
OTHER = "GBR"
AUTHOR = LOCAL_OPERATOR  # home, admin, TOP SECRET: writes the whole world
DAY = date(2008, 3, 20)

# --- readers: party × clearance ----------------------------------------------------------
LEVELS = {"U": Level.U, "C": Level.C, "S": Level.S, "TS": Level.TS}
READERS: dict[str, User] = {}
for _code, _level in LEVELS.items():
    READERS[f"home-{_code}"] = User(f"home{_code.lower()}", Party.HOME, Role.OFFICER, _level)
    READERS[f"chn-{_code}"] = User(
        f"chn{_code.lower()}", Party.PARTNER, Role.LIAISON, _level, country=PARTNER
    )
# A partner without an agreement reads nothing whatever the clearance: the lowest and highest
# stand for all (two fewer readers keeps the matrix fast).
for _code in ("U", "TS"):
    READERS[f"gbr-{_code}"] = User(
        f"gbr{_code.lower()}", Party.PARTNER, Role.LIAISON, LEVELS[_code], country=OTHER
    )

HOME_ALL = {"home-U", "home-C", "home-S", "home-TS"}
HOME_C_UP = {"home-C", "home-S", "home-TS"}
HOME_S_UP = {"home-S", "home-TS"}
CHN_ALL = {"chn-U", "chn-C", "chn-S", "chn-TS"}
CHN_C_UP = {"chn-C", "chn-S", "chn-TS"}

# --- markings and who may read them, by hand ---------------------------------------------
NF = frozenset({"NOFORN"})
CHN = frozenset({PARTNER})
MARKINGS: dict[str, Marking] = {
    "U": Marking(Level.U),
    "C": Marking(Level.C),
    "S": Marking(Level.S),
    "TS": Marking(Level.TS),
    "S//NF": Marking(Level.S, NF),
    "U//REL CHN": Marking(Level.U, rel_to=CHN),
    "C//REL CHN": Marking(Level.C, rel_to=CHN),
    "S//REL CHN": Marking(Level.S, rel_to=CHN),
    "U shared": Marking(Level.U, shared=True),
    "C shared": Marking(Level.C, shared=True),
    "S shared": Marking(Level.S, shared=True),
    "U//REL GBR": Marking(Level.U, rel_to=frozenset({OTHER})),
    "C//REL CHN, GBR": Marking(Level.C, rel_to=frozenset({PARTNER, OTHER})),
}
RIGHTS: dict[str, set[str]] = {
    "U": HOME_ALL,
    "C": HOME_C_UP,
    "S": HOME_S_UP,
    "TS": {"home-TS"},
    "S//NF": HOME_S_UP,
    "U//REL CHN": HOME_ALL | CHN_ALL,
    "C//REL CHN": HOME_C_UP | CHN_C_UP,
    "S//REL CHN": HOME_S_UP,  # above the level China agreed to receive
    "U shared": HOME_ALL | CHN_ALL,
    "C shared": HOME_C_UP | CHN_C_UP,
    "S shared": HOME_S_UP,
    "U//REL GBR": HOME_ALL,  # no sharing agreement with GBR: its liaisons read nothing
    "C//REL CHN, GBR": HOME_C_UP | CHN_C_UP,
    # Text only the home side ever reads (a case's allegation, a home note), at any level.
    "HOME": HOME_ALL,
}
# What a partner may be shown at all: the shareable markings (for handover lists).
RELEASABLE = ["U shared", "C//REL CHN", "C shared"]


def right(*markings: str) -> frozenset[str]:
    """Readers who may read text under every one of `markings`."""
    allowed = set(READERS)
    for name in markings:
        allowed &= RIGHTS[name]
    return frozenset(allowed)


# --- canaries ----------------------------------------------------------------------------
def _suffixes() -> Iterator[str]:
    # Letters only: the proposal extractor reads firm names as capitalised words.
    return ("".join(p) for p in itertools.product(string.ascii_lowercase, repeat=3))


@dataclass
class Canaries:
    """Every canary word and who may read it; `ids` are record identifiers (cable ids, case
    references, firm keys) with who may know them."""

    words: dict[str, frozenset[str]] = field(default_factory=dict)
    ids: dict[str, frozenset[str]] = field(default_factory=dict)
    # Canaries the search index holds (cable subjects and paragraphs), with their cable.
    searchable: dict[str, str] = field(default_factory=dict)
    suffixes: Iterator[str] = field(default_factory=_suffixes)

    def new(self, kind: str, *markings: str) -> str:
        # "SNfInU": text marked S//NF inside a record marked U.
        code = "In".join(
            "".join(c for c in name.title() if c.isalpha()) for name in reversed(markings)
        )
        word = f"Canary{kind}{code}Q{next(self.suffixes)}"
        self.words[word] = right(*markings)
        return word

    def hidden_from(self, reader: str) -> list[str]:
        return [w for w, who in {**self.words, **self.ids}.items() if reader not in who]


@dataclass
class Record:
    """A record a route names in its path: its identifier and who may read it."""

    value: str
    readers: frozenset[str]
    # A canary word only this record's title carries (cases: to find the partner's own
    # reference for it in the partner's listing).
    title_word: str = ""


@dataclass
class LeakWorld:
    backend: str
    engine: Engine
    app: FastAPI
    client: TestClient
    canaries: Canaries
    tokens: dict[str, str]
    cables: list[Record]
    cases: list[Record]
    firms: list[Record]
    handovers: list[Record]
    reviews: list[Record]
    # Partner readers number the cases they may read themselves (CHN-2007-001, ...): reader →
    # desk reference → that reader's reference. The desk's own references are missing to them.
    partner_refs: dict[str, dict[str, str]] = field(default_factory=dict)

    def headers(self, reader: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[reader]}"}


# --- cables ------------------------------------------------------------------------------
# Cables marked by hand after ingest (the officer's release flags cannot come from the text):
# one per marking, paragraphs marked individually, one of them above the cable's own level.
PARAGRAPH_MARKINGS = ["S//NF", "C", "U//REL CHN"]


def _telegram(serial: int, banner: str, subject: str, paragraphs: list[tuple[str, str]]) -> str:
    body = "\n\n".join(
        f"{n}. ({portion}) {text}" if portion else text
        for n, (portion, text) in zip(_numbers(paragraphs), paragraphs, strict=True)
    )
    spaced = " ".join(banner)
    return f"""O 201106Z MAR 08
FM AMEMBASSY LEAKPOST
TO SECSTATE WASHDC IMMEDIATE 5948

{spaced} LEAKPOST {serial:06d}

SIPDIS

E.O. 12958: DECL: 03/20/2033
TAGS: PARM PREL
SUBJECT: {subject}

Classified By: Fictional Counselor. Reasons 1.4 (b/d).

{body}

EXAMPLE
"""


def _numbers(paragraphs: list[tuple[str, str]]) -> list[int | None]:
    numbers: list[int | None] = []
    n = 0
    for portion, _ in paragraphs:
        if portion:
            n += 1
            numbers.append(n)
        else:
            numbers.append(None)
    return numbers


def _paragraph(word: str) -> str:
    # A sentence the proposal extractor turns into a firm and a meeting, so the proposals a
    # cable yields carry the canary too.
    return (
        f"On March 12, 2008 embassy officers met officials of {word} Trading Corporation "
        "in Beijing to discuss export controls and nonproliferation."
    )


def cable_id(serial: int) -> str:
    return f"08LEAKPOST{serial}"


def _build_cables(engine: Engine, tmp: Path, canaries: Canaries) -> list[Record]:
    folder = tmp / "cables"
    folder.mkdir()
    plan: list[tuple[int, str]] = []  # (serial, marking name) for hand-marked cables
    paragraph_marks: dict[int, list[str]] = {}
    for serial, name in enumerate(MARKINGS, start=901):
        subject = canaries.new("Subj", name)
        texts = [(name, canaries.new("Par", name))]
        texts += [(p, canaries.new("Par", name, p)) for p in PARAGRAPH_MARKINGS]
        paragraph_marks[serial] = [name, *PARAGRAPH_MARKINGS]
        for word, _ in ((subject, None), *((w, None) for _, w in texts)):
            canaries.searchable[word] = cable_id(serial)
        canaries.ids[cable_id(serial)] = right(name)
        (folder / f"{cable_id(serial)}.txt").write_text(
            _telegram(
                serial,
                "CONFIDENTIAL",
                f"FICTIONAL {subject} EXPORT CONTROLS",
                [("C", _paragraph(w)) for _, w in texts],
            )
        )
        plan.append((serial, name))
    # Marked in the text only, above the banner: the banner says CONFIDENTIAL, the subject
    # SECRET and a paragraph SECRET//NOFORN, so the cable is SECRET//NOFORN.
    above = 951
    subject = canaries.new("Subj", "S//NF")
    first, second = canaries.new("Par", "S//NF"), canaries.new("Par", "S//NF")
    canaries.ids[cable_id(above)] = right("S//NF")
    for word in (subject, first, second):
        canaries.searchable[word] = cable_id(above)
    (folder / f"{cable_id(above)}.txt").write_text(
        _telegram(
            above,
            "CONFIDENTIAL",
            f"(S) FICTIONAL {subject} EXPORT CONTROLS",
            [("C", _paragraph(first)), ("S//NF", _paragraph(second))],
        )
    )
    # Released to the partner by an officer: its REL TO CHN paragraphs go with it; a plain (C)
    # paragraph and an unnumbered one (a heading, not releasable) stay home.
    released = 952
    subject = canaries.new("Subj", "C//REL CHN")
    shown = canaries.new("Par", "C//REL CHN")
    kept = canaries.new("Par", "C")
    heading = canaries.new("Par", "C")
    canaries.ids[cable_id(released)] = right("C//REL CHN")
    for word in (subject, shown, kept, heading):
        canaries.searchable[word] = cable_id(released)
    (folder / f"{cable_id(released)}.txt").write_text(
        _telegram(
            released,
            "CONFIDENTIAL",
            f"(C//REL TO CHN) FICTIONAL {subject} EXPORT CONTROLS",
            [
                ("C//REL TO CHN", _paragraph(shown)),
                ("", f"Meeting with {heading} Trading Corporation"),
                ("C", _paragraph(kept)),
            ],
        )
    )
    report = ingest_paths(engine, [folder])
    assert not report.quarantined, report.quarantined
    with transaction(engine) as session:
        for serial, name in plan:
            record = session.scalar(
                select(CableRecord)
                .where(CableRecord.id == cable_id(serial))
                .options(selectinload(CableRecord.paragraphs))
            )
            assert record is not None, cable_id(serial)
            _mark(record, MARKINGS[name])
            numbered = [p for p in record.paragraphs if p.number is not None]
            assert len(numbered) == len(paragraph_marks[serial])
            for paragraph, mark in zip(numbered, paragraph_marks[serial], strict=True):
                _mark(paragraph, MARKINGS[mark])
            session.flush()
            index_cable(session, IndexDocument.of(record))
    release_cable(engine, AUTHOR, cable_id(released), [1], source="test")
    # An officer has opened every cable, so its proposals exist before any partner looks.
    for serial in [*(s for s, _ in plan), above, released]:
        suggest_for_cable(engine, cable_id(serial))
    ids = [cable_id(s) for s, _ in plan] + [cable_id(above), cable_id(released)]
    return [Record(i, canaries.ids[i]) for i in ids]


def _mark(row: object, marking: Marking) -> None:
    classification, caveats, rel_to, shared = marking.to_columns()
    row.classification = classification  # type: ignore[attr-defined]
    row.caveats = caveats  # type: ignore[attr-defined]
    row.rel_to = rel_to  # type: ignore[attr-defined]
    row.shared_with_partner = shared  # type: ignore[attr-defined]


# --- the desk ----------------------------------------------------------------------------
def _at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 9, tzinfo=UTC)


@one_person_desk()  # the desk is made in one step; two-person release: tests/cases
def _build_desk(engine: Engine, canaries: Canaries) -> dict[str, list[Record]]:
    cases: dict[str, str] = {}  # marking → reference
    case_words: dict[str, str] = {}  # reference → the canary word in its title
    firms: dict[str, str] = {}  # marking → key
    firm_words: dict[str, str] = {}
    for name, marking in MARKINGS.items():
        firm_word = firm_words[name] = canaries.new("Firm", name)
        key = create_firm(
            engine,
            AUTHOR,
            FirmInput(
                name=f"{firm_word} Trading Corporation",
                note=canaries.new("FirmNote", name),
                marking=marking,
                fictional=True,
            ),
        )
        canaries.ids[key] = right(name)
        firms[name] = key
    # A releasable firm whose parent is home-only: the parent's key must not show.
    child = canaries.new("Firm", "U shared")
    key = create_firm(
        engine,
        AUTHOR,
        FirmInput(
            name=f"{child} Subsidiary Corporation",
            parent_key=firms["S//NF"],
            marking=MARKINGS["U shared"],
            fictional=True,
        ),
    )
    canaries.ids[key] = right("U shared")
    firms["U shared child"] = key
    # Dialogues at every marking under the releasable firm.
    for name, marking in MARKINGS.items():
        add_dialogue(
            engine,
            AUTHOR,
            firms["U shared"],
            DialogueInput(
                kind="meeting",
                date=DAY,
                summary=canaries.new("Dialogue", "U shared", name),
                marking=marking,
                fictional=True,
            ),
        )
    for name, marking in MARKINGS.items():
        title_word = canaries.new("Case", name)
        case = create_case(
            engine,
            AUTHOR,
            CaseInput(
                title=f"FICTIONAL {title_word}",
                allegation_summary=canaries.new("Allegation", name, "HOME"),
                releasable_summary=canaries.new("Releasable", name),
                priority=Priority.HIGH,
                subjects=(Subject(f"{canaries.new('Subject', name)} Gyro Corporation"),),
                items=(Item("gyroscopes", ControlRegime.MTCR),),
                origin_countries=("CHN",),
                destination_countries=("IRN",),
                marking=marking,
                fictional=True,
            ),
            at=_at(date(2007, 10, 1)),
        )
        transition_case(
            engine,
            AUTHOR,
            case.reference,
            CaseStatus.OPEN,
            reason="vetted",
            at=_at(date(2007, 10, 2)),
        )
        canaries.ids[case.reference] = right(name)
        cases[name] = case.reference
        case_words[case.reference] = title_word
    # A releasable case that cites a home-only cable and names the home-only firm.
    cited_word = canaries.new("Case", "C//REL CHN")
    cited = create_case(
        engine,
        AUTHOR,
        CaseInput(
            title=f"FICTIONAL {cited_word}",
            releasable_summary=canaries.new("Releasable", "C//REL CHN"),
            cable_links=(CableLink(cable_id(901 + list(MARKINGS).index("S//NF")), None),),
            marking=MARKINGS["C//REL CHN"],
            fictional=True,
        ),
        at=_at(date(2007, 10, 1)),
    )
    transition_case(
        engine, AUTHOR, cited.reference, CaseStatus.OPEN, reason="vetted", at=_at(date(2007, 10, 2))
    )
    canaries.ids[cited.reference] = right("C//REL CHN")
    cases["C//REL CHN cites"] = cited.reference
    case_words[cited.reference] = cited_word
    for name, marking in MARKINGS.items():
        create_event(
            engine,
            AUTHOR,
            EventInput(
                title=f"FICTIONAL {canaries.new('Event', name)} workshop",
                kind="workshop",
                start=DAY,
                outcome=canaries.new("Outcome", name),
                marking=marking,
                fictional=True,
            ),
        )
        create_commitment(
            engine,
            AUTHOR,
            CommitmentInput(
                owner_side="partner",
                description=canaries.new("Commitment", name),
                due=date(2008, 6, 1),
                made_on=DAY,
                marking=marking,
                fictional=True,
            ),
        )
    # A releasable event naming the home-only firm and citing the home-only cable.
    create_event(
        engine,
        AUTHOR,
        EventInput(
            title=f"FICTIONAL {canaries.new('Event', 'U shared')} workshop",
            kind="workshop",
            start=DAY,
            firms=(firms["S//NF"],),
            source_cable=cable_id(901 + list(MARKINGS).index("S//NF")),
            marking=MARKINGS["U shared"],
            fictional=True,
        ),
    )
    # Screening of the U firm's name, done from SECRET material: the home U reader must not
    # see its hit or the decision on it.
    _screening(engine, canaries, f"{firm_words['U']} Trading Corporation")
    # Handover lists: one U, one C (both releasable to CHN).
    handovers: list[Record] = []
    for number, (names, level) in enumerate(
        ((["U shared"], "U//REL CHN"), (["U shared", "C//REL CHN", "C shared"], "C//REL CHN")),
        start=1,
    ):
        listing = create_handover_list(
            engine,
            AUTHOR,
            title=f"FICTIONAL {canaries.new('Handover', level)} list",
            handed_over_on=date(2007, 11, 20 + number),
            handed_over_by="PolMinCouns",
            handed_over_to="MFA Arms Control Counselor",
            partner_country=PARTNER,
            references=[cases[n] for n in names],
            fictional=True,
        )
        assert listing.number == number
        handovers.append(Record(str(number), right(level)))
    # Reviews: one with the partner (UNCLASSIFIED, shared) whose agenda holds every case, and
    # one marked SECRET//NOFORN by hand (a home-only preparatory session).
    reviews: list[Record] = []
    review = schedule_review(
        engine,
        AUTHOR,
        level=ReviewLevel.WORKING,
        proposed_on=DAY,
        confirmed_on=DAY,
        partner_country=PARTNER,
        title=f"FICTIONAL {canaries.new('Review', 'U//REL CHN')} review",
        participants=(Participant("A. Officer", Party.HOME, "PolOff"),),
        fictional=True,
    )
    number = review.session.number
    build_agenda(engine, AUTHOR, number)
    for name, reference in cases.items():
        record_outcome(
            engine,
            AUTHOR,
            number,
            reference,
            partner_statement=canaries.new("Statement", name.replace(" cites", "")),
            home_note=canaries.new("HomeNote", name.replace(" cites", ""), "HOME"),
        )
    reviews.append(Record(str(number), right("U//REL CHN")))
    secret = schedule_review(
        engine,
        AUTHOR,
        level=ReviewLevel.SENIOR,
        proposed_on=date(2008, 4, 1),
        partner_country=PARTNER,
        title=f"FICTIONAL {canaries.new('Review', 'S//NF')} review",
        fictional=True,
    )
    with transaction(engine) as session:
        row = session.scalar(
            select(ReviewSessionRecord).where(ReviewSessionRecord.number == secret.session.number)
        )
        assert row is not None
        _mark(row, MARKINGS["S//NF"])
    reviews.append(Record(str(secret.session.number), right("S//NF")))
    return {
        "cases": [
            Record(ref, canaries.ids[ref], case_words.get(ref, "")) for ref in cases.values()
        ],
        "firms": [Record(key, canaries.ids[key]) for key in firms.values()],
        "handovers": handovers,
        "reviews": reviews,
    }


def _screening(engine: Engine, canaries: Canaries, name: str) -> None:
    from npdesk.services.screening import query_key

    with transaction(engine) as session:
        screening = ScreeningRecord(
            actor="officer",
            origin="case",
            query_name=name,
            query_key=query_key(name),
            list_versions={},
            hit_count=1,
        )
        _mark(screening, MARKINGS["S"])
        session.add(screening)
        session.flush()
        hit = ScreeningHitRecord(
            screening_id=screening.id,
            rank=1,
            list_name="FICTIONAL",
            source_id="1",
            entry_name=canaries.new("Hit", "S"),
            matched_name=name,
            score=0.9,
            band="high",
            explanation={},
        )
        session.add(hit)
        session.flush()
        decision = ScreeningDecision(
            hit_id=hit.id,
            query_key=query_key(name),
            list_name="FICTIONAL",
            source_id="1",
            judgement="false_positive",
            reason=canaries.new("Decision", "S"),
            decided_by="officer",
        )
        _mark(decision, MARKINGS["S"])
        session.add(decision)


# --- the whole world ---------------------------------------------------------------------
def build_leak_world(
    engine: Engine, tmp: Path
) -> tuple[FastAPI, Canaries, dict[str, str], dict[str, list[Record]]]:
    # The hand-written rights assume China is the partner at CONFIDENTIAL.
    assert settings.partner_country() == PARTNER
    assert settings.partner_agreed_level() == "CONFIDENTIAL"
    canaries = Canaries()
    records = {"cables": _build_cables(engine, tmp, canaries)}
    records |= _build_desk(engine, canaries)
    # The shared review's minutes go out as on a two-person desk: one proposes, another approves.
    minutes_release = approvals.propose_release(
        engine, READERS["home-TS"], approvals.MINUTES, records["reviews"][0].value, source="test"
    )
    approvals.approve_release(engine, READERS["home-S"], minutes_release.id, source="test")
    # No canary hides inside another, except a firm's name inside its key (same right).
    every = {w.lower(): who for w, who in [*canaries.words.items(), *canaries.ids.items()]}
    overlapping = [
        (a, b) for a in every for b in every if a != b and a in b and every[a] != every[b]
    ]
    assert overlapping == [], overlapping
    with transaction(engine) as session:
        for user in READERS.values():
            accounts.add_user(
                session,
                LOCAL_OPERATOR,
                username=user.username,
                password=PASSWORD,
                party=user.party,
                role=user.role,
                clearance=user.clearance,
                country=user.country,
                source="test",
            )
    app = create_app(engine)
    tokens: dict[str, str] = {}
    with TestClient(app) as client:
        for reader, user in READERS.items():
            response = client.post(
                "/api/v1/auth/token", json={"username": user.username, "password": PASSWORD}
            )
            assert response.status_code == 200, response.text
            tokens[reader] = response.json()["access_token"]
    return app, canaries, tokens, records
