"""Cost of all checks per page against a bare lxml parse of the same pages, same run.

    .venv/bin/python bench/checks_cost.py [--rounds 20] [--corpus ../shared/corpus/real]

For each round, every corpus page is (a) parsed with ``lxml.html.document_fromstring``
alone — the baseline — and (b) turned into a :class:`checks.page.Page` and run through
every check, exactly what the crawler does per page. Rounds alternate (a) and (b) so that
machine noise hits both; the figure is the ratio of the medians (target: ≤ 3×).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

from lxml import html as lxml_html
from w3lib.encoding import html_to_unicode

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from checks import run_checks  # noqa: E402
from checks.page import Page  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--corpus", default=str(ROOT.parent / "shared/corpus/real"))
    args = parser.parse_args()
    files = sorted(Path(args.corpus).glob("*.html"))
    if not files:
        sys.exit(f"no HTML page under {args.corpus}")
    texts = [html_to_unicode(None, f.read_bytes())[1] for f in files]
    total_bytes = sum(len(t) for t in texts)
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
    print(f"ratio               : {full / base:.2f}× the bare parse (target ≤ 3×)")


if __name__ == "__main__":
    main()
