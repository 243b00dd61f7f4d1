"""Meetings: who met whom, when, told by meeting words, conversations with one of ours
on a day, and dialogues with firms."""

from __future__ import annotations

import re

from npdesk.extract.context import Sentence, carried_meeting, dated, names
from npdesk.extract.dates import MONTHS, DateMention
from npdesk.extract.entities import EntityMention
from npdesk.extract.persons import TITLES
from npdesk.extract.proposals import Proposal
from npdesk.extract.sides import side_of_word

_MEETING = re.compile(
    r"\b(?:met|meet|meets|meeting|meetings|discussed|called on|call on|calls on|summoned"
    r"|(?:conference|video) call|videoconference|SVTC|telephone conversation"
    r"|spoke (?:with|to)|talked (?:with|to)|consultations? with|demarched|conversations? with"
    r"|discussions? with|(?:courtesy|introductory|office|farewell|phone|telephone) call"
    r"|presented (?:his |her )?credentials|pulled (?:\S+ ){1,6}aside|briefings? (?:for|to)"
    # A name must follow, capitalized whatever the case of the rest: "received phone calls"
    # is no meeting.
    r"|(?:received|hosted|saw)(?= (?:the |a |an )?(?-i:[A-Z]))"
    r"|(?:breakfast|lunch|luncheon|dinner)(?: \S+){0,3} (?:with|for|in honor of))\b",
    re.IGNORECASE,
)
_CONVERSATION = re.compile(
    r"\b(?:told|briefed|informed|called|readout|spoke|raised|delivered|conveyed|presented"
    r"|expressed|reiterated|thanked|urged|pressed|assured|asked|stressed|confirmed|shared"
    r"|advised|relayed|notified|passed|delivery"
    r"|demarches?|breakfast|lunch|dinner)\b",
    re.IGNORECASE,
)
# One of ours as the listener ("told us", "informed Embassy").
_US = re.compile(r"\b(?:us|we|Embassy|Mission|Post|Consulate)\b")
_NAME = r"[A-Z][a-z]+(?:[\s-][A-Z][a-z]+){1,3}"
_UNTITLED = re.compile(rf"\s+(?:with\s+)?(?P<names>{_NAME}(?:,?\s+and\s+{_NAME})?)\b")
_TITLE_WORDS = frozenset(w for t in TITLES for w in t.split())
_REDACTED = re.compile(r"\b(?:X{5,}|x{5,})\b")
# What only our side delivers: instructions from home ("reftel points"), demarches, non-papers.
_OUR_MESSAGE = re.compile(r"\b(?:reftel|demarches?|non-papers?|talking points)\b", re.IGNORECASE)
# A conversation's day may close a long clause ("conveyed ... to Deputy Governor Zamani, BN
# Legal Director Jeremy Lee, ... and others on September 10").
_CLAUSE_REACH = 300
# "had met on several occasions", "meets regularly": a habit, not one meeting.
_HABITUAL = re.compile(
    r"\b(?:on (?:several|many|numerous|various) occasions|regularly|routinely|frequently"
    r"|often|every (?:week|month|year)|periodically)\b",
    re.IGNORECASE,
)
_NO_MEETING = re.compile(
    r"\b(?:(?:did|does|has|have|had|would) not|never|refused to|declined to|declined an)"
    r"(?: \w+)? (?:meet|met|see|receive)\b",
    re.IGNORECASE,
)
# "in separate December 15 meetings with the SecGen, the Polish PermRep ...", "demarches
# ... to Prikhodko and Ushakov": one meeting per counterpart.
_SEPARATE = re.compile(
    r"\b(?:separate(?:ly)?|meetings|demarches|calls|conversations)\b"
    r"|, and to (?:the )?[A-Z]",  # "delivered reftel points to A, and to B"
    re.IGNORECASE,
)
_BACK_REFERENCE = re.compile(
    r"\b(?:the|this|that|these|those|our|his|her|their)\s+(?:\S+\s+)?"
    r"(?:meetings?|conversations?|calls?|discussions?|lunch|dinner|breakfast)\s*\S*$",
    re.IGNORECASE,
)
# Institutions a meeting can be held with when no person is named ("delivered the request
# to the Defense Ministry's Office of External Relations", "counterparts from the British
# High Commission", "advised MFA representatives").
_COUNTERPART_ORG = re.compile(
    r"\b(?:MFA|MOD|MOI|MOFA|Foreign Office|Foreign Ministry|Chancellery|Presidency"
    r"|(?:[A-Z][a-z]+ )?Ministry(?: of (?:the )?[A-Z][a-z]+(?: (?:and )?[A-Z][a-z]+)*)?"
    r"|High Commissions?|Central Bank(?: of [A-Z][a-z]+)?|Bank [A-Z][a-z]+"
    r"|(?:[A-Z][a-z]+ )?(?:Embassy|Embassies)|State House|Palace)\b"
    # "... Ministry's Office of External Relations and Cooperation (DREC)": the office's
    # acronym, as the cable goes on to call it.
    r"(?:['’]s(?:\s+(?:[A-Z][a-z]+|of|and|for|the)){1,8}\s+\((?P<acronym>[A-Z]{2,8})\))?"
)
# A date at the head of the sentence frames everything in it ("On July 21, Pol Counselor
# delivered ...", "In a December 14 meeting with ...").
_HEAD_DATE = 40
_TOLD_PARTNER = re.compile(
    r"\b(?:updated|informed|briefed|told|keep\w* \w+ informed|noted the discussions)\b",
    re.IGNORECASE,
)
_FIRM_DIALOGUE = re.compile(
    r"\b(?:dialogues?|discussions?|talks|meetings?|consultations?)\b", re.IGNORECASE
)


