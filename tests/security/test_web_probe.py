"""The partner-liaison probe: signed in as the liaison, call every route of the app (search
with many queries, facets, guessed cable ids, listings, error paths) and assert on the raw
response bodies and headers that no home-only paragraph text, subject or cable id appears."""

from __future__ import annotations

import re

import pytest
from httpx import Response

from npdesk.security.policy import may_read
from npdesk.web.auth import route_actions
from tests.security._web_world import (
    LIAISON,
    MARKINGS,
    MONTH,
    PARAGRAPHS,
    World,
    cable_id,
    never_for_liaison,
)

SECRETS = never_for_liaison()
UNREADABLE = [serial for serial, marking in MARKINGS.values() if not may_read(LIAISON, marking)]
READABLE = [serial for serial, marking in MARKINGS.values() if may_read(LIAISON, marking)]

QUERIES = [
    "",
    "export",
    "export controls",
    "paragraph",
    "nonproliferation",
    "FICTIONAL",
    "SUBJECT",
    "*",
    "export*",
    "HOMEONLY*",
    '"export controls"',
    "export OR nonproliferation",
    "export AND paragraph",
    "NOT export",
    "-export",
    "tag:PARM",
    "tag:PREL",
    "origin:SAMPLEPOST",
    "year:2008",
    "marking:SECRET",
    "marking:NOFORN",
    "classification:SECRET",
    "NOFORN",
    "SECRET",
    "CHN",
    "from:2008-01-01",
    '"unterminated',
    "(",
    ")",
    "AND",
    "OR OR",
    ":",
    "tag:",
    "\x00",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "x" * 3000,
]
for serial in UNREADABLE:
    QUERIES += [f"SUBJ{serial}X", cable_id(serial), f"id:{cable_id(serial)}", f"{serial}"]
for text in SECRETS:
    if text not in QUERIES:
        QUERIES.append(text)


def assert_clean(response: Response, what: str) -> None:
    assert response.status_code < 500, (what, response.status_code)
    raw = response.text + " " + " ".join(f"{k}: {v}" for k, v in response.headers.items())
    leaked = [secret for secret in SECRETS if secret in raw]
    assert leaked == [], f"{what} leaked {leaked}"


def liaison_get(world: World, url: str, **params: object) -> Response:
    response: Response = world.client.get(url, params=params, headers=world.headers("liaison"))
    return response


def assert_same_as_for_nothing(world: World, url: str, params: dict[str, str]) -> None:
    """A URL naming something hidden answers exactly like one naming something that does not
    exist (the URL may be echoed; nothing else may differ)."""
    asked = liaison_get(world, url, **params)
    control = liaison_get(world, _neutral(url), **params)
    assert asked.status_code == control.status_code, url
    assert _comparable(_neutral(asked.text)) == _comparable(control.text), url


def guessed_ids() -> list[str]:
    ids = [cable_id(serial) for serial in range(880, 930)]
    for serial in UNREADABLE:
        ids += [
            f"08samplepost{serial}",
            f"08 SAMPLEPOST {serial}",
            f"08SAMPLEPOST{serial:06d}",
            f"{cable_id(serial)}.",
            f"{cable_id(serial)}%20",
        ]
    return ids


def test_the_world_has_something_to_hide_and_something_to_show() -> None:
    assert UNREADABLE and READABLE
    assert any(f"SUBJ{serial}X" in SECRETS for serial in UNREADABLE)


def test_every_get_route_with_guessed_values(world: World) -> None:
    values = {
        "cable_id": guessed_ids(),
        "month": [MONTH, "2008-3", "2008", "9999-99", "x"],
        "reference": ["NP-2008-0001", "1", "x"],
        "number": ["1", "2", "999", "x"],
        "old": ["1"],
        "new": ["2"],
        "fmt": ["json", "csv", "html", "pdf", "x"],
        "key": ["example-firm", "x"],
        "commitment_id": ["1", "x"],
        "proposal_id": ["1", "x"],
        "dialogue_id": ["1", "x"],
    }
    for route in route_actions(world.app):
        method, path = route.split(" ", 1)
        if method != "GET":
            continue
        names = re.findall(r"\{(\w+)(?::\w+)?\}", path)
        assert all(name in values for name in names), f"no probe values for {path}"
        urls = [path]
        for name in names:
            urls = [
                re.sub(r"\{" + name + r"(?::\w+)?\}", value, url)
                for url in urls
                for value in values[name]
            ]
        for url in urls:
            for params in ({}, {"q": "export"}):
                if any(secret in url for secret in SECRETS):
                    assert_same_as_for_nothing(world, url, params)
                else:
                    assert_clean(liaison_get(world, url, **params), url)


