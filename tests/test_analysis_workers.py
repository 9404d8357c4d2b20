"""The analysis in worker processes (``crawler.analysis.Analyser``): same results as inline,
a page whose analysis fails or whose worker dies is that page's error, the rest goes on."""

from __future__ import annotations

import asyncio
import io
import os
import pickle
import signal
import time

from crawler.analysis import Analyser, AnalysisFailed, PageAnalysis, analyse_page

URL = "https://www.mairie-exemple.fr/contact"
PAGE = """<html lang="fr"><head><title>Contact</title></head><body>
<header><a href="/">Accueil</a><a href="/faq">Questions fréquentes</a></header>
<p>Accueil : 01 23 45 67 89, du lundi au vendredi de 8h30 à 12h.</p>
<p><a href="mailto:accueil@mairie-exemple.fr">Écrire à la mairie</a></p>
<footer><a href="/accessibilite">Accessibilité : partiellement conforme</a></footer>
</body></html>"""


def _failing(text: str, url: str) -> PageAnalysis:
    """Analysis that raises on a page saying "boom" (pickled by name into the worker)."""
    if "boom" in text:
        raise ValueError("page piégée")
    return analyse_page(text, url)


def _dying(text: str, url: str) -> PageAnalysis:
    """Analysis whose process dies on a page saying "die", as on a crash or an OOM kill."""
    if "die" in text:
        os._exit(3)
    return analyse_page(text, url)


def _slow(text: str, url: str) -> PageAnalysis:
    """Analysis that takes its time, so that a signal arrives while a page is in it."""
    time.sleep(0.5)
    return analyse_page(text, url)


def _steady(text: str, url: str) -> PageAnalysis:
    """Analysis that takes 0.6 s a page: under a 1 s limit, but not three pages in a row."""
    time.sleep(0.6)
    return analyse_page(text, url)


def _stuck(text: str, url: str) -> PageAnalysis:
    """Analysis that never ends on a page saying "stuck" (a regex gone quadratic)."""
    if "stuck" in text:
        time.sleep(3600)
    return analyse_page(text, url)


def _run(coro):
    return asyncio.run(coro)


def _finding(analysis: PageAnalysis, check_id: str) -> dict | None:
    """The stored row of ``check_id`` (None: absent without a value, not stored)."""
    return next((f for f in analysis.findings if f["check_id"] == check_id), None)


def _found_phone(analysis: object) -> bool:
    return isinstance(analysis, PageAnalysis) and _finding(analysis, "phone")["status"] == "found"


def test_a_worker_gives_what_the_inline_analysis_gives():
    async def main():
        analyser = Analyser(1)
        try:
            return await analyser.analyse(PAGE, URL)
        finally:
            analyser.close()

    pooled, inline = _run(main()), analyse_page(PAGE, URL)
    assert pooled.findings == inline.findings
    assert pooled.links == inline.links and pooled.title == inline.title == "Contact"
    assert _found_phone(pooled) and _finding(pooled, "a11y_mention")["value"] == "partiellement"


class _PlainOnly(pickle.Unpickler):
    """Rebuilds PageAnalysis and builtins only: any other class would be rebuilt in Python
    in the crawling process (a CheckResult's ``__setstate__``), in the reactor's thread."""

    def find_class(self, module: str, name: str) -> type:
        if (module, name) == ("crawler.analysis", "PageAnalysis"):
            return PageAnalysis
        raise AssertionError(f"{module}.{name} crosses the pipe")


def test_a_workers_answer_is_plain_data():
    """What a worker sends back is the page's stored rows and links, no check objects."""
    analysis = analyse_page(PAGE, URL)
    payload = pickle.dumps(analysis, protocol=pickle.HIGHEST_PROTOCOL)
    assert _PlainOnly(io.BytesIO(payload)).load() == analysis


def test_pages_larger_than_the_pipe_buffer_go_through():
    big = PAGE.replace("</body>", "<p>" + "Texte de la page. " * 200_000 + "</p></body>")
    assert len(big) > 3_000_000

    async def main():
        analyser = Analyser(2)
        try:
            return await asyncio.gather(*(analyser.analyse(big, URL) for _ in range(3)))
        finally:
            analyser.close()

    for analysis in _run(main()):
        assert _found_phone(analysis)


def test_an_analysis_that_raises_fails_that_page_only():
    async def main():
        analyser = Analyser(1, target=_failing)
        try:
            return await asyncio.gather(
                analyser.analyse(PAGE.replace("Contact", "boom"), URL),
                analyser.analyse(PAGE, URL),
                return_exceptions=True,
            )
        finally:
            analyser.close()

    failed, ok = _run(main())
    assert isinstance(failed, AnalysisFailed)
    assert "ValueError: page piégée" in str(failed)
    assert _found_phone(ok)


