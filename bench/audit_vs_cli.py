"""Audit time per page: Vigie's pool against ``@axe-core/cli`` and ``pa11y-ci``, same run.

    .venv/bin/python bench/audit_vs_cli.py --install      # once: npm tools into bench/_work
    .venv/bin/python bench/audit_vs_cli.py [--rounds 3] [--repeat 3] [--memory 500]

The W3C BAD pages (``../shared/corpus/bad``, before/ and after/, 10 pages, repeated
``--repeat`` times) are served on 127.0.0.1 by this script. Each tool audits the whole list
in one process, started cold, as a user would run it; the figure is wall time / pages,
median over ``--rounds`` rounds that alternate the tools. All use Debian's Chromium
build, no browser is downloaded: Vigie its default (``chromium-headless-shell`` when
installed), the CLIs the full browser ``/usr/bin/chromium`` as their users run them
(chromedriver from Debian's ``chromium-driver`` for the axe CLI); for information the axe
CLI also runs on the headless shell when it is installed.

Same violations: the axe CLI runs the very ``axe.min.js`` Vigie uses (``--axe-source``)
with Vigie's tags (``DEFAULT_AXE_TAGS``); the per-page rule sets must be equal and the
script exits 1 otherwise. pa11y-ci runs its own axe-core with its ``WCAG2AA`` standard:
its rule sets are shown, not required to match.

``--memory N`` audits N pages with one :class:`crawler.audit.Auditor` and samples the
proportional memory (PSS) of the Python process and all its descendants (Playwright's
driver, Chromium and its renderers) after page 100 and page N, with the default
``restart_every`` and without restarts.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from crawler import audit  # noqa: E402  (after the path tweak, as the other bench scripts)

BAD = ROOT.parent / "shared" / "corpus" / "bad"
WORK = ROOT / "bench" / "_work"
BIN = WORK / "node_modules" / ".bin"
PAGES = [
    f"{side}/{name}.html"
    for side in ("before", "after")
    for name in ("home", "news", "survey", "template", "tickets")
]
NPM_PACKAGES = ("@axe-core/cli@4.13.0", "pa11y-ci@4.1.1")
CHROMEDRIVER = "/usr/bin/chromedriver"
CLI_CHROMIUM = "/usr/bin/chromium"  # the full browser, as the CLIs' users run them
HEADLESS_SHELL = audit.EXECUTABLES[0]
NODE_ENV = {
    "CHROMEDRIVER_SKIP_DOWNLOAD": "true",  # npm "chromedriver" would fetch a binary
    "PUPPETEER_SKIP_DOWNLOAD": "1",  # puppeteer would fetch Chrome for Testing
    "PUPPETEER_EXECUTABLE_PATH": CLI_CHROMIUM,
}


def install() -> None:
    """npm tools into bench/_work (git-ignored), without any browser download."""
    WORK.mkdir(parents=True, exist_ok=True)
    package = WORK / "package.json"
    if not package.exists():
        package.write_text('{"name": "vigie-bench-work", "private": true}\n')
    env = {**os.environ, **NODE_ENV}
    cmd = ["npm", "install", "--no-audit", "--no-fund", *NPM_PACKAGES]
    subprocess.run(cmd, cwd=WORK, env=env, check=True)
    if not Path(CHROMEDRIVER).exists():
        sys.exit("chromedriver absent : apt-get install chromium-driver")


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        """A browser that drops a connection (tab closed mid-image) is not a server fault."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


def serve(directory: Path) -> tuple[ThreadingHTTPServer, str]:
    httpd = _Server(("127.0.0.1", 0), partial(_Quiet, directory=str(directory)))
    httpd.daemon_threads = True
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd, f"http://127.0.0.1:{httpd.server_address[1]}"


# -- the tools: each returns {url: set of violated rule ids} -----------------------------

VIGIE_WORKER = """
import json, sys
from crawler.audit import audit_urls
urls, concurrency = json.loads(sys.argv[1]), int(sys.argv[2])
out = {r.url: [r.error] if r.error else sorted({v["id"] for v in r.violations})
       for r in audit_urls(urls, concurrency=concurrency)}
print(json.dumps(out))
"""


