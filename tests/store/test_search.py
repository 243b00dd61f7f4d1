"""Search on both backends: ranking, the query language, facets, and what partners may find."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import update
from sqlalchemy.engine import Engine

from npdesk.security.model import Level, Party, Role, User
from npdesk.services.ingest import ingest_paths
from npdesk.store.db import session_factory, transaction
from npdesk.store.models.cables import CableParagraph, CableRecord
from npdesk.store.search import IndexDocument, SearchResult, index_cable, search
from npdesk.store.search_query import parse_query
from tests.store.helpers import SAMPLE_CABLES

OFFICER = User("officer", Party.HOME, Role.OFFICER, Level.TS)
C_CLEARED = User("c-officer", Party.HOME, Role.OFFICER, Level.C)
LIAISON = User("liaison", Party.PARTNER, Role.LIAISON, Level.C, country="CHN")


def run(engine: Engine, query: str, user: User = OFFICER, **kw: object) -> SearchResult:
    with session_factory(engine)() as session:
        return search(session, parse_query(query), user, **kw)  # type: ignore[arg-type]


@pytest.fixture
def loaded(engine: Engine) -> Engine:
    ingest_paths(engine, [SAMPLE_CABLES])
    return engine


def ids(result: SearchResult) -> list[str]:
    return [h.id for h in result.hits]


def test_words_find_and_rank_subject_matches_first(loaded: Engine) -> None:
    result = run(loaded, "workshop")
    assert ids(result)[0] == "08SAMPLEPOST101"  # "workshop" is in its subject
    assert result.total == len(result.hits) >= 1
    assert "workshop" in result.hits[0].snippet.lower()


def test_phrase_exclusion_and_filters(loaded: Engine) -> None:
    assert set(ids(run(loaded, '"open cases"'))) == {"08SAMPLEPOST140", "08STATE2001"}
    assert ids(run(loaded, '"open cases" -washington')) == ["08SAMPLEPOST140"]
    assert set(ids(run(loaded, "tag:KNNP"))) == {"08SAMPLEPOST101"}
    assert set(ids(run(loaded, "origin:WASHDC"))) == {"08STATE2001"}
    assert set(ids(run(loaded, "class:SECRET"))) == {"08SAMPLEPOST140"}
    assert set(ids(run(loaded, "from:2008-03"))) == {"08SAMPLEPOST177", "08STATE2001"}
    assert set(ids(run(loaded, "to:2008-01"))) == {"08SAMPLEPOST101"}
    assert set(ids(run(loaded, "ref:08SAMPLEPOST140"))) == {"08SAMPLEPOST177", "08STATE2001"}


def test_sort_by_date_is_newest_first(loaded: Engine) -> None:
    result = run(loaded, "tag:XX", sort="date")
    assert ids(result) == ["08STATE2001", "08SAMPLEPOST177", "08SAMPLEPOST140", "08SAMPLEPOST101"]


def test_facets_count_the_whole_matching_set(loaded: Engine) -> None:
    facets = run(loaded, "tag:ETTC", limit=1).facets
    assert facets["tag"]["ETTC"] == 4 and facets["tag"]["PARM"] == 3
    assert facets["year"] == {"2008": 4}
    # 08STATE2001's paragraph 2 is (C//NF): that cable is CONFIDENTIAL//NOFORN (issue 11).
    assert facets["marking"]["CONFIDENTIAL"] == 1
    assert facets["marking"]["CONFIDENTIAL//NOFORN"] == 1
    assert sum(facets["origin"].values()) == 4


def test_clearance_hides_cables_from_results_and_facets(loaded: Engine) -> None:
    result = run(loaded, "tag:XX", C_CLEARED)
    assert "08SAMPLEPOST140" not in ids(result)  # SECRET
    assert result.total == 3
    assert "SECRET" not in result.facets["marking"]


def test_partner_finds_only_released_text(loaded: Engine) -> None:
    assert run(loaded, "tag:XX", LIAISON).total == 0  # nothing is released yet
    with transaction(loaded) as session:
        # An officer shares the UNCLASSIFIED cable and releases only its paragraph 2.
        session.execute(
            update(CableRecord)
            .where(CableRecord.id == "08SAMPLEPOST177")
            .values(shared_with_partner=True)
        )
        session.execute(
            update(CableParagraph)
            .where(CableParagraph.cable_id == "08SAMPLEPOST177", CableParagraph.number == 2)
            .values(shared_with_partner=True)
        )
        record = session.get(CableRecord, "08SAMPLEPOST177")
        assert record is not None
        session.refresh(record)
        index_cable(session, IndexDocument.of(record))
    assert ids(run(loaded, "training", LIAISON)) == ["08SAMPLEPOST177"]  # paragraph 2
    # "screening" is only in paragraph 1, which was not released: no hit, no count.
    result = run(loaded, "screening", LIAISON)
    assert result.total == 0 and result.hits == []
    assert run(loaded, "screening", OFFICER).total == 1
    assert run(loaded, "tag:XX", LIAISON).facets["marking"] == {
        "UNCLASSIFIED//FOR OFFICIAL USE ONLY": 1
    }


def test_corpus_search_finds_the_seed(engine: Engine, seed_text: str, tmp_path: Path) -> None:
    (tmp_path / "seed.txt").write_text(seed_text)
    ingest_paths(engine, [tmp_path / "seed.txt", SAMPLE_CABLES])
    result = run(engine, "NORINCO")
    assert ids(result) == ["08BEIJING1050"]
    assert "NORINCO" in result.hits[0].snippet
    assert ids(run(engine, "ref:07BEIJING5361")) == ["08BEIJING1050"]
