"""The desk's use cases in one namespace: firms (`services.firms`), events and letters
(`services.events`), commitments (`services.commitments`) and what they share
(`services.desk_access`).

Every function takes the engine and the acting user and goes through the shared access policy
(`npdesk.security.policy`): a liaison (partner party) sees only records shared with their
government (the shared flag or REL TO their country, never NOFORN, at or below the agreed
level) and may only mark partner commitments done, with a note. A record the user may not see
answers exactly like a record that does not exist. The clock (`today`) is always injectable.
"""

from __future__ import annotations

from npdesk.services.commitments import (
    CommitmentInput,
    CommitmentView,
    add_commitment_in,
    close_commitment,
    commitment_view,
    create_commitment,
    list_commitments,
)
from npdesk.services.desk_access import (
    DESK_KIND,
    PARTNER_COMMITMENT_KIND,
    DeskNotFound,
    InvalidDeskData,
    NotPermitted,
    firm_by_key,
    marking_of,
    may_see,
    set_marking,
    share_record,
    visible_firm,
)
from npdesk.services.events import (
    EventInput,
    add_event_in,
    add_letter_in,
    create_event,
    create_letter,
    list_events,
    list_letters,
)
from npdesk.services.firms import (
    DialogueInput,
    DialogueView,
    FirmInput,
    FirmProfile,
    FirmView,
    ScoreView,
    add_assessment,
    add_dialogue,
    add_dialogue_to,
    create_firm,
    ensure_firm,
    get_firm,
    list_firms,
    record_partner_notice,
    registry_gazetteer,
)

__all__ = [
    "DESK_KIND",
    "PARTNER_COMMITMENT_KIND",
    "CommitmentInput",
    "CommitmentView",
    "DeskNotFound",
    "DialogueInput",
    "DialogueView",
    "EventInput",
    "FirmInput",
    "FirmProfile",
    "FirmView",
    "InvalidDeskData",
    "NotPermitted",
    "ScoreView",
    "add_assessment",
    "add_commitment_in",
    "add_dialogue",
    "add_dialogue_to",
    "add_event_in",
    "add_letter_in",
    "close_commitment",
    "commitment_view",
    "create_commitment",
    "create_event",
    "create_firm",
    "create_letter",
    "ensure_firm",
    "firm_by_key",
    "get_firm",
    "list_commitments",
    "list_events",
    "list_firms",
    "list_letters",
    "marking_of",
    "may_see",
    "record_partner_notice",
    "registry_gazetteer",
    "set_marking",
    "share_record",
    "visible_firm",
]
