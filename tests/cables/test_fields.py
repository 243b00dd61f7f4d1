"""Field readers on the forms real cables use (examples quoted from corpus pages, named)."""

from __future__ import annotations

import pytest

from npdesk.cables import parse_cable
from npdesk.cables.authority import parse_executive_order, parse_reasons, split_classified_by
from npdesk.cables.markings import normalize_portion, parse_banner, read_marking_line
from npdesk.cables.parser import clean_subject, make_id, parse_tags
from npdesk.cables.references import cable_id, parse_references


@pytest.mark.parametrize(
    ("text", "reasons"),
    [
        ("Reasons 1.4 (b/d).", ["1.4(b)", "1.4(d)"]),  # seed
        ("REASONS 1.5 (B) AND (D).", ["1.5(b)", "1.5(d)"]),  # 01PRETORIA1173
        ("reasons 1.4(B) AND (D)", ["1.4(b)", "1.4(d)"]),
        ("REASONS 1.4 B, D", ["1.4(b)", "1.4(d)"]),
        ("reasons: E.O. 12958 1.4 (a,b,c,d).", ["1.4(a)", "1.4(b)", "1.4(c)", "1.4(d)"]),
        ("for reasons 1.4 (b), (c), and (d).", ["1.4(b)", "1.4(c)", "1.4(d)"]),
        ("REASON: 1.4(B), (D)", ["1.4(b)", "1.4(d)"]),  # 10ABUDHABI9
        ("Reasons 1. 4 (b) and (d).", ["1.4(b)", "1.4(d)"]),  # 09BEIJING2963, wrapped
        ("for Reasons 1:4 b,d", ["1.4(b)", "1.4(d)"]),  # 09KABUL1892
        ("reasons 1.4 (b & d)", ["1.4(b)", "1.4(d)"]),
        ("for reasons b, d.", ["1.4(b)", "1.4(d)"]),  # 07BUENOSAIRES1888: no section
        ("", []),
    ],
)
def test_reasons(text: str, reasons: list[str]) -> None:
    assert parse_reasons(text) == reasons


def test_classified_by_splits_authority_from_reasons() -> None:
    assert split_classified_by(
        "Political Minister Counselor Aubrey Carlson. Reasons 1.4 (b/d)."
    ) == (
        "Political Minister Counselor Aubrey Carlson",
        ["1.4(b)", "1.4(d)"],
    )
    assert split_classified_by("CHARGE STUART E.JONES, REASONS 1.5 B AND D")[0] == (
        "CHARGE STUART E.JONES"
    )
    assert split_classified_by("Charge J. Robert Manzanares per 1.5 (b) and (d).") == (
        "Charge J. Robert Manzanares",
        ["1.5(b)", "1.5(d)"],
    )
    # 06PARIS2069.html wraps the word: "FOR REAS" / "ONS 1.4 B/D"
    assert split_classified_by("JOSIAH ROSENBLATT, FOR REAS ONS 1.4 B/D") == (
        "JOSIAH ROSENBLATT",
        ["1.4(b)", "1.4(d)"],
    )
    # 09TUNIS492.html, 06CARACAS958.html, 09ISTANBUL440.html
    assert split_classified_by(
        "Ambassador Robert F. Godec for E.O. 12958 reasons 1.4 (b ) and (d)."
    ) == (
        "Ambassador Robert F. Godec",
        ["1.4(b)", "1.4(d)"],
    )
    assert split_classified_by("POLITICAL COUNSELOR ROBERT R. DOWNES FOR 1.4 (D)")[0] == (
        "POLITICAL COUNSELOR ROBERT R. DOWNES"
    )
    assert split_classified_by("Deputy Principal Officer Win Dayton; Rea son 1.5 (d).") == (
        "Deputy Principal Officer Win Dayton",
        ["1.5(d)"],
    )
    assert split_classified_by("Derived from Multiple Sources") == (
        "Derived from Multiple Sources",
        [],
    )


@pytest.mark.parametrize(
    ("line", "order", "on", "raw"),
    [
        ("E.O. 12958: DECL: 03/20/2033", "12958", "2033-03-20", "03/20/2033"),
        ("EO 12958 DECL: 02/22/2011", "12958", "2011-02-22", "02/22/2011"),
        ("E.O. 12958: DECL: 2035/01/07 TAGS: ECON", "12958", "2035-01-07", "2035/01/07"),
        ("EO 12958 DECL: 1/3/2019", "12958", "2019-01-03", "1/3/2019"),
        ("E.O. 12356: DECL: OADR", "12356", None, "OADR"),
        ("E.O. 11652: GDS", "11652", None, "GDS"),
        ("E.O. 12065: DECL: 1.6X1", "12065", None, "1.6X1"),
        ("E.O. 12958: N/A", "12958", None, "N/A"),
        ("E.O. 12958: DECL: 13/45/2033", "12958", None, "13/45/2033"),
        ("DEPT FOR WHA/BSC E.O. 12958: DECL: 11/22/2012", "12958", "2012-11-22", "11/22/2012"),
    ],
)
def test_executive_order_line(line: str, order: str, on: str | None, raw: str) -> None:
    found = parse_executive_order(line)
    assert found is not None
    assert (found.order, found.declassify_on, found.raw) == (order, on, raw)


