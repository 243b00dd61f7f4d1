"""Search at the reader's clearance, paragraph by paragraph (issue 11, "search ignores the
reader's clearance inside a readable cable").

The fixture cables are stored with a banner below some of their paragraphs (as ingest stored
them before markings were derived), so these tests bite whatever the cable's own marking says:
matches, snippets, totals and facets must come only from paragraphs the reader may read.
Every expectation below is written by hand from the paragraph markings.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from npdesk.security.model import Level, Party, Role, User
from npdesk.services.ingest import ingest_paths
from npdesk.store.db import session_factory, transaction
from npdesk.store.models.cables import CableParagraph, CableRecord
from npdesk.store.search import IndexDocument, SearchResult, index_cable, search
from npdesk.store.search_query import parse_query


def home(level: Level) -> User:
    return User(f"home-{level.name}", Party.HOME, Role.OFFICER, level)


def liaison(level: Level, country: str = "CHN") -> User:
    return User(f"liaison-{country}-{level.name}", Party.PARTNER, Role.LIAISON, level, country)


HOME_U, HOME_C, HOME_S, HOME_TS = (home(level) for level in Level)
PARTNER_U, PARTNER_C = liaison(Level.U), liaison(Level.C)
OTHER_COUNTRY = liaison(Level.TS, "GBR")  # no agreement with the desk: reads nothing
USERS = [HOME_U, HOME_C, HOME_S, HOME_TS, PARTNER_U, PARTNER_C, OTHER_COUNTRY]

CABLE = "08SAMPLEPOST301"  # stored CONFIDENTIAL, shared with the partner
PLAIN = "08SAMPLEPOST302"  # stored UNCLASSIFIED, shared with the partner

# (number, portion, text, marking columns forced after ingest) of the CONFIDENTIAL cable.
PARAGRAPHS = [
    (1, "U", "The delegation discussed the harbour crane.", ("UNCLASSIFIED", "", "CHN", True)),
    (2, "C", "Officials named the broker Zanzibarite.", ("CONFIDENTIAL", "", "CHN", True)),
    (3, "S//NF", "Sources traced the Quixotica shipment.", ("SECRET", "NOFORN", "", False)),
    (4, "TS", "Intercepts mention the Blueheron facility.", ("TOP SECRET", "", "", False)),
    (5, "U", "The embassy will follow up the Marmalade visit.", ("UNCLASSIFIED", "", "", False)),
]

# Who finds what, from the markings above: the cable is CONFIDENTIAL (so home U and a liaison
# cleared U cannot read it at all), released to CHN with paragraphs 1 and 2; the other cable
# is UNCLASSIFIED with a CONFIDENTIAL paragraph 2 ("Marzipane"), both released to CHN.
FINDS: dict[str, dict[str, list[str]]] = {
    "crane": {"home-C": [CABLE], "home-S": [CABLE], "home-TS": [CABLE], "liaison-CHN-C": [CABLE]},
    "zanzibarite": {
        "home-C": [CABLE],
        "home-S": [CABLE],
        "home-TS": [CABLE],
        "liaison-CHN-C": [CABLE],
    },
    "quixotica": {"home-S": [CABLE], "home-TS": [CABLE]},
    "blueheron": {"home-TS": [CABLE]},
    "marmalade": {"home-C": [CABLE], "home-S": [CABLE], "home-TS": [CABLE]},
    "marzipane": {
        "home-C": [PLAIN],
        "home-S": [PLAIN],
        "home-TS": [PLAIN],
        "liaison-CHN-C": [PLAIN],
    },
    "lighthouse": {  # paragraph 1 of the UNCLASSIFIED cable
        "home-U": [PLAIN],
        "home-C": [PLAIN],
        "home-S": [PLAIN],
        "home-TS": [PLAIN],
        "liaison-CHN-U": [PLAIN],
        "liaison-CHN-C": [PLAIN],
    },
}

EVERY_WORD = {"crane", "zanzibarite", "quixotica", "blueheron", "marmalade", "marzipane"}
# Words each reader may not see anywhere in an answer (their paragraphs are unreadable).
HIDDEN: dict[str, set[str]] = {
    "home-U": EVERY_WORD,
    "home-C": {"quixotica", "blueheron"},
    "home-S": {"blueheron"},
    "home-TS": set(),
    "liaison-CHN-U": EVERY_WORD,
    "liaison-CHN-C": {"quixotica", "blueheron", "marmalade"},
    "liaison-GBR-TS": EVERY_WORD | {"lighthouse"},
}


def _telegram(serial: int, banner: str, subject: str, paragraphs: list[tuple[str, str]]) -> str:
    body = "\n\n".join(
        f"{i}. ({portion}) {text}" for i, (portion, text) in enumerate(paragraphs, 1)
    )
    return f"""O 201106Z MAR 08
