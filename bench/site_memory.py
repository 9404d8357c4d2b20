"""What one more site costs the crawl process in memory, at national scale (issue 17.3).

    .venv/bin/python bench/site_memory.py [--sites 1000 3000] [--pages 20]
                                          [--baseline DIR] [--rounds 1]

The synthetic administration web (``synthetic_web.py``, as ``national.py`` serves it) is
served once with the largest ``--sites``; for each size N, ``vigie crawl`` crawls its first N
sites in one process (every static check, SQLite store, ``--no-audit --no-report``,
``scale.py``'s settings). A bench-only Scrapy extension (:class:`RssAtClose`, loaded from
this folder) writes the crawl process's peak RSS when the spider closes: the memory of the
crawl itself, before the end-of-run summary (the findings table, pandas) adds its own. The
analysis worker processes are not counted: their memory does not grow with the sites.

Printed per size: the crawl process's peak RSS and the pages stored; then the slope between
the smallest and the largest size, in KiB per site: what a seed list of 80 000 sites (the
whole Annuaire) would add to the crawl process. ``--baseline DIR`` runs the same crawls with
another version's source tree (``git archive COMMIT | tar -x -C DIR``), alternately, and
prints the ratio of the slopes (this version / the baseline) measured in the same run.
Linux only (``/proc``, ``ru_maxrss`` in KiB).
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from national import pages_of_last_run, raise_fd_limit, slice_seeds
from scale import crawl_cmd
from synthetic_web import synthetic_web

ROOT = Path(__file__).resolve().parents[1]
BENCH = Path(__file__).resolve().parent
MARK = "vigie-bench-rss-at-close-kib="
#: The Annuaire de l'administration's size, sites with a web address (the extrapolation).
NATIONAL_SITES = 80_000


class RssAtClose:
    """Scrapy extension: the process's peak RSS so far, on stderr, when the spider closes."""

    @classmethod
    def from_crawler(cls, crawler: Any) -> RssAtClose:
        from scrapy import signals

        extension = cls()
        crawler.signals.connect(extension.closed, signal=signals.spider_closed)
        return extension

    def closed(self, spider: Any, reason: str) -> None:
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
        print(f"{MARK}{peak}", file=sys.stderr, flush=True)


def crawl_peak(seeds: Path, db_path: Path, pages: int, tree: Path) -> tuple[float, int, float]:
    """Crawl ``seeds`` with the code of ``tree``: peak RSS at close (MiB), pages, seconds."""
    # Vigie's own extensions kept (crawler/settings.py), the measure's added.
    extension = '{"crawler.progress.Progress": 500, "site_memory.RssAtClose": 900}'
    cmd = crawl_cmd(seeds, f"sqlite:///{db_path}", pages, "-s", f"EXTENSIONS={extension}")
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(tree), str(BENCH)]))
    started = time.monotonic()
    proc = subprocess.run(cmd, cwd=tree, env=env, capture_output=True, text=True)
    elapsed = time.monotonic() - started
    if proc.returncode != 0:
        sys.exit(f"échec de l'exploration ({tree}) : {proc.stderr[-3000:]}")
    marks = [line for line in proc.stderr.splitlines() if line.startswith(MARK)]
    if not marks:
        sys.exit(f"pas de mesure à la fermeture de l'araignée ({tree}) : {proc.stderr[-2000:]}")
    return int(marks[-1][len(MARK) :]) / 1024, pages_of_last_run(db_path), elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sites", type=int, nargs="+", default=[1000, 3000])
    parser.add_argument("--pages", type=int, default=20)
    parser.add_argument("--baseline", type=Path, help="another version's source tree")
    parser.add_argument("--rounds", type=int, default=1)
    args = parser.parse_args()
    sizes = sorted(args.sites)
    if len(sizes) < 2:
        parser.error("--sites : au moins deux tailles, pour une pente")
    raise_fd_limit(sizes[-1])
    trees = [("cette version", ROOT)]
    if args.baseline:
        trees.append(("référence", args.baseline.resolve()))
    index = {name: i for i, (name, _) in enumerate(trees)}  # a store per version
    peaks: dict[str, dict[int, list[float]]] = {name: {n: [] for n in sizes} for name, _ in trees}
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        seeds = work / "all.csv"
        with synthetic_web(sizes[-1], args.pages, seeds):
            for round_ in range(args.rounds):
                order = trees if round_ % 2 == 0 else trees[::-1]
                for n in sizes:
                    part = slice_seeds(seeds, 0, n, work / f"s{n}.csv")
                    for name, tree in order:
                        db = work / f"{round_}-{n}-{index[name]}.db"
                        peak, stored, seconds = crawl_peak(part, db, args.pages, tree)
                        peaks[name][n].append(peak)
                        print(
                            f"tour {round_ + 1} {name}, {n} sites : pic {peak:.1f} MiB à la "
                            f"fermeture, {stored} pages sur {n * args.pages}, {seconds:.0f} s",
                            flush=True,
                        )
                        if stored != n * args.pages:
                            print("  attention : toutes les pages ne sont pas rangées")
    slopes = {}
    for name, _ in trees:
        low = min(peaks[name][sizes[0]])
        high = min(peaks[name][sizes[-1]])
        slopes[name] = (high - low) * 1024 / (sizes[-1] - sizes[0])
        extra = slopes[name] * NATIONAL_SITES / 1024
        print(
            f"{name} : {low:.1f} → {high:.1f} MiB (le plus bas des tours), "
            f"{slopes[name]:.1f} Kio par site ; {NATIONAL_SITES} sites : +{extra:.0f} Mio"
        )
    if args.baseline:
        base = slopes["référence"]
        ratio = slopes["cette version"] / base if base else float("nan")
        print(f"pente de cette version / référence : {ratio:.2f}")


if __name__ == "__main__":
    main()
