"""People named with a title ("Counselor Li Song", "ISN PDAS Patricia McNerney") and home
offices named without a person ("PolMinCouns", "the DCM").

A title followed by one to three capitalized words is a person; the capitalized words just
before the title are the person's office ("MFA Arms Control and Disarmament Department").
"""

from __future__ import annotations

import re
from functools import lru_cache

from npdesk.extract.entities import EntityMention, Side

# Longest first, so "Director General" wins over "Director".
TITLES = sorted(
    [
        "Principal Deputy Assistant Secretary",
        "Deputy Assistant Secretary",
        "Assistant Secretary",
        "Under Secretary",
        "Undersecretary",
        "Deputy Secretary",
        "Secretary General",
        "Secretary",
        "Director General",
        "Deputy Director General",
        "Deputy Director",
        "Division Director",
        "Director",
        "Minister Counselor",
        "Minister-Counselor",
        "Counselor",
        "Counsellor",
        "Deputy Foreign Minister",
        "Vice Foreign Minister",
        "Assistant Foreign Minister",
        "Foreign Minister",
        "Vice Minister",
        "Deputy Minister",
        "Assistant Minister",
        "Prime Minister",
        "Deputy Prime Minister",
        "Minister",
        "Vice Premier",
        "Premier",
        "Vice President",
        "President",
        "Vice Chairman",
        "Chairman",
        "Chairwoman",
        "Ambassador",
        "Amb.",
        "Charge d'Affaires",
        "Consul General",
        "Senator",
        "Congressman",
        "Congresswoman",
        "Governor",
        "Mayor",
        "Spokesman",
        "Spokeswoman",
        "Spokesperson",
        "Professor",
        "Prof.",
        "Dr.",
        "Mr.",
        "Ms.",
        "Mrs.",
        "General",
        "Lieutenant General",
        "Admiral",
        "Colonel",
        "Commissioner",
        "Envoy",
        "Special Representative",
        "Representative",
        "Deputy Chairman",
        "Chairperson",
        "Chief of Staff",
        "Deputy Chief",
        "Section Chief",
        "Chief",
        "Advisor",
        "Adviser",
        "General Manager",
        "Deputy General Manager",
        "Managing Director",
        "CEO",
        "Attache",
        "PDAS",
        "DAS",
        "A/S",
        "U/S",
        "FM",
        "DFM",
        "VFM",
        "AFM",
        "FonMin",
        "DefMin",
        "PM",
        "DPM",
        "DG",
        "DDG",
        "Amb",
        "DCM",
        "PermRep",
        "Commander",
        "Brigadier",
        "Lieutenant",
        "Captain",
        "Prince",
        "Princess",
        "King",
        "Queen",
        "Sheikh",
        "Shaykh",
        "Emir",
        "Amir",
        "Chancellor",
        "Judge",
        "Magistrate",
        "Monsignor",
        "Father",
        "Leader",
        "Secretary of State",
        "Chief Executive",
        "Head",
        # Lower-case roles that cables put before a name ("party leader Nick Clegg",
        # "Rosatom head Sergey Kiriyenko", "spokesman Vyacheslav Davidenko").
        "leader",
        "head",
        "chief",
        "spokesman",
        "spokeswoman",
        "spokesperson",
        "commander",
        "advisor",
        "adviser",
        "envoy",
        "official",
        "counterpart",
        "aide",
        "director",
        "deputy",
        "secretary",
        "minister",
        "ambassador",
        "chairman",
        "president",
        "businessman",
        "journalist",
        "activist",
        "judge",
    ],
    key=len,
    reverse=True,
)
# Offices of the home government that cables name instead of a person.
HOME_OFFICES = (
    "PolMinCouns",
    "PolCouns",
    "EconMinCouns",
    "EconCouns",
    "DCM",
    "Charge",
    "Ambassador",
    "Poloff",
    "PolOff",
    "Poloffs",
    "Econoff",
    "EconOff",
    "Econoffs",
    "Emboff",
    "Emboffs",
    "EmbOff",
    "EmbOffs",
    "PolEconOff",
    "Conoff",
    "ConGen",
    "Codel",
    "Staffdel",
    "DATT",
    "EXBS Advisor",
    "ESTHoff",
    "ESTH Officer",
    "Pol/Mil Officer",
    "PolMilOff",
    # Embassy sections and officers named by role ("OSC Chief delivered ...", "P/E Chief").
    "Pol/Econ Chief",
    "P/E Chief",
    "Pol Chief",
    "PolChief",
    "Econ Chief",
    "OSC Chief",
    "Pol Counselor",
    "Econ Counselor",
    "Political Counselor",
    "Economic Counselor",
    "Pol/Mil Counselor",
    "Science Officers",
    "Science Officer",
    "Attache",
    "Legatt",
    "LegAtt",
    "RSO",
    "DAO",
    "LES",
    "CG",
    "IRPO",
    "NAVATT",
    "Global Affairs Officer",
)
# Words on the home side in a title or office ("ISN PDAS", "Embassy", "U.S.").
HOME_MARKERS = re.compile(
    r"\b(?:ISN|EAP|NEA|EUR|SCA|WHA|AF|IO|T|PM|VCI|EB|INR|DRL|PRM|USG|U\.S\.|US|USA|American"
    r"|Embassy|Mission|State|Department of|DOE|DOD|DOC|BIS|NSC|White House|Treasury|PDAS|DAS"
    r"|A/S|U/S|Senator|Congress\w*|Pol|Econ|Political|Economic|Consul|Consular)\b"
)
# Words that never belong to a name, written as one string to keep the list short.
_NOT_NAME_WORDS = (
    "The A An On In At And Of For To With As But He She They We It His Her Their Our Said "
    "Also Has Had Was Is Will Would "
    # Month abbreviations end a name ("Nelson Jobim Feb. 13"); "May" is left out as it
    # is a name too.
    "Jan Feb Mar Apr Jun Jul Aug Sep Sept Oct Nov Dec "
    "January February March April May June July August September October November December "
    "Monday Tuesday Wednesday Thursday Friday Saturday Sunday Department Ministry Embassy "
    "Government Office Bureau Committee Council Commission Agency Administration General "
    "Director Minister Chinese American State Division Section Affairs Team Delegation"
)
_NAME_STOP = frozenset(_NOT_NAME_WORDS.split())
_ORG_STOP = frozenset(
    {
        "The",
        "He",
        "She",
        "They",
        "We",
        "It",
        "His",
        "Her",
        "Their",
        "Our",
        "A",
        "An",
        "In",
        "On",
        "At",
        "As",
        "But",
        "And",
        "Said",
    }
)
_NAME_WORD = r"(?:[A-Z][a-z]*(?:Mc|Mac|O'|D')?[A-Z]?[a-z’']+(?:-[A-Z]?[a-z]+)*|[A-Z]\.)"
# Between the words of a name: a space, or a particle ("Muammar al-Qadhafi", "Abdullah bin
# Zayed", "Luiz Inacio Lula da Silva").
_NAME_JOIN = r"(?:\s+(?:(?:bin|ibn|bint|de|da|dos|do|van|von|der|del|la|le)\s+|(?:al|el)-)?)"
_TITLE_RE = "|".join(re.escape(t) for t in TITLES)
_RANK = r"(?:(?:Deputy|Vice|Assistant|Acting|Senior|Principal|Executive|First|Special|High)\s+)*"
# "Deputy Minister of Fuel and Energy Volodymyr Makukha": the office words after "of"/"for"
# run straight into the name; `_split_office_run` takes the name off the end.
_OFFICE_RUN = (
    r"(?:(?:of|for|to)\s+(?:the\s+)?(?:[A-Z][\w’'&-]*\s+(?:(?:and|of|for|the|on)\s+)?){1,7})"
)
_PERSON = re.compile(
    rf"(?<![\w/])(?P<title>{_RANK}(?:{_TITLE_RE}))\s+(?P<of>{_OFFICE_RUN})?"
    rf"(?P<name>{_NAME_WORD}(?:{_NAME_JOIN}{_NAME_WORD}){{0,2}})"
)
# Words that name offices, never people: a run ending in them holds no name.
_OFFICE_WORDS = frozenset(
    {
        "Affairs",
        "Foreign",
        "Defense",
        "Defence",
        "Justice",
        "Interior",
        "Energy",
        "Trade",
        "Finance",
        "Economy",
        "Health",
        "Security",
        "Relations",
        "Peace",
        "Culture",
        "State",
        "Industry",
        "Commerce",
        "Development",
        "Planning",
        "Education",
        "Environment",
        "Agriculture",
        "Transport",
        "Labor",
        "Labour",
        "Communications",
        "Information",
        "Technology",
        "Science",
        "Resources",
        "Mines",
        "Oil",
        "Gas",
        "Fuel",
        "Power",
        "Water",
        "Customs",
        "Police",
        "Intelligence",
        "Forces",
        "Army",
        "Navy",
        "Staff",
        "Rights",
        "Issues",
        "Policy",
        "Control",
        "Disarmament",
        "Nonproliferation",
        "Department",
        "Ministry",
        "Office",
        "Bureau",
        "Committee",
        "Council",
        "Commission",
        "Affair",
    }
)


