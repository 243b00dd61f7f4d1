"""The reader on real cables: each test names the page of ../shared/corpus/cablegate-2010 it reads
and the variety it stands for."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from npdesk.cables import Cable, parse_cable

Reader = Callable[[str], Cable]


@pytest.fixture(scope="module")
def page(corpus_dir: Path) -> Reader:
    def read(name: str) -> Cable:
        return parse_cable((corpus_dir / name).read_text(encoding="utf-8"))

    return read


def test_spaced_banner_old_reasons_and_yearless_refs(page: Reader) -> None:
    cable = page("01PRETORIA1173.html")  # EO 12958 DECL without colon, REF A.-H. on one line
    assert cable.source_format == "html"
    assert cable.created == "2001-02-23T15:53:00Z"
    assert cable.precedence == "IMMEDIATE"
    assert cable.classification == "CONFIDENTIAL"
    assert cable.tags == ["PREL", "PGOV", "SF"]
    assert cable.declassify_on == "2011-02-22"
    assert [r.id for r in cable.references] == [
        "99PRETORIA12315",
        "99PRETORIA12316",
        "00PRETORIA9150",
        "00CAPETOWN2150",
        "01PRETORIA425",
        "01PRETORIA533",
        "01CAPETOWN179",
        "01PRETORIA619",
    ]
    assert cable.classified_by == "AMBASSADOR DELANO E. LEWIS"
    assert cable.reasons == ["1.5(b)", "1.5(d)"]  # "REASONS 1.5 (B) AND (D)."
    assert [r.to_dict() for r in cable.recipients] == [
        {"route": "TO", "name": "SECSTATE WASHDC", "precedence": "IMMEDIATE", "serial": "7691"},
        {
            "route": "INFO",
            "name": "SOUTHERN AFRICAN DEVELOPMENT COMMUNITY",
            "precedence": "PRIORITY",
            "serial": None,
        },
    ]
    assert [p.number for p in cable.paragraphs] == list(range(1, 10))
    assert {p.classification for p in cable.paragraphs} == {"C"}
    assert cable.summary is not None
    assert cable.summary.startswith("RECENT ACTIONS AND STATEMENTS BY PRESIDENT MBEKI")
    assert "SUMMARY" not in cable.summary
    assert cable.signers == ["LEWIS"]


def test_1966_cable_with_nara_declassification(page: Reader) -> None:
    cable = page("66BUENOSAIRES2481.html")  # "P R 281848Z DEC 66", INFO list without prefixes
    assert cable.created == "1966-12-28T18:48:00Z"
    assert cable.precedence == "PRIORITY"
    assert cable.marking == "UNCLASSIFIED"
    assert cable.recipients[0].name == "SECSTATE WASHDC"
    assert [r.name for r in cable.recipients if r.route == "INFO"][:3] == [
        "USCINCSO",
        "CINCLANT",
        "AMEMBASSY RIO DE JANEIRO",
    ]
    assert cable.declassify_on is None
    assert cable.declassify_raw == "DECLASSIFIED BY NARA 09/02/2009"
    # "REF: STATE 106206 CIRCULAR; STATE CA-3400 NOV 2, 1966": a cable and a circular airgram.
    assert [(r.id, r.text) for r in cable.references] == [
        ("66STATE106206", "STATE 106206 CIRCULAR"),
        (None, "STATE CA-3400 NOV 2, 1966"),
    ]
    assert [p.number for p in cable.paragraphs] == list(range(1, 9))  # "GP-3" is no paragraph
    assert cable.signers == ["SACCIO"]


def test_eo_11652_gds_and_unnumbered_summary(page: Reader) -> None:
    cable = page("75TEHRAN2069.html")
    assert cable.executive_order == "11652"
    assert (cable.declassify_on, cable.declassify_raw) == (None, "GDS")
    assert cable.paragraphs[0].number is None
    assert cable.summary is not None
    assert cable.summary.startswith("CREATION OF IRANIAN RESURGENCE PARTY")
    assert cable.summary.endswith("LEAVE IMPLEMENTATION TO GOVERNMENT.")


def test_teletype_pages_and_repeated_sections_leave_no_garbage(page: Reader) -> None:
    cable = page("90CAPETOWN97.html")  # PAGE 02 headers, routing repeated for each section
    assert cable.executive_order == "12356"
    assert cable.declassify_raw == "OADR"
    assert [r.serial for r in cable.recipients if r.route == "TO"] == ["5365"]
    for paragraph in cable.paragraphs:
        assert not paragraph.text.startswith(("TO ", "FM ", "SUBJECT", "PAGE ")), paragraph
        assert "CAPE T  00097" not in paragraph.text and "182017Z" not in paragraph.text
    numbers = [p.number for p in cable.paragraphs if p.number is not None]
    assert numbers == list(range(1, len(numbers) + 1))
    assert "WHERE WILL MANDELA BE RELEASED?" in [p.text for p in cable.paragraphs]
    assert cable.signers == ["BAQUET"]


def test_section_markers_do_not_cut_paragraphs(page: Reader) -> None:
    cable = page("09MADRID869.html")  # "MADRID 00000869 002.2 OF 004" inside paragraph 4
    fourth = next(p for p in cable.paragraphs if p.number == 4)
    assert "the Troika defendants directed from Spain" in fourth.text
    assert "to assure partners that their illicit deals would proceed as planned" in fourth.text
    assert not any("00000869" in p.text for p in cable.paragraphs)
    headings = [p.text for p in cable.paragraphs if p.number is None]
    assert "//Op Troika and its Updates//" in headings
    assert cable.signers == ["CHACON"]  # signature glued to the last sentence


def test_lower_case_cable_with_person_in_tags(page: Reader) -> None:
    cable = page("09BEIJING2963.html")  # "S e c r e t section 01 of 02 beijing 002963"
    assert cable.marking == "SECRET"
    assert cable.warnings == []  # the text alone gives the page's id and marking
    assert cable.tags[:4] == ["OVIP", "STEINBERG, JAMES B.", "PREL", "PARM"]
    assert "IR" in cable.tags and "KN" in cable.tags  # the TAGS line wraps after "econ,"
    assert cable.tag_persons == ["STEINBERG, JAMES B."]
    assert cable.declassify_raw == "after korean unification"
    assert cable.reasons == ["1.4(b)", "1.4(d)"]  # "Reasons 1." / "4 (b) and (d)."
    assert cable.subject == (
        "deputy secretary steinberg's meeting with xxxxx foreign minister he yafei, "
        "september 29, 2009"
    )
    assert cable.summary is not None and not cable.summary.startswith("Summary")


def test_reasons_spelled_as_letters_in_parentheses(page: Reader) -> None:
    cable = page("04ANKARA7211.html")  # "(U) Classified by ...; reasons: E.O. 12958 1.4 (a,b,c,d)."
    assert cable.classified_by == "Ambassador Eric Edelman"
    assert cable.reasons == ["1.4(a)", "1.4(b)", "1.4(c)", "1.4(d)"]
    assert cable.subject == (
        "ERDOGAN AND AK PARTY AFTER TWO YEARS IN POWER: TRYING TO GET A GRIP ON THEMSELVES, "
        "ON TURKEY, ON EUROPE"
    )


def test_misplaced_paragraph_anchor(page: Reader) -> None:
    cable = page("06MADRID2335.html")  # "on September" / "¶15. Charge told..." is a date
    assert [p.number for p in cable.paragraphs][:3] == [1, 2, 3]
    assert "on September 15. Charge told Torrente" in cable.paragraphs[0].text


def test_noforn_cable_with_recipients_and_iso_style_decl(page: Reader) -> None:
    cable = page("10ABUDHABI9.html")
    assert cable.marking == "SECRET//NOFORN"
    assert cable.declassify_on == "2035-01-07"  # "DECL: 2035/01/07"
    assert cable.reasons == ["1.4(b)", "1.4(d)"]  # "REASON: 1.4(B), (D)"
    assert [(r.route, r.name, r.serial) for r in cable.recipients[:3]] == [
        ("TO", "DEPT OF TREASURY WASHINGTON DC", None),
        ("TO", "CIA WASHINGTON DC", None),
        ("TO", "SECSTATE WASHDC", "0096"),
    ]
    assert cable.paragraphs[0].text == "Summary"
    assert cable.paragraphs[0].classification == "S/NF"  # "(S//NF) Summary"
    assert {p.classification for p in cable.paragraphs if p.number} == {"S/NF"}
    # A heading on its own line right after paragraph 3, with no blank line around it.
    assert "Taliban/Haqqani Network" in [p.text for p in cable.paragraphs if p.number is None]


def test_double_labels_and_reasons_after_a_blank_line(page: Reader) -> None:
    cable = page("05SOFIA1207.html")  # "REF: A. A. STATE 99125  B. B. SOFIA 1046"
    assert [(r.label, r.id) for r in cable.references] == [
        ("A", "05STATE99125"),
        ("B", "05SOFIA1046"),
    ]
    assert cable.classified_by == "AMBASSADOR JAMES PARDEW"
    assert cable.reasons == ["1.4(c)"]  # "FOR REASON" / "" / "1.4(C)."
    assert cable.subject == "BULGARIAN ORGANIZED CRIME (C-CN5-00054)"  # "(U)" dropped


def test_unclassified_sensitive_is_for_official_use_only(page: Reader) -> None:
    cable = page("09SAOPAULO660.html")  # "UNCLAS", then "SENSITIVE", "SIPDIS"
    assert cable.marking == "UNCLASSIFIED//FOR OFFICIAL USE ONLY"
    assert cable.warnings == []
    assert cable.handling == ["SIPDIS"]
    # "REF: BRASILIA 1250; RECIFE 66; (08) SAO PAULO 581"
    assert [r.id for r in cable.references] == ["09BRASILIA1250", "09RECIFE66", "08SAOPAULO581"]


def test_page_table_wins_and_the_disagreement_is_recorded(page: Reader) -> None:
    cable = page("88BAGHDAD28.html")  # a 1988 Baghdad header over a 2009 State text
    assert cable.id == "88BAGHDAD28"
    assert cable.marking == "CONFIDENTIAL"
    assert any("88STATE68250" in w for w in cable.warnings)
    assert any("SECRET" in w for w in cable.warnings)


def test_truncated_page_keeps_its_two_line_subject(page: Reader) -> None:
    cable = page("09BERLIN1273.html")  # the page stops inside the subject
    assert cable.subject == (
        "GERMANS MAY BE WILLING TO SURGE IN AFGHANISTAN, BUT MUCH DEPENDS ON RESULT..."
    )
    assert cable.paragraphs == []


def test_redaction_lines_do_not_end_the_header(page: Reader) -> None:
    cable = page("10BEIJING207.html")  # "XXXXXXXXXXXX" between REF and Classified By
    assert cable.classified_by == "DCM Robert Goldberg"
    assert cable.reasons == ["1.4(b)", "1.4(d)"]
    assert not any(p.text.startswith("Classified By") for p in cable.paragraphs)


def test_page_that_repeats_its_whole_header(page: Reader) -> None:
    cable = page("09ISLAMABAD3037.html")  # date line, banner, TAGS, SUBJECT... all twice
    assert cable.subject == (
        "BALOCH REQUEST UNHCR FACILITATE MOVEMENT OF BRAHMDAGH BUGTI TO IRELAND"
    )
    assert cable.classified_by == "Ambassador Anne W. Patterson"
    assert cable.reasons == ["1.4(b)", "1.4(d)"]
    assert [p.number for p in cable.paragraphs][:3] == [1, 2, 3]


def test_doubled_subject_keyword_and_subject_cut_by_a_blank_line(page: Reader) -> None:
    assert page("09KABUL1239.html").subject == "AFGHANISTAN: A SNAPSHOT OF THE NORTHEAST"
    cable = page("09LONDON290.html")
    assert cable.subject == (
        "FCO WELCOMES EXECUTIVE ORDERS ON DETAINEE POLICY; WILL SHARE UK EXPERIENCE "
        "RESETTLING DETAINEES WITH OTHER GOVERNMENTS, BUT NOT TAKE MORE DETAINEES"
    )
    assert [(r.label, r.id) for r in cable.references] == [("A", "09STATE6516"), ("B", None)]


def test_ref_on_the_subject_line_and_markers_inside_sentences(page: Reader) -> None:
    cable = page("08BRASILIA1378.html")  # "SUBJECT: ... 2008 REF: BRASILIA 1159 BRASILIA 0..."
    assert cable.subject == "BRAZIL DEFORESTATION UPDATE - OCTOBER, 2008"
    assert [(r.id, r.text) for r in cable.references] == [("08BRASILIA1159", "BRASILIA 1159")]
    text = " ".join(p.text for p in page("10MOSCOW228.html").paragraphs)
    assert "MinFin understands that this would entail" in text  # "this MOSCOW 00000228 002 OF"


@pytest.mark.parametrize(
    ("name", "signer"),
    [
        ("08BERLIN643.html", "Timken jr"),  # a lower-case suffix
        ("09PRETORIA954.html", "LA LIME"),  # two words glued to the last sentence
        ("10KUWAIT45.html", "jones"),  # lower case, alone after a rule of asterisks
        ("10USNATO52.html", "HEFFERN"),  # glued after "END TEXT"
        ("09SAOPAULO487.html", "WHITE"),  # followed by a newspaper's print stamp and "ID:"
        ("05SOFIA1207.html", "PARDEW"),  # "PARDEW PARDEW"
    ],
)
def test_signature_forms(page: Reader, name: str, signer: str) -> None:
    cable = page(name)
    assert cable.signers == [signer]
    assert not cable.paragraphs[-1].text.endswith(signer)
