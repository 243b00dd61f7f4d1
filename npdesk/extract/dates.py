"""Dates mentioned in cable prose, resolved against the cable's own date and the tense.

Cables write "March 26", "Dec. 16-17", "mid-April", "in November 2007" or "the January
workshop" and leave the year to the reader. We resolve a bare month or day to the year that
fits the tense of the words around it: past → the latest occurrence not after the cable date,
future → the earliest not before it, otherwise the nearest.

Hand-rolled rather than python-dateutil: dateutil parses one date string at a time and cannot
find dates inside prose, resolve "mid-April" to a range, or use tense to pick the year.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from npdesk.extract.sentences import sentence_at
from npdesk.extract.tense import Tense, tense_at

MONTHS: dict[str, int] = {}
for _number, _name in enumerate(calendar.month_name):
    if _name:
        MONTHS[_name.lower()] = _number
        MONTHS[_name[:3].lower()] = _number
MONTHS["sept"] = 9

# "May" is also a modal verb ("China may respond"): `_resolve` accepts it only with a day, a
# year, a part of the month or a preposition ("in May"), and only capitalized.
_MONTH = (
    r"(?P<month>(?:January|February|March|April|May|June|July|August|September|October|"
    r"November|December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)\.?)"
)
_DAY = r"(?P<day>[0-3]?\d)(?:st|nd|rd|th)?"
_DAY2 = r"(?:\s*[-–]\s*(?P<day2>[0-3]?\d)(?:st|nd|rd|th)?)?"
_YEAR = r"(?:,?\s+(?P<year>(?:19|20)\d\d))?"
_PART = r"(?P<part>early|mid|late|end\s+of|beginning\s+of|middle\s+of)[\s-]+"

_PATTERNS: list[re.Pattern[str]] = [
    # March 26, 2008 / Dec. 16-17 / March 19
    re.compile(rf"\b{_MONTH}\s+{_DAY}{_DAY2}\b{_YEAR}"),
    # 26 March 2008 / 16-17 December
    re.compile(rf"\b{_DAY}{_DAY2}\s+{_MONTH}{_YEAR}\b"),
    # mid-April / early May 2008 / end of June
    re.compile(rf"\b{_PART}{_MONTH}{_YEAR}\b", re.IGNORECASE),
    # in November 2007 / November 2007
    re.compile(rf"\b{_MONTH}\s+(?P<year>(?:19|20)\d\d)\b"),
    # in November / during August / the January workshop
    re.compile(
        rf"\b(?P<lead>in|during|since|until|by|of|from|through|before|after|the|this|"
        rf"last|next|early|late|his|her|their|its|our|a|an|upcoming|planned|proposed"
        rf"|scheduled|coming|recent)\s+{_MONTH}(?!\s+(?:19|20)\d\d)\b"
    ),
]
_RELATIVE = re.compile(r"\b(?P<word>yesterday|today|tomorrow)\b", re.IGNORECASE)
# Weeks, months, weekends and seasons counted from the cable's day ("the previous week",
# "later this month", "over the weekend", "two weeks earlier", "in fall 2008").
_PERIOD = re.compile(
    r"\b(?P<phrase>(?:later|earlier|early|late) this month|this month|next month|last month"
    r"|the (?:previous|following|next) (?:week|month)|this week|next week|last week"
    r"|the week before|(?:over|during) the weekend|last weekend|this past weekend|last night"
    r"|(?:in |within |about )*(?P<count>a|an|one|two|three|four|five|six|\d+) (?P<unit>days?|weeks?"
    r"|months?)(?: (?P<dir>ago|earlier|before|later|from now|hence))?"
    r"|(?P<season_lead>in|this|next|last|the) (?:the )?(?P<season>spring|summer|fall|autumn|winter)"
    r"(?:,? (?P<season_year>(?:19|20)\d\d))?)\b",
    re.IGNORECASE,
)
_COUNTS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6}
_SEASONS = {"spring": (3, 5), "summer": (6, 8), "fall": (9, 11), "autumn": (9, 11)}
# "the March visit", "his early May trip": a noun phrase whose month means the nearest one,
# whatever the tense of the verb elsewhere in the sentence.
_NOMINAL_BEFORE = re.compile(r"\b(?:the|his|her|their|its|our|a|an|this|that)\s+$", re.IGNORECASE)
_EVENT_AFTER = re.compile(
    r"[\s,]*(?:\S+\s+)?(?:visit|trip|meeting|summit|conference|talks|session|round|workshop"
    r"|deadline|elections?|plenary|exercise|ministerial|consultations|travel|seminar)\b",
    re.IGNORECASE,
)
_FUTURE_LEADS = frozenset({"upcoming", "planned", "proposed", "scheduled", "coming", "next"})

_PART_DAYS = {
    "early": (1, 10),
    "beginning of": (1, 10),
    "mid": (11, 20),
    "middle of": (11, 20),
    "late": (21, 31),
    "end of": (21, 31),
}


@dataclass(frozen=True)
class DateMention:
    """One date found in a text: `text` as written, its character span [`start`, `end`), and
    either a single `date` or an inclusive `date_range` (never both), with the `tense` used."""

    text: str
    start: int
    end: int
    date: dt.date | None
    date_range: tuple[dt.date, dt.date] | None
    tense: Tense

    def first_day(self) -> dt.date:
        """The earliest day the mention can mean."""
        if self.date is not None:
            return self.date
        assert self.date_range is not None
        return self.date_range[0]


def cable_day(created: str | date | None) -> date | None:
    """The cable's date from `Cable.created` (ISO date or date-time) or a `date`; None when
    missing or unreadable."""
    if created is None:
        return None
    if isinstance(created, datetime):
        return created.date()
    if isinstance(created, date):
        return created
    try:
        return datetime.fromisoformat(created.replace("Z", "+00:00")).date()
    except ValueError:
        try:
            return date.fromisoformat(created[:10])
        except ValueError:
            return None


def _month_end(year: int, month: int) -> int:
    return calendar.monthrange(year, month)[1]


def _span(year: int, month: int, first: int, last: int) -> tuple[date, date] | None:
    end = min(last, _month_end(year, month))
    if first > end:
        return None
    return date(year, month, first), date(year, month, end)


def _pick_year(anchor: date, tense: Tense, make: _Maker) -> tuple[date, date] | None:
    """The candidate (year-1, year, year+1) that fits `tense` relative to `anchor`."""
    candidates = [
        span
        for y in (anchor.year - 1, anchor.year, anchor.year + 1)
        if (span := make(y)) is not None
    ]
    if not candidates:
        return None
    if tense is Tense.PAST:
        fitting = [s for s in candidates if s[0] <= anchor]
        return fitting[-1] if fitting else candidates[0]
    if tense is Tense.FUTURE:
        fitting = [s for s in candidates if s[1] >= anchor]
        return fitting[0] if fitting else candidates[-1]

    def distance(span: tuple[date, date]) -> int:
        if span[0] <= anchor <= span[1]:
            return 0
        return min(abs((span[0] - anchor).days), abs((span[1] - anchor).days))

    return min(candidates, key=distance)


class _Maker:
    """Builds the span a mention means in a given year (None when the day does not exist)."""

    def __init__(self, month: int, first: int, last: int) -> None:
        self.month, self.first, self.last = month, first, last

    def __call__(self, year: int) -> tuple[date, date] | None:
        try:
            return _span(year, self.month, self.first, self.last)
        except ValueError:
            return None


def _overlaps(taken: list[tuple[int, int]], start: int, end: int) -> bool:
    return any(start < e and s < end for s, e in taken)


def resolve_dates(text: str, cable_date: str | date | None) -> list[DateMention]:
    """Find and resolve every date mention in `text`.

    `cable_date` is the cable's date (`Cable.created` or a `date`); without it, only mentions
    that carry their own year resolve. Returns mentions in text order; a mention is either a day
    (`date`) or a range (`date_range`: a part of a month, a whole month, or "16-17"). Never
    raises on odd input; impossible days ("February 30") are skipped.
    """
    anchor = cable_day(cable_date)
    found: list[DateMention] = []
    taken: list[tuple[int, int]] = []
    for pattern in _PATTERNS:
        for match in pattern.finditer(text):
            groups = match.groupdict()
            start = match.start("part") if groups.get("part") else match.start("month")
            if groups.get("day") and match.start("day") < start:
                start = match.start("day")
            end = match.end()
            if _overlaps(taken, start, end):
                continue
            mention = _resolve(text, match, start, end, anchor)
            if mention is not None:
                found.append(mention)
                taken.append((start, end))
    for match in _RELATIVE.finditer(text):
        if anchor is None or _overlaps(taken, match.start(), match.end()):
            continue
        shift = {"yesterday": -1, "today": 0, "tomorrow": 1}[match.group("word").lower()]
        day = anchor + timedelta(days=shift)
        found.append(
            DateMention(match.group(0), match.start(), match.end(), day, None, Tense.UNKNOWN)
        )
    if anchor is not None:
        for match in _PERIOD.finditer(text):
            if _overlaps(taken, match.start(), match.end()):
                continue
            span = _period(match, anchor, text)
            if span is None:
                continue
            taken.append((match.start(), match.end()))
            single = span[0] if span[0] == span[1] else None
            found.append(
                DateMention(
                    match.group(0),
                    match.start(),
                    match.end(),
                    single,
                    None if single else span,
                    Tense.UNKNOWN,
                )
            )
    return sorted(found, key=lambda m: m.start)


def _period(match: re.Match[str], anchor: date, text: str) -> tuple[date, date] | None:
    phrase = " ".join(match.group("phrase").lower().split())
    monday = anchor - timedelta(days=anchor.weekday())
    first = anchor.replace(day=1)
    last = anchor.replace(day=_month_end(anchor.year, anchor.month))
    previous_month_end = first - timedelta(days=1)
    next_month_start = last + timedelta(days=1)
    next_month = (
        next_month_start,
        next_month_start.replace(day=_month_end(next_month_start.year, next_month_start.month)),
    )
    fixed: dict[str, tuple[date, date]] = {
        "later this month": (anchor, last),
        "late this month": (anchor, last),
        "earlier this month": (first, anchor),
        "early this month": (first, anchor),
        "this month": (first, last),
        "next month": next_month,
        "the following month": next_month,
        "the next month": next_month,
        "last month": (previous_month_end.replace(day=1), previous_month_end),
        "the previous month": (previous_month_end.replace(day=1), previous_month_end),
        "this week": (monday, monday + timedelta(days=6)),
        "next week": (monday + timedelta(days=7), monday + timedelta(days=13)),
        "the following week": (monday + timedelta(days=7), monday + timedelta(days=13)),
        "the next week": (monday + timedelta(days=7), monday + timedelta(days=13)),
        "last week": (monday - timedelta(days=7), monday - timedelta(days=1)),
        "the previous week": (monday - timedelta(days=7), monday - timedelta(days=1)),
        "the week before": (monday - timedelta(days=7), monday - timedelta(days=1)),
        "last night": (anchor - timedelta(days=1), anchor - timedelta(days=1)),
    }
    if phrase in fixed:
        return fixed[phrase]
    if "weekend" in phrase:
        saturday = anchor - timedelta(days=(anchor.weekday() - 5) % 7 or 7)
        return saturday, saturday + timedelta(days=1)
    if match.group("season"):
        season = match.group("season").lower()
        year = int(match.group("season_year") or anchor.year)
        lead = match.group("season_lead").lower()
        if season == "winter":
            start_day, end_day = date(year, 12, 1), date(year + 1, 2, 28)
        else:
            months = _SEASONS[season]
            start_day = date(year, months[0], 1)
            end_day = date(year, months[1], _month_end(year, months[1]))
        if not match.group("season_year") and lead == "next":
            start_day, end_day = start_day.replace(year=year + 1), end_day.replace(year=year + 1)
        if not match.group("season_year") and lead == "last":
            start_day, end_day = start_day.replace(year=year - 1), end_day.replace(year=year - 1)
        return start_day, end_day
    if match.group("count"):
        raw = match.group("count").lower()
        count = _COUNTS.get(raw) or int(raw)
        unit = match.group("unit").lower().rstrip("s")
        days = count * {"day": 1, "week": 7, "month": 30}[unit]
        slack = {"day": 0, "week": 3, "month": 15}[unit]
        direction = (match.group("dir") or "").lower()
        lead = text[max(0, match.start() - 12) : match.start()].lower()
        if direction in ("ago", "earlier", "before"):
            center = anchor - timedelta(days=days)
        elif (
            direction in ("later", "from now", "hence")
            or re.search(
                r"\b(?:in|within)\s+(?:about\s+)?$", lead + match.group(0)[: -len(match.group(0))]
            )
            or match.group(0).lower().startswith(("in ", "within "))
        ):
            center = anchor + timedelta(days=days)
        else:
            return None
        return center - timedelta(days=slack), center + timedelta(days=slack)
    return None


def _resolve(
    text: str, match: re.Match[str], start: int, end: int, anchor: date | None
) -> DateMention | None:
    groups = match.groupdict()
    raw_month = groups["month"].rstrip(".")
    if raw_month == "May" and not (
        groups.get("day")
        or groups.get("year")
        or groups.get("part")
        or groups.get("lead", "").lower()
        in {"in", "during", "since", "until", "by", "early", "late", "mid"}
    ):
        return None
    if not raw_month[0].isupper():
        return None
    month = MONTHS[raw_month.lower()]
    if groups.get("day"):
        first = int(groups["day"])
        last = int(groups["day2"]) if groups.get("day2") else first
        if last < first or first < 1:
            return None
    elif groups.get("part"):
        part = " ".join(groups["part"].lower().split())
        first, last = _PART_DAYS[part]
    else:
        first, last = 1, 31
    make = _Maker(month, first, last)
    sentence_start, sentence_end = sentence_at(text, start)
    tense = tense_at(text[sentence_start:sentence_end], start - sentence_start)
    lead = (groups.get("lead") or "").lower()
    before_word = re.search(r"(\w+)\s+$", text[:start])
    if lead in _FUTURE_LEADS or (before_word and before_word.group(1).lower() in _FUTURE_LEADS):
        tense = Tense.FUTURE
    elif (
        _NOMINAL_BEFORE.search(text[:start]) or lead in {"the", "his", "her", "their", "its"}
    ) and (_EVENT_AFTER.match(text[end:])):
        tense = Tense.UNKNOWN
    if groups.get("year"):
        span = make(int(groups["year"]))
    elif anchor is not None:
        span = _pick_year(anchor, tense, make)
    else:
        return None
    if span is None:
        return None
    single = span[0] if span[0] == span[1] else None
    return DateMention(
        text=text[start:end],
        start=start,
        end=end,
        date=single,
        date_range=None if single else span,
        tense=tense,
    )
