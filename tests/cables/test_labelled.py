"""Field-level accuracy against hand-labelled cases (tests/cables/data/labelled_*.json).

The expectations were typed by hand from reading real corpus pages and from the conventions of
cable writing, never from the reader's output. Every case belongs to a half: `dev` cases were
used while improving the reader, `held` cases were kept out and scored only to report (see
docs/reader.md). A case is right only when the whole field is right (every reference of the
block with its label and id, every tag in order...)."""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest

from npdesk.cables import parse_cable
from npdesk.cables.authority import parse_executive_order, split_classified_by
from npdesk.cables.parser import parse_tags
from npdesk.cables.references import parse_references

DATA = Path(__file__).parent / "data"
_HEAD = """R 011200Z JAN 09
FM AMEMBASSY PARIS
TO RUEHC/SECSTATE WASHDC 1234

C O N F I D E N T I A L PARIS 000123

E.O. 12958: DECL: 01/01/2019
TAGS: PREL, FR
{subject}

Classified By: Ambassador Craig Stapleton, reasons 1.4 (b) and (d).

1. (C) The French said many things.

2. (C) Comment: They meant it. End comment.

{tail}
"""


def _rows(name: str) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = json.loads((DATA / name).read_text(encoding="utf-8"))["rows"]
    return rows


def _form_value(row: dict[str, Any]) -> Any:
    field, text = row["field"], row["input"]
    if field == "references":
        refs = parse_references(text, row["year"], row["station"])
        return [[r.label, r.id] for r in refs]
    if field == "tags":
        return parse_tags(text)[0]
    if field == "declassify_on":
        order = parse_executive_order(text)
        return order.declassify_on if order else None
    if field == "classified_by":
        return split_classified_by(text)[0]
    if field == "signers":
        return parse_cable(_HEAD.format(subject="SUBJECT: TEST", tail=text)).signers
    if field == "subject":
        return parse_cable(_HEAD.format(subject=text, tail="STAPLETON")).subject
    raise AssertionError(f"unknown field {field}")


def _corpus_value(cable: Any, field: str, expected: Any) -> Any:
    if field == "references":
        return [[r.label, r.id] for r in cable.references]
    if field in {"to", "info"}:
        return [r.name for r in cable.recipients if r.route == field.upper()]
    if field == "summary_start":
        return cable.summary[: len(expected)] if cable.summary else None
    return getattr(cable, field)


def _score(corpus_dir: Path) -> dict[str, dict[str, list[bool]]]:
    scores: dict[str, dict[str, list[bool]]] = defaultdict(lambda: defaultdict(list))
    cables: dict[str, Any] = {}
    for row in _rows("labelled_corpus.json"):
        name = row["cable"]
        if name not in cables:
            cables[name] = parse_cable((corpus_dir / f"{name}.html").read_text(encoding="utf-8"))
        got = _corpus_value(cables[name], row["field"], row["expected"])
        scores[row["half"]][row["field"]].append(got == row["expected"])
    for index, row in enumerate(_rows("labelled_forms.json")):
        half = "dev" if index % 2 == 0 else "held"
        scores[half][row["field"]].append(_form_value(row) == row["expected"])
    return scores


def _report(scores: dict[str, dict[str, list[bool]]]) -> str:
    lines = []
    for half in ("dev", "held"):
        fields = scores[half]
        right = sum(sum(v) for v in fields.values())
        total = sum(len(v) for v in fields.values())
        lines.append(f"{half}: {right}/{total} = {right / total:.1%}")
        for field, results in sorted(fields.items()):
            share = sum(results) / len(results)
            lines.append(f"  {field:14} {sum(results):3}/{len(results):3} = {share:.0%}")
    return "\n".join(lines)


def test_enough_labelled_cases() -> None:
    assert len(_rows("labelled_corpus.json")) + len(_rows("labelled_forms.json")) >= 300


@pytest.mark.corpus
def test_field_accuracy_on_labelled_cases(corpus_dir: Path) -> None:
    scores = _score(corpus_dir)
    print("\n" + _report(scores))
    for half, floor in (("dev", 0.95), ("held", 0.85)):
        fields = scores[half]
        right = sum(sum(v) for v in fields.values())
        assert right / sum(len(v) for v in fields.values()) >= floor, half
