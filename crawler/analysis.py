"""The CPU-bound part of a crawl: parse a page, run every check, list its links.

Scrapy runs on one thread; with the checks on that thread as well, the crawl of many
sites is bound by one core while the others idle. :class:`Analyser` runs
:func:`analyse_page` in worker processes (``VIGIE_ANALYSIS_WORKERS``, by default one per
core beyond the first; 0 runs it inline, in the reactor's thread).
"""

from __future__ import annotations

import asyncio
import atexit
import multiprocessing
import os
import signal
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin

from checks import run_checks
from checks.page import Page
from crawler.findings import finding_rows

#: Visible characters below which a page that loads scripts is an empty JavaScript shell.
JS_SHELL_MAX_TEXT = 80
#: Where links sit when they are site-wide (header, footer, navigation).
CHROME_TAGS = frozenset(("header", "footer", "nav"))
CHROME_ROLES = frozenset(("contentinfo", "banner", "navigation"))


@dataclass(frozen=True, slots=True)
class PageAnalysis:
    """What the spider needs of a page: its findings and the links to follow.

    ``findings``: the check results as the store's rows (:func:`crawler.findings.
    finding_rows`), plain data, so that a worker's answer costs the crawling process
    little to receive.
    """

    findings: list[dict[str, Any]]
    links: list[tuple[str, str, bool]]  # (absolute URL, label, in header/footer/nav)
    title: str
    js_shell: bool
    problems: list[str]


def analyse_page(text: str, url: str) -> PageAnalysis:
    """Parse ``text`` once, run every check, extract links. Pure: no I/O."""
    page = Page(text, url)
    findings = finding_rows(run_checks(page))
    links = [(link.href, link.text, _in_chrome(link.element)) for link in page.links]
    # A framed page is part of what a person sees (contact forms are often framed).
    links.extend(
        (urljoin(page.base_url, frame.get("src", "").strip()), frame.get("title") or "", True)
        for frame in page.root.iter("iframe", "frame")
        if frame.get("src", "").strip()
    )
    js_shell = len(page.text.strip()) < JS_SHELL_MAX_TEXT and bool(page.script_srcs)
    return PageAnalysis(findings, links, page.title[:500], js_shell, list(page.problems))


def _in_chrome(element: Any) -> bool:
    for ancestor in element.iterancestors():
        if ancestor.tag in CHROME_TAGS or ancestor.get("role") in CHROME_ROLES:
            return True
    return False


def default_workers() -> int:
    """One worker per core beyond the first, which Scrapy's reactor keeps busy.

    Measured (docs/benchmarks.md): on two cores, one worker reached through a socket takes
    the analysis off the reactor and speeds the crawl up; with ``ProcessPoolExecutor``
    it did not (its threads cost the reactor what the worker saved it).
    """
    return max((os.cpu_count() or 1) - 1, 0)


class AnalysisFailed(Exception):
    """A page could not be analysed in a worker: the analysis raised, took longer than the
    time allowed, or its worker died while analysing it."""


@dataclass(slots=True)
class _Job:
    text: str
    url: str
    future: asyncio.Future[PageAnalysis]


class Analyser:
    """Runs :func:`analyse_page` inline, or in worker processes, one page at a time each.

    Pages wait in one queue in this process; a worker is sent a page only when it is idle.
    So a page's time limit (``timeout``) runs from the moment its analysis starts, and
    when a worker dies or is killed (a crash, an OOM kill, a page over its time), the one
    page it was analysing is the one that fails: no other page is blamed, none is lost.
    The dead worker is replaced for the pages that follow.

    Why not ``concurrent.futures.ProcessPoolExecutor``: its queue-feeder and management
    threads live in the crawling process and take the GIL from the reactor's thread for
    every page (measured on two cores: a pool of one worker crawled no faster than the
    analysis inline), and one dead worker breaks the whole pool and every page in it. Here
    the event loop itself watches each worker's end of a ``multiprocessing`` pipe: no
    thread, one wake-up per answer. Workers come from a *forkserver* that has imported the
    checks already: forking the crawling process itself, threads and reactor included,
    would not be safe. Inline (``workers=0``), nothing can interrupt an analysis.
    ``target`` is the analysis, :func:`analyse_page` unless a test gives another (a
    module-level function: the workers import it by name).
    """

    def __init__(
        self,
        workers: int,
        target: Callable[[str, str], PageAnalysis] | None = None,
        timeout: float = 0.0,
    ) -> None:
        self.workers = workers
        self.timeout = timeout
        self._target = target or analyse_page
        self._workers: list[_Worker] = []
        self._queue: deque[_Job] = deque()
        self._context: Any = None
        if workers > 0:
            self._context = multiprocessing.get_context("forkserver")
            self._context.set_forkserver_preload(["checks", "crawler.analysis"])
            self._workers = [self._new_worker() for _ in range(workers)]
            # A crawl that never opens (a component that cannot be built) never closes the
            # spider either: without this, multiprocessing's own exit handler would wait
            # forever for workers that ignore its first SIGTERM (see _serve).
            atexit.register(self.close)

    def _new_worker(self) -> _Worker:
        return _Worker(self._context, self._target, self.timeout, self._dispatch)

    async def analyse(self, text: str, url: str) -> PageAnalysis:
        if not self._workers:
            return self._target(text, url)
        job = _Job(text, url, asyncio.get_running_loop().create_future())
        self._queue.append(job)
        self._dispatch()
        return await job.future

    def _dispatch(self) -> None:
        """Give queued pages to idle workers, replacing the dead ones first."""
        for index, worker in enumerate(self._workers):
            if not worker.alive:
                worker.close()
                self._workers[index] = worker = self._new_worker()
            while self._queue and worker.job is None and worker.alive:
                job = self._queue.popleft()
                if not job.future.done():  # (cancelled while it waited)
                    worker.start(job)

    def close(self) -> None:
        atexit.unregister(self.close)
        for worker in self._workers:
            worker.close()
        self._workers = []
        while self._queue:
            job = self._queue.popleft()
            if not job.future.done():
                job.future.set_exception(AnalysisFailed("analyse arrêtée : fin de l'exploration"))


