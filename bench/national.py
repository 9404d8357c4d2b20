"""A national run on one machine: 10 000 sites × 20 pages in one crawl (issue 17.3).

    .venv/bin/python bench/national.py [--sites 10000] [--pages 20] [--parts 10] [--sample 4]
    .venv/bin/python bench/national.py --reports-only sqlite:////tmp/big.db [--workers 0 1]

The synthetic administration web (``crawler/demo/synthetic.py``, one asyncio process, one
port per site, as ``scale.py`` serves it) is served once with ``--sites`` sites. In the same
run, ``vigie crawl`` (every static check, SQLite store, ``--no-audit --no-report``, no
artificial delay: ``scale.py``'s settings) crawls all of them in one process, and crawls
them again as ``--parts`` runs of ``sites / parts`` sites each (half of them before the big
run, half after, so that a drift of the machine's load weighs on both sides). Printed: the
ratio of the big run's wall time to the sum of the parts' (target ≤ 1.2).

Memory: every ~0.2 s the script sums the RSS of the whole Vigie process tree (the crawl
process, its forkserver and analysis workers: every descendant, read from ``/proc``) and
keeps the peak (target ≤ 1 GiB); the summed PSS (shared pages split between the processes
that map them) is printed beside it for information. Then ``vigie table`` and ``vigie
report`` are timed on the big run's store, with the same peak (target ≤ 2 min, 1 GiB
each). ``--reports-only DB`` does only that, on an existing store (``replicate_store.py``
makes a national-size one); ``--workers 0 1`` times ``vigie report --workers`` once per
value, ``--baseline DIR`` the same commands with another version's code first (a source
tree: ``git archive COMMIT | tar -x -C DIR``), ``--rounds N`` alternates them N times.

File descriptors (a limit per process): the synthetic web's process holds one listening
socket a site, plus the connections of the last 15 s (it closes idle keep-alive connections
then, as real servers do; the crawler's pool follows). The script raises its soft
``RLIMIT_NOFILE`` to the hard limit (its children inherit it) and stops, with a message,
when the hard limit is below 1.5 descriptors a site plus a margin; raise it first
(``ulimit -Hn``, ``/etc/security/limits.conf``, or ``prlimit``). Linux only (``/proc``).
"""

from __future__ import annotations

import argparse
import csv
import os
import resource
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from scale import crawl_cmd
from synthetic_web import synthetic_web

ROOT = Path(__file__).resolve().parents[1]
PY = sys.executable
PAGE = os.sysconf("SC_PAGE_SIZE")
MIB = 1024 * 1024
#: Descriptors a site (a listening socket, plus idle keep-alive connections to some sites) and
#: besides (the processes' own files, pipes, the store).
FD_PER_SITE, FD_MARGIN = 1.5, 1024


@dataclass
class Measure:
    """One command's wall and CPU time and the peaks of its tree's summed RSS and PSS."""

    seconds: float
    cpu_seconds: float
    rss_mib: float
    pss_mib: float
    processes: int


def _children() -> dict[int, list[int]]:
    """Every process's children, from ``/proc/<pid>/stat`` (ppid is the 4th field)."""
    tree: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as fh:
                stat = fh.read()
        except OSError:
            continue  # ended between the listing and the read
        # The command name (2nd field) may hold spaces: split after its closing parenthesis.
        ppid = int(stat[stat.rindex(b")") + 2 :].split()[1])
        tree.setdefault(ppid, []).append(int(entry.name))
    return tree


def _descendants(root: int) -> list[int]:
    tree = _children()
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(tree.get(pid, ()))
    return found


def _memory(pid: int) -> tuple[int, int]:
    """RSS and PSS of one process in bytes; (0, 0) once it has ended."""
    try:
        with open(f"/proc/{pid}/statm", "rb") as fh:
            rss = int(fh.read().split()[1]) * PAGE
        pss = 0
        with open(f"/proc/{pid}/smaps_rollup", "rb") as fh:
            for line in fh:
                if line.startswith(b"Pss:"):
                    pss = int(line.split()[1]) * 1024
                    break
        return rss, pss
    except (OSError, ValueError, IndexError):
        return 0, 0


class TreeSampler(threading.Thread):
    """Samples the summed memory of a process and all its descendants until it ends."""

    def __init__(self, pid: int, interval: float = 0.2) -> None:
        super().__init__(daemon=True)
        self.pid, self.interval = pid, interval
        self.peak_rss = self.peak_pss = 0
        self.processes = 0
        self._done = threading.Event()

    def run(self) -> None:
        while not self._done.is_set():
            pids = _descendants(self.pid)
            sizes = [_memory(p) for p in pids]
            self.peak_rss = max(self.peak_rss, sum(r for r, _ in sizes))
            self.peak_pss = max(self.peak_pss, sum(p for _, p in sizes))
            self.processes = max(self.processes, sum(1 for r, _ in sizes if r))
            self._done.wait(self.interval)

    def stop(self) -> None:
        self._done.set()
        self.join()


