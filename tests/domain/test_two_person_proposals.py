"""Accepting a desk proposal "shared with the partner" is a release like any other (issue 12,
part 3): the record is made unshared, its sharing is proposed, and the partner sees it only
once a second officer approves."""

from __future__ import annotations

import pytest
from sqlalchemy.engine import Engine

from npdesk.security.model import Level, Party, Role, User
from npdesk.services import approvals
from npdesk.services import proposals as service
from npdesk.services.ingest import ingest_paths
from npdesk.store.db import session_factory
from npdesk.store.models import desk as models
from tests.store.helpers import SAMPLE_CABLES

OLIVIA = User("olivia", Party.HOME, Role.OFFICER, Level.S)
OSCAR = User("oscar", Party.HOME, Role.OFFICER, Level.S)

KINDS = {"firm": models.FirmRecord, "event": models.EventRecord,
         "dialogue": models.DialogueRecord, "letter": models.LetterRecord,
         "commitment": models.CommitmentRecord}  # fmt: skip


def _shared(engine: Engine, kind: str, record_id: int) -> bool:
    with session_factory(engine)() as session:
        record = session.get(KINDS[kind], record_id)
        assert record is not None
        return bool(record.shared_with_partner)


def test_accepting_as_shared_proposes_the_sharing(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("NPDESK_TWO_PERSON_RELEASE", raising=False)
    ingest_paths(engine, [SAMPLE_CABLES / "08SAMPLEPOST101.txt"])  # a CONFIDENTIAL cable
    service.read_pending(engine)
    views = service.proposals_for(engine, OLIVIA, "08SAMPLEPOST101").proposals
    releasable = [v for v in views if "NOFORN" not in v.marking]
    assert releasable, [v.marking for v in views]
    accepted = service.decide(
        engine, OLIVIA, releasable[0].id, "accept", {"shared_with_partner": True}
    )
    kind, record_id = accepted.record_kind, accepted.record_id
    assert kind in KINDS and record_id is not None
    assert not _shared(engine, kind, record_id)
    waiting = approvals.list_releases(engine, OLIVIA)
    assert [(w.record_kind, w.record_id, w.proposed_by) for w in waiting] == [
        (kind, str(record_id), "olivia")
    ]
    with pytest.raises(approvals.ApprovalError):
        approvals.approve_release(engine, OLIVIA, waiting[0].id, source="test")
    approvals.approve_release(engine, OSCAR, waiting[0].id, source="test")
    assert _shared(engine, kind, record_id)
