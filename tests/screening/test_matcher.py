"""The issue's must-show screenings against the shared lists, plus the rules the scorer
promises (distinctive words, evidence, explanations)."""

from __future__ import annotations

from pathlib import Path

import pytest

from npdesk.screening import (
    Band,
    EntryType,
    ListEntry,
    LoadedList,
    Query,
    QueryError,
    Screener,
    build_index,
)


def _top(screener: Screener, name: str, **kwargs: str | EntryType) -> tuple[str, str, str]:
    hits = screener.screen(Query(name, **kwargs))  # type: ignore[arg-type]
    assert hits, f"no hit for {name!r}"
    return hits[0].entry.list_name, hits[0].entry.source_id, hits[0].entry.name


def test_cpmiec_full_name_ranks_9753_first(screener: Screener) -> None:
    assert _top(screener, "China National Precision Machinery Import Export Corp")[:2] == (
        "ofac-sdn",
        "9753",
    )


def test_limmt_alias_finds_9749(screener: Screener) -> None:
    assert _top(screener, "LIMMT Dalian Metallurgy and Minerals")[:2] == ("ofac-sdn", "9749")


@pytest.mark.parametrize("name", ["李方伟", "李方偉", "Fangwei Li", "Fang-Wei Li", "LI Fang Wei"])
def test_li_fangwei_in_any_script_and_order(screener: Screener, name: str) -> None:
    assert _top(screener, name) == ("ofac-sdn", "11447", "LI, Fangwei")


def test_chang_an_in_traditional_characters_finds_the_un_entry(screener: Screener) -> None:
    hits = screener.screen(Query("長安海連技術有限公司"))
    assert (hits[0].entry.list_name, hits[0].entry.name) == (
        "un-consolidated",
        "CHANG AN SHIPPING & TECHNOLOGY",
    )


def test_abbreviated_and_chinese_forms_of_cpmiec(screener: Screener) -> None:
    assert _top(screener, "China Natl. Precision Mach. I/E Corp.")[1] == "9753"
    assert _top(screener, "中国精密机械进出口总公司")[1] == "9753"


def _fictional_screener() -> Screener:
    entries = (
        ListEntry("sample", "1", EntryType.ENTITY, "CHINA NORTH INDUSTRIES GROUP CORPORATION"),
        ListEntry("sample", "2", EntryType.INDIVIDUAL, "ZHANG, Wenli"),
        ListEntry("sample", "3", EntryType.ENTITY, "DALIAN SUNNY INDUSTRY & TRADE CO., LTD."),
    )
    return Screener(build_index([LoadedList("sample", "test", Path("sample"), entries)]))


def test_changed_distinctive_word_does_not_alert() -> None:
    screener = _fictional_screener()
    assert screener.screen(Query("China North Industries Group"))[0].entry.source_id == "1"
    assert screener.screen(Query("China South Industries Group")) == []
    one_sided = screener.screen(Query("China North Industries Group Central"))
    assert one_sided[0].band is Band.REVIEW


def test_changed_brand_word_does_not_alert() -> None:
    assert _fictional_screener().screen(Query("Dalian Rainy Industry and Trade Co")) == []


def test_wade_giles_and_cantonese_spellings_match() -> None:
    screener = _fictional_screener()
    for name in ("Chang Wen-li", "Cheung Wenli", "Wenli Zhang"):
        assert [h.entry.source_id for h in screener.screen(Query(name))] == ["2"], name


def test_hit_explains_itself(screener: Screener) -> None:
    hit = screener.screen(Query("Fangwei Li"))[0]
    data = hit.to_json()
    assert data["band"] == Band.MATCH.value
    assert data["explanation"]["query_form"] == "fangwei li"
    assert data["explanation"]["matched_form"] == "li fangwei"
    assert {p["listed"] for p in data["explanation"]["pairs"]} == {"li", "fangwei"}


def test_evidence_moves_the_score(screener: Screener) -> None:
    plain = screener.screen(Query("Fangwei Li"))[0].score
    supported = screener.screen(Query("Fangwei Li", country="CN", dob="1972"))[0]
    contradicted = screener.screen(
        Query("Fangwei Li", type=EntryType.ENTITY, dob="1950"), min_score=0
    )[0]
    assert supported.score >= plain
    assert contradicted.score < plain
    assert {a.feature for a in contradicted.explanation.adjustments} == {"type", "dob"}


def test_acronym_hits_land_in_review(screener: Screener) -> None:
    hits = screener.screen(Query("SMMI"))
    assert hits[0].entry.source_id == "9749"
    assert hits[0].band is Band.REVIEW
    assert "acronym" in hits[0].explanation.summary()


def test_bad_queries_are_refused(screener: Screener) -> None:
    with pytest.raises(QueryError):
        screener.screen(Query("..."))
    with pytest.raises(QueryError):
        screener.screen(Query("Fangwei Li", country="Atlantis"))
    with pytest.raises(QueryError):
        screener.screen(Query("Fangwei Li", dob="sometime"))
