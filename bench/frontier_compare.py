"""Crawl throughput and CPU per page of two checkouts of Vigie, alternated in one run.

    mkdir /tmp/vigie-before && git archive main | tar -x -C /tmp/vigie-before
    .venv/bin/python bench/frontier_compare.py --before /tmp/vigie-before --after . \\
        --sites 20 --pages 30 --rounds 6

Each round crawls the same synthetic web (``crawler/demo/synthetic.py``) with ``vigie crawl``
from the checkout before, then after (the order swapped every other round), with the
settings of ``bench/crawl_throughput.py``. Throughput is pages / Scrapy's elapsed time; CPU
is the user + system time of the crawl and of its analysis workers. On a shared machine the
CPU per page is the steadier of the two figures.
"""

from __future__ import annotations

import argparse
import json
import resource
import sqlite3
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from synthetic_web import synthetic_web

SETTINGS = {
    "AUTOTHROTTLE_ENABLED": False,
    "DOWNLOAD_DELAY": 0,
    "CONCURRENT_REQUESTS": 32,
    "CONCURRENT_REQUESTS_PER_DOMAIN": 2,
    "ROBOTSTXT_OBEY": True,
    "RETRY_ENABLED": False,
    "VIGIE_PROGRESS_INTERVAL": 0,
}


def crawl(checkout: Path, seeds: Path, db: Path, pages: int) -> tuple[int, float, float]:
    """Pages stored, Scrapy's elapsed time and the CPU seconds of one ``vigie crawl``."""
    cmd = [sys.executable, "-m", "crawler.cli", "crawl", "--seeds", str(seeds)]
    cmd += ["--db", f"sqlite:///{db}", "--allow-private", "--quiet", "--no-audit"]
    cmd += ["--no-report", "--max-pages-per-site", str(pages)]
    for name, value in SETTINGS.items():
        cmd += ["-s", f"{name}={value}"]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(cmd, check=True, cwd=checkout, stdout=subprocess.DEVNULL)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    con = sqlite3.connect(db)
    run_id, stats = con.execute("select id, stats from runs order by id desc limit 1").fetchone()
    count = con.execute("select count(*) from pages where run_id=?", (run_id,)).fetchone()[0]
    con.close()
    return count, float(json.loads(stats)["elapsed_time_seconds"]), cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", type=Path, required=True)
    parser.add_argument("--after", type=Path, required=True)
    parser.add_argument("--sites", type=int, default=20)
    parser.add_argument("--pages", type=int, default=30)
    parser.add_argument("--rounds", type=int, default=4)
    args = parser.parse_args()
    speed, cost = [], []
    with tempfile.TemporaryDirectory() as tmp:
        seeds = Path(tmp) / "seeds.csv"
        with synthetic_web(args.sites, args.pages, seeds):
            for r in range(args.rounds):
                order = [("before", args.before), ("after", args.after)]
                if r % 2:
                    order.reverse()
                pace, cpu_per_page = {}, {}
                for name, checkout in order:
                    db = Path(tmp) / f"{name}-{r}.db"
                    n, elapsed, cpu = crawl(checkout.resolve(), seeds, db, args.pages)
                    pace[name], cpu_per_page[name] = n / elapsed, cpu / n * 1000
                    print(
                        f"round {r + 1} {name}: {n} pages in {elapsed:.2f} s "
                        f"({n / elapsed:.1f} p/s), CPU {cpu:.1f} s ({cpu / n * 1000:.2f} ms/page)",
                        flush=True,
                    )
                speed.append(pace["after"] / pace["before"])
                cost.append(cpu_per_page["after"] / cpu_per_page["before"])
    print(
        f"median after/before, {args.sites} sites × {args.pages} pages, {args.rounds} rounds: "
        f"throughput {statistics.median(speed):.2f}, CPU per page {statistics.median(cost):.2f}"
    )


if __name__ == "__main__":
    main()
