"""Every action a route or command performs, registered as data with the rule it needs.

Default deny: an action that is not registered is refused, so a new route without a rule
fails closed (and the authorization-matrix test, which is generated from this table, fails).

Two-step checks: `permits(user, name)` without a marking is the gate a route applies before it
loads anything; routes that load a marked record call `permits(user, name, marking)` again (or
`may_read`/`may_write` directly) with the record's marking before showing or changing it.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from npdesk.security.model import Marking, Party, Role, User
from npdesk.security.partners import agreed_level, partner_country
from npdesk.security.policy import (
    RELEASING_ROLES,
    may_read,
    may_release,
    may_write,
    may_write_kind,
)


class Rule(StrEnum):
    """What an action requires."""

    PUBLIC = "public"  # no login (login page, health check)
    AUTHENTICATED = "authenticated"  # any logged-in user; every item shown is filtered by may_read
    READ = "read"  # may_read on the record's marking
    WRITE = "write"  # may_write for the action's record kind on the record's marking
    RELEASE = "release"  # a home officer/admin who may read it; never NOFORN
    HOME = "home"  # any home-side user
    ADMIN = "admin"  # a home admin


@dataclass(frozen=True)
class Action:
    """A registered action: `name` (as used by routes and the audit log), the `rule` it needs,
    the `record_kind` it writes (WRITE rules), and a description for people."""

    name: str
    rule: Rule
    description: str
    record_kind: str | None = None


ACTIONS: tuple[Action, ...] = (
    Action("health", Rule.PUBLIC, "Health check"),
    Action("auth.login", Rule.PUBLIC, "Show the login page or sign in"),
    Action("auth.token.create", Rule.PUBLIC, "Exchange a username and password for an API token"),
    Action("auth.logout", Rule.AUTHENTICATED, "Sign out"),
    Action("auth.token.revoke", Rule.AUTHENTICATED, "Revoke the API token in use"),
    Action("home", Rule.AUTHENTICATED, "The start page"),
    Action("cables.list", Rule.AUTHENTICATED, "List cables (filtered to what the user may read)"),
    Action("cables.search", Rule.AUTHENTICATED, "Search cables (results and facets filtered)"),
    Action("cables.facets", Rule.AUTHENTICATED, "Facet counts over readable cables"),
    Action("cables.read", Rule.READ, "Read one cable (paragraphs redacted)"),
    Action("cables.ingest", Rule.WRITE, "Ingest or update cables", record_kind="cable"),
    Action(
        "cables.reread",
        Rule.WRITE,
        "Read stored cables again with the current reader (references, tags, header)",
        record_kind="cable",
    ),
    Action(
        "cables.release",
        Rule.RELEASE,
        "Release a cable or paragraphs to the partner (a proposal when two people must agree)",
    ),
    Action(
        "cases.release", Rule.RELEASE, "Release a case to the partner (proposed, then approved)"
    ),
    Action("releases.list", Rule.HOME, "See releases waiting for a second person, and by whom"),
    Action("releases.propose", Rule.RELEASE, "Propose a release to the partner"),
    Action("releases.approve", Rule.RELEASE, "Approve and apply another user's proposed release"),
    Action("releases.reject", Rule.RELEASE, "Reject (or withdraw) a proposed release, saying why"),
    Action("screening.screen", Rule.HOME, "Screen names against the restricted-party lists"),
    Action("screening.lists.load", Rule.HOME, "Load a new version of a restricted-party list"),
    Action("screening.decide", Rule.HOME, "Record a true/false match decision on a hit"),
    Action(
        "screening.subject",
        Rule.HOME,
        "Add a firm or person to the subjects screened again whenever a list changes",
    ),
    Action(
        "partner.respond",
        Rule.WRITE,
        "Record the partner's response on a shared record",
        record_kind="partner_response",
    ),
    Action("cases.list", Rule.AUTHENTICATED, "List cases (filtered to what the user may read)"),
    Action("cases.read", Rule.READ, "Read one case"),
    Action("cases.write", Rule.WRITE, "Open, change or link a case", record_kind="case"),
    Action("handovers.list", Rule.AUTHENTICATED, "List handover lists (filtered)"),
    Action("handovers.read", Rule.READ, "Read a handover list or compare two"),
    Action("handovers.create", Rule.RELEASE, "Draw up a handover list for the partner"),
    Action("handovers.export", Rule.READ, "Export a handover list as the user may see it"),
    Action("reviews.list", Rule.AUTHENTICATED, "List review sessions (filtered)"),
    Action("reviews.read", Rule.READ, "Read a review session, agenda or minutes"),
    Action(
        "reviews.write",
        Rule.WRITE,
        "Plan a review, edit its agenda, record outcomes",
        record_kind="review",
    ),
    Action("metrics.read", Rule.AUTHENTICATED, "Desk figures over the cases the user may see"),
    Action("desk.firms.list", Rule.AUTHENTICATED, "List firms (filtered)"),
    Action("desk.firms.read", Rule.READ, "Read one firm"),
    Action("desk.events.list", Rule.AUTHENTICATED, "List events (filtered)"),
    Action("desk.commitments.list", Rule.AUTHENTICATED, "List commitments (filtered)"),
    Action(
        "desk.commitments.close",
        Rule.AUTHENTICATED,
        "Close a commitment (the service checks the record)",
    ),
    Action(
        "desk.write",
        Rule.WRITE,
        "Add a firm, dialogue, partner notice, assessment, event, letter or commitment",
        record_kind="desk",
    ),
    Action("desk.proposals.list", Rule.READ, "Proposals drawn from a readable cable"),
    Action("desk.proposals.decide", Rule.WRITE, "Accept or reject a proposal", record_kind="desk"),
    Action("users.list", Rule.ADMIN, "List user accounts"),
    Action("users.add", Rule.ADMIN, "Create a user account"),
    Action("users.disable", Rule.ADMIN, "Disable a user account"),
    Action("users.reset_password", Rule.ADMIN, "Set a new password for a user"),
    Action("audit.verify", Rule.ADMIN, "Verify the audit chain"),
    Action("audit.export", Rule.ADMIN, "Export the audit log"),
)

REGISTRY: dict[str, Action] = {action.name: action for action in ACTIONS}


def action(name: str) -> Action | None:
    """The registered action called `name`, or None."""
    return REGISTRY.get(name)


def permits(user: User | None, name: str, marking: Marking | None = None) -> bool:
    """Whether `user` (None: not logged in) may perform action `name`, on an item marked
    `marking` when given. Unknown actions are refused."""
    registered = REGISTRY.get(name)
    if registered is None:
        return False
    if registered.rule is Rule.PUBLIC:
        return True
    if user is None:
        return False
    match registered.rule:
        case Rule.AUTHENTICATED:
            return True
        case Rule.READ:
            return marking is None or may_read(user, marking)
        case Rule.WRITE:
            kind = registered.record_kind or ""
            if marking is None:
                return may_write_kind(user, kind)
            return may_write(user, kind, marking)
        case Rule.RELEASE:
            if user.party is not Party.HOME or user.role not in RELEASING_ROLES:
                return False
            if marking is None:
                return True
            partner = partner_country()
            return may_release(user, marking, agreed_level(partner)).allowed
        case Rule.HOME:
            return user.party is Party.HOME
        case Rule.ADMIN:
            return user.party is Party.HOME and user.role is Role.ADMIN
    return False
