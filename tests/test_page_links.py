"""``Page.links``: every link, its target resolved as ``urljoin`` does, its label as read."""

from __future__ import annotations

from html import escape
from urllib.parse import urljoin

import pytest

from checks.page import Page, link_label

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


def _tricky_page(base: str) -> Page:
    return Page("".join(f'<a href="{escape(href)}">x</a>' for href in TRICKY), base)


@pytest.mark.parametrize("base", BASES)
def test_targets_are_resolved_as_urljoin_does(base):
    links = _tricky_page(base).links
    assert len(links) == len(TRICKY)
    wanted = []
    for link in links:
        if link.raw_href.lower().startswith(("mailto:", "tel:", "javascript:")):
            wanted.append(link.raw_href)  # kept as written
            continue
        try:
            wanted.append(urljoin(base, link.raw_href))
        except ValueError:  # a broken IPv6 host: kept as written, matched by nothing
            wanted.append(link.raw_href)
    assert [link.href for link in links] == wanted


def test_a_target_urljoin_cannot_parse_is_kept_as_written():
    page = Page('<a href="https://[::1/broken">x</a><a href="/ok">y</a>', BASES[1])
    assert [link.href for link in page.links] == [
        "https://[::1/broken",
        "https://www.mairie-exemple.fr/ok",
    ]


def test_a_base_urljoin_cannot_parse_is_ignored():
    page = Page('<base href="http://[::1/x"><a href="page.html">x</a>', BASES[1])
    assert page.base_url == BASES[1]
    assert page.problems == ["balise <base> ignorée : Invalid IPv6 URL"]
    assert page.links[0].href == "https://www.mairie-exemple.fr/demarches/page.html"


def test_a_label_is_the_text_the_images_alt_aria_label_and_title():
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
    assert [link.text for link in page.links] == [link_label(link.element) for link in page.links]
