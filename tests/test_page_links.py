"""``checks.page.Resolver`` must resolve every link exactly as ``urljoin`` does."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urljoin

import pytest

from checks._links import _URL, _url_parts
from checks.page import Page, Resolver, link_label

DEMO_SITES = Path(__file__).resolve().parents[1] / "crawler" / "demo" / "sites"
BASES = (
    "https://www.mairie-exemple.fr/demarches/etat-civil/naissance.html?x=1#haut",
    "https://www.mairie-exemple.fr/demarches/",
    "https://www.mairie-exemple.fr",
    "http://127.0.0.1:8042/a/b",
    "https://[::1]:8443/x/y",
)
TRICKY = (
    "page.html",
    "sous/page?x=1#y",
    "./page",
    "../page",
    "a/../b",
    "a/./b",
    "..",
    ".",
    ".hidden/file",
    "/a/.hidden",
    "/a/../b",
    "//cdn.example.org/lib.js",
    "?page=2",
    "#contenu",
    "#a#b",
    "#é ü",
    "#?x",
    "mailto:x@y.fr",
    "tel:+33100000000",
    "javascript:void(0)",
    "HTTPS://Exemple.FR/A",
    "a b.pdf",
    "a\tb",
    "a\nb",
    "\x01page",
    "page\x7f",
    "foo:bar",
    "a/b:c",
    "/",
    "//",
    "é/ü.html",
    "https://[::1/broken",
    "page#",
    "page?",
    "page?#x",
    "https://www.mairie-exemple.fr/a#",
    "http://www.mairie-exemple.fr/a?",
    "https://www.mairie-exemple.fr/a/../b",
    "http://autre.fr/x\ty",
)


def _hrefs(paths: list[Path]) -> set[str]:
    hrefs: set[str] = set()
    for path in paths:
        page = Page.from_bytes(path.read_bytes(), BASES[0])
        hrefs.update(link.raw_href for link in page.links)
    return hrefs


def _mismatches(hrefs) -> list[str]:
    wrong = []
    for base in BASES:
        resolve = Resolver(base)
        for raw in hrefs:
            try:
                want = urljoin(base, raw)
            except ValueError:
                want = raw
            if resolve(raw) != want:
                wrong.append(f"{base} + {raw!r}: {resolve(raw)!r} != {want!r}")
    return wrong


def test_resolver_equals_urljoin_on_tricky_targets():
    assert _mismatches(TRICKY) == []


def test_resolver_equals_urljoin_on_every_demo_link():
    hrefs = _hrefs(sorted(DEMO_SITES.rglob("*.html")))
    assert len(hrefs) >= 100
    assert _mismatches(hrefs) == []


def test_resolver_equals_urljoin_on_every_corpus_link(shared_dir):
    hrefs = _hrefs(sorted((shared_dir / "corpus/real").glob("*.html")))
    assert _mismatches(hrefs) == []


@pytest.mark.parametrize("base", ["file:///tmp/page.html", "about:blank", "relative/path"])
def test_an_odd_base_goes_through_urljoin(base):
    assert Resolver(base)("page.html") == urljoin(base, "page.html")


def _label_mismatches(paths: list[Path]) -> list[str]:
    wrong = []
    for path in paths:
        page = Page.from_bytes(path.read_bytes(), BASES[0])
        for link in page.links:
            if link.text != link_label(link.element):
                wrong.append(f"{path.name}: {link.text!r} != {link_label(link.element)!r}")
    return wrong


def test_page_labels_equal_link_label_of_each_link():
    page = Page(
        '<a href="/a"><img src="x.png" alt="Logo"> Accueil<img alt=""></a>'
        '<a href="/b" title="Titre"> Plan  du\u00a0site </a><a href="/c" aria-label="Aide">?</a>'
        '<map><area href="/d" alt="Zone"></map><a href="/e"><span><img alt="Profond"></span></a>'
        '<a name="ancre"><img alt="Pas un lien"></a>',
        BASES[0],
    )
    assert [link.text for link in page.links] == [
        "Accueil Logo",
        "Plan du site Titre",
        "? Aide",
        "Zone",
        "Profond",
    ]
    assert _label_mismatches(sorted(DEMO_SITES.rglob("*.html"))) == []


def test_a_page_holding_the_label_separator_is_read_link_by_link():
    page = Page(
        '<a href="/a">Un \ufdd0 deux</a><p>\ufdd0</p><a href="/b" title="\ufdd0">Trois</a>',
        BASES[0],
    )
    assert [link.text for link in page.links] == ["Un \ufdd0 deux", "Trois \ufdd0"]
    assert [link.text for link in page.links] == [link_label(link.element) for link in page.links]


def test_page_labels_equal_link_label_on_the_real_corpus(shared_dir):
    assert _label_mismatches(sorted((shared_dir / "corpus/real").glob("*.html"))) == []


def _parts_mismatches(pages: list[Page]) -> list[str]:
    wrong = []
    for page in pages:
        links = page.links
        for link, parts in zip(links, _url_parts(links), strict=True):
            want = _URL.match(link.href).groups(default="")
            if tuple(parts) != want:
                wrong.append(f"{link.href!r}: {parts} != {want}")
    return wrong


def test_url_parts_of_all_links_at_once_equal_each_link_split_alone():
    tricky = "".join(f'<a href="{href}">x</a>' for href in TRICKY if '"' not in href)
    tricky += '<a href="">vide</a><a href="#">haut</a><a href="?">q</a>'
    with_break = tricky + '<a href="javascript:a();\nb()">js</a>'
    pages = [Page(with_break, BASES[0])] + [Page(tricky, base) for base in BASES]
    pages += [
        Page.from_bytes(path.read_bytes(), BASES[0]) for path in sorted(DEMO_SITES.rglob("*.html"))
    ]
    assert any("\n" in link.href for link in pages[0].links)  # the per-link fallback runs
    assert _parts_mismatches(pages) == []
