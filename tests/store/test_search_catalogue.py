"""Search through the in-memory catalogue, checked against an oracle built from the stored rows.

The oracle applies the visibility policy, the filters and the facet counting to the ORM rows
in plain Python, and asks the database's full-text engine directly with hand-written
expressions; search must agree with it on the corpus, for officers and for the partner, on
both backends. Other tests pin the order (pages, filters and cached answers agree) and the
catalogue's freshness after ingest, release and rollback.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, time
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

import npdesk.store.search as search_module
from npdesk.security.model import Level, Party, Role, User
from npdesk.services.ingest import ingest_paths
from npdesk.services.release import release_cable
from npdesk.store.catalogue import current as current_catalogue
from npdesk.store.db import banner, make_engine, session_factory
from npdesk.store.models.cables import CableParagraph, CableRecord, CableReference
from npdesk.store.schema import upgrade
from npdesk.store.search import IndexDocument, SearchResult, index_cable, search
from npdesk.store.search_query import SearchQuery, parse_query
from npdesk.store.textcache import CACHE
from npdesk.store.visibility import readable_row
from npdesk.testing.postgres import PostgresCluster
from tests.store.helpers import SAMPLE_CABLES, telegram

OFFICER = User("officer", Party.HOME, Role.OFFICER, Level.TS)
C_CLEARED = User("c-officer", Party.HOME, Role.OFFICER, Level.C)
LIAISON = User("liaison", Party.PARTNER, Role.LIAISON, Level.C, country="CHN")

# query -> (FTS5 MATCH expression, PostgreSQL tsquery SQL) for its text part, written by hand.
CASES: dict[str, tuple[str | None, str | None]] = {
    "nuclear": ('"nuclear"', "plainto_tsquery('english', 'nuclear')"),
    "minister tag:PREL": ('"minister"', "plainto_tsquery('english', 'minister')"),
    "nuclear -iran": (
        '"nuclear" NOT "iran"',
        "plainto_tsquery('english', 'nuclear') && !!plainto_tsquery('english', 'iran')",
    ),
    '"export control"': ('"export control"', "phraseto_tsquery('english', 'export control')"),
    "missile iran class:SECRET": (
        '"missile" AND "iran"',
        "plainto_tsquery('english', 'missile') && plainto_tsquery('english', 'iran')",
    ),
    "-minister": ('"minister"', "plainto_tsquery('english', 'minister')"),  # excluded
    "tag:PARM": (None, None),
    "origin:BEIJING from:2008-01 to:2008-12": (None, None),
    "class:NOFORN": (None, None),
    "ref:07BEIJING5361": (None, None),
    "trade origin:PARIS": ('"trade"', "plainto_tsquery('english', 'trade')"),
}


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def corpus(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    corpus_dir: Path,
    seed_text: str,
) -> Iterator[Engine]:
    """The seed and the 800-page corpus, with three cables released to the partner."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('corpus') / 'npdesk.sqlite3'}"
    else:
        cluster: PostgresCluster = request.getfixturevalue("pg_cluster")
        url = cluster.create_database(template="npdesk_template")
    engine = make_engine(url)
    upgrade(engine)
    seed = tmp_path_factory.mktemp("seed") / "seed.txt"
    seed.write_text(seed_text)
    ingest_paths(engine, [seed, corpus_dir])
    with session_factory(engine)() as session:
        shareable = session.scalars(
            select(CableRecord.id)
            .where(CableRecord.classification == "UNCLASSIFIED", CableRecord.caveats == "")
            .order_by(CableRecord.id)
            .limit(3)
        ).all()
    for cable_id in shareable:
        release_cable(engine, OFFICER, cable_id, source="test")
    yield engine
    engine.dispose()


def run(engine: Engine, query: str, user: User = OFFICER, **kw: Any) -> SearchResult:
    with session_factory(engine)() as session:
        return search(session, parse_query(query), user, **kw)


