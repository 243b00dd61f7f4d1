"""Releasing a cable, or some of its paragraphs, to the partner government.

An officer marks the cable shared with the partner and chooses which paragraphs go with it.
Each decision goes through `security.policy.may_release` (at or below the partner's agreed
level, never NOFORN, only what the officer may read) and is audited in the same transaction
that changes the markings and the partner's search rows; a refusal changes nothing and is
audited on its own.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from npdesk.security.model import User
from npdesk.security.partners import agreed_level, partner_country
from npdesk.security.policy import ReleaseDecision, may_release, released
from npdesk.services import audit, errors
from npdesk.services.cables import load_readable
from npdesk.store.db import transaction
from npdesk.store.models.cables import CableParagraph, CableRecord
from npdesk.store.search import IndexDocument, index_cable
from npdesk.store.visibility import marking_of


class ReleaseRefused(errors.NotPermitted):
    """The policy refused the release; `reason` says why (also in the audit log)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class ReleaseResult:
    cable_id: str
    partner: str
    paragraphs: tuple[int, ...]


def release_cable(
    engine: Engine,
    officer: User,
    cable_id: str,
    paragraphs: list[int] | None = None,
    *,
    source: str,
) -> ReleaseResult:
    """Share `cable_id` with the partner together with the numbered `paragraphs` (None: every
    numbered paragraph the policy allows), in one step. All or nothing: if the cable or any
    chosen paragraph may not be released, nothing changes. Raises LookupError for a cable the
    officer cannot read (or that does not exist) and ReleaseRefused for a refusal.

    With two-person release on, the web and the CLI do not call this: they propose
    (`npdesk.services.approvals`), and the approval applies `release_in`."""
    with transaction(engine) as session:
        outcome = release_in(session, officer, cable_id, paragraphs, source=source)
    if isinstance(outcome, ReleaseRefused):
        raise outcome
    return outcome


def chosen_paragraphs(
    officer: User, record: CableRecord, paragraphs: list[int] | None
) -> list[CableParagraph]:
    """The numbered paragraphs of `record` a release of `paragraphs` takes (None: every one
    `officer` may release). Raises LookupError for a paragraph the cable does not have."""
    agreed = agreed_level(partner_country())
    numbered = {p.number: p for p in record.paragraphs if p.number is not None}
    if paragraphs is None:
        return [p for p in numbered.values() if may_release(officer, marking_of(p), agreed).allowed]
    unknown = sorted(set(paragraphs) - set(numbered))
    if unknown:
        raise errors.NotFound(f"{record.id} has no paragraph {unknown[0]}")
    return [numbered[n] for n in sorted(set(paragraphs))]


def first_refusal(
    officer: User, record: CableRecord, chosen: list[CableParagraph]
) -> tuple[CableRecord | CableParagraph, str, str, ReleaseDecision] | None:
    """The first of the cable and its `chosen` paragraphs the policy refuses `officer` to
    release, with its audit id, kind and the decision; None when all may go."""
    agreed = agreed_level(partner_country())
    for row, ident, kind in _items(record, chosen):
        decision = may_release(officer, marking_of(row), agreed)
        if not decision.allowed:
            return row, ident, kind, decision
    return None


def _items(
    record: CableRecord, chosen: list[CableParagraph]
) -> list[tuple[CableRecord | CableParagraph, str, str]]:
    return [
        (record, record.id, "cable"),
        *((p, f"{record.id}/{p.number}", "paragraph") for p in chosen),
    ]


def release_in(
    session: Session,
    officer: User,
    cable_id: str,
    paragraphs: list[int] | None,
    *,
    source: str,
) -> ReleaseResult | ReleaseRefused:
    """`release_cable` inside the caller's transaction. A refusal changes nothing but its
    audit entry, and is returned (not raised) so that the caller commits that entry."""
    partner = partner_country()
    record = load_readable(session, cable_id, officer)
    if record is None:
        raise errors.NotFound(f"no cable {cable_id}")
    chosen = chosen_paragraphs(officer, record, paragraphs)
    refused = first_refusal(officer, record, chosen)
    if refused is not None:
        row, ident, kind, decision = refused
        audit.record_release(
            session,
            officer,
            decision,
            partner=partner,
            marking=marking_of(row),
            record_kind=kind,
            record_id=ident,
            source=source,
        )
        return ReleaseRefused(f"{ident}: {decision.reason}")
    agreed = agreed_level(partner)
    for row, ident, kind in _items(record, chosen):
        decision = may_release(officer, marking_of(row), agreed)
        marking = released(marking_of(row), partner)
        row.rel_to = " ".join(sorted(marking.rel_to))
        if kind == "cable":
            row.shared_with_partner = True
        audit.record_release(
            session,
            officer,
            decision,
            partner=partner,
            marking=marking,
            record_kind=kind,
            record_id=ident,
            source=source,
        )
    session.flush()
    index_cable(session, IndexDocument.of(record))
    return ReleaseResult(record.id, partner, tuple(p.number for p in chosen if p.number))
