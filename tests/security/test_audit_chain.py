"""The pure audit chain: edits, deletions, reorders and a cut tail are all caught."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

from npdesk.security.audit import (
    GENESIS_HASH,
    AuditEntry,
    ChainHead,
    seal,
    verify_chain,
)

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
            )
        )
        entries.append(entry)
        prev = entry.hash
    return entries


def head(entries: list[AuditEntry]) -> ChainHead:
    return ChainHead(entries[-1].seq, entries[-1].hash)


def test_a_clean_chain_verifies() -> None:
    entries = chain(5)
    assert verify_chain(entries, head(entries)) is None
    assert verify_chain([]) is None


def test_an_edited_entry_is_named() -> None:
    entries = chain(5)
    expected_head = head(entries)
    entries[2] = dataclasses.replace(entries[2], actor="someone else")
    bad = verify_chain(entries, expected_head)
    assert bad is not None and bad.seq == 3 and "edited" in bad.reason


def test_naive_timestamps_are_read_as_utc() -> None:
    entries = chain(2)
    naive = [dataclasses.replace(e, at=e.at.replace(tzinfo=None)) for e in entries]
    assert verify_chain(naive, head(entries)) is None


def test_a_deleted_entry_is_caught_at_its_successor() -> None:
    entries = chain(5)
    expected_head = head(entries)
    del entries[1]
    bad = verify_chain(entries, expected_head)
    assert bad is not None and bad.seq == 3


def test_a_resequenced_deletion_is_caught_by_the_hash() -> None:
    entries = chain(5)
    expected_head = head(entries)
    del entries[1]
    # Renumber the rest to hide the gap: each renumbered entry no longer matches its hash.
    entries = [dataclasses.replace(e, seq=i + 1) for i, e in enumerate(entries)]
    bad = verify_chain(entries, expected_head)
    assert bad is not None and bad.seq == 2


def test_swapped_entries_are_caught() -> None:
    entries = chain(5)
    expected_head = head(entries)
    entries[1], entries[2] = entries[2], entries[1]
    bad = verify_chain(entries, expected_head)
    assert bad is not None and bad.seq == 3


def test_a_cut_tail_is_caught_with_the_head() -> None:
    entries = chain(5)
    expected_head = head(entries)
    bad = verify_chain(entries[:3], expected_head)
    assert bad is not None and bad.seq == 4
