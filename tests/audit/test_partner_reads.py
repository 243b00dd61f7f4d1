"""Every read a partner liaison makes is audited (issue 12): each GET route of the app is
called over the real app by a CHN liaison cleared CONFIDENTIAL on the leak-matrix desk, and
exactly one audit row must follow each request, naming the liaison, the route's action, the
record asked for and the outcome (a record hidden from the liaison: denied, like a missing
one). Routes a liaison may not call are refused with a denied row; public routes audit
nothing. A new GET route fails `test_every_get_route_is_in_the_table` until it is added here.

The actions, records and outcomes below are written by hand from the route table and the
leak world's markings (CHN agreed at CONFIDENTIAL), never derived from the policy.
Runs on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import pytest

from npdesk.store.db import make_engine
from npdesk.web.app import create_app
from npdesk.web.auth import route_actions
from tests.audit.conftest import Row, last_seq, rows_after
from tests.security._leak_world import LeakWorld

READER = "chn-C"
USERNAME = "chnc"
# From `_leak_world`: cable serials follow the order of its markings from 901.
READABLE_CABLE = "08LEAKPOST907"  # C//REL CHN
HIDDEN_CABLE = "08LEAKPOST903"  # SECRET
READABLE_FIRM_MARKING = "C shared"
HIDDEN_FIRM_MARKING = "S//NF"
# Handover lists 1 (U) and 2 (C) are releasable to CHN; review 1 is shared, review 2 S//NF.
HIDDEN_REVIEW = "2"


@dataclass(frozen=True)
class Ask:
    """One request and the audit row it must leave: `record` is (kind, id), None for none."""

    url: str
    action: str
    outcome: str = "allowed"
    record: tuple[str, str] | None = None
    params: dict[str, str] = field(default_factory=dict)
    status: int = 200


@dataclass(frozen=True)
class Desk:
    """The records the liaison asks for: `case` is the liaison's own reference of a case it
    may read, `hidden_case` the desk reference of a SECRET case."""

    case: str
    hidden_case: str
    firm: str
    hidden_firm: str


def _desk(world: LeakWorld) -> Desk:
    listed = world.client.get(
        "/api/v1/cases", params={"limit": "500"}, headers=world.headers(READER)
    ).json()["cases"]
    assert listed, "the liaison lists cases"
    # The world's firms and cases are made in the order of its markings.
    markings = list(_markings())
    firms = {name: world.firms[markings.index(name)].value for name in markings}
    return Desk(
        case=listed[0]["reference"],
        hidden_case=world.cases[markings.index("S")].value,
        firm=firms[READABLE_FIRM_MARKING],
        hidden_firm=firms[HIDDEN_FIRM_MARKING],
    )


def _markings() -> list[str]:
    from tests.security._leak_world import MARKINGS

    return list(MARKINGS)


def _cable(url: str, action: str) -> Callable[[Desk], list[Ask]]:
    return lambda d: [
        Ask(url.format(READABLE_CABLE), action, record=("cable", READABLE_CABLE)),
        Ask(
            url.format(HIDDEN_CABLE),
            action,
            "denied",
            ("cable", HIDDEN_CABLE),
            status=404,
        ),
    ]


def _listing(url: str, action: str, **params: str) -> Callable[[Desk], list[Ask]]:
    return lambda d: [Ask(url, action, params=dict(params))]


def _refused(url: str, action: str) -> Callable[[Desk], list[Ask]]:
    return lambda d: [Ask(url, action, "denied", status=403)]


def _case(url: str) -> Callable[[Desk], list[Ask]]:
    return lambda d: [
        Ask(url.format(d.case), "cases.read", record=("case", d.case)),
        Ask(url.format(d.hidden_case), "cases.read", "denied", ("case", d.hidden_case), status=404),
    ]


def _firm(url: str) -> Callable[[Desk], list[Ask]]:
    return lambda d: [
        Ask(url.format(d.firm), "desk.firms.read", record=("firm", d.firm)),
        Ask(
            url.format(d.hidden_firm),
            "desk.firms.read",
            "denied",
            ("firm", d.hidden_firm),
            status=404,
        ),
    ]


def _numbered(url: str, action: str, kind: str, **params: str) -> Callable[[Desk], list[Ask]]:
    return lambda d: [Ask(url.format("1"), action, record=(kind, "1"), params=dict(params))]


def _exports(d: Desk) -> list[Ask]:
    url = "/api/v1/handover-lists/2/export.{}"
    return [
        Ask(url.format(fmt), "handovers.export", record=("handover_list", "2"))
        for fmt in ("json", "csv", "html", "pdf")
    ] + [
        Ask(
            "/api/v1/handover-lists/99/export.csv",
            "handovers.export",
            "denied",
            ("handover_list", "99"),
            status=404,
        )
    ]


def _minutes(d: Desk) -> list[Ask]:
    url = "/api/v1/reviews/{}/minutes"
    return [
        Ask(
            url.format("1"),
            "reviews.read",
            record=("review", "1"),
            params={"variant": "releasable", "format": fmt},
        )
        for fmt in ("html", "pdf")
    ] + [
        Ask(
            url.format(HIDDEN_REVIEW),
            "reviews.read",
            "denied",
            ("review", HIDDEN_REVIEW),
            {"variant": "releasable", "format": "html"},
            status=404,
        )
    ]


def _reviews(url: str) -> Callable[[Desk], list[Ask]]:
    return lambda d: [
        Ask(url.format("1"), "reviews.read", record=("review", "1")),
        Ask(
            url.format(HIDDEN_REVIEW),
            "reviews.read",
            "denied",
            ("review", HIDDEN_REVIEW),
            status=404,
        ),
    ]


def _diff(url: str) -> Callable[[Desk], list[Ask]]:
    return lambda d: [Ask(url.format("1", "2"), "handovers.read", record=("handover_list", "1/2"))]


SEARCH = {"q": "export"}
# Every GET route, with what the liaison asks of it and the audit row each request leaves.
ROUTES: dict[str, Callable[[Desk], list[Ask]]] = {
    "GET /": lambda d: [Ask("/", "home", status=303)],  # to the start page of the reader
    "GET /api/docs": _listing("/api/docs", "home"),
    "GET /api/v1/openapi.json": _listing("/api/v1/openapi.json", "home"),
    # cables
    "GET /search": _listing("/search", "cables.search", **SEARCH),
    "GET /api/v1/search": _listing("/api/v1/search", "cables.search", **SEARCH),
    "GET /api/v1/facets": _listing("/api/v1/facets", "cables.facets", **SEARCH),
    "GET /browse": _listing("/browse", "cables.list"),
    "GET /browse/{month}": lambda d: [
        Ask("/browse/2008-03", "cables.list", record=("month", "2008-03"))
    ],
    "GET /cables/{cable_id}": _cable("/cables/{}", "cables.read"),
    "GET /api/v1/cables/{cable_id}": _cable("/api/v1/cables/{}", "cables.read"),
    "GET /cables/{cable_id}/proposals": _cable("/cables/{}/proposals", "desk.proposals.list"),
    "GET /api/v1/cables/{cable_id}/proposals": _cable(
        "/api/v1/cables/{}/proposals", "desk.proposals.list"
    ),
    # cases
    "GET /cases": _listing("/cases", "cases.list"),
    "GET /api/v1/cases": _listing("/api/v1/cases", "cases.list"),
    "GET /cases/{reference}": _case("/cases/{}"),
    "GET /api/v1/cases/{reference}": _case("/api/v1/cases/{}"),
    # handover lists
    "GET /handovers": _listing("/handovers", "handovers.list"),
    "GET /api/v1/handover-lists": _listing("/api/v1/handover-lists", "handovers.list"),
    "GET /handovers/{number}": _numbered("/handovers/{}", "handovers.read", "handover_list"),
    "GET /api/v1/handover-lists/{number}": _numbered(
        "/api/v1/handover-lists/{}", "handovers.read", "handover_list"
    ),
    "GET /api/v1/handover-lists/{number}/export.{fmt}": _exports,
    "GET /handovers/{old}/diff/{new}": _diff("/handovers/{}/diff/{}"),
    "GET /api/v1/handover-lists/{old}/diff/{new}": _diff("/api/v1/handover-lists/{}/diff/{}"),
    # reviews and minutes
    "GET /reviews": _listing("/reviews", "reviews.list"),
    "GET /api/v1/reviews": _listing("/api/v1/reviews", "reviews.list"),
    "GET /reviews/{number}": _reviews("/reviews/{}"),
    "GET /api/v1/reviews/{number}": _reviews("/api/v1/reviews/{}"),
    "GET /api/v1/reviews/{number}/minutes": _minutes,
    # figures
    "GET /api/v1/metrics": _listing("/api/v1/metrics", "metrics.read"),
    "GET /api/v1/metrics/burndown.svg": _listing("/api/v1/metrics/burndown.svg", "metrics.read"),
    "GET /dashboard": _listing("/dashboard", "metrics.read"),
    # the program's records
    "GET /firms": _listing("/firms", "desk.firms.list"),
    "GET /api/v1/firms": _listing("/api/v1/firms", "desk.firms.list"),
    "GET /firms/{key}": _firm("/firms/{}"),
    "GET /api/v1/firms/{key}": _firm("/api/v1/firms/{}"),
    "GET /events": _listing("/events", "desk.events.list"),
    "GET /api/v1/events": _listing("/api/v1/events", "desk.events.list"),
    "GET /commitments": _listing("/commitments", "desk.commitments.list"),
    "GET /api/v1/commitments": _listing("/api/v1/commitments", "desk.commitments.list"),
    # home-only: refused to the liaison, and the refusal audited
    "GET /releases": _refused("/releases", "releases.list"),
    "GET /api/v1/releases": _refused("/api/v1/releases", "releases.list"),
    "GET /cases/new": _refused("/cases/new", "cases.write"),
    "GET /cases/link": _refused("/cases/link", "cases.write"),
}
# No sign-in, so no reader to audit (a failed sign-in is the accounts service's row).
PUBLIC = {"GET /healthz": "/healthz", "GET /login": "/login"}


def test_every_get_route_is_in_the_table() -> None:
    routes = route_actions(create_app(make_engine("sqlite://")))
    reads = {route for route in routes if route.startswith("GET ")}
    assert reads == set(ROUTES) | set(PUBLIC), (
        f"not in the table: {sorted(reads - set(ROUTES) - set(PUBLIC))}; "
        f"gone from the app: {sorted((set(ROUTES) | set(PUBLIC)) - reads)}"
    )
    for route, action in routes.items():
        for ask in ROUTES.get(route, lambda d: [])(Desk("c", "h", "f", "g")):
            assert ask.action == action, route


@pytest.fixture(scope="module")
def desk(leak_world: LeakWorld) -> Desk:
    return _desk(leak_world)


def _asked(world: LeakWorld, ask: Ask) -> list[Row]:
    before = last_seq(world.engine)
    response = world.client.get(ask.url, params=ask.params, headers=world.headers(READER))
    assert response.status_code == ask.status, (ask.url, response.status_code, response.text)
    return rows_after(world.engine, before)


@pytest.mark.parametrize("route", sorted(ROUTES))
def test_every_partner_read_leaves_one_audit_row(
    leak_world: LeakWorld, desk: Desk, route: str
) -> None:
    for ask in ROUTES[route](desk):
        rows = _asked(leak_world, ask)
        wanted = (USERNAME, ask.action, ask.outcome, *(ask.record or (None, None)))
        found = [(r.actor, r.action, r.outcome, r.record_kind, r.record_id) for r in rows]
        assert found == [wanted], (ask.url, ask.params)
        detail = rows[0].detail
        if "path" in detail or (ask.record is None and ask.status == 200):
            # The web layer's row names the request; a listing has nothing else to name (a
            # refusal at the route's gate is the gate's row, which names the action).
            assert (detail["method"], detail["path"], detail["status"]) == (
                "GET",
                ask.url,
                ask.status,
            ), ask.url
        assert rows[0].source == "testclient"


@pytest.mark.parametrize("route", sorted(PUBLIC))
def test_public_routes_audit_no_reader(leak_world: LeakWorld, route: str) -> None:
    before = last_seq(leak_world.engine)
    response = leak_world.client.get(PUBLIC[route], headers=leak_world.headers(READER))
    assert response.status_code == 200
    assert rows_after(leak_world.engine, before) == []
