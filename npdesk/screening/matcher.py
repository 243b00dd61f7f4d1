"""Screening a name against an index: candidates, scores, evidence, bands, explanations.

`Screener(index).screen(Query("..."))` returns hits best first, one per list entry (the entry's
best-matching name), with score at or above the review threshold unless asked otherwise."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from npdesk.screening.candidates import acronym_names, candidate_names, looks_like_acronym
from npdesk.screening.countries import country_code
from npdesk.screening.evidence import (
    MAX_BONUS,
    Adjustment,
    country_adjustment,
    dob_adjustment,
    type_adjustment,
)
from npdesk.screening.index import ScreeningIndex
from npdesk.screening.model import AliasStrength, EntryType, ListEntry
from npdesk.screening.normalize import NormalizedName, normalize_name
from npdesk.screening.scoring import (
    ACRONYM_SCORE,
    DEFAULT_THRESHOLDS,
    WEAK_ALIAS_CAP,
    Band,
    Comparison,
    Thresholds,
    compare_tokens,
)

CANDIDATE_LIMIT = 30


class QueryError(ValueError):
    """A query that cannot be screened (no name, bad year or country)."""


@dataclass(frozen=True)
class Query:
    """What to screen: a name and, when known, the party's type, country and year of birth."""

    name: str
    type: EntryType | None = None
    country: str | None = None
    dob: str | None = None

    def country_code(self) -> str | None:
        if not self.country:
            return None
        code = country_code(self.country)
        if code is None:
            raise QueryError(f"unknown country {self.country!r}")
        return code

    def birth_year(self) -> int | None:
        if not self.dob:
            return None
        year = self.dob.strip()[:4]
        if not year.isdigit():
            raise QueryError(f"date of birth {self.dob!r} does not start with a year (YYYY)")
        return int(year)


@dataclass(frozen=True)
class Explanation:
    """Why a hit scored what it did."""

    query_form: str
    matched_form: str
    name_score: float
    pairs: list[tuple[str, str, float]]
    unmatched_query: list[str]
    unmatched_listed: list[str]
    adjustments: list[Adjustment]
    reasons: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "query_form": self.query_form,
            "matched_form": self.matched_form,
            "name_score": round(self.name_score, 4),
            "pairs": [
                {"query": q, "listed": lt, "similarity": round(s, 4)} for q, lt, s in self.pairs
            ],
            "unmatched_query": self.unmatched_query,
            "unmatched_listed": self.unmatched_listed,
            "adjustments": [
                {"feature": a.feature, "delta": round(a.delta, 4), "reason": a.reason}
                for a in self.adjustments
            ],
            "reasons": self.reasons,
        }

    def summary(self) -> str:
        """One line for tables and CSV: the reasons joined."""
        return "; ".join(self.reasons + [a.reason for a in self.adjustments])


@dataclass(frozen=True)
class Hit:
    entry: ListEntry
    matched_name: str
    score: float
    band: Band | None
    explanation: Explanation

    def to_json(self) -> dict[str, Any]:
        return {
            "list": self.entry.list_name,
            "source_id": self.entry.source_id,
            "name": self.entry.name,
            "type": self.entry.type.value,
            "matched_name": self.matched_name,
            "score": round(self.score, 4),
            "band": self.band.value if self.band else None,
            "explanation": self.explanation.to_json(),
        }