def test_a_dead_worker_fails_its_pages_and_is_replaced():
    async def main():
        analyser = Analyser(1, target=_dying)
        try:
            first = analyser._workers[0]
            outcome = await asyncio.gather(
                analyser.analyse(PAGE.replace("Contact", "die"), URL), return_exceptions=True
            )
            after = await analyser.analyse(PAGE, URL)  # a new worker takes over
            return outcome[0], first, after, analyser._workers[0]
        finally:
            analyser.close()

    failed, first, after, second = _run(main())
    assert isinstance(failed, AnalysisFailed)
    assert "arrêté (code 3)" in str(failed)
    assert not first.process.is_alive() and second is not first
    assert _found_phone(after)


def test_a_page_that_kills_its_worker_fails_alone_and_the_others_are_analysed():
    """Issue 12.11: another site's page waiting for the same worker was failed with "arrêté
    pour une autre page". Only the page being analysed when the worker died may fail."""

    async def main():
        analyser = Analyser(1, target=_dying)
        try:
            return await asyncio.gather(
                analyser.analyse(PAGE.replace("Contact", "die"), URL),
                analyser.analyse(PAGE, URL),
                analyser.analyse(PAGE, "https://www.autre-site.fr/"),
                return_exceptions=True,
            )
        finally:
            analyser.close()

    culprit, *others = _run(main())
    assert isinstance(culprit, AnalysisFailed) and "sur cette page" in str(culprit)
    assert all(_found_phone(o) for o in others)


def test_a_page_s_time_limit_starts_when_its_analysis_starts():
    """Pages waiting behind slow ones are not blamed for the wait: three pages of 0.6 s each
    on one worker with a 1 s limit all go through."""

    async def main():
        analyser = Analyser(1, target=_steady, timeout=1.0)
        try:
            return await asyncio.gather(
                *(analyser.analyse(PAGE, URL) for _ in range(3)), return_exceptions=True
            )
        finally:
            analyser.close()

    outcome = _run(main())
    assert all(isinstance(o, PageAnalysis) for o in outcome), outcome


def test_a_stop_signal_to_the_process_group_lets_the_pages_in_flight_finish():
    """Ctrl-C or systemd's SIGTERM reach the workers too; the crawl stops gracefully and
    still needs their answers. A second SIGTERM ends a worker (one stuck on a page)."""

    async def main():
        analyser = Analyser(1, target=_slow)
        try:
            worker = analyser._workers[0]
            await analyser.analyse(PAGE, URL)  # the worker is up and serving
            pending = asyncio.ensure_future(analyser.analyse(PAGE, URL))
            await asyncio.sleep(0.1)
            os.kill(worker.process.pid, signal.SIGINT)
            os.kill(worker.process.pid, signal.SIGTERM)
            analysis = await pending
            assert worker.process.is_alive()
            os.kill(worker.process.pid, signal.SIGTERM)
            worker.process.join(timeout=5)
            return analysis, worker.process.exitcode
        finally:
            analyser.close()

    analysis, exitcode = _run(main())
    assert _found_phone(analysis)
    assert exitcode == -signal.SIGTERM


def test_a_page_over_its_time_fails_alone_and_the_pages_behind_it_go_through():
    async def main():
        analyser = Analyser(1, target=_stuck, timeout=1.0)
        try:
            first = analyser._workers[0]
            started = time.monotonic()
            outcome = await asyncio.gather(
                analyser.analyse(PAGE.replace("Contact", "stuck"), URL),
                analyser.analyse(PAGE, URL),  # queued behind it on the same worker
                return_exceptions=True,
            )
            return outcome, time.monotonic() - started, first
        finally:
            analyser.close()

    (stuck, behind), elapsed, first = _run(main())
    assert isinstance(stuck, AnalysisFailed)
    assert "plus de 1 s pour cette page" in str(stuck)
    assert _found_phone(behind)
    assert not first.process.is_alive()
    assert elapsed < 30


def test_closing_ends_the_worker_processes():
    async def main():
        analyser = Analyser(2)
        await analyser.analyse(PAGE, URL)
        workers = list(analyser._workers)
        analyser.close()
        return workers

    workers = _run(main())
    assert len(workers) == 2
    assert all(not w.process.is_alive() and w.process.exitcode == 0 for w in workers)


def test_no_worker_means_inline():
    analyser = Analyser(0)
    assert _run(analyser.analyse(PAGE, URL)).findings == analyse_page(PAGE, URL).findings
    assert analyser._workers == []
