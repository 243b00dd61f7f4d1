"""Internal Compliance Programme (ICP) frameworks, assessments and comparable scores.

Frameworks ship as versioned JSON in `data/icp/` (BIS Export Compliance Guidelines 2017, EU
Recommendation 2019/1318, Wassenaar Arrangement best practice 2011, EXBS ICP elements). An
assessment scores a firm element by element (0-4 with evidence); its normalized score is 0-100.
The crosswalk groups elements of every framework under shared themes, so assessments made
against different frameworks compare theme by theme.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data" / "icp"


class ICPError(ValueError):
    """An unknown framework or element, a score off the scale, or a malformed data file."""


@dataclass(frozen=True)
class Element:
    id: str
    number: int
    title: str


@dataclass(frozen=True)
class Framework:
    """A named, versioned ICP framework with its numbered elements and score scale."""

    id: str
    version: str
    title: str
    issuer: str
    elements: tuple[Element, ...]
    scale_min: int = 0
    scale_max: int = 4
    verified: bool = True
    note: str = ""

    def element(self, element_id: str) -> Element:
        """The element with `element_id`; raises ICPError when there is none."""
        for element in self.elements:
            if element.id == element_id:
                return element
        raise ICPError(f"{self.id} {self.version} has no element {element_id!r}")


@dataclass(frozen=True)
class Theme:
    """A crosswalk row: the elements of each framework that cover one theme."""

    id: str
    title: str
    elements: dict[str, tuple[str, ...]]


@lru_cache(maxsize=1)
def frameworks() -> dict[str, Framework]:
    """Every shipped framework by id. Raises ICPError on a malformed data file."""
    out: dict[str, Framework] = {}
    for path in sorted(DATA.glob("*.json")):
        if path.name == "crosswalk.json":
            continue
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
            framework = Framework(
                id=raw["id"],
                version=raw["version"],
                title=raw["title"],
                issuer=raw["issuer"],
                elements=tuple(
                    Element(e["id"], int(e["number"]), e["title"]) for e in raw["elements"]
                ),
                scale_min=int(raw["scale"]["min"]),
                scale_max=int(raw["scale"]["max"]),
                verified=bool(raw.get("verified", True)),
                note=raw.get("note", ""),
            )
        except (KeyError, TypeError, ValueError) as error:
            raise ICPError(f"malformed framework file {path.name}: {error}") from error
        out[framework.id] = framework
    return out


def framework(framework_id: str) -> Framework:
    """The framework with `framework_id`; raises ICPError when unknown."""
    try:
        return frameworks()[framework_id]
    except KeyError:
        raise ICPError(f"unknown ICP framework {framework_id!r}") from None


@lru_cache(maxsize=1)
def crosswalk() -> tuple[Theme, ...]:
    """The crosswalk themes. Raises ICPError on a malformed file."""
    try:
        raw = json.loads((DATA / "crosswalk.json").read_text(encoding="utf-8"))
        return tuple(
            Theme(t["id"], t["title"], {k: tuple(v) for k, v in t["elements"].items()})
            for t in raw["themes"]
        )
    except (KeyError, TypeError, ValueError) as error:
        raise ICPError(f"malformed crosswalk: {error}") from error


@dataclass(frozen=True)
class ElementScore:
    element: str
    score: int
    evidence: str = ""


@dataclass
class Assessment:
    """A firm's ICP scored against one framework on one day (often after a dialogue)."""

    firm: str
    framework_id: str
    assessed_on: dt.date
    scores: list[ElementScore] = field(default_factory=list)
    assessor: str = ""
    source: str = ""

    def __post_init__(self) -> None:
        fw = framework(self.framework_id)
        seen: set[str] = set()
        for score in self.scores:
            fw.element(score.element)
            if score.element in seen:
                raise ICPError(f"element {score.element!r} scored twice")
            seen.add(score.element)
            if not fw.scale_min <= score.score <= fw.scale_max:
                raise ICPError(
                    f"score {score.score} for {score.element!r} is outside "
                    f"{fw.scale_min}-{fw.scale_max}"
                )

    def normalized(self) -> float | None:
        """Mean score over the framework's elements as 0-100 (unscored elements count as the
        scale minimum, so a partial assessment does not look better than it is). None when no
        element is scored."""
        if not self.scores:
            return None
        fw = framework(self.framework_id)
        by_element = {s.element: s.score for s in self.scores}
        span = fw.scale_max - fw.scale_min
        total = sum(by_element.get(e.id, fw.scale_min) - fw.scale_min for e in fw.elements)
        return round(100.0 * total / (span * len(fw.elements)), 1)

    def theme_scores(self) -> dict[str, float]:
        """Normalized score (0-100) per crosswalk theme this framework covers and this
        assessment scored, so assessments under different frameworks compare."""
        fw = framework(self.framework_id)
        by_element = {s.element: s.score for s in self.scores}
        span = fw.scale_max - fw.scale_min
        out: dict[str, float] = {}
        for theme in crosswalk():
            ids = [i for i in theme.elements.get(self.framework_id, ()) if i in by_element]
            if ids:
                mean = sum(by_element[i] - fw.scale_min for i in ids) / len(ids)
                out[theme.id] = round(100.0 * mean / span, 1)
        return out

    def comparable(self) -> float | None:
        """Mean of the theme scores over the themes common to every framework (those all
        frameworks cover), comparable across frameworks; None when none is scored."""
        shared = {t.id for t in crosswalk() if len(t.elements) == len(frameworks())}
        values = [v for k, v in self.theme_scores().items() if k in shared]
        return round(sum(values) / len(values), 1) if values else None


@dataclass(frozen=True)
class ScorePoint:
    assessed_on: dt.date
    framework_id: str
    normalized: float
    comparable: float | None


def score_history(assessments: Iterable[Assessment]) -> list[ScorePoint]:
    """One point per scored assessment, oldest first."""
    points = []
    for assessment in assessments:
        value = assessment.normalized()
        if value is not None:
            points.append(
                ScorePoint(
                    assessment.assessed_on, assessment.framework_id, value, assessment.comparable()
                )
            )
    return sorted(points, key=lambda p: p.assessed_on)
