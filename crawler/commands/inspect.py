"""``vigie inspect``: every check on one page (a file or a URL), for a web team or CI."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from crawler import settings
from crawler.commands import Command as BaseCommand
from crawler.commands import exitcodes
from crawler.commands.exitcodes import CommandError, UsageError
from crawler.commands.options import positive_float

#: axe impacts, most severe first: ``--fail-on serious`` fails on serious and critical.
IMPACTS = ("critical", "serious", "moderate", "minor")


class Command(BaseCommand):
    name = "inspect"
    help = "vérifier une seule page (fichier HTML ou URL)"
    description = (
        "Lance toutes les vérifications sur une page et affiche les constats, ou l'objet "
        "JSON du contrat avec --json. Avec --render, la page est rendue dans Chromium et "
        "auditée avec axe-core."
    )
    epilog = (
        "exemples :\n"
        "  vigie inspect contact.html --base-url https://www.mairie.fr/contact --json\n"
        "  vigie inspect https://www.mairie.fr/ --render\n"
        "  vigie inspect https://recette.mairie.fr/ --render --fail-on serious "
        "--fail-on phone,a11y_mention\n\n"
        "--fail-on (intégration continue) : un impact axe (critical, serious, moderate, "
        "minor : cet impact\nou plus grave fait échouer) et/ou des identifiants de "
        "vérifications qui doivent être trouvées ;\ncode de sortie 5 si la page ne les "
        "satisfait pas, 0 sinon."
    )

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("target", metavar="FICHIER_OU_URL")
        parser.add_argument(
            "--base-url",
            metavar="URL",
            help="adresse de la page quand c'est un fichier (liens relatifs)",
        )
        parser.add_argument("--json", action="store_true", help="sortie JSON sur stdout")
        parser.add_argument(
            "--render",
            action="store_true",
            help="rendre la page dans Chromium (JavaScript exécuté), vérifier le DOM rendu et "
            "l'auditer avec axe-core (clé « audit » du JSON)",
        )
        parser.add_argument(
            "--fail-on",
            action="append",
            default=[],
            metavar="CONDITION",
            help="faire échouer la commande (code 5) : un impact axe (critical, serious…, "
            "avec --render) ou des vérifications à trouver (phone,a11y_mention…) ; répétable",
        )
        parser.add_argument(
            "--allow-private",
            action="store_true",
            help="autoriser une adresse privée ou locale (127.0.0.1, intranet…) ; refusée par "
            "défaut, redirections comprises",
        )
        parser.add_argument(
            "--sarif",
            metavar="FICHIER",
            help="avec --render : écrire l'audit au format SARIF 2.1.0 (tableaux de bord "
            "d'analyse de code) ; - pour la sortie standard",
        )
        parser.add_argument(
            "--earl",
            metavar="FICHIER",
            help="avec --render : écrire l'audit au format EARL du W3C (JSON-LD)",
        )
        parser.add_argument(
            "--junit",
            metavar="FICHIER",
            help="avec --fail-on : écrire le résultat des conditions en JUnit XML (serveurs "
            "d'intégration continue)",
        )
        parser.add_argument(
            "--browser",
            metavar="CHEMIN",
            help="exécutable Chromium pour --render (défaut : $VIGIE_CHROMIUM, sinon "
            "chromium-headless-shell s'il est installé, sinon /usr/bin/chromium)",
        )
        parser.add_argument(
            "--timeout",
            type=positive_float,
            default=float(settings.DOWNLOAD_TIMEOUT),
            metavar="S",
            help=f"délai pour une URL et pour le rendu (défaut : {settings.DOWNLOAD_TIMEOUT} s)",
        )

    def run(self, args: argparse.Namespace) -> int:
        from checks import CHECK_IDS, run_checks
        from crawler.fetch import FetchError, load_page

        impact, required = _fail_on(args.fail_on, CHECK_IDS)
        if impact is not None and not args.render:
            raise UsageError(f"--fail-on {impact} : l'audit axe-core demande --render")
        if (args.sarif or args.earl) and not args.render:
            raise UsageError("--sarif et --earl écrivent l'audit axe-core : ajoutez --render")
        if args.junit and not args.fail_on:
            raise UsageError("--junit écrit le résultat de --fail-on : indiquez les conditions")
        try:
            page = load_page(
                args.target,
                base_url=args.base_url,
                timeout=args.timeout,
                allow_private=args.allow_private,
            )
        except FetchError as exc:
            raise UsageError(str(exc)) from exc
        audit = rendered = None
        if args.render:
            audit, page = _render(args, page)
            rendered = _rendered_checks(audit, page)
        results = run_checks(page)
        if args.json:
            out = inspect_json(page.url, results, audit, rendered)
            json.dump(out, sys.stdout, ensure_ascii=False, indent=2)
            sys.stdout.write("\n")
        else:
            _print_page(page, results, CHECK_IDS)
            if rendered is not None:
                print("Sur la page rendue :")
                _print_checks(rendered, tuple(rendered))
            if audit is not None:
                _print_audit(audit)
        _write_standard_outputs(args, audit)
        cases = _cases(results, audit, impact, required)
        if args.junit:
            from reports.standards import junit

            _write(args.junit, junit(f"vigie inspect {page.url}", cases))
        failures = [failure for _, failure in cases if failure]
        for failure in failures:
            print(f"vigie : échec : {failure}", file=sys.stderr)
        return exitcodes.FAILED_CHECKS if failures else exitcodes.OK


def inspect_json(
    url: str,
    results: dict[str, Any],
    audit: dict[str, Any] | None,
    rendered: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The object ``vigie inspect --json`` prints (``docs/inspect-json.md``)."""
    from checks import CHECK_IDS
    from checks.catalog import info
    from crawler.cli import version

    def entries(found: dict[str, Any], ids: Any) -> dict[str, Any]:
        return {
            check_id: {
                **found[check_id].to_dict(),
                "engagement": info(check_id).engagement,
                "bad_when_found": info(check_id).bad_when_found,
            }
            for check_id in ids
        }

    checks = entries(results, CHECK_IDS)
    out: dict[str, Any] = {
        "url": url,
        "tool": {"name": "vigie", "version": version()},
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "axe_version": audit.get("axe_version") if audit else None,
        "checks": checks,
    }
    if audit is not None:
        out["audit"] = audit
    if rendered is not None:
        out["rendered"] = entries(rendered, rendered)
    return out


