"""All run-time settings in one place, read from the environment."""

from __future__ import annotations

import os
from pathlib import Path

from platformdirs import user_data_dir

APP_NAME = "npdesk"


def data_dir() -> Path:
    """Where npdesk keeps its files by default (the SQLite database, quarantine)."""
    path = Path(os.environ.get("NPDESK_DATA_DIR") or user_data_dir(APP_NAME))
    path.mkdir(parents=True, exist_ok=True)
    return path


def database_url(explicit: str | None = None) -> str:
    """The database URL: `explicit` (from `--db`), else `NPDESK_DATABASE_URL`, else a SQLite
    file in the user's data directory."""
    if explicit:
        return explicit
    env = os.environ.get("NPDESK_DATABASE_URL")
    if env:
        return env
    return f"sqlite:///{data_dir() / 'npdesk.sqlite3'}"


def audit_key_file() -> Path:
    """The file holding the audit chain's HMAC key (`NPDESK_AUDIT_KEY_FILE`, else `audit.key`
    in the data directory). It must live outside the database, and is best kept where whoever
    can write the database cannot read it; created (mode 0600) on first start if missing."""
    env = os.environ.get("NPDESK_AUDIT_KEY_FILE")
    if env:
        return Path(env)
    return data_dir() / "audit.key"


def shared_dir() -> Path:
    """The shared read-only data folder (`$NPDESK_SHARED` or `../shared` beside the project)."""
    env = os.environ.get("NPDESK_SHARED")
    if env:
        return Path(env)
    return Path(__file__).resolve().parent.parent.parent / "shared"


def partner_country() -> str:
    """The partner government's country code (a bilateral deployment has exactly one)."""
    return os.environ.get("NPDESK_PARTNER_COUNTRY", "CHN").upper()


def partner_agreed_level() -> str:
    """The highest level agreed for release to the partner, as a level word."""
    return os.environ.get("NPDESK_PARTNER_LEVEL", "CONFIDENTIAL").upper()


MAX_CABLE_BYTES = 2_000_000
"""A single cable larger than this is refused at ingest (the largest real cables are ~200 KB)."""
