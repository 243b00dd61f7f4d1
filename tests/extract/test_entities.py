"""Recognizing firms from the registry (aliases, Chinese script, acronyms) and titled people."""

from __future__ import annotations

from npdesk.domain.firms import gazetteer, load_reference_firms
from npdesk.extract.entities import Gazetteer, GazetteerEntry
from npdesk.extract.persons import find_people, short_names


def names(found: list) -> list[str]:  # type: ignore[type-arg]
    return [m.name for m in found]


REGISTRY = gazetteer(load_reference_firms())


def test_acronym_and_full_name() -> None:
    text = "discussions with NORINCO and China Great Wall Industry Corporation (CGWIC)."
    assert names(REGISTRY.find(text)) == [
        "China North Industries Corporation",
        "China Great Wall Industry Corporation",
        "China Great Wall Industry Corporation",
    ]


def test_case_punctuation_and_word_order_do_not_matter() -> None:
    for text in (
        "a visit to Norinco's plant",
        "officials of china north industries corp.",
        "officials of North China Industries Corporation",
        "the Great Wall Industry Corp., China",
    ):
        assert REGISTRY.find(text), text


def test_chinese_script_and_its_pinyin() -> None:
    assert names(REGISTRY.find("中国北方工业公司代表")) == ["China North Industries Corporation"]
    assert names(REGISTRY.find("Zhongguo Beifang Gongye Gongsi officials")) == [
        "China North Industries Corporation"
    ]


def test_short_acronyms_are_case_sensitive() -> None:
    gaz = Gazetteer([GazetteerEntry("Beijing Alite Technologies", aliases=("ALIT",))])
    assert names(gaz.find("ALIT shipped parts")) == ["Beijing Alite Technologies"]
    assert gaz.find("alit shipped parts") == []


def test_unrelated_firms_do_not_match() -> None:
    assert REGISTRY.find("China National Petroleum Corporation signed a deal") == []


def test_screening_list_names_extend_the_gazetteer() -> None:
    gaz = gazetteer([], [GazetteerEntry("LIMMT Economic and Trade Company", aliases=("LIMMT",))])
    assert names(gaz.find("Limmt Economic & Trade Co. Ltd")) == ["LIMMT Economic and Trade Company"]


def test_titled_people_with_their_office() -> None:
    text = (
        "a letter from ISN PDAS Patricia McNerney congratulating MFA Arms Control and "
        "Disarmament Department Director General Cheng Jingye on a successful workshop. "
        "PolMinCouns and MFA Arms Control Counselor Li Song discussed the plan."
    )
    people = {p.name: p for p in find_people(text)}
    assert set(people) == {"Patricia McNerney", "Cheng Jingye", "Li Song"}
    assert people["Patricia McNerney"].title == "PDAS"
    assert people["Patricia McNerney"].organization == "ISN"
    assert people["Patricia McNerney"].side == "home"
    assert people["Cheng Jingye"].title == "Director General"
    assert people["Cheng Jingye"].organization == "MFA Arms Control and Disarmament Department"
    assert people["Cheng Jingye"].side == "partner"
    assert people["Li Song"].organization == "MFA Arms Control"


def test_names_stop_at_lowercase_and_function_words() -> None:
    found = find_people("Ambassador Randt told the Vice Minister that Mr. Wang was late.")
    assert [(p.title, p.name) for p in found] == [("Ambassador", "Randt"), ("Mr.", "Wang")]


def test_short_names_are_either_name_but_never_an_initial() -> None:
    assert short_names("Li Song") == ["Song", "Li"]
    assert short_names("Prawit Wongsuwan") == ["Wongsuwan", "Prawit"]
    assert short_names("J. Sukhee") == ["Sukhee"]
    assert short_names("Randt") == []


def test_screening_list_entries_become_gazetteer_names() -> None:
    from npdesk.domain.firms import screening_names
    from npdesk.screening.model import Alias, AliasStrength, EntryType, ListEntry

    entries = [
        ListEntry(
            "TEST",
            "1",
            EntryType.ENTITY,
            "Fictional Rocket Parts Trading Co",
            aliases=(Alias("FRPT"), Alias("Rocket", AliasStrength.WEAK)),
            original_script_names=("虚构火箭零件贸易公司",),
        ),
        ListEntry("TEST", "2", EntryType.VESSEL, "Fictional Vessel"),
    ]
    gaz = gazetteer([], screening_names(entries))
    assert names(gaz.find("trading co fictional rocket parts and FRPT")) == [
        "Fictional Rocket Parts Trading Co",
        "Fictional Rocket Parts Trading Co",
    ]
    assert names(gaz.find("虚构火箭零件贸易公司")) == ["Fictional Rocket Parts Trading Co"]
    assert gaz.find("a rocket and a Fictional Vessel") == []


def test_a_foreign_ambassador_is_not_our_office() -> None:
    from npdesk.cables.model import Cable, Paragraph
    from npdesk.extract import suggest

    cable = Cable(
        created="2010-02-11",
        paragraphs=[
            Paragraph(
                2,
                "C",
                "The Swedish Ambassador did not mention it in a February 4 breakfast with the "
                "Ambassador. High Commissioner for Peace Frank Pearl told Polcouns February 4 "
                "that talks would resume.",
            )
        ],
    )
    meetings = [p for p in suggest(cable) if p.kind == "meeting"]
    pearl = next(p for p in meetings if "Frank Pearl" in p.entities)
    assert pearl.participants == {"partner": ["Frank Pearl"], "home": ["Polcouns"]}
    assert pearl.date is not None and pearl.date.isoformat() == "2010-02-04"
