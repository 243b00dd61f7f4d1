"""partner case references: the number a partner knows a case by is stored, not computed per
reader (issue 11, part 4, "reference numbers do not reveal how many hidden records exist")

Schema: `partner_case_references` holds one row per case and partner, `CHN-2007-001` style,
assigned once when the case first becomes visible to the partner and never changed or reused.
Before this revision the number was computed per reader from the cases they could read, so
releasing an older case renumbered every later one.

Data: every case the partner may read now (shared or REL TO it, not NOFORN, at or below the
agreed level), and every case on a handover list (the partner was given it, whatever it is
marked now), gets its number: per year of its desk reference, 1..n in the order the cases
were created (their id), which is the order the old computed numbering used.

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

from npdesk.security.model import Marking, Party, Role, User
from npdesk.security.partners import agreed_level
from npdesk.security.policy import may_read
from npdesk.settings import partner_country

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

_YEAR = re.compile(r"^[A-Z]+-(\d{4})-\d+$")


def upgrade() -> None:
    op.create_table(
        "partner_case_references",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("partner", sa.String(length=3), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(length=32), nullable=False),
        sa.Column("assigned_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["cases.id"],
            name=op.f("fk_partner_case_references_case_id_cases"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_partner_case_references")),
        sa.UniqueConstraint(
            "partner", "case_id", name=op.f("uq_partner_case_references_partner_case_id")
        ),
        sa.UniqueConstraint(
            "partner",
            "year",
            "number",
            name=op.f("uq_partner_case_references_partner_year_number"),
        ),
        sa.UniqueConstraint(
            "partner", "reference", name=op.f("uq_partner_case_references_partner_reference")
        ),
    )
    op.create_index(
        op.f("ix_partner_case_references_case_id"),
        "partner_case_references",
        ["case_id"],
        unique=False,
    )
    _number_released_cases(op.get_bind())


def _number_released_cases(bind: sa.Connection) -> None:
    code = partner_country()
    level = agreed_level(code)
    if level is None:
        return  # no agreement: the partner reads nothing, so nothing is numbered
    partner = User("(migration 0006)", Party.PARTNER, Role.LIAISON, level, country=code)
    cases = sa.table(
        "cases",
        sa.column("id", sa.Integer()),
        sa.column("reference", sa.String()),
        sa.column("created_at", sa.DateTime(timezone=True)),
        sa.column("classification", sa.String()),
        sa.column("caveats", sa.String()),
        sa.column("rel_to", sa.String()),
        sa.column("shared_with_partner", sa.Boolean()),
    )
    handed_over = {
        row[0]
        for row in bind.execute(
            sa.text("SELECT DISTINCT case_id FROM handover_entries WHERE case_id IS NOT NULL")
        )
    }
    counters: dict[int, int] = {}
    rows: list[dict[str, object]] = []
    now = datetime.now(UTC)
    for case_id, reference, created, *marked in bind.execute(
        sa.select(
            cases.c.id,
            cases.c.reference,
            cases.c.created_at,
            cases.c.classification,
            cases.c.caveats,
            cases.c.rel_to,
            cases.c.shared_with_partner,
        ).order_by(cases.c.id)
    ):
        if case_id not in handed_over and not _readable(partner, *marked):
            continue
        match = _YEAR.match(reference)
        year = int(match.group(1)) if match else (created or now).year
        counters[year] = counters.get(year, 0) + 1
        rows.append(
            {
                "case_id": case_id,
                "partner": code,
                "year": year,
                "number": counters[year],
                "reference": f"{code}-{year}-{counters[year]:03d}",
                "assigned_at": now,
            }
        )
    if rows:
        target = sa.table(
            "partner_case_references",
            sa.column("case_id", sa.Integer()),
            sa.column("partner", sa.String()),
            sa.column("year", sa.Integer()),
            sa.column("number", sa.Integer()),
            sa.column("reference", sa.String()),
            sa.column("assigned_at", sa.DateTime(timezone=True)),
        )
        bind.execute(target.insert(), rows)


def _readable(
    partner: User, classification: str, caveats: str | None, rel_to: str | None, shared: bool
) -> bool:
    try:
        marking = Marking.from_strings(classification, caveats or "", rel_to or "", bool(shared))
    except ValueError:
        return False  # an unreadable level reads as the strictest marking
    return may_read(partner, marking)


def downgrade() -> None:
    op.drop_index(op.f("ix_partner_case_references_case_id"), table_name="partner_case_references")
    op.drop_table("partner_case_references")
