"""The minutes of a review session (HTML and PDF, releasable and home-only), and their release
to the partner.

The releasable minutes are a document the home side writes for the partner, so with
two-person release on (`npdesk.settings.two_person_release`) a partner user gets them only
once one home officer proposed their release and another approved it
(`npdesk.services.approvals`, kind "minutes"). The approval covers the minutes as they were
proposed: the proposal keeps a digest of the releasable minutes as the partner's government
reads them, and minutes changed since (a new outcome, a rebuilt agenda) need a new release.
With the setting off the partner reads the releasable minutes at once, as before.
"""

from __future__ import annotations

import hashlib
from dataclasses import replace
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from npdesk import settings
from npdesk.domain.reviews import Minutes, MinutesVariant, build_minutes
from npdesk.security import policy
from npdesk.security.model import NOFORN, Marking, Party, User
from npdesk.security.partners import agreed_level
from npdesk.services.case_records import NotPermitted
from npdesk.services.case_references import shown_references
from npdesk.services.handovers import documents, html_to_pdf
from npdesk.services.reviews import load_review, review_detail, visible_case_markings
from npdesk.store.db import session_factory
from npdesk.store.models.releases import PendingRelease
from npdesk.store.visibility import marking_of, partner_reader

#: The kind of a release of minutes in `pending_releases` (its record id: the session number).
MINUTES_KIND = "minutes"


class MinutesFormat(StrEnum):
    HTML = "html"
    PDF = "pdf"


class MinutesNotReleased(NotPermitted):
    """The partner asked for minutes not (or no longer) released to them."""


def minutes(engine: Engine, user: User, number: int, variant: MinutesVariant) -> Minutes:
    """The minutes of a session, with their banner (see `minutes_in`)."""
    with session_factory(engine)() as session:
        return minutes_in(session, user, number, variant)


def minutes_in(session: Session, user: User, number: int, variant: MinutesVariant) -> Minutes:
    """The minutes of a session, with their banner.

    The releasable variant covers only cases releasable to the session's partner (shared or
    REL TO it, never NOFORN, at or below the agreed level), whoever asks; its banner is their
    highest level REL TO the partner. The home variant covers every case the user may see and
    is marked NOFORN. Liaisons get only the releasable variant, and with two-person release on
    only once it is released to them. Raises `ReviewNotFound`, `NotPermitted` (a partner user
    asking for home minutes), `MinutesNotReleased`.
    """
    if variant is MinutesVariant.HOME and user.party is not Party.HOME:
        raise NotPermitted("home-only minutes are not available to partner users")
    document = _build(session, user, number, variant)
    if user.party is Party.PARTNER and settings.two_person_release():
        country = (user.country or "").upper()
        if minutes_digest(session, number) not in _released_digests(session, number, country):
            raise MinutesNotReleased(
                f"the minutes of review {number} have not been released to {country}: a home "
                "officer proposes their release and another approves it"
            )
    return document


def minutes_digest(session: Session, number: int) -> str:
    """A digest of the releasable minutes of session `number` as the partner's government
    reads them (at the agreed level): what a release of the minutes approves."""
    document = _build(session, partner_reader(), number, MinutesVariant.RELEASABLE)
    return hashlib.sha256(repr(document).encode("utf-8")).hexdigest()


def _released_digests(session: Session, number: int, partner: str) -> set[str]:
    details = session.scalars(
        select(PendingRelease.detail).where(
            PendingRelease.record_kind == MINUTES_KIND,
            PendingRelease.record_id == str(number),
            PendingRelease.partner == partner,
            PendingRelease.state == "approved",
        )
    )
    return {str(d.get("digest")) for d in details if d}


def _build(session: Session, user: User, number: int, variant: MinutesVariant) -> Minutes:
    record = load_review(session, user, number)
    detail = review_detail(session, user, record, present=False)
    refs = shown_references(session, user)
    session_marking = marking_of(record)
    references = [i.reference for i in detail.agenda] + [o.reference for o in detail.outcomes]
    references += [o.merged_into for o in detail.outcomes if o.merged_into]
    markings = visible_case_markings(session, user, references)
    agenda, outcomes = list(detail.agenda), list(detail.outcomes)
    if variant is MinutesVariant.RELEASABLE:
        partner = min(session_marking.rel_to, default="")
        agreed = agreed_level(partner) if partner else None

        def releasable(reference: str) -> bool:
            marking = markings.get(reference)
            return (
                marking is not None
                and agreed is not None
                and marking.level <= agreed
                and policy.releasable_to(marking, partner)
            )

        agenda = [
            replace(item, position=position)
            for position, item in enumerate((i for i in agenda if releasable(i.reference)), start=1)
        ]
        outcomes = [
            o
            if o.merged_into is None or releasable(o.merged_into)
            else replace(o, merged_into=None)
            for o in outcomes
            if releasable(o.reference)
        ]
        included = {i.reference for i in agenda} | {o.reference for o in outcomes}
        level = max([session_marking.level, *(markings[r].level for r in included)])
        banner = Marking(level, rel_to=frozenset({partner}) if partner else frozenset()).banner()
    else:
        included = {i.reference for i in agenda} | {o.reference for o in outcomes}
        level = max(
            [session_marking.level, *(markings[r].level for r in included if r in markings)]
        )
        banner = Marking(level, caveats=frozenset({NOFORN})).banner()
    agenda = [replace(i, reference=refs.shown(i.reference)) for i in agenda]
    outcomes = [
        replace(
            o,
            reference=refs.shown(o.reference),
            merged_into=refs.shown(o.merged_into) if o.merged_into else None,
        )
        for o in outcomes
    ]
    built = build_minutes(detail.session, agenda, outcomes, variant)
    return replace(built, banner=banner)


def render_minutes(
    engine: Engine, user: User, number: int, variant: MinutesVariant, fmt: MinutesFormat
) -> bytes:
    """The minutes as an HTML or PDF document with their banner. Raises as `minutes`, and
    `ExportFailed` for a PDF that cannot be rendered."""
    document = minutes(engine, user, number, variant)
    html = documents().get_template("cases/export_minutes.html").render(minutes=document)
    return html.encode("utf-8") if fmt is MinutesFormat.HTML else html_to_pdf(html)
