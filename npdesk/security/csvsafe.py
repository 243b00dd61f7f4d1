"""CSV that a spreadsheet opens as data, never as formulas.

Excel, LibreOffice and Google Sheets evaluate a cell whose text starts with `=`, `+`, `-` or `@`
(and treat a leading tab or carriage return the same way after trimming), so a cable subject,
a firm name or a batch-screening query such as `=HYPERLINK("http://…","click")` would become a
live formula in the reader's sheet. The cell keeps its text behind a leading apostrophe, which
the spreadsheet shows as plain text (OWASP's advice for CSV injection).
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from typing import Any, Protocol

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralize(value: Any) -> Any:
    """`value` safe as a CSV cell: text that a spreadsheet would read as a formula gets a
    leading apostrophe; anything else (numbers, other text) is returned unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


class _Writable(Protocol):
    def write(self, text: str, /) -> Any: ...


class SafeWriter:
    """`csv.writer` with every cell passed through `neutralize`."""

    def __init__(self, handle: _Writable, **options: Any) -> None:
        self._writer = csv.writer(handle, **options)

    def writerow(self, row: Iterable[Any]) -> Any:
        return self._writer.writerow([neutralize(cell) for cell in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


def writer(handle: _Writable, **options: Any) -> SafeWriter:
    """A CSV writer on `handle` (the options of `csv.writer`) that neutralizes formula cells."""
    return SafeWriter(handle, **options)
