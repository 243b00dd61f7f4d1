"""The screening index: every list name normalized once, with the lookup tables candidate
generation needs, built from loaded lists and saved to one file that loads fast.

Tables (all plain dicts and lists, so a stored index is plain data):
- `postings`: token (and the concatenation of 2-3 adjacent tokens, so "fang wei" meets
  "fangwei") -> ids of the names holding it;
- `deletes`: every single token with one letter deleted -> the space-joined tokens it comes
  from (SymSpell), to find misspelt tokens without comparing a query with the whole
  vocabulary (strings, not lists, because they load much faster);
- `acronyms`: acronym -> ids of the firm names it abbreviates;
- rarity of each token (from its postings) weighs tokens."""

from __future__ import annotations

import gc
import io
import json
import math
import pickle
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from npdesk.screening.countries import country_code
from npdesk.screening.model import (
    AliasStrength,
    EntryType,
    ListEntry,
    LoadedList,
    entry_from_json,
)
from npdesk.screening.normalize import TokenKind, acronyms, normalize_name

FORMAT_VERSION = 1
MAGIC = b"NPDESK-SCREENING-INDEX"
MAX_MERGE = 3
_YEAR = re.compile(r"\b(1[89]\d\d|20\d\d)\b")
KIND_FACTOR = {
    TokenKind.BRAND: 1.0,
    TokenKind.GENERIC: 0.3,
    TokenKind.DISTINCTIVE: 0.7,
    TokenKind.NUMBER: 0.7,
}


class IndexFileError(ValueError):
    """A file that is not a screening index of this version."""


@dataclass(slots=True)
class NameRow:
    """One searchable name: an entry's primary name, an alias or an original-script name, in
    one of its normalized forms."""

    entry: int
    text: str
    strength: AliasStrength
    tokens: tuple[str, ...]
    kinds: tuple[TokenKind, ...]


def deletes_of(token: str) -> list[str]:
    """`token` with each one of its letters deleted (SymSpell's neighbourhood)."""
    return [token[:i] + token[i + 1 :] for i in range(len(token))]


def dob_years(values: Iterable[str]) -> frozenset[int]:
    """Years named in date-of-birth strings, ranges ("1960 to 1964") expanded."""
    years: set[int] = set()
    for value in values:
        found = [int(y) for y in _YEAR.findall(value)]
        if len(found) == 2 and " to " in value and 0 < found[1] - found[0] <= 15:
            years.update(range(found[0], found[1] + 1))
        else:
            years.update(found)
    return frozenset(years)


class EntryTable:
    """The indexed entries, kept as JSON text and turned into `ListEntry` objects on first
    access: screening only ever looks at the few entries it reports, and parsing all of them
    would take a third of the cold start."""

    def __init__(self, texts: list[str], parsed: dict[int, ListEntry] | None = None) -> None:
        self.texts = texts
        self._parsed: dict[int, ListEntry] = parsed or {}

    @classmethod
    def of(cls, entries: Sequence[ListEntry]) -> EntryTable:
        texts = [json.dumps(e.to_json(), ensure_ascii=False) for e in entries]
        return cls(texts, dict(enumerate(entries)))

    def __len__(self) -> int:
        return len(self.texts)

    def __getitem__(self, position: int) -> ListEntry:
        entry = self._parsed.get(position)
        if entry is None:
            entry = entry_from_json(json.loads(self.texts[position]))
            self._parsed[position] = entry
        return entry

    def __iter__(self) -> Iterator[ListEntry]:
        return (self[i] for i in range(len(self.texts)))


_KIND_CODES = {
    TokenKind.BRAND: "b",
    TokenKind.GENERIC: "g",
    TokenKind.DISTINCTIVE: "d",
    TokenKind.NUMBER: "n",
}
_KINDS_BY_CODE = {code: kind for kind, code in _KIND_CODES.items()}
_STRENGTH_CODES = {AliasStrength.AKA: "a", AliasStrength.FKA: "f", AliasStrength.WEAK: "w"}
_STRENGTHS_BY_CODE = {code: strength for strength, code in _STRENGTH_CODES.items()}


@dataclass
class ScreeningIndex:
    """Lists ready to screen against. Build with `build_index`, persist with `save`/`load_index`.
    `versions` names the list versions inside (list name -> version label); `entry_countries`
    (ISO codes) and `entry_years` (years of birth) are per entry, for evidence."""

    entries: EntryTable
    names: list[NameRow]
    postings: dict[str, list[int]]
    deletes: dict[str, str]
    acronyms: dict[str, list[int]]
    entry_countries: list[frozenset[str]]
    entry_years: list[frozenset[int]]
    versions: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # Filled on first use of each token: computing all of them would slow the cold start.
        self._idf: dict[str, float] = {}

    def idf(self, token: str) -> float:
        """Rarity of `token` among the indexed names (unknown tokens are the rarest)."""
        value = self._idf.get(token)
        if value is None:
            holders = len(self.postings.get(token, ()))
            value = math.log(1 + len(self.names) / (1 + holders))
            self._idf[token] = value
        return value

    def weight(self, token: str, kind: TokenKind) -> float:
        """What `token` counts for in a name score: rarity times its kind's factor."""
        return self.idf(token) * KIND_FACTOR[kind]

    def save(self, path: Path) -> None:
        """Write the index to `path` (plain data only, see `load_index`)."""
        data = {
            "version": FORMAT_VERSION,
            "versions": self.versions,
            "entries": self.entries.texts,
            "countries": [sorted(c) for c in self.entry_countries],
            "years": [sorted(y) for y in self.entry_years],
            "name_entries": [n.entry for n in self.names],
            "name_texts": [n.text for n in self.names],
            "name_strengths": "".join(_STRENGTH_CODES[n.strength] for n in self.names),
            "name_tokens": [n.tokens for n in self.names],
            "name_kinds": ["".join(_KIND_CODES[k] for k in n.kinds) for n in self.names],
            "postings": self.postings,
            "deletes": self.deletes,
            "acronyms": self.acronyms,
        }
        with path.open("wb") as handle:
            handle.write(MAGIC)
            pickle.dump(data, handle, protocol=pickle.HIGHEST_PROTOCOL)