@pytest.mark.parametrize(
    ("line", "level", "caveats", "station", "serial", "section"),
    [
        ("S E C R E T BEIJING 001050", "SECRET", (), "BEIJING", "1050", None),
        ("C O N F I D E N T I A L SECTION 01 OF 04 BRASILIA 004227", "CONFIDENTIAL", (),
         "BRASILIA", "4227", (1, 4)),
        ("UNCLAS ANKARA 008150", "UNCLASSIFIED", (), "ANKARA", "8150", None),
        ("UNCLAS SECTION 01 OF 02 RIO DE JANEIRO 001238", "UNCLASSIFIED", (),
         "RIO DE JANEIRO", "1238", (1, 2)),
        ("S e c r e t section 01 of 02 beijing 002963", "SECRET", (), "BEIJING", "2963", (1, 2)),
        ("SECRET NOFORN", "SECRET", ("NOFORN",), None, None, None),
        ("SBU", "UNCLASSIFIED", ("FOR OFFICIAL USE ONLY",), None, None, None),
        ("UUNCLAS MANAGUA 000123", "UNCLASSIFIED", (), "MANAGUA", "123", None),
        ("SS E C R E T MOSCOW 000226", "SECRET", (), "MOSCOW", "226", None),  # 09MOSCOW226
        ("S E C R E T BOGOTA 000243 SIPDIS NOFORN", "SECRET", ("NOFORN",), "BOGOTA", "243",
         None),  # 10BOGOTA243
    ],
)  # fmt: skip
def test_banner(
    line: str,
    level: str,
    caveats: tuple[str, ...],
    station: str | None,
    serial: str | None,
    section: tuple[int, int] | None,
) -> None:
    banner = parse_banner(line)
    assert banner is not None
    assert (banner.level, banner.caveats, banner.station, banner.serial, banner.section) == (
        level,
        caveats,
        station,
        serial,
        section,
    )


def test_not_a_banner() -> None:
    assert parse_banner("SECRETARY RICE MET THE MINISTER ON 12 MAY") is None
    assert parse_banner("Secret talks continued in Geneva and elsewhere and beyond 5") is None


def test_marking_lines() -> None:
    assert read_marking_line("SIPDIS") == ([], ["SIPDIS"])
    assert read_marking_line("NOFORN") == (["NOFORN"], [])
    assert read_marking_line("SENSITIVE BUT UNCLASSIFIED") == (["FOR OFFICIAL USE ONLY"], [])
    # 09STATE15113.html
    assert read_marking_line("NOFORN, NOT FOR INTERNET DISTRIBUTION") == (["NOFORN"], [])
    assert read_marking_line("SIPDIS NOFORN") == (["NOFORN"], ["SIPDIS"])
    assert read_marking_line("SENSITIVE ISSUES WERE DISCUSSED") is None


@pytest.mark.parametrize(
    ("raw", "normalized"),
    [
        ("S", "S"),
        ("C", "C"),
        ("U", "U"),
        ("SBU", "SBU"),
        ("S/NF", "S/NF"),
        ("S//NF", "S/NF"),
        ("C-NF", "C/NF"),
        ("C/NOFORN", "C/NF"),
        ("U//FOUO", "U/FOUO"),
        ("S/REL UK", "S/REL UK"),
        ("s", "S"),
        ("U.S.", None),
        ("see below", None),
    ],
)
def test_portion_markings(raw: str, normalized: str | None) -> None:
    assert normalize_portion(raw) == normalized


def test_tags_with_persons_typos_and_mixed_separators() -> None:
    assert parse_tags("[PARM] PREL, ETTC  CH") == (["PARM", "PREL", "ETTC", "CH"], [])
    # A person named in a TAGS line is one tag, in its place (09BEIJING2963.html).
    assert parse_tags("OVIP (STEINBERG, JAMES B.), PREL, mnuc, PREL") == (
        ["OVIP", "STEINBERG, JAMES B.", "PREL", "MNUC"],
        ["STEINBERG, JAMES B."],
    )
    assert parse_tags("PREL, PGOV, PINR, PBTS, EUN, USEU BRUSSELS")[0][-2:] == [
        "USEU",
        "BRUSSELS",
    ]


