"""Seed columns as dimensions (issue 16.1), trends that say whether things get better (16.2),
French accessibility texts (16.4), print (16.5), and one set of column names (13.6).

The store is written by hand (``tests/report_store.py``): two runs of a list whose seed file
has two extra columns, ``departement`` and ``tutelle``, and findings that change between
the runs. The browser tests open the written report from disk, as its readers do.
"""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
import pytest
from lxml import etree, html
from report_store import GAINED, LOST, RUNS, build

from checks import CHECK_IDS
from reports import charts
from reports import columns as registry
from reports.data import check_shares, dimensions_of, group_coverage, load_report
from reports.exports import CHANGES, build_tables
from reports.html import write_report
from reports.summary import key_figures
from reports.table import export, findings_table

CHROMIUM = "/usr/bin/chromium"
needs_chromium = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Chromium absent")


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> dict[str, Any]:
    tmp = tmp_path_factory.mktemp("dimensions")
    db = tmp / "v.db"
    store, runs = build(f"sqlite:///{db}")
    out = tmp / "rapport"
    written = write_report(store, out)
    return {"store": store, "runs": runs, "out": out, "written": written, "db": db, "tmp": tmp}


def _doc(report: dict[str, Any], page: str = "index.html") -> Any:
    return html.parse(str(report["out"] / page))


# -- 16.1 seed columns travel everywhere -------------------------------------------------------


def test_seed_columns_travel_into_the_table_and_every_export(report, tmp_path):
    table = findings_table(report["store"])
    columns = list(table.columns)
    assert columns[columns.index("type") + 1 : columns.index("type") + 3] == [
        "departement",
        "tutelle",
    ]
    rows = table.set_index("site_id")
    assert rows.loc["alpha", "departement"] == "45" and rows.loc["omega", "tutelle"] == "État"
    # vigie table and the report's download: the same columns, the same ids.
    mine = pd.read_csv(export(table, tmp_path / "t.csv"), dtype=str)
    theirs = pd.read_csv(report["out"] / "donnees" / "constats.csv", dtype=str)
    assert list(mine.columns) == list(theirs.columns) == columns
    assert theirs.set_index("site_id").loc["gamma", "departement"] == "45"
    sheet = openpyxl.load_workbook(report["out"] / "donnees" / "vigie.xlsx")["Constats"]
    header = [c.value for c in sheet[1]]
    assert header == registry.headers(columns) and "departement" in header
    overview = _doc(report)
    heads = overview.xpath("//table[@id='tableau-constats']/thead//th")
    assert [h.text_content() for h in heads[2:4]] == ["departement", "tutelle"]
    row = overview.xpath("//tr[@data-site='delta']")[0]
    assert row.get("data-dim-0") == "-" and row.get("data-dim-1") == "État"
    site = _doc(report, "sites/alpha.html")
    assert site.xpath("string(//li[@data-dim='departement'])") == "departement : 45"


def test_a_seed_column_named_like_a_vigie_column_does_not_hide_it():
    assert registry.seed_column_id("departement") == "departement"
    assert registry.seed_column_id("status") == "seed_status"
    ids = registry.findings_columns(["status", "region"])
    assert ids.count("status") == 1 and ids.index("seed_status") == ids.index("type") + 1
    assert registry.column("seed_status").header == "status"


def test_the_overview_filters_and_groups_by_every_dimension(report):
    doc = _doc(report)
    form = doc.xpath("//form[@id='filtres']")[0]
    urls = form.xpath(".//*[@data-url]/@data-url")
    assert {"type", "departement", "tutelle", "q", "etat", "manque", "grouper"} <= set(urls)
    groups = form.xpath(".//select[@name='group']/option/@value")
    assert groups == ["type", "dim-0", "dim-1"]
    departements = form.xpath(".//select[@data-url='departement']/option/@value")
    assert departements == ["", "18", "45", "-"]  # "-": not given in the seed list
    for dim in ("type", "dim-0", "dim-1"):
        assert doc.xpath(f"//table[@id='groupes-{dim}']/tbody/tr")
        assert doc.xpath(f"//table[@id='evolution-{dim}']/tbody/tr")


