"""The key figures of a run, and the summary printed in the terminal at the end of a crawl.

Both read the findings table (:func:`reports.table.findings_table`), as the overview and
the site pages do: a figure in the terminal is the figure in the report, with its unit. The
summary ends with the Annuaire cross-check when an Annuaire is imported
(:func:`annuaire_lines`).
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from crawler.annuaire.crosscheck import CrossCheck, cross_check
from crawler.store import Store
from reports.annuaire_view import import_text
from reports.bidi import inline_isolate, terminal
from reports.present import percent, run_name
from reports.table import findings_table


def key_figures(table: pd.DataFrame) -> dict[str, Any]:
    """Sites in the list, explored, in error; mean coverage of engagements 2 and 3 over the
    explored sites (the mean of each site's share); sites at 100 %."""
    explored = table[table["status"] == "ok"]
    figures: dict[str, Any] = {
        "sites": len(table),
        "explored": len(explored),
        "errors": len(table) - len(explored),
    }
    for n in (2, 3):
        values = pd.to_numeric(explored[f"engagement_{n}"], errors="coerce").dropna()
        figures[f"e{n}"] = float(values.mean()) if len(values) else None
        figures[f"e{n}_full"] = int((values >= 0.999).sum())
        figures[f"e{n}_n"] = len(values)  # the sites the mean is over
    figures["ecoindex"] = ecoindex_median(explored)
    return figures


def ecoindex_median(table: pd.DataFrame) -> dict[str, Any] | None:
    """The median of the sites' EcoIndex (each site's own figure is the median of its
    rendered pages) and its grade, over the sites measured: ``{"score", "grade",
    "sites"}``; None when no site was measured."""
    from checks.ecoindex import site_median

    if "ecoindex_score" not in table:
        return None
    values = pd.to_numeric(table["ecoindex_score"], errors="coerce").dropna()
    median = site_median(float(v) for v in values)
    if median is None:
        return None
    return {"score": median["score"], "grade": median["grade"], "sites": median["pages"]}


def _elements(row: Any, n: int) -> str:
    found, counted = row[f"engagement_{n}_found"], row[f"engagement_{n}_counted"]
    if pd.isna(counted):
        return "—"
    return f"{int(found)}/{int(counted)} éléments ({percent(row[f'engagement_{n}'])})"


def _axe(row: Any) -> str:
    status = row.get("audit_status")
    if status == "ok":
        n = int(row["axe_critical"])
        return f"{n} règle{'s' if n > 1 else ''} axe critique{'s' if n > 1 else ''} en échec"
    if status == "error":
        return "audit en échec (violations inconnues)"
    return "non audité"


#: Sites without an Annuaire record named in the terminal summary (the rest are counted;
#: ``vigie annuaire links`` lists them all, with why).
UNMATCHED_SHOWN = 5


def annuaire_lines(cross: CrossCheck) -> list[str]:
    """The summary's lines on the Annuaire: none when no Annuaire is imported; otherwise the
    import compared with, the sites without a record (how many, the first few ids) and how
    many disagree with theirs. Not indented: the indented lines above are the sites'."""
    if cross.annuaire_import is None:
        return []
    sites = list(cross.sites.values())
    unmatched = [s.site_id for s in cross.unmatched()]
    run = cross.run_id
    lines = [f"Annuaire de l'administration : {import_text(cross.annuaire_import)}"]
    if not unmatched:
        lines.append(f"Sites sans fiche de l'Annuaire : aucun, les {len(sites)} sont reliés")
    else:
        named = ", ".join(inline_isolate(terminal(i)) for i in unmatched[:UNMATCHED_SHOWN])
        more = len(unmatched) - UNMATCHED_SHOWN
        if more > 0:
            named += f" et {more} autre{'s' if more > 1 else ''}"
        lines.append(
            f"Sites sans fiche de l'Annuaire : {len(unmatched)} sur {len(sites)} : {named} "
            f"(pourquoi : « vigie annuaire links --run {run} »)"
        )
    disagree = sum(s.disagrees for s in sites)
    lines.append(
        f"Sites dont les coordonnées diffèrent de l'Annuaire : {disagree} (le détail : "
        f"« vigie annuaire check --run {run} » et la page de chaque site)"
    )
    return lines


def crawl_summary(store: Store, run_id: int) -> str:
    """The end-of-crawl summary of ``run_id``, as French lines (no trailing newline).

    Site ids, reasons and labels come from seed lists and crawled sites: control
    characters are replaced and bidi controls closed (:func:`reports.bidi.terminal`).
    """
    table = findings_table(store, run_id)
    run = next(r for r in store.list_runs() if r["id"] == run_id)
    fig = key_figures(table)
    lines = [
        terminal(
            f"{run_name(run)} : {fig['sites']} sites, {fig['explored']} explorés, "
            f"{fig['errors']} en erreur"
        ),
        f"Couverture moyenne des sites explorés : engagement 2 : {percent(fig['e2'])}, "
        f"engagement 3 : {percent(fig['e3'])} ; sites à 100 % : {fig['e2_full']} "
        f"(engagement 2), {fig['e3_full']} (engagement 3)",
    ]
    if fig["ecoindex"] is not None:
        eco = fig["ecoindex"]
        lines.append(
            f"EcoIndex médian des sites mesurés : {eco['score']:g} ({eco['grade']}), "
            f"sur {eco['sites']} site{'s' if eco['sites'] > 1 else ''}"
        )
    for row in table.to_dict("records"):
        site = inline_isolate(terminal(row["site_id"]))
        if row["status"] == "ok":
            pages = int(row["pages_crawled"])
            lines.append(
                f"  {site:<20} {pages:>3} page{'s' if pages > 1 else ' '}  "
                f"engagement 2 : {_elements(row, 2)}  engagement 3 : {_elements(row, 3)}  "
                f"{_axe(row)}"
            )
        else:
            lines.append(f"  {site:<20} ERREUR : {inline_isolate(terminal(row['reason'] or ''))}")
    lines += annuaire_lines(cross_check(store, run_id, evidence=False))
    return "\n".join(lines)
