"""The TAGS dictionary: what each cable tag means.

The dictionary is data (`npdesk/cables/data/tags.json`): State Department subject tags (PARM,
PREL, ETTC...), organization codes (IAEA, NATO...) and FIPS 10-4 country and region codes (CH,
IR, KN...). A tag the dictionary does not know is kept on the cable and reported by
`unknown_tags`, never dropped: cables carry typos (``MOPPS``) and person names.
"""

from __future__ import annotations

import json
import re
from functools import cache
from importlib import resources
from typing import Literal

TagKind = Literal["subject", "organization", "country"]
KINDS: tuple[TagKind, ...] = ("subject", "organization", "country")


@cache
def tag_dictionary() -> dict[str, tuple[TagKind, str]]:
    """Every known tag → (kind, meaning). Read once from the shipped data file."""
    raw = json.loads(
        resources.files("npdesk.cables").joinpath("data/tags.json").read_text(encoding="utf-8")
    )
    table: dict[str, tuple[TagKind, str]] = {}
    for kind in KINDS:
        for code, meaning in raw[kind].items():
            table[code] = (kind, meaning)
    return table


def describe_tag(tag: str) -> str | None:
    """The meaning of `tag` (case-insensitive), or None when the dictionary does not know it."""
    entry = tag_dictionary().get(tag.strip().upper())
    return entry[1] if entry else None


def tag_kind(tag: str) -> TagKind | None:
    """Whether `tag` is a subject, organization or country code; None when unknown."""
    entry = tag_dictionary().get(tag.strip().upper())
    return entry[0] if entry else None


def unknown_tags(tags: list[str]) -> list[str]:
    """The tags of `tags` that the dictionary does not know, in order."""
    table = tag_dictionary()
    return [tag for tag in tags if tag.strip().upper() not in table]


# --- Reading a TAGS line -------------------------------------------------------------------

_PARENS = re.compile(r"\(([^()]{0,120})\)")
_ITEM_SPLIT = re.compile(r"\s*[,;]\s*")
_TOKEN = re.compile(r"[A-Z0-9][A-Z0-9\-/&]*")
_NAME_WORD = re.compile(r"[A-Z][A-Z'\-]*\.?")
_PROSE_RUN = 4  # this many unknown words in a row are prose after the tags, not tags
_GLUE_MAX = 16


def read_tags(text: str) -> tuple[list[str], list[str]]:
    """A TAGS text → (canonical tags in order, each once; the person names among them).

    Person names are one tag each (``OVIP (STEINBERG, JAMES B.)`` → ``OVIP``,
    ``STEINBERG, JAMES B.``; ``OVIP CLINTON HILLARY`` → ``OVIP``, ``CLINTON, HILLARY``);
    unknown words that run together are one tag (``HUMAN RIGHTS``); glued tags are cut
    (``PHUMBA`` → ``PHUM``, ``BA``); typos of known tags are corrected (``MOPPS`` → ``MOPS``);
    prose that follows the tags on their line is left out."""
    tags: dict[str, None] = {}
    persons: list[str] = []
    text = text.upper().replace("[", " ").replace("]", " ")
    position = 0
    for match in _PARENS.finditer(text):
        _read_plain(text[position : match.start()], tags, persons)
        inner = " ".join(match.group(1).split()).strip(" ,")
        if (
            inner
            and "," in inner
            and all(_NAME_WORD.fullmatch(w) for w in inner.replace(",", " ").split())
        ):
            person = _person(inner)
            tags[person] = None
            persons.append(person)
        elif inner:
            _read_plain(inner, tags, persons)
        position = match.end()
    _read_plain(text[position:], tags, persons)
    return list(tags), list(dict.fromkeys(persons))


def _person(text: str) -> str:
    surname, _, given = text.partition(",")
    return f"{' '.join(surname.split())}, {' '.join(given.split())}".strip(" ,")


def _read_plain(text: str, tags: dict[str, None], persons: list[str]) -> None:
    items = [item for item in _ITEM_SPLIT.split(text.strip(" .:")) if item]
    index = 0
    while index < len(items):
        item = items[index]
        words = [w.strip(".:()\"'") for w in item.split()]
        words = [w for w in words if w]
        # "CLINTON, HILLARY": a surname item, then a given-name item, both unknown words.
        following = items[index + 1].split() if index + 1 < len(items) else []
        if (
            len(words) == 1
            and following
            and len(following) <= 2
            and _is_name_word(words[0])
            and all(_is_name_word(w) or re.fullmatch(r"[A-Z]\.?", w) for w in following)
            and _is_name_word(following[0])
        ):
            person = _person(f"{words[0]}, {' '.join(following)}")
            tags[person] = None
            persons.append(person)
            index += 2
            continue
        if not _read_words(words, tags, persons):
            return  # prose from here on
        index += 1


