"""Regression tests for gaps found while merging the visibility work: what a cable's reader
warnings say about the whole text, a source cable named on an event, and the CLI reading a
cable for someone who may not read it."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from typer.testing import CliRunner

from npdesk.cli.main import app as cli_app
from npdesk.security.model import Level, Marking, Party, Role, User
from npdesk.services.events import EventInput, create_event
from npdesk.services.ingest import ingest_paths
from npdesk.services.release import release_cable
from npdesk.store.db import session_factory
from npdesk.store.models.desk import ProposalReadRecord, ProposalRecord
from npdesk.web.app import create_app
from tests.store.helpers import SAMPLE_CABLES
from tests.web.conftest import add_users, token_for

OFFICER = User("officer", Party.HOME, Role.OFFICER, Level.TS)

# Banner UNCLASSIFIED, subject marked (C): the reader warns that the sources disagree, and the
# cable is stored CONFIDENTIAL. Its only paragraph is (C) and gets released.
SUBJECT_ABOVE_BANNER = """O 201106Z MAR 08
FM AMEMBASSY SAMPLEPOST
TO SECSTATE WASHDC IMMEDIATE 5948

U N C L A S S I F I E D SAMPLEPOST 000700

SIPDIS

E.O. 12958: DECL: 03/20/2033
TAGS: PARM PREL
SUBJECT: (C) FICTIONAL SAMPLE: LICENSING TALKS

Classified By: Fictional Counselor. Reasons 1.4 (b/d).

1. (C) The Ministry of Commerce will host an export control workshop in Beijing on April 15,
2008.
"""


@pytest.fixture
def one_person_desk(monkeypatch: pytest.MonkeyPatch) -> None:
    # These tests release in one step; two-person release has tests of its own.
    monkeypatch.setenv("NPDESK_TWO_PERSON_RELEASE", "false")


def test_partner_gets_no_reader_warnings_on_a_released_cable(
    engine: Engine, tmp_path: Path, one_person_desk: None
) -> None:
    path = tmp_path / "08SAMPLEPOST700.txt"
    path.write_text(SUBJECT_ABOVE_BANNER, encoding="utf-8")
    ingest_paths(engine, [path])
    add_users(engine)
    release_cable(engine, OFFICER, "08SAMPLEPOST700", [1], source="test")
    with TestClient(create_app(engine), follow_redirects=False) as client:
        home = client.get("/api/v1/cables/08SAMPLEPOST700", headers=token_for(client, "olivia"))
        partner = client.get("/api/v1/cables/08SAMPLEPOST700", headers=token_for(client, "li"))
    assert home.status_code == 200 and partner.status_code == 200
    assert home.json()["marking"].startswith("CONFIDENTIAL")
    assert any(w.startswith("marking: ") for w in home.json()["warnings"])
    assert partner.json()["warnings"] == []
    assert "UNCLASSIFIED" not in partner.text  # the banner the text understated


def test_event_names_its_source_cable_only_to_readers_of_it(engine: Engine) -> None:
    ingest_paths(engine, [SAMPLE_CABLES])
    add_users(engine)  # rita: home reviewer cleared CONFIDENTIAL
    create_event(
        engine,
        OFFICER,
        EventInput(
            title="FICTIONAL licensing workshop",
            kind="workshop",
            start=dt.date(2008, 4, 15),
            source_cable="08SAMPLEPOST140",  # SECRET in the sample
            marking=Marking(Level.U),
            fictional=True,
        ),
    )
    with TestClient(create_app(engine), follow_redirects=False) as client:
        officer = client.get("/api/v1/events", headers=token_for(client, "olivia")).json()["events"]
        reviewer = client.get("/api/v1/events", headers=token_for(client, "rita"))
    assert [e["source_cable"] for e in officer if "licensing" in e["title"]] == ["08SAMPLEPOST140"]
    assert reviewer.status_code == 200 and "08SAMPLEPOST140" not in reviewer.text


def test_cli_suggest_for_an_unreadable_cable_reads_nothing(db_url: str, engine: Engine) -> None:
    ingest_paths(engine, [SAMPLE_CABLES])
    add_users(engine)
    result = CliRunner().invoke(
        cli_app, ["cables", "suggest", "08SAMPLEPOST140", "--db", db_url, "--user", "rita"]
    )
    missing = CliRunner().invoke(
        cli_app, ["cables", "suggest", "08SAMPLEPOST999", "--db", db_url, "--user", "rita"]
    )
    assert result.exit_code == missing.exit_code == 1
    assert result.output.replace("140", "999") == missing.output
    with session_factory(engine)() as session:
        stored = session.scalar(
            select(func.count()).where(ProposalRecord.cable_id == "08SAMPLEPOST140")
        )
        reads = session.scalar(
            select(func.count()).where(ProposalReadRecord.cable_id == "08SAMPLEPOST140")
        )
    assert (stored, reads) == (0, 0)
