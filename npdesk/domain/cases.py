"""Open proliferation cases: what a case holds and how its status may move.

A case is pure data. Its status moves through a guarded state machine whose table
(`TRANSITIONS`) is plain data, so tests and pages can enumerate every legal and illegal move.
Every move carries a reason; closing needs an outcome, and a merge names the case it merged
into. `apply_transition` returns a new case with the move recorded in its history.

Fields are split between what the partner government may see (`RELEASABLE_FIELDS`) and what
stays at home (`HOME_ONLY_FIELDS`); `redact` produces the partner's view.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from enum import StrEnum

from npdesk.security.model import Level, Marking


class CaseStatus(StrEnum):
    DRAFT = "draft"
    OPEN = "open"
    RAISED = "raised"
    PARTNER_INVESTIGATING = "partner_investigating"
    PARTNER_RESPONDED = "partner_responded"
    CLOSED = "closed"

    @property
    def label(self) -> str:
        """Human wording, e.g. `partner investigating`."""
        return self.value.replace("_", " ")


class CaseOutcome(StrEnum):
    RESOLVED = "resolved"
    UNSUBSTANTIATED = "unsubstantiated"
    NO_FURTHER_ACTION = "no_further_action"
    MERGED = "merged"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ")


class ControlRegime(StrEnum):
    """The multilateral control regime an item or technology falls under."""

    MTCR = "mtcr"
    NSG = "nsg"
    AUSTRALIA_GROUP = "australia_group"
    CWC = "cwc"
    WASSENAAR = "wassenaar"
    OTHER = "other"

    @property
    def label(self) -> str:
        return REGIME_LABELS[self]


REGIME_LABELS: Mapping[ControlRegime, str] = {
    ControlRegime.MTCR: "Missile Technology Control Regime (MTCR)",
    ControlRegime.NSG: "Nuclear Suppliers Group (NSG)",
    ControlRegime.AUSTRALIA_GROUP: "Australia Group",
    ControlRegime.CWC: "Chemical Weapons Convention (CWC)",
    ControlRegime.WASSENAAR: "Wassenaar Arrangement",
    ControlRegime.OTHER: "Other",
}


class Priority(StrEnum):
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"

    @property
    def rank(self) -> int:
        """Sort key: 0 for high, 2 for low."""
        return list(Priority).index(self)


class SubjectKind(StrEnum):
    FIRM = "firm"
    PERSON = "person"


#: Statuses in which a case counts as "on the list": open at home or in the partner's hands.
ACTIVE_STATUSES: frozenset[CaseStatus] = frozenset(
    {
        CaseStatus.OPEN,
        CaseStatus.RAISED,
        CaseStatus.PARTNER_INVESTIGATING,
        CaseStatus.PARTNER_RESPONDED,
    }
)

#: The state machine. A status not listed as a target of another is unreachable from it.
#: `closed -> open` is the reopening move.
TRANSITIONS: Mapping[CaseStatus, frozenset[CaseStatus]] = {
    CaseStatus.DRAFT: frozenset({CaseStatus.OPEN, CaseStatus.CLOSED}),
    CaseStatus.OPEN: frozenset({CaseStatus.RAISED, CaseStatus.CLOSED}),
    CaseStatus.RAISED: frozenset(
        {CaseStatus.PARTNER_INVESTIGATING, CaseStatus.PARTNER_RESPONDED, CaseStatus.CLOSED}
    ),
    CaseStatus.PARTNER_INVESTIGATING: frozenset({CaseStatus.PARTNER_RESPONDED, CaseStatus.CLOSED}),
    # A response may prompt follow-up questions, sending the case back to investigation.
    CaseStatus.PARTNER_RESPONDED: frozenset({CaseStatus.PARTNER_INVESTIGATING, CaseStatus.CLOSED}),
    CaseStatus.CLOSED: frozenset({CaseStatus.OPEN}),
}


class TransitionError(ValueError):
    """A requested status change was refused."""


class IllegalTransition(TransitionError):
    """The state machine does not allow moving from `current` to `requested`."""

    def __init__(self, current: CaseStatus, requested: CaseStatus) -> None:
        self.current = current
        self.requested = requested
        self.legal = legal_targets(current)
        legal_words = ", ".join(sorted(self.legal)) or "none"
        super().__init__(
            f"cannot move a case from '{current}' to '{requested}'; "
            f"legal next states from '{current}': {legal_words}"
        )


class IncompleteTransition(TransitionError):
    """The move is legal but lacks what it needs (a reason, an outcome, a merge target)."""


class OutOfOrderTransition(TransitionError):
    """The move is dated before the case's latest recorded change."""


