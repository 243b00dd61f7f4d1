"""One rule per proposal kind, each reading a `Sentence` and returning proposals.

The rules are patterns over verbs ("met with", "will visit", "pledged to"), nouns ("workshop",
"letter", "list") and the names and dates already recognized in the sentence; they know
nothing of any particular cable.
"""

from __future__ import annotations

import re
from datetime import timedelta

from npdesk.extract.context import Sentence
from npdesk.extract.dates import MONTHS, DateMention
from npdesk.extract.entities import EntityMention
from npdesk.extract.proposals import Proposal
from npdesk.extract.sides import side_of_word

_SPACE = re.compile(r"\s+")
_MEETING = re.compile(
    r"\b(?:met|meet|meets|meeting|meetings|discussed|called on|call on|calls on"
    r"|spoke (?:with|to)|talked (?:with|to)|consultations? with|demarched|conversations? with"
    r"|discussions? with|(?:courtesy|introductory|office|farewell|phone|telephone) call"
    r"|presented (?:his |her )?credentials|pulled (?:\S+ ){1,6}aside|briefings? (?:for|to)"
    r"|(?:received|hosted|saw)(?= (?:the |a |an )?[A-Z])"
    r"|(?:breakfast|lunch|luncheon|dinner)(?: \S+){0,3} (?:with|for|in honor of))\b",
    re.IGNORECASE,
)
_CONVERSATION = re.compile(
    r"\b(?:told|briefed|informed|called|readout|spoke|raised|delivered|conveyed|presented"
    r"|expressed|reiterated|thanked|urged|pressed|assured|asked|stressed|confirmed|shared"
    r"|advised|relayed|notified|passed"
    r"|demarche|breakfast|lunch|dinner)\b",
    re.IGNORECASE,
)
# One of ours as the listener ("told us", "informed Embassy").
_US = re.compile(r"\b(?:us|we|Embassy|Mission|Post|Consulate)\b")
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
    r"\b(?:separate(?:ly)?|meetings|demarches|calls|conversations)\b", re.IGNORECASE
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
_EVENT = re.compile(
    r"(?<!to )\b(?P<noun>workshops?|seminars?|trainings?|training courses?|conferences?"
    r"|symposi(?:um|a)|exercises?|roundtables?|round tables?|forums?|summits?|plenar(?:y|ies)"
    r"|ministerials?(?!\s+[a-z])|consultations|contact group|outreach events?|ceremon(?:y|ies)"
    r"|briefings?|receptions?|round of talks|strategic dialogue|talks"
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
_LETTER = re.compile(r"\bletters?\b(?! of credit)", re.IGNORECASE)
_SENDER_CUE = re.compile(r"\b(?:from|by|signed by)\s+$", re.IGNORECASE)
_RECIPIENT_CUE = re.compile(
    r"\b(?:to|congratulating|thanking|inviting|urging|addressed to|asking|informing)\s+$",
    re.IGNORECASE,
)
_VISIT = re.compile(
    r"\b(?:visit(?:s|ed|ing)?|trips?(?: to)?|travel(?:l?ed|s|ing)? to|toured|tour of"
    r"|arrived? in|came to|(?:going|go|went|heading|headed) to(?=\s+[A-Z]))\b",
    re.IGNORECASE,
)
# "Visit Embassy Rabat's Classified Website: http://...": a footer, not a visit.
_WEB_FOOTER = re.compile(r"https?://|\bweb ?site\b|\bWeb Site\b", re.IGNORECASE)
_POSSESSOR = re.compile(r"([A-Z][\w-]+)['’]s\s+(?:[a-z-]+\s+){0,2}$")
_PRESENCE = re.compile(
    r"\b(?:is|are|was|were)\s+(?:presently\s+|currently\s+|now\s+)?in\s+"
    r"(?P<place>[A-Z][a-z]+(?: [A-Z][a-z]+)?)\s+to\s+(?:meet|discuss|attend|consult)\b"
)
_REVIEW = re.compile(r"\breviews?\b", re.IGNORECASE)
_PROPOSING = re.compile(
    r"\b(?:propos\w*|suggest\w*|schedul\w*|hold(?:ing)?|plan(?:s|ned|ning)?|first|next"
    r"|conduct)\b",
    re.IGNORECASE,
)
_LEVEL = re.compile(
    r"\b(?:working|senior|expert|vice.?ministerial|ministerial)[- ]level\b", re.IGNORECASE
)
_HANDOVER = re.compile(
    r"\b(?:handed over|hand over|handing over|handed|provided|provide|shared with|passed"
    r"|delivered|presented|gave|given|submitted|transmitted|left behind|left|conveyed|sent"
    r"|received(?: by mail)?|delivery of|made by)\b",
    re.IGNORECASE,
)
_HANDED_THING = re.compile(
    r"\b(?P<thing>list|non-?paper|paper|letter|document|diplomatic note|note verbale|note"
    r"|report|dossier|information|data|proposal|contract|copy|assurances)s?\b(?! taking)",
    re.IGNORECASE,
)
_COMMIT = re.compile(
    r"\b(?:(?:will|would|shall)\s+(?:also\s+|soon\s+|quickly\s+|promptly\s+|\w+ly\s+)?"
    r"(?:respond|reply|provide|consider|look into|follow up|investigate|share|send|arrange"
    r"|host|hold|be prepared to|be ready to|continue(?! to be)|work|report|inform|update|help"
    r"|support|seek|ensure|get back|answer|examine|study|check|review|give|pass|convey|relay"
    r"|raise|brief|forward|call|deliver|try|look at|keep|take (?:steps|action|measures|\S+ \S+ into"
    r"|\S+ into)|make|allow|adopt|sign|lead"
    r"|encourage|monitor|approach|facilitate|present|cooperate|assist|comply|implement|use"
    r"|remain|do what|designate|sanction|close|return|destroy|lift|resume|invite"
    r"|be (?:making|sending|providing|taking|contributing|deploying|hosting|offering)"
    r"|be (?:taken|sent|used|delivered|provided|returned|shared|released))(?! place)"
    r"|pledged|promised|committed to(?=\s+\w+ing\b)|(?:remains?|stays?) committed to"
    r"|undertook to|vowed|offered to|(?:is|are|was|were) offering|assured|guaranteed"
    r"|(?:is|are|was|were|stands?|stood) (?:ready|prepared|willing) to"
    r"|assurances (?:regarding|that|on|of)"
    r"|agreed(?! that)(?: to| on)?|agreed that(?=(?:\s+\S+){1,6}?\s+(?:will|would|should)\b)"
    r"|(?<!been )(?<!was )(?<!were )accepted|will be prepared)\b",
    re.IGNORECASE,
)
# "will provide Department with our recommendations": the embassy's own channel home.
_INTERNAL = re.compile(
    r"\b(?:provide|send|inform|update|report to|brief|advise)\s+(?:the\s+)?(?:Department"
    r"|Washington|NSC|Post|the Embassy)\b"
)
_HYPOTHETICAL = re.compile(
    r"(?:^|[,;(]\s*|\b(?:asked|wondered|questioned)\s+)(?:if|whether|unless)\b|\bin theory\b",
    re.IGNORECASE,
)
# "agreed Iran's enrichment was a grave concern": agreement with an opinion, no undertaking.
_AGREED_OPINION = re.compile(
    r"^(?:\s+(?!to\b|on\b|with\b)\S+){1,8}?\s+(?:was|is|were|are|had been)\b"
)
_PAST_PLEDGE = re.compile(r"^(?:agreed|accepted)", re.IGNORECASE)
_SOFT_DUE = re.compile(
    r"\b(?P<due>as soon as possible|asap|in due course|in the near future|shortly|promptly"
    r"|without delay|at the earliest (?:possible )?(?:opportunity|date|convenience)|soon"
    r"|within (?:a|one|two|three|four|\d+) (?:days?|weeks?|months?)"
    r"|by the end of (?:the )?(?:year|month|week))\b",
    re.IGNORECASE,
)
_DUE_BY = re.compile(r"\b(?:by|before|no later than|not later than)\s+$", re.IGNORECASE)
_NUMBERS = {"a": 1, "one": 1, "two": 2, "three": 3, "four": 4}
_UNITS = {"day": 1, "week": 7, "month": 30}


def clean(text: str) -> str:
    """The sentence on one line, without surplus spaces."""
    return _SPACE.sub(" ", text).strip()


def _names(entities: list[EntityMention]) -> list[str]:
    out: list[str] = []
    for entity in entities:
        for value in (entity.name, entity.organization):
            if value and value not in out:
                out.append(value)
    return out


def _carried_meeting(s: Sentence) -> tuple[int, ...]:
    """The paragraph the sentence's meeting day was taken from, as a proposal source."""
    return (s.meeting_source,) if s.meeting_source is not None else ()


def _dated(proposal: Proposal, mention: DateMention | None) -> Proposal:
    if mention is not None:
        proposal.date = mention.date
        proposal.date_range = mention.date_range
    return proposal


def meetings(s: Sentence) -> list[Proposal]:
    """Who met whom, when: a meeting word ("met", "called on", "hosted", "pulled ... aside",
    "lunch with", "in a conversation with") with two participants, or one and a day; a
    conversation word ("told us", "delivered ... to", "briefed") between one of ours and
    someone else on a given day; one meeting per counterpart when the sentence says the
    meetings were separate; and one dialogue per firm for "dialogue(s)/discussions with FIRM"."""
    out: list[Proposal] = []
    people = s.people()
    if _HABITUAL.search(s.text) or _NO_MEETING.search(s.text):
        return _firm_dialogues(s, people)
    match = _MEETING.search(s.text)
    if match is not None and not s.dates and _BACK_REFERENCE.search(s.text[: match.end()]):
        # "Key points of the meeting follow", "during the call": the meeting told before.
        match = None
    strong = match is not None
    orgs = [m for m in _COUNTERPART_ORG.finditer(s.text) if s.entity_at(m.start(), m.end()) is None]
    if match is None:
        # "Fuchs told us February 17", "delivered reftel points on December 15 to Teesalu":
        # a conversation with one of ours on a given day is a meeting without a meeting verb.
        ours = any(p.side == "home" for p in people) or bool(_US.search(s.text))
        others = [p for p in people if p.side != "home"]
        for found in _CONVERSATION.finditer(s.text):
            near = any(abs(d.start - found.start()) <= 80 for d in s.dates)
            # "Zaplana told the Ambassador on March 29": the speaker need not be known.
            speaker = re.search(r"\b[A-Z][\w'’-]+\s+$", s.text[: found.start()])
            named = (
                speaker is not None
                and s.entity_at(speaker.start(), speaker.end()) is None
                and not any(
                    a < speaker.end() and speaker.start() < b for a, b, _ in s.side_markers()
                )
            )
            if near and ours and (others or orgs or named or len(people) >= 2):
                match = found
                strong = True
                break
    parties = len(people) + len(orgs)
    enough = parties >= 2 or (
        parties == 1 and (bool(s.dates) or (strong and _US.search(s.text) is not None))
    )
    if match and enough:
        mention = _meeting_day(s, match.start()) or s.carried_date
        counterparts = [p for p in people if p.side != "home"]
        groups: list[list[EntityMention]] = [people]
        if _SEPARATE.search(s.text) and len(counterparts) >= 2:
            home = [p for p in people if p.side == "home"]
            groups = [[*home, other] for other in counterparts]
        for group in groups:
            participants: dict[str, list[str]] = {"home": [], "partner": [], "unknown": []}
            for person in group:
                bucket = participants[person.side or "unknown"]
                if person.name not in bucket:
                    bucket.append(person.name)
            proposal = Proposal(
                kind="meeting",
                text=clean(s.text),
                paragraph=s.paragraph,
                entities=_names(group + s.firms()) + [m.group(0) for m in orgs],
                title="Meeting: " + " / ".join(dict.fromkeys(p.name for p in group)),
                participants={k: v for k, v in participants.items() if v},
            )
            out.append(_dated(proposal, mention))
    return out + _firm_dialogues(s, people)


def _meeting_day(s: Sentence, position: int) -> DateMention | None:
    """The day of the meeting whose word is at `position`: a date heading the sentence, else
    the first date after the word in its clause ("presented his credentials ... on 7
    November", not the "in August" of a clause before), else the nearest."""
    head = [d for d in s.dates if d.start <= _HEAD_DATE and d.start < position]
    if head:
        return head[0]
    after = [
        d
        for d in s.dates
        if 0 <= d.start - position <= 100 and not re.search(r"[;:]", s.text[position : d.start])
    ]
    if after:
        return after[0]
    return s.nearest_date(position)


def _firm_dialogues(s: Sentence, people: list[EntityMention]) -> list[Proposal]:
    out: list[Proposal] = []
    # "PolMinCouns updated Li on our dialogues with NORINCO": telling the partner about a
    # dialogue is what the plan asks; the day is the meeting the cable reports.
    told = _TOLD_PARTNER.search(s.text)
    listener = next((p for p in people if p.side == "partner"), None)
    for firm in s.firms():
        before = s.text[max(0, firm.start - 120) : firm.start]
        if _FIRM_DIALOGUE.search(before) and re.search(r"\bwith\b", before):
            proposal = Proposal(
                kind="meeting",
                text=clean(s.text),
                paragraph=s.paragraph,
                entities=[firm.name],
                title=f"Dialogue with {firm.name}",
                subject="firm-dialogue",
                key=firm.key,
            )
            if told and listener is not None and s.meeting_date is not None:
                proposal.partner_informed_on = s.meeting_date
                proposal.partner_informed_via = f"meeting with {listener.label()}"
                proposal.sources = _carried_meeting(s)
            out.append(proposal)
    return out


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
        if mention is None and not re.search(r"\b[A-Z]{2,}|\b[A-Z][a-z]+ Agreement", what):
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
    entities = _names(s.firms())
    if place:
        entities.append(place)
    proposal = Proposal(
        kind="event",
        text=clean(s.text),
        paragraph=s.paragraph,
        entities=entities,
        title=title[:1].upper() + title[1:],
        place=place,
    )
    return _dated(proposal, mention)


def letters(s: Sentence) -> list[Proposal]:
    """A letter from someone to someone: the sender follows "from", the recipient follows
    "to"/"congratulating"/"thanking" (names after the word "letter" first)."""
    match = _LETTER.search(s.text)
    if not match:
        return []
    people = [p for p in s.people() if p.kind == "person"]
    after = [p for p in people if p.start > match.start()] or people
    sender = next((p for p in after if _SENDER_CUE.search(s.text[: p.start])), None)
    recipient = next(
        (p for p in after if p is not sender and _RECIPIENT_CUE.search(s.text[: p.start])), None
    )
    if sender is None and recipient is None:
        return _letter_to_institution(s, match)
    parties = [p for p in (sender, recipient) if p is not None]
    proposal = Proposal(
        kind="letter",
        text=clean(s.text),
        paragraph=s.paragraph,
        entities=[p.name for p in parties],
        owner=sender.side if sender else None,
        title="Letter"
        + (f" from {sender.label()}" if sender else "")
        + (f" to {recipient.label()}" if recipient else ""),
        participants={
            "from": [sender.name] if sender else [],
            "to": [recipient.name] if recipient else [],
        },
    )
    return [_dated(proposal, _letter_day(s, match.start()))]


def _letter_day(s: Sentence, position: int) -> DateMention | None:
    """The letter's own date ("a letter ... dated March 29") before the day it arrived."""
    for mention in s.dates:
        if mention.start > position and re.search(r"\bdated\s+$", s.text[: mention.start]):
            return mention
    return s.nearest_date(position)


# "a letter to Russian authorities", "sent a letter to the Director of U.S. Customs and
# Border Protection": the recipient is an institution, not a named person.
_TO_INSTITUTION = re.compile(
    r"^[^.;]{0,30}?\bto\s+(?:the\s+)?(?P<to>[A-Z][\w.’'-]*(?:\s+(?:of\s+|and\s+|for\s+)?"
    r"[A-Z][\w.’'-]*){0,6}(?:\s+(?:authorities|government|officials|leadership))?)"
)


def _letter_to_institution(s: Sentence, match: re.Match[str]) -> list[Proposal]:
    found = _TO_INSTITUTION.match(s.text[match.end() :])
    if found is None or (
        side_of_word(found.group("to")) == "home" and "U.S." not in found.group("to")
    ):
        return []
    recipient = found.group("to")
    owner = s.subject_side(match.start())
    if owner is None and not any(m[2] == "home" for m in s.side_markers()[:1]):
        owner = "partner"
    proposal = Proposal(
        kind="letter",
        text=clean(s.text),
        paragraph=s.paragraph,
        entities=[recipient],
        owner=owner,
        title=f"Letter to {recipient}",
        participants={"from": [], "to": [recipient]},
    )
    return [_dated(proposal, _letter_day(s, match.start()))]


def visits(s: Sentence) -> list[Proposal]:
    """Someone visits a place or a firm ("the DCM will visit NORINCO headquarters on March
    26"), or is somewhere to meet people ("CGWIC representatives are presently in
    Washington to meet U.S. officials")."""
    out: list[Proposal] = []
    if _WEB_FOOTER.search(s.text):
        return out
    presence = _PRESENCE.search(s.text)
    if presence:
        visitors = [e for e in s.entities if e.end <= presence.start()]
        entities = [*_names(visitors[-1:]), presence.group("place")]
        mention = s.nearest_date(presence.start())
        if mention is not None and abs(mention.start - presence.end()) > 40:
            mention = None
        out.append(
            _dated(
                Proposal(
                    kind="visit",
                    text=clean(s.text),
                    paragraph=s.paragraph,
                    entities=entities,
                    title=f"{entities[0]} in {presence.group('place')}",
                    place=presence.group("place"),
                    key=visitors[-1].key if visitors and visitors[-1].kind == "firm" else None,
                ),
                mention,
            )
        )
    for match in _VISIT.finditer(s.text):
        if presence and presence.start() <= match.start() < presence.end():
            continue
        # The visitor is the last name before the verb; the visited, the first after it.
        before = [
            e
            for e in s.entities
            if e.end <= match.start() and (not presence or e.start >= presence.end())
        ]
        after = [e for e in s.entities if e.start >= match.end()]
        involved = before[-1:] + after[:1]
        place = _visited_place(s.text, match.end())
        possessor = _POSSESSOR.search(s.text[: match.start()])
        firm = next((e for e in after[:1] if e.kind == "firm"), None)
        mention = s.nearest_date(match.start())
        if mention is not None and not -40 <= mention.start - match.start() <= 80:
            mention = None
        # "the visit was a success" refers back to a visit told elsewhere: a visit needs a
        # place, a firm or a day of its own.
        # "visiting Prime Minister Taro Aso": the visitor follows the word.
        guest = (
            match.group(0).lower() == "visiting"
            and bool(after)
            and after[0].kind == "person"
            and after[0].start - match.end() <= 30
        )
        if not (place or firm or mention or guest):
            continue
        if re.match(r"arriv|came|go|went|head", match.group(0), re.IGNORECASE) and not any(
            e.kind in ("person", "office") for e in before
        ):
            continue  # "the flight arrived in Russia", "the LES went to the customs point"
        out.append(
            _dated(
                Proposal(
                    kind="visit",
                    text=clean(s.text),
                    paragraph=s.paragraph,
                    entities=_names(involved)
                    + ([possessor.group(1)] if possessor else [])
                    + ([place] if place else []),
                    title="Visit"
                    + (f" to {firm.name}" if firm else (f" to {place}" if place else "")),
                    place=place,
                    key=firm.key if firm else None,
                ),
                mention,
            )
        )
        break
    return out


def _visited_place(text: str, position: int) -> str | None:
    """The capitalized place right after a visit word ("visit to Iran", "trip to Damascus",
    "visited Rio de Janeiro's airport", "in Washington"), or None."""
    match = re.match(
        r"\s+(?:to\s+|in\s+|of\s+)?(?:the\s+)?(?P<place>[A-Z][a-z]+(?:\s+(?:de\s+)?[A-Z][a-z]+)?)",
        text[position:],
    )
    if re.match(r"\s+here\b", text[position:]):
        return "here"  # "Mottaki's visit here": the host country
    if match is None or match.group("place").split()[0].lower() in MONTHS:
        return None
    return match.group("place")


def reviews(s: Sentence) -> list[Proposal]:
    """A proposed or scheduled review with a date ("proposal for an April 16 review")."""
    match = _REVIEW.search(s.text)
    if not match or not _PROPOSING.search(s.text):
        return []
    mention = s.nearest_date(match.start())
    if mention is None:
        return []
    level = _LEVEL.search(s.text)
    entities = _names(s.people())
    if level:
        entities.append(level.group(0))
    proposal = Proposal(
        kind="review",
        text=clean(s.text),
        paragraph=s.paragraph,
        entities=entities,
        title=("Proposed " + level.group(0) + " review") if level else "Proposed review",
    )
    return [_dated(proposal, mention)]


def handovers(s: Sentence) -> list[Proposal]:
    """A list, paper or letter handed over or provided: dated by its own date, else by the
    meeting the cable reports (the day it changed hands)."""
    out: list[Proposal] = []
    for match in _HANDOVER.finditer(s.text):
        window = s.text[max(0, match.start() - 80) : match.end() + 80]
        thing = _HANDED_THING.search(window)
        if not thing:
            continue
        name = thing.group("thing").lower()
        if name == "proposal":
            continue
        mention = s.nearest_date(match.end(), after_only=True)
        if mention is not None and mention.start - match.end() > 60:
            mention = None
        qualifier = re.search(
            r"\b(updated|new|revised|original|earlier|signed)\b", window[: thing.start()]
        )
        proposal = Proposal(
            kind="handover",
            text=clean(s.text),
            paragraph=s.paragraph,
            entities=_names([e for e in s.entities if e.kind in ("person", "office")]),
            owner=s.subject_side(match.start()),
            title=" ".join(
                filter(None, [qualifier.group(1) if qualifier else None, name])
            ).capitalize()
            + " handed over",
            subject=name,
        )
        if mention is None and s.meeting_date is not None:
            proposal.date = s.meeting_date
            proposal.sources = _carried_meeting(s)
        else:
            _dated(proposal, mention)
        out.append(proposal)
    return out


def commitments(s: Sentence) -> list[Proposal]:
    """Promises and agreements: "will respond ... as soon as possible", "pledged to respond",
    "agreed to the proposal on November 30". The owner is the acting side; a soft due ("as
    soon as possible", "in due course") or a due date ("by April 1") is kept."""
    out: list[Proposal] = []
    for match in _COMMIT.finditer(s.text):
        before = s.text[max(0, match.start() - 25) : match.start()]
        after = s.text[match.end() : match.end() + 120]
        if re.search(r"\b(?:not|no|never|yet to)\b(?:\s+\w+){0,2}\s*$", before):
            continue  # "had not yet agreed": no promise
        if re.match(r"assured|promised", match.group(0), re.IGNORECASE) and not re.match(
            r"\s+(?:\w+\s+){0,3}to\b", after
        ):
            # "assured Compaore that the GOM appreciated ...": reassurance, unless the
            # reported clause itself promises ("assured us that China would ...").
            clause_end = re.search(r"[.;]", after)
            if not re.search(
                r"\b(?:will|would|shall)\b", after[: clause_end.start() if clause_end else None]
            ):
                continue
        if re.match(r"agreed$", match.group(0), re.IGNORECASE) and (
            _AGREED_OPINION.match(after) or not after.strip(' ."”')
        ):
            continue  # "agreed Iran's enrichment was a concern", "Padilla agreed."
        if re.match(r"\s+(?:not|no|never)\b", after) or _HYPOTHETICAL.search(
            s.text[max(0, match.start() - 80) : match.start()]
        ):
            continue  # "would make no effort", "if they were in the DPRK's place ..."
        if re.search(r"\b(?:seek\w*|sought|ask\w* for|request\w*)\s+$", before):
            continue  # "UNHCR is seeking assurances": a request, not an undertaking
        owner = s.subject_side(match.start())
        if owner is None:
            # "Bonilla assured ...", "President Kaczynski would sign ...": a named subject
            # that is none of ours is the other side.
            subject = re.search(r"\b([A-Z][\w'’-]+)(?:\s+\w+ly)?\s+(?:\w+\s+)?$", before)
            if subject and side_of_word(subject.group(1)) != "home":
                entity = s.entity_at(subject.start(1) + match.start() - len(before), match.start())
                if entity is None or entity.side != "home":
                    owner = "partner"
        rest = s.text[match.start() :]
        stop = re.search(r"[;]|,[\"'”’]? (?:he|she|they|we|[A-Z]\w+) (?:said|noted)|, but\b", rest)
        clause = re.sub(r"[\"“”]", "", rest[: stop.start()] if stop else rest)
        soft = _SOFT_DUE.search(clause)
        due: DateMention | None = None
        for mention in s.dates:
            if mention.start >= match.start() and _DUE_BY.search(s.text[: mention.start]):
                due = mention
                break
        past_agreement = bool(_PAST_PLEDGE.match(match.group(0)))
        if past_agreement:
            due = s.nearest_date(match.end(), after_only=True)
            if due is not None and due.start - match.end() > 60:
                due = None
        pledged = re.match(
            r"pledged|promised|committed|undertook|vowed|assured|offer|guaranteed|commitment"
            r"|assurances|willingness|is |are |was |were |stand|stood",
            match.group(0),
            re.IGNORECASE,
        )
        # A bare "would provide" counts only in reported speech ("Yu said the ROK would
        # provide ..."); the cable's own forecasts ("the road ahead will be hard") do not.
        reported = re.search(
            r"\b(?:said|told|assured|noted|stated|promised|agreed|added|indicated|explained"
            r"|confirmed|replied|responded)\b",
            s.text,
        )
        if owner is None and pledged and not any(m[2] == "home" for m in s.side_markers()):
            # An embassy reports the host side's pledges; its own come with "we", "the
            # Ambassador" or a named officer, so an unplaced pledger is the partner.
            owner = "partner"
        if owner is None or not (soft or due or past_agreement or pledged or reported):
            continue
        if _INTERNAL.search(clause[:120]):
            continue
        proposal = Proposal(
            kind="commitment",
            text=clean(s.text),
            paragraph=s.paragraph,
            entities=_names([e for e in s.entities if e.kind in ("person", "office", "firm")]),
            owner=owner,
            title=clean(clause)[:200],
            soft_due=soft.group("due").lower() if soft else None,
            status="done" if past_agreement else "open",
        )
        if soft and soft.group("due").lower().startswith("within") and s.cable_date:
            count, unit = soft.group("due").lower().split()[1:3]
            days = (_NUMBERS.get(count) or int(count)) * _UNITS[unit.rstrip("s")]
            proposal.date = s.cable_date + timedelta(days=days)
        else:
            _dated(proposal, due)
        out.append(proposal)
    return out


RULES = (meetings, events, letters, visits, reviews, handovers, commitments)
