"""Released migrations are frozen: a database made by a release was migrated by exactly these
files, so changing one would leave deployed databases in a state no revision describes. A
schema change is a new revision on top of the head (see docs/architecture.md, "Migrations")."""

from __future__ import annotations

import hashlib
from pathlib import Path

from alembic.script import ScriptDirectory

from npdesk.store.schema import MIGRATIONS, alembic_config

RELEASES = Path(__file__).resolve().parent / "releases"

# The sha256 of each released revision file as it shipped. These values may never change:
# when this test fails, undo the edit and write a new revision instead.
RELEASED = {
    "0001_initial_schema.py": "2527f1935d5262d0d610ddd23066c6817b3cd98112b8f3330a6213b7311c4c05",
    "0002_full_text_search.py": "6b7cfb88f4ec61853134d747bd62715d9527e7e1685872ee8d12ebe2e938cf82",
    "0003_search_catalogue.py": "e14b62dad7d47e856d67836011c54fca818e93b2c2d016bdfb7bdbcc2370ba31",
    "0004_derived_markings.py": "0e2bf63457e9ac5cf9b22866cc467b287a939b598f04f2f293b5989de5c18049",
    "0005_pending_releases.py": "9621edeb723fdef5f7649b5df98d855046621a9dda3fae9e564664cfc5e995cb",
}

# What each release's code stored, as recorded once by releases/record.py: re-recording it would
# test the upgrade from today's code instead of the release's. These values may never change.
RECORDED = {
    "release_0005.json": "231f1246b7c8293370261375b3dbbb9fba6f46b962e6633332c53f8ddf4e0ed2",
}


def test_released_revision_files_are_unchanged() -> None:
    found = {
        name: hashlib.sha256((MIGRATIONS / "versions" / name).read_bytes()).hexdigest()
        for name in RELEASED
    }
    assert found == RELEASED


def test_recorded_release_data_is_unchanged() -> None:
    found = {name: hashlib.sha256((RELEASES / name).read_bytes()).hexdigest() for name in RECORDED}
    assert found == RECORDED


def test_new_revisions_stack_on_the_released_ones() -> None:
    scripts = ScriptDirectory.from_config(alembic_config())
    heads = scripts.get_heads()
    assert len(heads) == 1, f"one line of revisions, not a branch: {heads}"
    lineage = [s.revision for s in scripts.walk_revisions("base", heads[0])]
    # walk_revisions goes from the head down: the released ones are the oldest, in order.
    assert lineage[-5:] == ["0005", "0004", "0003", "0002", "0001"]
