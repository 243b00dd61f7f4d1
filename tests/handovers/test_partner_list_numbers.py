"""Regressions for issue 11, "Partner renderings leak structure", on handover lists: list
numbers are 1..n over the lists the reader may see (a home reader cleared UNCLASSIFIED, a CHN
liaison cleared UNCLASSIFIED), and a list's entries carry the partner's own case numbers with
no gap where a home-only case sits. Checked on raw bodies: API JSON, HTML pages, and the
JSON, CSV, HTML and PDF exports (the PDF read back with pypdf).

The desk (`tests.cases._partner_world`): NPC-2007-001 (C, released), -002 (SECRET//NOFORN),
-003 (C, released), -004 (C, home only), -005 (U, released).
"""

from __future__ import annotations

import csv
import io
import json
from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from npdesk.security.model import User
from tests.cases._partner_world import (
    LIAISON,
    LIAISON_U,
    OFFICER,
    REVIEWER_U,
    World,
    assert_nothing_hidden,
    bearer,
    get_bytes,
    hand_over,
    pdf_text,
)
from tests.conftest import chromium_path, require


def test_list_entries_carry_the_partners_numbers_without_gaps(
    engine: Engine, client: TestClient, world: World
) -> None:
    require(chromium_path() is not None, "Debian's chromium (apt-get install chromium)")
    hand_over(engine, date(2007, 11, 26), [world.gyroscopes, world.carbon_fibre, world.steel])
    numbers = ["CHN-2007-001", "CHN-2007-002", "CHN-2007-003"]
    base = "/api/v1/handover-lists/1"

    api = get_bytes(client, LIAISON, base)
    assert [e["reference"] for e in json.loads(api)["entries"]] == numbers
    exported = get_bytes(client, LIAISON, f"{base}/export.json")
    assert [e["reference"] for e in json.loads(exported)["entries"]] == numbers
    table = get_bytes(client, LIAISON, f"{base}/export.csv")
    rows = list(csv.reader(io.StringIO(table.decode("utf-8"))))
    assert rows[0] == ["CONFIDENTIAL//REL TO CHN"]
    assert rows[1][0] == "List 1 (FICTIONAL): FICTIONAL list of 26 November 2007"
    assert [r[0] for r in rows[3:-1]] == numbers
    html = get_bytes(client, LIAISON, f"{base}/export.html")
    assert [html.index(n.encode()) for n in numbers] == sorted(
        html.index(n.encode()) for n in numbers
    )
    page = get_bytes(client, LIAISON, "/handovers/1")
    pdf = get_bytes(client, LIAISON, f"{base}/export.pdf")
    text = pdf_text(pdf)
    positions = [text.index(n) for n in numbers]
    assert positions == sorted(positions), text
    for body in (api, exported, table, html, page, text.encode()):
        for number in numbers:
            assert number.encode() in body
    # The PDF's raw bytes too (its title and any uncompressed stream), and its text.
    for body in (api, exported, table, html, page, pdf, text.encode()):
        assert_nothing_hidden(body, "NPC-2007-")


@pytest.mark.parametrize("reader", [REVIEWER_U, LIAISON_U], ids=["home-U", "partner-U"])
def test_list_numbers_are_one_to_n_for_a_low_cleared_reader(
    engine: Engine, client: TestClient, world: World, reader: User
) -> None:
    # Lists 1 and 3 hold a CONFIDENTIAL case; lists 2 and 4 only the UNCLASSIFIED steel case.
    hand_over(engine, date(2007, 11, 26), [world.gyroscopes])
    hand_over(engine, date(2008, 1, 15), [world.steel])
    hand_over(engine, date(2008, 3, 19), [world.carbon_fibre, world.steel])
    hand_over(engine, date(2008, 7, 17), [world.steel])

    listed = json.loads(get_bytes(client, reader, "/api/v1/handover-lists"))
    assert [(x["number"], x["handed_over_on"]) for x in listed] == [
        (2, "2008-07-17"),
        (1, "2008-01-15"),
    ]
    page = get_bytes(client, reader, "/handovers")
    assert b'href="/handovers/1"' in page and b'href="/handovers/2"' in page
    assert b'href="/handovers/3"' not in page and b'href="/handovers/4"' not in page
    second = json.loads(get_bytes(client, reader, "/api/v1/handover-lists/2"))
    assert second["title"] == "FICTIONAL list of 17 July 2008"
    table = get_bytes(client, reader, "/api/v1/handover-lists/2/export.csv").decode()
    assert table.splitlines()[1].startswith("List 2 (FICTIONAL): FICTIONAL list of 17 July 2008")
    diff = json.loads(get_bytes(client, reader, "/api/v1/handover-lists/1/diff/2"))
    assert (diff["old_number"], diff["new_number"]) == (1, 2)
    # Lists beyond theirs answer like lists that do not exist.
    headers = bearer(client, reader)
    missing = client.get("/api/v1/handover-lists/99", headers=headers)
    assert missing.status_code == 404
    for number in (3, 4):
        answer = client.get(f"/api/v1/handover-lists/{number}", headers=headers)
        assert (answer.status_code, answer.content) == (404, missing.content)
    # A reader cleared for every list sees the stored numbers.
    officer = json.loads(get_bytes(client, OFFICER, "/api/v1/handover-lists"))
    assert [x["number"] for x in officer] == [4, 3, 2, 1]
    steel = "CHN-2007-003" if reader is LIAISON_U else world.steel
    assert [e["reference"] for e in second["entries"]] == [steel]
    assert (
        json.loads(get_bytes(client, LIAISON, "/api/v1/handover-lists/4"))["entries"][0][
            "reference"
        ]
        == "CHN-2007-003"
    )