def _search_bodies(world: World, query: str) -> list[tuple[str, Response]]:
    answers = []
    for url in ("/search", "/api/v1/search", "/api/v1/facets"):
        for sort in ("relevance", "date"):
            answers.append(
                (f"{url}?q={query!r}&sort={sort}", liaison_get(world, url, q=query, sort=sort))
            )
    partial = world.client.get(
        "/search",
        params={"q": query},
        headers={**world.headers("liaison"), "HX-Request": "true"},
    )
    answers.append((f"htmx /search?q={query!r}", partial))
    return answers


def _comparable(body: str) -> str:
    # CSRF tokens differ on every page by design.
    body = re.sub(r'name="csrf_token" value="[^"]*"', 'name="csrf_token"', body)
    return re.sub(r'"X-CSRF-Token": "[^"]*"', '"X-CSRF-Token"', body)


def _neutral(query: str) -> str:
    """`query` with every secret in it replaced by a same-length token that matches nothing."""
    for secret in SECRETS:
        query = query.replace(secret, "Q" * (len(secret) - 1) + "J")
    return query


@pytest.mark.parametrize("query", QUERIES, ids=lambda q: repr(q)[:40])
def test_search_and_facets(world: World, query: str) -> None:
    if not any(secret in query for secret in SECRETS):
        for what, response in _search_bodies(world, query):
            assert_clean(response, what)
        return
    # The pages echo the query, so a query made of secret words cannot be checked for them.
    # Instead it must answer exactly like the same query with those words replaced by words
    # that match nothing: whatever the secret words matched stayed hidden.
    neutral = _neutral(query)
    asked = _search_bodies(world, query)
    control = _search_bodies(world, neutral)
    for (what, response), (_, expected) in zip(asked, control, strict=True):
        assert response.status_code == expected.status_code, what
        assert _comparable(_neutral(response.text)) == _comparable(expected.text), what


def test_facet_counts_cover_only_readable_cables(world: World) -> None:
    body = liaison_get(world, "/api/v1/facets", q="").json()
    assert body["total"] <= len(READABLE)
    for counts in body["facets"].values():
        assert sum(counts.values()) <= len(READABLE) * 2
    assert not any("SECRET" in key or "NOFORN" in key for key in body["facets"]["marking"])


def test_unreadable_cables_answer_exactly_like_missing_ones(world: World) -> None:
    missing = "08SAMPLEPOST999"
    for prefix in ("/api/v1/cables/", "/cables/"):
        absent = liaison_get(world, prefix + missing)
        for serial in UNREADABLE:
            hidden = liaison_get(world, prefix + cable_id(serial))
            assert hidden.status_code == absent.status_code == 404
            # Per-page CSRF tokens are signed with the time, so two pages differ in them when
            # the requests straddle a second: compare the pages without them.
            assert _without_csrf(hidden.text.replace(cable_id(serial), missing)) == _without_csrf(
                absent.text
            )


def _without_csrf(page: str) -> str:
    page = re.sub(r'name="csrf_token" value="[^"]*"', 'name="csrf_token"', page)
    return re.sub(r'"X-CSRF-Token": "[^"]*"', '"X-CSRF-Token"', page)


def test_readable_cables_show_only_releasable_paragraphs_without_gaps(world: World) -> None:
    released = [tag for tag, part in PARAGRAPHS if may_read(LIAISON, part)]
    for serial in READABLE:
        body = liaison_get(world, f"/api/v1/cables/{cable_id(serial)}").json()
        texts = [p["text"] for p in body["paragraphs"]]
        assert [any(f"{tag}{serial}Z" in t for t in texts) for tag in released] == [True] * len(
            released
        )
        numbers = [p["number"] for p in body["paragraphs"] if p["number"] is not None]
        assert numbers == list(range(1, len(numbers) + 1)), "numbering reveals withheld paragraphs"


def test_error_paths(world: World) -> None:
    headers = world.headers("liaison")
    for url in (
        "/nowhere",
        "/api/v1/nowhere",
        "/api/v1/search?limit=0",
        "/api/v1/search?limit=x&offset=-1",
        "/api/v1/search?sort=bogus",
        "/search?page=0",
        "/api/v1/cables/" + "9" * 500,
    ):
        assert_clean(world.client.get(url, headers=headers), url)
    for serial in UNREADABLE:
        for method in ("POST", "PUT", "DELETE", "PATCH"):
            url = f"/api/v1/cables/{cable_id(serial)}"
            assert_clean(world.client.request(method, url, headers=headers), f"{method} {url}")
    assert_clean(world.client.post("/api/v1/ingest", headers=headers), "POST /api/v1/ingest")
    assert_clean(
        world.client.post("/api/v1/ingest", headers=headers, files={"files": ("x.txt", b"junk")}),
        "POST /api/v1/ingest with a file",
    )


def test_openapi_and_docs(world: World) -> None:
    for url in ("/api/v1/openapi.json", "/api/docs", "/login", "/healthz"):
        assert_clean(liaison_get(world, url), url)