def test_subject_cleanup() -> None:
    assert clean_subject("FOLLOW-UP ON CHINA  NONPROLIFERATION COOPERATION PLAN") == (
        "FOLLOW-UP ON CHINA NONPROLIFERATION COOPERATION PLAN"
    )
    assert clean_subject("(C) TURKEY: A NEW START") == "TURKEY: A NEW START"
    assert clean_subject("german test chamber sold to iran's dio (s)") == (
        "german test chamber sold to iran's dio"
    )
    assert clean_subject("¶ ") is None


def test_ids() -> None:
    assert make_id("08", "BEIJING", "001050", None) == "08BEIJING1050"
    assert make_id("09", "USUN NEW YORK", "0045", None) == "09USUNNEWYORK45"
    assert make_id("09", None, "12", "AMEMBASSY ABU DHABI") == "09ABUDHABI12"
    assert make_id("09", "SECSTATE", "12", None) == "09STATE12"
    assert make_id(None, "BEIJING", "1", None) is None


def test_references_in_their_many_forms() -> None:
    def ids(block: str) -> list[tuple[str | None, str | None]]:
        return [(r.label, r.id) for r in parse_references(block, "08")]

    assert ids("REF: A. 07 BEIJING 5361 B. BEIJING 463") == [
        ("A", "07BEIJING5361"),
        ("B", "08BEIJING463"),
    ]
    assert ids("REF: (A) STATE 1234 (B) SECSTATE 5678") == [
        ("A", "08STATE1234"),
        ("B", "08STATE5678"),
    ]
    assert ids("REF: A) MOSCOW 12; B) USUN NEW YORK 0045") == [
        ("A", "08MOSCOW12"),
        ("B", "08USUNNEWYORK45"),
    ]
    assert ids("REF: CAIRO 5589 AND PREVIOUS") == [(None, "08CAIRO5589")]  # 05CAIRO5924
    assert ids("REF: BRASILIA 1250; RECIFE 66; (08) SAO PAULO 581") == [
        (None, "08BRASILIA1250"),
        (None, "08RECIFE66"),
        (None, "08SAOPAULO581"),
    ]
    assert ids("REF: STATE 1, STATE 2") == [(None, "08STATE1"), (None, "08STATE2")]
    assert ids("REF: A. A) 04 STATE 274965 B. B) MADRID 156") == [  # 05MADRID171
        ("A", "04STATE274965"),
        ("B", "08MADRID156"),
    ]
    assert ids("REF: NONE") == []
    # Not cables: kept, with id None (05PARIS1699, 08STOCKHOLM494, 07KUWAIT808).
    refs = parse_references(
        "REF: A. PARIS 1610 B. KUJAWINSKI-FRANCE DESK 3/11 E-MAIL C. IIR 6 982 0173 "
        "D. HARRIS/CATO E-MAIL DATED 21-APR-2007",
        "05",
    )
    assert [(r.label, r.id) for r in refs] == [
        ("A", "05PARIS1610"),
        ("B", None),
        ("C", None),
        ("D", None),
    ]
    assert refs[1].text == "KUJAWINSKI-FRANCE DESK 3/11 E-MAIL"
    assert cable_id("2005 MADRID 3528", "09") == "05MADRID3528"


def test_telegram_without_shared_data() -> None:
    """A raw telegram (no web artifacts) with INFO routing indicators and a closing marker."""
    cable = parse_cable(
        "P 051636Z FEB 09\n"
        "FM AMEMBASSY KUWAIT\n"
        "TO RUEHC/SECSTATE WASHDC PRIORITY 2777\n"
        "INFO RUEHZM/GULF COOPERATION COUNCIL COLLECTIVE PRIORITY\n"
        "RHEHNSC/NSC WASHDC PRIORITY\n"
        "BT\n"
        "C O N F I D E N T I A L KUWAIT 000110\n\nNOFORN\nSIPDIS\n\n"
        "E.O. 12958: DECL: 02/05/2019\nTAGS: PREL, KU\nSUBJECT: A TEST\n\n"
        "Classified By: Ambassador Deborah K. Jones for reasons 1.4 b and d\n\n"
        "1. (C/NF) Text.\n\nJONES\n\nEND CABLE TEXT\n"
    )
    assert cable.source_format == "telegram"
    assert cable.id == "09KUWAIT110"
    assert cable.marking == "CONFIDENTIAL//NOFORN"
    assert [(r.route, r.name, r.precedence, r.serial) for r in cable.recipients] == [
        ("TO", "SECSTATE WASHDC", "PRIORITY", "2777"),
        ("INFO", "GULF COOPERATION COUNCIL COLLECTIVE", "PRIORITY", None),
        ("INFO", "NSC WASHDC", "PRIORITY", None),
    ]
    assert cable.paragraphs[0].classification == "C/NF"
    assert cable.signers == ["JONES"]
