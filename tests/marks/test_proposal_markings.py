"""Proposals are marked by the strictest text they carry and read once per cable version,
never on a page view (issue 11, parts 2 and 6), on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from npdesk.security.markings import paragraph_marking
from npdesk.security.model import NOFORN, Level, Marking, Party, Role, User
from npdesk.services import proposals as service
from npdesk.services.errors import NotPermitted
from npdesk.services.ingest import ingest_paths
from npdesk.services.release import release_cable
from npdesk.store.db import session_factory
from npdesk.store.models.desk import EventRecord, ProposalReadRecord, ProposalRecord
from npdesk.web.app import create_app
from tests.store.helpers import SAMPLE_CABLES
from tests.web.conftest import add_users, sign_in, token_for

OFFICER = User("officer", Party.HOME, Role.OFFICER, Level.TS)
LIAISON = User("liaison", Party.PARTNER, Role.LIAISON, Level.C, country="CHN")
C_REL_CHN = Marking(Level.C, rel_to=frozenset({"CHN"}))

# A fictional cable: paragraph 1 is released with the cable; the unnumbered text under the
# heading after it is not marked, so it takes the cable's CONFIDENTIAL and is never releasable.
RELEASED_WITH_UNMARKED_TEXT = """O 201106Z MAR 08
FM AMEMBASSY SAMPLEPOST
TO SECSTATE WASHDC IMMEDIATE 5948

C O N F I D E N T I A L SAMPLEPOST 000500

SIPDIS

E.O. 12958: DECL: 03/20/2033
TAGS: PARM PREL ETTC
SUBJECT: FICTIONAL SAMPLE: EXPORT CONTROL WORKSHOP PLANS

Classified By: Fictional Counselor. Reasons 1.4 (b/d).

1. (C) The Ministry of Commerce will host an export control workshop in Beijing on April 15,
2008, and invited Embassy officers to attend.

Licensing Talks

Separately, a Ministry official told us privately that China Great Wall Industry Corporation
representatives would meet Embassy officers on April 22, 2008 to discuss licensing, and asked
that this not be shared with anyone outside the Embassy under any circumstances.