def _split_office_run(office: str, name: str) -> tuple[str, list[str]] | None:
    """Split "of Fuel and Energy" + "Volodymyr Makukha" into the office phrase and the name
    (the last two capitalized words); None when the run ends in office words (no name)."""
    words = (office + " " + name).split()
    caps = [w for w in words if w[:1].isupper()]
    if len(caps) < 3:
        return None
    person = caps[-2:]
    if any(w in _OFFICE_WORDS or w in _NAME_STOP for w in person):
        return None
    cut = len(words) - 2
    return " ".join(words[:cut]), person


_OFFICE = re.compile(r"(?<![\w/])(?P<office>" + "|".join(map(re.escape, HOME_OFFICES)) + r")\b")
# Officer abbreviations are written in any case ("poloff", "PolOff", "POLOFF"); words such as
# "Charge" or "Ambassador" only count capitalized.
_OFFICE_ANY_CASE = re.compile(
    r"(?<![\w/])(?P<office>(?:pol|econ|emb|con|polecon|polmil|esth)offs?|polcouns|econcouns"
    r"|polmincouns|econmincouns|dcm)\b",
    re.IGNORECASE,
)
_ORG_WORD = re.compile(r"[A-Z][\w/&.'’-]*$")
_CONNECTORS = frozenset({"and", "of", "for", "on"})
# Honorifics carry no office and accept a one-word name ("Mr. Wang").
_HONORIFICS = frozenset({"Mr.", "Ms.", "Mrs.", "Dr.", "Prof.", "Amb.", "Amb"})
# A syllable that can be a Chinese family name in pinyin: such names come first ("Li Song").
_PINYIN_SYLLABLE = re.compile(
    r"^(?:zh|ch|sh|[bpmfdtnlgkhjqxrzcsyw])?(?:[aeiou]|ua|uo|ia|ie|iu|ui|ai|ei|ao|ou|an|en|in"
    r"|un|ang|eng|ing|ong|iang|iong|uang|ian|uan|iao)(?:n|ng|r)?$"
)