def test_every_percentage_has_its_count_beside_it(report):
    doc = _doc(report)
    for cell in doc.xpath("//table[starts-with(@id, 'groupes-')]//td[@data-cell='e2']"):
        assert re.fullmatch(r"\d+ %\s+\(\d+ sites? sur \d+\)", cell.text_content().strip())
        assert not cell.xpath("ancestor::*[contains(@class, 'fr-sr-only')]")
    mairies = doc.xpath("//table[@id='groupes-type']//tr[@data-group='mairie']")[0]
    assert "(2 sites sur 2)" in mairies.text_content()
    for cell in doc.xpath("//table[@id='tableau-verifications']//td[@data-cell='share']"):
        assert re.fullmatch(r"(\d+ %|—)\s+\(\d+ sur \d+\)", cell.text_content().strip())
    phone = doc.xpath("//table[@id='tableau-verifications']//tr[@data-check='phone']")[0]
    assert "(4 sur 5)" in phone.text_content()  # beta, alpha, delta, omega; gamma absent
    for key in ("e2", "e3"):
        label = doc.xpath(f"string(//span[@data-key='{key}']/following-sibling::span)")
        assert "sur 5 sites explorés" in label


# -- 16.2 trends ---------------------------------------------------------------------------------


def test_trends_from_sql_equal_each_runs_findings_table(report):
    """The trends are grouped in SQL; every point must equal the figures the findings table
    of that run gives (one way to count), overall, by type and by each seed column."""
    data = load_report(report["store"])
    trends = data.trends
    assert [p.run_id for p in trends.overall] == report["runs"]
    for i, run_id in enumerate(report["runs"]):
        table = findings_table(report["store"], run_id)
        figures = key_figures(table)
        point = trends.overall[i]
        assert (point.sites, point.explored) == (figures["sites"], figures["explored"])
        for n in (2, 3):
            assert point.mean(n) == pytest.approx(figures[f"e{n}"], abs=1e-3)
            assert point.full[n] == figures[f"e{n}_full"]
            assert point.measured[n] == figures[f"e{n}_n"]
        for dimension in dimensions_of(table):
            for group in group_coverage(table, dimension):
                got = trends.by_group[dimension.key][group.group][i]
                assert (got.sites, got.explored) == (group.sites, group.explored)
                for n in (2, 3):
                    want = getattr(group, f"engagement_{n}")
                    assert got.mean(n) == pytest.approx(want, abs=1e-3), (dimension, group)
        for share in check_shares(table, CHECK_IDS):
            got = trends.by_check[share.check_id][i]
            assert (got.found, got.measured) == (share.found, share.measured), share.check_id


def test_trends_group_the_same_in_postgresql(report, pg_url):
    """The grouping is SQL (JSON columns read as text, a pivot of statuses): PostgreSQL
    must give what SQLite gives."""
    from reports import trends

    store, runs = build(pg_url)
    mine = trends.compute(store, runs[-1], ["departement", "tutelle"])
    theirs = trends.compute(report["store"], report["runs"][-1], ["departement", "tutelle"])
    store.close()

    def flat(t: Any) -> Any:
        points = [t.overall, *(p for g in t.by_group.values() for p in g.values())]
        groups = {d: sorted(g) for d, g in t.by_group.items()}
        return (
            groups,
            [
                (p.sites, p.explored, p.measured, round(p.sums[2], 6), p.full)
                for ps in points
                for p in ps
            ],
            {c: [p.counts for p in ps] for c, ps in t.by_check.items()},
        )

    assert flat(mine) == flat(theirs)


class _NoSiteReads:
    """A store that refuses the reads of whole sites: the trends must group in SQL."""

    def __init__(self, store: Any) -> None:
        self._store = store

    def __getattr__(self, name: str) -> Any:
        if name in ("sites_of_run", "site_checks_of_run", "check_statuses_of_run", "site_rows"):
            raise AssertionError(f"trends read every site of a run ({name})")
        return getattr(self._store, name)


def test_trends_never_read_the_sites_of_a_run(report):
    from reports import trends

    result = trends.compute(_NoSiteReads(report["store"]), report["runs"][-1], ["departement"])
    assert set(result.by_group) == {"type", "departement"}
    assert set(result.by_group["departement"]) == {"", "18", "45"}


