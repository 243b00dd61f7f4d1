"""Shared fixtures.

Fixture strategy: tests use real parts. The shared corpus and sanction lists are read in place
from `../shared` (or `$NPDESK_SHARED`); when they are missing the tests that need them skip,
except under `CI=true`, where a missing dependency is a failure, never a skip.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
IN_CI = os.environ.get("CI", "").lower() == "true"


def require(condition: bool, what: str) -> None:
    """Skip when `what` is missing on a developer machine; fail under CI=true."""
    if condition:
        return
    if IN_CI:
        pytest.fail(f"missing dependency under CI=true: {what}")
    pytest.skip(f"missing: {what}")


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """The read-only shared data folder (`../shared` or `$NPDESK_SHARED`)."""
    path = Path(os.environ.get("NPDESK_SHARED", ROOT.parent / "shared"))
    require(path.is_dir(), f"shared data folder {path}")
    return path


@pytest.fixture(scope="session")
def seed_text(shared_dir: Path) -> str:
    return (shared_dir / "seeds" / "000_b040fb51b219b52c.txt").read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def corpus_dir(shared_dir: Path) -> Path:
    path = shared_dir / "corpus" / "cablegate-2010"
    require(path.is_dir(), f"cable corpus {path}")
    return path