def legal_targets(current: CaseStatus) -> frozenset[CaseStatus]:
    """The statuses a case in `current` may move to."""
    return TRANSITIONS.get(current, frozenset())


def is_legal(current: CaseStatus, requested: CaseStatus) -> bool:
    """Whether the state machine allows `current -> requested`."""
    return requested in legal_targets(current)


@dataclass(frozen=True)
class Subject:
    """A firm or person a case is about; `screening_ref` links to a screening result."""

    name: str
    kind: SubjectKind = SubjectKind.FIRM
    country: str | None = None
    screening_ref: str | None = None


@dataclass(frozen=True)
class Item:
    """An item or technology of concern and the regime that controls it."""

    description: str
    regime: ControlRegime = ControlRegime.OTHER
    category: str = ""


@dataclass(frozen=True)
class CableLink:
    """A source cable, or one numbered paragraph of it."""

    cable_id: str
    paragraph: int | None = None

    @property
    def label(self) -> str:
        return self.cable_id if self.paragraph is None else f"{self.cable_id} ¶{self.paragraph}"


@dataclass(frozen=True)
class CaseEvent:
    """One recorded change of status, with who did it, when and why."""

    at: datetime
    actor: str
    from_status: CaseStatus | None
    to_status: CaseStatus
    reason: str
    outcome: CaseOutcome | None = None
    merged_into: str | None = None


@dataclass(frozen=True)
class PartnerResponse:
    """What the partner government said about a case, as recorded by a liaison or officer."""

    received_on: date
    text: str
    recorded_by: str


@dataclass(frozen=True)
class Case:
    """A proliferation case. `history` is oldest first; `status` is its latest state.

    `allegation_summary`, `priority`, `cable_links` and the reasons in `history` are home-only;
    `releasable_summary` is the text the partner may see. `redacted` is true for the partner's
    view produced by `redact`.
    """

    reference: str
    title: str
    status: CaseStatus = CaseStatus.DRAFT
    priority: Priority = Priority.MEDIUM
    allegation_summary: str = ""
    releasable_summary: str = ""
    subjects: tuple[Subject, ...] = ()
    items: tuple[Item, ...] = ()
    origin_countries: tuple[str, ...] = ()
    destination_countries: tuple[str, ...] = ()
    cable_links: tuple[CableLink, ...] = ()
    history: tuple[CaseEvent, ...] = ()
    responses: tuple[PartnerResponse, ...] = ()
    outcome: CaseOutcome | None = None
    merged_into: str | None = None
    marking: Marking = field(default_factory=lambda: Marking(Level.U))
    fictional: bool = False
    redacted: bool = False

    @property
    def is_active(self) -> bool:
        """On the open-case list (open, raised or with the partner)."""
        return self.status in ACTIVE_STATUSES

    @property
    def regimes(self) -> tuple[ControlRegime, ...]:
        """The distinct regimes of the case's items, in first-seen order."""
        return tuple(dict.fromkeys(item.regime for item in self.items))

    @property
    def opened_at(self) -> datetime | None:
        """When the case was first opened (left draft), if it has been."""
        return next((e.at for e in self.history if e.to_status is CaseStatus.OPEN), None)

    @property
    def raised_at(self) -> datetime | None:
        """When the case was first raised with the partner, if it has been."""
        return next((e.at for e in self.history if e.to_status is CaseStatus.RAISED), None)

    @property
    def closed_at(self) -> datetime | None:
        """When the case was last closed, if it is closed now."""
        if self.status is not CaseStatus.CLOSED:
            return None
        return next(
            (e.at for e in reversed(self.history) if e.to_status is CaseStatus.CLOSED), None
        )

    def status_on(self, moment: datetime) -> CaseStatus | None:
        """The status the case had at `moment`, or None if it did not exist yet."""
        status: CaseStatus | None = None
        for event in self.history:
            if event.at > moment:
                break
            status = event.to_status
        return status

    def age_days(self, on: date) -> int:
        """Whole days from first opening to `on` (0 if never opened or opened later)."""
        opened = self.opened_at
        return max(0, (on - opened.date()).days) if opened else 0


