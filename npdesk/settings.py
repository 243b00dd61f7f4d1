"""All run-time settings in one place, read from the environment."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
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


_ONE_PERSON_DESK: ContextVar[bool] = ContextVar("npdesk_one_person_desk", default=False)


@contextmanager
def one_person_desk() -> Iterator[None]:
    """Act as a one-person desk inside the block, whatever the setting: for replaying a
    recorded history (the fictional demo programme), whose releases were made long ago."""
    token = _ONE_PERSON_DESK.set(True)
    try:
        yield
    finally:
        _ONE_PERSON_DESK.reset(token)


def two_person_release() -> bool:
    """Whether a release to the partner (and clearing a screening match as a false positive)
    takes two home users, one proposing and another approving: on unless
    `NPDESK_TWO_PERSON_RELEASE=false`, for a desk run by one person (or inside
    `one_person_desk`)."""
    if _ONE_PERSON_DESK.get():
        return False
    value = os.environ.get("NPDESK_TWO_PERSON_RELEASE", "true").strip().lower()
    if value in {"", "1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ValueError(f"NPDESK_TWO_PERSON_RELEASE must be true or false, not {value!r}")


def sqlite_busy_timeout_ms() -> int:
    """How long a SQLite write waits for the write lock before giving up (the web then
    answers 503 with Retry-After): `NPDESK_SQLITE_BUSY_TIMEOUT_MS`, default 10 s."""
    return _positive_int("NPDESK_SQLITE_BUSY_TIMEOUT_MS", 10_000)


def retry_after_seconds() -> int:
    """The Retry-After the web sends with a 503 when the database is busy."""
    return _positive_int("NPDESK_RETRY_AFTER_SECONDS", 5)


def secure_cookies() -> bool | None:
    """Whether cookies are marked `Secure`: `NPDESK_SECURE_COOKIES=true` always (a desk
    behind a TLS-terminating proxy, which talks plain http to the app), `false` never, unset
    or `auto`: when the request itself came over https."""
    value = os.environ.get("NPDESK_SECURE_COOKIES", "auto").strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    if value in {"", "auto"}:
        return None
    raise ValueError(f"NPDESK_SECURE_COOKIES must be true, false or auto, not {value!r}")


def upload_max_bytes() -> int:
    """The largest request body the web accepts, uploads included (`NPDESK_UPLOAD_MAX_BYTES`,
    default 50 MB); a larger one is answered 413 before any of it is stored."""
    return _positive_int("NPDESK_UPLOAD_MAX_BYTES", 50_000_000)


def archive_max_bytes() -> int:
    """The most an archive may unpack to, all members together (`NPDESK_ARCHIVE_MAX_BYTES`,
    default 1 GB): a larger one is refused whole, as a zip bomb, before a member is read."""
    return _positive_int("NPDESK_ARCHIVE_MAX_BYTES", 1_000_000_000)


def archive_max_members() -> int:
    """The most files an archive may hold (`NPDESK_ARCHIVE_MAX_MEMBERS`, default 100,000)."""
    return _positive_int("NPDESK_ARCHIVE_MAX_MEMBERS", 100_000)


def _positive_int(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ValueError(f"{name} must be a whole number, not {raw!r}") from None
    if value <= 0:
        raise ValueError(f"{name} must be positive, not {value}")
    return value


MAX_CABLE_BYTES = 2_000_000
"""A single cable larger than this is refused at ingest (the largest real cables are ~200 KB)."""

MAX_ARCHIVE_BYTES = 2_000_000_000
"""An archive stops being expanded once its members add up to this (a zip bomb's 200:1 members
would otherwise fill memory and the quarantine); the 2010 release is ~1.7 GB of text."""

MAX_ARCHIVE_MEMBERS = 1_000_000
"""An archive with more files than this is read up to here and the rest refused."""

QUARANTINE_KEEP_BYTES = 65_536
"""How much of a refused file the quarantine keeps for diagnosis (once per distinct content)."""
