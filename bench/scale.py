"""Crawl cost as the seed list grows, and two workers against one (issue 5).

    .venv/bin/python bench/scale.py [--sizes 100 300 1000] [--pages 20] [--workers] [--reports]

A synthetic administration web of the largest size (``crawler/demo/synthetic.py``, one
process, one port per site, ``--pages`` pages per site) is served once; for each size, the
first N sites are crawled by ``vigie crawl`` with every static check and the SQLite store
(``--no-audit --no-report``, no artificial delay), and the wall time and peak memory
(max RSS of the crawl process) are measured. Linearity is the ratio of the largest run's
time to (largest / smallest) smallest runs: 1.0 is perfectly linear (target ≤ 1.2).

``--reports`` also times ``vigie report`` and ``vigie table`` on each size's store (wall
time, peak memory), with the same linearity ratio for the report.

``--workers`` also crawls the smallest size with two workers sharing a Redis frontier and
a PostgreSQL store (started by ``tests/services.sh``, root only), against one worker on the
same Redis + PostgreSQL setup, and reports the throughput ratio.
"""

from __future__ import annotations

import argparse
import csv
import os
import resource
import shlex
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from synthetic_web import synthetic_web

ROOT = Path(__file__).resolve().parents[1]
PY = sys.executable
SETTINGS = (
    "AUTOTHROTTLE_ENABLED=False",
    "DOWNLOAD_DELAY=0",
    "VIGIE_PROGRESS_INTERVAL=0",
    "RETRY_ENABLED=False",
)


def crawl_cmd(seeds: Path, db: str, pages: int, *extra: str) -> list[str]:
    cmd = [
        PY,
        "-m",
        "crawler.cli",
        "crawl",
        "--seeds",
        str(seeds),
        "--db",
        db,
        "--allow-private",
        "--quiet",
        "--no-audit",
        "--no-report",
        "--max-pages-per-site",
        str(pages),
        *extra,
    ]
    for setting in SETTINGS:
        cmd += ["-s", setting]
    return cmd


def timed(cmds: list[list[str]]) -> tuple[float, float]:
    """Run commands at once; wall time (s) and the largest child max RSS (MiB)."""
    started = time.monotonic()
    procs = [
        subprocess.Popen(c, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        for c in cmds
    ]
    peak = 0.0
    for proc in procs:
        _, err = proc.communicate()
        if proc.returncode != 0:
            sys.exit(f"crawl failed: {err[-2000:]}")
    elapsed = time.monotonic() - started
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return elapsed, peak


#: Runs a command and prints the peak RSS (MiB) of its process: the max RSS of a parent's
#: children is cumulative, so each measured command gets a fresh parent.
PEAK_WRAPPER = (
    "import resource,subprocess,sys;"
    "subprocess.run(sys.argv[1:],check=True,stdout=subprocess.DEVNULL);"
    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss/1024)"
)


def measured(cmd: list[str]) -> tuple[float, float]:
    """Run ``cmd`` alone; wall time (s) and its peak RSS (MiB)."""
    started = time.monotonic()
    out = subprocess.run([PY, "-c", PEAK_WRAPPER, *cmd], cwd=ROOT, capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit(out.stderr[-2000:])
    return time.monotonic() - started, float(out.stdout.strip())


def subset(seeds: Path, n: int, out: Path) -> Path:
    with open(seeds, encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    with open(out, "w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows(rows[: n + 1])
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 300, 1000])
    parser.add_argument("--pages", type=int, default=20)
    parser.add_argument("--workers", action="store_true")
    parser.add_argument("--reports", action="store_true", help="time vigie report and table too")
    args = parser.parse_args()
    sizes = sorted(args.sizes)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        seeds = work / "all.csv"
        with synthetic_web(sizes[-1], args.pages, seeds):
            times: dict[int, float] = {}
            report_times: dict[int, float] = {}
            for n in sizes:
                part = subset(seeds, n, work / f"s{n}.csv")
                db = f"sqlite:///{work}/v{n}.db"
                elapsed, peak = measured(crawl_cmd(part, db, args.pages))
                times[n] = elapsed
                print(
                    f"{n:>5} sites × {args.pages} pages: {elapsed:7.1f} s, "
                    f"{n * args.pages / elapsed:6.1f} pages/s, peak RSS {peak:.0f} MiB",
                    flush=True,
                )
                if args.reports:
                    cli = [PY, "-m", "crawler.cli"]
                    report = measured([*cli, "report", "-o", str(work / f"r{n}"), "--db", db])
                    table = measured([*cli, "table", "-o", str(work / f"t{n}.csv"), "--db", db])
                    report_times[n] = report[0]
                    print(
                        f"{'':>5} vigie report {report[0]:6.2f} s, peak RSS {report[1]:.0f} MiB; "
                        f"vigie table {table[0]:5.2f} s, peak RSS {table[1]:.0f} MiB",
                        flush=True,
                    )
            small, large = sizes[0], sizes[-1]
            ratio = times[large] / (times[small] * large / small)
            print(
                f"linearity: t({large}) / ({large // small} × t({small})) = {ratio:.2f} "
                "(target ≤ 1.2)"
            )
            if args.reports:
                ratio = report_times[large] / (report_times[small] * large / small)
                print(
                    f"report linearity: t({large}) / ({large // small} × t({small})) = {ratio:.2f}"
                )
            if args.workers:
                env = subprocess.run(
                    ["bash", str(ROOT / "tests/services.sh"), "start"],
                    capture_output=True,
                    text=True,
                    check=True,
                ).stdout
                urls = dict(
                    line.removeprefix("export ").split("=", 1)
                    for line in env.splitlines()
                    if line.startswith("export ")
                )
                part = subset(seeds, small, work / "w.csv")
                base = urls["VIGIE_TEST_PG_URL"]
                results = {}
                for n_workers in (1, 2):
                    label = f"bench-{uuid.uuid4().hex[:8]}"
                    db = base.rsplit("/", 1)[0] + "/postgres"
                    cmds = [
                        crawl_cmd(
                            part,
                            db,
                            args.pages,
                            "--redis",
                            urls["VIGIE_TEST_REDIS_URL"],
                            "--run-label",
                            label,
                        )
                        for _ in range(n_workers)
                    ]
                    elapsed, _ = timed(cmds)
                    results[n_workers] = elapsed
                    print(
                        f"{n_workers} worker(s), {small} sites: {elapsed:.1f} s "
                        f"({small * args.pages / elapsed:.1f} pages/s)",
                        flush=True,
                    )
                print(f"two workers / one worker throughput: {results[1] / results[2]:.2f}×")
                print(
                    "(services left running; stop them with: "
                    f"{shlex.join(['bash', 'tests/services.sh', 'stop'])})"
                )
    os.environ.pop("VIGIE_TEST_PG_URL", None)


if __name__ == "__main__":
    main()
