"""Country names as lists write them ("Korea, North", "Burma", "Iran") to ISO 3166 alpha-2
codes, so a query's `--country CN` can be compared with an entry's "China"."""

from __future__ import annotations

from functools import lru_cache

import pycountry

# Names pycountry does not resolve by lookup (its official names differ from the lists').
_SPECIAL = {
    "iran": "IR",
    "russia": "RU",
    "north korea": "KP",
    "korea, north": "KP",
    "democratic people's republic of korea": "KP",
    "south korea": "KR",
    "korea, south": "KR",
    "republic of korea": "KR",
    "syria": "SY",
    "burma": "MM",
    "venezuela": "VE",
    "bolivia": "BO",
    "tanzania": "TZ",
    "vietnam": "VN",
    "laos": "LA",
    "moldova": "MD",
    "taiwan": "TW",
    "palestinian": "PS",
    "west bank": "PS",
    "gaza": "PS",
    "kosovo": "XK",
    "democratic republic of the congo": "CD",
    "congo, democratic republic of the": "CD",
    "turkey": "TR",
    "czech republic": "CZ",
    "macau": "MO",
    "brunei": "BN",
    "ivory coast": "CI",
    "cote d'ivoire": "CI",
    "region: crimea": "UA",
    "crimea": "UA",
}


@lru_cache(maxsize=4096)
def country_code(text: str) -> str | None:
    """The alpha-2 code for a country name or code (case-insensitive), or None when unknown.
    Never raises."""
    key = text.strip().casefold()
    if not key:
        return None
    if key in _SPECIAL:
        return _SPECIAL[key]
    try:
        country = pycountry.countries.lookup(key)
    except LookupError:
        return None
    return str(country.alpha_2)
