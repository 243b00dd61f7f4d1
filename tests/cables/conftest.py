"""Fixtures of the cable reader tests: the corpus is parsed once per session and shared by the
corpus, tag and round-trip tests (it is read from ../shared through `corpus_dir`)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from npdesk.cables import Cable, parse_cable
from npdesk.cables.sources import PageMeta, normalize_source


@dataclass(frozen=True)
class CorpusPage:
    """One page of the 2010 release: its file name, metadata table and parsed cable."""

    name: str
    page: PageMeta
    cable: Cable


@pytest.fixture(scope="session")
def parsed_corpus(corpus_dir: Path) -> list[CorpusPage]:
    pages = []
    for path in sorted(corpus_dir.glob("*.html")):
        text = path.read_text(encoding="utf-8")
        meta = normalize_source(text).page
        assert meta is not None, path.name
        pages.append(CorpusPage(path.name, meta, parse_cable(text)))
    return pages
