"""The US Consolidated Screening List CSV as trade.gov exports it (one row per party, lists of
values inside a cell separated by `; `)."""

from __future__ import annotations

import csv
import hashlib
import re
from pathlib import Path

from npdesk.screening.model import (
    Address,
    Alias,
    EntryType,
    Identifier,
    ListEntry,
    LoadedList,
    LoadProblem,
    count_by_type,
)

HEADER = ("source", "entity_number", "type", "programs", "name")
_TYPES = {
    "": EntryType.ENTITY,
    "entity": EntryType.ENTITY,
    "individual": EntryType.INDIVIDUAL,
    "vessel": EntryType.VESSEL,
    "aircraft": EntryType.AIRCRAFT,
}
_SOURCE_CODE = re.compile(r"\(([A-Z]+)\)")


def _split(cell: str) -> list[str]:
    return [part.strip() for part in cell.split(";") if part.strip()]


def csl_source_id(source: str, entity_number: str, *identity: str) -> str:
    """A stable id: the source's code and its entity number, or (for lists such as the Entity
    List that publish none) a short hash of the row's `identity` fields (name, addresses,
    start date), so diffs between versions line up."""
    code_match = _SOURCE_CODE.search(source)
    code = code_match.group(1) if code_match else source[:12]
    text = "|".join(part.strip().casefold() for part in identity)
    return f"{code}:{entity_number or hashlib.sha1(text.encode()).hexdigest()[:12]}"


def load_us_csl(path: Path, name: str = "us-csl") -> LoadedList:
    """Load a CSL CSV. Rows with a wrong field count, no name or an unknown type are reported
    and skipped. Raises ValueError when the header is not the CSL header."""
    problems: list[LoadProblem] = []
    entries: list[ListEntry] = []
    seen: dict[str, int] = {}
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader, [])
        if tuple(header[:5]) != HEADER:
            raise ValueError(f"{path.name}: not a Consolidated Screening List CSV header")
        column = {title: index for index, title in enumerate(header)}
        line = reader.line_num + 1
        for row in reader:
            start, line = line, reader.line_num + 1
            if len(row) != len(header):
                problems.append(
                    LoadProblem(
                        path.name, start, f"expected {len(header)} fields, found {len(row)}"
                    )
                )
                continue
            cell = {title: row[index].strip() for title, index in column.items()}
            kind = cell["type"].lower()
            if not cell["name"] or kind not in _TYPES:
                problems.append(LoadProblem(path.name, start, "empty name or unknown type"))
                continue
            addresses = [
                Address(a, a.rsplit(",", 1)[-1].strip() if "," in a else a)
                for a in _split(cell["addresses"])
            ]
            ids = []
            for text in _split(cell["ids"]):
                parts = [p.strip() for p in text.split(",")]
                if len(parts) >= 3:
                    ids.append(Identifier(parts[2], parts[1], parts[0] or None))
            source_id = csl_source_id(
                cell["source"],
                cell["entity_number"],
                cell["name"],
                cell["addresses"],
                cell["start_date"],
            )
            # Identical rows occur (one party listed twice): number the repeats.
            seen[source_id] = seen.get(source_id, 0) + 1
            if seen[source_id] > 1:
                source_id = f"{source_id}#{seen[source_id]}"
            countries = [a.country for a in addresses if a.country]
            countries += _split(cell["citizenships"]) + _split(cell["nationalities"])
            entries.append(
                ListEntry(
                    list_name=name,
                    source_id=source_id,
                    type=_TYPES[kind],
                    name=cell["name"],
                    aliases=tuple(Alias(a) for a in _split(cell["alt_names"])),
                    programs=tuple([cell["source"], *_split(cell["programs"])]),
                    addresses=tuple(addresses),
                    countries=tuple(dict.fromkeys(countries)),
                    dates_of_birth=tuple(_split(cell["dates_of_birth"])),
                    identifiers=tuple(ids),
                    remarks=cell["remarks"],
                )
            )
    loaded = tuple(entries)
    return LoadedList(name, "us-csl", path, loaded, tuple(problems), count_by_type(loaded))
