"""The per-site findings table (pandas): one row per site for a run.

Columns (:mod:`reports.columns` names and describes each): the run, ``site_id``, ``name``,
``url``, ``type``, the seed list's own extra columns (``departement``…), the crawl status
and its reason, ``pages_crawled``, ``errors`` and their kinds, one column per check id
holding the site-level status (``found`` / ``absent`` / ``error`` / ``not_applicable``), the
rendered checks' statuses and figures (median EcoIndex and grade, pages ready for mobiles,
median readability: :func:`rendered_columns`), then
the accessibility audit (its status and why when it is not ``ok``, pages audited, axe rules
failing on the site by impact and by RGAA theme — each rule counted once however many
pages it fails on —, rules needing review, violated RGAA criteria; automated tests cover
only part of the RGAA, so no conformity rate; empty, never 0, when no page could be
audited), then engagement 2 and 3 coverage (0 to 1, empty when the site could not be
crawled) with the elements found and counted (:data:`checks.site.COVERAGE_ELEMENTS`;
engagement 3 counts "no critical axe violation" once a page was audited).

Every view of the reports (overview, site pages, exports, terminal summary) shows these
figures, read from this table: one way to count.
The Annuaire cross-check (:mod:`crawler.annuaire.crosscheck`) adds ``annuaire_id`` and one
status per compared field (``annuaire_phone``…), empty when no Annuaire was imported.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from checks import CHECK_IDS
from checks.rendered import RENDERED_CHECK_IDS
from checks.site import IMPACTS, Coverage, engagement_coverage
from crawler.annuaire.crosscheck import CrossCheck, cross_check
from crawler.store import Store
from reports import columns as registry
from reports import spreadsheet
from reports.changes import diff_statuses

#: The checks whose site-level value the table shows, beside every status.
VALUED_CHECKS = ("a11y_mention", *RENDERED_CHECK_IDS)

FORMATS = ("csv", "parquet", "xlsx", "json")


class TableError(Exception):
    """The table cannot be built (no run in the store, unknown run id)."""


def findings_table(
    store: Store,
    run_id: int | None = None,
    site_checks: list[dict[str, Any]] | None = None,
    annuaire: CrossCheck | None = None,
) -> pd.DataFrame:
    """The findings table of ``run_id`` (the latest finished run by default).

    ``site_checks``: the run's site-level check rows when the caller has already loaded
    them (``Store.site_checks_of_run``); otherwise only their statuses and the
    accessibility mention's value are read. ``annuaire``: the run's cross-check with the
    Annuaire when the caller has made it already (the report does; evidence not needed).
    """
    if run_id is None:
        run_id = store.latest_run_id()
        if run_id is None:
            raise TableError("aucune exploration terminée dans la base : lancez « vigie crawl »")
    elif not store.run_exists(run_id):
        raise TableError(f"exploration n° {run_id} inconnue (voir « vigie runs »)")
    run = next(r for r in store.list_runs() if r["id"] == run_id)
    found: dict[str, dict[str, str]] = {}
    if site_checks is None:
        # Statuses and the one value the table shows, not every row's value and evidence
        # decoded: a national run's rows took most of the table's memory.
        for site_id, check_id, status in store.check_statuses_of_run(run_id):
            found.setdefault(site_id, {})[check_id] = status
        values = {c: store.check_values_of_run(run_id, c) for c in VALUED_CHECKS}
    else:
        values = {c: {} for c in VALUED_CHECKS}
        for row in site_checks:
            found.setdefault(row["site_id"], {})[row["check_id"]] = row["status"]
            if row["check_id"] in values:
                values[row["check_id"]][row["site_id"]] = row["value"]
    mentions = values["a11y_mention"]
    error_kinds: dict[str, Counter[str]] = {}
    for err in store.errors_of_run(run_id):
        error_kinds.setdefault(err["site_id"], Counter())[err["kind"]] += 1

    if annuaire is None:
        annuaire = cross_check(store, run_id, site_checks=site_checks, evidence=False)
    sites = store.sites_of_run(run_id)
    previous = store.previous_runs(run_id, [s["site_id"] for s in sites])
    before = store.statuses_in(previous)
    seed_keys = registry.seed_keys(s.get("extra") for s in sites)
    records = []
    for site in sites:
        extra = site.get("extra") or {}
        statuses = _statuses(found.get(site["site_id"], {}))
        mention = mentions.get(site["site_id"])
        kinds = error_kinds.get(site["site_id"], Counter())
        audit = site.get("audit") or {}
        records.append(
            {
                "run_id": run_id,
                "run_label": run["label"],
                "run_started_at": run["started_at"],
                "site_id": site["site_id"],
                "name": site["name"],
                "url": site["url"],
                "type": site["type"],
                **{registry.seed_column_id(k): extra.get(k) for k in seed_keys},
                "status": site["status"] or "error",
                "reason": site["reason"],
                "pages_crawled": site["pages_crawled"] or 0,
                "errors": site["errors_count"] or 0,
                "error_kinds": "; ".join(f"{k} ×{n}" for k, n in kinds.most_common()) or None,
                **statuses,
                **rendered_columns(
                    {
                        c: {
                            "status": found.get(site["site_id"], {}).get(c, "error"),
                            "value": values[c].get(site["site_id"]),
                        }
                        for c in RENDERED_CHECK_IDS
                    }
                ),
                "a11y_mention_value": mention if isinstance(mention, str) else None,
                **annuaire.columns(site["site_id"]),
                **audit_columns(site.get("pages_audited"), audit, site["status"]),
                **change_columns(
                    previous.get(site["site_id"]), before.get(site["site_id"]), statuses
                ),
                **_coverage(statuses, mention, audit),
            }
        )
    columns = registry.findings_columns(seed_keys)
    df = _coverage_typed(pd.DataFrame.from_records(records, columns=columns))
    df.attrs["seed_keys"] = seed_keys
    return df


def group_rows(
    table: pd.DataFrame,
    column: str,
    values: Sequence[tuple[str, str]],
    columns: Sequence[str],
) -> Iterator[tuple[str, str, pd.DataFrame]]:
    """``(value, label, rows)`` of each group of ``column`` (``values``: (value, label),
    ``""`` for "not given"), in the order given; ``rows`` hold only ``columns``.

    The sites of every group are found in one pass: a comparison of the whole column per
    group made a seed column with one value a site (an ``annuaire_id``, a code INSEE)
    quadratic — minutes at 10 000 sites.
    """
    keys = table[column].map(lambda v: "" if pd.isna(v) else str(v))
    rows = table[[c for c in columns if c in table.columns]]
    positions = keys.groupby(keys, sort=False).indices  # value → its rows, in table order
    for value, label in values:
        where = positions.get(value)
        yield value, label, rows.iloc[where] if where is not None else rows.iloc[0:0]


def seed_columns(df: pd.DataFrame) -> list[tuple[str, str]]:
    """``(seed list key, column id)`` of the seed list's own columns in a findings table."""
    return [(k, registry.seed_column_id(k)) for k in df.attrs.get("seed_keys", [])]


