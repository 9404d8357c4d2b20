"""The SQL store: runs, sites, pages and findings, accumulated as history.

SQLAlchemy Core over any database URL: an SQLite file by default (``vigie.db`` in the
current folder), PostgreSQL at scale. Each run adds its rows and never updates another
run's, so a second run never erases the first.

* :mod:`~crawler.store.schema`: the tables, and the states of runs and sites;
* :mod:`~crawler.store.connection`: opening a store (schema created or migrated under a
  lock, French errors);
* :mod:`~crawler.store.writes`: what the crawl writes;
* :mod:`~crawler.store.reads`: the read API the commands and the reports use;
* the Annuaire de l'administration's imports (``AnnuaireReads``, ``AnnuaireWrites``):
  its records, kept import by import, for the cross-check of :mod:`crawler.annuaire`.

The aggregation of a run's sites is not the store's: see :mod:`crawler.aggregation`.
"""

from __future__ import annotations

from crawler.findings import finding_rows
from crawler.store.connection import StoreError, describe, open_engine
from crawler.store.reads import AnnuaireReads, Reads, SiteProgress, SiteRows
from crawler.store.schema import (
    IMPORT_STATUSES,
    RUN_STATUSES,
    SITE_STATUSES,
    annuaire_hosts,
    annuaire_imports,
    annuaire_records,
    audits,
    crawl_errors,
    findings,
    metadata,
    pages,
    run_sites,
    runs,
    site_checks,
)
from crawler.store.writes import AnnuaireWrites, Writes, now


class Store(Reads, Writes, AnnuaireReads, AnnuaireWrites):
    """Vigie's SQL store on any SQLAlchemy URL.

    ``write=False`` for commands that only read: the database must exist (a mistyped path
    is an error, never a new empty store). Raises :class:`StoreError` with a French
    message when the store cannot be opened.
    """

    def __init__(self, url: str, write: bool = True) -> None:
        self.url = url
        self.engine = open_engine(url, write=write)

    def __repr__(self) -> str:
        return f"Store({describe(self.url)!r})"

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Store:
        """``with Store(url) as store:``: the store is closed when the block ends.

        Its connections are then closed (an SQLite file's WAL folded back into the
        database) when the command is done with it, not whenever the garbage collector
        gets to it.
        """
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


__all__ = [
    "IMPORT_STATUSES",
    "RUN_STATUSES",
    "SITE_STATUSES",
    "SiteProgress",
    "SiteRows",
    "Store",
    "StoreError",
    "annuaire_hosts",
    "annuaire_imports",
    "annuaire_records",
    "audits",
    "crawl_errors",
    "finding_rows",
    "findings",
    "metadata",
    "now",
    "pages",
    "run_sites",
    "runs",
    "site_checks",
]
