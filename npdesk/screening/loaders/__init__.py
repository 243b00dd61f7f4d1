"""Loaders for the sanctions-list formats npdesk reads, with format detection.

`load_list(path)` is the one entry point: it sniffs the format unless told, and returns a
`LoadedList` whose `problems` name every skipped row by file and line."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from npdesk.screening.loaders.bis_dpl import load_bis_dpl
from npdesk.screening.loaders.ofac_sdn import load_ofac_sdn
from npdesk.screening.loaders.un_xml import load_un_xml
from npdesk.screening.loaders.us_csl import load_us_csl
from npdesk.screening.model import LoadedList

LOADERS: dict[str, Callable[[Path, str], LoadedList]] = {
    "ofac-sdn": load_ofac_sdn,
    "us-csl": load_us_csl,
    "bis-dpl": load_bis_dpl,
    "un-xml": load_un_xml,
}
DEFAULT_NAMES = {
    "ofac-sdn": "ofac-sdn",
    "us-csl": "us-csl",
    "bis-dpl": "bis-dpl",
    "un-xml": "un-consolidated",
}


class UnknownFormatError(ValueError):
    """The file matches none of the known list formats."""


def detect_format(path: Path) -> str:
    """The format name of `path` (a key of LOADERS), from its first bytes, not its name.
    A folder holding sdn.csv is OFAC SDN. Raises UnknownFormatError or FileNotFoundError."""
    if path.is_dir():
        if (path / "sdn.csv").exists():
            return "ofac-sdn"
        raise UnknownFormatError(f"{path}: a folder without sdn.csv")
    with path.open("rb") as handle:
        head = handle.read(4096).decode("utf-8", errors="replace").lstrip("\ufeff")
    first_line = head.splitlines()[0] if head else ""
    if head.lstrip().startswith("<") and "CONSOLIDATED_LIST" in head:
        return "un-xml"
    if first_line.startswith("source,entity_number,type,programs,name"):
        return "us-csl"
    if first_line.startswith('"Name"\t"Street_Address"'):
        return "bis-dpl"
    first_field = first_line.split(",", 1)[0]
    if first_field.isdigit() and first_line.count(",") >= 11 and "-0-" in first_line:
        return "ofac-sdn"
    raise UnknownFormatError(f"{path}: not an OFAC SDN, CSL, DPL or UN consolidated list file")


def load_list(path: Path, format: str | None = None, name: str | None = None) -> LoadedList:
    """Load a list file in `format` (detected when None) under list `name` (the format's
    default when None). Raises UnknownFormatError, FileNotFoundError or ValueError for a file
    that cannot be read at all; bad rows are reported in `problems` and skipped."""
    fmt = format or detect_format(path)
    if fmt not in LOADERS:
        raise UnknownFormatError(f"unknown format {fmt!r}; known: {', '.join(LOADERS)}")
    return LOADERS[fmt](path, name or DEFAULT_NAMES[fmt])


__all__ = ["LOADERS", "UnknownFormatError", "detect_format", "load_list"]
