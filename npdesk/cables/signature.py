"""The signature at the end of a cable: the signer's name, taken off the body.

Forms seen in the corpus: the name alone on the last line (``RANDT``, ``Lebaron``,
``TIMKEN JR``, ``Timken jr``), followed by a web-site note or a newspaper's print stamp, glued to
the last sentence (``... End Comment. SISON``, ``... in 2009. LA LIME``, ``END TEXT HEFFERN``),
lower case alone after a rule (``jones``), doubled (``PARDEW PARDEW``).
"""

from __future__ import annotations

import re

from npdesk.cables.text import TERMINAL

_SIGNER = re.compile(r"^[A-Za-z][A-Za-z'\-]*\.?(?:[ /][A-Za-z][A-Za-z'\-]*\.?){0,2}$")
_APPENDED_SIGNER = re.compile(
    r"^(?P<text>.{0,300}?(?:[.!?)\"”']|https?://\S+|\.\s?cfm|\w_\w+|\bEND\s+(?:CABLE\s+)?TEXT))"
    r"\s+(?P<name>[A-Z][A-Za-z'\-]{2,}|[A-Z]{2,}\s[A-Z][A-Z'\-]{2,})$"
)
_NAME_PARTICLES = frozenset({"jr", "jr.", "sr", "sr.", "de", "la", "van", "von", "del"})
_NOT_SIGNER = frozenset(
    {
        "END", "COMMENT", "SUMMARY", "TEXT", "NOTE", "ENDS", "NNNN", "BT", "CONFIDENTIAL",
        "SECRET", "UNCLASSIFIED", "SIPDIS", "NOFORN", "END COMMENT", "END SUMMARY", "END NOTE",
        "END TEXT", "END CABLE TEXT", "THANKS", "REGARDS", "AMEN", "BACKGROUND", "ACTION REQUEST",
    }
)  # fmt: skip
_TRAILER = re.compile(
    r"https?://|www\.|@|Classified Web ?site|\.gov\b|Portal:|^SELECT \*|^.{0,60}\.\.\.$"
    r"|^[A-Z]{3,}\d{5,}|^ID:\s*\d+$"
    # Closing and page furniture after the signature: "NNN", "<< END OF DOCUMENT >>", a lone
    # quote or ">", the stamp of the State Department's systematic declassification review.
    r"|^N{3,5}$|^<<.*>>$|^[>\"'”“.\s]+$|^Declassified/Released\b|^(?:SECRET|CONFIDENTIAL|UNCLASSIFIED)\b.{0,40}$"
    r"|^(?:END\s+(?:OF\s+)?(?:CABLE|TEXT|MESSAGE|DOCUMENT))\b\W*$",
    re.I,
)
_UNQUOTE = re.compile(r"\bUNQUOTE\b\.?\s*")  # "UNQUOTE RUSH": the quoting cable's signer
_SPACED_DOTS = re.compile(r"\s+\.+$")
_SIGNER_DATE = re.compile(r"\s+\d{4}-\d{2}-\d{2}$")


def take_signers(cleaned: list[str]) -> list[str]:
    """Remove the signature from the end of `cleaned` and return it."""
    while cleaned and not cleaned[-1]:
        cleaned.pop()
    if not cleaned:
        return []
    # A web-site note or a clipping credit may follow the signature: look past those.
    position = len(cleaned) - 1
    while position > 0 and (_TRAILER.search(cleaned[position]) or not cleaned[position]):
        position -= 1
    candidate = _SIGNER_DATE.sub("", cleaned[position].lstrip("¶ "))
    candidate = _UNQUOTE.split(_SPACED_DOTS.sub("", candidate))[-1]
    # A lower-case name stands alone after a rule or a blank line ("****" / "jones").
    lower_alone = (
        candidate.isalpha()
        and candidate.islower()
        and 2 < len(candidate) <= 15
        and position > 0
        and not cleaned[position - 1]
        and candidate.upper() not in _NOT_SIGNER
    )
    if (_is_signer(candidate) or lower_alone) and (
        position in (0, len(cleaned) - 1)
        or not cleaned[position - 1]
        or cleaned[position - 1][-1:] in TERMINAL
    ):
        del cleaned[position]
        words = candidate.split()
        return [words[0]] if len(words) == 2 and words[0] == words[1] else [candidate]
    last = cleaned[-1].lstrip("¶ ")
    tail = last[-300:]  # the signature is at the very end: bound the regex work
    appended = _APPENDED_SIGNER.match(tail)
    if appended is None:
        return []
    text, name = appended.group("text"), appended.group("name")
    words = name.split()
    if len(words) == 2 and set(words[0]) <= {"X"}:  # "... XXXXXXXXXXX STEPHENS"
        text, name = f"{text} {words[0]}", words[1]
    if _is_signer(name) and not set(name.split()[-1]) <= {"X"}:
        cleaned[-1] = cleaned[-1][: len(cleaned[-1]) - len(tail)] + text
        return [name]
    return []


def _is_signer(text: str) -> bool:
    if len(text) > 40 or not _SIGNER.match(text):
        return False
    words = text.replace("/", " ").split()
    if not all(word[0].isupper() or word.lower() in _NAME_PARTICLES for word in words):
        return False
    if text.endswith(".") and len(text.split()[-1]) > 3:  # a sentence end, not an initial
        return False
    upper = text.upper().rstrip(".")
    if upper in _NOT_SIGNER or set(upper) <= {"X"}:
        return False
    return not upper.startswith("END ")