def readable_texts(session: Session, user: User) -> list[tuple[str, str, str]]:
    """(cable id, subject, body) of every cable `user` may read, the body made of the
    paragraphs the user may read, each by its own marking (not the index's rows)."""
    paragraphs: dict[str, list[str]] = {}
    for paragraph in session.scalars(
        select(CableParagraph).order_by(CableParagraph.cable_id, CableParagraph.position)
    ):
        if readable_row(paragraph, user):
            paragraphs.setdefault(paragraph.cable_id, []).append(paragraph.text)
    return [
        (row.id, row.subject or "", "\n\n".join(paragraphs.get(row.id, [])))
        for row in session.scalars(select(CableRecord))
        if readable_row(row, user)
    ]


def text_matches(session: Session, query: str, user: User) -> set[str]:
    """The cables whose text readable by `user` matches, asked of the database's own
    full-text engine over a scratch table (rolled back with the session)."""
    fts5, tsquery = CASES[query]
    if fts5 is None:
        return set()
    rows = [{"id": i, "s": s, "b": b} for i, s, b in readable_texts(session, user)]
    if session.get_bind().dialect.name == "sqlite":
        session.execute(
            text(
                "CREATE VIRTUAL TABLE temp.oracle USING fts5("
                "cable_id UNINDEXED, subject, body, tokenize = 'porter unicode61')"
            )
        )
        if rows:
            session.execute(text("INSERT INTO temp.oracle VALUES (:id, :s, :b)"), rows)
        found = set(
            session.scalars(
                text("SELECT cable_id FROM temp.oracle WHERE oracle MATCH :e"), {"e": fts5}
            )
        )
        session.execute(text("DROP TABLE temp.oracle"))
        return found
    session.execute(text("CREATE TEMP TABLE oracle (cable_id TEXT, tsv TSVECTOR)"))
    if rows:
        session.execute(
            text(
                "INSERT INTO oracle VALUES (:id, setweight(to_tsvector('english', :s), 'A') || "
                "setweight(to_tsvector('english', :b), 'B'))"
            ),
            rows,
        )
    found = set(session.scalars(text(f"SELECT cable_id FROM oracle WHERE tsv @@ ({tsquery})")))
    session.execute(text("DROP TABLE oracle"))
    return found


def passes_filters(session: Session, row: CableRecord, q: SearchQuery) -> bool:
    if any(tag not in row.tag_list.split() for tag in q.tags):
        return False
    if q.origins and not any(o in (row.origin or "").upper() for o in q.origins):
        return False
    if q.classes and not any(
        c == row.classification
        or c in row.caveats.upper()
        or c == f"{row.classification}//{row.caveats}"
        for c in q.classes
    ):
        return False
    created = row.created.replace(tzinfo=row.created.tzinfo or UTC) if row.created else None
    if q.date_from and (
        created is None or created < datetime.combine(q.date_from, time.min, tzinfo=UTC)
    ):
        return False
    if q.date_to and (
        created is None or created > datetime.combine(q.date_to, time.max, tzinfo=UTC)
    ):
        return False
    for ref in q.refs:
        citing = session.scalars(
            select(CableReference.cable_id).where(CableReference.ref_id == ref)
        ).all()
        if row.id not in citing:
            return False
    return True


def oracle(engine: Engine, query: str, user: User) -> tuple[set[str], dict[str, Counter[str]]]:
    """The cables `user` should find for `query`, and their facet counts."""
    q = parse_query(query)
    with session_factory(engine)() as session:
        matched = text_matches(session, query, user)
        rows = [
            row
            for row in session.scalars(select(CableRecord))
            if readable_row(row, user) and passes_filters(session, row, q)
        ]
    if q.has_text:
        rows = [r for r in rows if r.id in matched]
    elif q.excluded:
        rows = [r for r in rows if r.id not in matched]
    facets: dict[str, Counter[str]] = {
        "tag": Counter(t for r in rows for t in r.tag_list.split()),
        "origin": Counter(r.origin or "(none)" for r in rows),
        "marking": Counter(banner(r.classification, r.caveats) for r in rows),
        "year": Counter((r.month or "")[:4] or "(none)" for r in rows),
    }
    return {r.id for r in rows}, facets


def top(counts: Counter[str], size: int = 30) -> dict[str, int]:
    return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:size])


