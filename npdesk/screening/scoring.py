"""Scoring one query name against one list name: align words, weigh them by rarity and kind,
cap the score where a distinctive or brand word differs, then weigh type, country and date of
birth evidence. Every step leaves a reason, so a hit explains itself."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum

from rapidfuzz.distance import Indel

from npdesk.screening.chinese import VARIANT_SIMILARITY, other_spellings, pinyin_syllable
from npdesk.screening.normalize import TokenKind

MIN_TOKEN_SIMILARITY = 0.72
MERGE_SIMILARITY = 0.85
SHORT_WORD = 5
SHORT_WORD_PENALTY = 0.1
# List names often carry more parts than a query gives (a second surname, a branch), so a
# listed word the query lacks costs a little less than a query word the list lacks.
UNMATCHED_LISTED_FACTOR = 0.8
DISTINCTIVE_CAP = 0.6
ONE_SIDED_DISTINCTIVE_CAP = 0.85
BRAND_CAP = 0.7
WEAK_ALIAS_CAP = 0.89
ACRONYM_SCORE = 0.8


# Kinds that pair only when equal: "western" is not a misspelt "eastern".
EXACT_ONLY = frozenset({TokenKind.NUMBER, TokenKind.DISTINCTIVE})


class Band(StrEnum):
    MATCH = "match"
    REVIEW = "review"


@dataclass(frozen=True)
class Thresholds:
    """Scores at or above `match` are matches; at or above `review`, for review."""

    match: float = 0.9
    review: float = 0.75

    def band(self, score: float) -> Band | None:
        if score >= self.match:
            return Band.MATCH
        if score >= self.review:
            return Band.REVIEW
        return None


DEFAULT_THRESHOLDS = Thresholds()


@dataclass(frozen=True)
class TokenPair:
    query: str
    listed: str
    similarity: float
    weight: float


@dataclass
class Comparison:
    """The alignment of two token sequences and the name score it gives."""

    score: float
    pairs: list[TokenPair]
    unmatched_query: list[str]
    unmatched_listed: list[str]
    reasons: list[str] = field(default_factory=list)


Weigher = Callable[[str, TokenKind], float]


def _similarity(a: str, b: str) -> float:
    """Indel similarity of two tokens, 0 below MIN_TOKEN_SIMILARITY. One letter off in a short
    word changes it more than the ratio says (Intel/Inter, Acer/Acex), so short words lose
    SHORT_WORD_PENALTY."""
    similarity = Indel.normalized_similarity(a, b, score_cutoff=MIN_TOKEN_SIMILARITY)
    if similarity and min(len(a), len(b)) <= SHORT_WORD and similarity < 1.0:
        similarity = max(0.0, similarity - SHORT_WORD_PENALTY)
    return similarity


def compare_tokens(
    query: tuple[str, ...],
    query_kinds: tuple[TokenKind, ...],
    listed: tuple[str, ...],
    listed_kinds: tuple[TokenKind, ...],
    weight: Weigher,
) -> Comparison:
    """Align `query` with `listed` in any order: equal tokens first, then a run of 2-3 adjacent
    tokens on one side spelling one token on the other ("fang wei" = "fangwei"), then the most
    similar remaining pairs. The score is the weighted share of both sides that aligned
    (a paired token weighs what its listed token weighs; an unpaired listed token counts
    UNMATCHED_LISTED_FACTOR of its weight), capped when a distinctive word
    differs (north vs south) or a brand word is replaced by another; a distinctive word on one
    side only caps at the review band. Wade-Giles and Cantonese spellings pair at 0.95."""
    if len(query) == len(listed) and sorted(query) == sorted(listed):
        # The same words in any order, the commonest strong hit: nothing to align or cap.
        exact = [
            TokenPair(t, t, 1.0, weight(t, k)) for t, k in zip(listed, listed_kinds, strict=True)
        ]
        return Comparison(1.0, exact, [], [])
    q_free = [True] * len(query)
    l_free = [True] * len(listed)
    pairs: list[TokenPair] = []

    def pair(qi: list[int], li: list[int], similarity: float) -> None:
        for i in qi:
            q_free[i] = False
        for j in li:
            l_free[j] = False
        listed_weight = sum(weight(listed[j], listed_kinds[j]) for j in li)
        pairs.append(
            TokenPair(
                " ".join(query[i] for i in qi),
                " ".join(listed[j] for j in li),
                similarity,
                listed_weight,
            )
        )

    positions: dict[str, list[int]] = {}
    for j, token in enumerate(listed):
        positions.setdefault(token, []).append(j)
    for i, token in enumerate(query):
        free = [j for j in positions.get(token, ()) if l_free[j]]
        if free:
            pair([i], [free[0]], 1.0)
    for i, token in enumerate(query):
        spellings = other_spellings(token) if q_free[i] else frozenset()
        if spellings:
            free = [j for j, other in enumerate(listed) if l_free[j] and other in spellings]
            if free:
                pair([i], [free[0]], VARIANT_SIMILARITY)
    if any(q_free) and any(l_free):
        _merge(query, listed, q_free, l_free, lambda a, b, s: pair(a, b, s))
        _merge(listed, query, l_free, q_free, lambda a, b, s: pair(b, a, s))
    fuzzy = sorted(
        (
            (s, i, j)
            for i, qt in enumerate(query)
            if q_free[i]
            for j, lt in enumerate(listed)
            if l_free[j]
            if query_kinds[i] not in EXACT_ONLY
            and listed_kinds[j] not in EXACT_ONLY
            and (s := _similarity(qt, lt)) > 0
        ),
        reverse=True,
    )
    for similarity, i, j in fuzzy:
        if q_free[i] and l_free[j]:
            pair([i], [j], similarity)
    unmatched_q = [i for i, free in enumerate(q_free) if free]
    unmatched_l = [j for j, free in enumerate(l_free) if free]
    matched = sum(2 * p.weight * p.similarity for p in pairs)
    total = sum(2 * p.weight for p in pairs)
    total += sum(weight(query[i], query_kinds[i]) for i in unmatched_q)
    total += UNMATCHED_LISTED_FACTOR * sum(weight(listed[j], listed_kinds[j]) for j in unmatched_l)
    score = matched / total if total else 0.0
    comparison = Comparison(
        score, pairs, [query[i] for i in unmatched_q], [listed[j] for j in unmatched_l]
    )
    _apply_caps(
        comparison, query, query_kinds, unmatched_q, listed, listed_kinds, unmatched_l, weight
    )
    return comparison


def _merge(
    side: tuple[str, ...],
    other: tuple[str, ...],
    side_free: list[bool],
    other_free: list[bool],
    pair: Callable[[list[int], list[int], float], None],
) -> None:
    """Pair runs of free adjacent tokens on `side` with a free token of `other` they spell."""
    if sum(side_free) < 2 or not any(other_free):
        return
    for size in (3, 2):
        for start in range(len(side) - size + 1):
            run = list(range(start, start + size))
            if not all(side_free[k] for k in run):
                continue
            # Joined as written and with Wade-Giles/Cantonese syllables in pinyin, so
            # "hsiao ming" meets "xiaoming".
            joins = {"".join(side[k] for k in run), "".join(pinyin_syllable(side[k]) for k in run)}
            best, best_j = 0.0, -1
            for j, token in enumerate(other):
                if not other_free[j]:
                    continue
                for joined in joins:
                    if abs(len(token) - len(joined)) <= 2:
                        similarity = 1.0 if token == joined else _similarity(joined, token)
                        if similarity > best:
                            best, best_j = similarity, j
            if best >= MERGE_SIMILARITY:
                pair(run, [best_j], best)


def _apply_caps(
    comparison: Comparison,
    query: tuple[str, ...],
    query_kinds: tuple[TokenKind, ...],
    unmatched_q: list[int],
    listed: tuple[str, ...],
    listed_kinds: tuple[TokenKind, ...],
    unmatched_l: list[int],
    weight: Weigher,
) -> None:
    def kinds_of(indices: list[int], kinds: tuple[TokenKind, ...]) -> set[TokenKind]:
        return {kinds[k] for k in indices}

    q_left, l_left = kinds_of(unmatched_q, query_kinds), kinds_of(unmatched_l, listed_kinds)
    for kind in (TokenKind.DISTINCTIVE, TokenKind.NUMBER):
        if kind in q_left and kind in l_left and comparison.score > DISTINCTIVE_CAP:
            comparison.score = DISTINCTIVE_CAP
            comparison.reasons.append(
                f"capped at {DISTINCTIVE_CAP}: {kind.value} words differ "
                f"({_words(query, unmatched_q, query_kinds, kind)} vs "
                f"{_words(listed, unmatched_l, listed_kinds, kind)})"
            )
    for kind in (TokenKind.DISTINCTIVE, TokenKind.NUMBER):
        if (kind in q_left) != (kind in l_left) and comparison.score > ONE_SIDED_DISTINCTIVE_CAP:
            comparison.score = ONE_SIDED_DISTINCTIVE_CAP
            comparison.reasons.append(
                f"capped at {ONE_SIDED_DISTINCTIVE_CAP}: {kind.value} word on one side only "
                f"({_words(query, unmatched_q, query_kinds, kind)}"
                f"{_words(listed, unmatched_l, listed_kinds, kind)})"
            )
    brand_weights = [
        weight(t, k) for t, k in zip(listed, listed_kinds, strict=True) if k is TokenKind.BRAND
    ]
    if not brand_weights or comparison.score <= BRAND_CAP:
        return
    heavy = 0.5 * max(brand_weights)
    q_brand = [
        query[i]
        for i in unmatched_q
        if query_kinds[i] is TokenKind.BRAND and weight(query[i], query_kinds[i]) >= heavy
    ]
    l_brand = [
        listed[j]
        for j in unmatched_l
        if listed_kinds[j] is TokenKind.BRAND and weight(listed[j], listed_kinds[j]) >= heavy
    ]
    if q_brand and l_brand:
        comparison.score = BRAND_CAP
        comparison.reasons.append(
            f"capped at {BRAND_CAP}: brand words differ ({' '.join(q_brand)} vs "
            f"{' '.join(l_brand)})"
        )


def _words(
    tokens: tuple[str, ...], indices: list[int], kinds: tuple[TokenKind, ...], kind: TokenKind
) -> str:
    return " ".join(tokens[i] for i in indices if kinds[i] is kind)
