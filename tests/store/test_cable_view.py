"""Reading a stored cable: references resolve (also when the cited cable arrives later),
citations are listed, and a cable one may not read looks exactly like a missing one."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.engine import Engine

from npdesk.security.model import Level, Party, Role, User
from npdesk.services.cables import cable_view, months, normalize_id, reference_graph
from npdesk.services.ingest import ingest_paths
from npdesk.store.db import session_factory
from tests.store.helpers import SAMPLE_CABLES

OFFICER = User("officer", Party.HOME, Role.OFFICER, Level.TS)
C_CLEARED = User("c-officer", Party.HOME, Role.OFFICER, Level.C)


def test_references_resolve_when_the_cited_cable_arrives_later(engine: Engine) -> None:
    ingest_paths(engine, [SAMPLE_CABLES / "08STATE2001.txt"])
    with session_factory(engine)() as session:
        view = cable_view(session, "08STATE2001", OFFICER)
        assert view is not None
        assert [(r["id"], r["resolved"]) for r in view["references"]] == [
            ("08SAMPLEPOST140", False),
            ("08SAMPLEPOST177", False),
        ]
    ingest_paths(engine, [SAMPLE_CABLES])
    with session_factory(engine)() as session:
        view = cable_view(session, "08STATE2001", OFFICER)
        assert view is not None
        assert all(r["resolved"] for r in view["references"])
        cited = cable_view(session, "08SAMPLEPOST140", OFFICER)
        assert cited is not None
        assert [c["id"] for c in cited["cited_by"]] == ["08SAMPLEPOST177", "08STATE2001"]
        # 08SAMPLEPOST140 cites STATE 12345, which npdesk does not hold
        assert ("08STATE12345", False) in [(r["id"], r["resolved"]) for r in cited["references"]]


def test_view_has_header_fields_tags_and_portion_marked_paragraphs(engine: Engine) -> None:
    ingest_paths(engine, [SAMPLE_CABLES])
    with session_factory(engine)() as session:
        view = cable_view(session, "08sample post 000140", OFFICER)
    assert view is not None
    assert view["id"] == "08SAMPLEPOST140" and view["marking"] == "SECRET"
    assert view["recipients"][0]["name"] == "SECSTATE WASHDC"
    assert {"tag": "PARM", "meaning": view["tags"][0]["meaning"]} == view["tags"][0]
    assert view["tags"][0]["meaning"]  # PARM is in the dictionary
    assert [(p["number"], p["classification"]) for p in view["paragraphs"]][:2] == [
        (1, "S"),
        (2, "S"),
    ]


def test_a_cable_above_clearance_is_answered_like_a_missing_one(engine: Engine) -> None:
    ingest_paths(engine, [SAMPLE_CABLES])
    with session_factory(engine)() as session:
        assert cable_view(session, "08SAMPLEPOST140", C_CLEARED) is None
        assert cable_view(session, "08NOSUCH1", C_CLEARED) is None
        # and it is not listed among the citations of what the user can read
        view = cable_view(session, "08SAMPLEPOST101", C_CLEARED)
        assert view is not None and view["cited_by"] == []
        assert sum(n for _, n in months(session, C_CLEARED)) == 3


def test_reference_graph_has_both_directions(engine: Engine) -> None:
    ingest_paths(engine, [SAMPLE_CABLES])
    with session_factory(engine)() as session:
        graph = reference_graph(session, "08SAMPLEPOST140", OFFICER)
    kinds = {n["id"]: n["kind"] for n in graph["nodes"]}
    assert kinds["08SAMPLEPOST101"] == "cites" and kinds["08STATE2001"] == "cited_by"
    assert {"from": "08STATE2001", "to": "08SAMPLEPOST140"} in graph["edges"]


def test_ids_are_normalized() -> None:
    assert normalize_id("08 BEIJING 001050") == "08BEIJING1050"
    assert normalize_id("08beijing1050") == "08BEIJING1050"


def test_seed_reads_like_the_document(engine: Engine, seed_text: str, tmp_path: Path) -> None:
    (tmp_path / "seed.txt").write_text(seed_text)
    ingest_paths(engine, [tmp_path / "seed.txt"])
    with session_factory(engine)() as session:
        view = cable_view(session, "08BEIJING1050", OFFICER)
    assert view is not None
    numbered = [p for p in view["paragraphs"] if p["number"] is not None]
    assert [(p["number"], p["classification"]) for p in numbered] == [(n, "S") for n in range(1, 7)]
    assert view["signers"] == ["RANDT"]