@pytest.mark.parametrize("user", [OFFICER, C_CLEARED, LIAISON], ids=lambda u: u.username)
@pytest.mark.parametrize("query", list(CASES))
def test_search_agrees_with_the_oracle(corpus: Engine, query: str, user: User) -> None:
    expected, facets = oracle(corpus, query, user)
    for _ in range(2):  # the second time from the cached text answers
        result = run(corpus, query, user, limit=1000)
        assert result.total == len(expected)
        assert {h.id for h in result.hits} == expected
        assert result.facets["tag"] == top(facets["tag"])
        assert result.facets["origin"] == top(facets["origin"])
        assert result.facets["marking"] == top(facets["marking"])
        assert result.facets["year"] == dict(sorted(facets["year"].items()))


def test_the_oracle_is_not_vacuous(corpus: Engine) -> None:
    assert len(oracle(corpus, "nuclear", OFFICER)[0]) > 50
    assert (
        0
        < len(oracle(corpus, "tag:PARM", C_CLEARED)[0])
        < len(oracle(corpus, "tag:PARM", OFFICER)[0])
    )
    assert len(oracle(corpus, "-minister", LIAISON)[0]) > 0
    assert len(oracle(corpus, "ref:07BEIJING5361", OFFICER)[0]) > 0


@pytest.mark.parametrize("words", ["minister", "nuclear iran", "trade -china"])
@pytest.mark.parametrize("sort", ["relevance", "date"])
def test_pages_and_filters_follow_one_order(corpus: Engine, words: str, sort: str) -> None:
    full = [h.id for h in run(corpus, words, sort=sort, limit=1000).hits]
    assert len(full) > 20
    paged: list[str] = []
    for offset in range(0, len(full), 7):
        paged += [h.id for h in run(corpus, words, sort=sort, limit=7, offset=offset).hits]
    assert paged == full
    for narrowing in ("tag:PREL", "origin:MOSCOW", "class:SECRET", "from:2009-06"):
        subset = oracle_filter(corpus, narrowing)
        narrowed = [h.id for h in run(corpus, f"{words} {narrowing}", sort=sort, limit=1000).hits]
        assert narrowed == [cable for cable in full if cable in subset]


def oracle_filter(engine: Engine, filters: str) -> set[str]:
    q = parse_query(filters)
    with session_factory(engine)() as session:
        rows = session.scalars(select(CableRecord)).all()
        return {r.id for r in rows if passes_filters(session, r, q)}


def test_a_relevance_page_starts_with_the_best_match(corpus: Engine) -> None:
    hits = run(corpus, "NORINCO").hits
    assert hits[0].id == "08BEIJING1050"


# --- freshness ----------------------------------------------------------------------------


def test_search_sees_an_ingest_at_once(engine: Engine, tmp_path: Path) -> None:
    ingest_paths(engine, [SAMPLE_CABLES])
    before = run(engine, "from:2000")
    assert run(engine, "zeppelin").total == 0
    (tmp_path / "new.txt").write_text(
        telegram(901, "ZEPPELIN SIGHTED OVER THE HARBOUR", body="A zeppelin was seen.")
    )
    ingest_paths(engine, [tmp_path / "new.txt"])
    assert [h.id for h in run(engine, "zeppelin").hits] == ["08SAMPLEPOST901"]
    assert run(engine, "from:2000").total == before.total + 1


def test_sessions_of_one_engine_share_one_catalogue(engine: Engine) -> None:
    # Each session_factory call binds a new execution_options copy of the engine: a
    # catalogue kept per copy was rebuilt for every `transaction(engine)` caller.
    ingest_paths(engine, [SAMPLE_CABLES])
    with session_factory(engine)() as first, session_factory(engine)() as second:
        assert current_catalogue(first) is current_catalogue(second)


def test_a_rolled_back_change_never_reaches_other_searches(engine: Engine) -> None:
    ingest_paths(engine, [SAMPLE_CABLES])
    assert run(engine, "class:SECRET").total == 1
    with session_factory(engine)() as session:
        record = session.get(CableRecord, "08SAMPLEPOST177")
        assert record is not None
        record.classification = "SECRET"
        session.flush()
        index_cable(session, IndexDocument.of(record))
        # The changing transaction sees its own change (and may cache a catalogue of it)...
        assert search(session, parse_query("class:SECRET"), OFFICER).total == 2
        session.rollback()
    # ...which nobody sees once it is rolled back.
    assert run(engine, "class:SECRET").total == 1