EXAMPLE
"""


def test_unnumbered_paragraph_proposal_takes_own_marking() -> None:
    cable = Marking(Level.C, rel_to=frozenset({"CHN"}), shared=True)  # released
    released_paragraph = C_REL_CHN
    unnumbered = paragraph_marking(None, Marking(Level.C))  # the cable's level, not REL
    paragraphs = [released_paragraph, unnumbered]
    assert service.proposal_marking([1], paragraphs, cable) == Marking(Level.C)
    assert service.proposal_marking([0], paragraphs, cable) == C_REL_CHN


def test_merged_proposal_takes_the_strictest_of_its_sources() -> None:
    noforn = Marking(Level.C, frozenset({NOFORN}))
    paragraphs = [C_REL_CHN, noforn, Marking(Level.S)]
    assert service.proposal_marking([0, 1], paragraphs, C_REL_CHN) == noforn
    assert service.proposal_marking([0, 2], paragraphs, C_REL_CHN) == Marking(Level.S)


def test_proposal_without_sources_takes_the_strictest_in_the_cable() -> None:
    cable = Marking(Level.C, rel_to=frozenset({"CHN"}), shared=True)
    paragraphs = [C_REL_CHN, Marking(Level.U), Marking(Level.C, frozenset({NOFORN}))]
    assert service.proposal_marking([], paragraphs, cable) == Marking(Level.C, frozenset({NOFORN}))
    # A source that names no paragraph is no source at all: the whole cable again (here
    # released with its only paragraph, so the proposal may be too).
    assert service.proposal_marking([7], paragraphs[:1], cable) == C_REL_CHN
    assert service.proposal_marking([7], paragraphs[:2], cable) == Marking(Level.C)


def test_liaison_never_sees_proposals_carrying_unreleased_text(
    engine: Engine, tmp_path: Path
) -> None:
    path = tmp_path / "500.txt"
    path.write_text(RELEASED_WITH_UNMARKED_TEXT, encoding="utf-8")
    assert ingest_paths(engine, [path]).ingested == 1
    release_cable(engine, OFFICER, "08SAMPLEPOST500", [1], source="test")
    service.read_pending(engine)
    every = service.proposals_for(engine, OFFICER, "08SAMPLEPOST500").proposals
    assert any("Great Wall" in json.dumps(p.to_dict()) for p in every)
    shown = service.proposals_for(engine, LIAISON, "08SAMPLEPOST500").proposals
    for proposal in shown:
        text = json.dumps(proposal.to_dict())
        assert "Great Wall" not in text and "April 22" not in text and "2008-04-22" not in text


def test_accepted_proposal_record_keeps_its_marking_and_sharing_is_a_release(
    engine: Engine, tmp_path: Path
) -> None:
    # 08STATE2001 proposes a review from its paragraph 1, marked (C); here that paragraph is
    # re-marked (C//NF), so the proposal (and the record made from it) must be C//NF.
    text = (SAMPLE_CABLES / "08STATE2001.txt").read_text(encoding="utf-8")
    assert "1. (C) Embassy should propose" in text
    path = tmp_path / "08STATE2001.txt"
    path.write_text(text.replace("1. (C) Embassy", "1. (C//NF) Embassy"), encoding="utf-8")
    ingest_paths(engine, [path])
    service.read_pending(engine)
    views = service.proposals_for(engine, OFFICER, "08STATE2001").proposals
    assert views
    assert {v.marking for v in views} == {"CONFIDENTIAL//NOFORN"}
    event = next((v for v in views if v.proposal["kind"] == "review"), None)
    assert event is not None, [v.proposal["kind"] for v in views]
    with pytest.raises(NotPermitted, match="NOFORN"):
        service.decide(engine, OFFICER, event.id, "accept", {"shared_with_partner": True})
    accepted = service.decide(engine, OFFICER, event.id, "accept")
    assert accepted.record_kind == "event"
    with session_factory(engine)() as session:
        made = session.get(EventRecord, accepted.record_id)
        assert made is not None
        assert (made.classification, made.caveats, made.shared_with_partner) == (
            "CONFIDENTIAL",
            "NOFORN",
            False,
        )


def test_proposals_from_a_plain_confidential_paragraph_are_not_noforn(engine: Engine) -> None:
    # Paragraph 1 is (C), paragraph 2 (C//NF): the cable is C//NF, its review proposal only C.
    ingest_paths(engine, [SAMPLE_CABLES / "08STATE2001.txt"])
    service.read_pending(engine)
    views = service.proposals_for(engine, OFFICER, "08STATE2001").proposals
    assert views and {v.marking for v in views} == {"CONFIDENTIAL"}


def test_proposals_are_read_once_per_version_none_included(engine: Engine, tmp_path: Path) -> None:
    path = tmp_path / "600.txt"
    quiet = RELEASED_WITH_UNMARKED_TEXT.replace("000500", "000600")
    nothing = quiet.split("1. (C)")[0] + "1. (U) Nothing to report.\n\nEXAMPLE\n"
    path.write_text(nothing, encoding="utf-8")
    ingest_paths(engine, [path])
    assert service.unread_cables(engine) == ["08SAMPLEPOST600"]
    assert service.read_pending(engine) == 1
    with session_factory(engine)() as session:
        read = session.get(ProposalReadRecord, "08SAMPLEPOST600")
        assert read is not None and (read.version, read.proposals) == (1, 0)
    assert service.unread_cables(engine) == []  # "none" is an answer: not read again
    assert service.read_pending(engine) == 0
    path.write_text(nothing.replace("Nothing to report.", "Still nothing."), encoding="utf-8")
    assert ingest_paths(engine, [path]).updated == 1
    assert service.unread_cables(engine) == ["08SAMPLEPOST600"]  # a new version is read again


def _stored(engine: Engine, cable_id: str) -> tuple[int, int]:
    with session_factory(engine)() as session:
        proposals = session.scalar(select(func.count()).where(ProposalRecord.cable_id == cable_id))
        reads = session.scalar(select(func.count()).where(ProposalReadRecord.cable_id == cable_id))
        return int(proposals or 0), int(reads or 0)


def test_proposals_endpoint_404_for_unreadable_cable_and_extracts_nothing(engine: Engine) -> None:
    ingest_paths(engine, [SAMPLE_CABLES])
    add_users(engine)  # rita: home reviewer cleared CONFIDENTIAL; li: liaison CHN
    with TestClient(create_app(engine), follow_redirects=False) as client:
        for who in ("rita", "li"):
            auth = token_for(client, who)
            secret = client.get("/api/v1/cables/08SAMPLEPOST140/proposals", headers=auth)
            missing = client.get("/api/v1/cables/08SAMPLEPOST999/proposals", headers=auth)
            assert secret.status_code == 404
            assert (secret.status_code, secret.content) == (missing.status_code, missing.content)
        assert _stored(engine, "08SAMPLEPOST140") == (0, 0)
        # An officer's view reads nothing either: it says the cable waits to be read.
        officer = token_for(client, "olivia")
        waiting = client.get("/api/v1/cables/08SAMPLEPOST140/proposals", headers=officer)
        assert (waiting.status_code, waiting.json()) == (202, [])
        sign_in(client, "olivia")
        panel = client.get("/cables/08SAMPLEPOST140/proposals", headers={"HX-Request": "true"})
        assert 'data-testid="proposals-pending"' in panel.text
        assert _stored(engine, "08SAMPLEPOST140") == (0, 0)
        service.read_pending(engine)
        read = client.get("/api/v1/cables/08SAMPLEPOST140/proposals", headers=officer)
        assert read.status_code == 200 and read.json()
        # Once read, the answer to those who may not read the cable is still a missing one.
        auth = token_for(client, "rita")
        after = client.get("/api/v1/cables/08SAMPLEPOST140/proposals", headers=auth)
        missing = client.get("/api/v1/cables/08SAMPLEPOST999/proposals", headers=auth)
        assert (after.status_code, after.content) == (missing.status_code, missing.content)


def test_background_reader_reads_every_cable_then_stops(engine: Engine) -> None:
    ingest_paths(engine, [SAMPLE_CABLES])
    reader = service.ProposalReader(engine, idle_seconds=0.1)
    reader.start()
    try:
        deadline = time.monotonic() + 300  # a bound on waiting, not a speed expectation
        while service.unread_cables(engine) and time.monotonic() < deadline:
            time.sleep(0.2)
    finally:
        reader.stop()
    assert service.unread_cables(engine) == []
    with session_factory(engine)() as session:
        assert session.scalar(select(func.count()).select_from(ProposalReadRecord)) == 4
