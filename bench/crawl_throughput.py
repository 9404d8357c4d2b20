"""Crawl throughput of Vigie (all checks, store) against a bare Scrapy spider, same run.

    .venv/bin/python bench/crawl_throughput.py [--sites 20] [--pages 30] [--rounds 3]

A synthetic administration web (``crawler/demo/synthetic.py``, a separate process) is crawled by
``vigie crawl`` with every static check and the SQLite store; then a bare Scrapy spider
(``bare_spider.py``) fetches exactly the pages Vigie fetched, with the same politeness
settings and one download slot per site. Rounds alternate the two; the figure is the
median of Vigie's throughput divided by the bare spider's (target: ≥ 0.5).
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

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


def run_vigie(
    seeds: Path, db: Path, pages: int, workers: str
) -> tuple[int, float, list[tuple[str, str]]]:
    cmd = [
        PY,
        "-m",
        "crawler.cli",
        "crawl",
        "--seeds",
        str(seeds),
        "--db",
        f"sqlite:///{db}",
        "--allow-private",
        "--quiet",
        "--no-audit",
        "--no-report",
        "--max-pages-per-site",
        str(pages),
        "-s",
        "VIGIE_PROGRESS_INTERVAL=0",
        "-s",
        f"VIGIE_ANALYSIS_WORKERS={workers}",
    ]
    for name, value in SETTINGS.items():
        cmd += ["-s", f"{name}={value}"]
    subprocess.run(cmd, check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
    con = sqlite3.connect(db)
    run_id, stats = con.execute("select id, stats from runs order by id desc limit 1").fetchone()
    rows = con.execute("select site_id, url from pages where run_id=?", (run_id,)).fetchall()
    con.close()
    elapsed = json.loads(stats)["elapsed_time_seconds"]
    return len(rows), float(elapsed), rows


def run_bare(rows: list[tuple[str, str]], workdir: Path, items: int | None) -> tuple[int, float]:
    urls = workdir / "urls.tsv"
    urls.write_text("".join(f"{s}\t{u}\n" for s, u in rows), encoding="utf-8")
    settings = dict(SETTINGS)
    if items is None:
        settings.pop("CONCURRENT_ITEMS")  # Scrapy's own default
    else:
        settings["CONCURRENT_ITEMS"] = items
    out = subprocess.run(
        [PY, str(ROOT / "bench/bare_spider.py"), str(urls), json.dumps(settings)],
        check=True,
        capture_output=True,
        text=True,
    )
    stats = json.loads(out.stdout)
    return int(stats.get("response_received_count", 0)), float(stats["elapsed_time_seconds"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sites", type=int, default=20)
    parser.add_argument("--pages", type=int, default=30)
    parser.add_argument("--rounds", type=int, default=3)
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
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        seeds = work / "seeds.csv"
        with synthetic_web(args.sites, args.pages, seeds):
            ratios: dict[str, list[float]] = {w: [] for w in args.workers}
            for r in range(args.rounds):
                for workers in args.workers:
                    db = work / f"v{r}-{workers}.db"
                    n_v, t_v, rows = run_vigie(seeds, db, args.pages, workers)
                    n_b, t_b = run_bare(rows, work, None if args.baseline_items == "scrapy" else 2)
                    v_tp, b_tp = n_v / t_v, n_b / t_b
                    ratios[workers].append(v_tp / b_tp)
                    print(
                        f"round {r + 1}, analysis workers={workers}: vigie {n_v} pages in "
                        f"{t_v:.2f} s ({v_tp:.1f} p/s), bare {n_b} responses in {t_b:.2f} s "
                        f"({b_tp:.1f} p/s), ratio {v_tp / b_tp:.2f}",
                        flush=True,
                    )
    for workers, values in ratios.items():
        print(
            f"median ratio vigie/bare throughput, analysis workers={workers}: "
            f"{statistics.median(values):.2f} (target ≥ 0.5), "
            f"{args.sites} sites × {args.pages} pages"
        )


if __name__ == "__main__":
    main()