_TITLE_WORDS = frozenset(w for t in TITLES for w in t.split())


def _trim_name(words: list[str]) -> list[str]:
    kept: list[str] = []
    for word in words:
        # A title word is never part of a name ("General Secretary" is no person).
        if word in _NAME_STOP or word in _TITLE_WORDS:
            break
        kept.append(word)
    return kept


def _organization(text: str, title_start: int, floor: int = 0) -> tuple[str | None, int]:
    """Capitalized words right before the title, with inner connectors ("and", "of"), none
    before `floor` (the end of the person named before: "Rosatom head Sergey Kiriyenko and
    Deputy FM Aleksey Borodavkin")."""
    words = [w for w in re.finditer(r"\S+", text[:title_start]) if w.start() >= floor]
    taken: list[re.Match[str]] = []
    for word in reversed(words):
        raw = word.group(0)
        if raw.rstrip(",;:") != raw or raw.endswith("."):
            break
        if raw in HOME_OFFICES or raw in _ORG_STOP:
            break
        if _ORG_WORD.match(raw) or raw in _CONNECTORS:
            taken.append(word)
            continue
        break
    while taken and taken[-1].group(0) in _CONNECTORS:
        taken.pop()
    taken.reverse()
    while taken and taken[0].group(0) in _CONNECTORS:
        taken.pop(0)
    if not taken:
        return None, title_start
    return text[taken[0].start() : taken[-1].end()], taken[0].start()


def side_of(title: str | None, organization: str | None) -> Side | None:
    """Home when the title or office is one of ours (ISN, Embassy, U.S.), partner when an
    office is named and is not ours, None when nothing is known."""
    joined = " ".join(filter(None, [organization, title]))
    if re.search(r"\bGovernment of (?!the United States)", joined):
        return "partner"  # "Secretary of State for the Government of Romania"
    if HOME_MARKERS.search(joined):
        return "home"
    if organization or re.search(r"\b(?:of|for)\b", title or ""):
        return "partner"
    return None


