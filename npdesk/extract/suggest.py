"""`suggest(cable, gazetteer)`: every proposal a cable yields, merged across paragraphs."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import replace

from rapidfuzz import fuzz

from npdesk.cables.model import Cable
from npdesk.extract.context import Sentence
from npdesk.extract.dates import DateMention, cable_day, resolve_dates
from npdesk.extract.entities import EntityMention, Gazetteer, GazetteerEntry
from npdesk.extract.persons import HOME_OFFICES, TITLES, find_offices, find_people, short_names
from npdesk.extract.proposals import KINDS, Proposal
from npdesk.extract.rules import RULES, clean, meetings
from npdesk.extract.sentences import sentence_spans
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
        r"|airlines?|carriers?|sponsors?|dealers?|brokers?|banks?|publishers?)"
        rf"\s+(?P<name>{_ORG_NAME})(?:\s+and\s+(?P<second>{_ORG_NAME}))?"
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


def _firm_candidates(
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
        for name, cued_aliases in _cued_firms(text):
            if any(k.name == name or name in k.text for k in known) or name in found:
                continue
            found[name] = GazetteerEntry(name=name, kind="firm", aliases=cued_aliases)
            origin.setdefault(name, index)
    return list(found.values()), origin


def _cued_firms(text: str) -> list[tuple[str, tuple[str, ...]]]:
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
    return out


def _people(texts: list[tuple[int, str]]) -> tuple[Gazetteer, dict[str, int]]:
    """A gazetteer of the short names ("Li") of the titled people in `texts`, and the index
    of the paragraph each full name was first found in."""
    by_short: dict[str, set[str]] = {}
    first: dict[str, EntityMention] = {}
    origin: dict[str, int] = {}
    for index, text in texts:
        for person in find_people(text):
            origin.setdefault(person.name, index)
            # Keep the mention that tells the side ("Ukrainian Prime Minister ..."), if any.
            if person.name not in first or (first[person.name].side is None and person.side):
                first[person.name] = person
            for short in short_names(person.name):
                by_short.setdefault(short, set()).add(person.name)
    entries = [
        GazetteerEntry(
            name=first[next(iter(names))].name,
            kind="person",
            aliases=(short,),
            side=first[next(iter(names))].side,
        )
        for short, names in by_short.items()
        if len(names) == 1
    ]
    # Short names must match exactly (case and all): a one-word alias never matches fuzzily.
    return Gazetteer(entries), origin


def _foreign(text: str, office: EntityMention) -> bool:
    """Whether an office word belongs to another government ("the Swedish Ambassador",
    "French DCM Nicholas Chapuis"): the word before it names a foreign country or people."""
    before = re.search(r"([A-Z][\w.-]*)\s+$", text[: office.start])
    return before is not None and side_of_word(before.group(1)) == "partner"


def _entities(
    text: str, gazetteer: Gazetteer, shorts: Gazetteer, people: list[EntityMention]
) -> list[EntityMention]:
    hits = gazetteer.find(text) + people
    office_hits = [
        o
        for o in find_offices(text)
        if all(o.end <= h.start or h.end <= o.start for h in hits) and not _foreign(text, o)
    ]
    hits += office_hits
    for short in shorts.find(text):
        if short.text[:1].isupper() and all(
            short.end <= h.start or h.end <= short.start for h in hits
        ):
            person = next((p for p in hits if p.name == short.name and p.kind == "person"), None)
            hits.append(
                EntityMention(
                    name=short.name,
                    kind="person",
                    text=short.text,
                    start=short.start,
                    end=short.end,
                    side=short.side,
                    title=person.title if person else None,
                )
            )
    return sorted(hits, key=lambda h: h.start)


def _sentences(cable: Cable, gazetteer: Gazetteer) -> list[Sentence]:
    anchor = cable_day(cable.created)
    # Unnumbered short lines are section headings ("Chirac's Visit to China"): they repeat
    # what the paragraphs say and would only add duplicates.
    paragraphs = [
        (index, p.classification, clean(p.text))
        for index, p in enumerate(cable.paragraphs)
        if p.text.strip() and (p.number is not None or len(p.text) > 120)
    ]
    # Names are resolved only among paragraphs of one portion marking: "Li" in an
    # unclassified paragraph must not become the "Li Song" of a NOFORN one.
    groups: dict[str | None, list[tuple[int, str]]] = {}
    for index, marking, text in paragraphs:
        groups.setdefault(marking, []).append((index, text))
    learned: dict[str | None, tuple[Gazetteer, Gazetteer, dict[str, int]]] = {}
    for marking, texts in groups.items():
        local = Gazetteer(list(gazetteer.entries), threshold=gazetteer.threshold)
        firms, firm_origin = _firm_candidates(texts, gazetteer)
        local.extend(firms)
        shorts, person_origin = _people(texts)
        learned[marking] = (local, shorts, {**firm_origin, **person_origin})
    out: list[Sentence] = []
    for index, marking, text in paragraphs:
        local, shorts, origin = learned[marking]
        people = find_people(text)
        entities = _entities(text, local, shorts, people)
        # A name that is not spelled out in this paragraph was learned from another one.
        own = (
            {e.name for e in people}
            | {
                _LEADING_FUNCTION_WORDS.sub("", clean(m.group("name")))
                for m in _FIRM_NAME.finditer(text)
            }
            | {name for name, _ in _cued_firms(text)}
        )
        carried = {
            e.name: origin[e.name]
            for e in entities
            if e.name in origin and e.name not in own and origin[e.name] != index
        }
        dates = resolve_dates(text, anchor)
        last_side = None
        previous: list[DateMention] = []
        for start, end in sentence_spans(text):
            sentence = Sentence(
                text=text[start:end],
                paragraph=cable.paragraphs[index].number,
                entities=[_shift(e, -start) for e in entities if start <= e.start < end],
                dates=[_shift_date(d, -start) for d in dates if start <= d.start < end],
                cable_date=anchor,
                last_speaker_side=last_side,
                source=index,
                carried_date=previous[0] if len(previous) == 1 else None,
            )
            previous = sentence.dates
            sentence.carried = {
                e.name: carried[e.name] for e in sentence.entities if e.name in carried
            }
            last_side = sentence.speaker_side(len(sentence.text)) or last_side
            out.append(sentence)
    return out


def _shift(entity: EntityMention, by: int) -> EntityMention:
    return replace(entity, start=entity.start + by, end=entity.end + by)


def _shift_date(mention: DateMention, by: int) -> DateMention:
    return replace(mention, start=mention.start + by, end=mention.end + by)


def _record_proposals(sentences: list[Sentence], markings: list[str | None]) -> list[Proposal]:
    """One firm and one person proposal per distinct name and portion marking, at its first
    paragraph of that marking."""
    out: dict[tuple[str, str, str | None], Proposal] = {}
    for s in sentences:
        for entity in s.entities:
            if entity.kind not in ("firm", "person"):
                continue
            key = (entity.kind, entity.name, markings[s.source])
            proposal = out.get(key)
            before = (proposal.text, list(proposal.entities)) if proposal else None
            if proposal is None:
                proposal = Proposal(
                    kind=entity.kind,
                    text=entity.label() if entity.kind == "person" else entity.name,
                    paragraph=s.paragraph,
                    entities=[entity.name],
                    owner=entity.side if entity.kind == "person" else None,
                    title=entity.name,
                    key=entity.key,
                )
                out[key] = proposal
            if entity.kind == "person" and entity.organization and proposal.text == entity.name:
                proposal.text = entity.label()
            for value in (re.sub(r"['’]s$", "", entity.text.strip()), entity.organization):
                if value and value not in proposal.entities and entity.kind == "firm":
                    proposal.entities.append(value)
            if entity.kind == "person" and entity.organization:
                if entity.organization not in proposal.entities:
                    proposal.entities.append(entity.organization)
                if proposal.owner is None:
                    proposal.owner = entity.side
            if before != (proposal.text, proposal.entities):
                # This mention added text (the name, an alias, an organization).
                extra = {s.source} | (
                    {s.carried[entity.name]} if entity.name in s.carried else set()
                )
                proposal.sources = tuple(sorted(set(proposal.sources) | extra))
    return list(out.values())


def _mergeable(a: Proposal, b: Proposal, markings: list[str | None]) -> bool:
    # Never across portion markings: the merged proposal would carry text of one marking
    # under the other's.
    if {markings[i] for i in a.sources} != {markings[i] for i in b.sources}:
        return False
    if a.kind != b.kind or a.subject != b.subject:
        return False
    dated = a.date is not None or a.date_range is not None
    other_dated = b.date is not None or b.date_range is not None
    if a.kind == "event" and dated != other_dated:
        # "the NAM meeting" after "the NAM Foreign Ministers meeting scheduled for July 27-30":
        # the same event told again without its day.
        return fuzz.token_set_ratio(a.title.lower(), b.title.lower()) >= 80
    if a.kind == "meeting" and dated != other_dated and a.subject is None:
        # "On November 9, Ambassador met with Mona Sahlin ... Ambassador had a courtesy call
        # with Mona Sahlin": the same meeting told again without its day.
        def counterparts(p: Proposal) -> set[str]:
            return set(p.participants.get("partner", []) + p.participants.get("unknown", []))

        mine, theirs = counterparts(a), counterparts(b)
        return bool(mine) and (
            mine == theirs or (a.paragraph == b.paragraph and bool(mine & theirs))
        )
    if a.kind == "visit" and dated != other_dated and a.paragraph == b.paragraph:
        # "his mid-April visit to Washington ... that his visit to Washington convey ...":
        # the same visit told again in the paragraph without its day.
        return a.place is not None and a.place == b.place
    if dated != other_dated:
        return False
    same_time = a.overlaps_in_time(b) if dated else True
    if not same_time:
        return False
    if a.kind == "commitment":
        # The same promise retold in the summary and the body shares its owner and soft due;
        # different promises of one side must not collapse, so without a soft due the
        # wording has to be nearly the same.
        wanted = 60 if a.soft_due else 90
        return (
            a.owner == b.owner
            and a.soft_due == b.soft_due
            and a.status == b.status
            and fuzz.token_set_ratio(a.title, b.title) >= wanted
        )
    if a.kind == "event":
        return fuzz.token_set_ratio(a.title.lower(), b.title.lower()) >= 80
    if a.kind == "letter":
        return a.participants == b.participants
    if not dated:
        return sorted(a.entities) == sorted(b.entities)
    if a.kind == "meeting":
        return bool(set(a.entities) & set(b.entities))
    return True


def _merge(into: Proposal, other: Proposal) -> None:
    richer = other if len(other.entities) > len(into.entities) else into
    into.text, into.paragraph, into.title = richer.text, richer.paragraph, richer.title
    into.place = into.place or other.place
    for entity in other.entities:
        if entity not in into.entities:
            into.entities.append(entity)
    for side, names in other.participants.items():
        bucket = into.participants.setdefault(side, [])
        bucket.extend(n for n in names if n not in bucket)
    days = [p.date for p in (into, other) if p.date is not None]
    ranges = [p.date_range for p in (into, other) if p.date_range is not None]
    into.date = days[0] if days else None
    into.date_range = min(ranges, key=lambda r: (r[1] - r[0]).days) if ranges else None
    into.owner = into.owner or other.owner
    into.partner_informed_on = into.partner_informed_on or other.partner_informed_on
    into.partner_informed_via = into.partner_informed_via or other.partner_informed_via
    into.sources = tuple(sorted(set(into.sources) | set(other.sources)))


def _merge_all(proposals: list[Proposal], markings: list[str | None]) -> list[Proposal]:
    merged: list[Proposal] = []
    for proposal in proposals:
        target = next((m for m in merged if _mergeable(m, proposal, markings)), None)
        if target is None:
            merged.append(proposal)
        else:
            _merge(target, proposal)
    return merged


def suggest(cable: Cable, gazetteer: Gazetteer | None = None) -> list[Proposal]:
    """Every proposal `cable` yields, in kind order (firm, person, meeting, ...) and then
    paragraph order. `gazetteer` holds the known firms and names (the firm registry, the
    screening lists); without it only titled people and firms named in full are found.
    Dates resolve against `cable.created`; without it only dates with a year resolve.
    Never raises on odd text."""
    sentences = _sentences(cable, gazetteer or Gazetteer())
    markings = [p.classification for p in cable.paragraphs]
    # What was handed over "today" changed hands at the meeting the paragraph reports, else at
    # the cable's first reported meeting in a paragraph of the same marking.
    dated = [(s.source, p.date) for s in sentences for p in meetings(s) if p.date is not None]
    by_paragraph: dict[int, tuple[dt.date, int]] = {}
    first_by_marking: dict[str | None, tuple[dt.date, int]] = {}
    for source, day in dated:
        by_paragraph.setdefault(source, (day, source))
        first_by_marking.setdefault(markings[source], (day, source))
    proposals = _record_proposals(sentences, markings)
    for s in sentences:
        meeting = by_paragraph.get(s.source) or first_by_marking.get(markings[s.source])
        s.meeting_date, s.meeting_source = meeting if meeting else (None, None)
        for rule in RULES:
            for proposal in rule(s):
                carried = {s.carried[n] for n in _carried_names(proposal) if n in s.carried}
                proposal.sources = tuple(sorted({s.source, *proposal.sources, *carried}))
                proposals.append(proposal)
    merged = _merge_all(proposals, markings)
    order = {kind: i for i, kind in enumerate(KINDS)}
    return sorted(merged, key=lambda p: (order[p.kind], p.paragraph or 0))


def _carried_names(proposal: Proposal) -> list[str]:
    """Every name a proposal shows: its entities, participants and title words."""
    names = list(proposal.entities)
    for bucket in proposal.participants.values():
        names.extend(bucket)
    return names
