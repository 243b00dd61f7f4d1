"""The leak matrix (issue 11): every GET route of the app × every reader (home, partner CHN,
partner GBR; cleared U, C, S, TS) over a world with records of every kind at every marking
(`_leak_world`), asserting on the raw bytes of every answer (JSON, HTML, CSV, SVG, and the text
of PDFs) that no canary word, record id or count beyond the reader's right appears, and that
a record the reader may not read answers exactly like one that does not exist.

Who may read what comes from the hand-written table in `_leak_world`, never from the policy.
A new GET route fails `test_every_get_route_is_in_the_route_table` until it is given probes
here. Runs on SQLite and PostgreSQL; the world is built once per backend.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from urllib.parse import quote, quote_plus

import pytest
from fastapi.testclient import TestClient
from httpx import Response
from pypdf import PdfReader

from npdesk.store.db import make_engine
from npdesk.store.schema import upgrade
from npdesk.testing.postgres import PostgresCluster
from npdesk.web.auth import route_actions
from tests.security._leak_world import READERS, LeakWorld, Record, build_leak_world

MISSING = {
    "cable": "08LEAKPOST999",
    "case": "NPC-2007-999",
    "firm": "canaryfirmmissingqzzz-trading-corporation",
    "number": "99",
}
# Routes that are not reads: they change the world, so the authorization matrix
# (test_web_matrix) covers them; this test only reads.
NOT_READS = {"POST", "PUT", "PATCH", "DELETE"}


@dataclass
class Probe:
    """One request: `url`, query `params`; `names` the record it names (None: a listing) and
    `missing` the same request naming nothing that exists."""

    url: str
    params: dict[str, str] = field(default_factory=dict)
    names: Record | None = None
    missing: tuple[str, dict[str, str]] | None = None
    headers: dict[str, str] = field(default_factory=dict)
    # Whether a reader of the named record must get it (200), not only others a 404.
    opens: bool = False


def _each(
    records: list[Record], template: str, missing: str, opens: bool = True, **params: str
) -> list[Probe]:
    return [
        Probe(
            template.format(r.value),
            dict(params),
            r,
            (template.format(missing), dict(params)),
            opens=opens,
        )
        for r in records
    ]


def _query(records: list[Record], url: str, name: str, missing: str) -> list[Probe]:
    return [Probe(url, {name: r.value}, r, (url, {name: missing})) for r in records]


def _pairs(records: list[Record], template: str) -> list[Probe]:
    probes = []
    for old in records:
        for new in records:
            if old is new:
                continue
            both = Record(f"{old.value}/{new.value}", old.readers & new.readers)
            hidden_old = template.format(MISSING["number"], new.value)
            probes.append(Probe(template.format(old.value, new.value), {}, both, opens=True))
            probes[-1].missing = (hidden_old, {}) if old.readers < new.readers else None
            if probes[-1].missing is None:
                probes[-1].missing = (template.format(old.value, MISSING["number"]), {})
    return probes


LISTING_QUERIES = ["", "export", "canary*"]


def _listing(url: str, **params: str) -> list[Probe]:
    return [Probe(url, dict(params))]


def _search(url: str) -> list[Probe]:
    return [Probe(url, {"q": q}) for q in LISTING_QUERIES] + [Probe(url, {"q": "", "sort": "date"})]


# Every GET route of the app, with the requests that exercise it (the world is passed in so
# path parameters take the ids of every record, readable or not).
ROUTE_TABLE: dict[str, Callable[[LeakWorld], list[Probe]]] = {
    "GET /": lambda w: _listing("/"),
    "GET /healthz": lambda w: _listing("/healthz"),
    "GET /login": lambda w: _listing("/login"),
    "GET /api/docs": lambda w: _listing("/api/docs"),
    "GET /api/v1/openapi.json": lambda w: _listing("/api/v1/openapi.json"),
    # cables
    "GET /search": lambda w: (
        [*_search("/search"), Probe("/search", {"q": "export"}, headers={"HX-Request": "true"})]
    ),
    "GET /api/v1/search": lambda w: (
        [*_search("/api/v1/search"), Probe("/api/v1/search", {"q": "", "limit": "200"})]
    ),
    "GET /api/v1/facets": lambda w: _search("/api/v1/facets"),
    "GET /browse": lambda w: _listing("/browse"),
    "GET /browse/{month}": lambda w: _listing("/browse/2008-03") + _listing("/browse/2007-10"),
    "GET /api/v1/cables/{cable_id}": lambda w: _each(
        w.cables, "/api/v1/cables/{}", MISSING["cable"]
    ),
    "GET /cables/{cable_id}": lambda w: _each(w.cables, "/cables/{}", MISSING["cable"]),
    "GET /api/v1/cables/{cable_id}/proposals": lambda w: _each(
        w.cables, "/api/v1/cables/{}/proposals", MISSING["cable"]
    ),
    "GET /cables/{cable_id}/proposals": lambda w: _each(
        w.cables, "/cables/{}/proposals", MISSING["cable"]
    ),
    # cases
    "GET /cases": lambda w: _listing("/cases") + _listing("/cases", status="open"),
    "GET /api/v1/cases": lambda w: (
        _listing("/api/v1/cases", limit="500")
        + _listing("/api/v1/cases", status="open", limit="500")
    ),
    "GET /api/v1/cases/{reference}": lambda w: _each(w.cases, "/api/v1/cases/{}", MISSING["case"]),
    "GET /cases/{reference}": lambda w: _each(w.cases, "/cases/{}", MISSING["case"]),
    "GET /cases/new": lambda w: (
        _listing("/cases/new") + _query(w.cables, "/cases/new", "cable", MISSING["cable"])
    ),
    "GET /cases/link": lambda w: _query(w.cables, "/cases/link", "cable", MISSING["cable"]),
    # handover lists
    "GET /handovers": lambda w: _listing("/handovers"),
    "GET /api/v1/handover-lists": lambda w: _listing("/api/v1/handover-lists"),
    "GET /handovers/{number}": lambda w: _each(w.handovers, "/handovers/{}", MISSING["number"]),
    "GET /api/v1/handover-lists/{number}": lambda w: _each(
        w.handovers, "/api/v1/handover-lists/{}", MISSING["number"]
    ),
    "GET /api/v1/handover-lists/{number}/export.{fmt}": lambda w: [
        probe
        for fmt in ("json", "csv", "html", "pdf")
        for probe in _each(
            w.handovers, "/api/v1/handover-lists/{}/export." + fmt, MISSING["number"]
        )
    ],
    "GET /handovers/{old}/diff/{new}": lambda w: _pairs(w.handovers, "/handovers/{}/diff/{}"),
    "GET /api/v1/handover-lists/{old}/diff/{new}": lambda w: _pairs(
        w.handovers, "/api/v1/handover-lists/{}/diff/{}"
    ),
    # reviews
    "GET /reviews": lambda w: _listing("/reviews"),
    "GET /api/v1/reviews": lambda w: _listing("/api/v1/reviews"),
    "GET /reviews/{number}": lambda w: _each(w.reviews, "/reviews/{}", MISSING["number"]),
    "GET /api/v1/reviews/{number}": lambda w: _each(
        w.reviews, "/api/v1/reviews/{}", MISSING["number"]
    ),
    "GET /api/v1/reviews/{number}/minutes": lambda w: [
        probe
        for variant in ("releasable", "home")
        for fmt in ("html", "pdf")
        for probe in _each(
            w.reviews,
            "/api/v1/reviews/{}/minutes",
            MISSING["number"],
            opens=variant == "releasable",
            variant=variant,
            format=fmt,
        )
    ],
    # figures
    "GET /api/v1/metrics": lambda w: _listing("/api/v1/metrics"),
    "GET /api/v1/metrics/burndown.svg": lambda w: _listing("/api/v1/metrics/burndown.svg"),
    "GET /dashboard": lambda w: _listing("/dashboard"),
    # desk
    "GET /firms": lambda w: _listing("/firms"),
    "GET /api/v1/firms": lambda w: _listing("/api/v1/firms"),
    "GET /firms/{key}": lambda w: _each(w.firms, "/firms/{}", MISSING["firm"]),
    "GET /api/v1/firms/{key}": lambda w: _each(w.firms, "/api/v1/firms/{}", MISSING["firm"]),
    # releases waiting for a second person (home only; the world holds none)
    "GET /releases": lambda w: _listing("/releases"),
    "GET /api/v1/releases": lambda w: _listing("/api/v1/releases", state="all"),
    "GET /events": lambda w: _listing("/events"),
    "GET /api/v1/events": lambda w: _listing("/api/v1/events"),
    "GET /commitments": lambda w: _listing("/commitments"),
    "GET /api/v1/commitments": lambda w: (
        _listing("/api/v1/commitments")
        + _listing("/api/v1/commitments", side="partner")
        + _listing("/api/v1/commitments", overdue="true", today="2009-01-01")
    ),
}


def _app_routes() -> set[str]:
    from npdesk.web.app import create_app

    return set(route_actions(create_app(make_engine("sqlite://"))))


def test_every_get_route_is_in_the_route_table() -> None:
    routes = _app_routes()
    reads = {r for r in routes if r.split(" ", 1)[0] not in NOT_READS}
    assert reads == set(ROUTE_TABLE), (
        f"not probed: {sorted(reads - set(ROUTE_TABLE))}; "
        f"gone from the app: {sorted(set(ROUTE_TABLE) - reads)}"
    )
    assert {r.split(" ", 1)[0] for r in routes} <= {"GET", *NOT_READS}


# --- the world, once per backend ---------------------------------------------------------


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def leak_world(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LeakWorld]:
    tmp = tmp_path_factory.mktemp(f"leak-{request.param}")
    if request.param == "sqlite":
        engine = make_engine(f"sqlite:///{tmp / 'npdesk.sqlite3'}")
        upgrade(engine)
    else:
        cluster: PostgresCluster = request.getfixturevalue("pg_cluster")
        engine = make_engine(cluster.create_database(template="npdesk_template"))
    app, canaries, tokens, records = build_leak_world(engine, tmp)
    with TestClient(app, follow_redirects=False) as client:
        world = LeakWorld(
            request.param,
            engine,
            app,
            client,
            canaries,
            tokens,
            cables=records["cables"],
            cases=records["cases"],
            firms=records["firms"],
            handovers=records["handovers"],
            reviews=records["reviews"],
        )
        world.partner_refs = {
            reader: _partner_refs(world, reader)
            for reader, user in READERS.items()
            if user.country is not None
        }
        yield world
    engine.dispose()


def _partner_refs(world: LeakWorld, reader: str) -> dict[str, str]:
    """The partner reader's own reference for each desk case it lists, found by the canary
    word in the case's title (the leak checks themselves never rely on this mapping)."""
    listed = _get(world, reader, "/api/v1/cases", {"limit": "500"}, {}).json()["cases"]
    found: dict[str, str] = {}
    for case in world.cases:
        mine = [c["reference"] for c in listed if case.title_word and case.title_word in c["title"]]
        assert len(mine) <= 1, (reader, case.value, mine)
        if mine:
            found[case.value] = mine[0]
    return found


