"""A run's life: which run to start or continue, the crawl itself, its end.

* :func:`plan_run` decides, from a seed list, a label and ``--resume``, whether a new run
  starts, an interrupted one continues, or nothing is left to do (labels make scheduled
  runs idempotent);
* :func:`run_crawl` crawls in this process: a store run, Scrapy's CrawlerProcess, the
  audits, the aggregation (:mod:`crawler.aggregation`).

Twisted's reactor runs once per process, so a crawl is one process; the tests and the
benchmarks start ``vigie crawl`` as a subprocess.
"""

from __future__ import annotations

import signal
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings

from crawler import logs
from crawler.aggregation import finish_run
from crawler.seeds import Seed
from crawler.spiders.sites import SitesSpider
from crawler.store import Store

#: Scrapy's finish reasons of a crawl stopped before its end: a signal, the memory limit.
INTERRUPTED_REASONS = ("shutdown", "memusage_exceeded")

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
    "VIGIE_EXCEPTIONS",
)


class RunError(Exception):
    """The run asked for cannot be started or continued; the message says why, in French."""


@dataclass(slots=True)
class RunPlan:
    """What ``vigie crawl`` is about to do.

    ``done_run``: the run asked for is finished already (nothing to do); else ``seeds`` are
    crawled, as a new run or, with ``resume_run``, continuing that interrupted one.
    ``notes``: French lines saying what was decided.
    """

    seeds: list[Seed] = field(default_factory=list)
    resume_run: int | None = None
    done_run: int | None = None
    notes: list[str] = field(default_factory=list)


def plan_run(
    store: Store,
    seeds: Sequence[Seed] | None,
    label: str | None = None,
    resume: int | None = None,
    distributed: bool = False,
) -> RunPlan:
    """Decide which run to start or continue.

    A labelled run is idempotent: asked again, a finished one has nothing left to do and an
    interrupted one continues (distributed, the workers join it by label instead:
    :mod:`crawler.frontier.distributed`). ``--resume N`` continues run N with its own seed list.
    """
    if distributed and not label:
        raise RunError("--redis exige --run-label : les travailleurs se retrouvent par l'étiquette")
    if resume is None and label:
        previous = store.run_by_label(label)
        if previous and previous["status"] == "finished":
            return RunPlan(
                done_run=previous["id"],
                notes=[
                    f"Exploration « {label} » déjà terminée (n° {previous['id']}) : rien à refaire."
                ],
            )
        if previous and not distributed:
            resume = previous["id"]
            notes = [f"Reprise de l'exploration « {label} » (n° {resume})."]
            return _resume(store, resume, notes)
    if resume is not None:
        return _resume(store, resume, [])
    if not seeds:
        raise RunError("indiquez la liste des sites (--seeds FICHIER) ou --resume N°")
    return RunPlan(seeds=list(seeds))


def _resume(store: Store, run_id: int, notes: list[str]) -> RunPlan:
    run = store.run(run_id)
    if run is None:
        raise RunError(f"exploration n° {run_id} inconnue (voir « vigie runs »)")
    if run["status"] == "finished":
        notes.append(f"Exploration n° {run_id} déjà terminée : rien à reprendre.")
        return RunPlan(done_run=run_id, notes=notes)
    return RunPlan(seeds=store.seeds_of_run(run_id), resume_run=run_id, notes=notes)


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
    (see :mod:`crawler.frontier.distributed`): the first worker creates the run, the last one
    to finish audits and aggregates it.
    """
    settings = crawl_settings(overrides)
    with Store(settings.get("VIGIE_DB_URL")) as store:
        recorded = {name: settings.get(name) for name in RECORDED_SETTINGS}
        progress = {}
        distributed = redis_url is not None
        if distributed:
            from redis.exceptions import RedisError

            from crawler.frontier.distributed import RunRegistry

            if not label:
                raise ValueError(
                    "une exploration distribuée a besoin d'une étiquette (--run-label)"
                )
            try:
                registry = RunRegistry(
                    redis_url, run_key=label, lease_ttl=settings.getfloat("VIGIE_REDIS_LEASE_TTL")
                )
                run_id = registry.join(store, list(seeds), label, recorded)
            except RedisError as exc:
                raise RunError(f"Redis injoignable : {redis_url} ({exc})") from exc
            # The frontier on Redis is Scrapy's scheduler: a setting, nothing else changes.
            settings = crawl_settings({**(overrides or {}), **registry.settings()})
        elif resume_run is not None:
            run_id = resume_run
            store.reopen_run(run_id)
            progress = store.progress(run_id)
        else:
            run_id = store.start_run(seeds, label=label, settings=recorded)
        process = CrawlerProcess(settings)
        logs.install()
        crawler = process.create_crawler(SitesSpider)
        failures: list[BaseException] = []
        try:
            started = process.crawl(crawler, seeds=list(seeds), run_id=run_id, resume=progress)
            # A component that cannot be built (a bad setting) fails the crawl's Deferred:
            # Scrapy only logs it and stops, which must not read as a crawl that found nothing.
            started.addErrback(lambda failure: failures.append(failure.value))
            process.start()
        except BaseException as exc:
            store.fail_run(run_id, f"{type(exc).__name__}: {exc}")
            raise
        if failures:
            reason = f"{type(failures[0]).__name__}: {failures[0]}"
            store.fail_run(run_id, reason)
            raise RunError(f"l'exploration n'a pas pu démarrer : {failures[0]}")
        stats = dict(crawler.stats.get_stats()) if crawler.stats else {}
        # Stopped before its end, by a signal (Ctrl-C, SIGTERM) or the memory limit: the sites
        # are not all crawled, so the run is not finished but left to be resumed.
        interrupted = stats.get("finish_reason") in INTERRUPTED_REASONS
        if stats.get("finish_reason") == "memusage_exceeded":
            print(
                f"[vigie] limite de mémoire atteinte (MEMUSAGE_LIMIT_MB = "
                f"{settings.getint('MEMUSAGE_LIMIT_MB')} Mo) : exploration arrêtée proprement",
                file=sys.stderr,
            )
        if distributed:
            # The frontier's close handed this worker's leased requests back to the queue and
            # said whether any other worker is still alive.
            last = bool(stats.get("vigie/last_worker"))
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

            _stop_on_signals()
            try:
                stats.update(run_audits(store, run_id, settings))
            except KeyboardInterrupt:
                # The audits done are stored; --resume audits the others (crawler.audit_phase
                # skips the pages already audited).
                print("[vigie] audit d'accessibilité interrompu", file=sys.stderr)
                store.interrupt_run(run_id, {**stats, "finish_reason": "shutdown"})
                return run_id
        finish_run(store, run_id, stats)
        if distributed:
            registry.forget()  # the last worker: the run's frontier in Redis is no longer needed
            registry.close()
        return run_id


def _stop_on_signals() -> None:
    """Let SIGINT and SIGTERM stop what follows the crawl (the audits).

    Scrapy's shutdown handlers stay installed once its reactor has stopped, and they only
    ask that stopped reactor to stop: a Ctrl-C during the audits was ignored. Python's own
    SIGINT handler is put back (asyncio cancels the running audits on it) and SIGTERM,
    systemd's and Scrapyd's stop, is read the same way.
    """

    def stop(signum: int, _frame: Any) -> None:
        raise KeyboardInterrupt(signal.Signals(signum).name)

    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, stop)
