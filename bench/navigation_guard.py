"""Cost of the browser's navigation guard: the BAD pages audited with it and without it.

    .venv/bin/python bench/navigation_guard.py [--rounds 5] [--repeat 3]

The W3C BAD pages (``../shared/corpus/bad``, 10 pages listed ``--repeat`` times) are served
on 127.0.0.1 and audited by one ``Auditor`` (2 tabs) per round, alternately without a
guard and with ``navigation_guard`` set to a guard that refuses nothing: every document
request is then held by CDP's ``Fetch`` domain until Python lets it go, which is all the
guard costs on a public page. Printed: wall time per page, median of the rounds, and the
ratio; the rule sets found must be equal.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from audit_vs_cli import BAD, PAGES, serve  # noqa: E402

from crawler import audit  # noqa: E402


async def _allow(url: str) -> str | None:
    return None


def run(urls: list[str], guarded: bool) -> tuple[float, list[set[str]]]:
    """Seconds per page (browser launch excluded) and the violated rules of each page."""

    async def go() -> tuple[float, list[set[str]]]:
        guard = _allow if guarded else None
        async with audit.Auditor(navigation_guard=guard) as auditor:
            await auditor.audit(urls[0])  # warm-up: the browser's first page
            started = time.perf_counter()
            results = await auditor.audit_many(urls)
            spent = time.perf_counter() - started
        for result in results:
            if not result.ok:
                raise SystemExit(f"{result.url}: {result.error}")
        return spent / len(urls), [{r["id"] for r in res.violations} for res in results]

    return asyncio.run(go())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    if not BAD.is_dir():
        raise SystemExit(f"corpus absent : {BAD}")
    httpd, base = serve(BAD)
    urls = [f"{base}/{page}" for page in PAGES] * args.repeat
    times: dict[bool, list[float]] = {False: [], True: []}
    rules: dict[bool, list[set[str]]] = {}
    try:
        for r in range(args.rounds):
            for guarded in (False, True) if r % 2 == 0 else (True, False):
                per_page, rules[guarded] = run(urls, guarded)
                times[guarded].append(per_page)
                print(
                    f"round {r + 1}, guard {'on' if guarded else 'off'}: "
                    f"{per_page * 1000:.0f} ms/page",
                    flush=True,
                )
    finally:
        httpd.shutdown()
    off, on = (statistics.median(times[g]) * 1000 for g in (False, True))
    same = rules[False] == rules[True]
    print(
        f"{len(urls)} BAD pages, median of {args.rounds} rounds: without guard {off:.0f} ms/page, "
        f"with guard {on:.0f} ms/page (×{on / off:.2f}); same rule sets: {same}"
    )


if __name__ == "__main__":
    main()
