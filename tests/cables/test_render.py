"""`render_telegram`: parse(render(c)) gives c back.

Compared: every key of `Cable.to_dict()` except ``source_format`` (the rendered text is always a
telegram) and ``warnings`` (they describe the original input). Cables are generated from a small
telegram grammar (hypothesis) and taken from the corpus.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from npdesk.cables import Cable, parse_cable, render_telegram
from tests.cables.conftest import CorpusPage

STATIONS = ["BEIJING", "USUN NEW YORK", "CAPE TOWN", "STATE", "MOSCOW", "ABU DHABI", "PARIS"]
ORIGINS = {
    "BEIJING": "AMEMBASSY BEIJING",
    "USUN NEW YORK": "USMISSION USUN NEW YORK",
    "CAPE TOWN": "AMCONSUL CAPE TOWN",
    "STATE": "SECSTATE WASHDC",
    "MOSCOW": "AMEMBASSY MOSCOW",
    "ABU DHABI": "AMEMBASSY ABU DHABI",
    "PARIS": "AMEMBASSY PARIS",
}
LEVELS = ["S E C R E T", "C O N F I D E N T I A L", "UNCLAS", "SECRET", "CONFIDENTIAL"]
WORDS = st.sampled_from(
    [
        "export",
        "control",
        "cooperation",
        "ministry",
        "nuclear",
        "the",
        "of",
        "and",
        "workshop",
        "review",
        "cases",
        "officials",
        "firm",
        "license",
        "missile",
        "dialogue",
        "proposal",
        "plan",
        "agreed",
        "said",
    ]
)
SENTENCE = st.lists(WORDS, min_size=3, max_size=15).map(lambda w: " ".join(w).capitalize() + ".")
TAGS = st.lists(st.sampled_from(["PARM", "PREL", "ETTC", "MNUC", "KNNP", "CH", "IR", "KN"]))
PORTIONS = st.sampled_from(["S", "C", "U", "SBU", "S/NF", "C//NF", "C-NF", "U//FOUO"])
NAMES = st.sampled_from(["RANDT", "BURNS", "LeBaron", "CLINTON", "WILSON"])


def without_source(cable: Cable) -> dict[str, Any]:
    data = cable.to_dict()
    del data["source_format"], data["warnings"]
    return data


@st.composite
def telegrams(draw: st.DrawFn) -> tuple[str, dict[str, Any]]:
    """A telegram text and some of the values it must parse to."""
    station = draw(st.sampled_from(STATIONS))
    serial = draw(st.integers(min_value=1, max_value=99999))
    day = draw(st.integers(min_value=1, max_value=28))
    month = draw(st.sampled_from(["JAN", "FEB", "MAR", "OCT", "DEC"]))
    year = draw(st.integers(min_value=0, max_value=10))
    precedence = draw(st.sampled_from(["O", "P", "R", "Z"]))
    level = draw(st.sampled_from(LEVELS))
    tags = draw(TAGS)
    subject = " ".join(draw(st.lists(WORDS, min_size=1, max_size=8))).upper()
    refs = draw(st.lists(st.tuples(st.sampled_from(STATIONS), st.integers(1, 9999)), max_size=4))
    paragraphs = draw(st.lists(st.tuples(PORTIONS, st.lists(SENTENCE, min_size=1, max_size=3))))
    signer = draw(NAMES)
    lines = [
        f"{precedence} {day:02d}1106Z {month} {year:02d}",
        f"FM {ORIGINS[station]}",
        f"TO RUEHC/SECSTATE WASHDC IMMEDIATE {draw(st.integers(1, 9999))}",
        "",
        f"{level} {station} {serial:06d}",
        "",
        "SIPDIS",
        "",
        f"E.O. 12958: DECL: 03/{day:02d}/2033",
        f"TAGS: {', '.join(tags)}",
        f"SUBJECT: {subject}",
    ]
    if refs:
        labels = "ABCDEFGH"
        lines.append("")
        lines += [f"REF: {labels[i]}. {s} {n}" for i, (s, n) in enumerate(refs)]
    lines += ["", "Classified By: Political Counselor Jane Doe.", "Reasons 1.4 (b/d).", ""]
    for number, (portion, sentences) in enumerate(paragraphs, start=1):
        lines += [f"{number}. ({portion}) {' '.join(sentences)}", ""]
    lines.append(signer)
    expected = {
        "id": f"{year:02d}{station.replace(' ', '')}{serial}",
        "tags": list(dict.fromkeys(tags)),
        "subject": subject,
        "references": [f"{year:02d}{s.replace(' ', '')}{n}" for s, n in refs],
        "paragraphs": [n for n in range(1, len(paragraphs) + 1)],
        "signers": [signer],
    }
    return "\n".join(lines), expected


@settings(max_examples=100, deadline=None)
@given(telegrams())
def test_generated_telegrams_parse_and_round_trip(case: tuple[str, dict[str, Any]]) -> None:
    text, expected = case
    cable = parse_cable(text)
    assert cable.id == expected["id"]
    assert cable.tags == expected["tags"]
    assert cable.subject == expected["subject"]
    assert [r.id for r in cable.references] == expected["references"]
    assert [p.number for p in cable.paragraphs] == expected["paragraphs"]
    assert cable.signers == expected["signers"]
    assert cable.reasons == ["1.4(b)", "1.4(d)"]
    again = parse_cable(render_telegram(cable))
    assert without_source(again) == without_source(cable)


def test_seed_round_trip(seed_text: str) -> None:
    cable = parse_cable(seed_text)
    rendered = render_telegram(cable)
    assert rendered.startswith("O 201106Z MAR 08\nFM AMEMBASSY BEIJING\n")
    assert "S E C R E T BEIJING 001050" in rendered
    assert without_source(parse_cable(rendered)) == without_source(cable)


@pytest.mark.corpus
def test_corpus_round_trip(parsed_corpus: list[CorpusPage]) -> None:
    """The corpus is messier than any grammar: a few layouts (a heading glued to the end of a
    paragraph, numbered lists inside a paragraph) are read from context that the canonical
    rendering changes. At least 97% of the pages must round-trip exactly."""
    failures = [
        page.name
        for page in parsed_corpus
        if without_source(parse_cable(render_telegram(page.cable))) != without_source(page.cable)
    ]
    assert len(failures) <= 0.03 * len(parsed_corpus), failures
