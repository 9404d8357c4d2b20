"""bench/scale.py's crawl with several variants of Vigie, alternated in one run.

    .venv/bin/python bench/scale_variants.py --sites 1000 --pages 20 --rounds 2 \\
        --variant before:/tmp/vigie-before: --variant after:.:

A variant is ``label:source tree:NAME=VALUE,…``: the crawl runs ``python -m crawler.cli``
in that tree (its own code, with this ``.venv``), with those environment variables. The
synthetic web is served once; each round crawls the same sites with every variant in
turn, each into a fresh SQLite store, with ``scale.crawl_cmd``'s command and settings.
Printed per crawl: wall time, pages/s, and the CPU time (user + system, read from /proc
every 0.2 s) of the crawl process (Scrapy's reactor) and of the rest of its process tree
(the analysis processes), per page. On a shared machine the wall time follows the other
work's load; CPU time much less, and it tells which process bounds the crawl. Linux only.
"""

from __future__ import annotations

import argparse
import ctypes
import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from scale import crawl_cmd
from synthetic_web import synthetic_web

TICK = os.sysconf("SC_CLK_TCK")
PR_SET_CHILD_SUBREAPER = 36


def _processes() -> dict[int, tuple[int, float]]:
    """pid -> (parent pid, user + system CPU seconds) of every process."""
    table = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as fh:
                    fields = fh.read().rpartition(")")[2].split()
            except OSError:  # ended meanwhile
                continue
            table[int(entry)] = (int(fields[1]), (int(fields[11]) + int(fields[12])) / TICK)
    return table


def _descendants(table: dict[int, tuple[int, float]], root: int) -> set[int]:
    found: set[int] = set()
    frontier = {root}
    while frontier:
        frontier = {pid for pid, (ppid, _) in table.items() if ppid in frontier} - found
        found |= frontier
    return found


def _crawl(cmd: list[str], env: dict[str, str], cwd: Path, exclude: set[int]):
    """Run one crawl: wall time, CPU of the crawl process, CPU of the rest of its tree."""
    cpu: dict[int, float] = {}
    started = time.monotonic()
    proc = subprocess.Popen(
        cmd, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    while proc.poll() is None:
        table = _processes()
        # The analysis forkserver outlives its parent's wait: as a subreaper, this process
        # adopts it, so it is looked for among this process's descendants too.
        tree = {proc.pid} | _descendants(table, proc.pid) | _descendants(table, os.getpid())
        for pid in tree - exclude:
            if pid in table:
                cpu[pid] = table[pid][1]
        time.sleep(0.2)
    wall = time.monotonic() - started
    assert proc.stderr is not None
    err = proc.stderr.read()
    if proc.returncode != 0:
        sys.exit(f"crawl failed: {err[-2000:]}")
    while True:  # reap what the crawl left behind
        try:
            if os.waitpid(-1, os.WNOHANG) == (0, 0):
                break
        except ChildProcessError:
            break
    reactor = cpu.pop(proc.pid, 0.0)
    return wall, reactor, sum(cpu.values())


def _stored(db: Path) -> tuple[int, int]:
    """Pages stored, and findings in error."""
    with sqlite3.connect(db) as con:
        pages = con.execute("SELECT count(*) FROM pages").fetchone()[0]
        errors = con.execute("SELECT count(*) FROM findings WHERE status = 'error'").fetchone()
    return pages, errors[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sites", type=int, default=1000)
    parser.add_argument("--pages", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--variant", action="append", required=True, metavar="LABEL:TREE:ENV")
    args = parser.parse_args()
    variants = []
    for spec in args.variant:
        label, tree, env = spec.split(":", 2)
        settings = dict(item.split("=", 1) for item in env.split(",") if item)
        variants.append((label, Path(tree).resolve(), settings))
    ctypes.CDLL(None).prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
    pages = args.sites * args.pages
    rows: dict[str, list[tuple[float, float, float]]] = {label: [] for label, _, _ in variants}
    with tempfile.TemporaryDirectory() as tmp:
        seeds = Path(tmp) / "sites.csv"
        with synthetic_web(args.sites, args.pages, seeds):
            server = _descendants(_processes(), os.getpid())
            for round_ in range(1, args.rounds + 1):
                for label, tree, settings in variants:
                    db = Path(tmp) / f"{label}-{round_}.db"
                    load = os.getloadavg()[0]
                    wall, reactor, analysis = _crawl(
                        crawl_cmd(seeds, f"sqlite:///{db}", args.pages),
                        {**os.environ, **settings},
                        tree,
                        server,
                    )
                    stored, errors = _stored(db)
                    rows[label].append((pages / wall, reactor, analysis))
                    print(
                        f"round {round_} {label:10s} {wall:6.1f} s {pages / wall:6.1f} pages/s"
                        f" | CPU a page: crawl process {reactor * 1000 / pages:.2f} ms, analysis"
                        f" {analysis * 1000 / pages:.2f} ms | load {load:.1f}"
                        f" | {stored} pages, {errors} findings in error",
                        flush=True,
                    )
    first = variants[0][0]
    reference = statistics.median(rate for rate, _, _ in rows[first])
    for label, values in rows.items():
        rate, reactor, analysis = (statistics.median(v[i] for v in values) for i in range(3))
        print(
            f"{label:10s} median {rate:6.1f} pages/s ({first}/{label}: {reference / rate:.2f}×),"
            f" crawl process {reactor * 1000 / pages:.2f} ms, analysis"
            f" {analysis * 1000 / pages:.2f} ms a page"
        )


if __name__ == "__main__":
    main()
