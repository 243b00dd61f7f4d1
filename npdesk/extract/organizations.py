"""Firms the registry does not know, recognized as firms by how the cable writes them: a
corporate name in full ("... Corporation (CGWIC)"), a cue word before the name, a corporate
ending, a bank, a product or a chief executive."""

from __future__ import annotations

import re
from functools import lru_cache

from npdesk.extract.context import clean
from npdesk.extract.entities import Gazetteer, GazetteerEntry
from npdesk.extract.persons import HOME_OFFICES, TITLES
from npdesk.extract.sides import side_of_word

# "China Great Wall Industry Corporation (CGWIC)": a firm the registry may not know yet.
# "Group" is left out on purpose: "Nuclear Suppliers Group" and working groups are no firms.
_FIRM_NAME = re.compile(
    r"\b(?P<name>(?:[A-Z][A-Za-z&'-]+\s+){1,6}(?:Corporation|Company|Corp\.|Co\.,?\s+Ltd\.?"
    r"|Industries|Inc\.|Limited|Ltd\.))(?:\s+\((?P<acronym>[A-Z][A-Z0-9&-]{1,9})\))?"
)
_LEADING_FUNCTION_WORDS = re.compile(r"^(?:(?:The|With|And|Of|For|By|From|To|In|On|At)\s+)+")
# A capitalized name of one to four words (or an acronym), as firms are written.
_ORG_NAME = r"(?:[A-Z][\w&'’.-]*[A-Za-z0-9](?:\s+(?:[A-Z][\w&'’.-]*[A-Za-z0-9]|&|de|of)){0,3})"
# Firms the registry does not know, recognized by how the cable speaks of them: a word that
# says "company" before the name ("the Iranian firm Shahin Sefid Esta", "extractive-industry
# giant AREVA", "the electric utilities Electrosul and Electrobras"), a corporate ending
# ("Skylife Worldwide Sdn Bhd", "Kuwait Finance House"), a bank's name, or a chief
# executive ("Embraer CEO Federico Curado").
_FIRM_CUES = (
    re.compile(
        r"\b(?:firms?|compan(?:y|ies)|manufacturers?|contractors?|subsidiar(?:y|ies)"
        r"|utilit(?:y|ies)|giants?|conglomerates?|suppliers?|exporters?|shipping lines?"
        r"|airlines?|carriers?|sponsors?|dealers?|brokers?|banks?|publishers?|concerns?)"
        rf"\s+[\"“]?(?P<name>{_ORG_NAME})(?:\s+and\s+(?P<second>{_ORG_NAME}))?"
    ),
    re.compile(
        rf"\b(?P<name>{_ORG_NAME}\s+(?:Sdn\.?\s+Bhd\.?|Bhd\.?|GmbH|AG|S\.A\.|SpA|plc|PLC|LLC"
        r"|Holdings?|Enterprises?|Industrial\s+Group|Industrial\s+Co\.?|Trading|Shipping"
        r"|Airlines|Airways|Finance\s+House|Exploration|Electronics|Aerospace|Bank))\b"
        r"(?:['’]s)?(?:\s+\((?P<acronym>[A-Z][A-Z0-9&-]{1,9})\))?"
    ),
    re.compile(r"\b(?P<name>Bank\s+[A-Z][a-z]+)\b"),
    # "Boeing's F-18", "Raytheon's Advanced Electronically Scanned Array radar", "Saab's
    # Gripen", "the Boeing bid".
    re.compile(
        rf"\b(?P<name>{_ORG_NAME})(?:['’]s)?\s+(?:(?:[A-Z][\w-]*|F-?\d+)\s+){{0,4}}"
        r"(?:bid|offer|aircraft|fighters?|jets?|radar|planes?|helicopters?|engines?|shareholders"
        r"|subsidiar(?:y|ies)|factory|plant|headquarters|executives|spokesman|officials said)\b"
    ),
    re.compile(
        rf"\b(?P<name>{_ORG_NAME})(?:['’]s)?\s+(?:CEO|chief executive|Chief Executive"
        r"|General Manager|board of directors)\b"
    ),
)
_SUFFIX_WORDS = frozenset({"AG", "SA", "S.A.", "GmbH", "plc", "PLC", "LLC", "Bhd", "Sdn"})
_TITLE_WORDS = frozenset(w for t in TITLES for w in t.split() if w[:1].isupper())
# Institutions that are no firms, whatever words stand around them.
_NOT_FIRMS = re.compile(
    r"\b(?:Central|World|Reserve|Ministry|Department|Embassy|Government|Council|Agency"
    r"|Commission|Office|National Bank of|Bank Negara|Export-Import|The|This|These|A|An)\b"
    r"|^(?:GO[A-Z]{1,2}|USG|MFA|MOD|UN|EU|NATO|IAEA|[A-Z]{1,2})$"
)


def firm_candidates(
    texts: list[tuple[int, str]], gazetteer: Gazetteer
) -> tuple[list[GazetteerEntry], dict[str, int]]:
    """Firms named in full (with an optional acronym in parentheses) that the gazetteer does
    not already know, so later mentions by acronym are recognized too; and the index of the
    paragraph each was first named in full."""
    found: dict[str, GazetteerEntry] = {}
    origin: dict[str, int] = {}
    for index, text in texts:
        known = gazetteer.find(text)
        for match in _FIRM_NAME.finditer(text):
            if any(k.start < match.end("name") and match.start() < k.end for k in known):
                continue
            name = _LEADING_FUNCTION_WORDS.sub("", clean(match.group("name")))
            if len(name.split()) < 2:
                continue
            aliases = (match.group("acronym"),) if match.group("acronym") else ()
            found.setdefault(name, GazetteerEntry(name=name, kind="firm", aliases=aliases))
            origin.setdefault(name, index)
        for name, cued_aliases in cued_firms(text):
            if any(k.name == name or name in k.text for k in known) or name in found:
                continue
            found[name] = GazetteerEntry(name=name, kind="firm", aliases=cued_aliases)
            origin.setdefault(name, index)
    return list(found.values()), origin


def firms_spelled_out(text: str) -> set[str]:
    """The names of the firms `text` writes in full or with a cue (not only by acronym)."""
    return {
        _LEADING_FUNCTION_WORDS.sub("", clean(m.group("name"))) for m in _FIRM_NAME.finditer(text)
    } | {name for name, _ in cued_firms(text)}


@lru_cache(maxsize=4096)
def cued_firms(text: str) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """Firms named with a cue (see `_FIRM_CUES`) and their acronyms."""
    out: list[tuple[str, tuple[str, ...]]] = []
    for cue in _FIRM_CUES:
        for match in cue.finditer(text):
            groups = match.groupdict()
            for key in ("name", "second"):
                raw = groups.get(key)
                if not raw:
                    continue
                name = _LEADING_FUNCTION_WORDS.sub("", clean(raw)).rstrip(".,")
                name = re.sub(r"['’]s$", "", name)
                if not name or _NOT_FIRMS.search(name) or name.lower() == name:
                    continue
                # "Norway's fighter", "the Brazilian jet", "Thai AG": a country, a people or
                # a titled person is no firm.
                words = [w for w in re.split(r"[\s-]+", name) if w not in _SUFFIX_WORDS]
                if (
                    not words
                    or side_of_word(name)
                    or all(side_of_word(w) or w[0].islower() for w in words)
                ):
                    continue
                if words[0] in _TITLE_WORDS or words[0] in HOME_OFFICES:
                    continue
                acronym = groups.get("acronym")
                out.append((name, (acronym,) if acronym else ()))
    return tuple(out)
