"""Properties over arbitrary text: normalizing never fails, screening any text either answers
or refuses with QueryError, and word order never changes a name's normalized words."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from npdesk.screening import Query, QueryError, Screener
from npdesk.screening.normalize import acronyms, normalize_name

NAMES = st.text(alphabet=st.characters(exclude_categories=["Cs"]), min_size=0, max_size=60)
WORDS = st.lists(st.from_regex(r"[A-Za-z]{2,9}", fullmatch=True), min_size=1, max_size=5)


@given(NAMES)
@settings(max_examples=300, deadline=None)
def test_normalizing_never_fails(name: str) -> None:
    for form in normalize_name(name):
        assert form.tokens
        assert len(form.tokens) == len(form.kinds)
        assert all(token.isascii() and " " not in token for token in form.tokens)
    acronyms(name)


@given(WORDS)
@settings(max_examples=200, deadline=None)
def test_word_order_does_not_change_the_words(words: list[str]) -> None:
    forward = normalize_name(" ".join(words))
    backward = normalize_name(" ".join(reversed(words)))
    assert [sorted(f.tokens) for f in forward] == [sorted(f.tokens) for f in backward]


@given(NAMES)
@settings(max_examples=150, deadline=None)
def test_screening_any_text_answers_or_refuses(screener: Screener, name: str) -> None:
    try:
        hits = screener.screen(Query(name), min_score=0.0, top=3)
    except QueryError:
        return
    assert all(0.0 <= h.score <= 1.0 for h in hits)
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
