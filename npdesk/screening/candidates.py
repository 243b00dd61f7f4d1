"""Candidate generation (blocking): the few list names worth scoring for a query, found
through the index's token, merged-token, misspelling and acronym tables, never by comparing
the query with every name."""

from __future__ import annotations

from collections.abc import Iterable

from rapidfuzz.distance import Indel, Levenshtein

from npdesk.screening.chinese import VARIANT_SIMILARITY, other_spellings, pinyin_syllable
from npdesk.screening.index import MAX_MERGE, ScreeningIndex, deletes_of

# Tokens held by more names than this only add to names other tokens already found.
COMMON_TOKEN_LIMIT = 1500
MIN_FUZZY_LENGTH = 4
RELATIVE_FLOOR = 0.4


def similar_tokens(index: ScreeningIndex, token: str) -> dict[str, float]:
    """Indexed tokens within a small edit distance of `token` (1 edit up to 5 letters, 2 beyond),
    each with its similarity in [0, 1]; `token` itself at 1.0 when indexed."""
    found: dict[str, float] = {}
    if token in index.postings:
        found[token] = 1.0
    for spelling in other_spellings(token):
        if spelling in index.postings:
            found[spelling] = VARIANT_SIMILARITY
    if len(token) < MIN_FUZZY_LENGTH:
        return found
    max_edits = 1 if len(token) <= 5 else 2
    probes = [token, *deletes_of(token)]
    for probe in probes:
        joined = index.deletes.get(probe)
        if joined is None:
            if probe != token and probe in index.postings and probe not in found:
                # The query has one letter too many.
                found[probe] = Indel.normalized_similarity(token, probe)
            continue
        for other in joined.split(" "):
            if (
                other not in found
                and Levenshtein.distance(token, other, score_cutoff=max_edits) <= max_edits
            ):
                found[other] = Indel.normalized_similarity(token, other)
    return found


def _query_keys(tokens: tuple[str, ...]) -> Iterable[str]:
    """Tokens, and runs of adjacent tokens joined as written and with Wade-Giles/Cantonese
    syllables in pinyin ("hsiao ming" -> "hsiaoming", "xiaoming")."""
    yield from tokens
    for size in range(2, MAX_MERGE + 1):
        for start in range(len(tokens) - size + 1):
            run = tokens[start : start + size]
            yield "".join(run)
            yield "".join(pinyin_syllable(t) for t in run)


def candidate_names(index: ScreeningIndex, tokens: tuple[str, ...], limit: int) -> list[int]:
    """Ids of up to `limit` names sharing the most rarity-weighted tokens (exact or misspelt)
    with the query `tokens`, best first."""
    scores: dict[int, float] = {}
    deferred: list[tuple[list[int], float]] = []
    for key in dict.fromkeys(_query_keys(tokens)):
        for other, similarity in similar_tokens(index, key).items():
            ids = index.postings[other]
            gain = index.idf(other) * similarity
            if len(ids) > COMMON_TOKEN_LIMIT:
                deferred.append((ids, gain))
                continue
            for name_id in ids:
                scores[name_id] = scores.get(name_id, 0.0) + gain
    for ids, gain in deferred:
        if not scores:
            # Only common tokens in the query: their names are the only candidates there are.
            for name_id in ids[: limit * 20]:
                scores[name_id] = scores.get(name_id, 0.0) + gain
            continue
        for name_id in ids:
            if name_id in scores:
                scores[name_id] += gain
    best = sorted(scores, key=scores.__getitem__, reverse=True)[:limit]
    if not best:
        return best
    # Names sharing far less weight than the best cannot score near it.
    floor = scores[best[0]] * RELATIVE_FLOOR
    return [name_id for name_id in best if scores[name_id] >= floor]


def looks_like_acronym(text: str) -> bool:
    """Whether a raw query reads as an acronym: one word of 3-10 letters, dots allowed
    ("CGWIC", "C.P.M.I.E.C."), in capitals. "ABB Ltd" or "Kia Corporation" do not: a short
    word beside a legal form is a name, and three letters name too many firms to alert on."""
    word = text.strip().replace(".", "")
    return 3 <= len(word) <= 10 and word.isalpha() and word.isupper()


def acronym_names(index: ScreeningIndex, tokens: tuple[str, ...]) -> list[int]:
    """Ids of firm names whose acronym is the query's single token (e.g. "cgwic")."""
    if len(tokens) != 1:
        return []
    return index.acronyms.get(tokens[0], [])
