"""The audit chain: canonical serialization of entries, keyed (HMAC-SHA256) chaining, and
signed checkpoints.

Each entry's hash is an HMAC, under a key kept outside the database, of its own fields and the
previous entry's hash. An edited entry no longer matches its hash, a deleted or reordered one
breaks the link to its neighbour, and whoever can write the database but not read the key file
cannot re-hash the entries after an edit (a plain hash anyone could recompute). The recorded
head is keyed too, so cutting the tail and moving the head back needs the key as well.

What the database alone cannot show is a log emptied together with its head, or one rewritten
by someone holding the key: checkpoints (sequence, head, time, signed) kept elsewhere show
both. Storage lives in `npdesk.store` and the key file in `npdesk.services.audit`; this
module only computes and checks.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

GENESIS_HASH = "0" * 64
CHECKPOINT_FORMAT = "npdesk-audit-checkpoint/1"
KEY_BYTES = 32

# Domain separation: an entry MAC, a head MAC and a checkpoint signature are never
# interchangeable even when their inputs happen to coincide.
_ENTRY = b"npdesk.audit.entry\x00"
_HEAD = b"npdesk.audit.head\x00"
_CHECKPOINT = b"npdesk.audit.checkpoint\x00"


@dataclass(frozen=True)
class AuditKey:
    """The secret the chain is keyed with. `key_id` names it in checkpoints without revealing
    it (the first 16 hex digits of its sha256)."""

    secret: bytes

    def __post_init__(self) -> None:
        if len(self.secret) < KEY_BYTES:
            raise ValueError(f"an audit key has at least {KEY_BYTES} bytes")

    @property
    def key_id(self) -> str:
        return hashlib.sha256(self.secret).hexdigest()[:16]

    def mac(self, domain: bytes, message: bytes) -> str:
        return hmac.new(self.secret, domain + message, hashlib.sha256).hexdigest()


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


def _canonical(value: Mapping[str, Any]) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode(
        "utf-8"
    )


def canonical_bytes(entry: AuditEntry) -> bytes:
    """The bytes the hash covers: sorted-key compact JSON of `entry.content()`."""
    return _canonical(entry.content())


def entry_hash(entry: AuditEntry, key: AuditKey) -> str:
    """The hex HMAC-SHA256 under `key` of the entry's canonical bytes."""
    return key.mac(_ENTRY, canonical_bytes(entry))


def seal(entry: AuditEntry, key: AuditKey) -> AuditEntry:
    """`entry` with its `hash` filled in."""
    return AuditEntry(**{**entry.__dict__, "hash": entry_hash(entry, key)})


def head_mac(seq: int, last_hash: str, key: AuditKey) -> str:
    """What the head row stores for a log ending at entry `seq` whose hash is `last_hash`."""
    return key.mac(_HEAD, f"{seq}:{last_hash}".encode("ascii"))


@dataclass(frozen=True)
class ChainBreak:
    """The first entry where the chain does not hold: its `seq` and what is wrong."""

    seq: int
    reason: str

    def __str__(self) -> str:
        return f"audit entry {self.seq}: {self.reason}"


@dataclass(frozen=True)
class ChainHead:
    """The head row as stored: the last seq and the keyed `head_mac` of where the log ends."""

    seq: int
    mac: str


def verify_chain(
    entries: Iterable[AuditEntry], key: AuditKey, head: ChainHead | None = None
) -> ChainBreak | None:
    """The first bad entry of `entries` (read in seq order), or None when the chain holds.

    Detects an edited entry (its hash no longer matches, or it was re-hashed without the key),
    a deleted entry (a gap in seq, or the next entry's prev_hash no longer matches), reordered
    entries, and, given the stored `head`, entries removed from the end (the head says more
    entries, or was moved back without the key). A log without a head holds no entries.
    """
    expected_seq = 1
    prev_hash = GENESIS_HASH
    for entry in entries:
        if entry.seq != expected_seq:
            return ChainBreak(
                entry.seq, f"expected entry {expected_seq} here: an entry is missing or moved"
            )
        if not hmac.compare_digest(entry_hash(entry, key), entry.hash):
            return ChainBreak(
                entry.seq,
                "its content does not match its keyed hash: it was edited or re-hashed "
                "(or the log was sealed with another audit key)",
            )
        if entry.prev_hash != prev_hash:
            return ChainBreak(
                entry.seq, "it does not follow the entry before it: entries were removed or moved"
            )
        prev_hash = entry.hash
        expected_seq += 1
    last_seq = expected_seq - 1
    if head is None:
        if last_seq > 0:
            return ChainBreak(last_seq, "the recorded head of the log is missing")
        return None
    if head.seq > last_seq:
        return ChainBreak(last_seq + 1, f"entries {last_seq + 1}..{head.seq} are missing")
    if head.seq < last_seq:
        return ChainBreak(head.seq + 1, "the log goes on past its recorded head")
    if last_seq > 0 and not hmac.compare_digest(head_mac(last_seq, prev_hash, key), head.mac):
        return ChainBreak(
            last_seq, "the recorded head was not written with the audit key: the tail was cut"
        )
    return None


