"""Commitments: promises, pledges and agreements, with the owner side and any due."""

from __future__ import annotations

import re
from datetime import timedelta

from npdesk.extract.context import Sentence, clean, dated, names
from npdesk.extract.dates import DateMention
from npdesk.extract.proposals import Proposal
from npdesk.extract.sides import side_of_word

_COMMIT = re.compile(
    r"\b(?:(?:will|would|shall)\s+(?:also\s+|soon\s+|quickly\s+|promptly\s+|\w+ly\s+)?"
    r"(?:respond|reply|provide|consider|look into|follow up|investigate|share|send|arrange"
    r"|host|hold|be prepared to|be ready to|continue(?! to be)|work|report|inform|update|help"
    r"|support|seek|ensure|get back|answer|examine|study|check|review|give|pass|convey|relay"
    r"|raise|brief|forward|call|deliver|try|look at|keep"
    r"|take (?:steps|action|measures|(?:\S+ ){1,4}into)|make|allow|adopt|sign|lead|do so"
    r"|encourage|monitor|approach|facilitate|present|cooperate|assist|comply|implement|use"
    r"|remain|do what|designate|sanction|close|return|destroy|lift|resume|invite|instruct|pursue"
    r"|be (?:making|sending|providing|taking|contributing|deploying|hosting|offering)"
    r"|be (?:taken|sent|used|delivered|provided|returned|shared|released|available))(?! place)"
    r"|pledged|promised|committed to(?=\s+\w+ing\b)|(?:remains?|stays?) committed to"
    # "justice offered to the police" offers nothing to do: a verb must follow.
    r"|undertook to|vowed|offered to(?!\s+(?:the|a|an|his|her|their|its|our)\b)"
    r"|(?:is|are|was|were) offering|(?:re)?assured|guaranteed"
    r"|(?:is|are|was|were|stands?|stood) (?:ready|prepared|willing) to"
    r"|assurances (?:regarding|that|on|of)"
    r"|agreed(?! that)(?: to| on)?|agreed that(?=(?:\s+\S+){1,10}?\s+(?:will|would|should)\b)"
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
_OPENING_SPEAKER = re.compile(
    r"\s*(?:[A-Z][\w.'’-]*\s+){0,3}?([A-Z][\w'’-]+)(?:\s+\w+ly|\s+further|\s+also)?\s+"
    r"(?:said|stated|noted|added|told|explained|replied|responded|indicated|confirmed)\b"
)
_OUR_SUBJECT = re.compile(r"(?:^|[.;]\s*)(?:We|Post|Embassy|Mission|The Embassy)\s+(?:\w+ly\s+)?$")
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
        if re.match(r"(?:re)?assured|promised", match.group(0), re.IGNORECASE) and not re.match(
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
        if owner is None:
            # "Sakkov further stated he would immediately inform ...": the pronoun is the
            # named speaker who opens the sentence, and a speaker none of ours is theirs.
            speaker = _OPENING_SPEAKER.match(s.text)
            if speaker and speaker.end() <= match.start() and not side_of_word(speaker.group(1)):
                entity = s.entity_at(speaker.start(1), speaker.end(1))
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
            r"pledged|promised|committed|undertook|vowed|(?:re)?assured|offer|guaranteed|commitment"
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
        # "Post will do so.", "We will follow up": the cable's own undertaking, said by us.
        ours = _OUR_SUBJECT.search(before) is not None
        if owner is None or not (soft or due or past_agreement or pledged or reported or ours):
            continue
        if _INTERNAL.search(clause[:120]):
            continue
        proposal = s.propose(
            "commitment",
            entities=names([e for e in s.entities if e.kind in ("person", "office", "firm")]),
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
            dated(proposal, due)
        out.append(proposal)
    return out
