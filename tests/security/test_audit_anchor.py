"""The anchored audit chain on SQLite and PostgreSQL, through `npdesk audit`: the key file is
created on first start (mode 0600), and `verify --checkpoint` shows tail truncation, an
emptied log and a full re-chaining, each as one line and exit code 1, never a traceback."""

from __future__ import annotations

import dataclasses
import json
import os
import stat
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine
from typer.testing import CliRunner, Result

from npdesk.cli import app
from npdesk.security.audit import GENESIS_HASH, Outcome, head_mac, seal
from npdesk.security.model import LOCAL_OPERATOR
from npdesk.services import audit
from npdesk.store.db import make_engine, transaction


@pytest.fixture(autouse=True)
def key_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "keys" / "audit.key"
    monkeypatch.setenv("NPDESK_AUDIT_KEY_FILE", str(path))
    monkeypatch.delenv("NPDESK_USER", raising=False)
    return path


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def url(request: pytest.FixtureRequest, db_url: str) -> str:
    if request.param == "sqlite":
        return db_url
    return str(request.getfixturevalue("pg_cluster").create_database(template="npdesk_template"))


def npdesk(*args: str, url: str) -> Result:
    return CliRunner().invoke(app, [*args, "--db", url])


def fill(url: str, count: int) -> None:
    engine = make_engine(url)
    for index in range(1, count + 1):
        with transaction(engine) as session:
            audit.record(
                session,
                LOCAL_OPERATOR,
                "cables.read",
                outcome=Outcome.ALLOWED,
                source="cli",
                record_kind="cable",
                record_id=f"08BEIJING{index}",
            )
    engine.dispose()


def execute(url: str, *statements: str) -> None:
    engine = make_engine(url)
    with engine.begin() as connection:
        for statement in statements:
            connection.execute(text(statement))
    engine.dispose()


def take_checkpoint(url: str, where: Path) -> dict[str, object]:
    taken = npdesk("audit", "checkpoint", url=url)
    assert taken.exit_code == 0, taken.output
    line = taken.stdout.strip()
    with where.open("a", encoding="utf-8") as handle:
        handle.write(line + "\n")
    return dict(json.loads(line))


def assert_one_line_failure(result: Result, *expected: str) -> None:
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1, result.output
    for part in expected:
        assert part in lines[0], lines[0]


def test_the_key_file_is_created_on_first_start_readable_by_its_owner_only(
    url: str, key_file: Path
) -> None:
    assert not key_file.exists()
    assert npdesk("audit", "verify", url=url).exit_code == 0
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert len(bytes.fromhex(key_file.read_text().strip())) == 32
    before = key_file.read_text()
    assert npdesk("audit", "verify", url=url).exit_code == 0
    assert key_file.read_text() == before  # the same key on every later start


def test_a_key_file_others_can_read_is_refused_in_one_line(db_url: str, key_file: Path) -> None:
    key_file.parent.mkdir(parents=True)
    key_file.write_text("ab" * 32 + "\n")
    os.chmod(key_file, 0o644)
    refused = npdesk("audit", "verify", url=db_url)
    assert_one_line_failure(refused, "open to other users", "chmod 600")


def test_checkpoint_then_verify_holds_on_a_growing_log(url: str, tmp_path: Path) -> None:
    fill(url, 3)
    kept = tmp_path / "elsewhere" / "checkpoints.jsonl"
    kept.parent.mkdir()
    first = take_checkpoint(url, kept)
    assert first["seq"] == 3 and first["format"] == "npdesk-audit-checkpoint/1"
    fill(url, 2)
    second = take_checkpoint(url, kept)
    # The first checkpoint was itself audited (entry 4), then two reads: the log ends at 6.
    assert second["seq"] == 6
    held = npdesk("audit", "verify", "--checkpoint", str(kept), url=url)
    assert held.exit_code == 0, held.output
    assert "holding 2 checkpoints" in held.output


def test_a_cut_tail_is_caught_even_without_a_checkpoint(url: str) -> None:
    fill(url, 5)
    # Cut the tail and move the head back as a writer without the key would.
    execute(
        url,
        "DELETE FROM audit_log WHERE seq > 3",
        "UPDATE audit_head SET seq = 3, hash = (SELECT hash FROM audit_log WHERE seq = 3)",
    )
    caught = npdesk("audit", "verify", url=url)
    assert_one_line_failure(caught, "audit entry 3", "tail was cut")


def test_verify_checkpoint_detects_tail_truncation(url: str, tmp_path: Path) -> None:
    fill(url, 5)
    kept = tmp_path / "checkpoints.jsonl"
    take_checkpoint(url, kept)  # entries 1..5; the checkpoint's own entry is 6
    # Cut the tail with the head forged by someone holding the key: consistent on its own.
    key = audit.audit_key()
    engine = make_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DELETE FROM audit_log WHERE seq > 3"))
        last = connection.execute(text("SELECT hash FROM audit_log WHERE seq = 3")).scalar_one()
        connection.execute(
            text("UPDATE audit_head SET seq = 3, hash = :mac"), {"mac": head_mac(3, last, key)}
        )
    engine.dispose()
    caught = npdesk("audit", "verify", "--checkpoint", str(kept), url=url)
    assert_one_line_failure(caught, "audit entry 4", "ends at entry 3", "held 5")
    # (That failed verify was audited as entry 4, chained properly: alone, the log holds.)
    assert npdesk("audit", "verify", url=url).exit_code == 0


