"""Where a crawl's time goes: ``vigie crawl`` with parts switched off, same run.

    .venv/bin/python bench/crawl_parts.py [--sites 20] [--pages 30] [--rounds 2]

On the synthetic web of ``crawl_throughput.py`` (same settings, analysis inline), each
round crawls it four ways: as is; with the store's writes dropped; with the analysis
replaced by a bare lxml parse listing the links (the frontier still gets every link, no
check runs); and with both. The difference between the variants is what the store and the
checks cost; the last one is the floor of Vigie's own crawling machinery. Printed: Scrapy's
``elapsed_time_seconds`` per variant and round.
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from crawl_throughput import SETTINGS  # noqa: E402
from synthetic_web import synthetic_web  # noqa: E402

VARIANTS = {
    "everything": {},
    "no store writes": {"store": "0"},
    "links only (no check)": {"analysis": "links"},
    "links only, no store writes": {"analysis": "links", "store": "0"},
}


def _links_only(text: str, url: str) -> Any:
    """A bare lxml parse and the page's links: what the frontier needs, no check."""
    from lxml import etree

    from checks.page import resolve
    from crawler.analysis import PageAnalysis

    root = etree.fromstring(text, etree.HTMLParser(collect_ids=False))
    return PageAnalysis(
        [], [(resolve(url, h.strip()), "", False) for h in root.xpath("//a/@href")], "", False, []
    )


def run_variant(analysis: str, store: str, argv: list[str]) -> None:
    """In the child process: switch the parts off, then run ``vigie`` with ``argv``."""
    import crawler.pipelines
    import crawler.spiders.sites
    from crawler.cli import main

    if analysis == "links":
        crawler.spiders.sites.analyse_page = _links_only
    if store == "0":

        def dropped(self: Any) -> None:
            self._pages, self._errors = [], []

        crawler.pipelines.StorePipeline.flush = dropped
    sys.argv = ["vigie", *argv]
    main()


def crawl(seeds: Path, db: Path, pages: int, variant: dict[str, str]) -> float:
    cmd = [
        sys.executable,
        __file__,
        "--child",
        variant.get("analysis", "full"),
        variant.get("store", "1"),
    ]
    cmd += ["crawl", "--seeds", str(seeds), "--db", f"sqlite:///{db}", "--allow-private"]
    cmd += ["--quiet", "--no-audit", "--no-report", "--max-pages-per-site", str(pages)]
    settings = {**SETTINGS, "VIGIE_PROGRESS_INTERVAL": 0, "VIGIE_ANALYSIS_WORKERS": 0}
    for name, value in settings.items():
        cmd += ["-s", f"{name}={value}"]
    subprocess.run(cmd, check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
    con = sqlite3.connect(db)
    (stats,) = con.execute("select stats from runs order by id desc limit 1").fetchone()
    con.close()
    return float(json.loads(stats)["elapsed_time_seconds"])


def main() -> None:
    if len(sys.argv) > 3 and sys.argv[1] == "--child":
        run_variant(sys.argv[2], sys.argv[3], sys.argv[4:])
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sites", type=int, default=20)
    parser.add_argument("--pages", type=int, default=30)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        seeds = work / "seeds.csv"
        with synthetic_web(args.sites, args.pages, seeds):
            for r in range(args.rounds):
                for name, variant in VARIANTS.items():
                    db = work / f"{r}-{len(os.listdir(work))}.db"
                    elapsed = crawl(seeds, db, args.pages, variant)
                    print(f"round {r + 1}, {name:30s} {elapsed:6.2f} s", flush=True)


if __name__ == "__main__":
    main()
