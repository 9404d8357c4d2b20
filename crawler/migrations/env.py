"""Alembic's environment for the store: the tables of ``crawler/store.py``.

Vigie runs it with the store's own connection (``crawler.migrations.upgrade``), inside the
transaction that opens the store; the ``alembic`` command (maintainers) gets its URL from
``alembic.ini`` or ``-x url=…``. SQLite cannot alter a column in place: operations are
rendered as batches (copy and move), which work on PostgreSQL too.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection, create_engine

from crawler.store.schema import metadata

config = context.config


def _run(connection: Connection) -> None:
    context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is not None:
    _run(connection)
else:
    url = context.get_x_argument(as_dictionary=True).get("url") or config.get_main_option(
        "sqlalchemy.url"
    )
    with create_engine(url).begin() as conn:
        _run(conn)
