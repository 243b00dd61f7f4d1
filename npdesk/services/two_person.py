"""The one-step paths to the partner that two-person release closes (issue 12, part 3): with
`NPDESK_TWO_PERSON_RELEASE` on, nothing may become readable by the partner on one person's
word, so a record is never created already shared, and a marking is never changed to one the
partner may read; such requests are refused with what to do instead (create it unshared, then
propose its release for a second officer to approve: `npdesk.services.approvals`). With the
setting off, they act at once, as before."""

from __future__ import annotations

from npdesk import settings
from npdesk.security.model import Marking
from npdesk.security.policy import may_read
from npdesk.services import errors
from npdesk.store.visibility import partner_reader


class SecondPersonNeeded(errors.NotPermitted):
    """A one-step release refused because two-person release is on."""


def partner_may_read(marking: Marking) -> bool:
    """Whether the partner government may read a record marked `marking`."""
    return may_read(partner_reader(settings.partner_country()), marking)


def refuse_shared_creation(what: str, marking: Marking, propose: str) -> None:
    """Raise `SecondPersonNeeded` when two-person release is on and a new `what` would be
    readable by the partner from its creation; `propose` says how its release is proposed."""
    if settings.two_person_release() and partner_may_read(marking):
        partner = settings.partner_country()
        raise SecondPersonNeeded(
            f"two-person release is on: a {what} cannot be created already shared with "
            f"{partner} ({marking.banner()}); create it unshared, then propose its release "
            f"({propose}) for another officer to approve"
        )


def refuse_one_step_release(what: str, propose: str) -> None:
    """Raise `SecondPersonNeeded` when two-person release is on: `what` would go to the
    partner in one step; `propose` says how its release is proposed instead."""
    if settings.two_person_release():
        raise SecondPersonNeeded(
            f"two-person release is on: {what} would go to {settings.partner_country()} on one "
            f"person's word; propose the release instead ({propose}) for another officer to "
            "approve"
        )
