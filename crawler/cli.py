"""The ``vigie`` command: crawl, table, report, inspect, runs, demo.

User-facing text is French (the users are French administrations and programme staff);
``--help`` of every sub-command says what it does, with an example.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

DEFAULT_DB = "sqlite:///vigie.db"

EPILOG = """\
exemples :
  vigie crawl --seeds sites.csv                 explorer les sites de sites.csv
  vigie table -o constats.xlsx                  tableau des constats de la dernière exploration
  vigie report -o rapport                       rapports HTML (vue d'ensemble + une page par site)
  vigie inspect page.html --base-url https://www.mairie.fr/ --json
  vigie demo                                    démonstration sur des sites locaux

La liste de sites est un fichier CSV « id,name,url,type » (type : mairie, prefecture,
caf, cpam, ministere, hopital, universite, autre…). Les résultats s'accumulent dans la
base (--db, SQLite « vigie.db » par défaut) : une exploration n'efface jamais les
précédentes.
"""


def _add_db(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--db",
        default=DEFAULT_DB,
        metavar="URL",
        help=f"base de résultats, URL SQLAlchemy (défaut : {DEFAULT_DB} ; "
        "PostgreSQL : postgresql+psycopg://utilisateur@hôte/base)",
    )


#: A run's state as ``vigie runs`` shows it.
RUN_STATUSES = {
    "running": "en cours",
    "finished": "terminée",
    "failed": "échouée",
    "interrupted": "interrompue",
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="vigie",
        description="Vigie vérifie, site par site, les engagements « Services Publics + » "
        "visibles sur le web des administrations.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMANDE")

    crawl = sub.add_parser(
        "crawl",
        help="explorer les sites d'une liste et enregistrer les constats",
        description="Explore chaque site de la liste (robots.txt respecté, pages de contact, "
        "d'accessibilité, FAQ… en premier), lance les vérifications sur chaque "
        "page et enregistre une nouvelle exploration dans la base.",
        epilog="exemple : vigie crawl --seeds sites.csv --max-pages-per-site 50 "
        "--table constats.csv\n\n"
        "Ctrl-C (ou SIGTERM) arrête proprement : ce qui est exploré reste en base, "
        "l'exploration\nest « interrompue » (code de sortie 130) et reprend avec "
        "--resume N°.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    crawl.add_argument(
        "--seeds",
        metavar="FICHIER",
        help="liste des sites, CSV id,name,url,type (inutile avec --resume)",
    )
    crawl.add_argument(
        "--max-pages-per-site", type=int, metavar="N", help="pages au plus par site (défaut : 30)"
    )
    crawl.add_argument(
        "--depth",
        type=int,
        metavar="N",
        help="profondeur de liens au plus depuis l'accueil (défaut : 3)",
    )
    crawl.add_argument(
        "--run-label",
        metavar="ÉTIQUETTE",
        help="étiquette de l'exploration, par exemple 2026-W48 : une exploration planifiée "
        "est idempotente (déjà terminée : rien à refaire ; interrompue : elle reprend)",
    )
    crawl.add_argument(
        "--redis",
        metavar="URL",
        help="exploration distribuée : ce processus est un travailleur parmi d'autres qui "
        "partagent la file d'attente Redis (redis://hôte:6379/0) ; exige --run-label, et "
        "une base commune (--db postgresql+psycopg://…)",
    )
    crawl.add_argument(
        "--resume",
        type=int,
        metavar="N°",
        help="reprendre l'exploration interrompue n° N° là où elle s'est arrêtée "
        "(même liste de sites, pages déjà enregistrées non retéléchargées)",
    )
    crawl.add_argument(
        "--table",
        metavar="FICHIER",
        help="écrire aussi le tableau des constats (.csv, .xlsx, .parquet, .json)",
    )
    crawl.add_argument(
        "--concurrency",
        type=int,
        metavar="N",
        help="requêtes simultanées au plus, tous sites confondus (défaut : 32 ; 2 par site)",
    )
    crawl.add_argument(
        "--no-audit",
        action="store_true",
        help="ne pas rendre ni auditer de pages avec axe-core (exploration HTTP seule)",
    )
    crawl.add_argument(
        "--audit-pages",
        type=int,
        metavar="N",
        help="pages auditées par site en plus de l'accueil, du contact et de "
        "l'accessibilité (défaut : 5)",
    )
    crawl.add_argument(
        "--report",
        metavar="DOSSIER",
        help="dossier des rapports HTML écrits à la fin (défaut : vigie-rapport/ à côté de "
        "la base SQLite, ou du dossier courant)",
    )
    crawl.add_argument(
        "--no-report", action="store_true", help="ne pas écrire les rapports HTML à la fin"
    )
    crawl.add_argument(
        "--allow-private",
        action="store_true",
        help="autoriser les adresses privées ou locales (127.0.0.1…) ; refusées par défaut",
    )
    crawl.add_argument(
        "-s",
        "--set",
        action="append",
        default=[],
        metavar="NOM=VALEUR",
        help="réglage Scrapy ou Vigie (voir crawler/settings.py), répétable",
    )
    crawl.add_argument("--quiet", action="store_true", help="journal Scrapy réduit aux erreurs")
    _add_db(crawl)

    table = sub.add_parser(
        "table",
        help="exporter le tableau des constats (une ligne par site)",
        description="Tableau des constats d'une exploration : une ligne par site, une colonne "
        "par vérification (found / absent / error), couvertures des engagements "
        "2 et 3.",
        epilog="exemple : vigie table --run 3 --format xlsx -o constats.xlsx",
    )
    table.add_argument(
        "--run", type=int, metavar="ID", help="numéro d'exploration (défaut : la dernière terminée)"
    )
    table.add_argument(
        "--format",
        choices=("csv", "parquet", "xlsx", "json"),
        help="format (défaut : d'après l'extension du fichier)",
    )
    table.add_argument("-o", "--output", required=True, metavar="FICHIER", help="fichier à écrire")
    _add_db(table)

    report = sub.add_parser(
        "report",
        help="écrire les rapports HTML (vue d'ensemble, une page par site) et les exports",
        description="Rapports HTML d'une exploration, lisibles sans serveur : DOSSIER/index.html "
        "(vue d'ensemble pour le programme), DOSSIER/sites/<site>.html (une page par site "
        "pour son équipe web), DOSSIER/donnees/ (CSV, XLSX, Parquet, JSON).",
        epilog="exemple : vigie report --run 3 -o rapport-3",
    )
    report.add_argument(
        "--run", type=int, metavar="ID", help="numéro d'exploration (défaut : la dernière terminée)"
    )
    report.add_argument("-o", "--output", required=True, metavar="DOSSIER", help="dossier à écrire")
    _add_db(report)

    inspect = sub.add_parser(
        "inspect",
        help="vérifier une seule page (fichier HTML ou URL)",
        description="Lance toutes les vérifications sur une page et affiche les constats, "
        "ou l'objet JSON du contrat avec --json.",
        epilog="exemple : vigie inspect contact.html --base-url https://www.mairie.fr/contact "
        "--json",
    )
    inspect.add_argument("target", metavar="FICHIER_OU_URL")
    inspect.add_argument(
        "--base-url",
        metavar="URL",
        help="adresse de la page quand c'est un fichier (liens relatifs)",
    )
    inspect.add_argument("--json", action="store_true", help="sortie JSON sur stdout")
    inspect.add_argument(
        "--render",
        action="store_true",
        help="rendre la page dans Chromium (JavaScript exécuté), vérifier le DOM rendu et "
        "l'auditer avec axe-core (clé « audit » du JSON)",
    )
    inspect.add_argument(
        "--browser",
        metavar="CHEMIN",
        help="exécutable Chromium pour --render (défaut : $VIGIE_CHROMIUM, sinon "
        "chromium-headless-shell s'il est installé, sinon /usr/bin/chromium)",
    )
    inspect.add_argument(
        "--timeout",
        type=float,
        default=30.0,
        metavar="S",
        help="délai pour une URL (défaut : 30 s)",
    )
    inspect.add_argument(
        "--allow-private",
        action="store_true",
        help="autoriser les adresses privées ou locales (127.0.0.1, 10.x, intranet…), "
        "refusées par défaut, redirections et navigateur de --render compris",
    )

    runs = sub.add_parser(
        "runs",
        help="lister les explorations enregistrées",
        description="Liste des explorations de la base, la plus récente en dernier.",
    )
    _add_db(runs)

    demo = sub.add_parser(
        "demo",
        help="démonstration : explorer les sites d'administration fictifs locaux",
        description="Sert sur 127.0.0.1 un petit « web administratif » fictif (mairie, "
        "préfecture, CAF, ministère, hôpital, université, sites en panne…), "
        "l'explore dans la base et écrit le tableau des constats.",
    )
    demo.add_argument(
        "-o",
        "--output",
        default="vigie-demo",
        metavar="DOSSIER",
        help="dossier des résultats (défaut : vigie-demo)",
    )
    demo.add_argument(
        "--timeout",
        type=float,
        default=3.0,
        metavar="S",
        help="délai de téléchargement de la démonstration (défaut : 3 s)",
    )
    _add_db(demo)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    handler = {
        "crawl": cmd_crawl,
        "table": cmd_table,
        "report": cmd_report,
        "inspect": cmd_inspect,
        "runs": cmd_runs,
        "demo": cmd_demo,
    }[args.command]
    try:
        return handler(args)
    except KeyboardInterrupt:
        print("vigie : interrompu", file=sys.stderr)
        return 130


def _fail(message: str, code: int = 2) -> int:
    print(f"vigie : erreur : {message}", file=sys.stderr)
    return code


# -- crawl ------------------------------------------------------------------------------


def _overrides(args: argparse.Namespace) -> dict[str, Any]:
    overrides: dict[str, Any] = {"VIGIE_DB_URL": args.db}
    if args.max_pages_per_site is not None:
        overrides["VIGIE_MAX_PAGES_PER_SITE"] = args.max_pages_per_site
    if args.depth is not None:
        overrides["VIGIE_MAX_DEPTH"] = args.depth
    if args.allow_private:
        overrides["VIGIE_ALLOW_PRIVATE"] = True
    if args.no_audit:
        overrides["VIGIE_AUDIT_ENABLED"] = False
    if args.concurrency is not None:
        overrides["CONCURRENT_REQUESTS"] = args.concurrency
    if args.audit_pages is not None:
        overrides["VIGIE_AUDIT_OTHER_PAGES"] = args.audit_pages
    if args.quiet:
        overrides["LOG_LEVEL"] = "ERROR"
    for item in args.set:
        name, sep, value = item.partition("=")
        if not sep or not name:
            raise ValueError(f"réglage invalide {item!r} : attendu NOM=VALEUR")
        overrides[name.strip()] = value.strip()
    return overrides


def cmd_crawl(args: argparse.Namespace) -> int:
    from crawler.run import run_crawl
    from crawler.seeds import SeedError, load_seeds
    from crawler.store import Store

    try:
        overrides = _overrides(args)
    except ValueError as exc:
        return _fail(str(exc))
    store = Store(args.db)
    resume = args.resume
    if args.redis and not args.run_label:
        return _fail("--redis exige --run-label : les travailleurs se retrouvent par l'étiquette")
    if resume is None and args.run_label:
        previous = store.run_by_label(args.run_label)
        if previous and previous["status"] == "finished":
            print(
                f"Exploration « {args.run_label} » déjà terminée (n° {previous['id']}) : "
                "rien à refaire."
            )
            return 0
        if previous and not args.redis:  # distributed: the workers join the run instead
            resume = previous["id"]
            print(f"Reprise de l'exploration « {args.run_label} » (n° {resume}).", file=sys.stderr)
    if resume is not None:
        run = next((r for r in store.list_runs() if r["id"] == resume), None)
        if run is None:
            return _fail(f"exploration n° {resume} inconnue (voir « vigie runs »)")
        if run["status"] == "finished":
            print(f"Exploration n° {resume} déjà terminée : rien à reprendre.")
            return 0
        seeds = store.seeds_of_run(resume)
    else:
        if not args.seeds:
            return _fail("indiquez la liste des sites (--seeds FICHIER) ou --resume N°")
        try:
            seed_list = load_seeds(args.seeds)
        except SeedError as exc:
            return _fail(str(exc))
        for problem in seed_list.problems:
            print(f"vigie : {args.seeds} : {problem}", file=sys.stderr)
        seeds = seed_list.seeds
    run_id = run_crawl(
        seeds, overrides, label=args.run_label, resume_run=resume, redis_url=args.redis
    )
    status = next(r for r in store.list_runs() if r["id"] == run_id)["status"]
    if status == "interrupted":
        print(
            f"Exploration n° {run_id} interrompue avant sa fin : ce qui a été exploré est "
            f"enregistré. Pour la reprendre : vigie crawl --resume {run_id} --db {args.db}",
            file=sys.stderr,
        )
        return 130
    if status != "finished":
        return 0  # a distributed worker that was not the last: the last one reports
    _print_summary(args.db, run_id)
    code = _write_table(args.db, run_id, args.table, None) if args.table else 0
    if not args.no_report:
        code = _write_report(args.db, run_id, args.report or _default_report_dir(args.db)) or code
    return code


def _print_summary(db: str, run_id: int) -> None:
    from crawler.store import Store
    from reports.table import findings_table

    df = findings_table(Store(db), run_id)
    print(
        f"\nExploration n° {run_id} : {len(df)} sites, "
        f"{int((df['status'] == 'ok').sum())} explorés, "
        f"{int((df['status'] == 'error').sum())} en erreur"
    )
    for row in df.itertuples():
        if row.status == "ok":
            e2 = "—" if row.engagement_2 is None else f"{row.engagement_2:.0%}"
            e3 = "—" if row.engagement_3 is None else f"{row.engagement_3:.0%}"
            print(
                f"  {row.site_id:<20} {row.pages_crawled:>3} pages  "
                f"engagement 2 : {e2:>4}  engagement 3 : {e3:>4}"
            )
        else:
            print(f"  {row.site_id:<20} ERREUR : {row.reason}")


# -- table ------------------------------------------------------------------------------


def _write_table(db: str, run_id: int | None, output: str, fmt: str | None) -> int:
    from crawler.store import Store
    from reports.table import TableError, export, findings_table

    try:
        path = export(findings_table(Store(db), run_id), output, fmt)
    except TableError as exc:
        return _fail(str(exc))
    print(f"Tableau des constats écrit : {path}")
    return 0


def cmd_table(args: argparse.Namespace) -> int:
    return _write_table(args.db, args.run, args.output, args.format)


# -- report -----------------------------------------------------------------------------


def _default_report_dir(db: str) -> str:
    """``vigie-rapport`` beside an SQLite database file, else in the current folder."""
    from sqlalchemy.engine import make_url

    url = make_url(db)
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
        return str(Path(url.database).parent / "vigie-rapport")
    return "vigie-rapport"


def _write_report(db: str, run_id: int | None, output: str) -> int:
    from crawler.store import Store
    from reports.html import write_report
    from reports.table import TableError

    try:
        written = write_report(Store(db), output, run_id)
    except TableError as exc:
        return _fail(str(exc))
    for warning in written.warnings:
        print(f"vigie : attention : {warning}", file=sys.stderr)
    print(f"Rapports écrits : {written.index} ({len(written.site_pages)} pages de sites)")
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    return _write_report(args.db, args.run, args.output)


# -- runs -------------------------------------------------------------------------------


def cmd_runs(args: argparse.Namespace) -> int:
    from crawler.store import Store

    runs = Store(args.db).list_runs()
    if not runs:
        print("Aucune exploration dans la base.")
        return 0
    print(
        f"{'n°':>4}  {'étiquette':<12} {'début':<20} {'état':<11} {'sites':>6} "
        f"{'pages':>7} {'erreurs':>8} {'Mo':>7} {'durée':>8}"
    )
    for r in runs:
        started = r["started_at"].strftime("%Y-%m-%d %H:%M:%S") if r["started_at"] else ""
        stats = r["stats"] or {}
        pages = stats.get("vigie/pages", "")
        errors = stats.get("vigie/errors", "")
        megabytes = stats.get("downloader/response_bytes", 0) / 1e6
        duration = stats.get("elapsed_time_seconds")
        print(
            f"{r['id']:>4}  {(r['label'] or ''):<12} {started:<20} "
            f"{RUN_STATUSES.get(r['status'], r['status']):<11} "
            f"{r['seeds_count']:>6} {pages:>7} {errors:>8} {megabytes:>7.1f} "
            f"{'' if duration is None else f'{duration:.0f} s':>8}"
        )
    return 0


# -- inspect ----------------------------------------------------------------------------


def cmd_inspect(args: argparse.Namespace) -> int:
    from checks import CHECK_IDS, run_checks
    from crawler.fetch import FetchError, load_page

    try:
        page = load_page(
            args.target,
            base_url=args.base_url,
            timeout=args.timeout,
            allow_private=args.allow_private,
        )
    except FetchError as exc:
        return _fail(str(exc))
    audit = None
    if args.render:
        from checks.page import Page
        from crawler import settings
        from crawler.audit import AuditSetupError, audit_urls
        from crawler.fetch import navigation_guard

        is_url = args.target.startswith(("http://", "https://"))
        target = args.target if is_url else Path(args.target).resolve().as_uri()
        try:
            [result] = audit_urls(
                [target],
                executable_path=args.browser or settings.VIGIE_BROWSER_EXECUTABLE,
                page_timeout_s=args.timeout,
                settle_s=settings.VIGIE_AUDIT_SETTLE,
                navigation_guard=navigation_guard(args.allow_private),
            )
        except AuditSetupError as exc:
            return _fail(str(exc))
        audit = result.to_dict()
        if result.html is not None:  # else: the static checks stand, the audit says why
            page = Page(result.html, args.base_url or result.final_url or target)
    results = run_checks(page)
    if args.json:
        out: dict[str, Any] = {
            "url": page.url,
            "checks": {c: results[c].to_dict() for c in CHECK_IDS},
        }
        if audit is not None:
            out["audit"] = audit
        json.dump(out, sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
        return 0
    print(f"Page : {page.url}")
    if page.title:
        print(f"Titre : {page.title}")
    for check_id in CHECK_IDS:
        res = results[check_id]
        mark = {"found": "✔ trouvé", "absent": "✘ absent", "error": "! erreur"}[res.status]
        line = f"  {check_id:<20} {mark}"
        if res.error:
            line += f" — {res.error}"
        elif res.evidence:
            line += f" — {res.evidence[0].snippet[:90]}"
        print(line)
    if audit is not None:
        _print_audit(audit)
    return 0


def _print_audit(audit: dict[str, Any]) -> None:
    print(f"\nAudit axe-core {audit.get('axe_version') or '?'} :")
    if audit.get("error"):
        print(f"  ! erreur : {audit['error']}")
        return
    for kind, label in (("violations", "non-conformités"), ("needs_review", "à vérifier")):
        rules = audit.get(kind) or []
        print(f"  {label} : {len(rules)} règle(s)")
        for rule in rules:
            rgaa = ", ".join(c["criterion"] for c in rule.get("criteria") or []) or "hors RGAA"
            print(
                f"    - {rule['id']} ({rule.get('impact') or '?'}) — RGAA {rgaa} — "
                f"{len(rule.get('nodes') or [])} élément(s)"
            )
    print(
        "  Les tests automatiques ne couvrent qu'une partie du RGAA : ce n'est pas un "
        "taux de conformité."
    )


# -- demo -------------------------------------------------------------------------------


def cmd_demo(args: argparse.Namespace) -> int:
    from crawler.demo.server import DemoWeb
    from crawler.run import run_crawl
    from crawler.seeds import parse_seeds

    out = Path(args.output)
    out.mkdir(parents=True, exist_ok=True)
    with DemoWeb(slow_delay=max(args.timeout * 3, 5.0)) as web:
        seeds_path = web.write_seeds(out / "sites-demo.csv")
        print(f"Web administratif de démonstration servi sur 127.0.0.1 ({seeds_path})")
        seeds = parse_seeds(seeds_path.read_text(encoding="utf-8")).seeds
        overrides = {
            "VIGIE_DB_URL": args.db,
            "VIGIE_ALLOW_PRIVATE": True,
            "DOWNLOAD_TIMEOUT": args.timeout,
            "AUTOTHROTTLE_START_DELAY": 0.05,
            "DOWNLOAD_DELAY": 0.0,
            "RETRY_TIMES": 0,
            "LOG_LEVEL": "ERROR",  # site failures are the demo's point: shown in the summary
        }
        run_id = run_crawl(seeds, overrides, label="demo")
    _print_summary(args.db, run_id)
    code = 0
    for fmt in ("csv", "xlsx", "parquet", "json"):
        code = code or _write_table(args.db, run_id, str(out / f"constats.{fmt}"), fmt)
    return _write_report(args.db, run_id, str(out)) or code


if __name__ == "__main__":
    sys.exit(main())
