"""audits: the links of a rendered DOM, for a resumed audit phase

``audits.rendered_links``: the links read in the rendered DOM of a JavaScript shell or of a
page reached through such links (reason ``lien-rendu``), ``[[url, label, in_chrome], …]``.
An audit phase interrupted after rendering a shell and before rendering its routes offers
them again from here on ``--resume`` (the shell itself is not rendered again). NULL for the
other audits and for those of earlier runs.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-04 03:15:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0007"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table("audits", schema=None) as batch_op:
        batch_op.add_column(sa.Column("rendered_links", sa.JSON(), nullable=True))


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("audits", schema=None) as batch_op:
        batch_op.drop_column("rendered_links")
