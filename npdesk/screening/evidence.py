"""Supporting or contradicting evidence beside the name: party type, country, year of birth.
Each adjustment is small next to the name score and says why it was made."""

from __future__ import annotations

from dataclasses import dataclass

from npdesk.screening.model import EntryType

TYPE_MISMATCH_FACTOR = 0.8
COUNTRY_BONUS = 0.03
COUNTRY_PENALTY = 0.05
DOB_BONUS = 0.05
DOB_PENALTY = 0.15
MAX_BONUS = COUNTRY_BONUS + DOB_BONUS


@dataclass(frozen=True)
class Adjustment:
    feature: str
    delta: float
    reason: str


def type_adjustment(
    query_type: EntryType | None, entry_type: EntryType, score: float
) -> Adjustment | None:
    """A person queried against a firm (or a firm against a person) loses a fifth of its
    score; vessels and aircraft count as organisations."""
    if query_type is None:
        return None
    query_is_person = query_type is EntryType.INDIVIDUAL
    if query_is_person == (entry_type is EntryType.INDIVIDUAL):
        return None
    delta = score * (TYPE_MISMATCH_FACTOR - 1)
    return Adjustment("type", delta, f"query is {query_type.value}, entry is {entry_type.value}")


def country_adjustment(
    query_country: str | None, entry_countries: frozenset[str]
) -> Adjustment | None:
    """A bonus when the entry names the query's country, a penalty when it names others."""
    if query_country is None or not entry_countries:
        return None
    if query_country in entry_countries:
        return Adjustment("country", COUNTRY_BONUS, f"country {query_country} on the entry")
    return Adjustment(
        "country",
        -COUNTRY_PENALTY,
        f"country {query_country} not among {', '.join(sorted(entry_countries))}",
    )


def dob_adjustment(query_year: int | None, entry_years: frozenset[int]) -> Adjustment | None:
    """A bonus when the year of birth is on the entry (±1 year), a penalty when others are."""
    if query_year is None or not entry_years:
        return None
    if any(abs(query_year - year) <= 1 for year in entry_years):
        return Adjustment("dob", DOB_BONUS, f"born {query_year}, as the entry says")
    years = ", ".join(str(y) for y in sorted(entry_years)[:4])
    return Adjustment("dob", -DOB_PENALTY, f"born {query_year}, the entry says {years}")
