"""A desk where home-only cases sit between the cases released to the partner, for the
partner-rendering regressions of issue 11 ("Partner renderings leak structure"), and the
readers who look at it through the web app: a home officer, a home reviewer cleared only
UNCLASSIFIED, and two CHN liaisons (cleared CONFIDENTIAL and UNCLASSIFIED)."""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime

import pytest
from fastapi.testclient import TestClient
from pypdf import PdfReader
from sqlalchemy.engine import Engine

from npdesk.domain.cases import CaseStatus, Priority
from npdesk.domain.reviews import ReviewLevel
from npdesk.security.model import LOCAL_OPERATOR, NOFORN, Level, Marking, Party, Role, User
from npdesk.services import accounts
from npdesk.services.cases import CaseInput, create_case, transition_case
from npdesk.services.handovers import create_handover_list
from npdesk.services.reviews import build_agenda, schedule_review
from npdesk.store.db import transaction
from npdesk.web.app import create_app

PASSWORD = "correct horse battery staple"
OFFICER = User("olivia", Party.HOME, Role.OFFICER, Level.S)
SECOND_OFFICER = User("oscar", Party.HOME, Role.OFFICER, Level.S)
REVIEWER_U = User("ursula", Party.HOME, Role.REVIEWER, Level.U)
LIAISON = User("li", Party.PARTNER, Role.LIAISON, Level.C, country="CHN")
LIAISON_U = User("lu", Party.PARTNER, Role.LIAISON, Level.U, country="CHN")

SHARED_C = Marking(Level.C, rel_to=frozenset({"CHN"}), shared=True)
SHARED_U = Marking(Level.U, rel_to=frozenset({"CHN"}), shared=True)
SECRET_NOFORN = Marking(Level.S, frozenset({NOFORN}))
HOME_C = Marking(Level.C)

#: The day of the joint review the agenda tests hold.
MEETING = date(2008, 4, 16)

#: Words only in home-only cases: none may reach a partner's rendering.
HIDDEN_WORDS = (b"ZZHIDDEN", b"ZZHOMEONLY")


@dataclass(frozen=True)
class World:
    """The desk's references of its five cases, in the order they were created."""

    gyroscopes: str  # C, released
    noforn_lead: str  # SECRET//NOFORN
    carbon_fibre: str  # C, released
    home_lead: str  # C, home only
    steel: str  # U, released


def at(day: str, hour: int = 9) -> datetime:
    return datetime.fromisoformat(day).replace(hour=hour, tzinfo=UTC)


def opened(engine: Engine, title: str, day: str, marking: Marking) -> str:
    reference = create_case(
        engine,
        OFFICER,
        CaseInput(
            title=title,
            releasable_summary=f"Releasable summary of {title}",
            allegation_summary="ZZHOMEONLY allegation from a sensitive source",
            priority=Priority.HIGH,
            marking=marking,
            fictional=True,
        ),
        at=at(day),
    ).reference
    transition_case(engine, OFFICER, reference, CaseStatus.OPEN, reason="vetted", at=at(day, 10))
    return reference


def build_world(engine: Engine) -> World:
    """Five cases of 2007; the partner may read the first, third and fifth. Made in one step
    each (the caller runs a one-person desk for this)."""
    return World(
        opened(engine, "FICTIONAL gyroscopes to a third country", "2007-10-01", SHARED_C),
        opened(engine, "ZZHIDDEN NOFORN lead", "2007-10-02", SECRET_NOFORN),
        opened(engine, "FICTIONAL carbon fibre offer", "2007-10-03", SHARED_C),
        opened(engine, "ZZHOMEONLY confidential lead", "2007-10-04", HOME_C),
        opened(engine, "FICTIONAL maraging steel", "2007-10-05", SHARED_U),
    )


def hand_over(engine: Engine, day: date, references: list[str], release: bool = False) -> list[str]:
    """Hand a list of `references` to CHN on `day` as the officer; returns its entries'
    references as the officer sees them."""
    listing = create_handover_list(
        engine,
        OFFICER,
        title=f"FICTIONAL list of {day:%d %B %Y}",
        handed_over_on=day,
        handed_over_by="PolMinCouns",
        handed_over_to="MFA Arms Control Department",
        partner_country="CHN",
        references=references,
        release=release,
        fictional=True,
    )
    return [e.reference for e in listing.entries]


def hold_review(engine: Engine) -> None:
    """Review 1, confirmed for `MEETING`, its agenda built by the officer."""
    schedule_review(
        engine,
        OFFICER,
        level=ReviewLevel.WORKING,
        proposed_on=MEETING,
        confirmed_on=MEETING,
        partner_country="CHN",
        title="FICTIONAL spring review",
        fictional=True,
    )
    build_agenda(engine, OFFICER, 1)


def add_accounts(engine: Engine) -> None:
    with transaction(engine) as session:
        for user in (OFFICER, SECOND_OFFICER, REVIEWER_U, LIAISON, LIAISON_U):
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


def bearer(client: TestClient, user: User) -> dict[str, str]:
    """An Authorization header for `user` (pages take it as the API does)."""
    answer = client.post(
        "/api/v1/auth/token", json={"username": user.username, "password": PASSWORD}
    )
    assert answer.status_code == 200, answer.text
    return {"Authorization": f"Bearer {answer.json()['access_token']}"}


def get_bytes(client: TestClient, user: User, url: str) -> bytes:
    answer = client.get(url, headers=bearer(client, user))
    assert answer.status_code == 200, (url, answer.status_code, answer.text[:300])
    body: bytes = answer.content
    return body


def pdf_text(pdf: bytes) -> str:
    """The PDF's text, words joined by single spaces."""
    assert pdf.startswith(b"%PDF-")
    pages = PdfReader(io.BytesIO(pdf)).pages
    return " ".join(" ".join(page.extract_text() for page in pages).split())


def assert_nothing_hidden(body: bytes, *desk_references: str) -> None:
    """No home-only word and none of the desk's own references in `body` (raw bytes; for a
    PDF, its extracted text is checked too by the caller)."""
    for word in HIDDEN_WORDS:
        assert word not in body, word
    for reference in desk_references:
        assert reference.encode() not in body, reference


# --- fixtures (imported by the conftest of each folder that uses this desk) -----------------


@pytest.fixture
def world(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> World:
    """The desk on SQLite and PostgreSQL (`engine`), made as a one-person desk makes it (cases
    created shared in one step); tests of the two-person flow turn the setting back on."""
    monkeypatch.setenv("NPDESK_TWO_PERSON_RELEASE", "false")
    add_accounts(engine)
    return build_world(engine)


@pytest.fixture
def client(engine: Engine, world: World) -> Iterator[TestClient]:
    with TestClient(create_app(engine), follow_redirects=False) as test_client:
        yield test_client


@pytest.fixture
def two_person_desk(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> Engine:
    """An empty desk with the accounts, two-person release on (the default)."""
    monkeypatch.delenv("NPDESK_TWO_PERSON_RELEASE", raising=False)
    add_accounts(engine)
    return engine


@pytest.fixture
def two_person_client(two_person_desk: Engine) -> Iterator[TestClient]:
    with TestClient(create_app(two_person_desk), follow_redirects=False) as test_client:
        yield test_client
