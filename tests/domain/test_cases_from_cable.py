"""From the seed cable to a case: create a case from one paragraph, link another paragraph to
it, and refuse links to cables or paragraphs that are not stored."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from npdesk.domain.cases import CableLink
from npdesk.security.model import Party, Role
from npdesk.services.cases import InvalidCaseData, get_case, link_cable
from npdesk.services.ingest import ingest_paths

from ._desk_fixtures import OFFICER, desk
from .test_cases_web import make_app, token_for

SEED_ID = "08BEIJING1050"


def test_a_case_from_a_seed_paragraph_and_a_second_link(tmp_path: Path, shared_dir: Path) -> None:
    engine = desk(tmp_path)
    ingest_paths(engine, [shared_dir / "seeds" / "000_b040fb51b219b52c.txt"], source="test")
    token = token_for(engine, "olivia", Party.HOME, Role.OFFICER, None)
    headers = {"Authorization": f"Bearer {token}"}
    with TestClient(make_app(engine), follow_redirects=False) as client:
        form = client.get(f"/cases/new?cable={SEED_ID}&paragraph=6", headers=headers)
        assert form.status_code == 200 and f'value="{SEED_ID}"' in form.text
        made = client.post(
            "/cases",
            headers=headers,
            data={"title": "FICTIONAL review of open cases", "cable": SEED_ID, "paragraph": "6"},
        )
        assert made.status_code == 303
        ref = made.headers["location"].rsplit("/", 1)[1]
        chooser = client.get(f"/cases/link?cable={SEED_ID}&paragraph=4", headers=headers)
        assert chooser.status_code == 200 and ref in chooser.text
        link = {"reference": ref, "cable": SEED_ID, "paragraph": "4"}
        linked = client.post("/cases/link", headers=headers, data=link)
        assert linked.status_code == 303
        page = client.get(f"/cases/{ref}", headers=headers)
        assert f"{SEED_ID} ¶6" in page.text and f"{SEED_ID} ¶4" in page.text
        missing = client.post("/cases/link", headers=headers, data={**link, "paragraph": "99"})
        assert missing.status_code == 422

    case = get_case(engine, OFFICER, ref)
    assert case.cable_links == (CableLink(SEED_ID, 6), CableLink(SEED_ID, 4))
    link_cable(engine, OFFICER, ref, SEED_ID, 4)  # idempotent
    assert len(get_case(engine, OFFICER, ref).cable_links) == 2
    with pytest.raises(InvalidCaseData, match="no stored cable"):
        link_cable(engine, OFFICER, ref, "99NOWHERE1", None)