def _as_read_by(world: LeakWorld, reader: str, probes: list[Probe]) -> list[Probe]:
    """`probes` as `reader` asks them: a partner names a case it may read by its own
    reference, and the desk's reference for it must answer like a missing case."""
    refs = world.partner_refs.get(reader, {})
    asked: list[Probe] = []
    for probe in probes:
        named = probe.names
        if named is None or named.value not in refs or named not in world.cases:
            asked.append(probe)
            continue
        own = refs[named.value]
        asked.append(
            Probe(
                probe.url.replace(named.value, own),
                dict(probe.params),
                Record(own, named.readers, named.title_word),
                None,
                dict(probe.headers),
                opens=probe.opens,
            )
        )
        hidden = Record(named.value, named.readers - {reader}, named.title_word)
        asked.append(
            Probe(probe.url, dict(probe.params), hidden, probe.missing, dict(probe.headers))
        )
    return asked


# --- reading the answers ---------------------------------------------------------------------


def _raw(response: Response) -> str:
    """Everything the reader receives: body bytes, headers, and a PDF's text."""
    body = response.content.decode("utf-8", errors="replace")
    headers = " ".join(f"{k}: {v}" for k, v in response.headers.items())
    text = ""
    if response.content.startswith(b"%PDF"):
        text = " ".join(
            page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages
        )
    return f"{body}\n{headers}\n{text}".lower()


