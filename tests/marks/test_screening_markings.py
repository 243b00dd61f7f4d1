"""Screening subjects, screenings, hits, decisions and alerts take the strictest marking of
what they came from (issue 11, part 2): a subject taken from a SECRET case is SECRET, and so
is everything screening it produces; a home user cleared CONFIDENTIAL sees none of it."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from npdesk.domain.cases import Subject, SubjectKind
from npdesk.security.model import NOFORN, Level, Marking, Party, Role, User
from npdesk.services import screening
from npdesk.services.case_subjects import screen_subjects
from npdesk.services.cases import CaseInput, create_case
from npdesk.store.db import session_factory
from npdesk.store.models.screening import (
    ScreenedSubject,
    ScreeningAlert,
    ScreeningDecision,
    ScreeningHitRecord,
    ScreeningRecord,
)
from tests.domain._desk_fixtures import OFFICER, desk
from tests.domain.test_cases_screening import sdn_subset

LOW_OFFICER = User("low", Party.HOME, Role.OFFICER, Level.C)
SECRET_NOFORN = Marking(Level.S, frozenset({NOFORN}))


def banners(rows: list[ScreenedSubject] | list[ScreeningRecord]) -> set[str]:
    return {f"{r.classification}//{r.caveats}" for r in rows}


def test_screening_subject_from_secret_case_is_secret(
    tmp_path: Path, shared_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NPDESK_DATA_DIR", str(tmp_path / "data"))
    engine = desk(tmp_path)
    ref = create_case(
        engine,
        OFFICER,
        CaseInput(
            title="FICTIONAL case about a listed firm",
            subjects=(Subject("LIMMT Economic and Trade Company", SubjectKind.FIRM, "CHN"),),
            marking=SECRET_NOFORN,
            fictional=True,
        ),
    ).reference
    screening.load_list_version(engine, OFFICER, sdn_subset(shared_dir, tmp_path / "v1", {"9749"}))
    screen_subjects(engine, OFFICER, ref)
    with session_factory(engine)() as session:
        [subject] = session.scalars(select(ScreenedSubject)).all()
        assert (subject.classification, subject.caveats) == ("SECRET", "NOFORN")
        [screened] = session.scalars(select(ScreeningRecord)).all()
        assert (screened.classification, screened.caveats) == ("SECRET", "NOFORN")
        hits = session.scalars(select(ScreeningHitRecord)).all()
        assert hits and {(h.classification, h.caveats) for h in hits} == {("SECRET", "NOFORN")}
        hit_id = hits[0].id

    # A judgement on the hit says what the hit says; a lower-cleared officer cannot make one.
    screening.record_decision(engine, OFFICER, hit_id, "true_match", "same address")
    with pytest.raises(screening.ScreeningError, match="no screening hit"):
        screening.record_decision(engine, LOW_OFFICER, hit_id, "false_positive", "why")
    with session_factory(engine)() as session:
        [decision] = session.scalars(select(ScreeningDecision)).all()
        assert (decision.classification, decision.caveats) == ("SECRET", "NOFORN")

    # Version 2 drops LIMMT: re-screening raises an alert on the subject, marked like it.
    screening.load_list_version(engine, OFFICER, sdn_subset(shared_dir, tmp_path / "v2", {"9753"}))
    with session_factory(engine)() as session:
        alerts = session.scalars(select(ScreeningAlert)).all()
        assert alerts
        assert {(a.classification, a.caveats) for a in alerts} == {("SECRET", "NOFORN")}
    assert screening.open_alerts(engine, OFFICER)
    assert screening.open_alerts(engine, LOW_OFFICER) == []
    # Earlier decisions come back only to those who may read them.
    query = screening.Query("LIMMT Economic and Trade Company")
    low = screening.screen_name(engine, LOW_OFFICER, query)
    assert all(h.earlier_decisions == () for h in low.hits)


def test_subject_of_an_unknown_case_is_kept_secret_and_manual_one_as_given(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NPDESK_DATA_DIR", str(tmp_path / "data"))
    engine = desk(tmp_path)
    unknown = screening.register_subject(
        engine, OFFICER, "Someone", source="case", reference="C-9999-999"
    )
    manual = screening.register_subject(engine, OFFICER, "Anyone", source="manual")
    confidential = screening.register_subject(
        engine, OFFICER, "Another", source="manual", marking=Marking(Level.C)
    )
    with session_factory(engine)() as session:
        level = {s.id: s.classification for s in session.scalars(select(ScreenedSubject))}
    assert level == {unknown: "SECRET", manual: "UNCLASSIFIED", confidential: "CONFIDENTIAL"}
