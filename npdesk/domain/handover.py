"""Handover lists: dated, numbered versions of the open-case list given to the partner.

A list snapshots each case's releasable text at the moment of handover, so later edits to a
case never rewrite what the partner was actually given. `diff` compares two versions.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, fields
from datetime import date

from npdesk.domain.cases import Case


@dataclass(frozen=True)
class HandoverEntry:
    """One case as written on a handover list: releasable fields only."""

    reference: str
    title: str
    status: str
    releasable_summary: str
    subjects: tuple[str, ...] = ()
    items: tuple[str, ...] = ()
    regimes: tuple[str, ...] = ()
    origin_countries: tuple[str, ...] = ()
    destination_countries: tuple[str, ...] = ()


#: The entry fields compared by `diff` (everything except the reference that keys them).
COMPARED_FIELDS: tuple[str, ...] = tuple(
    f.name for f in fields(HandoverEntry) if f.name != "reference"
)


@dataclass(frozen=True)
class HandoverList:
    """A numbered version of the list: when, by whom, to whom, and which cases."""

    number: int
    title: str
    handed_over_on: date
    handed_over_by: str
    handed_over_to: str
    entries: tuple[HandoverEntry, ...] = ()
    banner: str = "UNCLASSIFIED"
    fictional: bool = False

    @property
    def references(self) -> tuple[str, ...]:
        return tuple(entry.reference for entry in self.entries)


@dataclass(frozen=True)
class FieldChange:
    field: str
    old: str
    new: str


@dataclass(frozen=True)
class EntryChange:
    """A case on both lists whose releasable text differs, field by field."""

    reference: str
    title: str
    changes: tuple[FieldChange, ...]


@dataclass(frozen=True)
class HandoverDiff:
    """What changed between two versions: `removed` cases were closed or dropped."""

    old_number: int
    new_number: int
    added: tuple[HandoverEntry, ...]
    removed: tuple[HandoverEntry, ...]
    changed: tuple[EntryChange, ...]
    unchanged: tuple[str, ...]

    @property
    def is_empty(self) -> bool:
        return not (self.added or self.removed or self.changed)


def entry_from_case(case: Case) -> HandoverEntry:
    """Snapshot the releasable fields of `case` for a handover list."""
    return HandoverEntry(
        reference=case.reference,
        title=case.title,
        status=str(case.status),
        releasable_summary=case.releasable_summary,
        subjects=tuple(subject.name for subject in case.subjects),
        items=tuple(item.description for item in case.items),
        regimes=tuple(regime.label for regime in case.regimes),
        origin_countries=case.origin_countries,
        destination_countries=case.destination_countries,
    )


def select_for_handover(cases: Iterable[Case]) -> list[Case]:
    """The cases that belong on a new list: every active case, in reference order."""
    return sorted((case for case in cases if case.is_active), key=lambda c: c.reference)


def diff(old: HandoverList, new: HandoverList) -> HandoverDiff:
    """Compare two list versions: cases added, removed, and changed (with field changes).

    Entries are matched by case reference; order on the list does not count as a change.
    """
    old_by_ref = {entry.reference: entry for entry in old.entries}
    new_by_ref = {entry.reference: entry for entry in new.entries}
    added = tuple(e for ref, e in new_by_ref.items() if ref not in old_by_ref)
    removed = tuple(e for ref, e in old_by_ref.items() if ref not in new_by_ref)
    changed: list[EntryChange] = []
    unchanged: list[str] = []
    for ref, new_entry in new_by_ref.items():
        old_entry = old_by_ref.get(ref)
        if old_entry is None:
            continue
        field_changes = tuple(
            FieldChange(name, _text(getattr(old_entry, name)), _text(getattr(new_entry, name)))
            for name in COMPARED_FIELDS
            if getattr(old_entry, name) != getattr(new_entry, name)
        )
        if field_changes:
            changed.append(EntryChange(ref, new_entry.title, field_changes))
        else:
            unchanged.append(ref)
    return HandoverDiff(
        old_number=old.number,
        new_number=new.number,
        added=added,
        removed=removed,
        changed=tuple(changed),
        unchanged=tuple(unchanged),
    )


def _text(value: object) -> str:
    if isinstance(value, tuple):
        return "; ".join(str(v) for v in value)
    return str(value)
