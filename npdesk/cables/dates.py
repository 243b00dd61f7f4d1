"""Dates of a cable: the date-time group, the body's date line, the page's Created cell.

All return ISO 8601 UTC at minute precision (``2008-03-20T11:06:00Z``) or None for an
impossible date; none raises.
"""

from __future__ import annotations

import datetime as dt
import re

MONTHS = {
    name: number
    for number, name in enumerate(
        ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"], 1
    )
}
_PAGE_CREATED = re.compile(r"^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2})")


def iso_minute(year: int, month: int, day: int, hour: int, minute: int) -> str | None:
    """``2008, 3, 20, 11, 6`` → ``2008-03-20T11:06:00Z``; None when there is no such moment."""
    try:
        dt.datetime(year, month, day, hour, minute)  # only checks that the moment exists
    except ValueError:
        return None
    # Formatted by hand (as strftime on Linux: the year unpadded): strftime had been a quarter
    # of the header fields' time.
    return f"{year}-{month:02d}-{day:02d}T{hour:02d}:{minute:02d}:00Z"


def dtg_iso(match: re.Match[str]) -> str | None:
    """A date-time group matched by `npdesk.cables.body.DTG` (``201106Z MAR 08``) → ISO.
    Two-digit years from 50 on are 19xx (the corpus starts in 1966)."""
    month = MONTHS.get(match.group("month").upper())
    if month is None:
        return None
    yy = int(match.group("year"))
    year = 1900 + yy if yy >= 50 else 2000 + yy
    return iso_minute(
        year, month, int(match.group("day")), int(match.group("hour")), int(match.group("minute"))
    )


def date_line_iso(match: re.Match[str]) -> str | None:
    """The body's date line (``Friday, 23 February 2001, 15:53``), matched → ISO."""
    day, month_name, year, hour, minute = match.groups()
    month = MONTHS.get(month_name[:3].upper())
    if month is None:
        return None
    return iso_minute(int(year), month, int(day), int(hour), int(minute))


def page_created(cell: str) -> str | None:
    """The Created cell of a release page (``2001-02-23 15:03``) → ISO."""
    match = _PAGE_CREATED.match(cell)
    if match is None:
        return None
    year, month, day, hour, minute = (int(g) for g in match.groups())
    return iso_minute(year, month, day, hour, minute)