def meetings(s: Sentence) -> list[Proposal]:
    """Who met whom, when: a meeting word ("met", "called on", "hosted", "pulled ... aside",
    "lunch with", "in a conversation with") with two participants, or one and a day; a
    conversation word ("told us", "delivered ... to", "briefed") between one of ours and
    someone else on a given day; and one meeting per counterpart when the sentence says the
    meetings were separate. Dialogues with firms are `firm_dialogues`."""
    out: list[Proposal] = []
    people = s.people()
    if _HABITUAL.search(s.text) or _NO_MEETING.search(s.text):
        return out
    match = _MEETING.search(s.text)
    if match is not None and not s.dates and _BACK_REFERENCE.search(s.text[: match.end()]):
        # "Key points of the meeting follow", "during the call": the meeting told before.
        match = None
    strong = match is not None
    orgs = [m for m in _COUNTERPART_ORG.finditer(s.text) if s.entity_at(m.start(), m.end()) is None]
    # "XXXXXXXXXXXX told us", "xxxxx, in separate conversations with IRPO officers": a
    # counterpart whose name the release redacted is still a counterpart.
    hidden = [m.group(0) for m in _REDACTED.finditer(s.text)][:1]
    if match is not None:
        # "Poloff spoke with Oyvind Christophersen and Marit Viktoria Pettersen": people
        # named without a title right after the meeting word are its counterparts.
        hidden += _untitled_counterparts(s, match.end())
    if match is None:
        # "Fuchs told us February 17", "delivered reftel points on December 15 to Teesalu":
        # a conversation with one of ours on a given day is a meeting without a meeting verb.
        ours = (
            any(p.side == "home" for p in people)
            or bool(_US.search(s.text))
            or bool(_OUR_MESSAGE.search(s.text))
        )
        others = [p for p in people if p.side != "home"]
        for found in _CONVERSATION.finditer(s.text):
            near = any(abs(d.start - found.start()) <= 80 for d in s.dates) or bool(
                _dates_after(s, found.start(), _CLAUSE_REACH)
            )
            # "Zaplana told the Ambassador on March 29": the speaker need not be known.
            speaker = re.search(r"\b[A-Z][\w'’-]+\s+$", s.text[: found.start()])
            named = (
                speaker is not None
                and s.entity_at(speaker.start(), speaker.end()) is None
                and not any(
                    a < speaker.end() and speaker.start() < b for a, b, _ in s.side_markers()
                )
            )
            # "An official in the Pakistani High Commission told Poloff that ...": telling one
            # of our officers by title is a conversation even without its day.
            # "XXXXXXXXXXXX told us that ...": so is a named or redacted speaker telling us.
            to_officer = found.group(0).lower() in ("told", "briefed", "informed") and (
                any(
                    p.side == "home" and p.kind == "office" and 0 <= p.start - found.end() <= 5
                    for p in people
                )
                or (named and re.match(r"\s+us\b", s.text[found.end() :]) is not None)
            )
            if (
                (near or to_officer)
                and ours
                and (others or orgs or named or hidden or len(people) >= 2)
            ):
                match = found
                strong = True
                break
    parties = len(people) + len(orgs) + len(hidden)
    enough = parties >= 2 or (
        parties == 1
        and (bool(s.dates) or (strong and (_US.search(s.text) is not None or bool(hidden))))
    )
    if match and enough:
        reach = 100 if _MEETING.match(s.text, match.start()) else _CLAUSE_REACH
        mention = _meeting_day(s, match.start(), reach) or s.carried_date
        counterparts = [p for p in people if p.side != "home"]
        groups: list[list[EntityMention]] = [people]
        if _SEPARATE.search(s.text) and len(counterparts) >= 2:
            home = [p for p in people if p.side == "home"]
            groups = [[*home, other] for other in counterparts]
        for group in groups:
            participants: dict[str, list[str]] = {"home": [], "partner": [], "unknown": hidden[:]}
            for person in group:
                bucket = participants[person.side or "unknown"]
                if person.name not in bucket:
                    bucket.append(person.name)
            proposal = s.propose(
                "meeting",
                entities=names(group + s.firms())
                + hidden
                + [m.group("acronym") or m.group(0) for m in orgs],
                title="Meeting: " + " / ".join(dict.fromkeys(p.name for p in group)),
                participants={k: v for k, v in participants.items() if v},
            )
            out.append(dated(proposal, mention))
    return out