def _rendered_checks(audit: dict[str, Any], page: Any) -> dict[str, Any]:
    """The rendered checks (``mobile_ready``, ``ecoindex``, ``plain_language``) of the
    page the browser rendered, or each an error with the audit's reason."""
    from checks.rendered import RENDERED_CHECK_IDS, RenderMetrics, run_rendered_checks
    from checks.result import CheckResult

    if audit.get("error") or audit.get("metrics") is None:
        reason = f"page non rendue : {audit.get('error') or 'mesures absentes'}"
        return {c: CheckResult(found=False, error=reason) for c in RENDERED_CHECK_IDS}
    return run_rendered_checks(page, RenderMetrics(**audit["metrics"]))


def _write_standard_outputs(args: argparse.Namespace, audit: dict[str, Any] | None) -> None:
    if audit is None or not (args.sarif or args.earl):
        return
    from crawler.cli import version
    from reports.standards import dumps, earl, sarif

    if args.sarif:
        _write(args.sarif, dumps(sarif([audit], version())))
    if args.earl:
        _write(args.earl, dumps(earl([audit], version())))


def _write(path: str, text: str) -> None:
    from crawler.commands.options import output

    with output(path) as stream:
        stream.write(text)


def _fail_on(conditions: list[str], check_ids: tuple[str, ...]) -> tuple[str | None, list[str]]:
    """``--fail-on`` values: at most one axe impact, and check ids that must be found."""
    impact = None
    required: list[str] = []
    for item in (part.strip() for value in conditions for part in value.split(",")):
        if not item:
            continue
        if item in IMPACTS:
            if impact is not None and impact != item:
                raise UsageError(f"--fail-on : un seul impact axe, pas {impact} et {item}")
            impact = item
        elif item in check_ids:
            required.append(item)
        else:
            raise UsageError(
                f"--fail-on : {item!r} n'est ni un impact axe ({', '.join(IMPACTS)}) ni une "
                "vérification (voir « vigie inspect --help »)"
            )
    return impact, required


def _cases(
    results: dict[str, Any],
    audit: dict[str, Any] | None,
    impact: str | None,
    required: list[str],
) -> list[tuple[str, str | None]]:
    """The ``--fail-on`` conditions, each with why the page fails it (None: it passes)."""
    cases: list[tuple[str, str | None]] = []
    for check_id in required:
        res = results[check_id]
        failure = None
        if res.status != "found":
            failure = f"{check_id} : " + (f"erreur : {res.error}" if res.error else "absent")
        cases.append((f"vérification {check_id} trouvée", failure))
    if impact is not None and audit is not None:
        name = f"aucune règle axe d'impact {impact} ou plus grave"
        if audit.get("error"):
            cases.append((name, f"audit axe-core impossible : {audit['error']}"))
        else:
            bar = IMPACTS[: IMPACTS.index(impact) + 1]
            rules = [r["id"] for r in audit.get("violations") or () if r.get("impact") in bar]
            failure = None
            if rules:
                failure = (
                    f"{len(rules)} règle(s) axe en échec d'impact {impact} ou plus grave : "
                    + ", ".join(rules)
                )
            cases.append((name, failure))
    return cases


def _render(args: argparse.Namespace, page: Any) -> tuple[dict[str, Any], Any]:
    from checks.page import Page
    from crawler.audit import AuditSetupError, audit_urls
    from crawler.fetch import address_rule, navigation_guard

    is_url = args.target.startswith(("http://", "https://"))
    target = args.target if is_url else Path(args.target).resolve().as_uri()
    try:
        [result] = audit_urls(
            [target],
            executable_path=args.browser or settings.VIGIE_BROWSER_EXECUTABLE,
            page_timeout_s=args.timeout,
            settle_s=settings.VIGIE_AUDIT_SETTLE,
            navigation_guard=navigation_guard(args.allow_private),
            address_rule=address_rule(args.allow_private),
        )
    except AuditSetupError as exc:
        raise CommandError(str(exc)) from exc
    if result.html is not None:  # else: the static checks stand, the audit says why
        page = Page(result.html, args.base_url or result.final_url or target)
    return result.to_dict(), page


def _print_page(page: Any, results: dict[str, Any], check_ids: tuple[str, ...]) -> None:
    print(f"Page : {page.url}")
    if page.title:
        print(f"Titre : {page.title}")
    _print_checks(results, check_ids)


def _print_checks(results: dict[str, Any], check_ids: tuple[str, ...]) -> None:
    for check_id in check_ids:
        res = results[check_id]
        mark = {"found": "✔ trouvé", "absent": "✘ absent", "error": "! erreur"}[res.status]
        line = f"  {check_id:<20} {mark}"
        if res.error:
            line += f" — {res.error}"
        elif res.evidence:
            line += f" — {res.evidence[0].snippet[:90]}"
        print(line)


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
