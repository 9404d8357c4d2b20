"""check statuses: room for not_applicable

A check that does not apply to a type of administration, or that the programme excused a
site from, reads ``not_applicable`` (14 characters): the status columns of ``findings`` and
``site_checks`` grow from 10 to 20 characters (PostgreSQL enforces the length; SQLite does
not, and gets the same schema).

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-03 18:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("findings", "site_checks")


def upgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column(
                "status",
                existing_type=sa.String(length=10),
                type_=sa.String(length=20),
                existing_nullable=False,
            )


def downgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column(
                "status",
                existing_type=sa.String(length=20),
                type_=sa.String(length=10),
                existing_nullable=False,
            )
