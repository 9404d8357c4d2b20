"""The store's tables: the one description of what Vigie keeps, and in which states.

Every change here comes with a migration (``crawler/migrations``); the test
``tests/test_migrations.py`` fails while the two differ.

Tables
------
``runs``          one row per crawl run: label, times, :data:`RUN_STATUSES`, the settings it
                  ran with, Scrapy's and Vigie's statistics
``run_sites``     one row per site and run: the seed as it was (extra columns in ``extra``),
                  :data:`SITE_STATUSES` and its reason, pages crawled, errors met, the
                  accessibility audit's summary
``pages``         every fetched page: URL, HTTP status, depth, size, title, whether it was
                  rendered or an empty JavaScript shell, the links it proposed (for resuming)
``findings``      page-level check results worth keeping: found, error, or absent with a
                  value (an absent result without value is implied by the page row)
``crawl_errors``  every failed request: site down, timeout, HTTP error, robots.txt…, and
                  the kind of key page expected there (contact, accessibility…)
``audits``        one axe-core audit of one rendered page (or its error)
``site_checks``   the site-level status of every check in a run, computed when the run
                  finishes (:func:`checks.site.aggregate`)
``annuaire_imports``  one row per import of an Annuaire de l'administration export (``vigie
                  annuaire import``): file, export date, :data:`IMPORT_STATUSES`, counts
``annuaire_records``  the records of each import, keyed by the Annuaire's ``id``: what
                  Vigie compares (``crawler.annuaire.records.KEPT_FIELDS``); history kept
``annuaire_hosts``    the website hosts of each import's records, to link a site to its
                  record by host or registrable domain
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)

#: A run's states: ``running`` (being crawled, or crashed without a word), ``finished``
#: (aggregated: its table and reports can be read), ``interrupted`` (stopped by a signal
#: or the memory limit: ``vigie crawl --resume`` continues it), ``failed`` (an unexpected
#: error ended it).
RUN_STATUSES = ("running", "finished", "interrupted", "failed")
#: A site's state in a finished run: ``ok`` (at least one page read) or ``error``.
SITE_STATUSES = ("ok", "error")
#: An Annuaire import's states: ``running`` (being read, or crashed: never used),
#: ``finished`` (complete: the latest one finished before a run is the run's reference),
#: ``failed`` (the file could not be read to its end: the previous import stays in use).
IMPORT_STATUSES = ("running", "finished", "failed")

metadata = MetaData()

runs = Table(
    "runs",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("label", String(100), nullable=True),
    Column("started_at", DateTime(timezone=True), nullable=False),
    Column("finished_at", DateTime(timezone=True), nullable=True),
    Column("status", String(20), nullable=False),  # RUN_STATUSES
    Column("seeds_count", Integer, nullable=False, default=0),
    Column("settings", JSON, nullable=True),
    Column("stats", JSON, nullable=True),
)

run_sites = Table(
    "run_sites",
    metadata,
    Column("run_id", Integer, ForeignKey("runs.id"), primary_key=True),
    Column("site_id", String(100), primary_key=True),
    Column("name", Text, nullable=False),
    Column("url", Text, nullable=False),
    Column("type", String(40), nullable=False),
    Column("extra", JSON, nullable=True),
    Column("status", String(20), nullable=True),  # ok / error (set when the run finishes)
    Column("reason", Text, nullable=True),
    Column("pages_crawled", Integer, nullable=True),
    Column("errors_count", Integer, nullable=True),
    # Accessibility audit of the site's sampled pages (see checks.rgaa, audit_summary):
    # pages audited, audit errors, violation counts by impact and RGAA theme, criteria.
    Column("pages_audited", Integer, nullable=True),
    Column("audit", JSON, nullable=True),
)

pages = Table(
    "pages",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("run_id", Integer, ForeignKey("runs.id"), nullable=False),
    Column("site_id", String(100), nullable=False),
    Column("url", Text, nullable=False),
    Column("status_code", Integer, nullable=True),
    Column("depth", Integer, nullable=True),
    Column("bytes", Integer, nullable=True),
    Column("fetched_at", DateTime(timezone=True), nullable=False),
    Column("duration_s", Float, nullable=True),
    Column("rendered", Boolean, nullable=False, default=False),
    Column("js_shell", Boolean, nullable=False, default=False),
    Column("title", Text, nullable=True),
    Column("problems", JSON, nullable=True),
    # The links this page proposed first, [url, priority, kind] ([url, priority] before
    # the kinds of key pages): a resumed run proposes them again. A page analysed after
    # its site closed proposed nothing: all its candidate links.
    Column("links", JSON, nullable=True),
    Index("ix_pages_run_site", "run_id", "site_id"),
)

findings = Table(
    "findings",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("run_id", Integer, nullable=False),
    Column("site_id", String(100), nullable=False),
    Column("page_id", Integer, ForeignKey("pages.id"), nullable=False),
    Column("check_id", String(40), nullable=False),
    Column("status", String(20), nullable=False),  # found / absent / error
    Column("value", JSON, nullable=True),
    Column("evidence", JSON, nullable=True),
    Column("error", Text, nullable=True),
    Index("ix_findings_run_site", "run_id", "site_id"),
)

crawl_errors = Table(
    "crawl_errors",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("run_id", Integer, nullable=False),
    Column("site_id", String(100), nullable=False),
    Column("url", Text, nullable=False),
    Column("kind", String(40), nullable=False),
    Column("reason", Text, nullable=False),
    Column("is_home", Boolean, nullable=False, default=False),
    # The kind of key page the crawl expected there (checks.key_pages: contact,
    # accessibility…), or NULL: the checks such a page serves read "error", not absent.
    Column("page_kind", String(40), nullable=True),
    Column("at", DateTime(timezone=True), nullable=False),
    Index("ix_errors_run_site", "run_id", "site_id"),
)

audits = Table(
    "audits",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("run_id", Integer, nullable=False),
    Column("site_id", String(100), nullable=False),
    Column("page_id", Integer, ForeignKey("pages.id"), nullable=True),
    Column("url", Text, nullable=False),
    Column("reason", String(40), nullable=True),  # why sampled: accueil, contact…
    Column("axe_version", String(20), nullable=True),
    Column("error", Text, nullable=True),
    Column("duration_s", Float, nullable=True),
    Column("violations", JSON, nullable=True),
    Column("needs_review", JSON, nullable=True),
    Column("counts", JSON, nullable=True),
    Column("criteria_violated", JSON, nullable=True),
    Column("at", DateTime(timezone=True), nullable=False),
    # A JavaScript shell's or a rendered route's links, [[url, label, in_chrome], …]: what a
    # resumed audit phase offers again (crawler.audit_phase); NULL for the other pages.
    Column("rendered_links", JSON, nullable=True),
    Index("ix_audits_run_site", "run_id", "site_id"),
)

site_checks = Table(
    "site_checks",
    metadata,
    Column("run_id", Integer, primary_key=True),
    Column("site_id", String(100), primary_key=True),
    Column("check_id", String(40), primary_key=True),
    # found / absent / error / not_applicable (checks.site.apply_applicability)
    Column("status", String(20), nullable=False),
    Column("value", JSON, nullable=True),
    Column("evidence", JSON, nullable=True),
    Column("pages_found", Integer, nullable=False, default=0),
    Column("error", Text, nullable=True),
)

annuaire_imports = Table(
    "annuaire_imports",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("source", Text, nullable=False),  # the file read, as given
    Column("export_date", Date, nullable=False),  # the file's date, or --date
    Column("started_at", DateTime(timezone=True), nullable=False),
    Column("finished_at", DateTime(timezone=True), nullable=True),
    Column("status", String(20), nullable=False),  # IMPORT_STATUSES
    Column("records_count", Integer, nullable=False, default=0),
    Column("rejected_count", Integer, nullable=False, default=0),
    # What the import met, for the summary: counts by kind, the first problems by line.
    Column("report", JSON, nullable=True),
)

annuaire_records = Table(
    "annuaire_records",
    metadata,
    Column("import_id", Integer, ForeignKey("annuaire_imports.id"), primary_key=True),
    Column("record_id", String(100), primary_key=True),  # the Annuaire's ``id``
    Column("name", Text, nullable=False),
    Column("pivot_type", String(60), nullable=True),  # the first ``pivot`` type (mairie…)
    Column("data", JSON, nullable=False),  # the record's compared fields, export shape
    Index("ix_annuaire_records_type", "import_id", "pivot_type"),
)

annuaire_hosts = Table(
    "annuaire_hosts",
    metadata,
    Column("import_id", Integer, primary_key=True),
    Column("host", String(255), primary_key=True),  # crawler.annuaire.links.host_key
    Column("record_id", String(100), primary_key=True),
    Column("domain", String(255), nullable=False),  # registrable domain (scope.site_key)
    Index("ix_annuaire_hosts_domain", "import_id", "domain"),
)
