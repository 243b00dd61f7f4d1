"""The partner government and the level it has agreed to receive.

A bilateral deployment has exactly one partner; its country and agreed level come from
`npdesk.settings` (`NPDESK_PARTNER_COUNTRY`, `NPDESK_PARTNER_LEVEL`), the same source the SQL
visibility rule in `npdesk.store.visibility` reads, so the two cannot disagree.
"""

from __future__ import annotations

from npdesk import settings
from npdesk.security.model import Level


def partner_country() -> str:
    """The partner's ISO alpha-3 country code (`CHN`)."""
    return settings.partner_country()


def agreed_level(country: str | None) -> Level | None:
    """The level `country` has agreed to receive, or None for a country with no agreement
    (whose users then read nothing). An unreadable configured level counts as no agreement."""
    if country is None or country.upper() != settings.partner_country():
        return None
    try:
        return Level.parse(settings.partner_agreed_level())
    except ValueError:
        return None
