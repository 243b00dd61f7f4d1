"""The hand labels are well formed, the scorer counts right, and the proposals keep their
measured quality on the labelled corpus cables."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from benchmarks.bench_extract import LABELS, evaluate, load_labels
from npdesk.cables import parse_cable
from npdesk.extract import KINDS
from npdesk.extract.scoring import matches, score_cable


def test_at_least_fifteen_corpus_cables_are_labelled() -> None:
    entries = load_labels()
    corpus = [e for e in entries if e["source"].startswith("corpus/")]
    assert len(corpus) >= 15
    assert sum(len(e["expected"]) for e in corpus) >= 90


@pytest.mark.corpus
def test_labels_point_at_real_paragraphs(shared_dir: Path) -> None:
    for entry in load_labels():
        cable = parse_cable((shared_dir / entry["source"]).read_text(encoding="utf-8"))
        assert cable.id == entry["cable"], entry["cable"]
        numbers = {p.number for p in cable.paragraphs}
        for label in entry["expected"]:
            assert label["kind"] in KINDS
            assert set(label["paragraphs"]) <= numbers, (entry["cable"], label)
            assert label["owner"] in ("home", "partner", None)
            assert not (label["date"] and label["date_range"]) or label["kind"] == "review"


def test_scorer_counts_matches_misses_and_spurious() -> None:
    labels = [
        {
            "kind": "meeting",
            "paragraphs": [2],
            "date": "2008-03-19",
            "date_range": None,
            "entities": ["Li Song"],
            "owner": None,
        },
        {
            "kind": "commitment",
            "paragraphs": [6],
            "date": None,
            "date_range": None,
            "entities": ["respond"],
            "owner": "partner",
        },
    ]
    good: dict[str, Any] = {
        "kind": "meeting",
        "text": "...",
        "date": None,
        "date_range": ["2008-03-01", "2008-03-31"],
        "paragraph": 2,
        "entities": ["PolMinCouns", "Li Song"],
        "owner": None,
    }
    wrong_day = {**good, "date": "2008-04-19", "date_range": None}
    promise: dict[str, Any] = {
        "kind": "commitment",
        "text": "pledged to respond",
        "date": None,
        "date_range": None,
        "paragraph": 6,
        "entities": [],
        "owner": "home",
    }
    assert matches(good, labels[0]) and not matches(wrong_day, labels[0])
    score = score_cable([good, wrong_day, promise], labels)
    assert score.kinds["meeting"].precision == 0.5
    assert score.kinds["meeting"].recall == 1.0
    assert score.kinds["commitment"].recall == 1.0
    assert score.kinds["commitment"].owner_right == 0
    assert len(score.spurious) == 1 and not score.missed


@pytest.mark.corpus
def test_quality_on_the_labels(shared_dir: Path) -> None:
    corpus, seed, count, _ = evaluate(shared_dir)
    assert count == len(list(LABELS.glob("*.json")))
    assert seed.total().recall == 1.0
    total = corpus.total()
    # Floors a little under the measured values in docs/proposals.md (68% / 74%). These 15
    # cables were labelled for meetings, visits and commitments; the broader rules of issue 14
    # also propose the firms, signings and undertakings they left unlabelled, which counts
    # against precision here (the denser 62-cable evaluation is in test_heldout.py).
    assert (total.precision or 0) >= 0.65
    assert (total.recall or 0) >= 0.7


def test_label_files_are_valid_json() -> None:
    for path in LABELS.glob("*.json"):
        assert json.loads(path.read_text(encoding="utf-8"))["expected"]
