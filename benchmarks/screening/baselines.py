"""The anchors the screening benchmark compares with, run on the same queries:
brute-force rapidfuzz over every list name (batched `process.cdist`), and OpenSanctions'
nomenklatura matchers (logic-v2, logic-v1) scoring the candidates npdesk's blocking finds."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from typing import Any

from rapidfuzz import fuzz, process, utils

from npdesk.screening import ScreeningIndex
from npdesk.screening.candidates import candidate_names
from npdesk.screening.matcher import CANDIDATE_LIMIT
from npdesk.screening.model import AliasStrength, EntryType, ListEntry
from npdesk.screening.normalize import normalize_name

EntryKey = tuple[str, str]
BRUTE_FORCE_CUTOFF = 85
NOMENKLATURA_THRESHOLD = 0.7
_SCHEMA = {
    EntryType.INDIVIDUAL: "Person",
    EntryType.ENTITY: "Organization",
    EntryType.VESSEL: "Vessel",
    EntryType.AIRCRAFT: "Airplane",
}


def brute_force(
    index: ScreeningIndex, queries: Sequence[str], chunk: int = 256
) -> list[set[EntryKey]]:
    """Hits of `fuzz.token_sort_ratio` >= BRUTE_FORCE_CUTOFF against every list name."""
    names = [row.text for row in index.names]
    owners = [index.entries[row.entry] for row in index.names]
    choices = [utils.default_process(n) for n in names]
    hits: list[set[EntryKey]] = []
    for start in range(0, len(queries), chunk):
        batch = [utils.default_process(q) for q in queries[start : start + chunk]]
        scores = process.cdist(
            batch,
            choices,
            scorer=fuzz.token_sort_ratio,
            score_cutoff=BRUTE_FORCE_CUTOFF,
            workers=-1,
            dtype="uint8",
        )
        for row in scores:
            found = row.nonzero()[0]
            hits.append({(owners[i].list_name, owners[i].source_id) for i in found})
    return hits


def nomenklatura_scorers() -> dict[str, Callable[[str, ListEntry], float]]:
    """logic-v2 and logic-v1 as (query name, entry) -> score functions. Raises ImportError
    when nomenklatura is not installed."""
    from followthemoney import model
    from nomenklatura.matching import LogicV1, LogicV2, ScoringConfig

    config = ScoringConfig.defaults()
    cache: dict[tuple[str, str], Any] = {}

    def as_entity(entry: ListEntry) -> Any:
        key = (entry.list_name, entry.source_id)
        if key not in cache:
            proxy = model.make_entity(_SCHEMA[entry.type])
            proxy.id = f"{entry.list_name}-{entry.source_id}"
            proxy.add("name", entry.name)
            for alias in entry.aliases:
                prop = "weakAlias" if alias.strength is AliasStrength.WEAK else "alias"
                proxy.add(prop, alias.name)
            for original in entry.original_script_names:
                proxy.add("alias", original)
            cache[key] = proxy
        return cache[key]

    def scorer(algorithm: Any) -> Callable[[str, ListEntry], float]:
        def score(name: str, entry: ListEntry) -> float:
            query = model.make_entity("LegalEntity")
            # A distinct id per text: nomenklatura caches per entity id.
            query.id = f"query-{hashlib.sha1(name.encode()).hexdigest()[:16]}"
            query.add("name", name)
            return float(algorithm.compare(query, as_entity(entry), config).score)

        return score

    return {"logic-v2": scorer(LogicV2), "logic-v1": scorer(LogicV1)}


def candidate_entries(index: ScreeningIndex, name: str) -> list[ListEntry]:
    """The entries npdesk's blocking proposes for `name` (what the anchors get to score)."""
    seen: dict[int, None] = {}
    for form in normalize_name(name):
        for name_id in candidate_names(index, form.tokens, CANDIDATE_LIMIT):
            seen.setdefault(index.names[name_id].entry, None)
    return [index.entries[i] for i in seen]
