"""Peak memory of the whole job by number of tabs: what each audit browser costs.

    .venv/bin/python bench/audit_memory.py [--tabs 2 3] [--rounds 2]

The 25 one-page sites of ``whole_job_vs_peers.py`` (``../shared/corpus``), one cold
``vigie crawl`` per round and per ``VIGIE_AUDIT_CONCURRENCY`` value, alternated. Printed:
the peak PSS of the ``vigie`` process and all its descendants (analysis workers,
Playwright's driver, the browsers and their renderers), sampled every 0.3 s from
``/proc/PID/smaps_rollup``: PSS shares the pages the browsers have in common, so the sum
is what the processes take together. The lowest peak of the rounds per value, then what
one tab more adds.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

from whole_job_vs_peers import corpus_pages, serve_sites, vigie_crawl_command  # noqa: E402


def descendants(pid: int) -> list[int]:
    """``pid`` and every process below it."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:  # gone since listed
            continue
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(parent, []).append(int(entry))
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        todo += children.get(current, [])
    return found


def pss_mib(pids: list[int]) -> float:
    total_kib = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/smaps_rollup") as rollup:
                total_kib += sum(int(line.split()[1]) for line in rollup if line.startswith("Pss:"))
        except OSError:  # gone since listed
            continue
    return total_kib / 1024


def peak_of_crawl(urls: list[str], tabs: int) -> float:
    """One cold crawl of the sites with ``tabs`` tabs; its peak PSS in MiB."""
    with tempfile.TemporaryDirectory() as tmp:
        cmd, _ = vigie_crawl_command(urls, Path(tmp), ["-s", f"VIGIE_AUDIT_CONCURRENCY={tabs}"])
        log = Path(tmp) / "stderr.txt"  # a file, not a pipe nobody reads while it runs
        with log.open("wb") as err:
            proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=err)
            peak = 0.0
            while proc.poll() is None:
                peak = max(peak, pss_mib(descendants(proc.pid)))
                time.sleep(0.3)
        if proc.returncode != 0:
            tail = log.read_text(errors="replace")[-2000:]
            raise RuntimeError(f"vigie crawl : code {proc.returncode}\n{tail}")
        return peak


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tabs", type=int, nargs="+", default=[2, 3])
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    _, urls = serve_sites(corpus_pages())
    peaks: dict[int, list[float]] = {tabs: [] for tabs in args.tabs}
    for round_ in range(args.rounds):
        order = args.tabs if round_ % 2 == 0 else args.tabs[::-1]
        for tabs in order:
            peak = peak_of_crawl(urls, tabs)
            peaks[tabs].append(peak)
            print(f"tour {round_ + 1}, {tabs} onglets : pic PSS {peak:.0f} Mio", flush=True)
    lowest = {tabs: min(values) for tabs, values in peaks.items()}
    for tabs in args.tabs:
        print(f"{tabs} onglets : {lowest[tabs]:.0f} Mio (le plus bas des tours)")
    first, last = args.tabs[0], args.tabs[-1]
    if last != first:
        per_tab = (lowest[last] - lowest[first]) / (last - first)
        print(f"un onglet de plus : {per_tab:+.0f} Mio")


if __name__ == "__main__":
    main()
