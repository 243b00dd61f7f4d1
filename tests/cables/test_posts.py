"""The table of posts (npdesk/cables/data/posts.json): every station of the corpus is known,
and every reference of the corpus that names a cable resolves to a known station."""

from __future__ import annotations

import json
import re
from importlib import resources

import pytest

from npdesk.cables.posts import known_station, post_table, station_code
from tests.cables.conftest import CorpusPage

_ID = re.compile(r"^(\d{2})([A-Z]+?)(\d+)$")
# References in the corpus that name a cable whose station cannot be known: a delegation's
# series without its name (06ABUDHABI1401 "USDEL 00007") and a redacted station
# (10SHENYANG4 "09 XXXXXXXXXXXX 167").
GENUINELY_UNRESOLVABLE = {"USDEL 00007", "09 XXXXXXXXXXXX 167"}


def test_table_has_source_version_and_unique_codes() -> None:
    raw = json.loads(
        resources.files("npdesk.cables").joinpath("data/posts.json").read_text(encoding="utf-8")
    )
    assert raw["source"] and raw["version"]
    codes = [post["code"] for post in raw["posts"]]
    assert len(codes) == len(set(codes))
    assert all(re.fullmatch(r"[A-Z]+", code) for code in codes)


@pytest.mark.parametrize(
    ("written", "year", "code"),
    [
        ("BUENOS AIRES", None, "BUENOSAIRES"),
        ("BUENOS AIR", None, "BUENOSAIRES"),  # cut to ten letters as in section markers
        ("RIO", None, "RIODEJANEIRO"),  # 09RIODEJANEIRO353 "RIO 346"
        ("Rio de Janeiro", None, "RIODEJANEIRO"),
        ("SAO PAULO", None, "SAOPAULO"),
        ("PORT AU PRINCE", None, "PORTAUPRINCE"),
        ("Port-au-Prince", None, "PORTAUPRINCE"),
        ("ADDIS", None, "ADDISABABA"),
        ("HCMC", None, "HOCHIMINHCITY"),
        ("HO CHI MINH CITY", None, "HOCHIMINHCITY"),
        ("USUN NEW YORK", None, "USUNNEWYORK"),
        ("USUN NY", None, "USUNNEWYORK"),
        ("USEU BRUSSELS", None, "BRUSSELS"),  # 09BRUSSELS1032 is FM USEU BRUSSELS
        ("USNATO", None, "USNATO"),
        ("USMISSION USNATO", None, "USNATO"),
        ("UNESCO PARIS", None, "UNESCOPARISFR"),
        ("UNVIE", None, "UNVIEVIENNA"),  # 09UNVIEVIENNA553 "UNVIE 544"
        ("SECSTATE", None, "STATE"),
        ("SECSTATE WASHDC", None, "STATE"),
        ("STATE", None, "STATE"),
        ("DEPTEL", None, "STATE"),
        ("SECDEF WASHDC", None, "SECDEF"),
        ("IRPO DUBAI", None, "RPODUBAI"),  # 09ISTANBUL83
        ("DUBAI RPO", None, "RPODUBAI"),  # 09RPODUBAI379
        ("CASA", None, "CASABLANCA"),  # 08CASABLANCA81 "05 CASA 1220"
        ("AMEMBASSY TEL AVIV", None, "TELAVIV"),
        ("AMCONSUL RIO DE JANEIRO", None, "RIODEJANEIRO"),
        ("BOMBAY", None, "MUMBAI"),
        ("YANGON", None, "RANGOON"),
        ("KIEV", "05", "KIEV"),  # the post's ids read KIEV up to 2006
        ("KIEV", "09", "KYIV"),
        ("WHITE HOUSE", None, "WHITEHOUSE"),  # 09BAGHDAD1104 "WHITE HOUSE 853"
        ("POINTS", None, None),
        ("BURDICK", None, None),
    ],
)
def test_written_forms(written: str, year: str | None, code: str | None) -> None:
    assert station_code(written, year) == code


@pytest.mark.corpus
def test_every_corpus_station_is_known(parsed_corpus: list[CorpusPage]) -> None:
    unknown = set()
    for page in parsed_corpus:
        match = _ID.match(page.page.reference_id)
        assert match, page.name
        station = match.group(2)
        if not known_station(station) or station_code(station) != station:
            unknown.add(station)
    assert unknown == set()


@pytest.mark.corpus
def test_every_fm_origin_resolves_to_its_id_station(parsed_corpus: list[CorpusPage]) -> None:
    wrong = []
    for page in parsed_corpus:
        station = _ID.match(page.page.reference_id).group(2)  # type: ignore[union-attr]
        if page.cable.origin and station_code(page.cable.origin) != station:
            wrong.append((page.name, page.cable.origin, station))
    # 88BAGHDAD28 is a 2009 State cable under a 1988 Baghdad header (see test_corpus).
    assert [w for w in wrong if w[0] != "88BAGHDAD28.html"] == []


@pytest.mark.corpus
def test_every_cited_cable_resolves_to_a_known_station(parsed_corpus: list[CorpusPage]) -> None:
    cited = resolved = 0
    unresolved = []
    for page in parsed_corpus:
        for reference in page.cable.references:
            if reference.id is not None:
                cited += 1
                match = _ID.match(reference.id)
                if match and known_station(match.group(2)):
                    resolved += 1
                else:
                    unresolved.append((page.name, reference.text))
            elif (
                re.match(r"^(?:\(?\d{2,4}\)?\s+)?[A-Z]+(?: [A-Z]+){0,2}\s\d{3,7}$", reference.text)
                and reference.text not in GENUINELY_UNRESOLVABLE
            ):
                unresolved.append((page.name, reference.text))
    print(f"\ncited cables with a known station: {resolved} of {cited}")
    assert unresolved == []
    assert cited >= 990 and resolved == cited
    assert len(post_table().posts) >= 250
