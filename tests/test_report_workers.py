"""Site pages written by a pool of processes (reports/site_pages.py): the same files as in
one process, and a worker's failure as a French error rather than a hang or a silent gap."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest

from crawler import settings
from crawler.cli import main
from reports import data as data_module
from reports.data import load_report
from reports.html import page_context, write_report
from reports.site_pages import SitePagesError, resolve_workers, write_site_pages
from tests.report_store import build


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    store, _ = build(f"sqlite:///{tmp_path_factory.mktemp('workers') / 'vigie.db'}")
    return store


def _files(folder: Path) -> dict[str, bytes]:
    """Every file but the workbook (its zip carries a timestamp), generation time left out."""
    return {
        str(p.relative_to(folder)): b"\n".join(
            line for line in p.read_bytes().splitlines() if b"produit par Vigie le" not in line
        )
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.suffix != ".xlsx"
    }


def test_site_pages_from_workers_are_the_pages_of_one_process(store, tmp_path, monkeypatch):
    monkeypatch.setattr(settings, "VIGIE_REPORT_POOL_MIN_SITES", 1)
    monkeypatch.setattr(data_module, "DETAIL_CHUNK", 2)  # 5 sites: three chunks
    alone = write_report(store, tmp_path / "seul", workers=0)
    pooled = write_report(store, tmp_path / "pool", workers=2)
    assert alone.page_workers == 0 and pooled.page_workers == 2
    assert [p.name for p in pooled.site_pages] == [p.name for p in alone.site_pages]
    one, many = _files(alone.folder), _files(pooled.folder)
    assert len([n for n in one if n.startswith("sites/")]) == 5
    assert one == many


def test_small_runs_stay_in_one_process(store, tmp_path):
    assert settings.VIGIE_REPORT_POOL_MIN_SITES > 5
    assert write_report(store, tmp_path / "r", workers=2).page_workers == 0


def test_a_failing_worker_is_a_french_error(store, tmp_path, monkeypatch):
    """A worker that cannot read the store stops the report with a clear error (the pool
    cancelled), instead of waiting forever or leaving pages out without a word."""
    monkeypatch.setattr(settings, "VIGIE_REPORT_POOL_MIN_SITES", 1)
    data = load_report(store)
    data.store = SimpleNamespace(url=f"sqlite:///{tmp_path / 'absente.db'}")
    (tmp_path / "sites").mkdir()
    writing = write_site_pages(data, tmp_path / "sites", page_context(data, False, None), 1)
    assert writing.workers == 1
    with pytest.raises(SitePagesError, match="échec de l'écriture des pages de sites"):
        writing.finish()
    assert not list((tmp_path / "sites").iterdir())


def test_report_workers_option(store, tmp_path, capsys):
    db = store.url
    assert main(["report", "-o", str(tmp_path / "r"), "--db", db, "--workers", "0"]) == 0
    assert "(5 pages de sites)" in capsys.readouterr().out
    with pytest.raises(SystemExit) as exc:
        main(["report", "-o", str(tmp_path / "r"), "--db", db, "--workers", "-1"])
    assert exc.value.code == 2
    assert "--workers" in capsys.readouterr().err


def test_workers_setting_is_checked_before_a_crawl(tmp_path, capsys):
    assert resolve_workers("auto") >= 0 and resolve_workers("0") == 0 and resolve_workers(3) == 3
    for bad in ("abc", "-1", "1.5"):
        with pytest.raises(ValueError, match="VIGIE_REPORT_WORKERS"):
            resolve_workers(bad)
    seeds = tmp_path / "sites.csv"
    seeds.write_text("id,name,url,type\na,A,https://a.example.fr/,mairie\n", encoding="utf-8")
    db = tmp_path / "vigie.db"
    args = ["crawl", "--seeds", str(seeds), "--db", f"sqlite:///{db}"]
    assert main([*args, "-s", "VIGIE_REPORT_WORKERS=abc"]) == 2
    assert "VIGIE_REPORT_WORKERS" in capsys.readouterr().err
    assert not db.exists()  # refused before anything was crawled or stored


#: The Jinja macros that link(), evidence_item() and status_cell() replaced, kept here to
#: check that the functions write the same markup.
FORMER_MACROS = """
{%- macro m_link(url, href, css='') -%}
{%- if href -%}<a class="fr-link vigie-url {{ css }}" href="{{ href }}" rel="noopener noreferrer">{{ url|iso }}</a>
{%- else -%}<span class="vigie-url {{ css }}">{{ url|iso }}</span>{%- endif -%}
{%- endmacro %}
{% macro m_evidence(e) -%}
<dl class="vigie-evidence">
  <dt>Page</dt><dd>{% if e.title %}« {{ e.title|iso }} » — {% endif %}{{ m_link(e.url, e.href) }}</dd>
  {% if e.where %}<dt>Emplacement</dt><dd><code class="vigie-code" dir="auto">{{ e.where|iso }}</code></dd>{% endif %}
  {% if e.snippet %}<dt>Extrait</dt><dd><code class="vigie-code" dir="auto">{{ e.snippet|iso }}</code></dd>{% endif %}
</dl>
{%- endmacro %}
{% macro m_status(check_id, status) -%}
{%- set problem = status|is_problem(check_id) -%}
<td data-sort="{{ status|status_rank(check_id) }}"><span class="vigie-st {{ 'vigie-st--error' if status == 'error' else ('vigie-st--neutral' if problem is none else ('vigie-st--ko' if problem else 'vigie-st--ok')) }}">{{ status|status_short }}</span></td>
{%- endmacro %}
"""  # noqa: E501


@pytest.mark.parametrize(
    "url, href, title, where, snippet",
    [
        ("https://a.fr/x?a=1&b=<2>", "https://a.fr/x?a=1&b=<2>", "T « é »", "/html/p", "x"),
        ("javascript:alert(1)", None, None, "", ""),
        ("https://a.fr/\u202e", "https://a.fr/\u202e", "\u202eevil", "<b>", '"q"'),
        ("", "", "", None, "s"),
    ],
)
def test_link_and_evidence_functions_write_what_the_macros_wrote(url, href, title, where, snippet):
    from reports.html import environment, evidence_item, link

    env = environment()
    macros = env.from_string(FORMER_MACROS).module
    e = SimpleNamespace(url=url, href=href, title=title, where=where, snippet=snippet)
    assert str(link(url, href)) == str(macros.m_link(url, href))
    assert str(link(url, href, "x&y")) == str(macros.m_link(url, href, "x&y"))
    assert str(evidence_item(e)) == str(macros.m_evidence(e))
    page = env.from_string("{{ evidence_item(e) }}|{{ link(e.url, e.href) }}").render(e=e)
    assert page == f"{macros.m_evidence(e)}|{macros.m_link(url, href)}"


def test_status_cell_function_writes_what_the_macro_wrote():
    from checks import CHECK_IDS
    from reports.html import environment, status_cell

    macros = environment().from_string(FORMER_MACROS).module
    statuses = ("found", "absent", "error", "not_applicable", "<odd>", None)
    for check_id in (*CHECK_IDS, "unknown_check"):
        for status in statuses:
            assert str(status_cell(check_id, status)) == str(macros.m_status(check_id, status))
