"""Firms, their names in every script, and the dialogues held with them.

A firm carries its canonical name and aliases (short names such as CGWIC, Chinese-script names
such as 中国北方工业公司), country, sector and parent. Dialogues are the meetings and visits
with a firm; a `PartnerInformed` record says when and how the partner government was told
about a dialogue, as the cooperation plan asks.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from pypinyin import lazy_pinyin

from npdesk.extract.entities import Gazetteer, GazetteerEntry
from npdesk.screening.model import AliasStrength, EntryType, ListEntry

DATA = Path(__file__).resolve().parent / "data" / "firms"
DialogueKind = Literal["meeting", "visit"]


class FirmError(ValueError):
    """A firm or dialogue that cannot exist (empty name, a firm its own parent, ...)."""


@dataclass(frozen=True)
class Firm:
    """A company on the desk. `key` is a stable slug; `parent` is the parent firm's key."""

    key: str
    name: str
    aliases: tuple[str, ...] = ()
    country: str | None = None
    sector: str | None = None
    parent: str | None = None
    note: str = ""

    def __post_init__(self) -> None:
        if not self.name.strip():
            raise FirmError("a firm needs a name")
        if self.parent is not None and self.parent == self.key:
            raise FirmError(f"{self.key} cannot be its own parent")

    def names(self) -> list[str]:
        """The canonical name, every alias, and the pinyin reading of Chinese-script names
        (so "Zhongguo Beifang Gongye Gongsi" in a romanized text also matches)."""
        out = [self.name, *self.aliases]
        for alias in self.aliases:
            if re.search(r"[\u3400-\u9fff]", alias):
                syllables = lazy_pinyin(alias)
                # Romanized names write two-character words as one ("Zhongguo Beifang"); most
                # words in firm names have two characters, so pair the syllables.
                pairs = ["".join(syllables[i : i + 2]) for i in range(0, len(syllables), 2)]
                out.append(" ".join(pairs))
        return list(dict.fromkeys(out))

    def gazetteer_entry(self) -> GazetteerEntry:
        return GazetteerEntry(
            name=self.name,
            kind="firm",
            aliases=tuple(self.names()[1:]),
            key=self.key,
            country=self.country,
        )


def slug(name: str) -> str:
    """A stable key from a name: "China Great Wall Industry Corporation" → "china-great-wall-
    industry-corporation"."""
    text = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    if not text:
        raise FirmError(f"cannot make a key from {name!r}")
    return text[:80]


def subsidiaries(firms: Iterable[Firm], key: str) -> list[Firm]:
    """The firms whose parent is `key`."""
    return [f for f in firms if f.parent == key]


def ancestry(firms: Iterable[Firm], key: str) -> list[Firm]:
    """The chain of parents of `key`, nearest first. Raises FirmError on a parent cycle."""
    by_key = {f.key: f for f in firms}
    chain: list[Firm] = []
    seen = {key}
    current = by_key.get(key)
    while current is not None and current.parent is not None:
        if current.parent in seen:
            raise FirmError(f"parent cycle through {current.parent}")
        seen.add(current.parent)
        parent = by_key.get(current.parent)
        if parent is None:
            break
        chain.append(parent)
        current = parent
    return chain


def load_reference_firms(path: Path | None = None) -> list[Firm]:
    """The reference registry shipped with npdesk (public names of firms that cables about
    Chinese nonproliferation cooperation name often). Raises FirmError on a malformed file."""
    source = path or DATA / "reference.json"
    try:
        rows = json.loads(source.read_text(encoding="utf-8"))["firms"]
        return [
            Firm(
                key=row["key"],
                name=row["name"],
                aliases=tuple(row.get("aliases", [])),
                country=row.get("country"),
                sector=row.get("sector"),
                parent=row.get("parent"),
                note=row.get("note", ""),
            )
            for row in rows
        ]
    except (KeyError, TypeError, json.JSONDecodeError) as error:
        raise FirmError(f"malformed firm registry {source}: {error}") from error


def screening_names(entries: Iterable[ListEntry]) -> list[GazetteerEntry]:
    """Gazetteer entries for screening-list parties: entities become firms, individuals
    people; weak aliases are left out (they match too much prose)."""
    out: list[GazetteerEntry] = []
    for entry in entries:
        if entry.type not in (EntryType.ENTITY, EntryType.INDIVIDUAL):
            continue
        aliases = tuple(
            a.name for a in entry.aliases if a.strength is not AliasStrength.WEAK
        ) + tuple(entry.original_script_names)
        out.append(
            GazetteerEntry(
                name=entry.name,
                kind="firm" if entry.type is EntryType.ENTITY else "person",
                aliases=aliases,
                key=f"{entry.list_name}:{entry.source_id}",
                country=entry.countries[0] if entry.countries else None,
            )
        )
    return out


def gazetteer(firms: Iterable[Firm], extra: Iterable[GazetteerEntry] = ()) -> Gazetteer:
    """A gazetteer of `firms` (with aliases) plus `extra` names such as screening-list
    entries."""
    result = Gazetteer([f.gazetteer_entry() for f in firms])
    result.extend(extra)
    return result


@dataclass(frozen=True)
class Dialogue:
    """A meeting or visit with a firm: who took part on each side, where, what came of it."""

    firm: str
    kind: DialogueKind
    date: dt.date | None
    home_participants: tuple[str, ...] = ()
    partner_participants: tuple[str, ...] = ()
    venue: str | None = None
    summary: str = ""
    follow_ups: tuple[str, ...] = ()
    source_cable: str | None = None


@dataclass(frozen=True)
class PartnerInformed:
    """When and how the partner government was told about a dialogue."""

    informed_on: dt.date
    channel: str
    by: str = ""
    note: str = ""
    source_cable: str | None = None


@dataclass
class DialogueRecord:
    """A dialogue with the partner notices given about it."""

    dialogue: Dialogue
    notices: list[PartnerInformed] = field(default_factory=list)

    @property
    def partner_informed(self) -> bool:
        return bool(self.notices)


def awaiting_partner_notice(
    records: Iterable[DialogueRecord], today: dt.date
) -> list[DialogueRecord]:
    """Dialogues already held (dated on or before `today`) that the partner was not yet told
    about, oldest first."""
    pending = [
        r
        for r in records
        if not r.partner_informed and r.dialogue.date is not None and r.dialogue.date <= today
    ]
    return sorted(pending, key=lambda r: r.dialogue.date or dt.date.min)
