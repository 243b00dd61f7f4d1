"""The BIS Denied Persons List: tab-separated, every field quoted, one row per party address.

The file has no ids and no party type; rows of one party (same name and order citation)
merge into one entry, and the type is guessed from legal-form words in the name."""

from __future__ import annotations

import csv
import hashlib
from dataclasses import replace
from pathlib import Path

from npdesk.screening.legal_forms import looks_like_organisation
from npdesk.screening.model import (
    Address,
    EntryType,
    ListEntry,
    LoadedList,
    LoadProblem,
    count_by_type,
)

HEADER = ("Name", "Street_Address", "City", "State", "Country", "Postal_Code")


def dpl_source_id(name: str, citation: str) -> str:
    """A stable id for a DPL party (the list publishes none): hash of name and FR citation."""
    digest = hashlib.sha1(f"{name.casefold()}|{citation}".encode()).hexdigest()
    return f"DPL:{digest[:12]}"


def load_bis_dpl(path: Path, name: str = "bis-dpl") -> LoadedList:
    """Load a DPL text file. Rows with a wrong field count or no name are reported and skipped.
    Raises ValueError when the header is not the DPL header."""
    problems: list[LoadProblem] = []
    merged: dict[str, ListEntry] = {}
    with path.open(encoding="utf-8", errors="replace", newline="") as handle:
        reader = csv.reader(handle, delimiter="\t")
        header = next(reader, [])
        if tuple(header[:6]) != HEADER:
            raise ValueError(f"{path.name}: not a Denied Persons List header")
        line = reader.line_num + 1
        for row in reader:
            start, line = line, reader.line_num + 1
            if not row:
                continue
            if len(row) != len(header):
                problems.append(
                    LoadProblem(
                        path.name, start, f"expected {len(header)} fields, found {len(row)}"
                    )
                )
                continue
            party = row[0].strip()
            if not party:
                problems.append(LoadProblem(path.name, start, "empty name"))
                continue
            citation = row[11].strip()
            country = row[4].strip() or None
            address = Address(", ".join(filter(None, (c.strip() for c in row[1:6]))), country)
            source_id = dpl_source_id(party, citation)
            earlier = merged.get(source_id)
            if earlier is not None:
                more = [country] if country else []
                merged[source_id] = replace(
                    earlier,
                    addresses=(*earlier.addresses, address),
                    countries=tuple(dict.fromkeys([*earlier.countries, *more])),
                )
                continue
            merged[source_id] = ListEntry(
                list_name=name,
                source_id=source_id,
                type=EntryType.ENTITY if looks_like_organisation(party) else EntryType.INDIVIDUAL,
                name=party,
                programs=("DPL",),
                addresses=(address,),
                countries=(country,) if country else (),
                remarks="; ".join(filter(None, (row[10].strip(), citation))),
            )
    loaded = tuple(merged.values())
    return LoadedList(name, "bis-dpl", path, loaded, tuple(problems), count_by_type(loaded))
