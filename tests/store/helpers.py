"""Small builders shared by the store and web tests."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from npdesk.store.db import session_factory
from npdesk.store.models.cables import CableParagraph, CableRecord, CableVersion

SAMPLE_CABLES = Path(__file__).resolve().parents[2] / "npdesk" / "sample_data" / "cables"


def count(engine: Engine, model: type) -> int:
    with session_factory(engine)() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def table_counts(engine: Engine) -> dict[str, int]:
    return {
        "cables": count(engine, CableRecord),
        "versions": count(engine, CableVersion),
        "paragraphs": count(engine, CableParagraph),
    }


def telegram(serial: int, subject: str, *, day: int = 20, body: str = "Text.") -> str:
    """A minimal valid raw telegram from a fictional post."""
    return f"""O {day:02d}1106Z MAR 08
FM AMEMBASSY SAMPLEPOST
TO SECSTATE WASHDC IMMEDIATE 5948

C O N F I D E N T I A L SAMPLEPOST {serial:06d}

SIPDIS

E.O. 12958: DECL: 03/20/2033
TAGS: PARM PREL
SUBJECT: {subject}

Classified By: Fictional Counselor. Reasons 1.4 (b/d).

1. (C) {body}

2. (U) Second paragraph.

EXAMPLE
"""
