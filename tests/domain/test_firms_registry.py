"""The firm registry: names, aliases, parents and partner notices."""

from __future__ import annotations

from datetime import date

import pytest

from npdesk.domain.firms import (
    Dialogue,
    DialogueRecord,
    Firm,
    FirmError,
    PartnerInformed,
    ancestry,
    awaiting_partner_notice,
    load_reference_firms,
    slug,
    subsidiaries,
)


def test_reference_registry_holds_norinco_with_chinese_name() -> None:
    firms = {f.key: f for f in load_reference_firms()}
    assert "中国北方工业公司" in firms["norinco"].aliases
    assert "CGWIC" in firms["cgwic"].aliases
    assert firms["cgwic"].parent == "casc"


def test_parents_and_subsidiaries() -> None:
    firms = load_reference_firms()
    assert [f.key for f in ancestry(firms, "cgwic")] == ["casc"]
    assert [f.key for f in subsidiaries(firms, "casic")] == ["cpmiec"]


def test_parent_cycle_is_an_error() -> None:
    firms = [Firm("a", "A Co", parent="b"), Firm("b", "B Co", parent="a")]
    with pytest.raises(FirmError):
        ancestry(firms, "a")
    with pytest.raises(FirmError):
        Firm("x", "X Co", parent="x")
    with pytest.raises(FirmError):
        Firm("x", "  ")


def test_names_include_pinyin_of_chinese_aliases() -> None:
    firm = Firm("norinco", "China North Industries Corporation", aliases=("中国北方工业公司",))
    assert "zhongguo beifang gongye gongsi" in firm.names()


def test_slug() -> None:
    assert slug("China Great Wall Industry Corp.") == "china-great-wall-industry-corp"
    with pytest.raises(FirmError):
        slug("中国")


def test_dialogues_awaiting_partner_notice() -> None:
    held = DialogueRecord(Dialogue("norinco", "visit", date(2008, 3, 26)))
    told = DialogueRecord(
        Dialogue("cgwic", "meeting", date(2008, 3, 18)),
        [PartnerInformed(date(2008, 3, 19), "meeting with MFA")],
    )
    planned = DialogueRecord(Dialogue("casc", "visit", date(2008, 5, 1)))
    assert awaiting_partner_notice([held, told, planned], date(2008, 4, 1)) == [held]
    assert told.partner_informed and not held.partner_informed
