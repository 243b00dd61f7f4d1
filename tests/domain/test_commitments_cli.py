"""The desk CLI: suggest on the seed prints the issue's JSON, decisions create records,
commitments turn overdue with --today, errors are one line with a non-zero exit."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from npdesk.cli import commitments as commitments_cli
from npdesk.cli import events as events_cli
from npdesk.cli import firms as firms_cli
from npdesk.cli import proposals as desk_cli
from npdesk.services.ingest import ingest_paths
from npdesk.store.db import make_engine
from npdesk.store.schema import upgrade

# The same wiring npdesk/cli/main.py uses.
app = typer.Typer()
cables_app = typer.Typer()
cables_app.command("suggest")(desk_cli.suggest)
cables_app.command("decide")(desk_cli.decide)
cables_app.command("suggest-all")(desk_cli.suggest_all)
app.add_typer(cables_app, name="cables")
app.add_typer(firms_cli.app, name="firms")
app.add_typer(events_cli.app, name="events")
app.add_typer(commitments_cli.app, name="commitments")
runner = CliRunner()


def test_suggest_decide_and_commitments(
    tmp_path: Path, shared_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NPDESK_TWO_PERSON_RELEASE", "false")  # shares in one step
    url = "sqlite:///" + str(tmp_path / "cli.db")
    engine = make_engine(url)
    upgrade(engine)
    ingest_paths(engine, [shared_dir / "seeds" / "000_b040fb51b219b52c.txt"])

    everything = runner.invoke(app, ["cables", "suggest-all", "--db", url])
    assert everything.exit_code == 0 and "read 1 cables" in everything.stdout
    result = runner.invoke(app, ["cables", "suggest", "08BEIJING1050", "--json", "--db", url])
    assert result.exit_code == 0, result.output
    proposals = json.loads(result.stdout)
    assert {"firm", "meeting", "event", "letter", "visit", "review", "handover", "commitment"} <= {
        p["kind"] for p in proposals
    }
    assert all(
        set(p) == {"kind", "text", "date", "date_range", "paragraph", "entities", "owner"}
        for p in proposals
    )

    table = runner.invoke(app, ["cables", "suggest", "08BEIJING1050", "--db", url])
    ids = [
        line.split("│")[1].strip()
        for line in table.stdout.splitlines()
        if "commitment" in line and "respond" in line
    ]
    assert ids, table.stdout
    decided = runner.invoke(app, ["cables", "decide", ids[0], "accept", "--db", url])
    assert decided.exit_code == 0 and "commitment" in decided.stdout

    listed = runner.invoke(
        app, ["commitments", "list", "--overdue", "--today", "2008-05-01", "--json", "--db", url]
    )
    [late] = json.loads(listed.stdout)
    assert late["status"] == "overdue" and late["owner_side"] == "partner"
    secret = runner.invoke(app, ["commitments", "share", str(late["id"]), "--db", url])
    assert secret.exit_code != 0 and "not permitted" in secret.output  # a SECRET paragraph
    added = runner.invoke(
        app,
        [
            "commitments",
            "add",
            "Fictional follow-up",
            "--side",
            "home",
            "--due",
            "2008-06-01",
            "--db",
            url,
        ],
    )
    assert added.exit_code == 0, added.output
    new_id = added.stdout.split()[1]
    assert runner.invoke(app, ["commitments", "share", new_id, "--db", url]).exit_code == 0
    shared = json.loads(runner.invoke(app, ["commitments", "list", "--json", "--db", url]).stdout)
    assert [c["shared"] for c in shared if str(c["id"]) == new_id] == [True]
    assert runner.invoke(app, ["firms", "share", "nope", "--db", url]).exit_code != 0
    early = runner.invoke(
        app, ["commitments", "list", "--overdue", "--today", "2008-04-01", "--json", "--db", url]
    )
    assert json.loads(early.stdout) == []

    assert (
        runner.invoke(
            app, ["firms", "add", "Fictional Test Co", "--alias", "FTC", "--db", url]
        ).exit_code
        == 0
    )
    assessed = runner.invoke(
        app,
        [
            "firms",
            "assess",
            "fictional-test-co",
            "bis-ecg",
            "--score",
            "training=3:course",
            "--date",
            "2008-05-01",
            "--db",
            url,
        ],
    )
    assert assessed.exit_code == 0, assessed.output
    letter = runner.invoke(
        app,
        [
            "events",
            "letter",
            "--from",
            "PDAS",
            "--to",
            "DG Cheng",
            "--date",
            "2008-03-01",
            "--db",
            url,
        ],
    )
    assert letter.exit_code == 0, letter.output
    events = json.loads(runner.invoke(app, ["events", "list", "--json", "--db", url]).stdout)
    assert events["letters"][0]["recipient"] == "DG Cheng"
    shown = runner.invoke(app, ["firms", "show", "fictional-test-co", "--json", "--db", url])
    assert json.loads(shown.stdout)["assessments"][0]["normalized"] == 9.4
    dialogue = runner.invoke(
        app,
        [
            "firms",
            "dialogue",
            "fictional-test-co",
            "--kind",
            "visit",
            "--date",
            "2008-05-02",
            "--home",
            "DCM",
            "--db",
            url,
        ],
    )
    assert dialogue.exit_code == 0, dialogue.output
    dialogue_id = json.loads(
        runner.invoke(app, ["firms", "show", "fictional-test-co", "--json", "--db", url]).stdout
    )["dialogues"][0]["id"]
    informed = runner.invoke(
        app,
        [
            "firms",
            "inform",
            str(dialogue_id),
            "--channel",
            "MFA call",
            "--on",
            "2008-05-03",
            "--db",
            url,
        ],
    )
    assert informed.exit_code == 0, informed.output


def test_errors_are_one_line(tmp_path: Path) -> None:
    url = "sqlite:///" + str(tmp_path / "empty.db")
    for args in (
        ["cables", "suggest", "99NOWHERE1", "--db", url],
        ["firms", "show", "nope", "--db", url],
        ["commitments", "list", "--today", "soon", "--db", url],
        ["commitments", "add", "x", "--side", "them", "--db", url],
        ["cables", "decide", "1", "maybe", "--db", url],
    ):
        result = runner.invoke(app, args)
        assert result.exit_code != 0, args
        assert "Traceback" not in result.output
        assert "error:" in result.output
