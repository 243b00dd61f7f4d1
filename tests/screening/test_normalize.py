from __future__ import annotations

import pytest

from npdesk.screening.chinese import other_spellings
from npdesk.screening.normalize import acronyms, normalize_name


def _forms(name: str) -> list[str]:
    return [form.text for form in normalize_name(name)]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        (
            "CHINA NATIONAL PRECISION MACHINERY IMPORT/EXPORT CORPORATION",
            "china national precision machinery import export",
        ),
        (
            "China Natl. Precision Mach. I/E Corp.",
            "china national precision machinery import export",
        ),
        (
            "BANCO NACIONAL DE CUBA and any successor, sub-unit, or subsidiary thereof",
            "banco nacional de cuba",
        ),
        ("Société Générale S.A.", "societe generale"),
        ("Joint Stock Company Rosoboronexport", "rosoboronexport"),
        ("Иван Петров", "ivan petrov"),
        ("A.B.C. Trading Grp Intl", "abc trading group international"),
    ],
)
def test_latin_forms(name: str, expected: str) -> None:
    assert _forms(name) == [expected]


def test_chinese_gives_pinyin_and_translated_forms() -> None:
    assert _forms("中国精密机械进出口总公司") == [
        "zhong guo jing mi ji xie jin chu kou",
        "china precision machinery import export",
    ]
    assert _forms("李方伟") == _forms("李方偉") == ["li fang wei"]


def test_wade_giles_and_cantonese_spellings_are_other_spellings() -> None:
    assert "xu" in other_spellings("hsu")
    assert {"zhang", "chang"} <= other_spellings("cheung")
    assert other_spellings("machinery") == frozenset()


def test_acronyms_with_and_without_legal_form() -> None:
    assert acronyms("China Great Wall Industry Corporation") == {"cgwic", "cgwi"}
    assert acronyms("LI, Fangwei") == frozenset()
