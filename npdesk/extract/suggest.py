"""`suggest(cable, gazetteer)`: every proposal a cable yields, merged across paragraphs."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import replace

from rapidfuzz import fuzz

from npdesk.cables.model import Cable
from npdesk.extract.context import Sentence, clean
from npdesk.extract.dates import DateMention, cable_day, resolve_dates
from npdesk.extract.entities import EntityMention, Gazetteer, GazetteerEntry
from npdesk.extract.meetings import meetings
from npdesk.extract.organizations import firm_candidates, firms_spelled_out
from npdesk.extract.persons import find_offices, find_people, short_names
from npdesk.extract.proposals import KINDS, Proposal
from npdesk.extract.rules import RULES
from npdesk.extract.sentences import sentence_spans
from npdesk.extract.sides import side_of_word


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
        firms, firm_origin = firm_candidates(texts, gazetteer)
        local.extend(firms)
        shorts, person_origin = _people(texts)
        learned[marking] = (local, shorts, {**firm_origin, **person_origin})
    out: list[Sentence] = []
    for index, marking, text in paragraphs:
        local, shorts, origin = learned[marking]
        people = find_people(text)
        entities = _entities(text, local, shorts, people)
        # A name that is not spelled out in this paragraph was learned from another one.
        own = {e.name for e in people} | firms_spelled_out(text)
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
    mine, theirs = _counterparts(a), _counterparts(b)
    if a.kind == "meeting" and dated != other_dated and a.subject is None:
        # "On November 9, Ambassador met with Mona Sahlin ... Ambassador had a courtesy call
        # with Mona Sahlin": the same meeting told again without its day.
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
        # Separate meetings of one officer on one day ("demarches ... to Prikhodko and
        # Lavrov") share our side only.
        return bool(set(a.entities) & set(b.entities)) and not (
            mine and theirs and not mine & theirs
        )
    if a.kind == "visit":
        # Two visitors' separate trips to one place at one time stay two visits.
        visitors = set(a.participants.get("visitors", [])), set(b.participants.get("visitors", []))
        return not (all(visitors) and not visitors[0] & visitors[1])
    return True


def _counterparts(p: Proposal) -> set[str]:
    return set(p.participants.get("partner", []) + p.participants.get("unknown", []))


def _merge(into: Proposal, other: Proposal) -> None:
    # The first telling is cited unless a later one names clearly more (two names or more):
    # a summary's one extra name is no reason to send the officer to another paragraph.
    richer = other if len(other.entities) > len(into.entities) + 1 else into
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
    told = [meetings(s) for s in sentences]
    pairs = zip(sentences, told, strict=True)
    dated = [(s.source, p.date) for s, found in pairs for p in found if p.date]
    by_paragraph: dict[int, tuple[dt.date, int]] = {}
    first_by_marking: dict[str | None, tuple[dt.date, int]] = {}
    for source, day in dated:
        by_paragraph.setdefault(source, (day, source))
        first_by_marking.setdefault(markings[source], (day, source))
    proposals = _record_proposals(sentences, markings)
    for s, met in zip(sentences, told, strict=True):
        meeting = by_paragraph.get(s.source) or first_by_marking.get(markings[s.source])
        s.meeting_date, s.meeting_source = meeting if meeting else (None, None)
        for proposal in met + [p for rule in RULES for p in rule(s)]:
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
