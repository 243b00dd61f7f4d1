"""Sentence spans in cable prose.

Cable English is full of abbreviations with periods ("U.S.", "Dec. 16", "Amb.", "A/S"), so a
period ends a sentence only when the next word starts a new one and the word before it is not
a known abbreviation or a single initial. Line breaks never end a sentence: telegrams wrap
lines mid-sentence.
"""

from __future__ import annotations

import re

_ABBREVIATIONS = frozenset(
    {
        "u.s",
        "u.k",
        "u.n",
        "mr",
        "mrs",
        "ms",
        "dr",
        "amb",
        "gen",
        "lt",
        "col",
        "maj",
        "capt",
        "adm",
        "sen",
        "rep",
        "gov",
        "no",
        "nos",
        "vs",
        "etc",
        "e.g",
        "i.e",
        "st",
        "ltd",
        "co",
        "corp",
        "inc",
        "jr",
        "sr",
        "prof",
        "dept",
        "approx",
        "ref",
        "para",
        "paras",
        "fig",
        "jan",
        "feb",
        "mar",
        "apr",
        "jun",
        "jul",
        "aug",
        "sep",
        "sept",
        "oct",
        "nov",
        "dec",
    }
)
_END = re.compile(r"[.!?]['\")\]]*(?=\s+[\"'(\[]?[A-Z0-9])|[.!?]['\")\]]*\s*$")


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """The [start, end) character spans of the sentences of `text`, in order, covering all
    non-blank text. Never raises."""
    spans: list[tuple[int, int]] = []
    start = 0
    for match in _END.finditer(text):
        if match.group(0).startswith("."):
            word = re.search(r"([A-Za-z.]+)$", text[start : match.start()])
            if word and (
                word.group(1).lower().strip(".") in _ABBREVIATIONS or len(word.group(1)) == 1
            ):
                continue
        end = match.end()
        if text[start:end].strip():
            spans.append((start, end))
        start = end
    if text[start:].strip():
        spans.append((start, len(text)))
    return spans


def sentence_at(text: str, position: int) -> tuple[int, int]:
    """The span of the sentence of `text` containing character `position`."""
    for start, end in sentence_spans(text):
        if start <= position < end:
            return start, end
    return 0, len(text)
