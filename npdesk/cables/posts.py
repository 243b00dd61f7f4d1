"""The table of posts: which station a written name stands for.

Cables write a post many ways (``BUENOS AIRES``, ``BUENOS AIR``, ``RIO``, ``SECSTATE WASHDC``,
``USUN NY``, ``IRPO DUBAI``); a cable id always uses one station code (``BUENOSAIRES``,
``RIODEJANEIRO``, ``STATE``, ``USUNNEWYORK``, ``RPODUBAI``). The table is data
(`npdesk/cables/data/posts.json`, with its source and version); this module reads it once and
answers lookups. Written forms are compared upper-case with hyphens, dots and runs of spaces
made single spaces, after dropping a leading ``AMEMBASSY``/``AMCONSUL``/``USMISSION``...
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

CUT_WIDTH = 10  # section markers print the station cut to ten characters ("BUENOS AIR")
_PREFIX = re.compile(
    r"^(?:AMEMBASSY|AMEMB|AMCONSUL|AMCONGEN|USMISSION|US MISSION|US EMBASSY|EMBASSY|"
    r"CONSULATE|CONSULATE GENERAL|USLO|AMERICAN EMBASSY|AMERICAN CONSULATE)\s+"
)
_NOT_WORD = re.compile(r"[\s\-.]+")


@dataclass(frozen=True)
class Post:
    code: str
    name: str
    aliases: tuple[str, ...]


@dataclass(frozen=True)
class PostTable:
    version: str
    posts: dict[str, Post]
    by_written: dict[str, str]  # normalized written form → code
    longest: int  # words in the longest written form
    renamed: tuple[tuple[str, str, int], ...]  # (written, code, until two-digit-agnostic year)

    @property
    def codes(self) -> frozenset[str]:
        return frozenset(self.posts) | {code for _, code, _ in self.renamed}


def written_key(text: str) -> str:
    """The form a written station name is compared in: ``Port-au-Prince`` → ``PORT AU PRINCE``."""
    return " ".join(_NOT_WORD.sub(" ", text.upper()).split()).replace("'", "")


@cache
def post_table() -> PostTable:
    """The shipped table (read once)."""
    raw: dict[str, Any] = json.loads(
        resources.files("npdesk.cables").joinpath("data/posts.json").read_text(encoding="utf-8")
    )
    posts: dict[str, Post] = {}
    by_written: dict[str, str] = {}
    for entry in raw["posts"]:
        code, name = entry["code"], entry["name"]
        aliases = [code, *entry["aliases"]]
        if "," not in name:  # a city name, as the routing lines write it
            key = written_key(name)
            aliases.append(key)
            if len(key) > CUT_WIDTH:
                aliases.append(key[:CUT_WIDTH])
        post = Post(code, name, tuple(aliases))
        posts[code] = post
        for alias in aliases:
            by_written.setdefault(written_key(alias), code)
    renamed = tuple(
        (written_key(r["written"]), r["code"], int(r["until_year"])) for r in raw["renamed"]
    )
    longest = max(len(key.split()) for key in by_written)
    return PostTable(raw["version"], posts, by_written, longest, renamed)


def station_code(written: str, year: str | None = None) -> str | None:
    """The canonical station code of a written post name, or None when the table lacks it.

    `year` (two digits, the cited cable's) picks the code of a post that changed names
    (``KIEV`` up to 2006, ``KYIV`` after)."""
    table = post_table()
    key = written_key(written)
    code = table.by_written.get(key)
    if code is None:
        bare = _PREFIX.sub("", key)
        code = table.by_written.get(bare)
        if code is None and bare.endswith((" WASHDC", " WASHINGTON DC")):
            code = table.by_written.get(bare.rsplit(" WASH", 1)[0])
        key = bare
    if code is not None and year is not None and year.isdigit():
        full = _full_year(year)
        for old_written, old_code, until in table.renamed:
            if key == old_written and full <= until:
                return old_code
    return code


def _full_year(year: str) -> int:
    value = int(year)
    if len(year) == 4:
        return value
    return 1900 + value if value >= 50 else 2000 + value


def known_station(code: str) -> bool:
    """Whether `code` is a station code of the table."""
    return code in post_table().codes


__all__ = ["Post", "PostTable", "known_station", "post_table", "station_code", "written_key"]
