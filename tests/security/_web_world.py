"""A small world for the web-wide security tests: users of every role with API tokens, and
fictional cables with every marking the issue names, their paragraphs marked individually.

Every string a partner liaison must never see is unique (`HOMEONLY...`), so a probe can search
raw response bodies for it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import selectinload

from npdesk.security.model import LOCAL_OPERATOR, Level, Marking, Party, Role, User
from npdesk.security.policy import may_read
from npdesk.services import accounts
from npdesk.services.ingest import ingest_paths
from npdesk.store.db import transaction
from npdesk.store.models.cables import CableRecord
from npdesk.store.search import IndexDocument, index_cable
from npdesk.web.app import create_app

PASSWORD = "a long enough passphrase"
MONTH = "2008-03"
LIAISON = User("liaison", Party.PARTNER, Role.LIAISON, Level.S, country="CHN")
USERS = {
    "admin": User("admin", Party.HOME, Role.ADMIN, Level.TS),
    "officer": User("officer", Party.HOME, Role.OFFICER, Level.S),
    "reviewer": User("reviewer", Party.HOME, Role.REVIEWER, Level.S),
    "liaison": LIAISON,
}

NF = frozenset({"NOFORN"})
CHN = frozenset({"CHN"})
# The record markings of the matrix: name → (serial, marking).
MARKINGS: dict[str, tuple[int, Marking]] = {
    "U": (901, Marking(Level.U)),
    "C": (902, Marking(Level.C)),
    "S": (903, Marking(Level.S)),
    "S//NOFORN": (904, Marking(Level.S, NF)),
    "C//REL TO CHN": (905, Marking(Level.C, rel_to=CHN)),
    "S//REL TO CHN": (906, Marking(Level.S, rel_to=CHN)),
    "U shared": (907, Marking(Level.U, shared=True)),
    "C shared": (908, Marking(Level.C, shared=True)),
    "S shared": (909, Marking(Level.S, shared=True)),
}
# Paragraph markings inside every cable: one releasable, three never releasable to the partner.
# The releasable one is not first, so a gap in the numbering would show.
PARAGRAPHS: list[tuple[str, Marking]] = [
    ("HOMEONLYNOFORN", Marking(Level.C, NF, rel_to=CHN)),
    ("HOMEONLYUNMARKED", Marking(Level.U)),
    ("RELEASED", Marking(Level.U, rel_to=CHN)),
    ("HOMEONLYSECRET", Marking(Level.S, rel_to=CHN)),
]


def cable_id(serial: int) -> str:
    return f"08SAMPLEPOST{serial}"


def subject_of(serial: int) -> str:
    return f"FICTIONAL SUBJECT SUBJ{serial}X"


def paragraph_text(serial: int, tag: str) -> str:
    return f"The {tag}{serial}Z paragraph about export controls and nonproliferation."


def telegram(serial: int) -> str:
    body = "\n\n".join(
        f"{number}. (C) {paragraph_text(serial, tag)}"
        for number, (tag, _) in enumerate(PARAGRAPHS, start=1)
    )
    return f"""O 201106Z MAR 08
FM AMEMBASSY SAMPLEPOST
TO SECSTATE WASHDC IMMEDIATE 5948

C O N F I D E N T I A L SAMPLEPOST {serial:06d}

SIPDIS

E.O. 12958: DECL: 03/20/2033
TAGS: PARM PREL
SUBJECT: {subject_of(serial)}

Classified By: Fictional Counselor. Reasons 1.4 (b/d).

{body}

EXAMPLE
"""


@dataclass
class World:
    engine: Engine
    app: FastAPI
    client: TestClient
    tokens: dict[str, str] = field(default_factory=dict)

    def headers(self, who: str | None) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[who]}"} if who else {}


def never_for_liaison() -> list[str]:
    """Every id, subject and paragraph text the liaison may not see."""
    secrets: list[str] = []
    for serial, marking in MARKINGS.values():
        if not may_read(LIAISON, marking):
            secrets += [cable_id(serial), f"SUBJ{serial}X"]
            secrets += [f"{tag}{serial}Z" for tag, _ in PARAGRAPHS]
        else:
            secrets += [
                f"{tag}{serial}Z" for tag, part in PARAGRAPHS if not may_read(LIAISON, part)
            ]
    return secrets


def build_world(engine: Engine, tmp: Path) -> tuple[FastAPI, dict[str, str]]:
    """Ingest the cables, mark them, create the users; return the app and API tokens."""
    folder = tmp / "cables"
    folder.mkdir()
    for serial, _ in MARKINGS.values():
        (folder / f"{cable_id(serial)}.txt").write_text(telegram(serial), encoding="utf-8")
    report = ingest_paths(engine, [folder])
    assert not report.quarantined, report.quarantined
    with transaction(engine) as session:
        for serial, marking in MARKINGS.values():
            record = session.scalar(
                select(CableRecord)
                .where(CableRecord.id == cable_id(serial))
                .options(selectinload(CableRecord.paragraphs))
            )
            assert record is not None, cable_id(serial)
            _mark(record, marking)
            assert len(record.paragraphs) == len(PARAGRAPHS)
            for paragraph, (_, part) in zip(record.paragraphs, PARAGRAPHS, strict=True):
                _mark(paragraph, part)
            session.flush()
            index_cable(session, IndexDocument.of(record))
        for name, user in USERS.items():
            accounts.add_user(
                session,
                LOCAL_OPERATOR,
                username=name,
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
        for name in USERS:
            response = client.post(
                "/api/v1/auth/token", json={"username": name, "password": PASSWORD}
            )
            assert response.status_code == 200, response.text
            tokens[name] = response.json()["access_token"]
    return app, tokens


def _mark(row: object, marking: Marking) -> None:
    classification, caveats, rel_to, shared = marking.to_columns()
    row.classification = classification  # type: ignore[attr-defined]
    row.caveats = caveats  # type: ignore[attr-defined]
    row.rel_to = rel_to  # type: ignore[attr-defined]
    row.shared_with_partner = shared  # type: ignore[attr-defined]
