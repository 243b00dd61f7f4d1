"""Facts OFAC packs into the free-text remarks of its legacy CSV: dates of birth, nationality,
identity documents and weak aliases ("a.k.a. 'BNC'"), all `;`-separated."""

from __future__ import annotations

import re
from dataclasses import dataclass

from npdesk.screening.model import Alias, AliasStrength, Identifier

_WEAK_ALIAS = re.compile(r"^(a\.k\.a\.|f\.k\.a\.)\s+'(?P<name>.+)'\.?$", re.IGNORECASE)
_DOB = re.compile(r"^(alt\.\s+)?DOB\s+(?P<value>.+?)\.?$")
_NATIONALITY = re.compile(r"^(alt\.\s+)?(nationality|citizen)\s+(?P<value>.+?)\.?$")
_DOCUMENT = re.compile(
    r"^(alt\.\s+)?(?P<kind>Passport|National ID No\.|Cedula No\.|Identification Number|"
    r"Tax ID No\.|Registration ID|Registration Number|NIT #|C\.U\.R\.P\.|R\.F\.C\.|"
    r"Vessel Registration Identification|IMO|SWIFT/BIC|D-U-N-S Number)\s+(?P<value>\S+)"
    r"(\s+\((?P<country>[^)]+)\))?"
)


@dataclass(frozen=True)
class RemarkFacts:
    weak_aliases: tuple[Alias, ...]
    dates_of_birth: tuple[str, ...]
    nationalities: tuple[str, ...]
    identifiers: tuple[Identifier, ...]


def parse_remarks(remarks: str) -> RemarkFacts:
    """Pull structured facts out of an OFAC remarks string; unknown parts are ignored (they
    stay in the entry's remarks)."""
    weak: list[Alias] = []
    dobs: list[str] = []
    nationalities: list[str] = []
    identifiers: list[Identifier] = []
    for part in (p.strip() for p in remarks.split(";")):
        if not part:
            continue
        if match := _WEAK_ALIAS.match(part):
            weak.append(Alias(match["name"].strip(), AliasStrength.WEAK))
        elif match := _DOB.match(part):
            dobs.append(match["value"].strip())
        elif match := _NATIONALITY.match(part):
            nationalities.append(match["value"].strip())
        elif match := _DOCUMENT.match(part):
            identifiers.append(
                Identifier(match["kind"].rstrip("."), match["value"].rstrip(".;"), match["country"])
            )
    return RemarkFacts(tuple(weak), tuple(dobs), tuple(nationalities), tuple(identifiers))
