"""The UN Security Council consolidated list XML (INDIVIDUALS and ENTITIES).

Parsed with the standard library: CPython's expat refuses external entities and limits
entity expansion, which is what matters for a file an officer supplies."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

from npdesk.screening.model import (
    Address,
    Alias,
    AliasStrength,
    EntryType,
    Identifier,
    ListEntry,
    LoadedList,
    LoadProblem,
    count_by_type,
)

ROOT_TAG = "CONSOLIDATED_LIST"
_QUALITY = {
    "good": AliasStrength.AKA,
    "a.k.a.": AliasStrength.AKA,
    "": AliasStrength.AKA,
    "f.k.a.": AliasStrength.FKA,
    "low": AliasStrength.WEAK,
}
_NAME_PARTS = ("FIRST_NAME", "SECOND_NAME", "THIRD_NAME", "FOURTH_NAME")
_LATIN = re.compile(r"^[\x00-\u024f\s]*$")


def _text(element: ET.Element | None, tag: str) -> str:
    found = None if element is None else element.find(tag)
    return (found.text or "").strip() if found is not None and found.text else ""


def _entry(element: ET.Element, kind: EntryType, name: str) -> ListEntry:
    prefix = "INDIVIDUAL" if kind is EntryType.INDIVIDUAL else "ENTITY"
    primary = " ".join(filter(None, (_text(element, part) for part in _NAME_PARTS)))
    if not primary:
        raise ValueError("no name")
    aliases: list[Alias] = []
    originals: list[str] = []
    if original := _text(element, "NAME_ORIGINAL_SCRIPT"):
        originals.append(original)
    for alias in element.iter(f"{prefix}_ALIAS"):
        alias_name = _text(alias, "ALIAS_NAME")
        if not alias_name:
            continue
        aliases.append(
            Alias(alias_name, _QUALITY.get(_text(alias, "QUALITY").lower(), AliasStrength.AKA))
        )
        if not _LATIN.match(alias_name):
            originals.append(alias_name)
    addresses = []
    for address in element.iter(f"{prefix}_ADDRESS"):
        parts = [_text(address, tag) for tag in ("STREET", "CITY", "STATE_PROVINCE", "COUNTRY")]
        if any(parts):
            addresses.append(Address(", ".join(filter(None, parts)), parts[3] or None))
    nationalities = [(v.text or "").strip() for v in element.iterfind("NATIONALITY/VALUE")]
    dobs = []
    for dob in element.iter("INDIVIDUAL_DATE_OF_BIRTH"):
        if value := _text(dob, "DATE") or _text(dob, "YEAR"):
            dobs.append(value)
        elif _text(dob, "FROM_YEAR"):
            dobs.append(f"{_text(dob, 'FROM_YEAR')} to {_text(dob, 'TO_YEAR')}")
    ids = [
        Identifier(
            _text(doc, "TYPE_OF_DOCUMENT"),
            _text(doc, "NUMBER"),
            _text(doc, "ISSUING_COUNTRY") or None,
        )
        for doc in element.iter("INDIVIDUAL_DOCUMENT")
        if _text(doc, "NUMBER")
    ]
    countries = [a.country for a in addresses if a.country] + [n for n in nationalities if n]
    return ListEntry(
        list_name=name,
        source_id=_text(element, "DATAID"),
        type=kind,
        name=primary,
        aliases=tuple(aliases),
        original_script_names=tuple(originals),
        programs=tuple(filter(None, [_text(element, "UN_LIST_TYPE")])),
        addresses=tuple(addresses),
        countries=tuple(dict.fromkeys(countries)),
        dates_of_birth=tuple(dobs),
        identifiers=tuple(ids),
        remarks=_text(element, "COMMENTS1"),
    )


def load_un_xml(path: Path, name: str = "un-consolidated") -> LoadedList:
    """Load the UN consolidated XML. Records without a DATAID or a name are reported with
    the line of their opening tag and skipped. Raises ValueError for a file that is not this
    XML (ET.ParseError is a ValueError subclass)."""
    raw = path.read_bytes()
    root = ET.fromstring(raw)
    if root.tag != ROOT_TAG:
        raise ValueError(f"{path.name}: root element {root.tag!r} is not {ROOT_TAG}")
    # ElementTree keeps no line numbers; records appear in document order, so the n-th opening
    # tag's line is the n-th record's line.
    lines = raw.decode("utf-8", errors="replace").splitlines()
    problems: list[LoadProblem] = []
    entries: list[ListEntry] = []
    for tag, kind in (("INDIVIDUAL", EntryType.INDIVIDUAL), ("ENTITY", EntryType.ENTITY)):
        starts = [number for number, text in enumerate(lines, 1) if f"<{tag}>" in text]
        for position, element in enumerate(root.iter(tag)):
            line = starts[position] if position < len(starts) else 0
            try:
                if not _text(element, "DATAID"):
                    raise ValueError("no DATAID")
                entries.append(_entry(element, kind, name))
            except ValueError as error:
                problems.append(LoadProblem(path.name, line, f"{tag}: {error}"))
    loaded = tuple(entries)
    return LoadedList(name, "un-xml", path, loaded, tuple(problems), count_by_type(loaded))
