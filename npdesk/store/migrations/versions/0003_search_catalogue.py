"""search catalogue token; PostgreSQL: integer keys and a ranked full-text index

`search_state` holds one random token that every change to what search sees rewrites in the
same transaction; search processes keep an in-memory catalogue of the cables and rebuild it
when the token differs (`npdesk.store.catalogue`).

PostgreSQL: when the RUM extension can be created (Debian: `postgresql-15-rum`; creating it
needs a superuser, so a DBA may run `CREATE EXTENSION rum` beforehand), the GIN index is
replaced by a RUM index, which keeps word positions: phrases match and results rank inside the
index instead of reading every matching document's vector. Without it the GIN index stays and
search still works, more slowly on broad queries.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import logging

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

log = logging.getLogger("alembic.runtime.migration")


def upgrade() -> None:
    op.create_table(
        "search_state",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("token", sa.BigInteger, nullable=False),
    )
    op.execute("INSERT INTO search_state (id, token) VALUES (1, 0)")
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    # The integer key the catalogue is ordered by, so matches cross the driver as numbers.
    op.execute("ALTER TABLE cable_search ADD COLUMN doc_id INTEGER")
    op.execute(
        "UPDATE cable_search SET doc_id = cables.doc_id FROM cables "
        "WHERE cables.id = cable_search.cable_id"
    )
    op.execute("ALTER TABLE cable_search ALTER COLUMN doc_id SET NOT NULL")
    if not _rum_extension(bind):
        log.warning(
            "PostgreSQL has no RUM extension (Debian: postgresql-15-rum); full-text search "
            "keeps its GIN index and ranks broad queries slowly"
        )
        return
    op.execute("CREATE INDEX ix_cable_search_rum ON cable_search USING rum (tsv rum_tsvector_ops)")
    op.execute("DROP INDEX ix_cable_search_tsv")


def _rum_extension(bind: sa.engine.Connection) -> bool:
    installed = bind.execute(sa.text("SELECT 1 FROM pg_extension WHERE extname = 'rum'")).first()
    if installed:
        return True
    available = bind.execute(
        sa.text("SELECT 1 FROM pg_available_extensions WHERE name = 'rum'")
    ).first()
    if not available:
        return False
    try:
        with bind.begin_nested():
            bind.execute(sa.text("CREATE EXTENSION rum"))
    except sa.exc.DBAPIError as exc:  # e.g. not a superuser
        log.warning("cannot create the RUM extension: %s", str(exc).splitlines()[0])
        return False
    return True


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        has_rum = bind.execute(
            sa.text("SELECT 1 FROM pg_indexes WHERE indexname = 'ix_cable_search_rum'")
        ).first()
        if has_rum:
            op.execute("CREATE INDEX ix_cable_search_tsv ON cable_search USING GIN (tsv)")
            op.execute("DROP INDEX ix_cable_search_rum")
        op.execute("ALTER TABLE cable_search DROP COLUMN doc_id")
    op.drop_table("search_state")
