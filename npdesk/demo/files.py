"""Reading the demo's YAML files: plain mappings, dates as `datetime.date` (YAML's own ISO
dates), markings by name."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from npdesk.security.model import Level, Marking

DATA = Path(__file__).resolve().parent / "data"


def read(name: str) -> dict[str, Any]:
    """The mapping in `data/<name>.yaml`."""
    loaded = yaml.safe_load((DATA / f"{name}.yaml").read_text(encoding="utf-8"))
    if not isinstance(loaded, dict):
        raise ValueError(f"{name}.yaml must hold a mapping")
    return loaded


def marking(spec: dict[str, Any]) -> Marking:
    """A marking written as `{level: U, caveats: [...], rel_to: [...], shared: true}`."""
    return Marking(
        Level[spec["level"]],
        caveats=frozenset(spec.get("caveats", ())),
        rel_to=frozenset(spec.get("rel_to", ())),
        shared=bool(spec.get("shared", False)),
    )


def fields(entry: dict[str, Any], *, drop: tuple[str, ...] = ()) -> dict[str, Any]:
    """An entry's values as keyword arguments of an input dataclass: lists become tuples
    (the dataclasses are frozen), keys in `drop` are left to the caller."""
    return {k: tuple(v) if isinstance(v, list) else v for k, v in entry.items() if k not in drop}
