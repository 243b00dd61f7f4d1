"""The references a reader is shown for cases, and the partner's own stored numbers.

Home users see the desk's own references (`NPC-2008-007`). The partner government knows each
case by a number of its own, `CHN-2007-001` style, kept in `partner_case_references`: assigned
once, when the case first becomes visible to the partner (created shared, released, handed
over), per year of the desk's reference, 1..n in the order cases were released to it. So the
numbers show no gap where a case the partner may not see sits, releasing an older case never
renumbers later ones, and the form differs from the desk's references, so a number never
means one case to the officer and another to the liaison.

Numbers are per partner government, not per reader: a liaison cleared below the agreed level
sees a gap where a case released to their government sits above their own clearance.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Select, and_, func, select
from sqlalchemy.orm import Session

from npdesk.security.model import Party, User
from npdesk.security.policy import may_read
from npdesk.settings import partner_country
from npdesk.store.models.cases import CaseRecord, PartnerCaseReference
from npdesk.store.visibility import marking_of, partner_reader, visible_columns

#: What a reference to a record the reader may not see reads as (callers drop such references;
#: this only guards against one slipping through).
WITHHELD = "(withheld)"
_YEAR = re.compile(r"^[A-Z]+-(\d{4})-\d+$")


class ShownReferences:
    """desk reference ↔ the reference a reader is shown (None: the desk's own, for home
    users)."""

    def __init__(self, shown: dict[str, str] | None) -> None:
        self._shown = shown
        self._home = {v: k for k, v in shown.items()} if shown is not None else None

    def shown(self, reference: str) -> str:
        """The reference to show for the desk's `reference`."""
        if self._shown is None:
            return reference
        return self._shown.get(reference, WITHHELD)

    def home(self, reference: str) -> str | None:
        """The desk's reference for a reference the reader was shown (None: no such case)."""
        if self._home is None:
            return reference
        return self._home.get(reference.strip().upper())


def country_of(user: User) -> str:
    return (user.country or "").upper()


def shown_references(session: Session, user: User) -> ShownReferences:
    """The references `user` is shown for the cases they may read now."""
    if user.party is Party.HOME:
        return ShownReferences(None)
    query = visible_columns(
        CaseRecord, user, CaseRecord.reference, PartnerCaseReference.reference
    ).join(
        PartnerCaseReference,
        and_(
            PartnerCaseReference.case_id == CaseRecord.id,
            PartnerCaseReference.partner == country_of(user),
        ),
    )
    return ShownReferences({desk: own for desk, own in session.execute(query)})


def partner_case_ids(user: User, reference: str) -> Select[Any]:
    """The id of the case `user`'s government knows as `reference` (for a query's `IN`)."""
    return select(PartnerCaseReference.case_id).where(
        PartnerCaseReference.partner == country_of(user),
        PartnerCaseReference.reference == reference.strip().upper(),
    )


def reference_year(reference: str, created: datetime | None) -> int:
    """The year a case is numbered under: its desk reference's (`NPC-2007-004`: 2007), else
    the year it was created."""
    match = _YEAR.match(reference)
    if match:
        return int(match.group(1))
    return (created or datetime.now(UTC)).year


def assign_partner_reference(session: Session, record: CaseRecord) -> str | None:
    """Give `record` (flushed) its partner reference when the partner may read it now and it
    has none yet; call after every change of a case's marking. Returns the partner's
    reference, None while the partner may not read the case."""
    partner = partner_country()
    if not may_read(partner_reader(partner), marking_of(record)):
        return None
    held = session.scalar(
        select(PartnerCaseReference.reference).where(
            PartnerCaseReference.partner == partner, PartnerCaseReference.case_id == record.id
        )
    )
    if held is not None:
        return held
    year = reference_year(record.reference, record.created_at)
    last = session.scalar(
        select(func.max(PartnerCaseReference.number)).where(
            PartnerCaseReference.partner == partner, PartnerCaseReference.year == year
        )
    )
    number = (last or 0) + 1
    reference = f"{partner}-{year}-{number:03d}"
    session.add(
        PartnerCaseReference(
            case_id=record.id, partner=partner, year=year, number=number, reference=reference
        )
    )
    session.flush()
    return reference


__all__ = [
    "WITHHELD",
    "ShownReferences",
    "assign_partner_reference",
    "country_of",
    "partner_case_ids",
    "reference_year",
    "shown_references",
]
