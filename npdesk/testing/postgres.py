"""A throwaway PostgreSQL cluster for tests and benchmarks.

Started with the server binaries of the machine (`initdb`/`pg_ctl` from PATH or
/usr/lib/postgresql/*/bin). PostgreSQL refuses to run as root, so when we are root the cluster
runs as the `postgres` system user through `runuser`. Durability is switched off: the data is
thrown away at the end.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path


class PostgresUnavailable(RuntimeError):
    """No PostgreSQL server binaries here, or the cluster would not start."""


def find_bin(name: str) -> str | None:
    """Path of a PostgreSQL server program, newest major version first."""
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), reverse=True)
    return candidates[0] if candidates else None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class PostgresCluster:
    """A running cluster; `url(db)` gives a SQLAlchemy URL for database `db`."""

    datadir: Path
    port: int
    run_as: str | None

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str | None = None, template: str | None = None) -> str:
        """Create a database (optionally copied from `template`) and return its URL."""
        import psycopg

        name = name or f"t_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(
            f"host=127.0.0.1 port={self.port} user=postgres dbname=postgres", autocommit=True
        ) as conn:
            clause = f' TEMPLATE "{template}"' if template else ""
            conn.execute(f'CREATE DATABASE "{name}"{clause}')
        return self.url(name)

    def stop(self) -> None:
        pg_ctl = find_bin("pg_ctl")
        if pg_ctl:
            _run(
                [pg_ctl, "-D", str(self.datadir), "-m", "immediate", "-w", "stop"],
                self.run_as,
                check=False,
            )
        shutil.rmtree(self.datadir.parent, ignore_errors=True)


def start_cluster() -> PostgresCluster:
    """initdb + pg_ctl start on a free loopback port; raises PostgresUnavailable."""
    initdb, pg_ctl = find_bin("initdb"), find_bin("pg_ctl")
    if not initdb or not pg_ctl:
        raise PostgresUnavailable("PostgreSQL server binaries (initdb, pg_ctl) not found")
    run_as = None
    root = tempfile.mkdtemp(prefix="npdesk-pg-")
    if os.geteuid() == 0:
        try:
            entry = pwd.getpwnam("postgres")
        except KeyError as exc:
            raise PostgresUnavailable("running as root and there is no 'postgres' user") from exc
        run_as = "postgres"
        os.chown(root, entry.pw_uid, entry.pw_gid)
    datadir = Path(root) / "data"
    _run(
        [
            initdb,
            "-D",
            str(datadir),
            "-U",
            "postgres",
            "-A",
            "trust",
            "-E",
            "UTF8",
            "--no-sync",
            "--locale=C",
        ],
        run_as,
    )
    port = _free_port()
    options = (
        f"-p {port} -c listen_addresses=127.0.0.1 -k {root} -c fsync=off "
        "-c synchronous_commit=off -c full_page_writes=off -c max_connections=100"
    )
    _run(
        [pg_ctl, "-D", str(datadir), "-o", options, "-l", f"{root}/log", "-w", "-t", "60", "start"],
        run_as,
    )
    cluster = PostgresCluster(datadir, port, run_as)
    _wait_ready(cluster)
    return cluster


def _wait_ready(cluster: PostgresCluster, timeout: float = 30.0) -> None:
    import psycopg

    deadline = time.monotonic() + timeout
    while True:
        try:
            with psycopg.connect(
                f"host=127.0.0.1 port={cluster.port} user=postgres dbname=postgres",
                connect_timeout=2,
            ):
                return
        except psycopg.OperationalError:
            if time.monotonic() > deadline:
                raise PostgresUnavailable("PostgreSQL did not accept connections") from None
            time.sleep(0.2)


def _run(command: list[str], run_as: str | None, check: bool = True) -> None:
    if run_as:
        command = ["runuser", "-u", run_as, "--", *command]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if check and result.returncode != 0:
        raise PostgresUnavailable(
            f"{' '.join(command[:4])}... failed: {(result.stderr or result.stdout).strip()[-500:]}"
        )