def _asked(probe: Probe) -> str:
    """What the request itself said (pages may echo it), in every spelling."""
    values = [probe.url, *probe.params.values()]
    forms = set()
    for value in values:
        forms |= {value, quote(value), quote_plus(value)}
    return " ".join(forms).lower()


def _comparable(body: str, tokens: list[str]) -> str:
    """`body` with the named id and the missing id both replaced by one placeholder, and
    per-page CSRF tokens removed."""
    body = re.sub(r'name="csrf_token" value="[^"]*"', 'name="csrf_token"', body)
    body = re.sub(r'"X-CSRF-Token": "[^"]*"', '"X-CSRF-Token"', body)
    for token in tokens:
        body = re.sub(rf"(?<![\w-]){re.escape(token)}(?![\w-])", "<ID>", body)
    return body


def _get(
    world: LeakWorld, reader: str, url: str, params: dict[str, str], extra: dict[str, str]
) -> Response:
    response: Response = world.client.get(
        url, params=params, headers={**world.headers(reader), **extra}
    )
    return response


def _leaks(
    world: LeakWorld,
    reader: str,
    probe: Probe,
    controls: dict[str, Response],
    found: dict[str, Response] | None = None,
) -> list[str]:
    """What is wrong with `reader`'s answer to `probe` (empty: nothing). `controls` keeps the
    answers for missing records, which are the same for every hidden one; `found` receives the
    answer itself (as "answer") for further checks."""
    problems: list[str] = []
    response = _get(world, reader, probe.url, probe.params, probe.headers)
    if found is not None:
        found["answer"] = response
    what = f"{reader} GET {probe.url} {probe.params or ''}".strip()
    if response.status_code >= 500:
        return [f"{what}: {response.status_code}"]
    readable = probe.names is not None and reader in probe.names.readers
    if probe.opens and readable and response.status_code != 200:
        problems.append(f"{what}: {response.status_code} for a reader of it")
    raw, asked = _raw(response), _asked(probe)
    hidden = [w for w in world.canaries.hidden_from(reader) if w.lower() not in asked]
    shown = [w for w in hidden if w.lower() in raw]
    if shown:
        problems.append(f"{what}: shows {sorted(shown)}")
    if probe.names is not None and reader not in probe.names.readers and probe.missing:
        url, params = probe.missing
        key = f"{reader} {url} {sorted(params.items())}"
        if key not in controls:
            controls[key] = _get(world, reader, url, params, probe.headers)
        control = controls[key]
        tokens = [probe.names.value, *probe.names.value.split("/")]
        tokens += [MISSING["number"], *(v for v in MISSING.values())]
        if response.status_code != control.status_code:
            problems.append(
                f"{what}: {response.status_code}, but {control.status_code} for a missing one"
            )
        elif _comparable(response.text, tokens) != _comparable(control.text, tokens):
            problems.append(f"{what}: answers unlike a missing record")
    return problems


