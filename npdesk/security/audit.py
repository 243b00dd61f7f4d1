"""The audit chain: canonical serialization of entries and hash chaining.

Each entry's hash covers its own fields and the previous entry's hash, so an edited entry no
longer matches its hash, a deleted or reordered one breaks the link to its neighbour, and a
removed tail no longer matches the recorded head. Storage lives in `npdesk.store`; this module
only computes and checks.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

GENESIS_HASH = "0" * 64


class Outcome(StrEnum):
    ALLOWED = "allowed"  # a read or other access the policy let through
    DENIED = "denied"  # refused by the policy, or a failed login
    OK = "ok"  # a change that was made
    ERROR = "error"  # a change that failed for another reason


@dataclass(frozen=True)
class AuditEntry:
    """One audit log entry. `at` is UTC; `detail` is JSON-serialisable."""

    seq: int
    at: datetime
    actor: str
    party: str
    action: str
    outcome: str
    source: str
    record_kind: str | None = None
    record_id: str | None = None
    detail: Mapping[str, Any] = field(default_factory=dict)
    prev_hash: str = GENESIS_HASH
    hash: str = ""

    def content(self) -> dict[str, Any]:
        """Every field except `hash`, in JSON types (what the hash covers, and what exports)."""
        return {
            "seq": self.seq,
            "at": _utc(self.at).isoformat(timespec="microseconds"),
            "actor": self.actor,
            "party": self.party,
            "action": self.action,
            "outcome": self.outcome,
            "source": self.source,
            "record_kind": self.record_kind,
            "record_id": self.record_id,
            "detail": dict(self.detail),
            "prev_hash": self.prev_hash,
        }


def _utc(moment: datetime) -> datetime:
    # SQLite hands back naive datetimes; they were stored as UTC.
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def canonical_bytes(entry: AuditEntry) -> bytes:
    """The bytes the hash covers: sorted-key compact JSON of `entry.content()`."""
    return json.dumps(
        entry.content(), sort_keys=True, separators=(",", ":"), ensure_ascii=False
    ).encode("utf-8")


def entry_hash(entry: AuditEntry) -> str:
    """The hex sha256 of the entry's canonical bytes."""
    return hashlib.sha256(canonical_bytes(entry)).hexdigest()


def seal(entry: AuditEntry) -> AuditEntry:
    """`entry` with its `hash` filled in."""
    return AuditEntry(**{**entry.__dict__, "hash": entry_hash(entry)})


@dataclass(frozen=True)
class ChainBreak:
    """The first entry where the chain does not hold: its `seq` and what is wrong."""

    seq: int
    reason: str

    def __str__(self) -> str:
        return f"audit entry {self.seq}: {self.reason}"


@dataclass(frozen=True)
class ChainHead:
    """The last entry as recorded separately on every append, so a removed tail shows."""

    seq: int
    hash: str


def verify_chain(entries: Iterable[AuditEntry], head: ChainHead | None = None) -> ChainBreak | None:
    """The first bad entry of `entries` (read in seq order), or None when the chain holds.

    Detects an edited entry (its hash no longer matches), a deleted entry (a gap in seq, or
    the next entry's prev_hash no longer matches), reordered entries, and, given the recorded
    `head`, entries removed from the end.
    """
    expected_seq = 1
    prev_hash = GENESIS_HASH
    for entry in entries:
        if entry.seq != expected_seq:
            return ChainBreak(
                entry.seq, f"expected entry {expected_seq} here: an entry is missing or moved"
            )
        if entry_hash(entry) != entry.hash:
            return ChainBreak(entry.seq, "its content does not match its hash: it was edited")
        if entry.prev_hash != prev_hash:
            return ChainBreak(
                entry.seq, "it does not follow the entry before it: entries were removed or moved"
            )
        prev_hash = entry.hash
        expected_seq += 1
    last_seq = expected_seq - 1
    if head is not None and (head.seq != last_seq or head.hash != prev_hash):
        if head.seq > last_seq:
            return ChainBreak(last_seq + 1, f"entries {last_seq + 1}..{head.seq} are missing")
        return ChainBreak(max(last_seq, 1), "the log does not end where the recorded head says")
    return None