class Screener:
    """Screens queries against one `ScreeningIndex`. Thread-safe for reading."""

    def __init__(self, index: ScreeningIndex, thresholds: Thresholds = DEFAULT_THRESHOLDS) -> None:
        self.index = index
        self.thresholds = thresholds

    def screen(
        self, query: Query, min_score: float | None = None, top: int | None = None
    ) -> list[Hit]:
        """Hits for `query`, best first, one per entry, with score >= `min_score` (the review
        threshold by default), at most `top`. Raises QueryError for an unusable query."""
        floor = self.thresholds.review if min_score is None else min_score
        country, year = query.country_code(), query.birth_year()
        forms = normalize_name(query.name)
        if not forms:
            raise QueryError(f"nothing to screen in {query.name!r}")
        best: dict[int, Hit] = {}
        acronym_query = looks_like_acronym(query.name)
        for form in forms:
            for name_id in candidate_names(self.index, form.tokens, CANDIDATE_LIMIT):
                hit = self._score(query, form, name_id, country, year, floor)
                if hit is not None:
                    self._keep(best, hit, name_id)
            acronym_ids = acronym_names(self.index, form.tokens) if acronym_query else []
            for name_id in acronym_ids:
                self._keep(best, self._acronym_hit(query, form, name_id), name_id)
        hits = sorted(
            (h for h in best.values() if h.score >= floor),
            key=lambda h: (-h.score, h.entry.list_name, h.entry.source_id),
        )
        return hits[:top] if top is not None else hits

    def _keep(self, best: dict[int, Hit], hit: Hit, name_id: int) -> None:
        entry_id = self.index.names[name_id].entry
        if entry_id not in best or hit.score > best[entry_id].score:
            best[entry_id] = hit

    def _score(
        self,
        query: Query,
        form: NormalizedName,
        name_id: int,
        country: str | None,
        year: int | None,
        floor: float,
    ) -> Hit | None:
        """The hit for one candidate name, or None when it cannot reach `floor` even with
        every bonus (explanations are built only for hits that can)."""
        row = self.index.names[name_id]
        comparison = compare_tokens(
            form.tokens, form.kinds, row.tokens, row.kinds, self.index.weight
        )
        if comparison.score + MAX_BONUS < floor:
            return None
        reasons = list(comparison.reasons)
        score = comparison.score
        if row.strength is AliasStrength.WEAK and score > WEAK_ALIAS_CAP:
            score = WEAK_ALIAS_CAP
            reasons.append(f"capped at {WEAK_ALIAS_CAP}: weak alias")
        elif row.strength is AliasStrength.FKA:
            reasons.append("former name (f.k.a.)")
        return self._finish(
            query,
            form,
            row.entry,
            row.text,
            " ".join(row.tokens),
            score,
            comparison,
            reasons,
            country,
            year,
        )

    def _acronym_hit(self, query: Query, form: NormalizedName, name_id: int) -> Hit:
        row = self.index.names[name_id]
        comparison = Comparison(ACRONYM_SCORE, [], [], [])
        reasons = [
            f"{form.text.upper()} is the acronym of {row.text}; acronyms score "
            f"{ACRONYM_SCORE} (review)"
        ]
        return self._finish(
            query,
            form,
            row.entry,
            row.text,
            " ".join(row.tokens),
            ACRONYM_SCORE,
            comparison,
            reasons,
            query.country_code(),
            query.birth_year(),
        )

    def _finish(
        self,
        query: Query,
        form: NormalizedName,
        entry_id: int,
        text: str,
        listed_form: str,
        score: float,
        comparison: Comparison,
        reasons: list[str],
        country: str | None,
        year: int | None,
    ) -> Hit:
        entry = self.index.entries[entry_id]
        name_score = score
        adjustments = [
            a
            for a in (
                type_adjustment(query.type, entry.type, score),
                country_adjustment(country, self.index.entry_countries[entry_id]),
                dob_adjustment(year, self.index.entry_years[entry_id]),
            )
            if a is not None
        ]
        score = min(1.0, max(0.0, score + sum(a.delta for a in adjustments)))
        if not reasons:
            reasons.append(_describe(comparison))
        explanation = Explanation(
            query_form=form.text,
            matched_form=listed_form,
            name_score=name_score,
            pairs=[(p.query, p.listed, p.similarity) for p in comparison.pairs],
            unmatched_query=comparison.unmatched_query,
            unmatched_listed=comparison.unmatched_listed,
            adjustments=adjustments,
            reasons=reasons,
        )
        return Hit(entry, text, score, self.thresholds.band(score), explanation)


def _describe(comparison: Comparison) -> str:
    exact = sum(1 for p in comparison.pairs if p.similarity == 1.0)
    parts = [f"{exact} of {len(comparison.pairs)} aligned words equal"]
    if comparison.unmatched_query:
        parts.append(f"query words not on the list name: {' '.join(comparison.unmatched_query)}")
    if comparison.unmatched_listed:
        parts.append(f"list words not in the query: {' '.join(comparison.unmatched_listed)}")
    return "; ".join(parts)
