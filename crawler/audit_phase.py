"""After the HTTP crawl: render a sample of each site's pages and audit them with axe.

Rendering is costly (a browser page, its scripts, axe), fetching is cheap: the crawl
fetches every page with plain HTTP and this phase renders only what needs it
(docs/data-dictionary.md):

* per site, the home page, the contact page, the accessibility page and
  ``VIGIE_AUDIT_OTHER_PAGES`` other pages (the shallowest) are audited with axe-core;
* pages whose static HTML was an empty JavaScript shell are rendered too, and the static
  checks run again on their rendered DOM (their findings replace the static ones).
* the same-site links of a JavaScript shell's rendered DOM that the run does not hold
  (menus built by Vue or React) are rendered too, breadth first, key pages first, within
  the site's page budget, and stored as pages of the run (reason ``lien-rendu``:
  :mod:`crawler.rendered_links`); fetched by HTTP they would give the empty shell again;
* on every rendered page the rendered checks (``mobile_ready``, ``ecoindex``,
  ``plain_language``: :mod:`checks.rendered`) run on its rendered DOM and the browser's
  figures, and are stored as that page's findings; a page whose audit failed gets them as
  errors with the audit's reason (never "absent"). ``checks.site.aggregate_rendered``
  brings them to the site level when the run finishes.

One :class:`~crawler.audit.Auditor` (one Chromium) serves the whole run. A page that hangs
or crashes its tab, or a browser that cannot start, gives audit *errors* with their
reason: the crawl's findings are kept, and nothing reads as "no violation".
"""

from __future__ import annotations

import asyncio
import sys
import time
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from checks.page import Page
from checks.rendered import RENDERED_CHECK_IDS, run_rendered_checks
from checks.result import CheckResult
from checks.text import fold
from crawler.analysis import analyse_page
from crawler.rendered_links import REASON as LINKED_REASON
from crawler.rendered_links import RenderedLinks, Route
from crawler.rendered_robots import RenderedRobots
from crawler.scope import canonical_url
from crawler.store import Store, finding_rows
from crawler.store.writes import now


@dataclass(frozen=True, slots=True)
class Sampled:
    site_id: str
    page_id: int
    url: str
    reason: str  # accueil, contact, accessibilite, page, coquille-js (lien-rendu: below)
    js_shell: bool
    size: int = 0  # bytes of the page's HTML as fetched: what :func:`audit_order` reads


def select_pages(pages: Iterable[Mapping[str, Any]], others: int) -> list[Sampled]:
    """The pages of one run to render, per site, in the order of the dictionary's priorities."""
    by_site: dict[str, list[Mapping[str, Any]]] = defaultdict(list)
    for page in pages:
        by_site[page["site_id"]].append(page)
    chosen: list[Sampled] = []
    for site_id, site_pages in by_site.items():
        site_pages = sorted(site_pages, key=lambda p: (p["depth"] or 0, p["id"]))
        by_id = {p["id"]: p for p in site_pages}
        chosen.extend(
            Sampled(
                site_id,
                pid,
                by_id[pid]["url"],
                reason,
                bool(by_id[pid].get("js_shell")),
                by_id[pid].get("bytes") or 0,
            )
            for pid, reason in _site_sample(site_pages, others).items()
        )
    return chosen


def audit_order(sample: Iterable[Sampled]) -> list[Sampled]:
    """The sample in the order it is rendered: the costliest pages first.

    The tabs take pages in this order. In list order a heavy page met last runs alone in
    its tab while the others have nothing left to do: on the 25 pages of
    ``bench/whole_job_vs_peers.py`` the four heaviest come last, the audit phase's tail.
    Longest first (the classic rule for sharing jobs among a few workers) needs each page's
    cost before rendering it: JavaScript shells first (their script builds the whole page),
    then the larger HTML. Sorting is stable: within a size, the sample's own order.
    """
    return sorted(sample, key=lambda item: (not item.js_shell, -item.size))


def _site_sample(site_pages: list[Mapping[str, Any]], others: int) -> dict[int, str]:
    """Page id → why it is sampled; first reason wins (a home page that is also the
    contact page is sampled once, as the home)."""
    picked: dict[int, str] = {}
    candidates = [
        (site_pages[0] if site_pages else None, "accueil"),
        (_first(site_pages, ("contact",)), "contact"),
        (_first(site_pages, ("accessibilite",)), "accessibilite"),
        *((p, "coquille-js") for p in site_pages if p.get("js_shell")),
    ]
    for page, reason in candidates:
        if page is not None:
            picked.setdefault(page["id"], reason)
    extra = [p for p in site_pages if p["id"] not in picked][:others]
    for page in extra:
        picked[page["id"]] = "page"
    return picked


