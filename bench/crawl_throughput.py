"""Crawl throughput of Vigie (all checks, store) against a bare Scrapy spider, same run.

    .venv/bin/python bench/crawl_throughput.py [--sites 50] [--pages 30] [--rounds 3] [--turns 4]

A synthetic administration web (``crawler/demo/synthetic.py``, a separate process) is
crawled by ``vigie crawl`` with every static check and the SQLite store, and by a bare
Scrapy spider (``bare_spider.py``) that fetches exactly the pages Vigie fetched, with the
same politeness settings and one download slot per site. Throughput is pages / Scrapy's
``elapsed_time_seconds``; the figure is Vigie's divided by the bare spider's.

A round of ~2 s (20 sites × 30 pages, one crawl each) gave 0.37 to 0.81 in one run, and
one long crawl each is no better on a shared machine: the other work comes and goes by
the minute and falls on one side (200 sites × 30 pages, 1–2 min a crawl: 0.31 to 0.46).
So a round is ``--turns`` pairs of crawls, one of each side back to back, the order
swapped every pair (Vigie, bare, bare, Vigie…: the bare spider fetches the pages of the
latest Vigie crawl, the same pages, the crawl being deterministic), and its ratio is the
median of its pairs' ratios: a pair that the other work of a shared machine fell on
(a minute's load lands on one side of one pair) is left out rather than averaged in. With
the defaults a round crawls 4 × 1 500 pages each side, after one warm-up pair not counted
(the server's page cache, the system's file cache). The synthetic web keeps its pages once
generated (``--cache-pages``; ``--no-server-cache`` as before): it is a third process on
two cores, and the CPU it spends per page, printed for each side, is taken from the
crawlers. The script prints each round's ratio and its pairs,
their median and their spread (the largest distance of a round from the median, in %:
the rounds agree within ±10 % when it is ≤ 10 %), the CPU time per page of each side (user
+ system of the crawl process, of its analysis workers, whose forkserver it does not wait
for, adopted here as a subreaper, and of the bare spider) and the load average at the end
of each round. The CPU ratios hold better than the throughput when the machine is shared;
the crawl process's CPU per page against the bare spider's bounds what the throughput
ratio can be on an idle machine, where the analysis has a core of its own. Target: ratio
≥ 0.8.
"""

from __future__ import annotations

import argparse
import ctypes
import json
import os
import resource
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from synthetic_web import synthetic_web

ROOT = Path(__file__).resolve().parents[1]
PY = sys.executable
#: Same for both crawlers: no artificial delay, so the figure measures the software.
SETTINGS = {
    "AUTOTHROTTLE_ENABLED": False,
    "DOWNLOAD_DELAY": 0,
    "CONCURRENT_REQUESTS": 32,
    "CONCURRENT_REQUESTS_PER_DOMAIN": 2,
    "ROBOTSTXT_OBEY": True,
    "RETRY_ENABLED": False,
    "COOKIES_ENABLED": False,
    "CONCURRENT_ITEMS": 2,  # Vigie's default (Scrapy's is 100); see --baseline-items
    "TELNETCONSOLE_ENABLED": False,
    "REMOTE_CONTROL_ENABLED": False,
}


PR_SET_CHILD_SUBREAPER = 36


def children_cpu() -> float:
    """User + system CPU seconds of the finished children (and their own children)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def own_children() -> set[int]:
    """The pids of this process's children (``/proc``: their parent pid)."""
    me, found = os.getpid(), set()
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as fh:
                    parent = int(fh.read().rpartition(")")[2].split()[1])
            except OSError:  # ended meanwhile
                continue
            if parent == me:
                found.add(int(entry))
    return found


def timed(cmd: list[str], keep: set[int]) -> tuple[str, float, float]:
    """Run ``cmd``: its stdout, the CPU seconds of its own process, and of it and all its
    descendants.

    Vigie's analysis workers are children of a *forkserver* that the crawl process does
    not wait for: this process is a subreaper (``PR_SET_CHILD_SUBREAPER``), adopts them
    and reaps them, so that their CPU time is counted. ``keep``: children that are not the
    command's (the synthetic web's server).
    """
    before = children_cpu()
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        sys.exit(f"échec de {cmd[:4]} : code {proc.returncode}")
    deadline = time.monotonic() + 30
    while (orphans := own_children() - keep) and time.monotonic() < deadline:
        for pid in orphans:
            try:
                if os.waitpid(pid, os.WNOHANG)[0] == 0:
                    time.sleep(0.05)
            except ChildProcessError:
                pass
    if orphans:
        print(f"processus non terminés, CPU non compté : {sorted(orphans)}", file=sys.stderr)
    return out, usage.ru_utime + usage.ru_stime, children_cpu() - before