def measured(cmd: list[str], cwd: Path = ROOT) -> Measure:
    """Run ``cmd`` (a Vigie command) and sample its process tree's memory as it runs.

    Its CPU time (user + system, with the descendants it waited for) comes from
    ``os.wait4``: on a shared machine the wall time follows the others' work, CPU time
    much less.
    """
    started = time.monotonic()
    with tempfile.TemporaryFile("w+") as err:
        proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=err, text=True)
        sampler = TreeSampler(proc.pid)
        sampler.start()
        _, status, usage = os.wait4(proc.pid, 0)
        elapsed = time.monotonic() - started
        sampler.stop()
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode != 0:
            err.seek(0)
            sys.exit(f"échec de {' '.join(cmd[:4])} … : {err.read()[-3000:]}")
    cpu = usage.ru_utime + usage.ru_stime
    return Measure(elapsed, cpu, sampler.peak_rss / MIB, sampler.peak_pss / MIB, sampler.processes)


def slice_seeds(seeds: Path, start: int, stop: int, out: Path) -> Path:
    """The seed list's sites ``start`` to ``stop`` (header kept)."""
    with open(seeds, encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    with open(out, "w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows([rows[0], *rows[1 + start : 1 + stop]])
    return out


def pages_of_last_run(path: Path) -> int:
    """Pages stored by the store's last run: a crawl cut short is not a faster crawl."""
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
        return db.execute(
            "SELECT count(*) FROM pages WHERE run_id = (SELECT max(id) FROM runs)"
        ).fetchone()[0]


def raise_fd_limit(sites: int) -> int:
    """Raise the soft descriptor limit to the hard one; stop if even that is too low."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    needed = int(FD_PER_SITE * sites) + FD_MARGIN
    if hard != resource.RLIM_INFINITY and hard < needed:
        sys.exit(
            f"limite de descripteurs trop basse : {hard} (ulimit -Hn), il en faut {needed} "
            f"pour {sites} sites ; relevez-la (prlimit, limits.conf) ou réduisez --sites."
        )
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return hard


def line(label: str, m: Measure, pages: int | None = None) -> str:
    rate = f", {pages / m.seconds:6.1f} pages/s" if pages else ""
    return (
        f"{label}: {m.seconds:8.1f} s (CPU {m.cpu_seconds:.1f} s){rate}, "
        f"pic RSS {m.rss_mib:6.0f} MiB (PSS {m.pss_mib:.0f} MiB, {m.processes} processus)"
    )


def reports(
    db: str,
    work: Path,
    workers: list[str] | None = None,
    baseline: Path | None = None,
    rounds: int = 1,
) -> None:
    """Time ``vigie table`` and ``vigie report`` of ``db``: the report once per value of
    ``workers`` (``--workers``; none: the setting's default), and the same commands from
    the source tree ``baseline`` before them, ``rounds`` times alternately."""
    cli = [PY, "-m", "crawler.cli"]
    trees = [("", ROOT)] + ([("avant, ", baseline)] if baseline else [])
    variants = [[]] if not workers else [["--workers", w] for w in workers]
    for _ in range(rounds):
        for label, tree in reversed(trees):
            table = measured([*cli, "table", "-o", str(work / "table.csv"), "--db", db], tree)
            print(line(f"{label}vigie table", table), flush=True)
            _verdict("table", table)
            for extra in variants if tree == ROOT else [[]]:
                out = work / "rapport"
                report = measured([*cli, "report", "-o", str(out), "--db", db, *extra], tree)
                print(line(f"{label}vigie report {' '.join(extra)}".rstrip(), report), flush=True)
                _verdict("report", report)


def _verdict(name: str, m: Measure) -> None:
    ok = m.seconds <= 120 and m.rss_mib <= 1024
    print(f"vigie {name} : {'objectif tenu' if ok else 'objectif NON tenu'} (≤ 2 min, ≤ 1 GiB)")


def main() -> None:
    parser = argparse.ArgumentParser(
        description="Exploration nationale sur une machine (issue 17.3).",
        epilog=(
            "Descripteurs de fichiers (limite par processus) : le serveur synthétique écoute sur "
            "un port par site et ferme les connexions inactives depuis 15 s. "
            "Le script relève la limite souple à la limite dure (ulimit -Hn) et s'arrête si "
            "celle-ci est inférieure à 1,5 × sites + 1024."
        ),
    )
    parser.add_argument("--sites", type=int, default=10_000, help="sites du grand run")
    parser.add_argument("--pages", type=int, default=20, help="pages par site")
    parser.add_argument("--parts", type=int, default=10, help="runs de sites/parts sites")
    parser.add_argument(
        "--sample",
        type=int,
        help="n'explorer que ce nombre de parts (réparties avant et après le grand run) et "
        "estimer la somme des parts par leur moyenne : les parts sont des tranches du même "
        "web synthétique, de même forme",
    )
    parser.add_argument("--no-parts", action="store_true", help="le grand run seul")
    parser.add_argument(
        "--big-first", action="store_true", help="le grand run avant les parts (sinon au milieu)"
    )
    parser.add_argument("--keep", type=Path, help="garder les bases et sorties dans ce dossier")
    parser.add_argument("--reports-only", metavar="DB", help="seulement table et report de DB")
    parser.add_argument(
        "--workers", nargs="+", metavar="N", help="vigie report une fois par valeur de --workers"
    )
    parser.add_argument(
        "--baseline",
        type=Path,
        metavar="DOSSIER",
        help="table et report aussi avec le code de DOSSIER (git archive COMMIT | tar -x -C …)",
    )
    parser.add_argument("--rounds", type=int, default=1, help="manches de table et report")
    args = parser.parse_args()
    if args.sites % args.parts:
        sys.exit("--sites doit être un multiple de --parts")
    with tempfile.TemporaryDirectory() as tmp:
        work = args.keep or Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        if args.reports_only:
            reports(args.reports_only, work, args.workers, args.baseline, args.rounds)
            return
        if any(work.glob("*.db")):
            sys.exit(f"{work} contient déjà des bases : donnez un dossier neuf à --keep")
        limit = raise_fd_limit(args.sites)
        load = os.getloadavg()
        print(
            f"{time.strftime('%Y-%m-%d %H:%M:%S %Z')}, charge {load[0]:.2f} {load[1]:.2f} "
            f"{load[2]:.2f}, {os.cpu_count()} cœurs, descripteurs ≤ {limit}",
            flush=True,
        )
        seeds = work / "all.csv"
        size = args.sites // args.parts
        with synthetic_web(args.sites, args.pages, seeds):
            parts: list[Measure] = []

            def crawl_parts(indices: range) -> None:
                for k in indices:
                    part = slice_seeds(seeds, k * size, (k + 1) * size, work / f"p{k}.csv")
                    m = measured(crawl_cmd(part, f"sqlite:///{work}/p{k}.db", args.pages))
                    parts.append(m)
                    print(line(f"part {k + 1:>2}/{args.parts}, {size} sites", m), flush=True)

            crawled = min(args.sample or args.parts, args.parts)
            first = 0 if args.big_first else crawled // 2
            if not args.no_parts:
                crawl_parts(range(first))
            db = f"sqlite:///{work}/national.db"
            big = measured(crawl_cmd(seeds, db, args.pages))
            fetched = pages_of_last_run(work / "national.db")
            print(line(f"grand run, {args.sites} sites", big, fetched), flush=True)
            if fetched < args.sites * args.pages:
                print(
                    f"ATTENTION : {fetched} pages sur {args.sites * args.pages} ; le rapport "
                    "de temps ne compare pas le même travail",
                    flush=True,
                )
            if not args.no_parts:
                crawl_parts(range(first, crawled))
                scale = args.parts / len(parts)  # 1 unless --sample: the mean part × parts
                total = sum(m.seconds for m in parts) * scale
                cpu = sum(m.cpu_seconds for m in parts) * scale
                peak = max(m.rss_mib for m in parts)
                estimated = f" (estimé sur {len(parts)} parts)" if scale != 1 else ""
                print(
                    f"{args.parts} runs de {size} sites{estimated} : {total:.1f} s au total "
                    f"(CPU {cpu:.1f} s), pic RSS {peak:.0f} MiB ; rapport grand / parts = "
                    f"{big.seconds / total:.2f} (objectif ≤ 1.2 ; "
                    f"en CPU {big.cpu_seconds / cpu:.2f})",
                    flush=True,
                )
            print(
                f"pic mémoire du grand run : {big.rss_mib:.0f} MiB "
                f"({'objectif tenu' if big.rss_mib <= 1024 else 'objectif NON tenu'} : ≤ 1 GiB)",
                flush=True,
            )
        reports(db, work)


if __name__ == "__main__":
    main()
