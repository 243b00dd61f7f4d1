"""OFAC's legacy SDN CSV: `sdn.csv` plus the sibling files `alt.csv` (aliases), `add.csv`
(addresses) and `sdn_comments.csv` (remarks beyond sdn.csv's 1,000-character cut).

Every field uses `-0-` for empty; the files end with a DOS end-of-file byte (0x1A)."""

from __future__ import annotations

import csv
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

from npdesk.screening.loaders.ofac_remarks import parse_remarks
from npdesk.screening.model import (
    Address,
    Alias,
    AliasStrength,
    EntryType,
    ListEntry,
    LoadedList,
    LoadProblem,
    count_by_type,
)

EMPTY = "-0-"
_TYPES = {
    "": EntryType.ENTITY,
    "individual": EntryType.INDIVIDUAL,
    "vessel": EntryType.VESSEL,
    "aircraft": EntryType.AIRCRAFT,
}
_ALIAS_TYPES = {"aka": AliasStrength.AKA, "fka": AliasStrength.FKA, "nka": AliasStrength.AKA}


def _clean(value: str) -> str:
    value = value.strip()
    return "" if value == EMPTY else value


def _rows(path: Path, width: int, problems: list[LoadProblem]) -> Iterator[tuple[int, list[str]]]:
    """Rows of `path` with their line numbers; rows of the wrong width are reported."""
    with path.open(encoding="utf-8", errors="replace", newline="") as handle:
        reader = csv.reader(handle)
        line = 1
        for row in reader:
            start, line = line, reader.line_num + 1
            if row == ["\x1a"] or not row:
                continue
            if len(row) != width:
                problems.append(
                    LoadProblem(path.name, start, f"expected {width} fields, found {len(row)}")
                )
                continue
            yield start, row


def sdn_files(path: Path) -> Path:
    """The folder holding sdn.csv, given the folder itself or any file in it."""
    return path if path.is_dir() else path.parent


def load_ofac_sdn(path: Path, name: str = "ofac-sdn") -> LoadedList:
    """Load the SDN folder (or its sdn.csv). Missing sibling files are fine (no aliases or
    addresses then); rows with a wrong field count, a non-numeric id, an unknown type or an
    unknown parent id are reported and skipped. Raises FileNotFoundError without sdn.csv."""
    folder = sdn_files(path)
    problems: list[LoadProblem] = []
    comments: dict[str, str] = {}
    if (folder / "sdn_comments.csv").exists():
        for _line, row in _rows(folder / "sdn_comments.csv", 2, problems):
            comments[row[0].strip()] = row[1]
    base: dict[str, tuple[str, str, str, str]] = {}
    for line, row in _rows(folder / "sdn.csv", 12, problems):
        ent_num = row[0].strip()
        kind = _clean(row[2]).lower()
        if not ent_num.isdigit():
            problems.append(
                LoadProblem("sdn.csv", line, f"entry number {ent_num!r} is not a number")
            )
        elif kind not in _TYPES:
            problems.append(LoadProblem("sdn.csv", line, f"unknown type {kind!r}"))
        elif not _clean(row[1]):
            problems.append(LoadProblem("sdn.csv", line, "empty name"))
        else:
            remarks = _clean(row[11]) + comments.get(ent_num, "")
            base[ent_num] = (_clean(row[1]), kind, _clean(row[3]), remarks)
    aliases: dict[str, list[Alias]] = defaultdict(list)
    if (folder / "alt.csv").exists():
        for line, row in _rows(folder / "alt.csv", 5, problems):
            ent_num, strength = row[0].strip(), _ALIAS_TYPES.get(_clean(row[2]).lower())
            if ent_num not in base:
                problems.append(LoadProblem("alt.csv", line, f"unknown entry {ent_num!r}"))
            elif strength is None or not _clean(row[3]):
                problems.append(LoadProblem("alt.csv", line, f"bad alias type or name {row[2:4]}"))
            else:
                aliases[ent_num].append(Alias(_clean(row[3]), strength))
    addresses: dict[str, list[Address]] = defaultdict(list)
    if (folder / "add.csv").exists():
        for line, row in _rows(folder / "add.csv", 6, problems):
            ent_num = row[0].strip()
            if ent_num not in base:
                problems.append(LoadProblem("add.csv", line, f"unknown entry {ent_num!r}"))
                continue
            text = ", ".join(filter(None, (_clean(row[2]), _clean(row[3]), _clean(row[4]))))
            addresses[ent_num].append(Address(text, _clean(row[4]) or None))
    entries = []
    for ent_num, (primary, kind, programs, remarks) in base.items():
        facts = parse_remarks(remarks)
        countries = [a.country for a in addresses[ent_num] if a.country]
        countries += facts.nationalities
        entries.append(
            ListEntry(
                list_name=name,
                source_id=ent_num,
                type=_TYPES[kind],
                name=primary,
                aliases=tuple(aliases[ent_num]) + facts.weak_aliases,
                programs=tuple(p.strip(" []") for p in programs.split("] [") if p.strip(" []")),
                addresses=tuple(addresses[ent_num]),
                countries=tuple(dict.fromkeys(countries)),
                dates_of_birth=facts.dates_of_birth,
                identifiers=facts.identifiers,
                remarks=remarks,
            )
        )
    loaded = tuple(entries)
    return LoadedList(name, "ofac-sdn", folder, loaded, tuple(problems), count_by_type(loaded))
