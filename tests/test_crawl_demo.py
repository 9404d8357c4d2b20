"""End to end: ``vigie crawl`` over the demo administration web served on 127.0.0.1.

One crawl (a subprocess: Twisted's reactor runs once per process) feeds most tests; its
findings table is compared with the demo's answer key (``crawler/demo/expected.py``).
"""

from __future__ import annotations

import csv
import sqlite3
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pandas as pd
import pytest
from sqlalchemy import select

from checks import CHECK_IDS
from checks.catalog import applies
from checks.rendered import RENDERED_CHECK_IDS
from crawler import store as store_tables
from crawler.analysis import default_workers
from crawler.demo.expected import EXPECTED
from crawler.demo.server import DemoWeb
from crawler.store import Store
from reports.table import findings_table

ROOT = Path(__file__).resolve().parents[1]
MAX_PAGES = 25
TIMEOUT = 2.0


def vigie(*args: str, timeout: float = 240) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "crawler.cli", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=ROOT,
    )


def crawl_args(seeds: Path, db: str, *extra: str) -> list[str]:
    return [
        "crawl",
        "--seeds",
        str(seeds),
        "--db",
        db,
        "--quiet",
        "--no-report",  # the reports have tests of their own (test_report*.py)
        "--max-pages-per-site",
        str(MAX_PAGES),
        "-s",
        f"DOWNLOAD_TIMEOUT={TIMEOUT}",
        "-s",
        "AUTOTHROTTLE_START_DELAY=0.05",
        "-s",
        "DOWNLOAD_DELAY=0",
        "-s",
        "RETRY_TIMES=0",
        "-s",
        "VIGIE_PROGRESS_INTERVAL=1",
        *extra,
    ]


@pytest.fixture(scope="module")
def demo_web():
    with DemoWeb(slow_delay=TIMEOUT * 3) as web:
        yield web


@pytest.fixture(scope="module")
def crawled(demo_web, tmp_path_factory):
    """One crawl of the whole demo web: (store, run id, table, seeds path, stderr)."""
    tmp = tmp_path_factory.mktemp("crawl")
    seeds = demo_web.write_seeds(tmp / "sites.csv")
    db = f"sqlite:///{tmp / 'vigie.db'}"
    proc = vigie(*crawl_args(seeds, db, "--allow-private", "--table", str(tmp / "t.csv")))
    assert proc.returncode == 0, proc.stderr[-3000:]
    store = Store(db)
    run_id = store.latest_run_id()
    return store, run_id, findings_table(store, run_id), seeds, proc


def test_every_seed_is_in_the_table(crawled):
    _, _, table, seeds, _ = crawled
    with open(seeds, encoding="utf-8") as fh:
        ids = {row["id"] for row in csv.DictReader(fh)}
    assert set(table["site_id"]) == ids == set(EXPECTED)


def test_failure_sites_are_errors_with_their_reason(crawled):
    _, _, table, _, _ = crawled
    rows = table.set_index("site_id")
    failures = {s: e.error for s, e in EXPECTED.items() if e.error}
    assert len(failures) >= 5
    for site_id, kind in failures.items():
        row = rows.loc[site_id]
        assert row["status"] == "error", site_id
        assert kind in row["error_kinds"], (site_id, row["error_kinds"])
        assert row["reason"], site_id
        # Every check that applies to the site could not run; the others do not apply.
        expected = {c: "error" if applies(c, row["type"]) else "not_applicable" for c in CHECK_IDS}
        assert {c: row[c] for c in CHECK_IDS} == expected, site_id
        assert pd.isna(row["engagement_2"]) and pd.isna(row["engagement_3"])


def test_working_sites_match_the_answer_key(crawled):
    _, _, table, _, _ = crawled
    rows = table.set_index("site_id")
    mismatches = []
    for site_id, expected in EXPECTED.items():
        if expected.error:
            continue
        row = rows.loc[site_id]
        assert row["status"] == "ok", (site_id, row["reason"])
        assert row["pages_crawled"] >= 1
        # The crawl renders JavaScript shells (the démarche site) and re-checks their DOM.
        for check_id, found in expected.found_after(rendered=True).items():
            got = row[check_id]
            # What is not found and does not apply to the site's type reads not_applicable.
            missing = "absent" if applies(check_id, row["type"]) else "not_applicable"
            if got != ("found" if found else missing):
                mismatches.append(f"{site_id}.{check_id}: {got}, attendu found={found}")
    assert not mismatches, "\n".join(mismatches)