def _coverage_typed(df: pd.DataFrame) -> pd.DataFrame:
    """Engagement coverage as nullable floats to three decimals (empty: not measured),
    element counts as nullable integers."""
    for column in df.columns.intersection(COVERAGE_COLUMNS):
        kind = "Float64" if column in ("engagement_2", "engagement_3") else "Int64"
        df[column] = df[column].astype(kind)
        if kind == "Float64":
            df[column] = df[column].round(3)
    for column in df.columns.intersection(registry.RENDERED_FIGURES):
        kind = registry.column(column).kind
        if kind in ("int", "float"):
            df[column] = df[column].astype("Int64" if kind == "int" else "Float64")
    return df


#: Coverage of each engagement: the share (0..1), then the elements found and counted
#: (the share is found / counted; "4/6" on the site pages).
COVERAGE_COLUMNS = (
    "engagement_2",
    "engagement_2_found",
    "engagement_2_counted",
    "engagement_3",
    "engagement_3_found",
    "engagement_3_counted",
)

#: ``audit_status``: ``ok`` (at least one page audited), ``error`` (the audit ran and no
#: page could be audited: the violations are unknown), ``not_run`` (no audit for the site).
AUDIT_STATUSES = ("ok", "error", "not_run")

AUDIT_COLUMNS = (
    "audit_status",
    "audit_reason",
    "pages_audited",
    "audit_errors",
    "axe_version",
    *(f"axe_{impact}" for impact in IMPACTS),
    "axe_needs_review",
    *(f"rgaa_theme_{n}" for n in range(1, 14)),
    "rgaa_criteria_violated",
    "no_critical_axe",
)


