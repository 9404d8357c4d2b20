"""crawl errors: the kind of key page expected

``crawl_errors.page_kind``: the kind of key page (contact, accessibility, legal notice…,
``checks.key_pages``) the crawl expected at a URL that failed, so that the checks such a
page serves read "error" rather than absent. NULL for the errors of earlier runs.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03 16:39:30.012972
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table("crawl_errors", schema=None) as batch_op:
        batch_op.add_column(sa.Column("page_kind", sa.String(length=40), nullable=True))


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("crawl_errors", schema=None) as batch_op:
        batch_op.drop_column("page_kind")
