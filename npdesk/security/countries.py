"""Releasability codes a user may enter: ISO 3166-1 alpha-3 country codes only.

Markings read from cables keep what the cable says (`REL TO USA, FVEY`, a country's name: see
`npdesk.security.markings.parse_rel_to`). What an officer types when creating or releasing a
record must be a real country's code: anything else (a 10,000-character string, `NATO`, a
typo) would be stored as a releasability no partner matches, or one a partner matches by
accident.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

import pycountry

MAX_CODES = 20


class InvalidRelTo(ValueError):
    """A `rel_to` that is not a list of ISO 3166-1 alpha-3 codes; the message is one line that
    quotes at most the start of the bad value."""


@lru_cache(maxsize=1)
def alpha3_codes() -> frozenset[str]:
    """Every ISO 3166-1 alpha-3 code (from pycountry's copy of the standard)."""
    return frozenset(str(country.alpha_3) for country in pycountry.countries)


def validate_rel_to(codes: Iterable[str]) -> frozenset[str]:
    """The upper-cased codes of `codes`, each checked to be an ISO 3166-1 alpha-3 code (at most
    `MAX_CODES`). Raises `InvalidRelTo` naming the first bad one."""
    found: set[str] = set()
    for raw in codes:
        code = raw.strip().upper()
        if code not in alpha3_codes():
            shown = code[:12] + ("…" if len(code) > 12 else "")
            raise InvalidRelTo(
                f"rel_to: {shown!r} is not an ISO 3166-1 alpha-3 country code (e.g. CHN, USA)"
            )
        found.add(code)
    if len(found) > MAX_CODES:
        raise InvalidRelTo(f"rel_to: at most {MAX_CODES} countries, not {len(found)}")
    return frozenset(found)
