"""The authorization matrix: every role × every route × every marking, generated from the
app's route table. A route that declares no registered action fails here, and so does a route
whose path parameters this test does not know how to fill (add them to `PATH_VALUES`)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from httpx import Response
from sqlalchemy.orm import Session

from npdesk.security.actions import REGISTRY, Rule, permits
from npdesk.store.db import make_engine, transaction
from npdesk.store.models.cables import CableRecord
from npdesk.store.search import IndexDocument, index_cable
from npdesk.web.app import create_app
from npdesk.web.auth import check_route_actions, route_actions
from tests.security._web_world import MARKINGS, MONTH, USERS, World, cable_id

ROLES = [None, *USERS]  # None: not signed in

# Written by hand from the desk's rules, not computed with the policy under test.
SIGNED_IN = frozenset(USERS)
HOME = frozenset({"admin", "officer", "reviewer"})
OFFICERS = frozenset({"admin", "officer"})
# Who may pass each action's gate (a route without a record of the world).
MAY = {
    **dict.fromkeys(("health", "auth.login", "auth.token.create"), SIGNED_IN | {None}),
    **dict.fromkeys(
        (
            "auth.logout",
            "auth.token.revoke",
            "home",
            "cables.list",
            "cables.search",
            "cables.facets",
            "cables.read",
            "cases.list",
            "cases.read",
            "handovers.list",
            "handovers.read",
            "handovers.export",
            "reviews.list",
            "reviews.read",
            "metrics.read",
            "desk.firms.list",
            "desk.firms.read",
            "desk.events.list",
            "desk.commitments.list",
            "desk.commitments.close",  # the service refuses a partner user per commitment
            "desk.proposals.list",
        ),
        SIGNED_IN,
    ),
    **dict.fromkeys(("releases.list", "screening.screen"), HOME),
    **dict.fromkeys(
        (
            "cables.ingest",
            "cables.release",
            "cases.write",
            "cases.release",
            "handovers.create",
            "desk.proposals.decide",
            "desk.write",
            "releases.propose",
            "releases.approve",
            "releases.reject",
        ),
        OFFICERS,
    ),
    # Reviewers keep the review record (agenda, outcomes, minutes) beside the officers.
    "reviews.write": OFFICERS | {"reviewer"},
    # The liaison answers in writing; an officer records an answer given across the table.
    "partner.respond": OFFICERS | {"liaison"},
}
# The matrix's cables each reader may read: home users cleared S or TS read every one of these
# markings; the CHN liaison (cleared S, agreement at CONFIDENTIAL) reads what is shared or
# released to CHN at or below CONFIDENTIAL.
ALL_MARKINGS = frozenset(MARKINGS)
READABLE = {
    "admin": ALL_MARKINGS,
    "officer": ALL_MARKINGS,
    "reviewer": ALL_MARKINGS,
    "liaison": frozenset({"C//REL TO CHN", "U shared", "C shared"}),
}
# Never released to CHN: NOFORN, and anything above the agreed CONFIDENTIAL.
NEVER_RELEASED = frozenset({"S", "S//NOFORN", "S//REL TO CHN", "S shared"})
# Path parameters naming a record of the world, filled with the cable of the marking under
# test; a refusal there may be a 404 (a record the user may not read does not exist for them).
RECORD_PARAMS = {"cable_id"}
# Other path parameters: records this world does not hold, so past the route's gate the answer
# is a 404; only 401, 403 or the sign-in redirect count as refusals there.
PATH_VALUES = {
    "month": MONTH,
    "reference": "NP-2008-0001",
    "number": "1",
    "old": "1",
    "new": "2",
    "fmt": "json",
    "key": "example-firm",
    "commitment_id": "1",
    "proposal_id": "1",
    "dialogue_id": "1",
    "release_id": "999999",  # no such proposal (release routes propose, never approve)
}


def _routes() -> list[tuple[str, str | None]]:
    app = create_app(make_engine("sqlite://"))
    return sorted(route_actions(app).items())


ROUTES = _routes()


def test_every_route_declares_a_registered_action() -> None:
    undeclared = [route for route, action in ROUTES if action not in REGISTRY]
    assert undeclared == []
    check_route_actions(create_app(make_engine("sqlite://")))


def test_the_route_table_covers_sign_in_and_the_reading_room() -> None:
    table = dict(ROUTES)
    assert table["GET /healthz"] == "health"
    assert table["POST /api/v1/auth/token"] == "auth.token.create"
    assert table["GET /api/v1/cables/{cable_id}"] == "cables.read"


def _url(path: str, marking_name: str) -> str:
    serial, _ = MARKINGS[marking_name]

    def fill(match: re.Match[str]) -> str:
        name = match.group(1)
        if name in RECORD_PARAMS:
            return cable_id(serial)
        if name not in PATH_VALUES:
            pytest.fail(f"no value for path parameter {{{name}}} in {path}: add it to PATH_VALUES")
        return PATH_VALUES[name]

    return re.sub(r"\{(\w+)(?::\w+)?\}", fill, path)


def _call(world: World, route: str, who: str | None, marking_name: str) -> Response:
    method, path = route.split(" ", 1)
    url = _url(path, marking_name)
    headers = world.headers(who)
    if route == "DELETE /api/v1/auth/token" and who is not None:
        # Revoke a token made for this call, not the one the rest of the matrix uses.
        fresh = world.client.post(
            "/api/v1/auth/token", json={"username": who, "password": "a long enough passphrase"}
        )
        headers = {"Authorization": f"Bearer {fresh.json()['access_token']}"}
    response: Response
    if method == "GET":
        response = world.client.get(url, params={"q": "export"}, headers=headers)
    elif route.endswith("/release"):
        # A release that goes through changes the world the rest of the matrix reads: undo it.
        with _markings_restored(world, cable_id(MARKINGS[marking_name][0])):
            response = world.client.request(method, url, headers=headers, json={})
    else:
        response = world.client.request(method, url, headers=headers, json={})
    return response


@contextmanager
def _markings_restored(world: World, cable: str) -> Iterator[None]:
    def snapshot(session: Session) -> list[tuple[Any, str, bool]]:
        record = session.get(CableRecord, cable)
        assert record is not None
        return [(row, row.rel_to, row.shared_with_partner) for row in (record, *record.paragraphs)]

    with transaction(world.engine) as session:
        saved = [(type(row), row.id, rel, shared) for row, rel, shared in snapshot(session)]
    yield
    with transaction(world.engine) as session:
        for model, ident, rel, shared in saved:
            row = session.get(model, ident)
            row.rel_to, row.shared_with_partner = rel, shared
        session.flush()
        record = session.get(CableRecord, cable)
        assert record is not None
        index_cable(session, IndexDocument.of(record))


def _denied(response: Response, route: str) -> bool:
    refusals = (401, 403, 404) if _has_record(route) else (401, 403)
    if response.status_code in refusals:
        return True
    location = response.headers.get("location", "")
    # The sign-in guard sends pages to /login?next=...; logging out lands on a bare /login.
    return response.status_code == 303 and location.startswith("/login?next=")


def _expected(who: str | None, action: str, marking_name: str, route: str) -> bool:
    if action not in MAY:
        pytest.fail(f"{action} ({route}) has no row in MAY: write who may do it by hand")
    allowed = who in MAY[action]
    if not _has_record(route) or not allowed or who is None:
        return allowed
    readable = marking_name in READABLE[who]
    if action == "cables.release":
        return readable and marking_name not in NEVER_RELEASED
    return readable


def _has_record(route: str) -> bool:
    return any(f"{{{name}}}" in route for name in RECORD_PARAMS)


def _markings_for(route: str) -> list[str]:
    # A route without a record parameter answers the same whatever the markings in the store,
    # so one marking stands for all there (listings are checked cable by cable below).
    return list(MARKINGS) if _has_record(route) else ["U"]


MATRIX = [
    pytest.param(route, action, who, marking, id=f"{route}-{who or 'anonymous'}-{marking}")
    for route, action in ROUTES
    for who in ROLES
    for marking in _markings_for(route)
]


@pytest.mark.parametrize(("route", "action", "who", "marking_name"), MATRIX)
def test_matrix(world: World, route: str, action: str, who: str | None, marking_name: str) -> None:
    if route == "POST /login":
        # A sign-in form post is refused without its CSRF token, whoever sends it.
        assert _call(world, route, who, marking_name).status_code == 403
        return
    user = USERS[who] if who else None
    response = _call(world, route, who, marking_name)
    assert response.status_code < 500, response.text
    expected = _expected(who, action, marking_name, route)
    assert _denied(response, route) is not expected, (response.status_code, response.text[:300])
    if REGISTRY[action].rule is not Rule.PUBLIC and user is None:
        assert response.status_code in (401, 303)


@pytest.mark.parametrize("who", list(USERS))
@pytest.mark.parametrize(
    "route", [route for route, _ in ROUTES if route.startswith("GET ")], ids=str
)
def test_no_route_shows_an_unreadable_cable_id(world: World, route: str, who: str) -> None:
    unreadable = [
        cable_id(serial) for name, (serial, _) in MARKINGS.items() if name not in READABLE[who]
    ]
    for marking_name in _markings_for(route):
        asked = _url(route.split(" ", 1)[1], marking_name)
        body = _call(world, route, who, marking_name).text
        # An id the request itself named may be echoed; the probe checks that such an answer
        # is the same as for an id that does not exist.
        shown = [cable for cable in unreadable if cable in body and cable not in asked]
        assert shown == [], marking_name


@pytest.mark.parametrize("who", list(USERS))
@pytest.mark.parametrize("route", ["GET /search", "GET /api/v1/search", "GET /browse/{month}"])
def test_listings_show_exactly_the_readable_cables(world: World, route: str, who: str) -> None:
    body = _call(world, route, who, "U").text
    for name, (serial, _) in MARKINGS.items():
        assert (cable_id(serial) in body) is (name in READABLE[who]), serial


@pytest.mark.parametrize("who", [None, *USERS])
def test_the_hand_written_table_agrees_with_the_registry(who: str | None) -> None:
    # Not the matrix's expectation (that is MAY): a quick pointer to which side moved when the
    # matrix fails.
    user = USERS[who] if who else None
    for action, allowed in MAY.items():
        assert permits(user, action, None) is (who in allowed), action