def run_vigie(
    seeds: Path, db: Path, pages: int, workers: str, extra: list[str], keep: set[int]
) -> tuple[int, float, float, float, list[tuple[str, str]]]:
    """Pages stored, Scrapy's elapsed seconds, CPU seconds of the crawl process and of all
    Vigie's processes, and the (site, URL) fetched."""
    cmd = [PY, "-m", "crawler.cli", "crawl", "--seeds", str(seeds), "--db", f"sqlite:///{db}"]
    cmd += ["--allow-private", "--quiet", "--no-audit", "--no-report"]
    cmd += ["--max-pages-per-site", str(pages), "-s", "VIGIE_PROGRESS_INTERVAL=0"]
    cmd += ["-s", f"VIGIE_ANALYSIS_WORKERS={workers}"]
    for name, value in SETTINGS.items():
        cmd += ["-s", f"{name}={value}"]
    for setting in extra:
        cmd += ["-s", setting]
    _, reactor, cpu = timed(cmd, keep)
    con = sqlite3.connect(db)
    run_id, stats = con.execute("select id, stats from runs order by id desc limit 1").fetchone()
    rows = con.execute("select site_id, url from pages where run_id=?", (run_id,)).fetchall()
    con.close()
    elapsed = json.loads(stats)["elapsed_time_seconds"]
    return len(rows), float(elapsed), reactor, cpu, rows


def run_bare(
    rows: list[tuple[str, str]], workdir: Path, items: int | None, keep: set[int], follow: bool
) -> tuple[int, float, float]:
    """Pages fetched, Scrapy's elapsed seconds and CPU seconds of the bare spider."""
    urls = workdir / "urls.tsv"
    urls.write_text("".join(f"{s}\t{u}\n" for s, u in rows), encoding="utf-8")
    settings = dict(SETTINGS)
    if items is None:
        settings.pop("CONCURRENT_ITEMS")  # Scrapy's own default
    else:
        settings["CONCURRENT_ITEMS"] = items
    cmd = [PY, str(ROOT / "bench/bare_spider.py"), str(urls), json.dumps(settings)]
    out, _, cpu = timed([*cmd, *(["follow"] if follow else [])], keep)
    stats = json.loads(out)
    return int(stats.get("bare/pages", 0)), float(stats["elapsed_time_seconds"]), cpu


def server_cpu(pids: set[int]) -> float:
    """User + system CPU seconds of the synthetic web's server so far (``/proc``)."""
    total = 0
    for pid in pids:
        with open(f"/proc/{pid}/stat") as fh:
            fields = fh.read().rpartition(")")[2].split()
        total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15)
    return total / os.sysconf("SC_CLK_TCK")


class Side:
    """One crawler's sums over the turns of a round."""

    def __init__(self) -> None:
        self.pages, self.seconds, self.cpu, self.reactor = 0, 0.0, 0.0, 0.0
        self.server = 0.0  # the synthetic web's CPU while this side crawled

    def add(self, pages: int, seconds: float, cpu: float, reactor: float = 0.0) -> None:
        self.pages += pages
        self.seconds += seconds
        self.cpu += cpu
        self.reactor += reactor

    @property
    def rate(self) -> float:
        return self.pages / self.seconds

    @property
    def cpu_per_page(self) -> float:
        return self.cpu / self.pages * 1000