# A PDF is printed from the very HTML the `html` probes read, so only its printing is new; to
# keep the run short (chromium takes seconds a page) PDFs are read for the readers most likely
# to be shown too much, and on SQLite only (the backend changes the data, not the printing).
PDF_READERS = {"home-U", "chn-C"}


def _asks(world: LeakWorld, reader: str, probe: Probe) -> bool:
    pdf = probe.url.endswith(".pdf") or probe.params.get("format") == "pdf"
    return not pdf or (reader in PDF_READERS and world.backend == "sqlite")


@pytest.mark.parametrize("route", sorted(ROUTE_TABLE))
def test_no_route_shows_what_the_reader_may_not_read(leak_world: LeakWorld, route: str) -> None:
    probes = ROUTE_TABLE[route](leak_world)
    assert probes, route
    controls: dict[str, Response] = {}
    problems = [
        problem
        for reader in READERS
        for probe in _as_read_by(leak_world, reader, probes)
        if _asks(leak_world, reader, probe)
        for problem in _leaks(leak_world, reader, probe, controls)
    ]
    assert problems == [], "\n".join(problems)


# --- what the reader may read, they get; counts are of that only ---------------------------


def test_totals_count_only_what_the_reader_may_read(leak_world: LeakWorld) -> None:
    wrong = []
    for reader in READERS:
        cables = sum(reader in r.readers for r in leak_world.cables)
        cases = sum(reader in r.readers for r in leak_world.cases)
        answers = {
            "/api/v1/search": (cables, {"q": "", "limit": "1"}),
            "/api/v1/facets": (cables, {"q": ""}),
            "/api/v1/cases": (cases, {"limit": "1"}),
        }
        for url, (expected, params) in answers.items():
            total = _get(leak_world, reader, url, params, {}).json()["total"]
            if total != expected:
                wrong.append(f"{reader} GET {url}: total {total}, expected {expected}")
        facets = _get(leak_world, reader, "/api/v1/facets", {"q": ""}, {}).json()["facets"]
        if sum(facets["marking"].values()) != cables:
            wrong.append(f"{reader} marking facet counts {facets['marking']}, expected {cables}")
    assert wrong == [], "\n".join(wrong)