def test_broken_pages_of_working_sites_are_recorded(crawled):
    store, run_id, _, _, _ = crawled
    errors = store.errors_of_run(run_id)
    for site_id, expected in EXPECTED.items():
        for path, kind in expected.page_errors.items():
            hits = [e for e in errors if e["site_id"] == site_id and e["url"].endswith(path)]
            if not hits:  # the page may lie beyond the crawl budget: then not asserted
                continue
            assert any(kind in e["kind"] for e in hits), (site_id, path, hits)


def test_budget_depth_and_no_page_fetched_twice(crawled):
    store, run_id, _, _, _ = crawled
    pages = store.pages_of_run(run_id)
    per_site = Counter(p["site_id"] for p in pages)
    assert max(per_site.values()) <= MAX_PAGES
    urls = [(p["site_id"], p["url"]) for p in pages]
    assert len(urls) == len(set(urls)), "une page a été récupérée deux fois"
    assert max(p["depth"] for p in pages) <= 3


def test_robots_txt_is_obeyed(crawled):
    store, run_id, _, _, _ = crawled
    assert not [p for p in store.pages_of_run(run_id) if p["site_id"] == "interdit"]


def test_crawler_traps_are_not_followed(crawled):
    store, run_id, _, _, _ = crawled
    pages = [p["url"] for p in store.pages_of_run(run_id) if p["site_id"] == "prefecture"]
    variants = Counter(u.split("?", 1)[0] for u in pages if "?" in u)
    assert variants and max(variants.values()) <= 5, variants  # VIGIE_MAX_QUERY_VARIANTS
    for url in pages:
        assert len(url) < 400
        segments = Counter(s for s in url.split("?", 1)[0].split("/")[3:] if s)
        assert not segments or max(segments.values()) <= 3, url
    assert len(pages) < MAX_PAGES  # the trap did not eat the budget


def test_progress_is_displayed(crawled):
    *_, proc = crawled
    assert "[vigie] sites" in proc.stderr and "terminé" in proc.stderr


def test_key_pages_are_fetched_first(crawled):
    """Best-first: the contact and accessibility pages come before ordinary pages."""
    store, run_id, _, _, _ = crawled
    mairie = [p["url"] for p in store.pages_of_run(run_id) if p["site_id"] == "mairie"]
    ranks = {u: i for i, u in enumerate(mairie)}
    key = [i for u, i in ranks.items() if "contact" in u or "accessibilite" in u]
    assert key and min(key) <= 4, mairie


def test_a_second_run_never_erases_the_first(crawled, demo_web, tmp_path):
    store, first_run, first_table, _, _ = crawled
    seeds = tmp_path / "two.csv"
    seeds.write_text(
        "id,name,url,type\n"
        f"mairie,Mairie,{demo_web.url('mairie')},mairie\n"
        f"panne,Panne,{demo_web.url('panne')},autre\n",
        encoding="utf-8",
    )
    proc = vigie(*crawl_args(seeds, store.url, "--allow-private", "--run-label", "second"))
    assert proc.returncode == 0, proc.stderr[-2000:]
    runs = store.list_runs()
    assert len(runs) == 2 and runs[-1]["label"] == "second"
    again = findings_table(store, first_run)
    pd.testing.assert_frame_equal(again, first_table)
    latest = findings_table(store)
    assert list(latest["site_id"]) == ["mairie", "panne"]
    listing = vigie("runs", "--db", store.url)
    assert listing.returncode == 0 and "second" in listing.stdout


def test_private_addresses_are_refused_by_default(demo_web, tmp_path):
    seeds = tmp_path / "s.csv"
    seeds.write_text(f"id,name,url,type\nm,Mairie,{demo_web.url('mairie')},mairie\n")
    db = f"sqlite:///{tmp_path / 'v.db'}"
    proc = vigie(*crawl_args(seeds, db))
    assert proc.returncode == 3, proc.stderr[-2000:]  # nothing crawled: every site in error
    assert "aucun site n'a pu être exploré" in proc.stderr
    row = findings_table(Store(db)).iloc[0]
    assert row["status"] == "error"
    assert "adresse privée" in row["reason"]