def _first(pages: list[Mapping[str, Any]], words: tuple[str, ...]) -> Mapping[str, Any] | None:
    for page in pages:
        haystack = fold(f"{page['url']} {page.get('title') or ''}")
        if any(w in haystack for w in words):
            return page
    return None


def rendered_results(result: Any, url: str) -> dict[str, CheckResult]:
    """The rendered checks of one audited page (``AuditResult``): run on its rendered DOM
    and figures, or each an error with the audit's reason when the page could not be
    rendered (a rendered check that could not run is never "absent")."""
    if result.error is not None or result.html is None or result.metrics is None:
        reason = f"page non rendue : {result.error or 'DOM rendu non conservé'}"
        return {check_id: CheckResult(found=False, error=reason) for check_id in RENDERED_CHECK_IDS}
    page = Page(result.html, result.final_url or url)
    return run_rendered_checks(page, result.metrics)


def run_audits(store: Store, run_id: int, settings: Any) -> dict[str, Any]:
    """Render and audit the sample of ``run_id``; returns statistics for the run.

    A resumed run keeps the audits it holds: their pages are not rendered again, and the
    rendered links they recorded (a shell's menu, a rendered route's own links) are offered
    again, so that routes waiting when the run stopped are still rendered."""
    pages = store.pages_of_run(run_id)
    audited = store.audits_of_run(run_id)
    sample = select_pages(pages, settings.getint("VIGIE_AUDIT_OTHER_PAGES"))
    done = {a["page_id"] for a in audited}
    sample = audit_order(item for item in sample if item.page_id not in done)
    links = RenderedLinks(
        pages,
        [
            *((e["site_id"], e["url"]) for e in store.errors_of_run(run_id)),
            # rendered routes that gave no page (an error): not rendered again
            *((a["site_id"], a["url"]) for a in audited if a["reason"] == LINKED_REASON),
        ],
        settings,
    )
    for record in audited:
        if record.get("rendered_links"):
            depth = links.depths.get(record["page_id"], 0) + 1
            links.offer(record["site_id"], record["rendered_links"], depth)
    if not sample and not links.pending_count():
        return {"audit_pages": 0}
    return asyncio.run(_audit(store, run_id, sample, links, settings))


