"""The CPU-bound part of a crawl: parse a page, run every check, list its links.

Scrapy runs on one thread; with the checks on that thread as well, the crawl of many
sites is bound by one core while the others idle. :class:`Analyser` runs
:func:`analyse_page` in worker processes (``VIGIE_ANALYSIS_WORKERS``, by default one per
core beyond the first; 0 runs it inline, in the reactor's thread).
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import pickle
import signal
import socket
import struct
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin

from checks import CheckResult, run_checks
from checks.page import Page

#: Visible characters below which a page that loads scripts is an empty JavaScript shell.
JS_SHELL_MAX_TEXT = 80
#: Where links sit when they are site-wide (header, footer, navigation).
CHROME_TAGS = frozenset(("header", "footer", "nav"))
CHROME_ROLES = frozenset(("contentinfo", "banner", "navigation"))


@dataclass(frozen=True, slots=True)
class PageAnalysis:
    """What the spider needs of a page: check results and the links to follow."""

    results: dict[str, CheckResult]
    links: list[tuple[str, str, bool]]  # (absolute URL, label, in header/footer/nav)
    title: str
    js_shell: bool
    problems: list[str]


def analyse_page(text: str, url: str) -> PageAnalysis:
    """Parse ``text`` once, run every check, extract links. Pure: no I/O."""
    page = Page(text, url)
    results = run_checks(page)
    links = [(link.href, link.text, _in_chrome(link.element)) for link in page.links]
    # A framed page is part of what a person sees (contact forms are often framed).
    links.extend(
        (urljoin(page.base_url, frame.get("src", "").strip()), frame.get("title") or "", True)
        for frame in page.root.iter("iframe", "frame")
        if frame.get("src", "").strip()
    )
    js_shell = len(page.text.strip()) < JS_SHELL_MAX_TEXT and bool(page.script_srcs)
    return PageAnalysis(results, links, page.title[:500], js_shell, list(page.problems))


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
    time allowed, or the worker died."""


class _WorkerLost(Exception):
    """The worker holding a page was stopped because of another page: try it elsewhere."""


#: Frame header on the workers' sockets: the payload's length.
_HEADER = struct.Struct("!Q")