def test_bad_seed_files_exit_non_zero_with_a_clear_message(tmp_path):
    empty = tmp_path / "vide.csv"
    empty.write_text("")
    proc = vigie("crawl", "--seeds", str(empty), "--db", f"sqlite:///{tmp_path / 'v.db'}")
    assert proc.returncode != 0
    assert "vide" in proc.stderr
    proc = vigie("crawl", "--seeds", str(tmp_path / "absent.csv"))
    assert proc.returncode != 0 and "illisible" in proc.stderr


def test_the_reports_trend_reads_the_same_coverage_as_the_table(crawled):
    """On the demo (sites in error, a placeholder accessibility mention, audits)."""
    from reports.table import coverage_of_run

    store, run_id, table, _, _ = crawled
    columns = ["site_id", "status", "engagement_2", "engagement_3"]
    pd.testing.assert_frame_equal(
        coverage_of_run(store, run_id),
        table[columns].reset_index(drop=True),
        check_dtype=False,
    )


def test_table_command_exports_every_format(crawled, tmp_path):
    store, run_id, table, _, _ = crawled
    for fmt in ("csv", "parquet", "xlsx", "json"):
        out = tmp_path / f"constats.{fmt}"
        proc = vigie("table", "--db", store.url, "--run", str(run_id), "-o", str(out))
        assert proc.returncode == 0, proc.stderr
        assert out.stat().st_size > 0
    back = pd.read_csv(tmp_path / "constats.csv")
    assert len(back) == len(table)
    con = sqlite3.connect(store.url.removeprefix("sqlite:///"))
    assert con.execute("select count(*) from site_checks where run_id=?", (run_id,)).fetchone()[
        0
    ] == len(table) * (len(CHECK_IDS) + len(RENDERED_CHECK_IDS))


def test_analysis_inline_and_in_worker_processes_give_the_same_findings(
    crawled, demo_web, tmp_path
):
    """Where the pages are analysed changes nothing: the main crawl used the default
    (worker processes on a machine with two cores or more); this one the other way."""
    _, _, table, _, _ = crawled
    other = "0" if default_workers() > 0 else "1"
    seeds = tmp_path / "s.csv"
    seeds.write_text(
        "id,name,url,type\n"
        f"mairie,Mairie,{demo_web.url('mairie')},mairie\n"
        f"hopital,Hôpital,{demo_web.url('hopital')},hopital\n",
        encoding="utf-8",
    )
    db = f"sqlite:///{tmp_path / 'w.db'}"
    proc = vigie(*crawl_args(seeds, db, "--allow-private", "-s", f"VIGIE_ANALYSIS_WORKERS={other}"))
    assert proc.returncode == 0, proc.stderr[-2000:]
    switched = findings_table(Store(db)).set_index("site_id")
    default = table.set_index("site_id")
    for site_id in ("mairie", "hopital"):
        for column in (*CHECK_IDS, "pages_crawled", "status"):
            assert switched.loc[site_id, column] == default.loc[site_id, column], (site_id, column)


def test_sampled_pages_are_audited_with_rgaa_mapping(crawled):
    store, run_id, table, _, _ = crawled
    audits = store.audits_of_run(run_id)
    assert audits, "aucun audit"
    rows = table.set_index("site_id")
    for site_id, expected in EXPECTED.items():
        if expected.error:
            assert pd.isna(rows.loc[site_id, "pages_audited"])
            continue
        mine = [a for a in audits if a["site_id"] == site_id]
        assert {a["reason"] for a in mine} >= {"accueil"}, site_id
        assert all(a["error"] is None for a in mine), [a["error"] for a in mine]
        assert all(a["axe_version"] >= "4.11" for a in mine)
        assert rows.loc[site_id, "pages_audited"] == len(mine)
    reasons = {a["reason"] for a in audits if a["site_id"] == "mairie"}
    assert {"accueil", "contact", "accessibilite", "page"} <= reasons
    ancien = {a["url"].split("/", 3)[3]: a for a in audits if a["site_id"] == "ancien"}
    for path, rules in EXPECTED["ancien"].audit_violations.items():
        audit = ancien[path.lstrip("/")]
        found = {v["id"] for v in audit["violations"]}
        assert set(rules) <= found, (path, found)
        for violation in audit["violations"]:
            assert violation["nodes"] and violation["nodes"][0]["html"]
        # RGAA mapping: image-alt is criterion 1.1 (theme 1, images)
        if "image-alt" in rules:
            image_alt = next(v for v in audit["violations"] if v["id"] == "image-alt")
            assert "1.1" in {c["criterion"] for c in image_alt["criteria"]}
    row = rows.loc["ancien"]
    assert row["rgaa_theme_1"] >= 1 and "1.1" in row["rgaa_criteria_violated"].split()
    assert row["axe_serious"] + row["axe_critical"] >= 1