def run_vigie(urls: list[str], concurrency: int) -> dict[str, set[str]]:
    cmd = [sys.executable, "-c", VIGIE_WORKER, json.dumps(urls), str(concurrency)]
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, check=True)
    return {url: set(ids) for url, ids in json.loads(proc.stdout).items()}


def run_axe_cli(urls: list[str], chrome: str = CLI_CHROMIUM) -> dict[str, set[str]]:
    cmd = [
        str(BIN / "axe"),
        *urls,
        "--axe-source",
        audit.load_axe().path,
        "--tags",
        ",".join(audit.DEFAULT_AXE_TAGS),
        "--chromedriver-path",
        CHROMEDRIVER,
        "--chrome-path",
        chrome,
        "--chrome-options",
        "headless,no-sandbox,disable-gpu",
        "--stdout",
    ]
    # chromedriver leaves its Chrome profile (org.chromium.Chromium.scoped_dir.*, ~4 MB a
    # run) in $TMPDIR: give it one that goes away with the run.
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, **NODE_ENV, "TMPDIR": tmp}
        proc = subprocess.run(cmd, capture_output=True, text=True, env=env)
    if proc.returncode not in (0, 1):
        raise RuntimeError(f"axe CLI : {proc.stderr[-2000:]}")
    return {page["url"]: {v["id"] for v in page["violations"]} for page in json.loads(proc.stdout)}


def run_pa11y_ci(urls: list[str], concurrency: int) -> dict[str, set[str]]:
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "report.json"  # its stdout JSON gets cut past 128 KB
        config = {
            "defaults": {
                "runners": ["axe"],
                "standard": "WCAG2AA",
                "concurrency": concurrency,
                "timeout": 60000,
                "reporters": [["json", {"fileName": str(report)}]],
                "chromeLaunchConfig": {
                    "executablePath": CLI_CHROMIUM,
                    "args": ["--no-sandbox", "--disable-gpu"],
                },
            },
            "urls": urls,
        }
        (Path(tmp) / "config.json").write_text(json.dumps(config))
        cmd = [str(BIN / "pa11y-ci"), "--config", str(Path(tmp) / "config.json")]
        proc = subprocess.run(cmd, capture_output=True, text=True, env={**os.environ, **NODE_ENV})
        if proc.returncode not in (0, 2) or not report.exists():
            raise RuntimeError(f"pa11y-ci : {proc.stderr[-2000:]}")
        results = json.loads(report.read_text())["results"]
    return {
        # pa11y reports axe's "incomplete" as errors too, flagged needsFurtherReview
        url: {
            i["code"]
            for i in issues
            if i.get("type") == "error"
            and not (i.get("runnerExtras") or {}).get("needsFurtherReview")
        }
        for url, issues in results.items()
    }


def pa11y_axe_version() -> str:
    """The axe-core that pa11y bundles (its own, not Vigie's)."""
    for candidate in ("pa11y/node_modules/axe-core", "axe-core"):
        meta = WORK / "node_modules" / candidate / "package.json"
        if meta.exists() and (WORK / "node_modules" / "pa11y").exists():
            return json.loads(meta.read_text())["version"]
    return "?"


def become_subreaper() -> bool:
    """Adopt orphaned descendants (Linux ``PR_SET_CHILD_SUBREAPER``), so that they are
    counted in ``RUSAGE_CHILDREN`` once reaped.

    Chromium's renderers are children of its zygote, which the browser does not wait for
    on exit: without this they are reparented to init and their CPU time, the larger part
    of an audit, is lost to ``getrusage`` (Vigie measured 152 ms a page instead of ~500).
    """
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(36, 1, 0, 0, 0) == 0  # PR_SET_CHILD_SUBREAPER
    except (OSError, AttributeError):
        return False


