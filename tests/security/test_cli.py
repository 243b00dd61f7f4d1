"""`npdesk users` and `npdesk audit` through Typer's runner, on a real SQLite database."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Protocol

import pytest
import typer
from sqlalchemy import text
from typer.testing import CliRunner, Result

from npdesk.cli import accounts as users_cli
from npdesk.cli import audit as audit_cli
from npdesk.store.db import make_engine

app = typer.Typer(pretty_exceptions_enable=False)
app.add_typer(users_cli.app, name="users")
app.add_typer(audit_cli.app, name="audit")

PASSWORD = "a long enough passphrase"


class Invoke(Protocol):
    def __call__(self, *args: str, stdin: str | None = None, user: str | None = None) -> Result: ...


@pytest.fixture
def run(db_url: str, monkeypatch: pytest.MonkeyPatch) -> Invoke:
    monkeypatch.delenv("NPDESK_USER", raising=False)
    runner = CliRunner()

    def invoke(*args: str, stdin: str | None = None, user: str | None = None) -> Result:
        extra = ["--db", db_url] + (["--user", user] if user else [])
        return runner.invoke(app, [*args, *extra], input=stdin)

    return invoke


def test_add_list_disable_reset(run: Invoke) -> None:
    added = run(
        "users",
        "add",
        "olivia",
        "--role",
        "officer",
        "--party",
        "home",
        "--clearance",
        "S",
        stdin=PASSWORD + "\n",
    )
    assert added.exit_code == 0, added.output
    liaison = run(
        "users",
        "add",
        "li",
        "--role",
        "liaison",
        "--party",
        "partner",
        "--country",
        "CHN",
        "--clearance",
        "C",
        stdin=PASSWORD + "\n",
    )
    assert liaison.exit_code == 0, liaison.output
    listed = run("users", "list", "--json")
    assert listed.exit_code == 0
    rows = json.loads(listed.stdout)
    assert [(r["username"], r["party"], r["country"]) for r in rows] == [
        ("li", "partner", "CHN"),
        ("olivia", "home", None),
    ]
    assert PASSWORD not in listed.output and "argon2" not in listed.output
    assert run("users", "disable", "olivia").exit_code == 0
    assert "disabled" in run("users", "list").output
    reset = run("users", "reset-password", "li", stdin="another long passphrase\n")
    assert reset.exit_code == 0, reset.output


def test_errors_are_one_clear_line(run: Invoke) -> None:
    weak = run(
        "users",
        "add",
        "olivia",
        "--role",
        "officer",
        "--party",
        "home",
        "--clearance",
        "S",
        stdin="short\n",
    )
    assert weak.exit_code == 1
    assert "at least 12 characters" in weak.output and "Traceback" not in weak.output
    wrong_party = run(
        "users",
        "add",
        "li",
        "--role",
        "liaison",
        "--party",
        "home",
        "--clearance",
        "S",
        stdin=PASSWORD + "\n",
    )
    assert wrong_party.exit_code == 1 and "role is one of" in wrong_party.output
    bad_level = run(
        "users",
        "add",
        "x1",
        "--role",
        "officer",
        "--party",
        "home",
        "--clearance",
        "Q",
        stdin=PASSWORD + "\n",
    )
    assert bad_level.exit_code == 1 and "--clearance" in bad_level.output
    missing = run("users", "disable", "ghost")
    assert missing.exit_code == 1 and "no user named 'ghost'" in missing.output
    unknown_actor = run("users", "list", user="ghost")
    assert unknown_actor.exit_code == 1 and "no active user" in unknown_actor.output


def test_non_admin_users_are_refused_and_audited(run: Invoke) -> None:
    run(
        "users",
        "add",
        "olivia",
        "--role",
        "officer",
        "--party",
        "home",
        "--clearance",
        "S",
        stdin=PASSWORD + "\n",
    )
    refused = run("users", "list", user="olivia")
    assert refused.exit_code == 1 and "not allowed: users.list" in refused.output
    exported = run("audit", "export")
    entries = [json.loads(line) for line in exported.stdout.splitlines()]
    assert [(e["actor"], e["action"], e["outcome"]) for e in entries] == [
        ("local-operator", "users.add", "ok"),
        ("olivia", "users.list", "denied"),
    ]


def test_audit_verify_passes_then_names_the_edited_entry(run: Invoke, db_url: str) -> None:
    for name in ("olivia", "oscar", "otto"):
        run(
            "users",
            "add",
            name,
            "--role",
            "officer",
            "--party",
            "home",
            "--clearance",
            "S",
            stdin=PASSWORD + "\n",
        )
    clean = run("audit", "verify")
    assert clean.exit_code == 0 and "intact: 3 entries" in clean.output
    engine = make_engine(db_url)
    with engine.begin() as connection:
        connection.execute(text("UPDATE audit_log SET actor = 'nobody' WHERE seq = 2"))
    engine.dispose()
    broken = run("audit", "verify")
    assert broken.exit_code == 1
    assert "audit entry 2" in broken.output and "Traceback" not in broken.output


def test_audit_export_since_writes_json_lines(run: Invoke, tmp_path: Path) -> None:
    run(
        "users",
        "add",
        "olivia",
        "--role",
        "officer",
        "--party",
        "home",
        "--clearance",
        "S",
        stdin=PASSWORD + "\n",
    )
    target = tmp_path / "audit.jsonl"
    done = run("audit", "export", "--since", "2000-01-01", "--out", str(target))
    assert done.exit_code == 0, done.output
    lines = target.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 1 and json.loads(lines[0])["action"] == "users.add"
    future = run("audit", "export", "--since", "2999-01-01")
    assert future.exit_code == 0 and future.stdout == ""
    bad = run("audit", "export", "--since", "yesterday")
    assert bad.exit_code != 0 and "Traceback" not in bad.output


def test_the_npdesk_command_has_both_sub_apps(db_url: str) -> None:
    from npdesk.cli import app as npdesk_app

    runner = CliRunner()
    listed = runner.invoke(npdesk_app, ["users", "list", "--json", "--db", db_url])
    assert listed.exit_code == 0, listed.output
    assert json.loads(listed.stdout) == []
    verified = runner.invoke(npdesk_app, ["audit", "verify", "--db", db_url])
    assert verified.exit_code == 0 and "intact: 1 entries" in verified.output


TAMPERING = {
    "edited": ["UPDATE audit_log SET actor = 'nobody' WHERE seq = 2"],
    "deleted": ["DELETE FROM audit_log WHERE seq = 2"],
    "swapped": [
        "UPDATE audit_log SET seq = -1 WHERE seq = 2",
        "UPDATE audit_log SET seq = 2 WHERE seq = 3",
        "UPDATE audit_log SET seq = 3 WHERE seq = -1",
    ],
}


@pytest.mark.parametrize(
    "backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
@pytest.mark.parametrize("tampering", list(TAMPERING))
def test_audit_verify_names_the_first_bad_entry_on_both_backends(
    request: pytest.FixtureRequest, backend: str, tampering: str, db_url: str
) -> None:
    if backend == "postgres":
        cluster = request.getfixturevalue("pg_cluster")
        url = cluster.create_database(template="npdesk_template")
    else:
        url = db_url
    runner = CliRunner()
    for name in ("olivia", "oscar", "otto"):
        added = runner.invoke(
            app,
            [
                "users",
                "add",
                name,
                "--role",
                "officer",
                "--party",
                "home",
                "--clearance",
                "S",
                "--db",
                url,
            ],
            input=PASSWORD + "\n",
        )
        assert added.exit_code == 0, added.output
    assert runner.invoke(app, ["audit", "verify", "--db", url]).exit_code == 0
    engine = make_engine(url)
    with engine.begin() as connection:
        for statement in TAMPERING[tampering]:
            connection.execute(text(statement))
    engine.dispose()
    broken = runner.invoke(app, ["audit", "verify", "--db", url])
    assert broken.exit_code == 1, broken.output
    # A deleted entry shows at its successor, which no longer follows what came before.
    first_bad = 3 if tampering == "deleted" else 2
    assert f"audit entry {first_bad}:" in broken.output, broken.output
