"""The TAGS dictionary: what each cable tag means.

The dictionary is data (`npdesk/cables/data/tags.json`): State Department subject tags (PARM,
PREL, ETTC...), organization codes (IAEA, NATO...) and FIPS 10-4 country and region codes (CH,
IR, KN...). A tag the dictionary does not know is kept on the cable and reported by
`unknown_tags`, never dropped: cables carry typos (``MOPPS``) and person names.
"""

from __future__ import annotations

import json
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