# Searching for a word the reader may not read must find nothing at all: no hit, no count, no
# facet. Asked as the readers most likely to be shown too much (every word for each of them).
SEARCHERS = ["home-U", "home-C", "chn-U", "chn-C", "gbr-TS"]


@pytest.mark.parametrize("reader", SEARCHERS)
def test_searching_for_hidden_words_finds_nothing(leak_world: LeakWorld, reader: str) -> None:
    wrong = []
    hidden = [
        word
        for word in leak_world.canaries.searchable
        if reader not in leak_world.canaries.words[word]
    ]
    assert hidden
    for word in hidden:
        for url in ("/api/v1/search", "/api/v1/facets"):
            probe = Probe(url, {"q": word})
            found: dict[str, Response] = {}
            wrong += _leaks(leak_world, reader, probe, {}, found)
            response = found["answer"]
            body = response.json()
            if response.status_code != 200 or body["total"] != 0 or any(body["facets"].values()):
                wrong.append(f"{reader} GET {url}?q={word}: {response.status_code} {body}"[:300])
    assert wrong == [], "\n".join(wrong)


def test_the_world_shows_each_reader_something(leak_world: LeakWorld) -> None:
    # Without this the matrix would pass on a desk that shows nobody anything.
    for reader in READERS:
        body = _get(leak_world, reader, "/api/v1/search", {"q": "", "limit": "200"}, {}).text
        readable = [r.value for r in leak_world.cables if reader in r.readers]
        assert all(cable in body for cable in readable), reader
    released = _get(leak_world, "chn-C", "/api/v1/cables/08LEAKPOST952", {}, {}).text
    assert "CanaryParCRelChnQ".lower() in released.lower()


def test_what_the_partner_is_shown_is_marked_rel_to_chn(leak_world: LeakWorld) -> None:
    # Issue 11: "everything shown to the partner carries REL TO <country>".
    wrong = []
    for record in leak_world.cables:
        if "chn-C" not in record.readers:
            continue
        api = _get(leak_world, "chn-C", f"/api/v1/cables/{record.value}", {}, {}).json()
        if "REL TO CHN" not in api["marking"]:
            wrong.append(f"/api/v1/cables/{record.value} marking {api['marking']}")
        page = _get(leak_world, "chn-C", f"/cables/{record.value}", {}, {}).text
        banners = re.findall(r'data-testid="banner-(?:top|bottom)">([^<]*)<', page)
        if len(banners) != 2 or not all("REL TO CHN" in b for b in banners):
            wrong.append(f"/cables/{record.value} banners {banners}")
    assert wrong == [], "\n".join(wrong)