def test_release_reaches_the_partner_search(engine: Engine) -> None:
    ingest_paths(engine, [SAMPLE_CABLES])
    assert run(engine, "training", LIAISON).total == 0
    release_cable(engine, OFFICER, "08SAMPLEPOST177", source="test")
    assert [h.id for h in run(engine, "training", LIAISON).hits] == ["08SAMPLEPOST177"]


# --- PostgreSQL: the ranked index and the fallback without it -----------------------------


@pytest.fixture
def pg_url(pg_cluster: PostgresCluster) -> str:
    return pg_cluster.create_database(template="npdesk_template")


def test_postgresql_search_uses_the_rum_index_in_ci(pg_url: str) -> None:
    engine = make_engine(pg_url)
    with engine.connect() as connection:
        has_rum = connection.execute(
            text("SELECT count(*) FROM pg_indexes WHERE indexname = 'ix_cable_search_rum'")
        ).scalar_one()
    engine.dispose()
    if os.environ.get("CI", "").lower() == "true":
        assert has_rum == 1, "CI needs PostgreSQL's RUM extension (scripts/system-deps.sh)"
    else:
        assert has_rum in (0, 1)


def test_postgresql_without_rum_finds_the_same(pg_url: str) -> None:
    engine = make_engine(pg_url)
    ingest_paths(engine, [SAMPLE_CABLES])
    queries = ["workshop", '"open cases"', "cases -washington", "tag:ETTC", "export control"]
    with_rum = {q: [h.id for h in run(engine, q, sort="date").hits] for q in queries}
    with engine.begin() as connection:
        connection.execute(text("DROP INDEX IF EXISTS ix_cable_search_rum"))
        connection.execute(
            text("CREATE INDEX IF NOT EXISTS ix_cable_search_tsv ON cable_search USING GIN (tsv)")
        )
    engine.dispose()
    gin = make_engine(pg_url)  # a new engine looks for the index again
    try:
        assert {q: [h.id for h in run(gin, q, sort="date").hits] for q in queries} == with_rum
        assert run(gin, "workshop").hits[0].id == "08SAMPLEPOST101"
    finally:
        gin.dispose()


# --- reading ahead on a second connection (large stores; forced on here) -------------------


@pytest.fixture
def read_ahead(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[object]]:
    """Reading ahead from the first cable on; yields the prefixes read ahead."""
    monkeypatch.setattr(search_module, "READ_AHEAD_FROM", 0)
    prefixes: list[object] = []
    original = search_module._read_ahead

    def recorded(*args: Any) -> Any:
        prefix = original(*args)
        prefixes.append(prefix)
        return prefix

    monkeypatch.setattr(search_module, "_read_ahead", recorded)
    CACHE.clear()
    yield prefixes
    CACHE.clear()


@pytest.mark.parametrize(
    "query",
    ["nuclear", "minister tag:PREL", "nuclear -iran", "trade origin:PARIS", '"export control"'],
)
def test_read_ahead_gives_the_same_answers(
    corpus: Engine, query: str, read_ahead: list[object]
) -> None:
    expected, _ = oracle(corpus, query, OFFICER)
    CACHE.clear()
    plain = run(corpus, query, limit=50)
    assert {h.id for h in run(corpus, query, limit=1000).hits} == expected
    CACHE.clear()
    assert [h.id for h in run(corpus, query, limit=50).hits] == [h.id for h in plain.hits]
    if "origin:" not in query:  # filters keeping few cables rank all matches instead
        assert any(prefix is not None for prefix in read_ahead)


def test_read_ahead_ignores_an_uncommitted_change(engine: Engine, read_ahead: list[object]) -> None:
    ingest_paths(engine, [SAMPLE_CABLES])
    with session_factory(engine)() as session:
        record = session.get(CableRecord, "08SAMPLEPOST177")
        assert record is not None
        record.subject = "ZEPPELIN WORKSHOP"
        session.flush()
        index_cable(session, IndexDocument.of(record))
        # The other connection cannot see the new subject; its order must not be used.
        hits = search(session, parse_query("zeppelin"), OFFICER).hits
        assert [h.id for h in hits] == ["08SAMPLEPOST177"]
        assert read_ahead == [None]  # read ahead, then refused: another state of the store
        session.rollback()
    assert run(engine, "zeppelin").total == 0