def test_javascript_shells_are_rendered_and_checked(crawled):
    store, run_id, table, _, _ = crawled
    pages = [p for p in store.pages_of_run(run_id) if p["site_id"] == "demarche"]
    assert any(p["js_shell"] and p["rendered"] for p in pages)
    row = table.set_index("site_id").loc["demarche"]
    for check_id, found in EXPECTED["demarche"].rendered.items():
        assert row[check_id] == ("found" if found else "absent"), check_id


def test_a_browser_that_cannot_start_gives_audit_errors_not_a_failed_crawl(demo_web, tmp_path):
    seeds = tmp_path / "s.csv"
    seeds.write_text(f"id,name,url,type\nm,Mairie,{demo_web.url('mairie')},mairie\n")
    db = f"sqlite:///{tmp_path / 'v.db'}"
    proc = vigie(
        *crawl_args(
            seeds, db, "--allow-private", "-s", "VIGIE_BROWSER_EXECUTABLE=/nonexistent/chromium"
        )
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "audit impossible" in proc.stderr
    store = Store(db)
    row = findings_table(store).iloc[0]
    assert row["status"] == "ok" and row["phone"] == "found"  # the crawl's findings stand
    assert row["pages_audited"] == 0 and row["audit_errors"] >= 1
    assert pd.isna(row["no_critical_axe"])  # not measured is not a pass
    audits = store.audits_of_run(store.latest_run_id())
    assert audits and all("navigateur indisponible" in a["error"] for a in audits)


def _crawl_stopped_half_way(seeds: Path, db_path: Path, sig: int) -> subprocess.Popen[str]:
    """Start a slowed-down crawl of the demo web, send ``sig`` once 25 pages are stored,
    wait for the end; the process, its stderr readable."""
    import os
    import time

    args = crawl_args(
        seeds,
        f"sqlite:///{db_path}",
        "--allow-private",
        "-s",
        "VIGIE_STORE_BATCH=5",
        "-s",
        "DOWNLOAD_DELAY=0.1",
        "-s",
        "AUTOTHROTTLE_ENABLED=False",
    )
    proc = subprocess.Popen(
        [sys.executable, "-m", "crawler.cli", *args],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    stored = 0
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.1)
        if db_path.exists():
            try:
                con = sqlite3.connect(db_path, timeout=1)
                stored = con.execute("select count(*) from pages").fetchone()[0]
                con.close()
            except sqlite3.OperationalError:
                continue  # schema not created yet
        if stored >= 25:
            break
    assert proc.poll() is None, "the crawl ended before it could be stopped"
    os.kill(proc.pid, sig)
    proc.wait(timeout=60)
    return proc


def _resumes_to_the_same_table(store: Store, db: str, run_id: int, table: pd.DataFrame) -> None:
    """``--resume``: one finished run, no page stored twice, the uninterrupted table."""
    total = sum(len(p.fetched) for p in store.progress(run_id).values())
    assert 0 < total < table["pages_crawled"].sum(), "not half-way"
    done = vigie(*crawl_args(Path("unused.csv"), db, "--allow-private", "--resume", str(run_id)))
    assert done.returncode == 0, done.stderr[-2000:]
    assert [r["status"] for r in store.list_runs()] == ["finished"]
    urls = [(p["site_id"], p["url"]) for p in store.pages_of_run(run_id)]
    assert len(urls) == len(set(urls)), "a page was stored twice"
    resumed = findings_table(store).set_index("site_id")
    expected = table.set_index("site_id")
    columns = [*CHECK_IDS, "status", "pages_crawled", "engagement_2", "a11y_mention_value"]
    pd.testing.assert_frame_equal(
        resumed[columns].sort_index(), expected[columns].sort_index(), check_dtype=False
    )


def test_a_killed_crawl_resumes_to_the_same_table(crawled, tmp_path):
    """SIGKILL half-way, ``--resume``: the final table equals the uninterrupted crawl's."""
    import signal

    _, _, table, seeds, _ = crawled
    db_path = tmp_path / "k.db"
    _crawl_stopped_half_way(seeds, db_path, signal.SIGKILL)
    store = Store(f"sqlite:///{db_path}")
    [run] = store.list_runs()
    assert run["status"] == "running"
    _resumes_to_the_same_table(store, f"sqlite:///{db_path}", run["id"], table)


def test_a_crawl_stopped_by_ctrl_c_is_left_to_resume_not_reported_as_done(crawled, tmp_path):
    """Ctrl-C (SIGINT; SIGTERM alike) stops Scrapy gracefully: the run is "interrompue",
    neither audited nor reported with half its sites, the command says how to resume and
    exits 130, and ``--resume`` ends with the uninterrupted crawl's table."""
    import signal

    _, _, table, seeds, _ = crawled
    db_path = tmp_path / "c.db"
    db = f"sqlite:///{db_path}"
    proc = _crawl_stopped_half_way(seeds, db_path, signal.SIGINT)
    assert proc.returncode == 130, proc.stderr.read()[-2000:]
    assert f"vigie crawl --resume 1 --db {db}" in proc.stderr.read()
    store = Store(db)
    [run] = store.list_runs()
    assert run["status"] == "interrupted" and run["stats"]["finish_reason"] == "shutdown"
    assert store.latest_run_id() is None  # tables and reports do not take it for done
    assert store.audits_of_run(run["id"]) == []
    listing = vigie("runs", "--db", db)
    assert "interrompue" in listing.stdout, listing.stdout
    _resumes_to_the_same_table(store, db, run["id"], table)


def test_scheduled_runs_are_idempotent_by_label(demo_web, tmp_path):
    seeds = tmp_path / "s.csv"
    seeds.write_text(f"id,name,url,type\nm,Mairie,{demo_web.url('mairie')},mairie\n")
    db = f"sqlite:///{tmp_path / 'v.db'}"
    first = vigie(
        *crawl_args(seeds, db, "--allow-private", "--no-audit", "--run-label", "2026-W48")
    )
    assert first.returncode == 0, first.stderr[-2000:]
    again = vigie(
        *crawl_args(seeds, db, "--allow-private", "--no-audit", "--run-label", "2026-W48")
    )
    assert again.returncode == 0 and "déjà terminée" in again.stdout
    assert [r["label"] for r in Store(db).list_runs()] == ["2026-W48"]


# -- values and evidence pages: the rest of the answer key -----------------------------------

#: Answer-key facts about the served web rather than a finding: ``test_demo_web`` holds them
#: (the 301 of /ancien-contact, the ISO-8859-1 page).
_SERVED_WEB_FACTS = frozenset({"redirect", "charset"})


def _page_findings(store: Store, run_id: int) -> dict[str, dict[str, dict[str, Any]]]:
    """site_id → page path → check id → ``{"status", "value", "evidence"}`` of the run."""
    f, p = store_tables.findings.c, store_tables.pages.c
    query = (
        select(p.site_id, p.url, f.check_id, f.status, f.value, f.evidence)
        .join_from(store_tables.findings, store_tables.pages, f.page_id == p.id)
        .where(f.run_id == run_id)
    )
    out: dict[str, dict[str, dict[str, Any]]] = {}
    with store.engine.connect() as conn:
        for site_id, url, check_id, status, value, evidence in conn.execute(query):
            page = out.setdefault(site_id, {}).setdefault(_path(url), {})
            page[check_id] = {"status": status, "value": value, "evidence": evidence or []}
    return out


def _path(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def _site_relative(url: str, site_url: str) -> str:
    """``/booking/create/4521`` for a link on the site itself, the URL as is otherwise."""
    return _path(url) if url.startswith(site_url.rstrip("/") + "/") else url


def _items(pages: dict[str, dict[str, Any]], check_id: str) -> list[dict[str, Any]]:
    """Every item of a list-valued check over the site's pages."""
    return [
        item
        for findings in pages.values()
        if check_id in findings
        for item in (findings[check_id]["value"] or [])
    ]


def _number(item: dict[str, Any]) -> str:
    return item.get("e164") or item["short"]


def _value_mismatches(
    site_id: str,
    key: str,
    expected: Any,
    pages: dict[str, dict[str, Any]],
    site_values: dict[str, Any],
    site_url: str,
) -> list[str]:
    """Where the crawl's values disagree with one ``values`` fact of the answer key."""
    check_id = key.removesuffix("_rendered")
    got: Any
    if check_id == "phone":
        got = {_number(i) for i in _items(pages, "phone") if i["purpose"] != "fax"}
        ok = expected <= got
    elif check_id == "fax":
        got = {_number(i) for i in _items(pages, "phone") if i["purpose"] == "fax"}
        ok = expected <= got
    elif check_id == "premium_phone":
        got = {_number(i) for i in _items(pages, "premium_phone")}
        ok = expected <= got
    elif check_id == "email":
        got = {i["address"] for i in _items(pages, "email")}
        ok = expected <= got
    elif check_id == "service_public_link":
        got = set(_items(pages, "service_public_link"))
        ok = expected <= got
    elif check_id == "appointment":
        items = _items(pages, "appointment")
        if isinstance(expected, dict):  # only an in-page anchor: recorded, not found
            got = {i["booking_link"] for i in items}
            ok = got == {expected["booking_link"]}
        else:
            got = {_site_relative(i["url"], site_url) for i in items if i["booking_link"]}
            ok = expected <= got
    elif check_id == "opening_hours":
        got = {
            path: (pages.get(path, {}).get("opening_hours") or {}).get("value") for path in expected
        }
        ok = all(got[path] and got[path]["osm"] == osm for path, osm in expected.items())
    elif check_id == "a11y_mention":
        got = site_values.get("a11y_mention")
        ok = got == expected
    elif check_id == "a11y_statement":
        got = (pages.get(expected["path"], {}).get("a11y_statement") or {}).get("value") or {}
        ok = (
            got.get("conformity_rate") == expected["rate"]
            and got.get("audit_date") == expected["audit_date"]
            and bool(got.get("schema_pluriannuel")) == expected["schema_pluriannuel"]
        )
    elif check_id == "jdma_button":
        got = site_values.get("jdma_button") or {}
        ok = all(got.get(k) == v for k, v in expected.items())
    elif check_id == "structured_data":
        got = {
            path: sorted(
                c
                for c, finding in pages.get(path, {}).items()
                if any(e.get("source") == "structured_data" for e in finding["evidence"])
            )
            for path in expected
        }
        ok = all(got.values())
    elif check_id == "js_shell":
        return []  # test_javascript_shells_are_rendered_and_checked
    else:
        return [f"{site_id}.{key}: fait inconnu du test, à relier à un constat"]
    return [] if ok else [f"{site_id}.{key}: {got!r}, attendu {expected!r}"]


def test_values_and_evidence_pages_match_the_answer_key(crawled):
    """The answer key's ``values`` and ``where`` facts, not only its found/absent ones."""
    store, run_id, _, _, _ = crawled
    by_site = _page_findings(store, run_id)
    site_urls = {s["site_id"]: s["url"] for s in store.sites_of_run(run_id)}
    site_values: dict[str, dict[str, Any]] = {}
    for row in store.site_checks_of_run(run_id):
        site_values.setdefault(row["site_id"], {})[row["check_id"]] = row["value"]
    crawled_paths = {(p["site_id"], _path(p["url"])) for p in store.pages_of_run(run_id)}
    mismatches: list[str] = []
    checked = 0
    for site_id, expected in EXPECTED.items():
        if expected.error:
            continue
        pages = by_site[site_id]
        for key, fact in expected.values.items():
            if key in _SERVED_WEB_FACTS or f"{key}_rendered" in expected.values:
                continue  # the crawl renders JavaScript shells: the rendered fact holds
            checked += 1
            mismatches += _value_mismatches(
                site_id, key, fact, pages, site_values[site_id], site_urls[site_id]
            )
        for check_id, paths in expected.where.items():
            for path in paths:
                checked += 1
                status = pages.get(path, {}).get(check_id, {}).get("status")
                if status != "found":
                    mismatches.append(
                        f"{site_id}.{check_id} sur {path}: {status}"
                        + ("" if (site_id, path) in crawled_paths else " (page non explorée)")
                    )
    assert checked > 60
    assert not mismatches, "\n".join(mismatches)


def test_rendered_checks_on_every_rendered_page_and_the_site_median(crawled, tmp_path):
    """Issue 15.1 end to end: every page the audit rendered has its three rendered checks
    stored; each EcoIndex is the formula of the page's own figures; each site's median
    and grade in the table are those of its pages; the demo's old site (pages without a
    viewport meta) is not mobile-ready while the town hall is; a site the crawl could not
    read is in error, never "absent"; the reports show the page figures and the median."""
    import statistics
    from collections import defaultdict

    from checks import ecoindex
    from reports.summary import key_figures

    store, run_id, table, seeds, _ = crawled
    rows = table.set_index("site_id")
    audited: dict[str, list[str]] = defaultdict(list)
    for audit in store.audits_of_run(run_id):
        assert audit["error"] is None, audit
        audited[audit["site_id"]].append(audit["url"])
    found: dict[str, dict[str, dict[str, Any]]] = defaultdict(dict)
    for row in store.page_findings_of(run_id, list(rows.index), RENDERED_CHECK_IDS):
        found[row["url"]][row["check_id"]] = row
    assert set(found) == {url for urls in audited.values() for url in urls}
    for site_id, urls in audited.items():
        scores = []
        for url in urls:
            assert set(found[url]) == set(RENDERED_CHECK_IDS), url
            eco = found[url]["ecoindex"]
            assert eco["status"] == "found", eco
            value = eco["value"]
            assert value["dom_elements"] > 10 and value["requests"] >= 1, value
            figures = (value["dom_elements"], value["requests"], value["transfer_kb"])
            expected = ecoindex.score(*figures)
            assert value["score"] == expected and value["grade"] == ecoindex.grade(expected)
            scores.append(value["score"])
            assert found[url]["mobile_ready"]["value"]["scroll_width_320"] >= 320
        row = rows.loc[site_id]
        assert row["ecoindex_score"] == statistics.median(scores), site_id
        assert row["ecoindex_grade"] == ecoindex.grade(statistics.median(scores))
        assert row["ecoindex_pages"] == len(urls)
        assert row["mobile_ready_measured"] == len(urls)
    assert rows.loc["mairie", "mobile_ready"] == "found"
    assert rows.loc["mairie", "mobile_ready_pages"] == len(audited["mairie"])
    assert rows.loc["ancien", "mobile_ready"] == "absent"
    assert rows.loc["ancien", "mobile_ready_pages"] == 0
    assert rows.loc["mairie", "plain_language"] == "found"
    assert 0 < rows.loc["mairie", "plain_language_lix"] < 100
    for site_id, expected in EXPECTED.items():
        if expected.error:
            for check_id in RENDERED_CHECK_IDS:
                assert rows.loc[site_id, check_id] == "error", (site_id, check_id)
            assert pd.isna(rows.loc[site_id, "ecoindex_score"])

    out = tmp_path / "rapport"
    db = f"sqlite:///{seeds.parent / 'vigie.db'}"
    proc = vigie("report", "--db", db, "--run", str(run_id), "-o", str(out))
    assert proc.returncode == 0, proc.stderr[-2000:]
    median = key_figures(table)["ecoindex"]
    sites_measured = table["ecoindex_score"].notna().sum()
    assert median == {
        "score": statistics.median(table["ecoindex_score"].dropna()),
        "grade": ecoindex.grade(statistics.median(table["ecoindex_score"].dropna())),
        "sites": sites_measured,
    }
    overview = (out / "index.html").read_text(encoding="utf-8")
    assert f'data-key="ecoindex">{median["score"]} ({median["grade"]})' in overview
    site_page = next((out / "sites").glob("mairie*.html")).read_text(encoding="utf-8")
    assert 'data-table="rendered"' in site_page
    for url in audited["mairie"]:
        score = found[url]["ecoindex"]["value"]["score"]
        assert f'data-score="{score}"' in site_page and url in site_page