def _is_name_word(word: str) -> bool:
    """An unknown word long enough to be a name, not a code."""
    return (
        len(word) >= 5
        and word.isalpha()
        and tag_dictionary().get(word) is None
        and (_correct(word) is None)
        and _unglue(word) is None
    )


def _read_words(words: list[str], tags: dict[str, None], persons: list[str]) -> bool:
    """Add the tags of one item's words; False when the item turns into prose."""
    table = tag_dictionary()
    run: list[str] = []  # unknown words that may form one tag

    def flush() -> None:
        if not run:
            return
        if len(run) >= 2 and _is_phrase(run):
            phrase = " ".join(run)
            if tags and list(tags)[-1] == "OVIP" and 2 <= len(run) <= 3:
                phrase = _person(f"{run[0]}, {' '.join(run[1:])}")  # "OVIP CLINTON HILLARY"
                persons.append(phrase)
            tags[phrase] = None
        else:
            for word in run:
                tags[word] = None
        run.clear()

    unknown_in_a_row = 0
    for word in words:
        if not _TOKEN.fullmatch(word):
            continue
        if word in table:
            flush()
            tags[word] = None
            unknown_in_a_row = 0
            continue
        fixed = _correct(word) or _unglue(word)
        if fixed is not None:
            flush()
            for tag in fixed:
                tags[tag] = None
            unknown_in_a_row = 0
            continue
        unknown_in_a_row += 1
        if unknown_in_a_row >= _PROSE_RUN:
            run.clear()
            return False
        run.append(word)
    flush()
    return True


def _is_phrase(words: list[str]) -> bool:
    from npdesk.cables.posts import station_code  # posts in TAGS stay separate words

    return (
        all(len(word) >= 3 and word.isalpha() for word in words)
        and any(len(word) >= 6 for word in words)
        and not any(station_code(word) for word in words)
    )


@cache
def _correct(word: str) -> tuple[str, ...] | None:
    """A typo of a known tag: a doubled letter (``MOPPS``), a letter left out (``OVP``), or
    one listed in the dictionary's corrections."""
    table = tag_dictionary()
    listed = tag_corrections().get(word)
    if listed is not None:
        return listed
    if len(word) < 3 or not word.isalpha():
        return None
    candidates = {word[:i] + word[i + 1 :] for i in range(1, len(word)) if word[i] == word[i - 1]}
    known = [c for c in candidates if table.get(c, ("",))[0] == "subject"]
    if len(known) == 1:
        return (known[0],)
    if len(word) == 3:
        inserted = {
            word[:i] + letter + word[i:]
            for i in range(1, 4)
            for letter in "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
        }
        known = [c for c in inserted if table.get(c, ("",))[0] == "subject"]
        if len(known) == 1:
            return (known[0],)
    return None


@cache
def _unglue(word: str) -> tuple[str, ...] | None:
    """Tags written without a space (``PHUMBA`` → PHUM BA, ``KDEMAF`` → KDEM AF): the one cut
    of `word` into known tags of two to six letters, at least one of them a subject tag."""
    if not 6 <= len(word) <= _GLUE_MAX or not word.isalpha():
        return None
    table = tag_dictionary()
    cuts: list[tuple[str, ...]] = []

    def walk(rest: str, taken: tuple[str, ...]) -> None:
        if not rest:
            cuts.append(taken)
            return
        for size in (4, 2, 3, 5, 6):
            head = rest[:size]
            if len(head) == size and head in table:
                walk(rest[size:], (*taken, head))

    walk(word, ())
    cuts = [c for c in cuts if len(c) >= 2 and any(table[t][0] == "subject" for t in c)]
    return cuts[0] if cuts else None


@cache
def tag_corrections() -> dict[str, tuple[str, ...]]:
    """Listed misspellings of tags → the tags meant (from the dictionary's data file)."""
    raw = json.loads(
        resources.files("npdesk.cables").joinpath("data/tags.json").read_text(encoding="utf-8")
    )
    return {code: tuple(meant.split()) for code, meant in raw.get("corrections", {}).items()}