def _untitled_counterparts(s: Sentence, position: int) -> list[str]:
    found = _UNTITLED.match(s.text, position)
    if found is None or s.entity_at(found.start("names"), found.end("names")) is not None:
        return []
    out = []
    for name in re.split(r",?\s+and\s+", found.group("names")):
        words = name.split()
        if not any(side_of_word(w) or w.lower() in MONTHS or w in _TITLE_WORDS for w in words):
            out.append(name)
    return out


def _meeting_day(s: Sentence, position: int, reach: int) -> DateMention | None:
    """The day of the meeting whose word is at `position`: a date heading the sentence, else
    the first date after the word in its clause, up to `reach` characters on ("presented his
    credentials ... on 7 November", not the "in August" of a clause before), else the
    nearest."""
    head = [d for d in s.dates if d.start <= _HEAD_DATE and d.start < position]
    if head:
        return head[0]
    after = _dates_after(s, position, reach)
    if after:
        return after[0]
    return s.nearest_date(position)


def _dates_after(s: Sentence, position: int, reach: int) -> list[DateMention]:
    """Dates after `position` in the same clause (no semicolon or colon between), at most
    `reach` characters on."""
    return [
        d
        for d in s.dates
        if 0 <= d.start - position <= reach and not re.search(r"[;:]", s.text[position : d.start])
    ]


def firm_dialogues(s: Sentence) -> list[Proposal]:
    """One dialogue per firm for "dialogue(s)/discussions with FIRM", with the day the partner
    was told of it when the sentence tells them."""
    out: list[Proposal] = []
    people = s.people()
    # "PolMinCouns updated Li on our dialogues with NORINCO": telling the partner about a
    # dialogue is what the plan asks; the day is the meeting the cable reports.
    told = _TOLD_PARTNER.search(s.text)
    listener = next((p for p in people if p.side == "partner"), None)
    for firm in s.firms():
        before = s.text[max(0, firm.start - 120) : firm.start]
        if _FIRM_DIALOGUE.search(before) and re.search(r"\bwith\b", before):
            proposal = s.propose(
                "meeting",
                entities=[firm.name],
                title=f"Dialogue with {firm.name}",
                subject="firm-dialogue",
                key=firm.key,
            )
            if told and listener is not None and s.meeting_date is not None:
                proposal.partner_informed_on = s.meeting_date
                proposal.partner_informed_via = f"meeting with {listener.label()}"
                proposal.sources = carried_meeting(s)
            out.append(proposal)
    return out