async def _audit(
    store: Store, run_id: int, sample: list[Sampled], links: RenderedLinks, settings: Any
) -> dict[str, Any]:
    from crawler.addresses import AddressRule, PrivateAddresses
    from crawler.audit import Auditor, AuditResult, AuditSetupError

    started = time.monotonic()
    stats = {
        "audit_pages": len(sample),
        "audit_errors": 0,
        "rendered_shells": 0,
        "rendered_links": 0,
    }
    try:
        auditor = Auditor(
            settings.get("VIGIE_BROWSER_EXECUTABLE"),
            concurrency=settings.getint("VIGIE_AUDIT_CONCURRENCY"),
            page_timeout_s=settings.getfloat("VIGIE_AUDIT_TIMEOUT"),
            restart_every=settings.getint("VIGIE_AUDIT_RESTART_EVERY"),
            crash_retries=settings.getint("VIGIE_AUDIT_CRASH_RETRIES"),
            # The crawler's SSRF rule, for what the browser navigates to on its own.
            navigation_guard=(
                None
                if settings.getbool("VIGIE_ALLOW_PRIVATE")
                else PrivateAddresses(AddressRule.from_settings(settings)).refusal
            ),
            # The same rule for the address Chromium itself connected to (DNS rebinding).
            address_rule=AddressRule.from_settings(settings),
            settle_s=settings.getfloat("VIGIE_AUDIT_SETTLE"),
            user_agent=settings.get("USER_AGENT"),
        )
        await auditor.start()
    except (AuditSetupError, OSError) as exc:
        reason = f"navigateur indisponible : {exc}"
        print(f"[vigie] audit impossible : {reason}", file=sys.stderr)
        for item in sample:
            store.write_audit(
                run_id, item.site_id, item.page_id, item.reason, {"url": item.url, "error": reason}
            )
            errored = AuditResult(url=item.url, axe_version="", error=reason)
            store.replace_check_findings(
                item.page_id, RENDERED_CHECK_IDS, finding_rows(rendered_results(errored, item.url))
            )
        stats["audit_errors"] = len(sample)
        return stats
    done = 0
    last_report = time.monotonic()

    async def render(url: str) -> Any:
        try:
            return await auditor.audit(url)
        except Exception as exc:  # the Auditor reports page failures; this is a bug path
            return AuditResult(
                url=url,
                axe_version=auditor.axe.version,
                error=f"audit interrompu : {type(exc).__name__}: {exc}",
            )

    async def one(item: Sampled) -> None:
        nonlocal done, last_report
        result = await render(item.url)
        record = result.to_dict()
        analysis = None
        if result.error:
            stats["audit_errors"] += 1
        elif item.js_shell and result.html:
            analysis = analyse_page(result.html, result.final_url or item.url)
            record["rendered_links"] = analysis.links  # offered again by a resumed run
        store.write_audit(run_id, item.site_id, item.page_id, item.reason, record)
        if analysis is not None:
            store.replace_findings(item.page_id, analysis.findings)
            stats["rendered_shells"] += 1
            links.offer(item.site_id, analysis.links, links.depths.get(item.page_id, 0) + 1)
        store.replace_check_findings(
            item.page_id, RENDERED_CHECK_IDS, finding_rows(rendered_results(result, item.url))
        )
        done += 1
        if time.monotonic() - last_report > 5 or done == len(sample):
            last_report = time.monotonic()
            print(
                f"[vigie] audit d'accessibilité : {done}/{len(sample)} pages · "
                f"erreurs {stats['audit_errors']} · {time.monotonic() - started:.0f} s",
                file=sys.stderr,
                flush=True,
            )

    robots = RenderedRobots(
        settings.get("USER_AGENT"),
        settings.getint("DOWNLOAD_MAXSIZE"),
        settings.getfloat("DOWNLOAD_TIMEOUT"),
        AddressRule.from_settings(settings),
    )
    stats["rendered_links_robots"] = 0

    async def _obeyed(route: Route) -> bool:
        """Whether robots.txt lets the route be rendered; its budget place back if not."""
        if not settings.getbool("ROBOTSTXT_OBEY") or await robots.allowed(route.url):
            return True
        links.release(route)
        stats["rendered_links_robots"] += 1
        return False

    async def linked(route: Route) -> None:
        """Render one route of a rendered DOM; a page of the run if it is one, else its
        place in the budget is given back (an error is stored as an audit error)."""
        result = await render(route.url)
        final = result.final_url or route.url
        if result.error is None and result.status is not None and not 200 <= result.status < 300:
            result.error = f"réponse HTTP {result.status}"
        if result.error is None and not links.is_new_page(route, final):
            links.release(route)  # a redirect to a page the site holds, or off the site
            return
        analysis = None
        if result.error is None and result.html is not None:
            try:
                analysis = analyse_page(result.html, final)
            except Exception as exc:  # reported as the route's audit error, never lost
                result.error = f"analyse de la page rendue impossible : {type(exc).__name__}: {exc}"
        if result.error is not None or analysis is None:
            links.release(route)
            record = result.to_dict()
            if record.get("error") is None:
                record["error"] = "DOM rendu non conservé"
            store.write_audit(run_id, route.site_id, None, LINKED_REASON, record)
            stats["audit_errors"] += 1
            return
        page_id = store.add_page(
            {
                "run_id": run_id,
                "site_id": route.site_id,
                "url": _canonical_or(final),
                "status_code": result.status,
                "depth": route.depth,
                "bytes": len(result.html.encode()),
                "duration_s": round(result.duration_s, 4),
                "fetched_at": now(),
                "rendered": True,
                "js_shell": False,
                "title": analysis.title or None,
                "problems": analysis.problems or None,
                "links": None,  # not the HTTP crawl's: a resumed crawl has nothing to propose
            },
            analysis.findings,
        )
        links.stored(route, final)
        store.write_audit(
            run_id,
            route.site_id,
            page_id,
            LINKED_REASON,
            {**result.to_dict(), "rendered_links": analysis.links},
        )
        store.replace_check_findings(
            page_id, RENDERED_CHECK_IDS, finding_rows(rendered_results(result, route.url))
        )
        stats["rendered_links"] += 1
        links.offer(route.site_id, analysis.links, route.depth + 1)

    try:
        await asyncio.gather(*(one(item) for item in sample))
        # Breadth first: every route of one depth is rendered before the next depth's.
        while routes := links.next_level():
            routes = [r for r in routes if await _obeyed(r)]
            if not routes:
                continue
            stats["audit_pages"] += len(routes)
            print(
                f"[vigie] liens des pages rendues : {len(routes)} pages à rendre",
                file=sys.stderr,
                flush=True,
            )
            await asyncio.gather(*(linked(route) for route in routes))
    finally:
        await auditor.close()
    stats["audit_seconds"] = round(time.monotonic() - started, 2)
    stats["axe_version"] = auditor.axe.version
    return stats


def _canonical_or(url: str) -> str:
    """The stored spelling of a rendered page's URL (the crawl's canonical form)."""
    try:
        return canonical_url(url)
    except ValueError:
        return url
