"""Cable proposals against hand labels: precision and recall per kind, and reading speed.

Labels live in tests/extract/labels/*.json (15 corpus cables chosen for meetings, visits and
commitments, plus the seed), tests/extract/labels/tuning/ (the development half of issue 14)
and tests/extract/labels/heldout/ (the held-out half). Run:
`python -m benchmarks bench_extract --shared ../shared` (all three sets and the speed over
every corpus cable) or `--half tuning` to score one set only.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Any

from npdesk.cables import parse_cable
from npdesk.domain.firms import gazetteer, load_reference_firms
from npdesk.extract import KINDS, suggest
from npdesk.extract.scoring import Score, score_cable

LABELS = Path(__file__).resolve().parent.parent / "tests" / "extract" / "labels"


def load_labels(folder: Path = LABELS) -> list[dict[str, Any]]:
    """Every label file, by cable id."""
    return [json.loads(p.read_text(encoding="utf-8")) for p in sorted(folder.glob("*.json"))]


def evaluate(shared: Path, folder: Path = LABELS) -> tuple[Score, Score, int, float]:
    """Score the corpus labels and the seed separately; returns (corpus, seed, cables,
    seconds spent reading and suggesting)."""
    gaz = gazetteer(load_reference_firms())
    corpus, seed = Score(), Score()
    spent = 0.0
    files = load_labels(folder)
    for entry in files:
        text = (shared / entry["source"]).read_text(encoding="utf-8")
        started = time.perf_counter()
        proposals = [p.to_dict() for p in suggest(parse_cable(text), gaz)]
        spent += time.perf_counter() - started
        is_seed = entry["source"].startswith("seeds/")
        # People are labelled on the seed only: labelling every name in 15 cables would
        # measure the title list more than the desk.
        kinds = KINDS if is_seed else tuple(k for k in KINDS if k != "person")
        result = score_cable(proposals, entry["expected"], kinds, entry["cable"])
        (seed if is_seed else corpus).add(result)
    return corpus, seed, len(files), spent


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{100 * value:.0f}%"


def table(score: Score, title: str) -> str:
    """A Markdown table of precision and recall per kind, with the micro average."""
    lines = [
        f"**{title}**",
        "",
        "| kind | labels | proposals | precision | recall | owner right |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    rows = [(k, score.kinds[k]) for k in KINDS] + [("all", score.total())]
    for kind, s in rows:
        if not (s.expected or s.predicted):
            continue
        owner = f"{s.owner_right}/{s.owner_checked}" if s.owner_checked else "—"
        lines.append(
            f"| {kind} | {s.expected} | {s.predicted} | {_pct(s.precision)} | "
            f"{_pct(s.recall)} | {owner} |"
        )
    return "\n".join(lines)


def corpus_speed(shared: Path) -> tuple[int, float, float]:
    """Suggest over every corpus cable (parsed beforehand): (cables, mean ms, worst ms)."""
    gaz = gazetteer(load_reference_firms())
    files = sorted((shared / "corpus" / "cablegate-2010").glob("*.html"))
    cables = [parse_cable(f.read_text(encoding="utf-8")) for f in files]
    times = []
    for cable in cables:
        started = time.perf_counter()
        suggest(cable, gaz)
        times.append(time.perf_counter() - started)
    return len(times), 1000 * sum(times) / len(times), 1000 * max(times)


_SETS = {
    "earlier": (LABELS, "15 hand-labelled corpus cables (tuned on before issue 14)"),
    "tuning": (LABELS / "tuning", "development half (tuned on)"),
    "heldout": (LABELS / "heldout", "held-out half (scored at the end of each change)"),
}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--shared", default="../shared")
    parser.add_argument("--half", choices=sorted(_SETS), help="score this label set only")
    parser.add_argument("--misses", action="store_true", help="list missed labels too")
    args = parser.parse_args(argv)
    shared = Path(args.shared)
    print("## Cable proposals\n")
    for name in [args.half] if args.half else list(_SETS):
        folder, title = _SETS[name]
        corpus, seed, count, spent = evaluate(shared, folder)
        print(table(corpus, f"{title}: {count} cables, {spent * 1000 / count:.1f} ms each"))
        print()
        if name == "earlier":
            print(table(seed, "the seed cable (08BEIJING1050)"))
            print()
        if args.misses:
            for miss in corpus.missed + seed.missed:
                print("missed:", json.dumps(miss, ensure_ascii=False))
    if not args.half:
        count, mean, worst = corpus_speed(shared)
        print(f"speed over {count} corpus cables: {mean:.1f} ms mean, {worst:.0f} ms worst")


if __name__ == "__main__":
    main()
