"""full-text search structures, one per dialect

SQLite: two FTS5 tables (everything; what the partner may read) whose rowid is the cable's
integer `doc_id`, so matches join to cables through an index without reading FTS content.
PostgreSQL: a `cable_search` table with a weighted tsvector and a GIN index.
Both are written by `npdesk.store.search` only.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for name in ("cable_fts", "cable_fts_partner"):
            op.execute(
                f"CREATE VIRTUAL TABLE {name} USING fts5("
                "subject, body, tokenize = 'porter unicode61')"
            )
    else:
        op.execute(
            "CREATE TABLE cable_search ("
            " cable_id VARCHAR(64) NOT NULL REFERENCES cables(id) ON DELETE CASCADE,"
            " audience VARCHAR(16) NOT NULL,"
            " subject TEXT, body TEXT, tsv TSVECTOR NOT NULL,"
            " PRIMARY KEY (cable_id, audience))"
        )
        op.execute("CREATE INDEX ix_cable_search_tsv ON cable_search USING GIN (tsv)")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TABLE cable_fts")
        op.execute("DROP TABLE cable_fts_partner")
    else:
        op.execute("DROP TABLE cable_search")