def test_trends_are_labelled_by_run_label_per_group_and_per_check(report):
    doc = _doc(report)
    rows = doc.xpath("//table[@id='tableau-evolution']/tbody/tr/th")
    assert [r.text_content() for r in rows] == list(RUNS)
    svg = doc.xpath("//section[@aria-labelledby='evolution']//*[local-name()='svg']")[0]
    texts = [t.text for t in svg.xpath(".//*[local-name()='text']")]
    assert set(RUNS) <= set(texts) and not [t for t in texts if t and t.startswith("n° ")]
    assert "3 sites" in texts and "5 sites" in texts  # explored sites behind each point
    by_type = doc.xpath("//table[@id='evolution-type']")[0]
    assert [h.text_content() for h in by_type.xpath("thead//th")] == ["Type", *RUNS]
    caf = by_type.xpath("tbody/tr[@data-group='caf']")[0].xpath("td")
    assert caf[0].text_content() == "aucun exploré" and "%" in caf[1].text_content()
    checks = doc.xpath("//table[@id='evolution-verifications']")[0]
    phone = checks.xpath("tbody/tr[@data-check='phone']/td")
    assert [c.text_content() for c in phone] == [
        "67 % (2 sur 3)",
        "80 % (4 sur 5)",
        "+13 pts",
    ]


@pytest.mark.parametrize(
    "e2, e3",
    [
        ([1.0, 0.0, 0.5], [1.0, 0.0, 0.52]),  # at the top, at the bottom, close together
        ([0.70, 0.69], [0.57, 0.59]),  # the demo's: « 59 % » sat on the other marker
    ],
)
def test_value_labels_stay_inside_the_plot_off_markers_and_apart(e2, e3):
    svg = charts.line_chart(
        [str(i) for i in range(len(e2))],
        [charts.Series("E2", "s1", e2), charts.Series("E3", "s2", e3)],
        notes=["1 site"] * len(e2),
    )
    tree = etree.fromstring(str(svg).encode())
    height = float(tree.get("viewBox").split()[3])
    ns = "{http://www.w3.org/2000/svg}"
    values = [t for t in tree.iter(f"{ns}text") if t.get("class") == "vigie-value"]
    markers = [(float(c.get("cx")), float(c.get("cy"))) for c in tree.iter(f"{ns}circle")]
    markers += [
        (float(r.get("x")) + 5, float(r.get("y")) + 5)
        for r in tree.iter(f"{ns}rect")
        if r.get("width") == "10"
    ]
    assert len(values) == 2 * len(e2) == len(markers)
    by_x: dict[str, list[float]] = {}
    for t in values:
        x, y = float(t.get("x")), float(t.get("y"))
        assert y - 11 >= 36 and y <= height - 56, (t.text, y)  # inside the plot
        for mx, my in markers:  # a label's box (11 px above its baseline) misses markers
            if abs(mx - x) < 1:
                assert not (y - 11 - 6 < my < y + 6), (t.text, y, my)
        by_x.setdefault(t.get("x"), []).append(y)
    for ys in by_x.values():
        assert abs(ys[0] - ys[1]) >= 14  # two labels of one run never overlap
    first_x = min(float(x) for x in by_x)
    assert first_x > 48 + 20  # the first point keeps clear of the percentage axis


def test_since_the_previous_run_lists_who_gained_and_lost_each_element(report):
    data = load_report(report["store"])
    gained = {e.key: {s.site_id for s in e.gained} for e in data.element_changes if e.gained}
    lost = {e.key: {s.site_id for s in e.lost} for e in data.element_changes if e.lost}
    assert gained == GAINED and lost == LOST
    assert data.compared_with == {report["runs"][0]: 3}  # gamma was down, omega is new
    doc = _doc(report)
    section = doc.xpath("//section[@aria-labelledby='depuis']")[0]
    for key, sites in GAINED.items():
        block = section.xpath(f".//div[@data-element='{key}']")[0]
        links = block.xpath(".//ul[@data-change='gained']/li/a/@href")
        assert links == [f"sites/{s}.html" for s in sorted(sites)]
    assert section.xpath(".//div[@data-element='email_or_contact_form']//ul[@data-change='lost']")
    elements = pd.read_csv(report["out"] / "donnees" / "elements_gagnes_perdus.csv")
    assert set(zip(elements["element"], elements["site_id"], elements["change"], strict=True)) == {
        *((k, s, "gained") for k, v in GAINED.items() for s in v),
        *((k, s, "lost") for k, v in LOST.items() for s in v),
    }


# -- 13.6 one set of column names ------------------------------------------------------------


