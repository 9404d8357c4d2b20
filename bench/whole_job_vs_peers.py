"""The whole job, as users compare tools: ``vigie crawl`` against the peers' audit alone.

    .venv/bin/python bench/audit_vs_cli.py --install      # once: npm tools into bench/_work
    .venv/bin/python bench/whole_job_vs_peers.py [--rounds 3] [--out FILE]

25 pages: the 10 W3C BAD pages (``../shared/corpus/bad``, before/ and after/) and the 15
real pages of ``../shared/corpus/real``, each served as the home page (``/``) of its own
one-page site on its own loopback address (127.0.0.2, 127.0.0.3, …: Vigie's politeness
slots are per site, as on the real web). A site serves its page at ``/`` and the rest from
the page's folder, then its parent (the BAD pages' ``../css/`` and ``img/``); anything else
is a 404, and the real pages' third-party URLs fail at once (no DNS here).

- **Vigie**, the whole job: one ``vigie crawl --max-pages-per-site 1 --audit-pages 0
  --allow-private --no-report`` of the 25 sites, started cold — robots.txt, the fetch,
  every check, the axe audit, the store, the summary table.
- **@axe-core/cli** 4.13, audit only: the 25 URLs in one process, Vigie's rule set
  (``--tags wcag2a,wcag2aa,wcag21a,wcag21aa``) and Vigie's own ``axe.min.js``
  (``--axe-source``), Debian's full Chromium through ``chromedriver``, as its users run it.
- **pa11y-ci** 4.1, audit only: runner ``axe`` (its own axe-core), standard ``WCAG2AA``
  (pa11y adds axe's best practices: left out of the comparison), every level reported
  (errors, warnings, notices: all of axe's violations), its default concurrency (1).

The tools alternate within each round (the order reversed every other round); printed: the
wall time per page of each (median of the rounds), its CPU time per page (the tool and all
its descendants), and how many times faster Vigie is. The failing rules (axe violations in
Vigie's rule set) must be the same, page by page, for all tools: the script exits 1 and
lists the pages otherwise. Then the floor: axe's own ``axe.run`` on each page, timed in the
page, once loaded (Vigie's browser and options, one tab), against Vigie's time per page.

The ratio is paired: each round's peer time over Vigie's in the same round, then the median
of the rounds (on a shared machine the load moves between rounds more than within one).

``--variant 'LABEL=ARGS'`` adds a Vigie run with more ``vigie crawl`` arguments (e.g.
``-s VIGIE_AUDIT_SETTLE=0``) to the rounds; ``--baseline DIR`` (repeatable) adds one running
the code of DIR (``git archive COMMIT | tar -x -C DIR``) with this environment: each change
to Vigie is measured against the code before it, in the same run.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import json
import os
import shlex
import statistics
import subprocess
import sys
import tempfile
import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from audit_vs_cli import (  # noqa: E402  (after the path tweak, as the other bench scripts)
    BIN,
    CLI_CHROMIUM,
    NODE_ENV,
    become_subreaper,
    run_axe_cli,
    timed,
)

from crawler import audit  # noqa: E402

CORPUS = ROOT.parent / "shared" / "corpus"
BAD_PAGES = [
    CORPUS / "bad" / side / f"{name}.html"
    for side in ("before", "after")
    for name in ("home", "news", "survey", "template", "tickets")
]
VIGIE = ROOT / ".venv" / "bin" / "vigie"


def corpus_pages() -> list[Path]:
    """The 25 pages, in a fixed order: BAD before/after, then the real pages by name."""
    return BAD_PAGES + sorted((CORPUS / "real").glob("*.html"))


# -- the 25 one-page sites ----------------------------------------------------------------


class _Site(SimpleHTTPRequestHandler):
    """``/`` is the page; other paths come from the page's folder, then its parent."""

    page: Path

    def log_message(self, *args: Any) -> None:
        pass

    def translate_path(self, path: str) -> str:
        clean = path.split("?", 1)[0].split("#", 1)[0]
        if clean in ("", "/", "/index.html"):
            return str(self.page)
        for root in (self.page.parent, self.page.parent.parent):
            self.directory = str(root)
            candidate = Path(super().translate_path(path))
            if candidate.is_file():
                return str(candidate)
        return str(self.page.parent / "__absent__")


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A browser that drops a connection (tab closed mid-image) is not a server fault."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


