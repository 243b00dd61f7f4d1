from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from npdesk.security.markings import format_portion, paragraph_marking, parse_portion
from npdesk.security.model import Level, Marking

NF = frozenset({"NOFORN"})


@pytest.mark.parametrize(
    ("portion", "expected"),
    [
        ("U", Marking(Level.U)),
        ("C", Marking(Level.C)),
        ("S", Marking(Level.S)),
        ("TS", Marking(Level.TS)),
        ("SBU", Marking(Level.U, frozenset({"SBU"}))),
        ("S/NF", Marking(Level.S, NF)),
        ("S//NF", Marking(Level.S, NF)),
        ("C/NOFORN", Marking(Level.C, NF)),
        ("(C/NF)", Marking(Level.C, NF)),
        ("SBU/NF", Marking(Level.U, frozenset({"SBU", "NOFORN"}))),
        ("U//FOUO", Marking(Level.U, frozenset({"FOR OFFICIAL USE ONLY"}))),
        ("S//FGI//NF", Marking(Level.S, frozenset({"FGI", "NOFORN"}))),
        ("C//REL TO CHN", Marking(Level.C, rel_to=frozenset({"CHN"}))),
        ("S/REL CHINA", Marking(Level.S, rel_to=frozenset({"CHN"}))),
        ("C/REL GERMANY", Marking(Level.C, rel_to=frozenset({"DEU"}))),
        ("S/REL NATO", Marking(Level.S, rel_to=frozenset({"NATO"}))),
        ("S//REL TO USA, ACGU", Marking(Level.S, rel_to=frozenset({"USA", "ACGU"}))),
        ("C ", Marking(Level.C)),
    ],
)
def test_parse_portion(portion: str, expected: Marking) -> None:
    assert parse_portion(portion) == expected


@pytest.mark.parametrize("portion", ["", "N/SF", "X", "//NF"])
def test_unreadable_portions_raise(portion: str) -> None:
    with pytest.raises(ValueError):
        parse_portion(portion)


def test_unmarked_paragraph_takes_record_level_but_is_not_releasable() -> None:
    record = Marking(Level.S, NF, rel_to=frozenset({"CHN"}), shared=True)
    for portion in (None, "", "N/SF"):
        assert paragraph_marking(portion, record) == Marking(Level.S, NF)


def test_from_strings_reads_stored_columns() -> None:
    marking = Marking.from_strings("SECRET", "NOFORN//FOR OFFICIAL USE ONLY", "CHN GBR", True)
    assert marking == Marking(
        Level.S, frozenset({"NOFORN", "FOR OFFICIAL USE ONLY"}), frozenset({"CHN", "GBR"}), True
    )
    assert Marking.from_strings("TOP SECRET").level is Level.TS
    assert Marking.from_strings("", "", "").level is Level.U
    with pytest.raises(ValueError):
        Marking.from_strings("SECRETISH")


def test_banner() -> None:
    assert Marking(Level.S, NF).banner() == "SECRET//NOFORN"
    assert Marking(Level.C, rel_to=frozenset({"CHN"})).banner() == "CONFIDENTIAL//REL TO CHN"


markings = st.builds(
    Marking,
    level=st.sampled_from(list(Level)),
    caveats=st.frozensets(st.sampled_from(["NOFORN", "SBU", "FGI", "FOR OFFICIAL USE ONLY"])),
    rel_to=st.frozensets(st.sampled_from(["CHN", "GBR", "DEU", "NATO"])),
)


@given(markings)
def test_columns_round_trip(marking: Marking) -> None:
    assert Marking.from_strings(*marking.to_columns()) == marking


@given(markings)
def test_portion_round_trip(marking: Marking) -> None:
    if "SBU" in marking.caveats and marking.level is not Level.U:
        return  # SBU only exists as an unclassified portion
    assert parse_portion(format_portion(marking)) == marking


def test_marking_from_portion() -> None:
    assert Marking.from_portion("C//REL TO CHN") == Marking(Level.C, rel_to=frozenset({"CHN"}))
    assert Marking.from_portion("S/NF").noforn
