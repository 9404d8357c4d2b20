"""Cost of all checks per page against a bare lxml parse of the same pages, same run.

    .venv/bin/python bench/checks_cost.py [--rounds 20] [--corpus ../shared/corpus/real]
    .venv/bin/python bench/checks_cost.py --breakdown      # where the time goes

For each round, every corpus page is (a) parsed with ``lxml.html.document_fromstring``
alone — the baseline — and (b) turned into a :class:`checks.page.Page` and run through
every check, exactly what the crawler does per page. Rounds alternate (a) and (b) so that
machine noise hits both; the figure is the ratio of the medians. The checks' own share
(everything but the parse that the baseline also does) is printed too. Compare two versions
of the page model by their ratios, each measured against its own baseline in one run.

``--breakdown`` times each part separately — the parse, the rest of the ``Page``, the
shared views (links, link descriptions, folded text, digit runs, text nodes) and each
check — as the minimum over rounds of the per-page mean, the least noisy figure for
finding what to work on next.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path
from typing import Any

from lxml import html as lxml_html
from w3lib.encoding import html_to_unicode

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from checks import CHECK_IDS, run_checks  # noqa: E402
from checks._contact import digit_runs  # noqa: E402
from checks._links import link_infos  # noqa: E402
from checks.page import Page  # noqa: E402
from checks.registry import REGISTRY  # noqa: E402

#: Views shared by several checks, built on first use (timed apart in ``--breakdown``).
SHARED_VIEWS = {
    "page.links": lambda page: page.links,
    "link descriptions": link_infos,
    "page.folded": lambda page: page.folded,
    "digit runs": digit_runs,
    "text nodes (evidence)": lambda page: page._text_nodes,
}


def _timed(spent: dict[str, float], name: str, fn: Any, *args: Any) -> Any:
    start = time.perf_counter()
    value = fn(*args)
    spent[name] = spent.get(name, 0.0) + time.perf_counter() - start
    return value


def breakdown(texts: list[str], rounds: int) -> None:
    """Minimum over rounds of each part's mean time per page."""
    for text in texts:  # warm-up: imports (extruct…) and compiled patterns
        run_checks(Page(text, "https://bench.invalid/"))
    best: dict[str, float] = {}
    for _ in range(rounds):
        spent: dict[str, float] = {}
        for text in texts:
            _timed(spent, "bare lxml parse", lxml_html.document_fromstring, text)
            page = _timed(spent, "Page (parse included)", Page, text, "https://bench.invalid/")
            for name, view in SHARED_VIEWS.items():
                _timed(spent, name, view, page)
            for check_id in CHECK_IDS:
                _timed(spent, f"check {check_id}", REGISTRY[check_id], page)
        for name, seconds in spent.items():
            best[name] = min(best.get(name, float("inf")), seconds / len(texts))
    parse = best["bare lxml parse"]
    print(f"{'part':32s} ms/page  × parse")
    for name, seconds in sorted(best.items(), key=lambda item: -item[1]):
        print(f"{name:32s} {seconds * 1000:7.3f}  {seconds / parse:6.2f}")
    total = sum(v for k, v in best.items() if k != "bare lxml parse")
    print(f"{'sum of all but the bare parse':32s} {total * 1000:7.3f}  {total / parse:6.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--corpus", default=str(ROOT.parent / "shared/corpus/real"))
    parser.add_argument("--breakdown", action="store_true", help="time each part apart")
    args = parser.parse_args()
    files = sorted(Path(args.corpus).glob("*.html"))
    if not files:
        sys.exit(f"no HTML page under {args.corpus}")
    texts = [html_to_unicode(None, f.read_bytes())[1] for f in files]
    total_bytes = sum(len(t) for t in texts)
    if args.breakdown:
        breakdown(texts, args.rounds)
        return
    base_times, check_times = [], []
    for _ in range(args.rounds):
        t0 = time.perf_counter()
        for text in texts:
            lxml_html.document_fromstring(text)
        t1 = time.perf_counter()
        for text in texts:
            run_checks(Page(text, "https://bench.invalid/"))
        t2 = time.perf_counter()
        base_times.append((t1 - t0) / len(texts))
        check_times.append((t2 - t1) / len(texts))
    base = statistics.median(base_times)
    full = statistics.median(check_times)
    print(f"pages: {len(texts)} ({total_bytes / 1024:.0f} KiB of HTML), rounds: {args.rounds}")
    print(f"bare lxml parse     : {base * 1000:.2f} ms/page (median)")
    print(f"Page + all checks   : {full * 1000:.2f} ms/page (median)")
    print(f"ratio               : {full / base:.2f}× the bare parse")
    print(f"checks beyond parse : {(full - base) / base:.2f}× the bare parse")


if __name__ == "__main__":
    main()