def serve_sites(pages: list[Path]) -> tuple[list[ThreadingHTTPServer], list[str]]:
    """One server per page on 127.0.0.2, 127.0.0.3, …; (servers, home URLs)."""
    servers, urls = [], []
    for i, page in enumerate(pages):
        host = f"127.0.0.{i + 2}"
        handler = type("Site", (_Site,), {"page": page})
        httpd = _Server((host, 0), partial(handler, directory=str(page.parent)))
        threading.Thread(target=httpd.serve_forever, daemon=True).start()
        servers.append(httpd)
        urls.append(f"http://{host}:{httpd.server_address[1]}/")
    return servers, urls


# -- the tools: each returns {url: set of failing rule ids, or {"ERROR: …"}} --------------


def vigie_crawl_command(
    urls: list[str], folder: Path, extra: list[str], code: Path | None = None
) -> tuple[list[str], str]:
    """The ``vigie crawl`` of the sites at ``urls`` as this bench runs it (its seed list and
    store written in ``folder``): the command line and the store's URL."""
    seeds = folder / "sites.csv"
    with seeds.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["id", "name", "url", "type"])
        for i, url in enumerate(urls):
            writer.writerow([f"site-{i:02d}", f"Site {i}", url, "autre"])
    db = f"sqlite:///{folder}/vigie.db"
    cmd = [
        *([sys.executable, "-m", "crawler.cli"] if code else [str(VIGIE)]),
        "crawl",
        "--seeds",
        str(seeds),
        "--max-pages-per-site",
        "1",
        "--audit-pages",
        "0",
        "--allow-private",
        "--no-report",
        "--db",
        db,
        *extra,
    ]
    return cmd, db


def run_vigie(urls: list[str], extra: list[str], code: Path | None = None) -> dict[str, set[str]]:
    """One cold ``vigie crawl`` of the 25 sites; the rule ids read back from its store."""
    with tempfile.TemporaryDirectory() as tmp:
        cmd, db = vigie_crawl_command(urls, Path(tmp), extra, code)
        env = dict(os.environ)
        if code:
            env["PYTHONPATH"] = str(code)
        proc = subprocess.run(cmd, cwd=code or ROOT, capture_output=True, text=True, env=env)
        if proc.returncode != 0:
            raise RuntimeError(f"vigie crawl : {proc.returncode}\n{proc.stderr[-3000:]}")
        return vigie_rules(db)


def vigie_rules(db: str) -> dict[str, set[str]]:
    from crawler.store import Store

    store = Store(db)
    run_id = max(r["id"] for r in store.list_runs())
    found: dict[str, set[str]] = {}
    for record in store.audits_of_run(run_id):
        if record["error"]:
            found[record["url"]] = {f"ERREUR : {record['error']}"}
        else:
            found[record["url"]] = {r["id"] for r in record["violations"] or []}
    VIGIE_DURATIONS.extend(r["duration_s"] or 0.0 for r in store.audits_of_run(run_id))
    return found


VIGIE_DURATIONS: list[float] = []  # each audited page's own audit time (audit records)


