"""The larger evaluation of issue 14: 62 more corpus cables labelled by hand, split by a hash of
the cable id into a tuning half and a held-out half before any rule was changed. The rules were
tuned on the tuning half only; the held-out half was scored once, at the end, and its floor
below sits under that measurement (docs/proposals.md)."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from benchmarks.bench_extract import LABELS, evaluate, load_labels
from npdesk.cables import parse_cable
from npdesk.extract import KINDS

HALVES = ("tuning", "heldout")


def _half_of(cable_id: str) -> str:
    # The split rule, fixed before tuning: even SHA-1 of the id → tuning, odd → held out.
    return "tuning" if int(hashlib.sha1(cable_id.encode()).hexdigest(), 16) % 2 == 0 else "heldout"


def test_sixty_more_cables_split_by_the_rule_fixed_before_tuning() -> None:
    seen: set[str] = set()
    for half in HALVES:
        for entry in load_labels(LABELS / half):
            assert entry["split"] == half == _half_of(entry["cable"]), entry["cable"]
            assert entry["labeled_by"] == "hand"
            assert entry["cable"] not in seen
            seen.add(entry["cable"])
    earlier = {e["cable"] for e in load_labels(LABELS)}
    assert len(seen) >= 60 and not seen & earlier


def test_the_halves_cover_many_posts_and_years() -> None:
    for half in HALVES:
        entries = load_labels(LABELS / half)
        posts = {e["cable"][2:].rstrip("0123456789") for e in entries}
        years = {e["created"][:4] for e in entries}
        assert len(posts) >= 15 and len(years) >= 5, (half, posts, years)


@pytest.mark.corpus
@pytest.mark.parametrize("half", HALVES)
def test_labels_point_at_real_paragraphs(shared_dir: Path, half: str) -> None:
    for entry in load_labels(LABELS / half):
        cable = parse_cable((shared_dir / entry["source"]).read_text(encoding="utf-8"))
        assert cable.id == entry["cable"]
        assert (cable.created or "")[:10] == entry["created"]
        numbers = {p.number for p in cable.paragraphs}
        for label in entry["expected"]:
            assert label["kind"] in KINDS and label["kind"] != "person"
            assert set(label["paragraphs"]) <= numbers, (entry["cable"], label)
            assert label["owner"] in ("home", "partner", None)
            assert label["entities"] or label["kind"] == "meeting"
            assert not (label["date"] and label["date_range"])


@pytest.mark.corpus
def test_quality_on_the_held_out_half(shared_dir: Path) -> None:
    corpus, _, count, _ = evaluate(shared_dir, LABELS / "heldout")
    assert count == 29
    total = corpus.total()
    # Measured at the end of each change: 71% / 57% when the split was made, 69% / 57% after
    # the second round of generic rules (docs/benchmarks.md "Cable proposals").
    assert (total.precision or 0) >= 0.66
    assert (total.recall or 0) >= 0.52
    for kind in ("meeting", "commitment", "firm"):
        assert (corpus.kinds[kind].recall or 0) >= 0.45, kind


@pytest.mark.corpus
def test_quality_on_the_tuning_half(shared_dir: Path) -> None:
    corpus, _, _, _ = evaluate(shared_dir, LABELS / "tuning")
    total = corpus.total()
    # Measured: 78% precision, 72% recall (docs/benchmarks.md "Cable proposals").
    assert (total.precision or 0) >= 0.74
    assert (total.recall or 0) >= 0.68
