"""Screening a case's subjects: every firm and person a case names is registered with the
screening registry (so later list versions re-screen it) and screened against the newest
restricted-party lists; the case keeps a one-line summary of each subject's best hit."""

from __future__ import annotations

from typing import NamedTuple

from sqlalchemy.engine import Engine

from npdesk.domain.cases import Case, SubjectKind
from npdesk.security.model import User
from npdesk.services.case_records import (
    WRITE_ACTION,
    InvalidCaseData,
    audit_change,
    load_record,
    require_writer,
    view_of,
)
from npdesk.store.db import transaction


class ScreenedSubjects(NamedTuple):
    """The case after screening, and one line per subject screened."""

    case: Case
    notes: tuple[str, ...]


def screen_subjects(
    engine: Engine, user: User, reference: str, *, source: str = "cli"
) -> ScreenedSubjects:
    """Screen every subject of a case against the newest sanctions lists.

    Each subject is registered with the screening registry (source `case`, the case reference),
    so later list versions re-screen it, and screened; its `screening_ref` records the stored
    screening and its best hit (`screening 12: 2 hits, best LIMMT ... 0.93 match`). Returns the
    case and one line per subject. Raises `CaseNotFound`, `NotPermitted`, `InvalidCaseData`
    (no screening lists loaded, or a subject that cannot be screened).
    """
    from npdesk.screening import EntryType, Query
    from npdesk.services import screening

    require_writer(user, "screen case subjects")
    kinds = {SubjectKind.FIRM: EntryType.ENTITY, SubjectKind.PERSON: EntryType.INDIVIDUAL}
    notes: list[str] = []
    with transaction(engine) as session:
        record = load_record(session, user, reference)
        subjects = list(record.subjects)
    found: dict[int, str] = {}
    for subject in subjects:
        kind = kinds[SubjectKind(subject.kind)]
        try:
            subject_id = screening.register_subject(
                engine,
                user,
                subject.name,
                kind,
                subject.country,
                source="case",
                reference=reference,
            )
            result = screening.screen_name(
                engine,
                user,
                Query(subject.name, kind, subject.country),
                top=3,
                origin="case",
                subject_id=subject_id,
            )
        except screening.NoListsLoaded as error:
            raise InvalidCaseData(f"cannot screen: {error}") from error
        except ValueError as error:
            raise InvalidCaseData(f"cannot screen {subject.name!r}: {error}") from error
        hits = result.hits
        if hits:
            best = hits[0].hit
            band = f" {best.band.value}" if best.band else ""
            summary = (
                f"screening {result.screening_id}: {len(hits)} hit"
                f"{'' if len(hits) == 1 else 's'}, best {best.entry.name} "
                f"({best.entry.list_name}) {best.score:.2f}{band}"
            )
        else:
            summary = f"screening {result.screening_id}: no hits"
        found[subject.id] = summary[:200]
        notes.append(f"{subject.name}: {summary}")
    with transaction(engine) as session:
        record = load_record(session, user, reference)
        for subject in record.subjects:
            if subject.id in found:
                subject.screening_ref = found[subject.id]
        audit_change(
            session,
            user,
            WRITE_ACTION,
            reference,
            source,
            change="screening",
            subjects=len(found),
        )
        session.flush()
        return ScreenedSubjects(view_of(session, user, record), tuple(notes))


__all__ = ["ScreenedSubjects", "screen_subjects"]