def run_pa11y_ci(urls: list[str], rule_ids: set[str], concurrency: int) -> dict[str, set[str]]:
    """pa11y-ci, runner axe, every level; violations of Vigie's rule set only."""
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "report.json"  # its stdout JSON gets cut past 128 KB
        config = {
            "defaults": {
                "runners": ["axe"],
                "standard": "WCAG2AA",
                "includeWarnings": True,
                "includeNotices": True,
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
    found: dict[str, set[str]] = {}
    for url, issues in results.items():
        found[url] = set()
        for issue in issues:
            if isinstance(issue, str) or "code" not in issue:  # pa11y-ci's error message
                found[url].add(f"ERREUR : {issue}")
            elif issue["code"] in rule_ids and not (issue.get("runnerExtras") or {}).get(
                "needsFurtherReview"
            ):
                found[url].add(issue["code"])
    return found


# -- the floor: axe.run alone ---------------------------------------------------------------

_TIME_AXE_JS = """
async (options) => {
  const started = performance.now();
  await window.axe.run(document, options);
  return performance.now() - started;
}
"""


async def _axe_run_times(urls: list[str], repeat: int) -> dict[str, float]:
    """Median time of ``axe.run`` in each page (loaded, Vigie's browser and axe options)."""
    from playwright.async_api import async_playwright

    options = audit.Auditor(concurrency=1).axe_options
    times: dict[str, list[float]] = {url: [] for url in urls}
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(
            executable_path=audit.DEFAULT_EXECUTABLE, args=list(audit.CHROMIUM_ARGS)
        )
        context = await browser.new_context(viewport=audit.VIEWPORT)
        await context.add_init_script(script=audit.init_script(audit.load_axe()))
        page = await context.new_page()
        for _ in range(repeat):
            for url in urls:
                await page.goto(url, wait_until="load")
                times[url].append(await page.evaluate(_TIME_AXE_JS, options) / 1000)
        await browser.close()
    return {url: statistics.median(t) for url, t in times.items()}


async def _rule_ids() -> set[str]:
    """Ids of the axe rules that Vigie's tags select (pa11y's best practices left out)."""
    async with audit.Auditor(concurrency=1) as probe:
        rules = await probe.rules()
    tags = set(audit.DEFAULT_AXE_TAGS)
    return {r["ruleId"] for r in rules if tags & set(r["tags"])}


# -- main ---------------------------------------------------------------------------------


def compare(args: argparse.Namespace) -> tuple[list[str], list[str]]:
    load_before = os.getloadavg()[0]
    pages = corpus_pages()
    servers, urls = serve_sites(pages)
    rule_ids = asyncio.run(_rule_ids())
    vigie = "Vigie, travail entier"
    tools: dict[str, Any] = {vigie: partial(run_vigie, urls, [])}
    for spec in args.variant:
        label, _, extra = spec.partition("=")
        tools[f"Vigie, {label}"] = partial(run_vigie, urls, shlex.split(extra))
    for code in args.baseline:
        tools[f"Vigie, code de {code.name}"] = partial(run_vigie, urls, [], code.resolve())
    if not args.vigie_only:
        tools["@axe-core/cli, audit seul"] = partial(run_axe_cli, urls)
        tools["pa11y-ci, audit seul"] = partial(
            run_pa11y_ci, urls, rule_ids, args.pa11y_concurrency
        )
    become_subreaper()
    walls: dict[str, list[float]] = {name: [] for name in tools}
    cpus: dict[str, list[float]] = {name: [] for name in tools}
    found: dict[str, dict[str, set[str]]] = {}
    durations: list[float] = []
    for r in range(args.rounds):
        order = list(tools) if r % 2 == 0 else list(reversed(tools))
        for name in order:
            VIGIE_DURATIONS.clear()
            wall, cpu, found[name] = timed(tools[name])
            if name == vigie:
                durations.extend(VIGIE_DURATIONS)
            walls[name].append(wall / len(urls))
            cpus[name].append(cpu / len(urls))
            print(
                f"tour {r + 1} {name} : {wall / len(urls):.3f} s/page, "
                f"CPU {cpu / len(urls):.3f} s/page",
                file=sys.stderr,
                flush=True,
            )
    floor = asyncio.run(_axe_run_times(urls, args.floor_repeat)) if args.floor_repeat else {}
    for httpd in servers:
        httpd.shutdown()

    wall = {name: statistics.median(t) for name, t in walls.items()}
    cpu = {name: statistics.median(t) for name, t in cpus.items()}
    lines = [
        f"{len(urls)} pages (10 BAD + {len(urls) - 10} réelles), chacune accueil de son site "
        f"(127.0.0.2…{len(urls) + 1}) ; axe-core {audit.load_axe().version} ; médiane de "
        f"{args.rounds} tours alternés ; {os.cpu_count()} cœurs, charge au départ "
        f"{load_before:.1f} ; Vigie dans {audit.DEFAULT_EXECUTABLE}, les outils pairs dans "
        f"{CLI_CHROMIUM}.",
        "",
        "| outil | s / page (réel) | Vigie plus rapide (médiane des tours, extrêmes) "
        "| CPU s / page "
        "| tours (s / page) |",
        "|---|---|---|---|---|",
    ]
    for name in tools:
        # Paired: each round's ratio, then their median (the load moves between rounds);
        # the lowest and highest round beside it, so that "missed by a hair" reads as such.
        ratios = [t / v for t, v in zip(walls[name], walls[vigie], strict=True)]
        paired = statistics.median(ratios)
        spread = f"×{paired:.2f} (tours {min(ratios):.2f}–{max(ratios):.2f})"
        ratio = "—" if name == vigie else spread
        rounds = ", ".join(f"{t:.2f}" for t in walls[name])
        lines.append(f"| {name} | {wall[name]:.3f} | {ratio} | {cpu[name]:.3f} | {rounds} |")
    if floor:
        axe_mean = statistics.fmean(floor.values())
        lines += [
            "",
            f"Plancher : `axe.run` seul, page chargée, médiane de {args.floor_repeat} "
            f"passages par page : {axe_mean:.3f} s par page en moyenne "
            f"({min(floor.values()):.3f}–{max(floor.values()):.3f}) ; Vigie, travail entier : "
            f"{wall[vigie] / axe_mean:.2f} × ce plancher (sur deux cœurs pleins : "
            f"plancher {axe_mean / 2:.3f} s par page, Vigie à "
            f"{wall[vigie] / (axe_mean / 2):.2f} ×). Audit de Vigie par page (ses "
            f"enregistrements, chargement compris) : médiane {statistics.median(durations):.2f} s"
            f", {min(durations):.2f}–{max(durations):.2f} s.",
        ]
    mismatches = []
    names = list(tools)
    lines += ["", "| page | règles en échec (identiques pour tous les outils ?) |", "|---|---|"]
    for page, url in zip(pages, urls, strict=True):
        sets = {name: found[name].get(url) for name in names}
        same = all(s == sets[vigie] for s in sets.values())
        shown = "(aucun audit)" if sets[vigie] is None else ", ".join(sorted(sets[vigie])) or "—"
        if not same:
            mismatches.append(
                f"{page.name} : " + " ; ".join(f"{n} {sorted(s or [])}" for n, s in sets.items())
            )
            shown += " **différent**"
        lines.append(f"| {page.parent.name}/{page.name} | {shown} |")
    lines.append("")
    lines.append(
        "Mêmes règles en échec sur toutes les pages : " + ("oui" if not mismatches else "NON")
    )
    lines += mismatches
    return lines, mismatches


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--floor-repeat", type=int, default=3, help="0: no floor")
    parser.add_argument("--pa11y-concurrency", type=int, default=1, help="its default: 1")
    parser.add_argument("--variant", action="append", default=[], help="'LABEL=ARGS'")
    parser.add_argument(
        "--baseline", type=Path, action="append", default=[], help="another checkout to time"
    )
    parser.add_argument("--vigie-only", action="store_true", help="no peer (A/B of Vigie)")
    parser.add_argument("--out", type=Path, help="also write the Markdown figures here")
    args = parser.parse_args()
    if not (CORPUS / "bad").is_dir() or not (CORPUS / "real").is_dir():
        sys.exit(f"{CORPUS} absent")
    if not args.vigie_only and not ((BIN / "axe").exists() and (BIN / "pa11y-ci").exists()):
        sys.exit("outils npm absents : lancez d’abord bench/audit_vs_cli.py --install")
    lines, mismatches = compare(args)
    text = "\n".join(lines) + "\n"
    print(text)
    if args.out:
        args.out.write_text(text, encoding="utf-8")
    return 1 if mismatches else 0


if __name__ == "__main__":
    sys.exit(main())