@dataclass(frozen=True)
class Checkpoint:
    """A signed statement that the log held `seq` entries ending in `head` at `at`. Kept
    outside the database, it lets `verify` show a log cut, emptied or rewritten since."""

    seq: int
    head: str
    at: datetime
    key_id: str
    signature: str = ""

    def content(self) -> dict[str, Any]:
        return {
            "format": CHECKPOINT_FORMAT,
            "seq": self.seq,
            "head": self.head,
            "at": _utc(self.at).isoformat(timespec="seconds"),
            "key_id": self.key_id,
        }

    def to_json(self) -> dict[str, Any]:
        return {**self.content(), "signature": self.signature}


def sign_checkpoint(seq: int, head: str, at: datetime, key: AuditKey) -> Checkpoint:
    """A checkpoint of a log ending at entry `seq` with hash `head`, signed with `key`."""
    unsigned = Checkpoint(seq, head, _utc(at).replace(microsecond=0), key.key_id)
    return Checkpoint(**{**unsigned.__dict__, "signature": _signature(unsigned, key)})


def _signature(checkpoint: Checkpoint, key: AuditKey) -> str:
    return key.mac(_CHECKPOINT, _canonical(checkpoint.content()))


class BadCheckpoint(ValueError):
    """A checkpoint that cannot be read or whose signature does not hold; one clear line."""


def parse_checkpoint(value: Any, key: AuditKey) -> Checkpoint:
    """The checkpoint in `value` (a decoded JSON object), its signature checked under `key`."""
    if not isinstance(value, dict) or value.get("format") != CHECKPOINT_FORMAT:
        raise BadCheckpoint(f"not an npdesk audit checkpoint (format {CHECKPOINT_FORMAT})")
    try:
        checkpoint = Checkpoint(
            seq=int(value["seq"]),
            head=str(value["head"]),
            at=datetime.fromisoformat(str(value["at"])),
            key_id=str(value["key_id"]),
            signature=str(value["signature"]),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise BadCheckpoint(f"a checkpoint field is missing or malformed ({exc})") from None
    if checkpoint.key_id != key.key_id:
        raise BadCheckpoint(
            f"checkpoint signed with audit key {checkpoint.key_id}, "
            f"but this desk's key is {key.key_id}"
        )
    if not hmac.compare_digest(_signature(checkpoint, key), checkpoint.signature):
        raise BadCheckpoint(f"checkpoint of entry {checkpoint.seq}: its signature does not hold")
    return checkpoint


def against_checkpoint(
    checkpoint: Checkpoint, last_seq: int, hash_at_seq: str | None
) -> ChainBreak | None:
    """Whether a log (already verified on its own) that ends at `last_seq` and whose entry
    `checkpoint.seq` has hash `hash_at_seq` (None when absent) still contains the checkpoint."""
    if last_seq == 0 and checkpoint.seq > 0:
        return ChainBreak(
            1, f"the log is empty, but a checkpoint says it held {checkpoint.seq} entries"
        )
    if last_seq < checkpoint.seq:
        return ChainBreak(
            last_seq + 1,
            f"the log ends at entry {last_seq}, but a checkpoint says it held "
            f"{checkpoint.seq}: the tail was removed",
        )
    if checkpoint.seq > 0 and (
        hash_at_seq is None or not hmac.compare_digest(hash_at_seq, checkpoint.head)
    ):
        return ChainBreak(
            checkpoint.seq,
            "it differs from the checkpoint taken at "
            f"{checkpoint.content()['at']}: the log was rewritten",
        )
    return None
