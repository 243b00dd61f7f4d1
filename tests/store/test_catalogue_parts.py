"""Pure parts of the search catalogue."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from npdesk.store.catalogue import Codes, _split_tag_lists

tag = st.text(alphabet="ABCDEFGHKLMNPRSTX", min_size=1, max_size=5)
tag_list = st.one_of(
    st.none(),
    st.lists(tag, max_size=6).map(" ".join),
    st.lists(tag, max_size=6).map("  ".join),  # irregular spacing
    st.lists(tag, max_size=6).map(lambda tags: " " + " ".join(tags) + " "),
)


@given(st.lists(tag_list, max_size=30))
def test_split_tag_lists_is_a_split_per_cable(tag_lists: list[str | None]) -> None:
    flat, counts = _split_tag_lists(tag_lists)
    expected = [(t or "").split() for t in tag_lists]
    assert flat == [t for tags in expected for t in tags]
    assert counts.tolist() == [len(tags) for tags in expected]


@given(st.lists(st.sampled_from(["PARIS", "MOSCOW", None, "BEIJING"]), max_size=50))
def test_codes_round_trip(column: list[str | None]) -> None:
    codes = Codes.of(column)
    assert [codes.values[c] for c in codes.codes] == column
    assert len(set(codes.values)) == len(codes.values)