def test_verify_checkpoint_detects_an_emptied_log(url: str, tmp_path: Path) -> None:
    fill(url, 4)
    kept = tmp_path / "checkpoints.jsonl"
    take_checkpoint(url, kept)
    execute(url, "DELETE FROM audit_log", "DELETE FROM audit_head")
    caught = npdesk("audit", "verify", "--checkpoint", str(kept), url=url)
    assert_one_line_failure(caught, "the log is empty", "held 4 entries")
    # An emptied log with no head looks like a new desk: only a checkpoint can tell.
    execute(url, "DELETE FROM audit_log", "DELETE FROM audit_head")
    assert npdesk("audit", "verify", url=url).exit_code == 0


def rechain_from(engine: Engine, start: int, actor: str) -> None:
    """What an insider holding the key can do: edit entry `start`, re-seal it and every entry
    after it, and rewrite the head to match."""
    key = audit.audit_key()
    with transaction(engine) as session:
        entries = list(audit._entries(session))
        prev = entries[start - 2].hash if start > 1 else GENESIS_HASH
        for entry in entries[start - 1 :]:
            changed = dataclasses.replace(
                entry, prev_hash=prev, actor=actor if entry.seq == start else entry.actor
            )
            sealed = seal(changed, key)
            session.execute(
                text("UPDATE audit_log SET actor = :a, prev_hash = :p, hash = :h WHERE seq = :s"),
                {"a": sealed.actor, "p": sealed.prev_hash, "h": sealed.hash, "s": sealed.seq},
            )
            prev = sealed.hash
        session.execute(
            text("UPDATE audit_head SET hash = :mac"), {"mac": head_mac(entries[-1].seq, prev, key)}
        )


def test_verify_checkpoint_detects_full_rechaining(url: str, tmp_path: Path) -> None:
    fill(url, 5)
    kept = tmp_path / "checkpoints.jsonl"
    take_checkpoint(url, kept)
    engine = make_engine(url)
    rechain_from(engine, 2, "someone else")
    engine.dispose()
    caught = npdesk("audit", "verify", "--checkpoint", str(kept), url=url)
    assert_one_line_failure(caught, "audit entry 5", "rewritten")
    assert npdesk("audit", "verify", url=url).exit_code == 0  # consistent on its own


def test_an_edit_rehashed_without_the_key_is_caught_without_a_checkpoint(url: str) -> None:
    fill(url, 3)
    # The old attack: edit entry 2 and recompute plain sha256 hashes from it to the end.
    engine = make_engine(url)
    with transaction(engine) as session:
        entries = list(audit._entries(session))
    engine.dispose()
    import hashlib

    prev = entries[0].hash
    statements = []
    for entry in entries[1:]:
        changed = dataclasses.replace(
            entry, prev_hash=prev, actor="nobody" if entry.seq == 2 else entry.actor
        )
        body = json.dumps(changed.content(), sort_keys=True, separators=(",", ":"))
        new_hash = hashlib.sha256(body.encode()).hexdigest()
        statements.append(
            f"UPDATE audit_log SET actor = '{changed.actor}', prev_hash = '{prev}', "
            f"hash = '{new_hash}' WHERE seq = {entry.seq}"
        )
        prev = new_hash
    statements.append(f"UPDATE audit_head SET hash = '{prev}'")
    execute(url, *statements)
    caught = npdesk("audit", "verify", url=url)
    assert_one_line_failure(caught, "audit entry 2", "re-hashed")


def test_a_missing_head_is_one_line(url: str) -> None:
    fill(url, 2)
    execute(url, "DELETE FROM audit_head")
    missing = npdesk("audit", "verify", url=url)
    assert_one_line_failure(missing, "audit entry 2", "head of the log is missing")


def test_a_forged_or_foreign_checkpoint_file_is_one_line(url: str, tmp_path: Path) -> None:
    fill(url, 2)
    kept = tmp_path / "checkpoints.jsonl"
    taken = take_checkpoint(url, kept)
    forged = tmp_path / "forged.jsonl"
    forged.write_text(json.dumps({**taken, "seq": 1}) + "\n")
    bad = npdesk("audit", "verify", "--checkpoint", str(forged), url=url)
    assert bad.exit_code == 2 and "signature does not hold" in bad.output
    assert "Traceback" not in bad.output
    junk = tmp_path / "junk.jsonl"
    junk.write_text("not json\n")
    bad = npdesk("audit", "verify", "--checkpoint", str(junk), url=url)
    assert bad.exit_code == 2 and "junk.jsonl:1" in bad.output
    missing = npdesk("audit", "verify", "--checkpoint", str(tmp_path / "nope"), url=url)
    assert missing.exit_code == 2 and "cannot read" in missing.output


def test_no_checkpoint_of_a_broken_log(url: str) -> None:
    fill(url, 3)
    execute(url, "UPDATE audit_log SET actor = 'nobody' WHERE seq = 2")
    refused = npdesk("audit", "checkpoint", url=url)
    assert_one_line_failure(refused, "no checkpoint of a broken log", "audit entry 2")
