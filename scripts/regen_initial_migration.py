"""Regenerate migration 0001 from the models (autogenerate against an empty database).

While npdesk has never been deployed, the initial schema is regenerated rather than stacked
with small migrations; once a release ships, new migrations go on top of it instead.
Run: .venv/bin/python scripts/regen_initial_migration.py
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from alembic import command

from npdesk.store.db import make_engine
from npdesk.store.schema import MIGRATIONS, alembic_config

TARGET = MIGRATIONS / "versions" / "0001_initial_schema.py"


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp) / "migrations"
        (work / "versions").mkdir(parents=True)
        for name in ("env.py", "script.py.mako"):
            shutil.copy(MIGRATIONS / name, work / name)
        engine = make_engine(f"sqlite:///{tmp}/empty.sqlite3")
        config = alembic_config(engine)
        config.set_main_option("script_location", str(work))
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.revision(config, message="initial schema", autogenerate=True, rev_id="0001")
        produced = next((work / "versions").glob("0001_*.py"))
        shutil.copy(produced, TARGET)
    ruff = Path(__file__).resolve().parent.parent / ".venv" / "bin" / "ruff"
    subprocess.run([str(ruff), "format", "-q", str(TARGET)], check=True)
    subprocess.run([str(ruff), "check", "--fix", "-q", str(TARGET)], check=True)
    print(f"wrote {TARGET}")


if __name__ == "__main__":
    main()
