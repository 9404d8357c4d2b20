"""The store's schema history (Alembic), applied whenever a store is opened.

Runs accumulate for months in one database; a later Vigie whose tables changed must open
it, not fail on a missing column or silently write beside it. Every change to the tables
of ``crawler/store/schema.py`` therefore comes with a revision in ``versions/``;
``tests/test_migrations.py`` fails while the revisions and the tables differ. A database
made before the migrations existed has the baseline's tables: it is stamped so, then
brought to the head.

Maintainers, after changing a table: ``.venv/bin/alembic -c crawler/migrations/alembic.ini
revision --autogenerate -m "…" -x url=sqlite:///a-store-at-the-previous-head.db``, then
read the revision.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, inspect

HERE = Path(__file__).resolve().parent
#: The schema of the stores made before the migrations (the tables of 2026-11-28).
BASELINE = "0001"


def _config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(HERE))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


@cache
def head() -> str | None:
    """The latest revision (read once a process: stores are opened often)."""
    return ScriptDirectory.from_config(_config()).get_current_head()


def current(connection: Connection) -> str | None:
    """The revision a database is at (None: never migrated)."""
    return MigrationContext.configure(connection).get_current_revision()


def upgrade(connection: Connection) -> None:
    """Bring the database behind ``connection`` to the head revision, in its transaction."""
    at = current(connection)
    if at is not None and at == head():
        return
    config = _config(connection)
    if at is None and inspect(connection).has_table("runs"):
        command.stamp(config, BASELINE)  # made by Vigie before the migrations
    command.upgrade(config, "head")