FM AMEMBASSY SAMPLEPOST
TO SECSTATE WASHDC IMMEDIATE 5948

{" ".join(banner)} SAMPLEPOST {serial:06d}

SIPDIS

E.O. 12958: DECL: 03/20/2033
TAGS: PARM PREL
SUBJECT: {subject}

Classified By: Fictional Counselor. Reasons 1.4 (b/d).

{body}

EXAMPLE
"""


@pytest.fixture
def desk(engine: Engine, tmp_path: Path) -> Engine:
    (tmp_path / "a.txt").write_text(
        _telegram(301, "CONFIDENTIAL", "HARBOUR REVIEW", [(p, t) for _, p, t, _ in PARAGRAPHS])
    )
    (tmp_path / "b.txt").write_text(
        _telegram(
            302,
            "UNCLASSIFIED",
            "PORT NOTES",
            [("U", "A new lighthouse opened."), ("C", "The harbourmaster is Marzipane.")],
        )
    )
    report = ingest_paths(engine, [tmp_path / "a.txt", tmp_path / "b.txt"])
    assert not report.quarantined
    stored = {
        CABLE: (("CONFIDENTIAL", "", "CHN GBR", True), [m for *_, m in PARAGRAPHS]),
        PLAIN: (
            ("UNCLASSIFIED", "", "CHN", True),
            [("UNCLASSIFIED", "", "CHN", True), ("CONFIDENTIAL", "", "CHN", True)],
        ),
    }
    with transaction(engine) as session:
        for cable_id, (marking, paragraph_markings) in stored.items():
            record = session.get(CableRecord, cable_id)
            assert record is not None
            _mark(record, marking)
            numbered = sorted(
                (p for p in record.paragraphs if p.number), key=lambda p: p.number or 0
            )
            assert len(numbered) == len(paragraph_markings)
            for paragraph, columns in zip(numbered, paragraph_markings, strict=True):
                _mark(paragraph, columns)
            session.flush()
            index_cable(session, IndexDocument.of(record))
    return engine


def _mark(row: CableRecord | CableParagraph, columns: tuple[str, str, str, bool]) -> None:
    row.classification, row.caveats, row.rel_to, row.shared_with_partner = columns


def run(engine: Engine, query: str, user: User) -> SearchResult:
    with session_factory(engine)() as session:
        return search(session, parse_query(query), user, limit=50)


def answer_text(result: SearchResult) -> str:
    """Everything an answer says, lower-cased: snippets, subjects, facet keys."""
    parts = [f"{h.id} {h.subject} {h.snippet}" for h in result.hits]
    parts += [key for counts in result.facets.values() for key in counts]
    return " ".join(parts).lower()


def test_c_cleared_home_user_gets_no_secret_snippet(desk: Engine) -> None:
    # The finding: a home user cleared C got S//NF paragraph text in a snippet.
    for query in ("crane", "zanzibarite", "marmalade", "tag:PARM", "harbour", ""):
        result = run(desk, query, HOME_C)
        assert CABLE in [h.id for h in result.hits], query
        assert "quixotica" not in answer_text(result), query
        assert "blueheron" not in answer_text(result), query
    for secret in ("quixotica", "blueheron", "quixotica shipment", '"Quixotica shipment"'):
        result = run(desk, secret, HOME_C)
        assert (result.total, result.hits, sum(result.facets["year"].values())) == (0, [], 0)
    # Excluding a word the reader cannot see removes nothing: absence would betray it too.
    assert [h.id for h in run(desk, "crane -quixotica", HOME_C).hits] == [CABLE]
    assert run(desk, "-quixotica", HOME_C).total == run(desk, "", HOME_C).total == 2
    assert run(desk, "crane -quixotica", HOME_S).total == 0
    # The snippet of the paragraph the reader may read still shows it.
    assert "zanzibarite" in run(desk, "zanzibarite", HOME_C).hits[0].snippet.lower()


def test_u_cleared_partner_gets_no_confidential_paragraph(desk: Engine) -> None:
    # The finding: a partner user cleared U got a C paragraph (one index for the agreed level).
    result = run(desk, "lighthouse", PARTNER_U)
    assert [h.id for h in result.hits] == [PLAIN]
    assert "marzipane" not in answer_text(result)
    assert "lighthouse" in result.hits[0].snippet.lower()
    assert run(desk, "marzipane", PARTNER_U).total == 0
    assert "marzipane" not in answer_text(run(desk, "", PARTNER_U))
    assert [h.id for h in run(desk, "lighthouse -marzipane", PARTNER_U).hits] == [PLAIN]
    assert run(desk, "crane", PARTNER_U).total == 0  # a CONFIDENTIAL cable: not at all
    # A colleague cleared to the agreed level reads paragraph 2.
    assert [h.id for h in run(desk, "marzipane", PARTNER_C).hits] == [PLAIN]
    assert run(desk, "lighthouse -marzipane", PARTNER_C).total == 0


def test_other_country_partner_search_finds_nothing(desk: Engine) -> None:
    # A liaison of a country the desk has no agreement with reads nothing, even a cable whose
    # REL TO names the country: no hit, no count, no facet.
    for query in ("crane", "", "tag:PARM", "-zanzibarite", "harbour", "class:CONFIDENTIAL"):
        result = run(desk, query, OTHER_COUNTRY)
        assert result.total == 0 and result.hits == [], query
        assert all(not counts for counts in result.facets.values()), query


@pytest.mark.parametrize("user", USERS, ids=lambda u: u.username)
def test_every_reader_finds_only_its_paragraphs(desk: Engine, user: User) -> None:
    for word, finders in FINDS.items():
        result = run(desk, word, user)
        expected = finders.get(user.username, [])
        assert [h.id for h in result.hits] == expected, word
        assert result.total == len(expected), word
        assert sum(result.facets["year"].values()) == len(expected), word
    for query in ("", "tag:PARM", "harbour", "crane", "lighthouse", "-zeppelin"):
        said = answer_text(run(desk, query, user))
        assert not [word for word in HIDDEN[user.username] if word in said], query


def test_the_index_grows_only_where_readers_differ(desk: Engine) -> None:
    # Rows per cable, by hand: the CONFIDENTIAL cable reads differently for home S (no TS
    # paragraph) and home C (no S paragraph either); home U and a liaison cleared U cannot
    # read it (no row). The UNCLASSIFIED cable reads the same for every home level but U,
    # and for the partner differs at U (no paragraph 2).
    with session_factory(desk)() as session:
        catalogue_rows = _audience_rows(session)
    assert catalogue_rows == {
        CABLE: {"all", "home:S", "home:C", "partner"},
        PLAIN: {"all", "home:U", "partner", "partner:U"},
    }


def _audience_rows(session: object) -> dict[str, set[str]]:
    from sqlalchemy import text
    from sqlalchemy.orm import Session

    assert isinstance(session, Session)
    ids = {doc: cable for doc, cable in session.execute(text("SELECT doc_id, id FROM cables"))}
    found: dict[str, set[str]] = {}
    if session.get_bind().dialect.name == "sqlite":
        names = {
            ("cable_fts", 0): "all",
            ("cable_fts", 3): "home:S",
            ("cable_fts", 2): "home:C",
            ("cable_fts", 1): "home:U",
            ("cable_fts_partner", 0): "partner",
            ("cable_fts_partner", 1): "partner:U",
        }
        for table in ("cable_fts", "cable_fts_partner"):
            for (rowid,) in session.execute(text(f"SELECT rowid FROM {table}")):
                name = names[(table, rowid >> 32)]
                found.setdefault(ids[rowid & 0xFFFFFFFF], set()).add(name)
    else:
        for cable_id, audience in session.execute(
            text("SELECT cable_id, audience FROM cable_search")
        ):
            found.setdefault(cable_id, set()).add(audience)
    return found
