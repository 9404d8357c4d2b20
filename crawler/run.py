"""Run one crawl in this process: a store run, Scrapy's CrawlerProcess, the aggregation.

Twisted's reactor runs once per process, so a crawl is one process; the tests and the
benchmarks start ``vigie crawl`` as a subprocess.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import Any

from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings

from crawler import logs
from crawler.seeds import Seed
from crawler.spiders.sites import SitesSpider
from crawler.store import Store

#: Settings recorded with each run, so that a run's figures can be read in context.
RECORDED_SETTINGS = (
    "VIGIE_MAX_PAGES_PER_SITE",
    "VIGIE_MAX_DEPTH",
    "DOWNLOAD_TIMEOUT",
    "ROBOTSTXT_OBEY",
    "USER_AGENT",
    "CONCURRENT_REQUESTS",
    "CONCURRENT_REQUESTS_PER_DOMAIN",
    "AUTOTHROTTLE_ENABLED",
    "VIGIE_AUDIT_ENABLED",
    "VIGIE_AUDIT_OTHER_PAGES",
)


def crawl_settings(overrides: dict[str, Any] | None = None) -> Settings:
    """Vigie's settings module, then ``overrides`` (command-line priority)."""
    settings = Settings()
    settings.setmodule("crawler.settings", priority="project")
    settings.update(overrides or {}, priority="cmdline")
    return settings


def run_crawl(
    seeds: Sequence[Seed],
    overrides: dict[str, Any] | None = None,
    label: str | None = None,
    resume_run: int | None = None,
    redis_url: str | None = None,
) -> int:
    """Crawl ``seeds`` into the store named by ``VIGIE_DB_URL``; return the run id.

    With ``resume_run``, continue that interrupted run instead of starting one: pages
    and errors it stored are not fetched again, the links they queued are.

    With ``redis_url``, this process is one worker of a distributed run named ``label``
    (see :mod:`crawler.distributed`): the first worker creates the run, the last one to
    finish audits and aggregates it.
    """
    settings = crawl_settings(overrides)
    store = Store(settings.get("VIGIE_DB_URL"))
    recorded = {name: settings.get(name) for name in RECORDED_SETTINGS}
    progress = {}
    coordinator = None
    if redis_url is not None:
        from crawler.distributed import Coordinator

        if not label:
            raise ValueError("une exploration distribuée a besoin d'une étiquette (--run-label)")
        coordinator = Coordinator(
            redis_url, run_key=label, lease_ttl=settings.getfloat("VIGIE_REDIS_LEASE_TTL")
        )
        run_id = coordinator.join(store, list(seeds), label, recorded)
        settings = crawl_settings({**(overrides or {}), **coordinator.scheduler_settings()})
    elif resume_run is not None:
        run_id = resume_run
        store.reopen_run(run_id)
        progress = store.progress(run_id)
    else:
        run_id = store.start_run(seeds, label=label, settings=recorded)
    process = CrawlerProcess(settings)
    logs.install()
    crawler = process.create_crawler(SitesSpider)
    try:
        process.crawl(crawler, seeds=list(seeds), run_id=run_id, resume=progress)
        process.start()
    except BaseException as exc:
        store.fail_run(run_id, f"{type(exc).__name__}: {exc}")
        raise
    stats = dict(crawler.stats.get_stats()) if crawler.stats else {}
    # Scrapy's reason when a signal (Ctrl-C, SIGTERM) stopped the crawl gracefully: the
    # sites are not all crawled, so the run is not finished but left to be resumed.
    interrupted = stats.get("finish_reason") == "shutdown"
    if coordinator is not None:
        last = coordinator.leave()  # hands this worker's leased requests back
        if interrupted or not last:
            print(
                f"[vigie] travailleur {'interrompu' if interrupted else 'terminé'} ; "
                f"l'exploration n° {run_id} sera agrégée par le dernier travailleur",
                file=sys.stderr,
            )
            return run_id
    if interrupted:
        store.interrupt_run(run_id, stats)
        return run_id
    if settings.getbool("VIGIE_AUDIT_ENABLED"):
        from crawler.audit_phase import run_audits

        stats.update(run_audits(store, run_id, settings))
    store.finish_run(run_id, stats)
    return run_id