def spread(values: list[float]) -> float:
    """The largest distance of a value from the median, in % of the median."""
    middle = statistics.median(values)
    return max(abs(v / middle - 1) for v in values) * 100


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sites", type=int, default=50)
    parser.add_argument("--pages", type=int, default=30)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--turns",
        type=int,
        default=4,
        help="crawls of each side per round, in alternation (vigie, bare, bare, vigie…)",
    )
    parser.add_argument(
        "--baseline-items",
        default="same",
        help="CONCURRENT_ITEMS of the bare spider: 'same' as Vigie (2, the fair default) "
        "or 'scrapy' for Scrapy's own default (100)",
    )
    parser.add_argument(
        "--workers",
        nargs="+",
        default=["auto"],
        help="VIGIE_ANALYSIS_WORKERS values to compare (e.g. 0 1 auto)",
    )
    parser.add_argument(
        "-s",
        dest="extra",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a further setting for Vigie's crawl (repeatable)",
    )
    parser.add_argument(
        "--bare-follows-links",
        action="store_true",
        help="the bare spider finds the pages by their links (Scrapy's LinkExtractor) "
        "instead of fetching the list of Vigie's pages",
    )
    parser.add_argument(
        "--no-server-cache",
        action="store_true",
        help="the synthetic web generates each page at each request, as before 17.2",
    )
    args = parser.parse_args()
    items = None if args.baseline_items == "scrapy" else 2
    ratios: dict[str, list[float]] = {w: [] for w in args.workers}
    cpu_ratios: dict[str, list[float]] = {w: [] for w in args.workers}
    reactor_ratios: dict[str, list[float]] = {w: [] for w in args.workers}
    ctypes.CDLL(None).prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
    cache = 0 if args.no_server_cache else args.sites * (args.pages + 1)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        seeds = work / "seeds.csv"
        with synthetic_web(args.sites, args.pages, seeds, cache_pages=cache):
            server = own_children()
            fetched: dict[str, list[tuple[str, str]]] = {}

            def turn_of(side: Side, run: Any, *run_args: Any) -> tuple[Any, ...]:
                """One crawl, counted to ``side`` with the server's CPU meanwhile."""
                before = server_cpu(server)
                out = run(*run_args)
                side.server += server_cpu(server) - before
                return out

            def bare_args(rows: list[tuple[str, str]]) -> tuple[Any, ...]:
                return rows, work, items, server, args.bare_follows_links

            for workers in args.workers:  # warm-up: the server's cache, the OS's, imports
                db = work / f"warm-{workers}.db"
                *_, fetched[workers] = run_vigie(seeds, db, args.pages, workers, args.extra, server)
                run_bare(fetched[workers], work, items, server, args.bare_follows_links)
            for r in range(args.rounds):
                for workers in args.workers:
                    vigie, bare = Side(), Side()
                    pairs = []
                    for turn in range(args.turns):
                        db = work / f"v{r}-{turn}-{workers}.db"
                        bare_first = turn % 2 == 1
                        if bare_first:
                            b = turn_of(bare, run_bare, *bare_args(fetched[workers]))
                        n, t, reactor, cpu, fetched[workers] = turn_of(
                            vigie, run_vigie, seeds, db, args.pages, workers, args.extra, server
                        )
                        vigie.add(n, t, cpu, reactor)
                        if not bare_first:
                            b = turn_of(bare, run_bare, *bare_args(fetched[workers]))
                        if b[0] != n:
                            print(f"warning: the bare spider fetched {b[0]} pages, Vigie {n}")
                        bare.add(*b)
                        pairs.append((n / t) / (b[0] / b[1]))
                    # Each pair ran back to back: the median of the pairs leaves out a
                    # turn that the other work of a shared machine fell on.
                    ratio = statistics.median(pairs)
                    ratios[workers].append(ratio)
                    cpu_ratios[workers].append(vigie.cpu_per_page / bare.cpu_per_page)
                    reactor = vigie.reactor / vigie.pages * 1000
                    reactor_ratios[workers].append(reactor / bare.cpu_per_page)
                    print(
                        f"round {r + 1}, analysis workers={workers}, load "
                        f"{os.getloadavg()[0]:.1f}: vigie {vigie.pages} pages in "
                        f"{vigie.seconds:.1f} s ({vigie.rate:.0f} p/s, CPU/page "
                        f"{vigie.cpu_per_page:.2f} ms of which "
                        f"{reactor:.2f} in the crawl process; server "
                        f"{vigie.server / vigie.pages * 1000:.2f}), "
                        f"bare {bare.pages} pages in {bare.seconds:.1f} s ({bare.rate:.0f} p/s, "
                        f"CPU/page {bare.cpu_per_page:.2f} ms; server "
                        f"{bare.server / bare.pages * 1000:.2f}), ratio {ratio:.2f} "
                        f"(pairs {', '.join(f'{p:.2f}' for p in pairs)})",
                        flush=True,
                    )
    for workers, values in ratios.items():
        print(
            f"analysis workers={workers}, {args.sites} sites × {args.pages} pages, "
            f"{len(values)} rounds: ratio vigie/bare throughput median "
            f"{statistics.median(values):.2f} (target ≥ 0.8), rounds "
            f"{', '.join(f'{v:.2f}' for v in values)}, spread ±{spread(values):.0f} %; "
            f"CPU per page vigie/bare median {statistics.median(cpu_ratios[workers]):.2f} "
            f"(spread ±{spread(cpu_ratios[workers]):.0f} %), crawl process alone/bare "
            f"{statistics.median(reactor_ratios[workers]):.2f} "
            f"(spread ±{spread(reactor_ratios[workers]):.0f} %)"
        )


if __name__ == "__main__":
    main()
