"""The registry-generated audit test (issue 12): every action in `npdesk.security.actions` is
performed through its service, route or command on the leak-matrix desk, and must leave its
audit row (actor, action, outcome); every transaction that changed the desk while it ran must
hold an audit row of its own (so the row commits, or rolls back, with the change). Every action
that can be refused to a signed-in user is refused once, and must leave a denied row.

The tables below are written by hand: an action missing from them fails
`test_the_tables_cover_the_registry`. Runs on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from typer.testing import CliRunner

from npdesk.cli import app as cli
from npdesk.domain.reviews import ReviewLevel
from npdesk.screening import Query
from npdesk.security.actions import REGISTRY
from npdesk.security.model import LOCAL_OPERATOR, Level, Marking
from npdesk.services import accounts, approvals, screening
from npdesk.services.cases import CaseInput, create_case, record_partner_response
from npdesk.services.commitments import close_commitment
from npdesk.services.events import EventInput, create_event
from npdesk.services.handovers import create_handover_list
from npdesk.services.ingest import ingest_paths
from npdesk.services.program_records import share_record
from npdesk.services.proposals import decide
from npdesk.services.release import release_cable
from npdesk.services.reread import reread_cables
from npdesk.services.reviews import schedule_review
from npdesk.store.db import transaction
from npdesk.store.models.desk import CommitmentRecord, EventRecord, ProposalRecord
from npdesk.store.models.screening import ScreeningHitRecord
from tests.audit.conftest import (
    AUDIT_TABLES,
    DESK_BOOKKEEPING,
    Row,
    Transactions,
    last_seq,
    rows_after,
)
from tests.screening.test_service import sdn_subset
from tests.security._leak_world import PASSWORD, READERS, LeakWorld
from tests.security._web_world import telegram

OFFICER = READERS["home-TS"]  # "homets": home officer, TOP SECRET
SECOND = READERS["home-S"]  # "homes": the second officer of two-person releases
LIAISON = READERS["chn-C"]  # "chnc"
OPERATOR = LOCAL_OPERATOR.username
READABLE_CABLE = "08LEAKPOST907"  # C//REL CHN
HIDDEN_CABLE = "08LEAKPOST903"  # SECRET
SHAREABLE_CABLE = "08LEAKPOST913"  # C//REL CHN, GBR
TEST_SOURCE = "test"


@dataclass
class Ctx:
    world: LeakWorld
    tmp: Path
    sanctions: Path
    url: str
    notes: dict[str, Any] = field(default_factory=dict)

    def get(self, who: str, url: str, **params: str) -> int:
        response = self.world.client.get(url, params=params, headers=self.world.headers(who))
        return response.status_code

    def post(self, who: str, url: str, body: dict[str, Any] | None = None) -> int:
        response = self.world.client.post(url, json=body or {}, headers=self.world.headers(who))
        return response.status_code

    def cli(self, *args: str) -> None:
        result = CliRunner().invoke(cli, [*args, "--db", self.url])
        assert result.exit_code in (0, 1), result.output


# --- how each action is performed, and the row it must leave ----------------------------


@dataclass(frozen=True)
class Exercise:
    """`run` performs the action; it must leave a row by `actor` with `outcome` (None: a
    read that by design leaves none, said why in `why`)."""

    actor: str
    outcome: str | None
    run: Callable[[Ctx], object]
    why: str = ""
    # The action the row names, when not the action itself (a release that needs a second
    # person is logged as the proposal it is).
    logged_as: str | None = None


def _cookie_client(ctx: Ctx, username: str) -> tuple[TestClient, str]:
    client = TestClient(ctx.world.app, follow_redirects=False)
    page = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token
    signed = client.post(
        "/login", data={"username": username, "password": PASSWORD, "csrf_token": token.group(1)}
    )
    assert signed.status_code == 303, signed.text
    session_token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/search").text)
    assert session_token
    return client, session_token.group(1)


def _login(ctx: Ctx) -> None:
    _cookie_client(ctx, LIAISON.username)


def _logout(ctx: Ctx) -> None:
    client, token = _cookie_client(ctx, LIAISON.username)
    assert client.post("/logout", data={"csrf_token": token}).status_code == 303


def _token(ctx: Ctx) -> str:
    response = ctx.world.client.post(
        "/api/v1/auth/token", json={"username": LIAISON.username, "password": PASSWORD}
    )
    assert response.status_code == 200
    token: str = response.json()["access_token"]
    return token


def _revoke(ctx: Ctx) -> None:
    token = _token(ctx)
    response = ctx.world.client.delete(
        "/api/v1/auth/token", headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code in (200, 204)


def _ingest(ctx: Ctx) -> None:
    folder = ctx.tmp / "new"
    folder.mkdir(exist_ok=True)
    (folder / "08SAMPLEPOST990.txt").write_text(telegram(990), encoding="utf-8")
    report = ingest_paths(ctx.world.engine, [folder], actor=OFFICER, source=TEST_SOURCE)
    assert not report.quarantined


def _propose(ctx: Ctx) -> int:
    view = approvals.propose_release(
        ctx.world.engine, OFFICER, "cable", SHAREABLE_CABLE, source=TEST_SOURCE
    )
    return int(view.id)


def _approve(ctx: Ctx) -> None:
    approvals.approve_release(ctx.world.engine, SECOND, _propose(ctx), source=TEST_SOURCE)


def _reject(ctx: Ctx) -> None:
    approvals.reject_release(ctx.world.engine, SECOND, _propose(ctx), "not now", source=TEST_SOURCE)


def _case(ctx: Ctx) -> str:
    case = create_case(
        ctx.world.engine,
        OFFICER,
        CaseInput(title="FICTIONAL audit case", marking=Marking(Level.C)),
        source=TEST_SOURCE,
    )
    return case.reference


def _release_case(ctx: Ctx) -> None:
    reference = _case(ctx)
    assert ctx.post("home-TS", f"/api/v1/cases/{reference}/release", {}) in (200, 201, 202), (
        reference
    )


def _lists(ctx: Ctx) -> None:
    folder = sdn_subset(ctx.sanctions, ctx.tmp / f"sdn{len(ctx.notes)}", {"9749"}, extra=20)
    ctx.notes["lists"] = screening.load_list_version(ctx.world.engine, OFFICER, folder)


def _screen(ctx: Ctx) -> None:
    if "lists" not in ctx.notes:
        _lists(ctx)
    screening.screen_name(ctx.world.engine, OFFICER, Query("LIMMT Dalian Metallurgy"))


def _decide_hit(ctx: Ctx) -> None:
    _screen(ctx)
    hit = _first(ctx, ScreeningHitRecord.id)
    screening.record_decision(ctx.world.engine, OFFICER, hit, "unsure", "to be checked")


def _respond(ctx: Ctx) -> None:
    reference = _partner_reference(ctx)
    record_partner_response(
        ctx.world.engine,
        LIAISON,
        reference,
        "FICTIONAL response",
        dt.date(2008, 4, 1),
        source=TEST_SOURCE,
    )


def _partner_reference(ctx: Ctx) -> str:
    listed = ctx.world.client.get(
        "/api/v1/cases", params={"limit": "500"}, headers=ctx.world.headers("chn-C")
    ).json()["cases"]
    reference: str = listed[0]["reference"]
    return reference


def _first(ctx: Ctx, column: Any, *criteria: Any) -> int:
    """The lowest `column` (an id) of the rows matching `criteria`."""
    with transaction(ctx.world.engine, read_only=True) as session:
        found = session.scalars(select(column).where(*criteria).order_by(column)).first()
    assert found is not None
    return int(found)


def _close(ctx: Ctx) -> None:
    first = _first(ctx, CommitmentRecord.id, CommitmentRecord.status == "open")
    close_commitment(ctx.world.engine, OFFICER, first, "done", "met")


def _decide_proposal(ctx: Ctx) -> None:
    first = _first(ctx, ProposalRecord.id, ProposalRecord.state == "pending")
    decide(ctx.world.engine, OFFICER, first, "reject", note="not a firm")


def _add_user(ctx: Ctx, name: str = "newuser") -> None:
    with transaction(ctx.world.engine) as session:
        accounts.add_user(
            session,
            LOCAL_OPERATOR,
            username=name,
            password=PASSWORD,
            party=OFFICER.party,
            role=OFFICER.role,
            clearance=Level.U,
            source=TEST_SOURCE,
        )


def _disable(ctx: Ctx) -> None:
    _add_user(ctx, "todisable")
    with transaction(ctx.world.engine) as session:
        accounts.disable_user(session, LOCAL_OPERATOR, "todisable", source=TEST_SOURCE)


def _reset(ctx: Ctx) -> None:
    _add_user(ctx, "toreset")
    with transaction(ctx.world.engine) as session:
        accounts.reset_password(
            session, LOCAL_OPERATOR, "toreset", PASSWORD + " again", source=TEST_SOURCE
        )


def _read(url: str, action_reader: str = "chn-C", **params: str) -> Callable[[Ctx], object]:
    def run(ctx: Ctx) -> None:
        assert ctx.get(action_reader, url, **params) < 400, url

    return run


HOME_READ = "a home read at or below CONFIDENTIAL is not audited (issue 12: only above it)"
EXERCISES: dict[str, Exercise] = {
    "health": Exercise(OPERATOR, None, _read("/healthz"), "public: no reader to audit"),
    "auth.login": Exercise(LIAISON.username, "ok", _login),
    "auth.token.create": Exercise(LIAISON.username, "ok", _token),
    "auth.logout": Exercise(LIAISON.username, "ok", _logout),
    "auth.token.revoke": Exercise(LIAISON.username, "ok", _revoke),
    "home": Exercise(LIAISON.username, "allowed", _read("/api/v1/openapi.json")),
    "cables.list": Exercise(LIAISON.username, "allowed", _read("/browse")),
    "cables.search": Exercise(LIAISON.username, "allowed", _read("/api/v1/search", q="export")),
    "cables.facets": Exercise(LIAISON.username, "allowed", _read("/api/v1/facets", q="export")),
    "cables.read": Exercise(
        OFFICER.username, "allowed", _read(f"/api/v1/cables/{READABLE_CABLE}", "home-TS")
    ),
    "cables.ingest": Exercise(OFFICER.username, "ok", _ingest),
    "cables.reread": Exercise(
        OFFICER.username, "ok", lambda c: reread_cables(c.world.engine, OFFICER, source=TEST_SOURCE)
    ),
    "cables.release": Exercise(
        OFFICER.username,
        "ok",
        lambda c: release_cable(c.world.engine, OFFICER, SHAREABLE_CABLE, source=TEST_SOURCE),
    ),
    "cases.release": Exercise(OFFICER.username, "ok", _release_case, logged_as="releases.propose"),
    "releases.list": Exercise(
        OFFICER.username, None, _read("/api/v1/releases", "home-TS"), HOME_READ
    ),
    "releases.propose": Exercise(OFFICER.username, "ok", _propose),
    "releases.approve": Exercise(SECOND.username, "ok", _approve),
    "releases.reject": Exercise(SECOND.username, "ok", _reject),
    "screening.screen": Exercise(OFFICER.username, "ok", _screen),
    "screening.lists.load": Exercise(OFFICER.username, "ok", _lists),
    "screening.decide": Exercise(OFFICER.username, "ok", _decide_hit),
    "screening.subject": Exercise(
        OFFICER.username,
        "ok",
        lambda c: screening.register_subject(c.world.engine, OFFICER, "Fictional Gyro Works"),
    ),
    "partner.respond": Exercise(LIAISON.username, "ok", _respond),
    "cases.list": Exercise(LIAISON.username, "allowed", _read("/api/v1/cases")),
    "cases.read": Exercise(
        LIAISON.username, "allowed", lambda c: _read(f"/api/v1/cases/{_partner_reference(c)}")(c)
    ),
    "cases.write": Exercise(OFFICER.username, "ok", _case),
    "handovers.list": Exercise(LIAISON.username, "allowed", _read("/api/v1/handover-lists")),
    "handovers.read": Exercise(LIAISON.username, "allowed", _read("/api/v1/handover-lists/1")),
    "handovers.create": Exercise(
        OFFICER.username,
        "ok",
        lambda c: create_handover_list(
            c.world.engine,
            OFFICER,
            title="FICTIONAL audit list",
            handed_over_on=dt.date(2008, 5, 1),
            handed_over_by="PolMinCouns",
            handed_over_to="MFA",
            partner_country="CHN",
            references=[c.world.cases[6].value],  # C//REL CHN
            fictional=True,
        ),
    ),
    "handovers.export": Exercise(
        LIAISON.username, "allowed", _read("/api/v1/handover-lists/1/export.csv")
    ),
    "reviews.list": Exercise(LIAISON.username, "allowed", _read("/api/v1/reviews")),
    "reviews.read": Exercise(LIAISON.username, "allowed", _read("/api/v1/reviews/1")),
    "reviews.write": Exercise(
        OFFICER.username,
        "ok",
        lambda c: schedule_review(
            c.world.engine,
            OFFICER,
            level=ReviewLevel.WORKING,
            proposed_on=dt.date(2008, 6, 1),
            partner_country="CHN",
            title="FICTIONAL audit review",
            fictional=True,
            source=TEST_SOURCE,
        ),
    ),
    "metrics.read": Exercise(LIAISON.username, "allowed", _read("/api/v1/metrics")),
    "desk.firms.list": Exercise(LIAISON.username, "allowed", _read("/api/v1/firms")),
    "desk.firms.read": Exercise(
        LIAISON.username,
        "allowed",
        lambda c: _read(f"/api/v1/firms/{c.world.firms[9].value}")(c),  # "C shared"
    ),
    "desk.events.list": Exercise(LIAISON.username, "allowed", _read("/api/v1/events")),
    "desk.commitments.list": Exercise(LIAISON.username, "allowed", _read("/api/v1/commitments")),
    "desk.commitments.close": Exercise(OFFICER.username, "ok", _close),
    "desk.write": Exercise(
        OFFICER.username,
        "ok",
        lambda c: create_event(
            c.world.engine,
            OFFICER,
            EventInput("FICTIONAL audit workshop", "workshop", dt.date(2008, 5, 2), fictional=True),
        ),
    ),
    "desk.proposals.list": Exercise(
        LIAISON.username, "allowed", _read(f"/api/v1/cables/{READABLE_CABLE}/proposals")
    ),
    "desk.proposals.decide": Exercise(OFFICER.username, "ok", _decide_proposal),
    "users.list": Exercise(OPERATOR, "allowed", lambda c: c.cli("users", "list")),
    "users.add": Exercise(OPERATOR, "ok", _add_user),
    "users.disable": Exercise(OPERATOR, "ok", _disable),
    "users.reset_password": Exercise(OPERATOR, "ok", _reset),
    "audit.verify": Exercise(OPERATOR, "ok", lambda c: c.cli("audit", "verify")),
    "audit.export": Exercise(OPERATOR, "ok", lambda c: c.cli("audit", "export")),
}


# --- refusals: each leaves a denied row by the one refused ------------------------------


def _refused_post(url: str) -> Callable[[Ctx], object]:
    def run(ctx: Ctx) -> None:
        assert ctx.post("chn-C", url) == 403, url

    return run


def _hidden(url: str, reader: str = "chn-C") -> Callable[[Ctx], object]:
    def run(ctx: Ctx) -> None:
        assert ctx.get(reader, url) == 404, url

    return run


def _raises(work: Callable[[Ctx], object]) -> Callable[[Ctx], object]:
    def run(ctx: Ctx) -> None:
        with pytest.raises(PermissionError):
            work(ctx)

    return run


def _as_officer(*args: str) -> Callable[[Ctx], object]:
    # An officer is not an admin: the CLI refuses (exit 1) before it does anything.
    return lambda c: c.cli(*args, "--user", OFFICER.username)


LIAISON_NAME = LIAISON.username
DENIALS: dict[str, tuple[str, Callable[[Ctx], object]]] = {
    "cables.read": (LIAISON_NAME, _hidden(f"/api/v1/cables/{HIDDEN_CABLE}")),
    "cables.ingest": (LIAISON_NAME, _refused_post("/api/v1/ingest")),
    "cables.reread": (
        LIAISON_NAME,
        _raises(lambda c: reread_cables(c.world.engine, LIAISON, source=TEST_SOURCE)),
    ),
    "cables.release": (LIAISON_NAME, _refused_post(f"/api/v1/cables/{READABLE_CABLE}/release")),
    "cases.release": (LIAISON_NAME, _refused_post("/api/v1/cases/NPC-2007-001/release")),
    "releases.list": (LIAISON_NAME, lambda c: c.get("chn-C", "/api/v1/releases")),
    "releases.propose": (
        LIAISON_NAME,
        _raises(
            lambda c: approvals.propose_release(
                c.world.engine, LIAISON, "cable", READABLE_CABLE, source=TEST_SOURCE
            )
        ),
    ),
    "releases.approve": (LIAISON_NAME, _refused_post("/api/v1/releases/1/approve")),
    "releases.reject": (LIAISON_NAME, _refused_post("/api/v1/releases/1/reject")),
    "screening.screen": (LIAISON_NAME, _refused_post("/api/v1/screen")),
    "screening.lists.load": (
        LIAISON_NAME,
        _raises(lambda c: screening.load_list_version(c.world.engine, LIAISON, c.tmp)),
    ),
    "screening.decide": (
        LIAISON_NAME,
        _raises(lambda c: screening.record_decision(c.world.engine, LIAISON, 1, "unsure", "x")),
    ),
    "screening.subject": (
        LIAISON_NAME,
        _raises(lambda c: screening.register_subject(c.world.engine, LIAISON, "Fictional")),
    ),
    "partner.respond": (LIAISON_NAME, lambda c: _respond_hidden(c)),
    "cases.read": (LIAISON_NAME, lambda c: _hidden(f"/api/v1/cases/{c.world.cases[2].value}")(c)),
    "cases.write": (LIAISON_NAME, _refused_post("/api/v1/cases")),
    "handovers.read": (LIAISON_NAME, _hidden("/api/v1/handover-lists/99")),
    "handovers.create": (LIAISON_NAME, _refused_post("/api/v1/handover-lists")),
    "handovers.export": (LIAISON_NAME, _hidden("/api/v1/handover-lists/99/export.csv")),
    "reviews.read": (LIAISON_NAME, _hidden("/api/v1/reviews/2")),
    "reviews.write": (LIAISON_NAME, _refused_post("/api/v1/reviews")),
    "desk.firms.read": (
        LIAISON_NAME,
        lambda c: _hidden(f"/api/v1/firms/{c.world.firms[4].value}")(c),  # "S//NF"
    ),
    "desk.commitments.close": (LIAISON_NAME, _raises(lambda c: _close_as_liaison(c))),
    "desk.write": (LIAISON_NAME, _refused_post("/api/v1/firms")),
    "desk.proposals.list": (LIAISON_NAME, _hidden(f"/api/v1/cables/{HIDDEN_CABLE}/proposals")),
    "desk.proposals.decide": (LIAISON_NAME, _refused_post("/api/v1/proposals/1/decision")),
    "users.list": (OFFICER.username, _as_officer("users", "list")),
    "users.add": (
        OFFICER.username,
        _as_officer(
            "users", "add", "someone", "--role", "officer", "--party", "home", "--clearance", "U"
        ),
    ),
    "users.disable": (OFFICER.username, _as_officer("users", "disable", "chnc")),
    "users.reset_password": (OFFICER.username, _as_officer("users", "reset-password", "chnc")),
    "audit.verify": (OFFICER.username, _as_officer("audit", "verify")),
    "audit.export": (OFFICER.username, _as_officer("audit", "export")),
}
# A signed-in user may always do these: the listings are filtered to what the user may read.
NEVER_REFUSED = {
    "health",
    "auth.login",
    "auth.token.create",
    "auth.logout",
    "auth.token.revoke",
    "home",
    "cables.list",
    "cables.search",
    "cables.facets",
    "cases.list",
    "handovers.list",
    "reviews.list",
    "metrics.read",
    "desk.firms.list",
    "desk.events.list",
    "desk.commitments.list",
}


def _respond_hidden(ctx: Ctx) -> None:
    # A SECRET case: hidden from the liaison, refused like a missing one.
    reference = ctx.world.cases[2].value
    body = {"text": "FICTIONAL", "received_on": "2008-04-01"}
    assert ctx.post("chn-C", f"/api/v1/cases/{reference}/responses", body) == 404


def _close_as_liaison(ctx: Ctx) -> None:
    listed = ctx.world.client.get("/api/v1/commitments", headers=ctx.world.headers("chn-C"))
    first = listed.json()[0]["id"] if isinstance(listed.json(), list) else None
    assert first is not None
    close_commitment(ctx.world.engine, LIAISON, first, "dropped", "no longer")


def test_the_tables_cover_the_registry() -> None:
    assert set(EXERCISES) == set(REGISTRY), (
        f"not exercised: {sorted(set(REGISTRY) - set(EXERCISES))}; "
        f"not registered: {sorted(set(EXERCISES) - set(REGISTRY))}"
    )
    assert set(DENIALS) | NEVER_REFUSED == set(REGISTRY)
    assert not set(DENIALS) & NEVER_REFUSED


# --- watching what each transaction wrote --------------------------------------------------


@pytest.fixture(scope="module")
def ctx(
    registry_world: LeakWorld, tmp_path_factory: pytest.TempPathFactory, sanctions_dir: Path
) -> Iterator[Ctx]:
    url = registry_world.engine.url.render_as_string(hide_password=False)
    yield Ctx(registry_world, tmp_path_factory.mktemp("registry"), sanctions_dir, url)


def _performed(ctx: Ctx, run: Callable[[Ctx], object]) -> tuple[list[Row], list[set[str]]]:
    before = last_seq(ctx.world.engine)
    with Transactions(ctx.world.engine) as watched:
        run(ctx)
    return rows_after(ctx.world.engine, before), watched.committed


@pytest.mark.parametrize("action", sorted(REGISTRY))
def test_every_action_writes_its_row(ctx: Ctx, action: str) -> None:
    exercise = EXERCISES.get(action)
    assert exercise is not None, f"{action}: add how to perform it to EXERCISES"
    rows, committed = _performed(ctx, exercise.run)
    found = {(r.actor, r.action, r.outcome) for r in rows}
    if exercise.outcome is None:
        assert not [r for r in rows if r.action == action], exercise.why
    else:
        logged = exercise.logged_as or action
        assert (exercise.actor, logged, exercise.outcome) in found, sorted(found)
    unaudited = [tables - DESK_BOOKKEEPING for tables in committed if not tables & AUDIT_TABLES]
    unaudited = [tables for tables in unaudited if tables]
    assert unaudited == [], f"{action}: changes committed without their audit row"


@pytest.mark.parametrize("action", sorted(DENIALS))
def test_every_refusal_writes_a_denied_row(ctx: Ctx, action: str) -> None:
    actor, run = DENIALS[action]
    rows, committed = _performed(ctx, run)
    assert (actor, action, "denied") in {(r.actor, r.action, r.outcome) for r in rows}, rows
    # A refusal changes nothing but the log.
    assert [tables - AUDIT_TABLES for tables in committed if tables - AUDIT_TABLES] == []


def test_sharing_a_desk_record_directly_is_audited(ctx: Ctx) -> None:
    # The one-person desk's share (`npdesk releases share`), and taking it back.
    event = _first(ctx, EventRecord.id, EventRecord.classification == "UNCLASSIFIED")
    for shared in (True, False):
        rows, committed = _performed(
            ctx, lambda c, on=shared: share_record(c.world.engine, OFFICER, "event", event, on)
        )
        assert [(r.actor, r.action, r.outcome, r.record_kind, r.record_id) for r in rows] == [
            (OFFICER.username, "desk.write", "ok", "event", str(event))
        ]
        assert rows[0].detail == {"shared_with_partner": shared, "partner": "CHN"}
        assert all(tables & AUDIT_TABLES for tables in committed)
