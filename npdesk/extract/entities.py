"""Firms, organizations and people named in cable prose.

Two recognizers:

* a gazetteer of known names (the firm registry with its aliases, Chinese-script names and
  acronyms, plus any list passed in such as the screening lists), matched tolerantly: case,
  punctuation, corporate suffixes ("Corp." = "Corporation") and word order do not matter
  (RapidFuzz `token_sort_ratio` over token windows);
* titled people ("Counselor Li Song", "Director General Cheng Jingye", "ISN PDAS Patricia
  McNerney"), with the office before the title kept as their organization.

Both are rules, not a statistical model: nothing to download, and every hit can be explained.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Literal

from anyascii import anyascii
from rapidfuzz import fuzz

EntityKind = Literal["firm", "person", "organization", "office"]
Side = Literal["home", "partner"]

_TOKEN = re.compile(r"[\u3400-\u9fff]+|[A-Za-z0-9][A-Za-z0-9&'’./-]*[A-Za-z0-9]|[A-Za-z0-9]")
_CJK = re.compile(r"[\u3400-\u9fff]")
# Spelling variants of corporate words, so "Corp." and "Corporation" compare equal.
_CANONICAL_WORDS = {
    "corp": "corporation",
    "co": "company",
    "ltd": "limited",
    "intl": "international",
    "inc": "incorporated",
    "mfg": "manufacturing",
    "tech": "technology",
    "imp": "import",
    "exp": "export",
    "&": "and",
}
# Words too common in firm names to anchor a match on their own.
_WEAK = frozenset(
    {
        "china",
        "chinese",
        "corporation",
        "company",
        "limited",
        "group",
        "industry",
        "industries",
        "the",
        "of",
        "and",
        "co",
        "international",
        "import",
        "export",
        "trading",
        "technology",
        "national",
        "general",
        "beijing",
        "shanghai",
        "incorporated",
        "for",
    }
)


@lru_cache(maxsize=65536)
def normalize_token(token: str) -> str:
    """Lower-case ASCII form of one token without punctuation or possessive ("Corp." →
    "corporation", "NORINCO's" → "norinco")."""
    if _CJK.search(token):
        return token
    plain = anyascii(token).lower()
    plain = re.sub(r"['’]s$", "", plain)
    plain = re.sub(r"[^a-z0-9&]", "", plain)
    return _CANONICAL_WORDS.get(plain, plain)


def tokenize(text: str) -> list[tuple[str, int, int]]:
    """Tokens of `text` as (normalized token, start, end); empty tokens are dropped."""
    return list(_tokens(text))


# A paragraph is matched against several gazetteers (the registry, the firms and names the
# cable itself introduces): tokenize it once.
@lru_cache(maxsize=2048)
def _tokens(text: str) -> tuple[tuple[str, int, int], ...]:
    out = []
    for match in _TOKEN.finditer(text):
        norm = normalize_token(match.group(0))
        if norm:
            out.append((norm, match.start(), match.end()))
    return tuple(out)


@dataclass(frozen=True)
class GazetteerEntry:
    """A known name: `name` is the canonical form, `aliases` every other spelling (short names,
    acronyms, other scripts). `key` identifies the source record (a firm id, a list entry)."""

    name: str
    kind: EntityKind = "firm"
    aliases: tuple[str, ...] = ()
    key: str | None = None
    country: str | None = None
    side: Side | None = None


@dataclass(frozen=True)
class EntityMention:
    """One recognized name in a text: `name` canonical, `text` as written at [`start`, `end`),
    `score` 0-100; for people, `title` and `organization` as written before the name."""

    name: str
    kind: EntityKind
    text: str
    start: int
    end: int
    score: float = 100.0
    key: str | None = None
    title: str | None = None
    organization: str | None = None
    side: Side | None = None

    def label(self) -> str:
        """A readable label: "Counselor Li Song (MFA Arms Control)"."""
        head = f"{self.title} {self.name}" if self.title else self.name
        return f"{head} ({self.organization})" if self.organization else head


@dataclass
class _Alias:
    entry: GazetteerEntry
    text: str
    tokens: list[str]
    exact_case: bool


@dataclass
class Gazetteer:
    """Known names to look for. Build with entries (e.g. from the firm registry) and `extend`
    with more (screening lists). `threshold` is the least fuzzy score (0-100) that counts."""

    entries: list[GazetteerEntry] = field(default_factory=list)
    threshold: float = 90.0

    def __post_init__(self) -> None:
        self._aliases: list[_Alias] = []
        self._cjk: list[_Alias] = []
        self._index: dict[str, list[_Alias]] = {}
        for entry in list(self.entries):
            self._add(entry)

    def extend(self, entries: Iterable[GazetteerEntry]) -> None:
        """Add more entries (for instance the names on the screening lists)."""
        for entry in entries:
            self.entries.append(entry)
            self._add(entry)

    def _add(self, entry: GazetteerEntry) -> None:
        for text in (entry.name, *entry.aliases):
            text = text.strip()
            if not text:
                continue
            if _CJK.search(text):
                self._cjk.append(_Alias(entry, text, [text], False))
                continue
            tokens = [t for t, _, _ in tokenize(text)]
            if not tokens:
                continue
            # Short acronyms ("ALIT", "MFA") collide with words when lower-cased.
            exact_case = len(tokens) == 1 and len(text) <= 4 and text.isupper()
            alias = _Alias(entry, text, tokens, exact_case)
            self._aliases.append(alias)
            strong = [t for t in tokens if t not in _WEAK and len(t) >= 2] or tokens
            for token in set(strong):
                self._index.setdefault(token, []).append(alias)

    def find(self, text: str) -> list[EntityMention]:
        """Every gazetteer name in `text`, best match per place, in text order; overlapping
        hits keep the longer, then the better scored one."""
        tokens = tokenize(text)
        hits: list[EntityMention] = []
        for alias in self._cjk:
            for match in re.finditer(re.escape(alias.text), text):
                hits.append(self._mention(alias, text, match.start(), match.end(), 100.0))
        for i, (token, _, _) in enumerate(tokens):
            for alias in self._index.get(token, []):
                hit = self._best_window(alias, tokens, i, text)
                if hit is not None:
                    hits.append(hit)
        return _non_overlapping(hits)

    def _best_window(
        self, alias: _Alias, tokens: list[tuple[str, int, int]], at: int, text: str
    ) -> EntityMention | None:
        size = len(alias.tokens)
        if size == 1:
            token, start, end = tokens[at]
            if token != alias.tokens[0]:
                return None
            if alias.exact_case and text[start:end].rstrip("'’s") != alias.text:
                return None
            return self._mention(alias, text, start, end, 100.0)
        best: EntityMention | None = None
        wanted = " ".join(alias.tokens)
        for first in range(max(0, at - size + 1), min(at, len(tokens) - size) + 1):
            window = tokens[first : first + size]
            score = fuzz.token_sort_ratio(" ".join(t for t, _, _ in window), wanted)
            if score >= self.threshold and (best is None or score > best.score):
                best = self._mention(alias, text, window[0][1], window[-1][2], score)
        return best

    @staticmethod
    def _mention(alias: _Alias, text: str, start: int, end: int, score: float) -> EntityMention:
        entry = alias.entry
        return EntityMention(
            name=entry.name,
            kind=entry.kind,
            text=text[start:end],
            start=start,
            end=end,
            score=score,
            key=entry.key,
            side=entry.side,
        )


def _non_overlapping(hits: list[EntityMention]) -> list[EntityMention]:
    chosen: list[EntityMention] = []
    for hit in sorted(hits, key=lambda h: (-(h.end - h.start), -h.score, h.start)):
        if all(hit.end <= c.start or c.end <= hit.start for c in chosen):
            chosen.append(hit)
    return sorted(chosen, key=lambda h: h.start)