def audit_columns(
    pages_audited: int | None, audit: dict[str, Any], site_status: str | None = "ok"
) -> dict[str, Any]:
    """The audit's cells of one site: violations (distinct axe rules) by impact and RGAA
    theme, needs-review apart, the violated RGAA criteria.

    Unknown is empty, never 0, and says why (``audit_status``, ``audit_reason``): no audit
    for the site, or an audit none of whose pages could be audited.
    """
    if not audit:
        reason = "site non exploré" if site_status != "ok" else "audit non réalisé pour ce site"
        return {**dict.fromkeys(AUDIT_COLUMNS), "audit_status": "not_run", "audit_reason": reason}
    errors = audit.get("errors") or []
    audited = audit.get("pages_audited", pages_audited) or 0
    if not audited:
        first = f" ({errors[0]['error']})" if errors and errors[0].get("error") else ""
        return {
            **dict.fromkeys(AUDIT_COLUMNS),
            "audit_status": "error",
            "audit_reason": f"aucune page auditée : {len(errors)} page(s) en échec{first}",
            "pages_audited": 0,
            "audit_errors": len(errors),
            "axe_version": audit.get("axe_version"),
        }
    violations = audit["violations"]
    return {
        "audit_status": "ok",
        "audit_reason": None,
        "pages_audited": audited,
        "audit_errors": len(errors),
        "axe_version": audit.get("axe_version"),
        **{f"axe_{i}": violations["by_impact"].get(i, 0) for i in IMPACTS},
        "axe_needs_review": len(audit["needs_review"]["rules"]),
        **{f"rgaa_theme_{n}": violations["by_theme"].get(str(n), 0) for n in range(1, 14)},
        "rgaa_criteria_violated": " ".join(c["criterion"] for c in audit["criteria_violated"])
        or None,
        "no_critical_axe": audit.get("no_critical"),
    }


