"""What changed between two versions of a list: entries added, removed and changed, matched by
their source id."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from npdesk.screening.model import ListEntry


@dataclass(frozen=True)
class EntryChange:
    old: ListEntry
    new: ListEntry
    fields: tuple[str, ...]


@dataclass(frozen=True)
class ListDiff:
    added: tuple[ListEntry, ...]
    removed: tuple[ListEntry, ...]
    changed: tuple[EntryChange, ...]

    def to_json(self) -> dict[str, Any]:
        def brief(entry: ListEntry) -> dict[str, str]:
            return {"source_id": entry.source_id, "name": entry.name, "type": entry.type.value}

        return {
            "added": [brief(e) for e in self.added],
            "removed": [brief(e) for e in self.removed],
            "changed": [{**brief(c.new), "fields": list(c.fields)} for c in self.changed],
            "counts": {
                "added": len(self.added),
                "removed": len(self.removed),
                "changed": len(self.changed),
            },
        }


def diff_entries(old: Iterable[ListEntry], new: Iterable[ListEntry]) -> ListDiff:
    """Compare two versions of one list by `source_id`. A changed entry lists the fields that
    differ (list_name is ignored, so renamed lists still compare). Order follows `new`, then
    `old` for removals."""
    before = {e.source_id: e for e in old}
    after = {e.source_id: e for e in new}
    added = tuple(e for sid, e in after.items() if sid not in before)
    removed = tuple(e for sid, e in before.items() if sid not in after)
    changed = []
    for sid, entry in after.items():
        earlier = before.get(sid)
        if earlier is None:
            continue
        old_json, new_json = earlier.to_json(), entry.to_json()
        fields = tuple(k for k in new_json if k != "list_name" and new_json[k] != old_json[k])
        if fields:
            changed.append(EntryChange(earlier, entry, fields))
    return ListDiff(added, removed, tuple(changed))