# "Paul Teesalu, Director of the MFA's Security Policy Division", "Sven Sakkov, MOD
# Undersecretary": a full name followed by its title after a comma.
# Found from the comma: trying the name pattern at every capital letter is slow.
_APPOSITIVE_TITLE = re.compile(
    rf",\s+(?:the\s+)?(?P<org>(?:[A-Z][\w’'/&.-]*\s+){{0,3}})(?P<title>{_RANK}(?:{_TITLE_RE}))\b"
)
_APPOSITIVE_NAME = re.compile(rf"(?<![\w/]){_NAME_WORD}(?:{_NAME_JOIN}{_NAME_WORD}){{1,2}}$")


def _appositives(text: str, taken: list[EntityMention]) -> list[EntityMention]:
    found: list[EntityMention] = []
    for match in _APPOSITIVE_TITLE.finditer(text):
        comma = match.start()
        name = _APPOSITIVE_NAME.search(text, max(0, comma - 80), comma)
        if name is None:
            continue
        words = _trim_name(name.group(0).split())
        if len(words) < 2 or words != name.group(0).split():
            continue
        if any(t.start < comma and name.start() < t.end for t in taken):
            continue
        if match.group("title")[:1].islower() and match.group("title") not in _LOWER_ROLES:
            continue
        organization = match.group("org").strip() or None
        title = " ".join(match.group("title").split())
        found.append(
            EntityMention(
                name=" ".join(words),
                kind="person",
                text=name.group(0),
                start=name.start(),
                end=comma,
                title=title,
                organization=organization,
                side=side_of(title, organization) or "partner",
            )
        )
    return found


_LOWER_ROLES = frozenset(
    {"leader", "head", "chief", "spokesman", "spokeswoman", "commander", "advisor", "adviser"}
)


def find_people(text: str) -> list[EntityMention]:
    """Titled people in `text`, in order; `title`, `organization` and `side` are filled when
    known. A name of one word is accepted after an honorific ("Mr. Wang") or when it is the
    only word before a non-name ("FonMin Gul said")."""
    return list(_people_in(text))


# A paragraph is read for people twice (to learn short names, then to find them): once.
@lru_cache(maxsize=2048)
def _people_in(text: str) -> tuple[EntityMention, ...]:
    found: list[EntityMention] = []
    for match in _PERSON.finditer(text):
        title = " ".join(match.group("title").split())
        office_phrase = None
        if match.group("of"):
            split = _split_office_run(match.group("of"), match.group("name"))
            if split is None:
                continue
            office_phrase, words = split
        else:
            words = _trim_name(match.group("name").split())
        if not words:
            continue
        name = " ".join(re.sub(r"['’]s$", "", w) for w in words)
        end = text.index(words[-1], match.start("name") if not office_phrase else match.start())
        end += len(words[-1])
        organization, start = (None, match.start())
        if title not in _HONORIFICS:
            floor = found[-1].end if found else 0
            organization, start = _organization(text, match.start(), floor)
        if office_phrase:
            title = f"{title} {office_phrase}"
        found.append(
            EntityMention(
                name=name,
                kind="person",
                text=text[start:end],
                start=start,
                end=end,
                title=title,
                organization=organization,
                side=side_of(title, organization),
            )
        )
    found.extend(_appositives(text, found))
    return tuple(sorted(found, key=lambda p: p.start))


def find_offices(text: str) -> list[EntityMention]:
    """Home offices named without a person ("PolMinCouns", "the DCM")."""
    found = {m.start(): m for m in _OFFICE.finditer(text)}
    for match in _OFFICE_ANY_CASE.finditer(text):
        found.setdefault(match.start(), match)
    return [
        EntityMention(
            name=m.group("office"),
            kind="office",
            text=m.group("office"),
            start=m.start(),
            end=m.end(),
            side="home",
        )
        for _, m in sorted(found.items())
    ]


def short_names(full_name: str) -> list[str]:
    """The one-word forms a cable uses after first mention: the last word, and the first word
    when it can be a Chinese family name ("Li Song" → "Song", "Li")."""
    words = full_name.split()
    if len(words) < 2:
        return []
    names = [words[-1]]
    # Chinese names put the family name first ("Li Song" → "Li"); many others are referred to
    # by the first of two names as well ("Prawit Wongsuwan" → "Prawit"). Initials never are.
    if len(words[0]) > 2 or _PINYIN_SYLLABLE.match(words[0].lower()):
        names.append(words[0])
    return names
