"""Where the renderer's main thread goes in one page's audit, stage by stage.

    .venv/bin/python bench/audit_stages.py [--passes 2]

The 25 one-page sites of ``whole_job_vs_peers.py`` (``../shared/corpus``), each audited in
one tab of Vigie's browser (its executable, switches, viewport and axe options), the
stages of ``crawler.audit`` one after the other: the load (with the injected axe-core)
and a short settle, ``axe.run``, the 320 px pass, the return to 1,280 px. Chromium's own
counters (CDP ``Performance.getMetrics``: ``TaskDuration``, ``ScriptDuration``,
``LayoutDuration``, ``RecalcStyleDuration``, thread time of the renderer's main thread)
are read between stages, and summed over the pages of the last pass (the first warms
the caches). A second browser loads the same pages without axe-core: the difference of
the two loads is what the injected script costs. Seconds per page, and each stage's share
of the main thread.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from itertools import pairwise
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from playwright.async_api import async_playwright  # noqa: E402
from whole_job_vs_peers import corpus_pages, serve_sites  # noqa: E402

from crawler import audit  # noqa: E402

METRICS = ("TaskDuration", "ScriptDuration", "LayoutDuration", "RecalcStyleDuration")
SETTLE_MS = 300
_NEXT_FRAME_JS = "() => new Promise((done) => requestAnimationFrame(() => done(0)))"


async def _metrics(cdp: Any) -> dict[str, float]:
    reply = await cdp.send("Performance.getMetrics")
    values = {m["name"]: m["value"] for m in reply["metrics"]}
    return {name: values.get(name, 0.0) for name in METRICS}


async def stages(urls: list[str], passes: int, with_axe: bool) -> dict[str, dict[str, float]]:
    """Seconds of each metric per stage, summed over the pages of the last pass."""
    options = {
        "iframes": True,
        "resultTypes": list(audit.RESULT_TYPES),
        "runOnly": {"type": "tag", "values": list(audit.DEFAULT_AXE_TAGS)},
    }
    totals: dict[str, dict[str, float]] = {}
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(
            executable_path=audit.DEFAULT_EXECUTABLE, args=list(audit.CHROMIUM_ARGS)
        )
        context = await browser.new_context(viewport=audit.VIEWPORT, service_workers="block")
        if with_axe:
            await context.add_init_script(script=audit.init_script(audit.load_axe()))
        for done in range(passes):
            for url in urls:
                page = await context.new_page()
                cdp = await context.new_cdp_session(page)
                await cdp.send("Performance.enable", {"timeDomain": "threadTicks"})
                marks = [("", await _metrics(cdp))]
                await page.goto(url, wait_until="load")
                await page.wait_for_timeout(SETTLE_MS)
                marks.append(("load and settle", await _metrics(cdp)))
                if with_axe:
                    await page.evaluate("(o) => window.axe.run(document, o).then(() => 0)", options)
                    marks.append(("axe.run", await _metrics(cdp)))
                    await page.set_viewport_size(audit.NARROW_VIEWPORT)
                    await page.evaluate(audit._NARROW_WIDTH_JS)
                    marks.append(("320 px pass", await _metrics(cdp)))
                    await page.set_viewport_size(audit.VIEWPORT)
                    await page.evaluate(_NEXT_FRAME_JS)
                    marks.append(("back to 1,280 px", await _metrics(cdp)))
                if done == passes - 1:
                    for (_, before), (stage, after) in pairwise(marks):
                        total = totals.setdefault(stage, dict.fromkeys(METRICS, 0.0))
                        for name in METRICS:
                            total[name] += after[name] - before[name]
                await page.close()
        await browser.close()
    return totals


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--passes", type=int, default=2, help="the last one is counted")
    args = parser.parse_args()
    servers, urls = serve_sites(corpus_pages())
    try:
        with_axe = asyncio.run(stages(urls, args.passes, with_axe=True))
        without = asyncio.run(stages(urls, args.passes, with_axe=False))
    finally:
        for httpd in servers:
            httpd.shutdown()
    n = len(urls)
    main_thread = sum(t["TaskDuration"] for t in with_axe.values())
    print(f"{n} pages, s per page of the renderer's main thread (thread time)")
    print(f"{'stage':18s} " + " ".join(f"{m[:-8]:>11s}" for m in METRICS) + "   share")
    for stage, total in with_axe.items():
        cells = " ".join(f"{total[m] / n:11.4f}" for m in METRICS)
        print(f"{stage:18s} {cells}   {total['TaskDuration'] / main_thread:5.1%}")
    injected = (
        with_axe["load and settle"]["TaskDuration"] - without["load and settle"]["TaskDuration"]
    )
    print(
        f"load without axe-core: {without['load and settle']['TaskDuration'] / n:.4f} s per page;"
        f" the injected script: {injected / n:.4f} s per page ({injected / main_thread:.1%})"
    )


if __name__ == "__main__":
    main()
