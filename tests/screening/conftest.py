"""Screening fixtures: the shared sanctions lists, loaded once, and one index over all four
built once per session (building it takes about a second)."""

from __future__ import annotations

from pathlib import Path

import pytest

from npdesk.screening import LoadedList, Screener, ScreeningIndex, build_index, load_list
from tests.conftest import require


@pytest.fixture(scope="session")
def sanctions_dir(shared_dir: Path) -> Path:
    path = shared_dir / "data" / "sanctions"
    require(path.is_dir(), f"sanctions lists {path}")
    return path


@pytest.fixture(scope="session")
def sdn(sanctions_dir: Path) -> LoadedList:
    return load_list(sanctions_dir / "ofac-sdn")


@pytest.fixture(scope="session")
def all_lists(sanctions_dir: Path, sdn: LoadedList) -> list[LoadedList]:
    others = ("un-consolidated.xml", "us-csl-sample.csv", "bis-dpl.txt")
    return [sdn, *(load_list(sanctions_dir / name) for name in others)]


@pytest.fixture(scope="session")
def index(all_lists: list[LoadedList]) -> ScreeningIndex:
    return build_index(all_lists)


@pytest.fixture(scope="session")
def screener(index: ScreeningIndex) -> Screener:
    return Screener(index)
