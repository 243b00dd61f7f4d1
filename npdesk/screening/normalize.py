"""Names to comparable token sequences.

One function, `normalize_name`, serves list names and queries alike, so both sides always
agree: Unicode folding, Chinese to pinyin (and to English business words), other scripts to
Latin letters, punctuation, noise phrases and legal forms out, abbreviations expanded. Word order
is kept but matching ignores it; Wade-Giles and Cantonese spellings stay as written and
matching treats them as near-equal (see `chinese.other_spellings`)."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache

from anyascii import anyascii

from npdesk.screening.chinese import chinese_readings, has_chinese
from npdesk.screening.legal_forms import LEGAL_TOKENS, remove_legal_phrases
from npdesk.screening.vocabulary import (
    ABBREVIATIONS,
    DISTINCTIVE_WORDS,
    GENERIC_WORDS,
    STOP_WORDS,
    remove_noise,
)

_NOT_WORD = re.compile(r"[^a-z0-9]+")
_APOSTROPHES = re.compile(r"['’‘`´]")
_HANGUL = re.compile(r"[\uac00-\ud7af]")


class TokenKind(StrEnum):
    BRAND = "brand"
    GENERIC = "generic"
    DISTINCTIVE = "distinctive"
    NUMBER = "number"


@dataclass(frozen=True, slots=True)
class NormalizedName:
    """A name as matching sees it: `tokens` in their original order, each with its kind."""

    tokens: tuple[str, ...]
    kinds: tuple[TokenKind, ...]

    @property
    def text(self) -> str:
        return " ".join(self.tokens)


def kind_of(token: str) -> TokenKind:
    """The kind of a normalized token (decides its weight and the distinctive-word rule)."""
    if token.isdigit():
        return TokenKind.NUMBER
    if token in DISTINCTIVE_WORDS:
        return TokenKind.DISTINCTIVE
    if token in GENERIC_WORDS:
        return TokenKind.GENERIC
    return TokenKind.BRAND


def _to_latin(text: str) -> str:
    """Non-ASCII letters as ASCII (diacritics dropped, Cyrillic, Arabic, Greek transliterated).
    Hangul syllables are spelled one by one: anyascii joins them into one word otherwise."""
    if text.isascii():
        return text
    if _HANGUL.search(text):
        return "".join(anyascii(c) + " " if _HANGUL.match(c) else anyascii(c) for c in text)
    return str(anyascii(text))


def _words(text: str) -> list[str]:
    """Lower-case ASCII words with noise phrases, legal phrases and punctuation gone, and runs
    of single letters ("C.P.M.I.E.C.", "I/E") joined into one word."""
    text = _APOSTROPHES.sub("", _to_latin(unicodedata.normalize("NFKC", text)).lower())
    text = _NOT_WORD.sub(" ", text.replace("&", " and "))
    text = remove_legal_phrases(remove_noise(f" {text} "))
    words: list[str] = []
    letters: list[str] = []
    for word in text.split():
        if len(word) == 1 and word.isalpha():
            letters.append(word)
            continue
        if letters:
            words.append("".join(letters))
            letters = []
        words.append(word)
    if letters:
        words.append("".join(letters))
    return words


def _tokens(text: str) -> NormalizedName:
    tokens: list[str] = []
    legal: list[str] = []
    for word in _words(text):
        if word in STOP_WORDS:
            continue
        if word in LEGAL_TOKENS:
            legal.append(word)
            continue
        for expanded in ABBREVIATIONS.get(word, (word,)):
            tokens.append(expanded)
    if not tokens:
        # A name made only of legal-form words is still a name ("The Company Ltd").
        tokens = legal
    return NormalizedName(tuple(tokens), tuple(kind_of(t) for t in tokens))


@lru_cache(maxsize=65536)
def normalize_name(name: str) -> tuple[NormalizedName, ...]:
    """The normalized forms of `name`: one for Latin-script names, two for names with Chinese
    characters (pure pinyin; business words translated to English), without duplicates or
    empty forms. Never raises; an empty or punctuation-only name gives ()."""
    if has_chinese(name):
        readings = chinese_readings(name)
        forms = [_tokens(reading) for reading in readings]
    else:
        forms = [_tokens(name)]
    unique = {form.tokens: form for form in forms if form.tokens}
    return tuple(unique.values())


def acronyms(name: str) -> frozenset[str]:
    """Acronyms a firm is likely known by, from the initials of its words, counted the ways
    firms count them: every word ("CGWIC" for China Great Wall Industry Corp.), without
    "and/of/the", without any stop word or legal form. Only names of three or more words yield
    acronyms; the empty set otherwise."""
    if has_chinese(name):
        return frozenset()
    raw = [re.sub(r"[^a-z0-9]", "", w) for w in re.split(r"[\s/]+", _to_latin(name).lower())]
    raw = [w for w in raw if w]
    if len(raw) < 3:
        return frozenset()
    found = {
        "".join(w[0] for w in raw),
        "".join(w[0] for w in raw if w not in {"and", "of", "the"}),
    }
    words = [w for w in _words(name) if w not in STOP_WORDS]
    found.add("".join(w[0] for w in words))
    found.add("".join(w[0] for w in words if w not in LEGAL_TOKENS))
    return frozenset(a for a in found if len(a) >= 3)