class Analyser:
    """Runs :func:`analyse_page` inline, or in worker processes each reached by a socket.

    Why not ``concurrent.futures.ProcessPoolExecutor``: its queue-feeder and management
    threads live in the crawling process and take the GIL from the reactor thread for
    every page; measured on two cores, a pool of one worker crawled no faster than the
    analysis inline, though the worker took all of it. Here the event loop itself reads
    and writes the workers' sockets (non-blocking, length-prefixed pickles): no thread,
    one wake-up per answer. Workers come from a *forkserver* that has already imported the
    checks: forking the crawling process itself, threads and reactor included, would not
    be safe. A worker that dies fails the pages it held (:class:`AnalysisFailed`) and is
    replaced. A page still unanswered ``timeout`` seconds after it was sent (a pathological
    page: a regex gone quadratic on megabytes of markup) has its worker killed and fails
    alone; the pages queued behind it go to a new worker. Inline, nothing can interrupt an
    analysis. ``target`` is the analysis, :func:`analyse_page` unless a test gives another
    (a module-level function: the workers import it by name).
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
        self._context: Any = None
        if workers > 0:
            self._context = multiprocessing.get_context("forkserver")
            self._context.set_forkserver_preload(["checks", "crawler.analysis"])
            self._workers = [self._new_worker() for _ in range(workers)]

    def _new_worker(self) -> _Worker:
        return _Worker(self._context, self._target, self.timeout)

    async def analyse(self, text: str, url: str) -> PageAnalysis:
        if not self._workers:
            return self._target(text, url)
        try:
            return await self._least_busy().submit(text, url)
        except _WorkerLost:  # stopped for another page: this one gets a second chance
            try:
                return await self._least_busy().submit(text, url)
            except _WorkerLost as exc:
                raise AnalysisFailed(str(exc)) from exc

    def _least_busy(self) -> _Worker:
        """The live worker with the fewest pages waiting (a dead one is replaced)."""
        worker = min(self._workers, key=lambda w: len(w.pending))
        if not worker.alive:
            self._workers.remove(worker)
            worker = self._new_worker()
            self._workers.append(worker)
        return worker

    def close(self) -> None:
        for worker in self._workers:
            worker.close()
        self._workers = []


class _Worker:
    """One worker process and the parent's end of its socket, driven by the event loop."""

    def __init__(
        self, context: Any, target: Callable[[str, str], PageAnalysis], timeout: float = 0.0
    ) -> None:
        self.timeout = timeout
        self._timers: dict[int, asyncio.TimerHandle] = {}
        self.sock, child = socket.socketpair()
        self.process = context.Process(target=_serve, args=(child, target), daemon=True)
        self.process.start()
        child.close()
        self.sock.setblocking(False)
        self.pending: dict[int, asyncio.Future[PageAnalysis]] = {}
        self.alive = True
        self._seq = 0
        self._inbox = bytearray()
        self._outbox = bytearray()
        self._loop: asyncio.AbstractEventLoop | None = None

    def submit(self, text: str, url: str) -> asyncio.Future[PageAnalysis]:
        if self._loop is None:
            self._loop = asyncio.get_running_loop()
            self._loop.add_reader(self.sock.fileno(), self._readable)
        self._seq += 1
        future = self._loop.create_future()
        self.pending[self._seq] = future
        if self.timeout > 0:
            self._timers[self._seq] = self._loop.call_later(self.timeout, self._overdue, self._seq)
        payload = pickle.dumps((self._seq, text, url), pickle.HIGHEST_PROTOCOL)
        self._outbox += _HEADER.pack(len(payload)) + payload
        self._flush()
        return future

    def _flush(self) -> None:
        """Write what the socket takes now; the loop calls back when it takes more."""
        try:
            sent = self.sock.send(self._outbox)
        except BlockingIOError:
            sent = 0
        except OSError as exc:  # the worker is gone
            self._died(f"envoi impossible au processus d'analyse : {exc}")
            return
        del self._outbox[:sent]
        assert self._loop is not None
        if self._outbox:
            self._loop.add_writer(self.sock.fileno(), self._flush)
        else:
            self._loop.remove_writer(self.sock.fileno())

    def _readable(self) -> None:
        try:
            chunk = self.sock.recv(1 << 20)
        except BlockingIOError:
            return
        except OSError as exc:
            self._died(f"processus d'analyse injoignable : {exc}")
            return
        if not chunk:
            self._died(f"processus d'analyse arrêté (code {self._exitcode()})")
            return
        self._inbox += chunk
        while len(self._inbox) >= _HEADER.size:
            (size,) = _HEADER.unpack_from(self._inbox)
            if len(self._inbox) < _HEADER.size + size:
                break
            seq, ok, result = pickle.loads(self._inbox[_HEADER.size : _HEADER.size + size])
            del self._inbox[: _HEADER.size + size]
            future = self.pending.pop(seq, None)
            timer = self._timers.pop(seq, None)
            if timer is not None:
                timer.cancel()
            if future is None or future.done():
                continue
            if ok:
                future.set_result(result)
            else:
                future.set_exception(AnalysisFailed(result))

    def _exitcode(self) -> int | None:
        self.process.join(timeout=1)
        return self.process.exitcode

    def _overdue(self, seq: int) -> None:
        """Page ``seq`` is not answered in time: the worker, busy with it (pages are served
        in order and this one was sent first), is killed; the page fails, the pages queued
        behind it are tried again on another worker."""
        if seq not in self.pending or not self.alive:
            return
        self.process.kill()
        self.process.join(timeout=5)
        self._died(
            "processus d'analyse arrêté pour une autre page trop longue",
            culprit=seq,
            culprit_reason=f"analyse interrompue : plus de {self.timeout:g} s pour cette page",
        )

    def _died(self, reason: str, culprit: int | None = None, culprit_reason: str = "") -> None:
        """Fail every page the worker held; the Analyser replaces it on the next page.

        With a ``culprit`` (a page over its time), only that page fails; the others were
        innocent and get :class:`_WorkerLost`, which sends them to another worker.
        """
        self.alive = False
        self._detach()
        self.sock.close()  # the process is gone or killed: nothing more to read
        for timer in self._timers.values():
            timer.cancel()
        self._timers = {}
        pending, self.pending = self.pending, {}
        for seq, future in pending.items():
            if future.done():
                continue
            if culprit is None:
                future.set_exception(AnalysisFailed(reason))
            elif seq == culprit:
                future.set_exception(AnalysisFailed(culprit_reason))
            else:
                future.set_exception(_WorkerLost(reason))

    def _detach(self) -> None:
        if self._loop is not None and not self._loop.is_closed():
            self._loop.remove_reader(self.sock.fileno())
            self._loop.remove_writer(self.sock.fileno())
        self._loop = None

    def close(self) -> None:
        """Close the socket (the worker sees the end and exits), then reap the process."""
        self._detach()
        self.sock.close()
        self.process.join(timeout=5)
        if self.process.is_alive():  # stuck on a page: it would not hear a first SIGTERM
            self.process.kill()
            self.process.join(timeout=5)


def _serve(sock: socket.socket, target: Callable[[str, str], PageAnalysis]) -> None:
    """A worker: read a page, analyse it, answer ``(seq, ok, analysis or reason)``.

    A stop signal sent to the whole process group (Ctrl-C in a terminal, systemd's SIGTERM
    to a service) asks the crawl to stop gracefully, and the crawl still needs the answers
    for the pages in flight: the worker ignores SIGINT and a first SIGTERM, and ends when
    the crawl closes its socket; a second SIGTERM ends it.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, lambda *_: signal.signal(signal.SIGTERM, signal.SIG_DFL))
    reader = sock.makefile("rb")
    while True:
        header = reader.read(_HEADER.size)
        if len(header) < _HEADER.size:
            return  # the crawl closed the socket: done
        (size,) = _HEADER.unpack(header)
        seq, text, url = pickle.loads(reader.read(size))
        try:
            answer = (seq, True, target(text, url))
        except Exception as exc:  # the page's error, reported with it by the spider
            answer = (seq, False, f"{type(exc).__name__}: {exc}")
        payload = pickle.dumps(answer, pickle.HIGHEST_PROTOCOL)
        sock.sendall(_HEADER.pack(len(payload)) + payload)