#: Fields the partner government may see, and those that stay at home.
RELEASABLE_FIELDS: tuple[str, ...] = (
    "reference",
    "title",
    "status",
    "releasable_summary",
    "subjects",
    "items",
    "origin_countries",
    "destination_countries",
    "responses",
    "outcome",
    "merged_into",
)
HOME_ONLY_FIELDS: tuple[str, ...] = ("allegation_summary", "priority", "cable_links", "history")


def new_case(draft: Case, *, actor: str, at: datetime, reason: str = "case drafted") -> Case:
    """`draft` as a fresh draft case, its creation recorded as the first history event.

    Any status, history or outcome on `draft` is replaced. Raises `IncompleteTransition`
    when `reason` is blank.
    """
    _require_reason(reason)
    created = CaseEvent(
        at=at, actor=actor, from_status=None, to_status=CaseStatus.DRAFT, reason=reason.strip()
    )
    return replace(
        draft, status=CaseStatus.DRAFT, history=(created,), outcome=None, merged_into=None
    )


def check_transition(
    current: CaseStatus,
    requested: CaseStatus,
    reason: str,
    outcome: CaseOutcome | None = None,
    merged_into: str | None = None,
) -> None:
    """Validate a move without applying it.

    Raises `IllegalTransition` when the table forbids it, and `IncompleteTransition` when the
    reason is blank, a close lacks an outcome, a merge lacks its target, or an outcome is given
    for a move that does not close the case.
    """
    if not is_legal(current, requested):
        raise IllegalTransition(current, requested)
    _require_reason(reason)
    if requested is CaseStatus.CLOSED:
        if outcome is None:
            choices = ", ".join(CaseOutcome)
            raise IncompleteTransition(f"closing a case needs an outcome: one of {choices}")
        if outcome is CaseOutcome.MERGED and not (merged_into or "").strip():
            raise IncompleteTransition("a merged case must name the case it was merged into")
        if outcome is not CaseOutcome.MERGED and merged_into:
            raise IncompleteTransition("only a merged outcome names another case")
    elif outcome is not None or merged_into:
        raise IncompleteTransition(
            f"an outcome is only recorded when closing, not on '{requested}'"
        )


def apply_transition(
    case: Case,
    requested: CaseStatus,
    *,
    reason: str,
    actor: str,
    at: datetime,
    outcome: CaseOutcome | None = None,
    merged_into: str | None = None,
) -> Case:
    """Move `case` to `requested`, returning the new case with the event in its history.

    Reopening (`closed -> open`) clears the outcome. A case cannot be merged into itself.
    Raises `IllegalTransition` or `IncompleteTransition` (see `check_transition`), and
    `OutOfOrderTransition` when `at` is before the latest event (history stays in time order).
    """
    check_transition(case.status, requested, reason, outcome, merged_into)
    if case.history and at < case.history[-1].at:
        raise OutOfOrderTransition(
            f"a change dated {at.isoformat()} cannot precede the case's latest change "
            f"({case.history[-1].at.isoformat()})"
        )
    target = merged_into.strip() if merged_into else None
    if target == case.reference:
        raise IncompleteTransition(f"case {case.reference} cannot be merged into itself")
    event = CaseEvent(
        at=at,
        actor=actor,
        from_status=case.status,
        to_status=requested,
        reason=reason.strip(),
        outcome=outcome,
        merged_into=target,
    )
    return replace(
        case,
        status=requested,
        outcome=outcome,
        merged_into=target,
        history=(*case.history, event),
    )


def redact(case: Case) -> Case:
    """The partner's view of `case`: home-only fields emptied, history reasons and subjects'
    screening notes withheld.

    The status history keeps its dates and states (the partner knows when a case was raised)
    but loses actors and reasons, which are internal.
    """
    history = tuple(replace(event, actor="", reason="") for event in case.history)
    subjects = tuple(replace(subject, screening_ref=None) for subject in case.subjects)
    return replace(
        case,
        subjects=subjects,
        allegation_summary="",
        priority=Priority.MEDIUM,
        cable_links=(),
        history=history,
        redacted=True,
    )


def _require_reason(reason: str) -> None:
    if not reason or not reason.strip():
        raise IncompleteTransition("every status change needs a reason")