def rendered_columns(checks: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """The rendered checks' cells of one site (``checks.site.aggregate_rendered``): their
    statuses, the median EcoIndex and its grade, the pages ready for mobiles, the median
    readability figures. Not measured is empty (its status says why), never 0."""
    cells: dict[str, Any] = dict.fromkeys(registry.RENDERED_FIGURES)
    for check_id in RENDERED_CHECK_IDS:
        cells[check_id] = (checks.get(check_id) or {}).get("status", "error")
    eco = (checks.get("ecoindex") or {}).get("value") or {}
    if eco:
        cells |= {
            "ecoindex_score": eco["score"],
            "ecoindex_grade": eco["grade"],
            "ecoindex_pages": eco["pages"],
        }
    mobile = (checks.get("mobile_ready") or {}).get("value") or {}
    if mobile:
        cells["mobile_ready_pages"] = mobile["pages_ready"]
        cells["mobile_ready_measured"] = mobile["pages_measured"]
    plain = (checks.get("plain_language") or {}).get("value") or {}
    if plain:
        cells["plain_language_kandel_moles"] = plain["kandel_moles"]
        cells["plain_language_lix"] = plain["lix"]
        cells["plain_language_words_per_sentence"] = plain["words_per_sentence"]
    return cells


CHANGE_COLUMNS = ("previous_run_id", "appeared", "fixed")


def change_columns(
    previous_run: int | None, before: dict[str, str] | None, after: dict[str, str]
) -> dict[str, Any]:
    """What changed since the previous run of the same site: problems that appeared and
    problems fixed (check ids, space-separated), by the reports' own rule
    (:func:`reports.changes.diff_statuses`: an ``error`` on either side is no change)."""
    if previous_run is None or not before:
        return {"previous_run_id": previous_run, "appeared": None, "fixed": None}
    appeared, fixed, _ = diff_statuses(before, after, CHECK_IDS)
    return {
        "previous_run_id": previous_run,
        "appeared": " ".join(c.check_id for c in appeared) or None,
        "fixed": " ".join(c.check_id for c in fixed) or None,
    }


def _statuses(found: dict[str, str]) -> dict[str, str]:
    """Every check's status for a site; a check with no row (site in error) is ``error``."""
    return {c: found.get(c, "error") for c in CHECK_IDS}


def site_coverage(
    statuses: dict[str, str], mention: Any, audit: dict[str, Any] | None
) -> dict[int, Coverage]:
    """Engagement 2 and 3 coverage of one site, element by element (``audit``: its
    ``run_sites.audit`` summary). The table, the site pages and the summary all use it."""
    no_critical = (audit or {}).get("no_critical")
    return {n: engagement_coverage(n, statuses, mention, no_critical) for n in (2, 3)}


def _coverage(statuses: dict[str, str], mention: Any, audit: dict[str, Any]) -> dict[str, Any]:
    """A site's coverage cells: each engagement's share, elements found and counted."""
    cells: dict[str, Any] = {}
    for number, cov in site_coverage(statuses, mention, audit).items():
        ratio = cov.ratio
        cells[f"engagement_{number}"] = ratio
        cells[f"engagement_{number}_found"] = cov.found if ratio is not None else None
        cells[f"engagement_{number}_counted"] = cov.total if ratio is not None else None
    return cells


def coverage_of_run(store: Store, run_id: int) -> pd.DataFrame:
    """``site_id``, ``status``, ``engagement_2``, ``engagement_3`` of every site of a run.

    The columns of :func:`findings_table` that the trend of the reports needs, computed
    the same way from the check statuses alone: a report reads one such table for every
    earlier run, and the full table decodes every check's value and evidence
    (``tests/test_report_units.py`` compares the two).
    """
    found: dict[str, dict[str, str]] = {}
    for site_id, check_id, status in store.check_statuses_of_run(run_id):
        found.setdefault(site_id, {})[check_id] = status
    mentions = store.check_values_of_run(run_id, "a11y_mention")
    records = []
    for site in store.sites_of_run(run_id):
        site_id = site["site_id"]
        statuses = _statuses(found.get(site_id, {}))
        coverage = _coverage(statuses, mentions.get(site_id), site.get("audit") or {})
        records.append({"site_id": site_id, "status": site["status"] or "error", **coverage})
    columns = ["site_id", "status", "engagement_2", "engagement_3"]
    return _coverage_typed(pd.DataFrame.from_records(records, columns=columns))


def export(
    df: pd.DataFrame, path: str | Path, fmt: str | None = None, csv_dialect: str | None = None
) -> Path:
    """Write ``df`` as CSV, Parquet, XLSX or JSON (format from ``fmt`` or the suffix).

    ``csv_dialect``: the CSV flavour (:data:`reports.spreadsheet.CSV_DIALECTS`):
    ``rfc4180`` by default, for programs; ``excel-fr`` for French Excel. In CSV and XLSX,
    text that a spreadsheet could run as a formula is neutralised
    (:mod:`reports.spreadsheet`).
    """
    path = Path(path)
    fmt = (fmt or path.suffix.lstrip(".")).lower()
    if fmt not in FORMATS:
        raise TableError(f"format inconnu : {fmt!r} (formats : {', '.join(FORMATS)})")
    try:
        spreadsheet.csv_dialect(csv_dialect)
    except ValueError as exc:
        raise TableError(str(exc)) from None
    path.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "xlsx":
        from reports.exports import write_xlsx  # (reports.exports reads this module)

        return write_xlsx({"constats": df}, path)
    out = df.copy()
    if fmt in ("csv", "json"):
        # Dates as ISO 8601 text with their time zone (UTC), unambiguous everywhere;
        # Parquet keeps them as timestamps, the XLSX as dates.
        for column in out.columns:
            if registry.column(column).kind == "datetime":
                out[column] = out[column].map(_iso_text, na_action="ignore")
    if fmt == "csv":
        spreadsheet.write_csv(out, path, csv_dialect)
    elif fmt == "parquet":
        out.to_parquet(path, index=False)
    else:
        out.to_json(path, orient="records", force_ascii=False, indent=2)
    return path


def _iso_text(value: Any) -> Any:
    """A date as ISO 8601 text (UTC when the store gave it naive)."""
    if isinstance(value, pd.Timestamp):
        value = value.to_pydatetime()
    if hasattr(value, "isoformat"):
        if getattr(value, "tzinfo", None) is None:
            from datetime import UTC

            value = value.replace(tzinfo=UTC)
        return value.isoformat()
    return value
