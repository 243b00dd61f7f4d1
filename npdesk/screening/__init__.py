"""Restricted-party screening, pure: list models and loaders, name normalization across
scripts, candidate generation, scoring with explanations, a persistable index and list diffs.

Knows nothing of storage or the web; `npdesk.services.screening` adds records and decisions."""

from npdesk.screening.diff import ListDiff, diff_entries
from npdesk.screening.index import ScreeningIndex, build_index, load_index
from npdesk.screening.loaders import detect_format, load_list
from npdesk.screening.matcher import Hit, Query, QueryError, Screener
from npdesk.screening.model import EntryType, ListEntry, LoadedList
from npdesk.screening.scoring import DEFAULT_THRESHOLDS, Band, Thresholds

__all__ = [
    "DEFAULT_THRESHOLDS",
    "Band",
    "EntryType",
    "Hit",
    "ListDiff",
    "ListEntry",
    "LoadedList",
    "Query",
    "QueryError",
    "Screener",
    "ScreeningIndex",
    "Thresholds",
    "build_index",
    "detect_format",
    "diff_entries",
    "load_index",
    "load_list",
]