def test_every_exported_column_is_registered_with_english_values(report):
    tables = build_tables(load_report(report["store"]))
    assert set(tables) == set(registry.TABLES)
    seeds = ["departement", "tutelle"]
    assert list(tables["constats"].columns) == registry.findings_columns(seeds)
    for name, df in tables.items():
        if name != "constats":
            assert list(df.columns) == list(registry.TABLE_COLUMNS[name]), name
        for column in df.columns:
            if column not in seeds:
                assert column in registry.COLUMNS, (name, column)
            if registry.column(column).kind == "status":
                assert set(df[column].dropna()) <= set(registry.STATUS_VALUES), (name, column)
    assert set(tables["changements"]["change"]) <= set(CHANGES)
    assert set(tables["elements_gagnes_perdus"]["change"]) == {"gained", "lost"}
    assert set(tables["audit"]["result"]) <= {"violation", "needs_review"}


def test_the_workbook_has_dates_percentages_french_headers_and_the_dictionary(report):
    book = openpyxl.load_workbook(report["out"] / "donnees" / "vigie.xlsx")
    sheet = book["Constats"]
    header = [c.value for c in sheet[1]]
    started = sheet.cell(row=2, column=header.index("Début de l'exploration (UTC)") + 1)
    assert started.is_date and started.value.year == pd.Timestamp.now().year
    e2 = sheet.cell(row=2, column=header.index("Couverture engagement 2") + 1)
    assert isinstance(e2.value, float) and "%" in e2.number_format
    trend = book["Évolution"]
    trend_header = [c.value for c in trend[1]]
    assert trend.cell(row=2, column=trend_header.index("Début de l'exploration (UTC)") + 1).is_date
    columns = book["Dictionnaire des colonnes"]
    listed = {(r[0], r[1]) for r in columns.iter_rows(min_row=2, values_only=True)}
    for name, (title, _) in registry.TABLES.items():
        ws = book[title]
        ids = registry.findings_columns(["departement", "tutelle"])
        ids = ids if name == "constats" else registry.TABLE_COLUMNS[name]
        assert [c.value for c in ws[1]] == registry.headers(ids)
        assert {(title, i) for i in ids} <= listed, title
    checks = {
        r[0] for r in book["Dictionnaire des vérifications"].iter_rows(min_row=2, values_only=True)
    }
    assert set(CHECK_IDS) <= checks


def test_vigie_table_xlsx_reads_like_the_reports(report, tmp_path):
    path = export(findings_table(report["store"]), tmp_path / "t.xlsx")
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == [
        "Constats",
        "Dictionnaire des colonnes",
        "Dictionnaire des vérifications",
    ]
    assert book["Constats"]["A1"].value == "N° d'exploration"
    csv = pd.read_csv(export(findings_table(report["store"]), tmp_path / "t.csv"))
    assert csv["run_started_at"].iloc[0].endswith("+00:00")  # ISO 8601 with its time zone


def test_the_data_dictionary_describes_every_column():
    text = (
        Path(__file__)
        .resolve()
        .parents[1]
        .joinpath("docs", "data-dictionary.md")
        .read_text(encoding="utf-8")
    )
    assert "## Les colonnes des exports" in text
    for column_id in [*registry.findings_columns(), *registry.COLUMNS]:
        assert f"`{column_id}`" in text, column_id


# -- not applicable, shown as such ------------------------------------------------------------


def test_a_check_that_does_not_apply_reads_as_justified_never_as_missing(report, tmp_path):
    db = tmp_path / "na.db"
    _, runs = build(f"sqlite:///{db}")
    run = runs[-1]
    with sqlite3.connect(db) as conn:
        conn.execute(
            "UPDATE site_checks SET status='not_applicable', error=? "
            "WHERE run_id=? AND site_id='beta' AND check_id IN ('mediator', 'franceconnect')",
            ("une mairie n'a pas de médiateur propre", run),
        )
    from crawler.store import Store

    out = tmp_path / "r"
    write_report(Store(f"sqlite:///{db}"), out)
    page = html.parse(str(out / "sites" / "beta.html"))
    mediator = page.xpath("string(//article[@id='verif-mediator'])")
    assert "Non applicable (justifié : une mairie n'a pas de médiateur propre)" in mediator
    element = page.xpath("//li[@data-element='mediator']")[0]
    assert element.get("data-state") == "not_applicable"
    assert "justifié : une mairie" in element.text_content()
    todo = page.xpath("//section[@aria-labelledby='a-traiter']//li/@data-element")
    assert "mediator" not in todo
    assert "franceconnect" not in page.xpath(
        "//section[@aria-labelledby='complementaires']//li/@data-check"
    )
    table = findings_table(Store(f"sqlite:///{db}")).set_index("site_id")
    assert table.loc["beta", "engagement_3_counted"] == 4  # mediator and the audit left out
    shares = pd.read_csv(out / "donnees" / "part_par_verification.csv").set_index("check_id")
    assert shares.loc["mediator", "not_applicable"] == 1


