"""crawl errors: kinds as stable English ids

``crawl_errors.kind`` held French words (« délai dépassé », « HTTP 503 », « adresse
privée »); it now holds the ids of ``crawler.error_kinds`` (``timeout``, ``http_503``,
``private_address``), French being only their display labels. The mapping is written here
as it was on the day of the change, so that this migration never follows later code.
Exception class names that older versions stored as a kind become ``download_failed``
(their name is also in the reason).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03 20:30:00
"""

import re
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

IDS = {
    "DNS": "dns",
    "connexion refusée": "connection_refused",
    "délai dépassé": "timeout",
    "taille": "too_large",
    "robots.txt": "robots_forbidden",
    "boucle de redirections": "redirect_loop",
    "ignorée": "ignored",
    "adresse privée": "private_address",
    "piège": "trap",
}
KNOWN = {*IDS.values(), "robots_unreachable", "download_failed"}

_errors = sa.table("crawl_errors", sa.column("kind", sa.String))


def _new(kind: str) -> str:
    if kind in KNOWN or re.fullmatch(r"http_\d{3}", kind):
        return kind
    match = re.fullmatch(r"HTTP (\d{3})", kind)
    if match:
        return f"http_{match.group(1)}"
    return IDS.get(kind, "download_failed")


def _old(kind: str) -> str:
    match = re.fullmatch(r"http_(\d{3})", kind)
    if match:
        return f"HTTP {match.group(1)}"
    back = {v: k for k, v in IDS.items()} | {"robots_unreachable": "robots.txt"}
    return back.get(kind, kind)


def _rewrite(mapping) -> None:
    bind = op.get_bind()
    kinds = [row[0] for row in bind.execute(sa.select(_errors.c.kind).distinct())]
    for kind in kinds:
        new = mapping(kind)
        if new != kind:
            bind.execute(sa.update(_errors).where(_errors.c.kind == kind).values(kind=new))


def upgrade() -> None:
    """French kinds become English ids."""
    _rewrite(_new)


def downgrade() -> None:
    """English ids become the French kinds again (``download_failed`` stays)."""
    _rewrite(_old)
