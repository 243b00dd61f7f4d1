"""Which side of the cooperation a phrase speaks for: home (us) or partner (the host country).

Cables write "we", "the Embassy", "PolMinCouns", "the U.S." for the home side and "China",
"the PRC", "the GOC", "the MFA" for the partner. Country names come from pycountry so any
host country works; the home country (the United States) is excluded.
"""

from __future__ import annotations

import re
from functools import lru_cache

import pycountry

from npdesk.extract.entities import Side
from npdesk.extract.persons import HOME_OFFICES

_HOME_WORDS = (
    r"(?i:we|our|us)|U\.S\.|USG|United States|Washington|Embassy|Mission|Post|Department"
    r"|Secretary|Codel|Delegation|USDEL|American side|U\.S\. side"
)
# Demonyms that do not follow from the country name by rule; enough for the usual partners.
_DEMONYMS = (
    "Chinese",
    "Russian",
    "Turkish",
    "Indian",
    "Pakistani",
    "Iranian",
    "Korean",
    "Japanese",
    "Brazilian",
    "Spanish",
    "German",
    "French",
    "Israeli",
    "Egyptian",
    "Saudi",
    "Emirati",
    "Ukrainian",
    "Kazakh",
    "Malaysian",
    "Singaporean",
    "Thai",
    "Vietnamese",
    "Indonesian",
    "Philippine",
    "Mexican",
    "Argentine",
    "Colombian",
    "Venezuelan",
    "Syrian",
    "Iraqi",
    "Jordanian",
    "Lebanese",
    "Italian",
    "British",
    "Dutch",
    "Belgian",
    "Swiss",
    "Swedish",
    "Polish",
    "Czech",
    "Hungarian",
    "Romanian",
    "Bulgarian",
    "Greek",
    "Cypriot",
    "Taiwanese",
    "South African",
    "Nigerian",
    "Kenyan",
)
_PARTNER_WORDS = (
    r"PRC|DPRK|ROK|GO[A-Z]{1,3}|MFA|MOFCOM|MFA's|Foreign Ministry|host government"
    r"|Ministry(?: of [A-Z][a-z]+)*|Chinese side|the government|Beijing|Moscow|Ankara|Tehran"
)


@lru_cache(maxsize=1)
def _country_names() -> list[str]:
    names = set()
    for country in pycountry.countries:
        if country.alpha_2 == "US":
            continue
        for attr in ("name", "common_name"):
            value = getattr(country, attr, None)
            if value and "," not in value and "(" not in value:
                names.add(value)
    return sorted(names, key=len, reverse=True)


@lru_cache(maxsize=1)
def _markers() -> re.Pattern[str]:
    home = "|".join([_HOME_WORDS, *map(re.escape, HOME_OFFICES)])
    partner = "|".join(
        [_PARTNER_WORDS, *map(re.escape, _country_names()), *map(re.escape, _DEMONYMS)]
    )
    return re.compile(rf"(?<![\w.])(?:(?P<home>{home})|(?P<partner>{partner}))(?![\w])")


def side_markers(text: str) -> list[tuple[int, int, Side]]:
    """Every side marker in `text` as (start, end, side), in order."""
    found: list[tuple[int, int, Side]] = []
    for match in _markers().finditer(text):
        side: Side = "home" if match.group("home") else "partner"
        found.append((match.start(), match.end(), side))
    return found


def side_of_word(word: str) -> Side | None:
    """The side a single word or phrase names, or None."""
    match = _markers().fullmatch(word.strip())
    if match is None:
        return None
    return "home" if match.group("home") else "partner"