class _PlainDataUnpickler(pickle.Unpickler):
    """Refuses every class lookup: an index file holds only dicts, lists, tuples, strings and
    numbers, so a tampered file cannot make loading run code. pickle rather than JSON because
    it loads these tables several times faster, which the 2-second cold start needs."""

    def find_class(self, module: str, name: str) -> Any:
        raise IndexFileError(f"index file refers to {module}.{name}; only plain data is allowed")


def load_index(path: Path) -> ScreeningIndex:
    """Read an index written by `ScreeningIndex.save`. Raises IndexFileError for another file
    or another format version, FileNotFoundError when missing."""
    # Loading creates some 300,000 objects none of which form cycles; the cyclic garbage
    # collector would otherwise rescan the growing heap again and again (half the load time).
    return load_index_bytes(path.read_bytes(), str(path))


def load_index_bytes(raw: bytes, origin: str = "index") -> ScreeningIndex:
    """`load_index` for the file's bytes (as shipped to cluster workers); `origin` names the
    source in errors. Raises IndexFileError."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        return _load_index(raw, origin)
    finally:
        if enabled:
            gc.enable()


def _load_index(raw: bytes, path: str) -> ScreeningIndex:
    if not raw.startswith(MAGIC):
        raise IndexFileError(f"{path}: not a screening index")
    try:
        data = _PlainDataUnpickler(io.BytesIO(raw[len(MAGIC) :])).load()
    except (pickle.UnpicklingError, EOFError) as error:
        raise IndexFileError(f"{path}: damaged screening index ({error})") from error
    if not isinstance(data, dict) or data.get("version") != FORMAT_VERSION:
        raise IndexFileError(f"{path}: screening index of another format version")
    # Few distinct kind patterns exist; share one tuple per pattern.
    patterns = {code: tuple(_KINDS_BY_CODE[c] for c in code) for code in set(data["name_kinds"])}
    names = [
        NameRow(entry, text, _STRENGTHS_BY_CODE[strength], tokens, patterns[kinds])
        for entry, text, strength, tokens, kinds in zip(
            data["name_entries"],
            data["name_texts"],
            data["name_strengths"],
            data["name_tokens"],
            data["name_kinds"],
            strict=True,
        )
    ]
    return ScreeningIndex(
        entries=EntryTable(data["entries"]),
        names=names,
        postings=data["postings"],
        deletes=data["deletes"],
        acronyms=data["acronyms"],
        entry_countries=[frozenset(c) for c in data["countries"]],
        entry_years=[frozenset(y) for y in data["years"]],
        versions=data["versions"],
    )


def _names_of(entry: ListEntry) -> list[tuple[str, AliasStrength]]:
    names = [(entry.name, AliasStrength.AKA)]
    names += [(alias.name, alias.strength) for alias in entry.aliases]
    names += [(original, AliasStrength.AKA) for original in entry.original_script_names]
    seen: set[str] = set()
    unique = []
    for text, strength in names:
        if text not in seen:
            seen.add(text)
            unique.append((text, strength))
    return unique


def build_index(
    lists: Iterable[LoadedList], versions: dict[str, str] | None = None
) -> ScreeningIndex:
    """Index every entry of `lists` (primary names, aliases, original-script names; each
    normalized form of each). `versions` labels the list versions for hit provenance."""
    entries: list[ListEntry] = []
    names: list[NameRow] = []
    postings: dict[str, list[int]] = defaultdict(list)
    acronym_postings: dict[str, list[int]] = defaultdict(list)
    for loaded in lists:
        for entry in loaded.entries:
            entry_id = len(entries)
            entries.append(entry)
            for text, strength in _names_of(entry):
                for form in normalize_name(text):
                    name_id = len(names)
                    names.append(NameRow(entry_id, text, strength, form.tokens, form.kinds))
                    for key in set(_keys(form.tokens)):
                        postings[key].append(name_id)
                if entry.type is not EntryType.INDIVIDUAL:
                    for acronym in acronyms(text):
                        acronym_postings[acronym].append(len(names) - 1)
    vocabulary = {token for row in names for token in row.tokens if len(token) >= 4}
    neighbours: dict[str, list[str]] = defaultdict(list)
    for token in sorted(vocabulary):
        for deleted in set(deletes_of(token)):
            neighbours[deleted].append(token)
    deletes = {deleted: " ".join(tokens) for deleted, tokens in neighbours.items()}
    return ScreeningIndex(
        entries=EntryTable.of(entries),
        names=names,
        postings=dict(postings),
        deletes=deletes,
        acronyms=dict(acronym_postings),
        entry_countries=[
            frozenset(c for c in map(country_code, e.countries) if c) for e in entries
        ],
        entry_years=[dob_years(e.dates_of_birth) for e in entries],
        versions=dict(versions or {}),
    )


def _keys(tokens: tuple[str, ...]) -> Iterable[str]:
    """Tokens and concatenations of 2..MAX_MERGE adjacent tokens."""
    yield from tokens
    for size in range(2, MAX_MERGE + 1):
        for start in range(len(tokens) - size + 1):
            yield "".join(tokens[start : start + size])