class _Worker:
    """One worker process, the parent's end of its pipe, and the page it is analysing."""

    def __init__(
        self,
        context: Any,
        target: Callable[[str, str], PageAnalysis],
        timeout: float,
        on_idle: Callable[[], None],
    ) -> None:
        self.timeout = timeout
        self.on_idle = on_idle
        self.conn, child = context.Pipe(duplex=True)
        self.process = context.Process(target=_serve, args=(child, target), daemon=True)
        self.process.start()
        child.close()
        self.alive = True
        self.job: _Job | None = None
        self._timer: asyncio.TimerHandle | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def start(self, job: _Job) -> None:
        """Send ``job`` to the worker, idle until now; its time limit starts now."""
        if self._loop is None:
            self._loop = asyncio.get_running_loop()
            self._loop.add_reader(self.conn.fileno(), self._readable)
        self.job = job
        if self.timeout > 0:
            self._timer = self._loop.call_later(self.timeout, self._overdue)
        try:
            # Blocks only while the idle worker reads a page larger than the pipe's buffer.
            self.conn.send((job.text, job.url))
        except OSError as exc:
            self._died(f"envoi impossible au processus d'analyse : {exc}")

    def _readable(self) -> None:
        try:
            ok, result = self.conn.recv()
        except (EOFError, OSError):
            self._died(f"processus d'analyse arrêté (code {self._exitcode()}) sur cette page")
            return
        job, self.job = self.job, None
        self._cancel_timer()
        if job is not None and not job.future.done():
            if ok:
                job.future.set_result(result)
            else:
                job.future.set_exception(AnalysisFailed(result))
        self.on_idle()

    def _overdue(self) -> None:
        """The page is not analysed in time (a pathological page): the worker is killed,
        the page fails, a new worker takes the next pages."""
        self._timer = None
        if self.job is None or not self.alive:
            return
        self.process.kill()
        self.process.join(timeout=5)
        self._died(f"analyse interrompue : plus de {self.timeout:g} s pour cette page")

    def _died(self, reason: str) -> None:
        """The worker is gone: the page it held fails with ``reason``; the Analyser replaces
        it on its next dispatch (now, for the pages waiting)."""
        self.alive = False
        self._cancel_timer()
        self._detach()
        job, self.job = self.job, None
        if job is not None and not job.future.done():
            job.future.set_exception(AnalysisFailed(reason))
        self.on_idle()

    def _cancel_timer(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def _exitcode(self) -> int | None:
        self.process.join(timeout=1)
        return self.process.exitcode

    def _detach(self) -> None:
        if self._loop is not None and not self._loop.is_closed():
            self._loop.remove_reader(self.conn.fileno())
        self._loop = None

    def close(self) -> None:
        """Close the pipe (the worker sees the end and exits), then reap the process."""
        self._cancel_timer()
        self._detach()
        self.conn.close()
        self.process.join(timeout=5)
        if self.process.is_alive():  # stuck on a page: it would not hear a first SIGTERM
            self.process.kill()
            self.process.join(timeout=5)


def _serve(conn: Any, target: Callable[[str, str], PageAnalysis]) -> None:
    """A worker: receive a page, analyse it, answer ``(ok, analysis or reason)``.

    A stop signal sent to the whole process group (Ctrl-C in a terminal, systemd's SIGTERM
    to a service) asks the crawl to stop gracefully, and the crawl still needs the answer
    for the page in flight: the worker ignores SIGINT and a first SIGTERM, and ends when
    the crawl closes its pipe; a second SIGTERM ends it.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, lambda *_: signal.signal(signal.SIGTERM, signal.SIG_DFL))
    while True:
        try:
            text, url = conn.recv()
        except EOFError:
            return  # the crawl closed the pipe: done
        try:
            answer = (True, target(text, url))
        except Exception as exc:  # the page's error, reported with it by the spider
            answer = (False, f"{type(exc).__name__}: {exc}")
        conn.send(answer)
