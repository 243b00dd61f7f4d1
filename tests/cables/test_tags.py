"""The TAGS dictionary (npdesk/cables/data/tags.json)."""

from __future__ import annotations

import json
from importlib import resources

import pytest

from npdesk.cables.tags import describe_tag, tag_dictionary, tag_kind, unknown_tags
from tests.cables.conftest import CorpusPage

COMMON_TAGS = ["PARM", "PREL", "ETTC", "PGOV", "PTER", "MNUC", "KNNP", "ECON", "EFIN"]


def test_every_code_has_a_meaning_and_one_kind() -> None:
    raw = json.loads(
        resources.files("npdesk.cables").joinpath("data/tags.json").read_text(encoding="utf-8")
    )
    seen: set[str] = set()
    for kind in ("subject", "organization", "country"):
        for code, meaning in raw[kind].items():
            assert code == code.upper() and code.strip() == code, code
            assert isinstance(meaning, str) and meaning.strip(), code
            assert code not in seen, f"{code} listed twice"
            seen.add(code)
    assert len(tag_dictionary()) == len(seen)


def test_common_tags_and_countries_are_known() -> None:
    for tag in COMMON_TAGS:
        assert describe_tag(tag), tag
        assert tag_kind(tag) == "subject"
    assert describe_tag("CH") == "China"
    assert describe_tag("ir") == "Iran"
    assert describe_tag("KN") == "North Korea"
    assert describe_tag("SF") == "South Africa"
    assert tag_kind("IAEA") == "organization"


def test_unknown_tags_are_flagged_not_dropped() -> None:
    # The typo "MOPPS" (09BEIRUT818.html) and a name from "OVIP CLINTON HILLARY"
    # (09STATE11937.html).
    assert unknown_tags(["PREL", "MOPPS", "CH", "HILLARY"]) == ["MOPPS", "HILLARY"]
    assert describe_tag("MOPPS") is None


@pytest.mark.corpus
def test_share_of_corpus_tags_known(parsed_corpus: list[CorpusPage]) -> None:
    tags = [tag for page in parsed_corpus for tag in page.cable.tags]
    share = 1 - len(unknown_tags(tags)) / len(tags)
    print(f"\ncorpus tags known: {share:.1%} of {len(tags)}")
    assert share >= 0.97
