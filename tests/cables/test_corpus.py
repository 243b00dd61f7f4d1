"""All 800 pages of the 2010 release in ../shared/corpus/cablegate-2010 parse, and agree with
each page's metadata table."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest

from npdesk.cables import Cable, parse_cable
from npdesk.cables.sources import PageMeta
from tests.cables.conftest import CorpusPage


@pytest.fixture(scope="module")
def corpus(parsed_corpus: list[CorpusPage]) -> list[tuple[str, PageMeta, Cable]]:
    return [(p.name, p.page, p.cable) for p in parsed_corpus]


@pytest.mark.corpus
def test_corpus_has_800_pages(corpus: list[tuple[str, PageMeta, Cable]]) -> None:
    assert len(corpus) == 800


@pytest.mark.corpus
def test_every_page_matches_its_table(corpus: list[tuple[str, PageMeta, Cable]]) -> None:
    mismatches = []
    for name, page, cable in corpus:
        if cable.id != page.reference_id:
            mismatches.append((name, "id", cable.id))
        if cable.created is None or cable.created[:10] != page.created[:10]:
            mismatches.append((name, "created", cable.created))
        if cable.marking != page.classification:
            mismatches.append((name, "marking", cable.marking))
    assert mismatches == []


@pytest.mark.corpus
def test_the_text_itself_agrees_with_the_table(
    corpus: list[tuple[str, PageMeta, Cable]],
) -> None:
    """The table wins on the page, but the reader must get there from the text nearly always:
    warnings record where text and table disagree (a few pages really do disagree, e.g.
    88BAGHDAD28.html, whose body is a 2009 State cable under a 1988 Baghdad header)."""
    disagreeing = [name for name, _, cable in corpus if cable.warnings]
    assert len(disagreeing) <= 0.03 * len(corpus), disagreeing


@pytest.mark.corpus
def test_subject_and_tags_on_at_least_99_percent(
    corpus: list[tuple[str, PageMeta, Cable]],
) -> None:
    with_subject = sum(1 for _, _, cable in corpus if cable.subject)
    with_tags = sum(1 for _, _, cable in corpus if cable.tags)
    assert with_subject >= 0.99 * len(corpus)
    assert with_tags >= 0.99 * len(corpus)


@pytest.mark.corpus
def test_bodies_are_read(corpus: list[tuple[str, PageMeta, Cable]]) -> None:
    """Every page with body text yields paragraphs; a few pages of the release stop inside the
    subject (09BERLIN1273.html ends "BUT MUCH DEPENDS ON RESULT..."), and those are the only
    ones without. Most cables carry a signature; partial extracts often do not."""
    for name, _, cable in corpus:
        if not cable.paragraphs:
            assert cable.subject is not None and cable.subject.endswith("..."), name
    without_paragraphs = [name for name, _, cable in corpus if not cable.paragraphs]
    assert len(without_paragraphs) <= 2
    without_signer = [name for name, _, cable in corpus if not cable.signers]
    assert len(without_signer) <= 0.06 * len(corpus), without_signer


@pytest.mark.corpus
def test_no_section_break_leaks_into_paragraphs(
    corpus: list[tuple[str, PageMeta, Cable]],
) -> None:
    leaks = []
    for name, _, cable in corpus:
        for paragraph in cable.paragraphs:
            if "SECTION 0" in paragraph.text.upper() and " OF 0" in paragraph.text.upper():
                leaks.append((name, paragraph.text[:80]))
        for signer in cable.signers:
            if any(ch.isdigit() for ch in signer):
                leaks.append((name, signer))
    assert leaks == []


def copied_as_text(page_html: str) -> str:
    """What a reader gets by selecting a release page from its table down and copying it:
    the cell and body text, line breaks kept, markup gone (no ``<pre>``, no metadata table)."""
    body = page_html[page_html.find("<table class='cable'>") :]
    body = body.replace("&#x000A;", "\n").replace("</td>", "\n").replace("</tr>", "\n")
    return html.unescape(re.sub(r"<[^>]+>", "", body))


@pytest.mark.corpus
def test_pages_copied_as_text_read_like_the_pages(
    corpus_dir: Path, parsed_corpus: list[CorpusPage]
) -> None:
    """The third input form on the whole corpus: without the table the reader has only the
    text, so pages whose text disagrees with their table (see warnings) may differ."""
    differing = []
    for entry in parsed_corpus:
        text = copied_as_text((corpus_dir / entry.name).read_text(encoding="utf-8"))
        copy, page = parse_cable(text), entry.cable
        assert copy.source_format in {"web", "telegram"}  # "web" when ¶ signs came along
        if (
            copy.id != page.id
            or copy.subject != page.subject
            or copy.tags != page.tags
            or [p.number for p in copy.paragraphs] != [p.number for p in page.paragraphs]
            or copy.signers != page.signers
            or (copy.created or "")[:10] != (page.created or "")[:10]
        ):
            differing.append(entry.name)
    assert len(differing) <= 0.03 * len(parsed_corpus), differing