# -- 16.4 French accessibility texts -------------------------------------------------------------


def test_rule_help_is_french_from_axe_cores_locale_and_criteria_link_to_the_rgaa(
    report, tmp_path, monkeypatch
):
    from reports import assets
    from reports.audit_view import group_rules
    from reports.axe_texts import _load

    locale = tmp_path / "fr.json"
    locale.write_text(
        '{"lang": "fr", "rules": {"image-alt": {"help": "Les images doivent avoir une '
        'alternative textuelle", "description": "d"}}}',
        encoding="utf-8",
    )
    monkeypatch.setenv(assets.AXE_LOCALE_ENV, str(locale))
    _load.cache_clear()
    rules = [
        {
            "id": "image-alt",
            "impact": "critical",
            "help": "Images must have alternative text",
            "criteria": [{"criterion": "1.1", "title": "Images", "theme": 1}],
        },
        {"id": "unknown-rule", "impact": "minor", "help": "Something in English"},
    ]
    issues = group_rules([("https://a.fr/", rules)])
    by_id = {r["id"]: r for i in issues for r in i.rules.values()}
    assert (by_id["image-alt"]["help"], by_id["image-alt"]["help_lang"]) == (
        "Les images doivent avoir une alternative textuelle",
        "fr",
    )
    assert by_id["unknown-rule"]["help_lang"] == "en"  # kept as axe gives it, marked English
    assert issues[0].url == "https://accessibilite.numerique.gouv.fr/methode/criteres-et-tests/#1.1"
    monkeypatch.setenv(assets.AXE_LOCALE_ENV, str(tmp_path / "absent.json"))
    monkeypatch.setattr(assets, "AXE_LOCALE_DIR", tmp_path / "nothing")
    _load.cache_clear()
    assert group_rules([("https://a.fr/", rules[:1])])[0].rules["image-alt"]["help_lang"] == "en"
    _load.cache_clear()


def test_the_vendored_locale_is_axe_cores_own_for_the_axe_vigie_runs():
    from reports import assets

    path = assets.locate_axe_locale()
    if path is None:
        pytest.skip("textes français d'axe-core non installés (make, npm)")
    source = (path.parent / "SOURCE.txt").read_text(encoding="utf-8").strip()
    assert source == f"npm axe-core@{assets.axe_version()}"
    import json

    rules = json.loads(path.read_text(encoding="utf-8"))["rules"]
    assert rules["image-alt"]["help"].startswith("Les images")


def test_a_report_says_when_the_french_texts_are_missing(report, tmp_path, monkeypatch):
    from reports import assets
    from reports.axe_texts import _load

    monkeypatch.delenv(assets.AXE_LOCALE_ENV, raising=False)
    monkeypatch.setattr(assets, "AXE_LOCALE_DIR", tmp_path / "nothing")
    _load.cache_clear()
    store, _ = build(f"sqlite:///{tmp_path / 'a.db'}")
    run = store.list_runs()[-1]["id"]
    store.write_audit(
        run,
        "alpha",
        None,
        "accueil",
        {
            "url": "https://alpha.example.fr/",
            "axe_version": "4.12.1",
            "error": None,
            "violations": [],
            "needs_review": [],
            "criteria_violated": [],
        },
    )
    written = write_report(store, tmp_path / "r")
    assert assets.AXE_LOCALE_WARNING in written.warnings
    _load.cache_clear()


# -- in the browser: filters, the address, small screens, print -----------------------------------


