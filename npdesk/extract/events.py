"""Events (workshops, summits, conferences, named meetings, signings) and proposed
reviews."""

from __future__ import annotations

import re

from npdesk.extract.context import Sentence, clean, dated, names
from npdesk.extract.dates import MONTHS, DateMention
from npdesk.extract.proposals import Proposal

_EVENT = re.compile(
    r"(?<!to )\b(?P<noun>workshops?|seminars?|trainings?|training courses?|conferences?"
    r"|symposi(?:um|a)|exercises?|roundtables?|round tables?|forums?|summits?|plenar(?:y|ies)"
    r"|ministerials?(?!\s+(?:visits?|meetings?|level|delegations?|talks|officials?|posts?)\b)"
    r"|consultations|contact group|outreach events?|ceremon(?:y|ies)"
    r"|briefings?|receptions?|round of talks|strategic dialogue|talks"
    r"|luncheons?|banquets?|[Aa]ir [Ss]hows?|[Tt]rade [Ss]hows?|Show|exhibitions?|expos?"
    r"|announcements?|(?:party )?congress(?:es)?|conventions?"
    r"|(?<=host )(?:a |an )?(?:official )?(?:lunch|dinner)"
    r"|(?:[A-Z][\w-]*\s+){1,4}(?:meetings?|discussions)"
    r"|[A-Z][a-z]+ Dialogue|Dialogue|Summit|Conference|Plenary)\b"
)
_NOT_NAMES = frozenset(
    {"our", "during", "at", "in", "a", "an", "his", "her", "their", "its", "these", "those"}
)
# Nouns too general to make an event without a name of their own or a day.
_GENERIC_EVENTS = frozenset({"talks", "briefing", "briefings", "consultations", "ceremony"})
# "signed December 11", "hopes to sign the DCA during his February 23 visit".
_SIGNING = re.compile(
    r"\b(?:sign|signs|signed|signing)\b(?P<what>[^.;]{0,60}?\b(?:agreements?|accords?"
    r"|treat(?:y|ies)|memorand(?:um|a)|MOUs?|SOFA|SoFA|DCA|GSOMIA|contracts?|deal)\b)"
    r"|\b(?P<what2>(?:agreements?|accords?|treat(?:y|ies)|SOFA|SoFA|DCA|MOUs?)\b[^.;]{0,40}?)"
    r"\bsigned\b"
)
_DETERMINERS = frozenset(
    {
        "the",
        "a",
        "an",
        "this",
        "that",
        "our",
        "their",
        "its",
        "his",
        "her",
        "successful",
        "first",
        "second",
        "next",
        "last",
        "joint",
        "jointly",
        "held",
        "of",
        "in",
        "on",
        "with",
        "and",
        "for",
        "to",
        "at",
        "very",
        "pleased",
        "was",
        "were",
        "is",
        "are",
        "be",
        "during",
        "from",
        "by",
        "after",
        "before",
        "since",
        "about",
        "into",
        "upcoming",
        "recent",
    }
)
_PLACE = re.compile(r"\bin (?P<place>[A-Z][a-z]+(?: [A-Z][a-z]+)?)\b")

_REVIEW = re.compile(r"\breviews?\b", re.IGNORECASE)
_PROPOSING = re.compile(
    r"\b(?:propos\w*|suggest\w*|schedul\w*|hold(?:ing)?|plan(?:s|ned|ning)?|first|next"
    r"|conduct)\b",
    re.IGNORECASE,
)
_LEVEL = re.compile(
    r"\b(?:working|senior|expert|vice.?ministerial|ministerial)[- ]level\b", re.IGNORECASE
)


def events(s: Sentence) -> list[Proposal]:
    """Workshops, summits, plenaries, conferences, exercises, briefings, named meetings and
    dialogues ("the NAM Foreign Ministers meeting", "the G-20 financial summit"), and
    signings: an event noun with a day, or with a name of its own."""
    out: list[Proposal] = []
    titles: set[str] = set()
    for match in _EVENT.finditer(s.text):
        mention = s.nearest_date(match.start())
        if mention is not None and abs(mention.start - match.start()) > 80:
            mention = None
        words: list[str] = []
        for word in reversed(s.text[: match.start()].split()[-4:]):
            if (
                word.lower() in _DETERMINERS
                or word.rstrip(".").lower() in MONTHS
                or (not word.isalpha() and "-" not in word and not word.isupper())
                or word.endswith(",")
            ):
                break
            words.insert(0, word)
        noun = match.group("noun")
        if " " in noun and noun.split()[-1].lower() in ("meeting", "meetings", "discussions"):
            # "(?:[A-Z]\w+ )+meeting": keep the name, not "The", "During the October".
            named_words = [
                w
                for w in noun.split()[:-1]
                if w.lower() not in _DETERMINERS
                and w.lower() not in _NOT_NAMES
                and w.rstrip(".").lower() not in MONTHS
            ]
            if not named_words or re.match(r"\s+with\b", s.text[match.end() :]):
                continue
            noun = " ".join([*named_words, noun.split()[-1]])
            words = []
        named = any(w[:1].isupper() for w in words) or noun[:1].isupper()
        if mention is None and not named:
            continue
        if noun.lower() in _GENERIC_EVENTS and not named:
            continue
        title = " ".join([*words, noun]).strip()
        if title.lower() in titles:
            continue
        titles.add(title.lower())
        out.append(_event(s, title, mention))
    for match in _SIGNING.finditer(s.text):
        if re.search(r"\b(?:not|never|no)\b(?:\s+\S+){0,3}\s*$", s.text[: match.start()]):
            continue
        what = clean(match.group("what") or match.group("what2") or "")
        mention = s.nearest_date(match.start())
        if mention is not None and abs(mention.start - match.start()) > 80:
            mention = None
        # "had signed a bilateral special operations cooperation agreement with Secretary
        # Gates": undated, a signing needs a name of its own or a named counterpart.
        counterpart = re.match(r"\s+with\s+(?:the\s+)?[A-Z]", s.text[match.end() :])
        if mention is None and not (
            re.search(r"\b[A-Z]{2,}|\b[A-Z][a-z]+ Agreement", what) or counterpart
        ):
            continue
        out.append(_event(s, f"Signing: {what}", mention))
    return out


def _event(s: Sentence, title: str, mention: DateMention | None) -> Proposal:
    place = None
    for found in _PLACE.finditer(s.text):
        first_word = found.group("place").split()[0].lower()
        if s.entity_at(found.start("place"), found.end("place")) is None and (
            first_word not in MONTHS
        ):
            place = found.group("place")
    entities = names(s.firms())
    if place:
        entities.append(place)
    proposal = s.propose(
        "event",
        entities=entities,
        title=title[:1].upper() + title[1:],
        place=place,
    )
    return dated(proposal, mention)


def reviews(s: Sentence) -> list[Proposal]:
    """A proposed or scheduled review with a date ("proposal for an April 16 review")."""
    match = _REVIEW.search(s.text)
    if not match or not _PROPOSING.search(s.text):
        return []
    mention = s.nearest_date(match.start())
    if mention is None:
        return []
    level = _LEVEL.search(s.text)
    entities = names(s.people())
    if level:
        entities.append(level.group(0))
    proposal = s.propose(
        "review",
        entities=entities,
        title=("Proposed " + level.group(0) + " review") if level else "Proposed review",
    )
    return [dated(proposal, mention)]
