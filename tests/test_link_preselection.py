"""The link pre-selection (``checks._links.candidates``) must never change a result.

Link checks hand their sieves and hosts to ``links_where``/``candidates``, which look only
at the links holding a stem: that is exact only if every check's test needs one. These
tests run every check with the pre-selection on and off, on the demo web's pages and on
the real corpus, and require identical results.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import checks._links as links
from checks import run_checks
from checks._links import candidates, phrase_pattern
from checks.page import Page

DEMO_SITES = Path(__file__).resolve().parents[1] / "crawler" / "demo" / "sites"


def _both_ways(monkeypatch, page_of) -> list[str]:
    """Check ids whose results differ with and without the pre-selection, per page."""
    differences = []
    for name, page_on, page_off in page_of():
        with_pre = run_checks(page_on)
        monkeypatch.setattr(links, "PRESELECT", False)
        without = run_checks(page_off)
        monkeypatch.setattr(links, "PRESELECT", True)
        differences += [
            f"{name}: {check_id}"
            for check_id in with_pre
            if with_pre[check_id] != without[check_id]
        ]
    return differences


def _pages(paths: list[Path], base: str):
    def page_of():
        for path in paths:
            body = path.read_bytes()
            url = f"{base}/{path.name}"
            yield path.name, Page.from_bytes(body, url), Page.from_bytes(body, url)

    return page_of


def test_preselection_changes_nothing_on_the_demo_web(monkeypatch):
    paths = sorted(DEMO_SITES.rglob("*.html"))
    assert len(paths) > 50
    assert _both_ways(monkeypatch, _pages(paths, "http://127.0.0.1:8000")) == []


def test_preselection_changes_nothing_on_the_real_corpus(monkeypatch, shared_dir):
    paths = sorted((shared_dir / "corpus/real").glob("*.html"))
    paths += sorted((shared_dir / "corpus/bad").rglob("*.html"))
    assert paths
    assert _both_ways(monkeypatch, _pages(paths, "https://corpus.invalid")) == []


def test_candidates_find_each_link_holding_a_stem_once_in_document_order(make_page):
    page = make_page(
        '<a href="/a">Nous contacter</a><a href="/b">Actualités</a>'
        '<a href="/contactez-nous">Écrire</a><a href="https://x.service-public.fr/">SP</a>'
        '<a href="/c">contact contact</a>',
        "https://www.mairie-exemple.fr/",
    )
    label = phrase_pattern("nous contacter", "contact")
    target = phrase_pattern("contactez-nous")
    hrefs = [i.href for i in candidates(page, labels=(label,), targets=(target,))]
    assert hrefs == [
        "https://www.mairie-exemple.fr/a",
        "https://www.mairie-exemple.fr/contactez-nous",
        "https://www.mairie-exemple.fr/c",
    ]
    by_host = candidates(page, hosts=frozenset({"service-public.fr"}))
    assert [i.href for i in by_host] == ["https://x.service-public.fr/"]
    assert candidates(page, host_words=("mairie",))[0].href.endswith("/a")


@pytest.mark.parametrize("labels", [("xyz",), ()])
def test_candidates_of_a_page_without_links_is_empty(make_page, labels):
    page = make_page("<p>Aucun lien</p>")
    sieves = tuple(phrase_pattern(word) for word in labels)
    assert candidates(page, labels=sieves, hosts=frozenset({"service-public.fr"})) == []


def test_a_sieve_made_at_run_time_selects_its_links_too(make_page):
    page = make_page('<a href="/x">Zygomorphe et zythum</a>', "https://www.mairie-exemple.fr/")
    assert candidates(page, labels=(phrase_pattern("contact"),)) == []
    late = phrase_pattern("zythum")  # a word no check has
    assert [i.href for i in candidates(page, labels=(late,))] == ["https://www.mairie-exemple.fr/x"]
