"""The site pages of a report, written by a small pool of processes while the parent writes
the exports and the overview.

A national report spent most of its time on work that does not depend on other sites:
one page a site, from that site's rows. On two cores one process left the second idle.
Here the sites are cut into chunks of :data:`reports.data.DETAIL_CHUNK`; each chunk is a
job for a worker of a ``concurrent.futures.ProcessPoolExecutor``, which opens the store
itself, reads that chunk's detail (checks with evidence, crawl errors, where the values
compared with the Annuaire are shown, rendered pages), renders and writes the pages. The
parent sends only what it has computed of the chunk for the overview (the light
:class:`~reports.data.SiteReport` of each site), never the run's detail.

Workers start with ``spawn``: a fresh interpreter, not a copy of the parent's memory
(with ``fork`` each child would start holding every site of the overview); as always with
``spawn``, a script that calls :func:`reports.html.write_report` needs the ``if __name__ ==
"__main__":`` guard (``vigie`` has it). Their number is ``VIGIE_REPORT_WORKERS`` (``vigie
report --workers``); 0, a run of fewer than ``VIGIE_REPORT_POOL_MIN_SITES`` sites, or a
store no other process can open (an in-memory SQLite) writes the pages in the command's own
process. A worker that fails, or dies, stops the report with :class:`SitePagesError` (a
French message), the jobs not started cancelled: never a hang, never a report missing pages
without saying so.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path
from typing import Any

from crawler import settings
from crawler.annuaire.crosscheck import CrossCheck
from reports import annuaire_view
from reports import data as report_data
from reports.data import ReportData, SiteReport, detail_sites

#: In place of a site's Annuaire view in a chunk sent to a worker, which makes it again.
_SENT_WITHOUT = annuaire_view.SiteView(True, "unmatched", "")


class SitePagesError(RuntimeError):
    """The site pages could not all be written (a worker failed or died)."""


@dataclass(frozen=True, slots=True)
class Chunk:
    """What a worker needs to write the pages of a few sites."""

    db: str  # the store's URL: the worker opens its own connection
    run_id: int
    check_order: list[str]
    sites: list[SiteReport]  # as load_report made them: without their detail
    annuaire: CrossCheck | None  # the run's comparison with the Annuaire, for these sites
    context: dict[str, Any]  # what every page shows besides its site (run, CSP, DSFR…)
    folder: str  # the report's sites/ folder


def resolve_workers(value: int | str | None) -> int:
    """``VIGIE_REPORT_WORKERS`` as a number: ``"auto"`` is one per core beyond the first
    (the parent writes the exports and the overview meanwhile, on the first). Raises
    ``ValueError`` (in French) for anything but ``auto`` or an integer ≥ 0."""
    if value is None or value == "auto":
        return max((os.cpu_count() or 1) - 1, 0)
    try:
        number = int(value)
    except (TypeError, ValueError):
        number = -1
    if number < 0:
        raise ValueError(
            f"VIGIE_REPORT_WORKERS : « auto » ou un nombre de processus ≥ 0 attendu, pas {value!r}"
        )
    return number


@dataclass(slots=True)
class PagesWriting:
    """Site pages being written by a pool of ``workers`` processes (the ``futures`` of their
    chunks), or already written in this process (``workers`` 0)."""

    workers: int = 0
    futures: list[Future[list[str]]] = field(default_factory=list)
    pool: ProcessPoolExecutor | None = None

    def finish(self) -> None:
        """Wait for every chunk; the first failure cancels the rest and is raised in French."""
        if self.pool is None:
            return
        try:
            for future in self.futures:
                future.result()
        except BrokenProcessPool as exc:
            # A script calling write_report without the __main__ guard ends here too: each
            # spawned worker runs the script again and stops at once (see the module's doc).
            raise SitePagesError(
                "un processus d'écriture des pages de sites s'est arrêté net (mémoire "
                "épuisée, signal, ou script Python appelant write_report sans la garde "
                f'« if __name__ == "__main__": » ?) : rapport incomplet ({exc})'
            ) from exc
        except Exception as exc:
            raise SitePagesError(
                f"échec de l'écriture des pages de sites : {exc.__class__.__name__} : {exc}"
            ) from exc
        finally:
            self.cancel()

    def cancel(self) -> None:
        """Let the chunks being written end, drop the others, stop the workers."""
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)


def write_site_pages(
    data: ReportData, folder: Path, context: dict[str, Any], workers: int
) -> PagesWriting:
    """Start writing every site page into ``folder`` (see :meth:`PagesWriting.finish`); with
    no pool (``workers`` 0, a small run, no store to read from), write them all here."""
    small = len(data.sites) < settings.VIGIE_REPORT_POOL_MIN_SITES
    if workers <= 0 or data.store is None or small or not _shared(data.store.url):
        for site in data.detailed_sites():
            _write(folder, context, site)
        return PagesWriting()
    size = report_data.DETAIL_CHUNK
    chunks = [data.sites[i : i + size] for i in range(0, len(data.sites), size)]
    workers = min(workers, len(chunks))
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"))
    writing = PagesWriting(workers, [], pool)
    for sites in chunks:
        compared = _restricted(data.annuaire_check, sites)
        if compared is not None and compared.annuaire_import is not None:
            # The worker makes each site's Annuaire view again, with where each value is
            # shown (detail_sites): the overview's, without, need not be sent (about 40 %
            # of what a chunk weighs, unpickled in the worker).
            sites = [replace(s, annuaire=_SENT_WITHOUT) for s in sites]
        job = Chunk(
            data.store.url,
            int(data.run["id"]),
            list(data.check_order),
            sites,
            compared,
            context,
            str(folder),
        )
        writing.futures.append(pool.submit(write_chunk, job))
    return writing


def write_chunk(chunk: Chunk) -> list[str]:
    """In a worker: read the detail of ``chunk.sites`` and write their pages; their names."""
    store = _store(chunk.db)
    folder = Path(chunk.folder)
    names = []
    for site in detail_sites(store, chunk.run_id, chunk.check_order, chunk.sites, chunk.annuaire):
        _write(folder, chunk.context, site)
        names.append(site.filename)
    return names


def _write(folder: Path, context: dict[str, Any], site: SiteReport) -> None:
    page = folder / site.filename
    page.write_text(_template().render(**context, root="../", site=site), encoding="utf-8")


def _shared(url: str) -> bool:
    """Whether another process can open the store at ``url`` (not an in-memory SQLite)."""
    from sqlalchemy.engine import make_url

    from crawler.store.connection import sqlite_path

    return make_url(url).get_backend_name() != "sqlite" or sqlite_path(url) is not None


def _restricted(check: CrossCheck | None, sites: Sequence[SiteReport]) -> CrossCheck | None:
    if check is None:
        return None
    ids = [s.site_id for s in sites if s.site_id in check.sites]
    return CrossCheck(check.run_id, check.annuaire_import, {i: check.sites[i] for i in ids})


@cache
def _store(url: str) -> Any:
    """The worker's own connection to the store, opened once per process."""
    from crawler.store import Store

    return Store(url, write=False)


@cache
def _template() -> Any:
    """``site.html``, compiled once per process."""
    from reports.html import environment

    return environment().get_template("site.html")
