"""The access policy: who may read, write and release what, decided from markings alone.

Rules:
- A home user reads anything at or below their clearance.
- A partner user reads an item only when it is releasable to their country (`REL TO` their
  code, or the officer's "shared with partner" flag), is not NOFORN, and is at or below both
  their clearance and the level their government agreed to receive.
- Nothing is releasable unless marked so.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from npdesk.security.model import Level, Marking, Party, Role, User
from npdesk.security.partners import agreed_level

# Record kinds a liaison may write, and only on records shared with their government.
PARTNER_WRITABLE_KINDS = frozenset({"partner_response", "partner_commitment"})
# Record kinds a reviewer may write; officers and admins write any kind.
REVIEWER_WRITABLE_KINDS = frozenset({"review", "review_comment"})
# Roles that may mark an item releasable to the partner.
RELEASING_ROLES = frozenset({Role.ADMIN, Role.OFFICER})

AgreedLevel = Callable[[str | None], Level | None]


def releasable_to(marking: Marking, country: str | None) -> bool:
    """Whether `marking` is marked releasable to `country` (REL TO it, or shared), and not
    NOFORN. The level is not considered here."""
    if country is None or marking.noforn:
        return False
    return marking.shared or country.upper() in marking.rel_to


def may_read(user: User, marking: Marking, agreement: AgreedLevel = agreed_level) -> bool:
    """Whether `user` may read an item marked `marking`.

    `agreement` maps a partner country to its agreed level (default: `partners.json`); a
    country without an agreement reads nothing.
    """
    if marking.level > user.clearance:
        return False
    if user.party is Party.HOME:
        return True
    ceiling = agreement(user.country)
    if ceiling is None or marking.level > ceiling:
        return False
    return releasable_to(marking, user.country)


def may_write(
    user: User, record_kind: str, marking: Marking, agreement: AgreedLevel = agreed_level
) -> bool:
    """Whether `user` may create or change a record of `record_kind` on an item marked
    `marking` (the record itself, or the record it belongs to).

    Nobody writes what they may not read. Liaisons write only partner responses and partner
    commitments; reviewers only reviews; officers and admins any kind.
    """
    if not may_read(user, marking, agreement):
        return False
    return may_write_kind(user, record_kind)


def may_write_kind(user: User, record_kind: str) -> bool:
    """Whether `user`'s role may write records of `record_kind` at all (marking aside)."""
    if user.role is Role.LIAISON:
        return user.party is Party.PARTNER and record_kind in PARTNER_WRITABLE_KINDS
    if user.party is not Party.HOME:
        return False
    if user.role is Role.REVIEWER:
        return record_kind in REVIEWER_WRITABLE_KINDS
    return user.role in RELEASING_ROLES


@dataclass(frozen=True)
class ReleaseDecision:
    """The answer to "may this be released to the partner": `allowed` and why (for people and
    for the audit log)."""

    allowed: bool
    reason: str

    def __bool__(self) -> bool:
        return self.allowed


def may_release(
    officer: User, marking: Marking, partner_agreed_level: Level | None
) -> ReleaseDecision:
    """Whether `officer` may mark an item with `marking` releasable to a partner whose agreed
    level is `partner_agreed_level` (None: no agreement).

    Only home officers and admins release, only what they may read themselves, only at or
    below the partner's agreed level, and never anything NOFORN.
    """
    if officer.party is not Party.HOME or officer.role not in RELEASING_ROLES:
        return ReleaseDecision(False, "only home officers and admins may release to the partner")
    if marking.level > officer.clearance:
        return ReleaseDecision(False, "the item is above the officer's clearance")
    if marking.noforn:
        return ReleaseDecision(False, "NOFORN items are never released")
    if partner_agreed_level is None:
        return ReleaseDecision(False, "there is no sharing agreement with this partner")
    if marking.level > partner_agreed_level:
        return ReleaseDecision(
            False,
            f"{marking.level.word} is above the partner's agreed level "
            f"({partner_agreed_level.word})",
        )
    return ReleaseDecision(True, f"at or below the agreed level ({partner_agreed_level.word})")


def released(marking: Marking, country: str) -> Marking:
    """`marking` made releasable to `country` (its code added to REL TO). Apply it only after
    `may_release` allowed the release; this function does not check."""
    return Marking(
        level=marking.level,
        caveats=marking.caveats,
        rel_to=marking.rel_to | {country.upper()},
        shared=marking.shared,
    )
