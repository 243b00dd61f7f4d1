"""The one internal model every sanctions-list format is loaded into.

Plain frozen dataclasses: no storage, no web. A `ListEntry` is one listed party as its list
publishes it; a `LoadedList` is one file's worth of entries plus the rows that could not be read.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any


class EntryType(StrEnum):
    INDIVIDUAL = "individual"
    ENTITY = "entity"
    VESSEL = "vessel"
    AIRCRAFT = "aircraft"


class AliasStrength(StrEnum):
    """How much a list vouches for an alias. Weak aliases (OFAC's quoted "a.k.a. 'X'" in remarks,
    UN "Low" quality) can only ever raise a hit to the review band."""

    AKA = "aka"
    FKA = "fka"
    WEAK = "weak"


@dataclass(frozen=True)
class Alias:
    name: str
    strength: AliasStrength = AliasStrength.AKA


@dataclass(frozen=True)
class Address:
    text: str
    country: str | None = None


@dataclass(frozen=True)
class Identifier:
    kind: str
    value: str
    country: str | None = None


@dataclass(frozen=True)
class ListEntry:
    """One listed party. `source_id` is the list's own id (OFAC ent_num, UN DATAID, ...);
    `original_script_names` are names in the script the party uses (e.g. Chinese characters)."""

    list_name: str
    source_id: str
    type: EntryType
    name: str
    aliases: tuple[Alias, ...] = ()
    original_script_names: tuple[str, ...] = ()
    programs: tuple[str, ...] = ()
    addresses: tuple[Address, ...] = ()
    countries: tuple[str, ...] = ()
    dates_of_birth: tuple[str, ...] = ()
    identifiers: tuple[Identifier, ...] = ()
    remarks: str = ""

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict (enums as their values); `entry_from_json` reverses it."""
        return {
            "list_name": self.list_name,
            "source_id": self.source_id,
            "type": self.type.value,
            "name": self.name,
            "aliases": [[a.name, a.strength.value] for a in self.aliases],
            "original_script_names": list(self.original_script_names),
            "programs": list(self.programs),
            "addresses": [[a.text, a.country] for a in self.addresses],
            "countries": list(self.countries),
            "dates_of_birth": list(self.dates_of_birth),
            "identifiers": [[i.kind, i.value, i.country] for i in self.identifiers],
            "remarks": self.remarks,
        }


def entry_from_json(data: dict[str, Any]) -> ListEntry:
    """Rebuild a `ListEntry` from `ListEntry.to_json` output. Raises KeyError/ValueError on
    data that did not come from `to_json`."""
    return ListEntry(
        list_name=data["list_name"],
        source_id=data["source_id"],
        type=EntryType(data["type"]),
        name=data["name"],
        aliases=tuple(Alias(n, AliasStrength(s)) for n, s in data["aliases"]),
        original_script_names=tuple(data["original_script_names"]),
        programs=tuple(data["programs"]),
        addresses=tuple(Address(t, c) for t, c in data["addresses"]),
        countries=tuple(data["countries"]),
        dates_of_birth=tuple(data["dates_of_birth"]),
        identifiers=tuple(Identifier(k, v, c) for k, v, c in data["identifiers"]),
        remarks=data["remarks"],
    )


@dataclass(frozen=True)
class LoadProblem:
    """A row that could not be read: where it is and why it was skipped."""

    file: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"


@dataclass(frozen=True)
class LoadedList:
    """Everything read from one list file (or, for OFAC, one folder of related files)."""

    name: str
    format: str
    source: Path
    entries: tuple[ListEntry, ...]
    problems: tuple[LoadProblem, ...] = ()
    counts: dict[str, int] = field(default_factory=dict)


def count_by_type(entries: tuple[ListEntry, ...]) -> dict[str, int]:
    """Entry counts per type plus `entries` and `aliases` totals, as the CLI prints them."""
    counts: dict[str, int] = {"entries": len(entries), "aliases": 0}
    for entry in entries:
        counts[entry.type.value] = counts.get(entry.type.value, 0) + 1
        counts["aliases"] += len(entry.aliases)
    return counts
