"""A cable's marking is the strictest of what its page metadata, its in-text banner and
caveats, its subject's portion marking and its paragraphs say (issue 11, part 2).

Expectations are read by hand from the corpus pages named in each test; the five SECRET cables
that lost NOFORN and the SECRET cable stored as CONFIDENTIAL are the pages on which the reader
warned "text marking ... differs from page ..." while ingest kept the page's word."""

from __future__ import annotations

from pathlib import Path

import pytest

from npdesk.cables import parse_cable
from npdesk.security.markings import cable_marking, paragraph_marking, strictest
from npdesk.security.model import NOFORN, Level, Marking
from npdesk.services.ingest import derive_marking


def corpus_cable(corpus_dir: Path, name: str):  # type: ignore[no-untyped-def]
    return parse_cable((corpus_dir / name).read_text(encoding="utf-8"))


def test_secret_banner_beats_confidential_page_metadata(corpus_dir: Path) -> None:
    # The table says CONFIDENTIAL; the text says "S e c r e t state 068250", the subject
    # ends "(s)" and paragraphs 2 and 4 are (S).
    cable = corpus_cable(corpus_dir, "88BAGHDAD28.html")
    assert cable.marking == "CONFIDENTIAL"  # the reader still reports the page's word
    derived = derive_marking(cable)
    assert derived.marking == Marking(Level.S)
    assert derived.marking.banner() == "SECRET"
    assert len(derived.disagreements) == 1
    note = derived.disagreements[0]
    assert note.startswith("page metadata CONFIDENTIAL understates the cable")
    assert "in-text banner SECRET" in note and "subject portion marking SECRET" in note


@pytest.mark.parametrize(
    "name",
    [
        "06CARACAS219.html",  # "S E C R E T SECTION 01 OF 06 ... SECRET NOFORN", ¶ (S//NF)
        "09MEXICO3061.html",  # "S E C R E T SECTION 01 OF 02 MEXICO 003061 / NOFORN"
        "09STATE119085.html",  # "SECRET//NOFORN" caveat line, 42 (S/NF) paragraphs
        "09STATE81957.html",  # "S E C R E T STATE 081957 / NOFORN"
        "09STATE83014.html",  # "S E C R E T STATE 083014 / NOFORN / SENSITIVE"
    ],
)
def test_noforn_in_banner_beats_page_metadata_without_it(corpus_dir: Path, name: str) -> None:
    cable = corpus_cable(corpus_dir, name)
    assert cable.marking == "SECRET"  # the table's word
    derived = derive_marking(cable)
    assert derived.marking.banner() == "SECRET//NOFORN"
    assert derived.marking.noforn
    assert [n.split(" understates")[0] for n in derived.disagreements] == ["page metadata SECRET"]


def test_secret_paragraph_raises_a_confidential_cable(corpus_dir: Path) -> None:
    # Table and banner say CONFIDENTIAL; paragraph 14 is "(S) Senator Tom Udall asked ...".
    derived = derive_marking(corpus_cable(corpus_dir, "09DAMASCUS179.html"))
    assert derived.marking.banner() == "SECRET"
    assert len(derived.disagreements) == 2  # both the page and the banner understate it
    assert all("highest paragraph marking SECRET" in n for n in derived.disagreements)
    assert all("14" not in n for n in derived.disagreements)  # no paragraph numbers


def test_garbled_banner_leaves_page_and_paragraphs(corpus_dir: Path) -> None:
    # "CSE C R E T SECTION 01 OF 02 SHENYANG 000004" is no banner the reader can trust; the
    # table says CONFIDENTIAL and the paragraphs are (S) and (S/NF).
    derived = derive_marking(corpus_cable(corpus_dir, "09MOSCOW1108.html"))
    assert derived.marking.banner() == "SECRET//NOFORN"


def test_stricter_page_metadata_beats_a_confidential_banner(corpus_dir: Path) -> None:
    # Table SECRET//NOFORN, text "C O N F I D E N T I A L", paragraphs (C).
    derived = derive_marking(corpus_cable(corpus_dir, "09TBILISI1123.html"))
    assert derived.marking.banner() == "SECRET//NOFORN"
    assert derived.disagreements[0].startswith("in-text banner CONFIDENTIAL understates")


def test_subject_portion_marking_is_a_source(corpus_dir: Path) -> None:
    # "SUBJECT: (C/NF) WHO WOULD REPLACE GORDON BROWN ..." under a CONFIDENTIAL banner.
    cable = corpus_cable(corpus_dir, "08LONDON1991.html")
    assert cable.marking_sources["subject"] == "C/NF"
    assert derive_marking(cable).marking.banner() == "CONFIDENTIAL//NOFORN"


def test_agreeing_sources_give_no_notice(seed_text: str) -> None:
    derived = derive_marking(parse_cable(seed_text))  # 08BEIJING1050, SECRET throughout
    assert derived.marking.banner() == "SECRET"
    assert derived.disagreements == ()


def test_subject_portion_alone_raises_the_level() -> None:
    derived = cable_marking(banner="CONFIDENTIAL", subject="S", paragraphs=["C", None, "U"])
    assert derived.marking == Marking(Level.S)
    assert derived.disagreements == (
        "in-text banner CONFIDENTIAL understates the cable "
        "(subject portion marking SECRET): marked SECRET",
    )


def test_no_readable_level_anywhere_is_kept_secret() -> None:
    assert cable_marking(banner="RESTRICTED", paragraphs=["C"]).marking == Marking(Level.S)
    assert cable_marking(paragraphs=["TS"]).marking == Marking(Level.TS)


def test_sbu_paragraphs_mark_an_unclassified_cable_for_official_use_only() -> None:
    derived = cable_marking(page="UNCLASSIFIED", banner="UNCLASSIFIED", paragraphs=["SBU", "U"])
    assert derived.marking.banner() == "UNCLASSIFIED//FOR OFFICIAL USE ONLY"
    # ... and say nothing more once the cable is classified.
    assert cable_marking(banner="CONFIDENTIAL", paragraphs=["SBU"]).marking == Marking(Level.C)


def test_strictest_keeps_only_releasability_every_part_has() -> None:
    chn = Marking(Level.C, rel_to=frozenset({"CHN", "GBR"}), shared=True)
    gbr = Marking(Level.U, rel_to=frozenset({"GBR"}), shared=True)
    assert strictest([chn, gbr]) == Marking(Level.C, rel_to=frozenset({"GBR"}), shared=True)
    unmarked = Marking(Level.U)
    assert strictest([chn, unmarked]) == Marking(Level.C)
    noforn = Marking(Level.U, frozenset({NOFORN, "SBU"}))
    assert strictest([chn, noforn]) == Marking(Level.C, frozenset({NOFORN}))
    with pytest.raises(ValueError):
        strictest([])


def test_unmarked_paragraph_takes_the_derived_marking_and_is_not_releasable() -> None:
    derived = cable_marking(page="SECRET", banner="SECRET//NOFORN").marking
    assert paragraph_marking(None, derived) == Marking(Level.S, frozenset({NOFORN}))
    released = Marking(Level.C, rel_to=frozenset({"CHN"}), shared=True)
    assert paragraph_marking(None, released) == Marking(Level.C)
