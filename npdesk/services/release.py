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

from npdesk.security.model import User
from npdesk.security.partners import agreed_level, partner_country
from npdesk.security.policy import may_release, released
from npdesk.services import audit
from npdesk.services.cables import load_readable
from npdesk.store.db import transaction
from npdesk.store.models.cables import CableParagraph, CableRecord
from npdesk.store.search import IndexDocument, index_cable
from npdesk.store.visibility import marking_of


class ReleaseRefused(PermissionError):
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
    numbered paragraph the policy allows). All or nothing: if the cable or any chosen paragraph
    may not be released, nothing changes. Raises LookupError for a cable the officer cannot
    read (or that does not exist) and ReleaseRefused for a refusal."""
    partner = partner_country()
    agreed = agreed_level(partner)
    with transaction(engine) as session:
        record = load_readable(session, cable_id, officer)
        if record is None:
            raise LookupError(f"no cable {cable_id}")
        numbered = {p.number: p for p in record.paragraphs if p.number is not None}
        if paragraphs is None:
            chosen = [
                p for p in numbered.values() if may_release(officer, marking_of(p), agreed).allowed
            ]
        else:
            unknown = sorted(set(paragraphs) - set(numbered))
            if unknown:
                raise LookupError(f"{record.id} has no paragraph {unknown[0]}")
            chosen = [numbered[n] for n in sorted(set(paragraphs))]
        items: list[tuple[CableRecord | CableParagraph, str, str]] = [
            (record, record.id, "cable"),
            *((p, f"{record.id}/{p.number}", "paragraph") for p in chosen),
        ]
        decisions = [
            (row, ident, kind, may_release(officer, marking_of(row), agreed))
            for row, ident, kind in items
        ]
        refused = next((d for d in decisions if not d[3].allowed), None)
        if refused is not None:
            # Nothing was changed: the refusal is this transaction's only write, and commits.
            # (A transaction of its own here would wait for this one's SQLite write lock.)
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
            refusal = ReleaseRefused(f"{ident}: {decision.reason}")
        else:
            for row, ident, kind, decision in decisions:
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
    raise refusal