@pytest.fixture(scope="module")
def browser() -> Any:
    if not Path(CHROMIUM).exists():
        pytest.skip("Chromium absent (paquet Debian « chromium »)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=["--headless", "--no-sandbox"])
        yield chromium
        chromium.close()


def _visible(page: Any, selector: str) -> list[str]:
    return page.eval_on_selector_all(
        selector, "els => els.filter(e => e.offsetParent !== null).map(e => e.dataset.group)"
    )


def test_filters_update_figures_charts_lists_and_the_address(report, browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    index = (report["out"] / "index.html").as_uri()
    page.goto(index)
    page.select_option("select[data-url='departement']", "45")
    assert page.inner_text("#constats-compte") == "2 sites affichés sur 5."
    assert page.inner_text("[data-key='sites']") == "2"
    table = findings_table(report["store"])
    mine = table[table["departement"] == "45"]
    figures = key_figures(mine)
    for n in (2, 3):
        assert page.inner_text(f"[data-key='e{n}']") == f"{round(figures[f'e{n}'] * 100)} %"
    assert _visible(page, "#groupes-type tbody tr") == ["caf", "mairie"]
    mairie = page.inner_text("#groupes-type tr[data-group='mairie'] td[data-cell='e2']")
    assert mairie.endswith("(1 site sur 1)")
    phone = page.inner_text("#tableau-verifications tr[data-check='phone'] td[data-cell='share']")
    assert phone.split() == ["50", "%", "(1", "sur", "2)"]
    shown = page.eval_on_selector_all(
        "section[aria-labelledby='depuis'] .vigie-change",
        "els => els.filter(e => !e.hidden).map(e => e.dataset.element)",
    )
    assert shown == ["email_or_contact_form", "faq"]  # alpha's; beta's and delta's hidden
    assert page.url.endswith("index.html?departement=45")
    page.select_option("#filtre-groupe", "dim-1")
    assert page.is_hidden("#groupes-type") and page.is_visible("#groupes-dim-1")
    assert page.url.endswith("?departement=45&grouper=dim-1")
    shared = context.new_page()  # the link, opened elsewhere: the same view
    shared.goto(page.url)
    assert shared.input_value("select[data-url='departement']") == "45"
    assert shared.inner_text("#constats-compte") == "2 sites affichés sur 5."
    assert shared.is_visible("#groupes-dim-1") and shared.is_hidden("#groupes-type")
    shared.select_option("#filtre-groupe", "dim-0")
    assert _visible(shared, "#evolution-dim-0 tbody tr") == ["45"]
    shared.get_by_role("button", name="Effacer les filtres").click()
    shared.wait_for_function("() => !location.search")
    assert shared.inner_text("[data-key='sites']") == "5"
    assert errors == []
    context.close()


def test_without_javascript_every_group_and_row_is_shown(report, browser):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto((report["out"] / "index.html").as_uri())
    for dim in ("type", "dim-0", "dim-1"):
        assert page.is_visible(f"#groupes-{dim}") and page.is_visible(f"#evolution-{dim}")
    assert page.locator("#tableau-constats tbody tr").count() == 5
    assert page.is_hidden("#filtres")
    context.close()


def test_charts_stay_legible_at_375_pixels(report, browser):
    context = browser.new_context(viewport={"width": 375, "height": 800})
    page = context.new_page()
    page.goto((report["out"] / "index.html").as_uri())
    assert page.is_hidden(".vigie-chart--wide") and page.is_visible(".vigie-chart--narrow")
    heights = page.eval_on_selector_all(
        ".vigie-chart--narrow text", "ts => ts.map(t => t.getBoundingClientRect().height)"
    )
    assert heights and min(heights) >= 10, heights  # CSS pixels: no shrunken text
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375  # wide tables scroll inside their own box, not the page
    context.close()


def pdf_keeps_every_column(page: Any, url: str, path: Path) -> list[str]:
    """The headers of the tables ``url`` shows on screen that its PDF lacks (printed as a
    reader prints it: print media, the page's own page size)."""
    page.emulate_media(media="screen")
    page.goto(url)
    headers = page.eval_on_selector_all(
        "main table thead th",
        "ths => ths.filter(t => t.offsetParent !== null).map(t => t.textContent)",
    )
    assert headers, url
    text = _pdf_text(page, path)
    return [h for h in headers if re.sub(r"\s+", "", h) not in text]


def _pdf_text(page: Any, path: Path) -> str:
    from pypdf import PdfReader

    page.emulate_media(media="print")
    page.pdf(path=str(path), prefer_css_page_size=True, print_background=True)
    text = "".join(p.extract_text() or "" for p in PdfReader(str(path)).pages)
    return re.sub(r"\s+", "", text)


def test_printing_keeps_every_column(report, browser, tmp_path):
    """Printing cut the findings table after « Engagement 3 » (issue 16.5): every header
    of every table shown on screen must be in the PDF."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    index = (report["out"] / "index.html").as_uri()
    assert pdf_keeps_every_column(page, index, tmp_path / "index.pdf") == []
    context.close()
