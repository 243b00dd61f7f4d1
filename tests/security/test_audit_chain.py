"""The pure audit chain: edits, deletions, reorders and a cut tail are all caught, a chain
re-hashed without the key shows, and signed checkpoints show a log cut, emptied or rewritten."""

from __future__ import annotations

import dataclasses
import hashlib
import json
from datetime import UTC, datetime, timedelta

import pytest

from npdesk.security.audit import (
    GENESIS_HASH,
    AuditEntry,
    AuditKey,
    BadCheckpoint,
    ChainHead,
    against_checkpoint,
    head_mac,
    parse_checkpoint,
    seal,
    sign_checkpoint,
    verify_chain,
)

KEY = AuditKey(bytes(range(32)))

START = datetime(2026, 11, 29, 9, 0, tzinfo=UTC)


def chain(length: int) -> list[AuditEntry]:
    entries: list[AuditEntry] = []
    prev = GENESIS_HASH
    for seq in range(1, length + 1):
        entry = seal(
            AuditEntry(
                seq=seq,
                at=START + timedelta(seconds=seq),
                actor="officer",
                party="home",
                action="cables.read",
                outcome="allowed",
                source="cli",
                record_kind="cable",
                record_id=f"08BEIJING{seq}",
                detail={"n": seq},
                prev_hash=prev,
            ),
            KEY,
        )
        entries.append(entry)
        prev = entry.hash
    return entries


def head(entries: list[AuditEntry]) -> ChainHead:
    return ChainHead(entries[-1].seq, head_mac(entries[-1].seq, entries[-1].hash, KEY))


def test_a_clean_chain_verifies() -> None:
    entries = chain(5)
    assert verify_chain(entries, KEY, head(entries)) is None
    assert verify_chain([], KEY) is None


def test_an_edited_entry_is_named() -> None:
    entries = chain(5)
    expected_head = head(entries)
    entries[2] = dataclasses.replace(entries[2], actor="someone else")
    bad = verify_chain(entries, KEY, expected_head)
    assert bad is not None and bad.seq == 3 and "edited" in bad.reason


def test_naive_timestamps_are_read_as_utc() -> None:
    entries = chain(2)
    naive = [dataclasses.replace(e, at=e.at.replace(tzinfo=None)) for e in entries]
    assert verify_chain(naive, KEY, head(entries)) is None


def test_a_deleted_entry_is_caught_at_its_successor() -> None:
    entries = chain(5)
    expected_head = head(entries)
    del entries[1]
    bad = verify_chain(entries, KEY, expected_head)
    assert bad is not None and bad.seq == 3


def test_a_resequenced_deletion_is_caught_by_the_hash() -> None:
    entries = chain(5)
    expected_head = head(entries)
    del entries[1]
    # Renumber the rest to hide the gap: each renumbered entry no longer matches its hash.
    entries = [dataclasses.replace(e, seq=i + 1) for i, e in enumerate(entries)]
    bad = verify_chain(entries, KEY, expected_head)
    assert bad is not None and bad.seq == 2


def test_swapped_entries_are_caught() -> None:
    entries = chain(5)
    expected_head = head(entries)
    entries[1], entries[2] = entries[2], entries[1]
    bad = verify_chain(entries, KEY, expected_head)
    assert bad is not None and bad.seq == 3


def test_a_cut_tail_is_caught_with_the_head() -> None:
    entries = chain(5)
    expected_head = head(entries)
    bad = verify_chain(entries[:3], KEY, expected_head)
    assert bad is not None and bad.seq == 4


# --- the key: what someone who can write the database but not read the key file cannot do --


def plain_sha256(entry: AuditEntry) -> str:
    # The unkeyed hash the chain used to carry: anyone with the database could recompute it.
    content = json.dumps(entry.content(), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(content.encode()).hexdigest()


def test_an_edit_rehashed_without_the_key_is_caught() -> None:
    entries = chain(3)
    edited = dataclasses.replace(entries[1], actor="someone else")
    entries[1] = dataclasses.replace(edited, hash=plain_sha256(edited))
    bad = verify_chain(entries, KEY)
    assert bad is not None and bad.seq == 2 and "re-hashed" in bad.reason


def test_a_chain_sealed_with_another_key_is_caught_at_its_first_entry() -> None:
    other = AuditKey(b"\xff" * 32)
    entries = chain(3)
    resealed: list[AuditEntry] = []
    prev = GENESIS_HASH
    for entry in entries:
        sealed = seal(dataclasses.replace(entry, prev_hash=prev), other)
        resealed.append(sealed)
        prev = sealed.hash
    bad = verify_chain(resealed, KEY)
    assert bad is not None and bad.seq == 1


def test_a_cut_tail_with_the_head_moved_back_is_caught_without_the_key() -> None:
    entries = chain(5)
    # What an attacker without the key can write: the remaining last entry's own hash.
    moved = ChainHead(3, entries[2].hash)
    bad = verify_chain(entries[:3], KEY, moved)
    assert bad is not None and bad.seq == 3 and "tail was cut" in bad.reason


def test_a_log_whose_head_row_is_gone_is_named() -> None:
    bad = verify_chain(chain(2), KEY, None)
    assert bad is not None and "head" in bad.reason


def test_the_key_id_does_not_reveal_the_key() -> None:
    assert KEY.key_id == hashlib.sha256(bytes(range(32))).hexdigest()[:16]
    assert KEY.secret.hex() not in repr(KEY.key_id)


# --- checkpoints -----------------------------------------------------------------------------


def test_a_checkpoint_round_trips_and_its_fields_are_signed() -> None:
    taken = sign_checkpoint(5, "ab" * 32, START, KEY)
    as_json = json.loads(json.dumps(taken.to_json()))
    assert as_json["seq"] == 5 and as_json["at"] == "2026-11-29T09:00:00+00:00"
    assert parse_checkpoint(as_json, KEY) == taken
    for field_name, forged in (("seq", 4), ("head", "cd" * 32), ("at", "2026-11-30T09:00:00")):
        with pytest.raises(BadCheckpoint, match="signature"):
            parse_checkpoint({**as_json, field_name: forged}, KEY)
    with pytest.raises(BadCheckpoint, match="key"):
        parse_checkpoint(as_json, AuditKey(b"\x01" * 32))
    with pytest.raises(BadCheckpoint, match="not an npdesk audit checkpoint"):
        parse_checkpoint({"seq": 5}, KEY)


def test_a_checkpoint_shows_a_cut_an_emptied_and_a_rewritten_log() -> None:
    taken = sign_checkpoint(5, "ab" * 32, START, KEY)
    assert against_checkpoint(taken, 5, "ab" * 32) is None
    assert against_checkpoint(taken, 9, "ab" * 32) is None  # the log grew since: fine
    cut = against_checkpoint(taken, 3, None)
    assert cut is not None and cut.seq == 4 and "tail was removed" in cut.reason
    emptied = against_checkpoint(taken, 0, None)
    assert emptied is not None and "empty" in emptied.reason
    rewritten = against_checkpoint(taken, 5, "cd" * 32)
    assert rewritten is not None and rewritten.seq == 5 and "rewritten" in rewritten.reason
