"""pending releases: a release to the partner is proposed by one home user and approved by
another (issue 12, part 3)

Schema only: a new `pending_releases` table. Nothing stored before is changed: what was
released in one step before this revision stays released (and its audit entries say who).

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "pending_releases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("record_kind", sa.String(length=32), nullable=False),
        sa.Column("record_id", sa.String(length=64), nullable=False),
        sa.Column("paragraphs", sa.JSON(), nullable=True),
        sa.Column("partner", sa.String(length=3), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=True),
        sa.Column("proposed_by", sa.String(length=64), nullable=False),
        sa.Column("proposed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("decided_by", sa.String(length=64), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pending_releases")),
    )
    op.create_index(op.f("ix_pending_releases_state"), "pending_releases", ["state"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_pending_releases_state"), table_name="pending_releases")
    op.drop_table("pending_releases")