def reap_orphans(timeout_s: float = 10.0) -> None:
    """Wait for the adopted descendants of a finished tool (a browser closing its zygote)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:  # none left
            return
        if pid == 0:
            time.sleep(0.02)
    print("processus orphelins encore en vie : leur CPU n’est pas compté", file=sys.stderr)


def timed(fn, *args) -> tuple[float, float, dict[str, set[str]]]:
    """(wall s, CPU s of the finished child processes, result) of one tool run.

    CPU time (user + system of the tool and all its descendants, renderers included:
    :func:`become_subreaper`) is the figure that other work on a shared 2-core machine
    blurs least; wall time is what a user waits.
    """
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    out = fn(*args)
    wall = time.perf_counter() - start
    reap_orphans()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - usage.ru_utime) + (after.ru_stime - usage.ru_stime)
    return wall, cpu, out


# -- memory ---------------------------------------------------------------------------


def _children(pid: int) -> list[int]:
    kids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:  # process gone between listing and reading
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                kids.append(int(entry.name))
    return kids


def tree_pss_mb(root: int) -> float:
    """Proportional set size of ``root`` and all its descendants, in MB (shared pages split)."""
    total_kb, todo = 0, [root]
    while todo:
        pid = todo.pop()
        todo.extend(_children(pid))
        try:
            for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    total_kb += int(line.split()[1])
        except OSError:  # exited meanwhile
            continue
    return total_kb / 1024


async def _memory_run(urls: list[str], n: int, restart_every: int) -> dict[int, float]:
    samples: dict[int, float] = {}
    async with audit.Auditor(restart_every=restart_every) as auditor:
        done = 0
        while done < n:
            batch = [urls[(done + i) % len(urls)] for i in range(min(50, n - done))]
            results = await auditor.audit_many(batch)
            errors = [r.error for r in results if r.error]
            if errors:
                raise RuntimeError(f"audits en erreur : {errors[:3]}")
            done += len(batch)
            samples[done] = tree_pss_mb(os.getpid())
    return samples


def memory(base: str, n: int) -> list[str]:
    urls = [f"{base}/{p}" for p in PAGES]
    lines = ["", f"Mémoire (PSS, Python + Playwright + Chromium) sur {n} pages auditées :", ""]
    lines += [
        "| restart_every | page 100 | page " + str(n) + " | croissance |",
        "|---|---|---|---|",
    ]
    for every in (200, n + 1):
        samples = asyncio.run(_memory_run(urls, n, every))
        first, last = samples[100], samples[max(samples)]
        label = str(every) if every <= n else "aucune relance"
        lines.append(
            f"| {label} | {first:.0f} Mo | {last:.0f} Mo | {100 * (last / first - 1):+.1f} % |"
        )
    return lines


# -- main -----------------------------------------------------------------------------


def compare(rounds: int, repeat: int) -> tuple[list[str], list[str]]:
    """Time the tools on the BAD pages; (Markdown lines, pages whose rule sets differ)."""
    load_before = os.getloadavg()[0]
    httpd, base = serve(BAD)
    urls = [f"{base}/{p}" for p in PAGES] * repeat
    tools = {
        "Vigie (2 onglets)": partial(run_vigie, urls, 2),
        "Vigie (1 onglet)": partial(run_vigie, urls, 1),
        "@axe-core/cli": partial(run_axe_cli, urls),
        "pa11y-ci (concurrency 1, défaut)": partial(run_pa11y_ci, urls, 1),
        "pa11y-ci (concurrency 2)": partial(run_pa11y_ci, urls, 2),
    }
    shell_cli = "@axe-core/cli (chromium-headless-shell, pour info)"
    if Path(HEADLESS_SHELL).exists():
        tools[shell_cli] = partial(run_axe_cli, urls, HEADLESS_SHELL)
    become_subreaper()
    times: dict[str, list[float]] = {name: [] for name in tools}
    cpus: dict[str, list[float]] = {name: [] for name in tools}
    found: dict[str, dict[str, set[str]]] = {}
    for r in range(rounds):
        order = list(tools) if r % 2 == 0 else list(reversed(tools))
        for name in order:
            wall, cpu, found[name] = timed(tools[name])
            times[name].append(wall / len(urls))
            cpus[name].append(cpu / len(urls))
            print(
                f"round {r + 1} {name}: {wall / len(urls) * 1000:.0f} ms/page, "
                f"CPU {cpu / len(urls) * 1000:.0f} ms/page",
                file=sys.stderr,
            )
    httpd.shutdown()

    vigie, axe_cli, pa11y = "Vigie (2 onglets)", "@axe-core/cli", "pa11y-ci (concurrency 1, défaut)"
    wall = {name: statistics.median(t) for name, t in times.items()}
    cpu = {name: statistics.median(t) for name, t in cpus.items()}
    lines = [
        f"Audit de {len(urls)} pages BAD (127.0.0.1), axe-core {audit.load_axe().version}, "
        f"étiquettes {','.join(audit.DEFAULT_AXE_TAGS)}, médiane de {rounds} tours, "
        f"{os.cpu_count()} cœurs, charge moyenne au départ {load_before:.1f} ; Vigie dans "
        f"{audit.DEFAULT_EXECUTABLE}, les CLI dans {CLI_CHROMIUM} :",
        "",
        "| outil | temps réel ms / page | rapport à Vigie | CPU ms / page | rapport à Vigie |",
        "|---|---|---|---|---|",
    ]
    for name in tools:
        lines.append(
            f"| {name} | {wall[name] * 1000:.0f} | ×{wall[name] / wall[vigie]:.2f} "
            f"| {cpu[name] * 1000:.0f} | ×{cpu[name] / cpu[vigie]:.2f} |"
        )

    mismatches = []
    for url in sorted(set(urls)):
        ours, theirs = found[vigie].get(url), found[axe_cli].get(url)
        if ours != theirs:
            mismatches.append(f"{url}: Vigie {sorted(ours or [])} / axe CLI {sorted(theirs or [])}")
    lines += [
        "",
        "Règles en violation, par page (Vigie = @axe-core/cli ; pa11y-ci pour info) :",
        "",
    ]
    lines += [f"| page | Vigie | pa11y-ci (axe {pa11y_axe_version()}, WCAG2AA) |", "|---|---|---|"]
    for url in sorted(set(urls)):
        page = url.split("/", 3)[3]
        lines.append(
            f"| {page} | {', '.join(sorted(found[vigie][url])) or '—'} "
            f"| {', '.join(sorted(found[pa11y].get(url, set()))) or '—'} |"
        )
    lines.append("")
    lines.append("Identiques à @axe-core/cli : " + ("oui" if not mismatches else "NON"))
    lines += mismatches
    if shell_cli in found:
        same = all(found[shell_cli].get(u) == found[axe_cli].get(u) for u in set(urls))
        lines.append(f"{shell_cli} identique à @axe-core/cli : " + ("oui" if same else "NON"))

    return lines, mismatches


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--install", action="store_true", help="npm install into bench/_work")
    parser.add_argument("--rounds", type=int, default=3, help="0: memory run only")
    parser.add_argument("--repeat", type=int, default=3, help="times the 10 BAD pages are listed")
    parser.add_argument("--memory", type=int, default=0, help="pages for the memory run (500)")
    parser.add_argument("--out", type=Path, help="also write the Markdown figures to this file")
    args = parser.parse_args()
    if args.install:
        install()
        return 0
    if not BAD.is_dir():
        sys.exit(f"{BAD} absent")
    if args.rounds > 0 and not ((BIN / "axe").exists() and (BIN / "pa11y-ci").exists()):
        sys.exit("outils npm absents : lancez d’abord bench/audit_vs_cli.py --install")

    lines: list[str] = []
    mismatches: list[str] = []
    if args.rounds > 0:
        lines, mismatches = compare(args.rounds, args.repeat)
    if args.memory:
        httpd, base = serve(BAD)
        try:
            lines += memory(base, args.memory)
        finally:
            httpd.shutdown()

    text = "\n".join(lines) + "\n"
    print(text)
    if args.out:
        args.out.write_text(text, encoding="utf-8")
    return 1 if mismatches else 0


if __name__ == "__main__":
    sys.exit(main())
