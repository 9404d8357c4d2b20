"""The compiled page walk (``checks/_speedups.pyx``) must read pages as lxml alone does.

``checks.page`` reads a tree in one compiled walk when the module is built, and with lxml's
XSLT, XPath and ElementPath otherwise. Both must give the same page model to the last
character — base, scripts, structured data, visible text, text nodes, links with their
targets, labels and elements — and so the same results of every check. These tests build
every page both ways: the demo web, the real corpus, and markup made to trip a tree walk
(nesting, invisible elements inside links, comments, CDATA, entities, empty attributes).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from w3lib.encoding import html_to_unicode

import checks._links as links_module
import checks.page as page_module
from checks import run_checks
from checks.page import Page

DEMO_SITES = Path(__file__).resolve().parents[1] / "crawler" / "demo" / "sites"

# No skip when the module is missing: the install builds it, and a page model that fell
# back to lxml alone (see checks.page.PAGE_WALK) must fail here.

TRICKY = {
    "nested blocks and inline": "<div>a<p>b<span>c</span>d</p>e<br>f</div><p>g</p>",
    "invisible everywhere": (
        "<p>avant<script>var x = '<p>';</script>après</p><noscript><a href='/n'>N</a></noscript>"
        "<template><p>modèle</p></template><style>p{}</style><a href='/v'>vu<script>1</script></a>"
    ),
    "invisible inside a link, with tails": (
        "<a href='/a'>un<noscript><img alt='caché'></noscript> deux<!-- c -->trois"
        "<img alt='image'><span title='t'>x</span></a>"
    ),
    "comments and processing instructions": "<!-- a --><p>x<!-- b -->y</p><?php echo 1 ?>z",
    "nested links": "<a href='/a'>A<a href='/b'>B</a>C</a><area href='/m' alt='carte'>",
    "area with alt, title, aria-label": (
        "<map><area href='/m' alt='zone' title='t' aria-label='l'>"
        "<area alt='sans lien'></map><a href='' title='vide'>x</a><a href>nu</a>"
    ),
    "entities and no-break spaces": (
        "<p>Tél.&nbsp;: 01&#160;23&nbsp;45 67 89 &amp; co &lt;tag&gt;</p>"
        "<a href='/x?a=1&amp;b=2' aria-label='Aller &agrave; la page'>&rarr;</a>"
    ),
    "base and scripts": (
        "<head><base href='/sous/'><script src='/a.js' defer></script>"
        '<script type=\'application/ld+json\'>{"@type":"Organization","telephone":'
        '"01 23 45 67 89"}</script><script>inline()</script></head>'
        "<body><a href='page.html'>p</a><base href='/ignoree/'></body>"
    ),
    "microdata": (
        "<div itemscope itemtype='https://schema.org/GovernmentOffice'>"
        "<span itemprop='telephone'>01 23 45 67 89</span><div itemprop='address' itemscope "
        "itemtype='https://schema.org/PostalAddress'><span itemprop='streetAddress'>1 rue A"
        "</span></div></div><p ITEMPROP='email'>x@y.fr</p>"
    ),
    "microdata and RDFa elsewhere": (
        "<template><p itemprop='email'>x@y.fr</p></template><div property='schema:name' "
        "typeof='schema:PostalAddress'>a</div><p itemtype='Thing' itemprop='name'>n</p>"
        "<p vocab='http://schema.org/'>v</p><p property='dc:title telephone'>t</p>"
        "<p itemprop='&#116;elephone'>01 23 45 67 89</p>"
    ),
    "RDFa": (
        "<div vocab='https://schema.org/' typeof='GovernmentOffice'><span property='telephone'>"
        "01 23 45 67 89</span></div><p typeof='foaf:Document' property='dc:title'>t</p>"
    ),
    "empty": "",
    "text only": "juste du texte",
    "label separator in the text": "<a href='/a'>x\ufdd0y</a><a href='/b'>z</a>",
    "deep nesting": "<div>" * 300 + "fond" + "</div>" * 300 + "<p>après</p>",
    "tables and forms": (
        "<table><tr><td>a</td><td>b</td></tr></table><form><label>Nom<input></label>"
        "<select><option>1</option><option>2</option></select><textarea>t</textarea></form>"
    ),
    # Lines are stripped the way ``str.strip`` does, on the compiled side in UTF-8: every
    # character ``str.isspace`` knows, and look-alikes it does not (zero-width, BOM…).
    "every Unicode space": "".join(
        f"<p>&#{code};x&#{code};</p><p>&#{code};</p>"
        for code in [c for c in range(0x3001) if chr(c).isspace()] + [0x200B, 0xFEFF, 0x2060]
    ),
    "unicode": "<h1>Médiateur — ﬁn…</h1><p>ｆｕｌｌ　ｗｉｄｔｈ ½</p><a href='/é'>Accès é</a>",
}


def _model(page: Page) -> dict[str, Any]:
    """Everything the checks read off a page, elements as their XPath."""
    described = links_module._describe_links(page)
    return {
        "base_url": page.base_url,
        "script_srcs": page.script_srcs,
        # RDFa blank nodes get a random name at each extraction, which orders its items.
        "structured": sorted(re.sub(r"_:N[0-9a-f]{32}", "_:N", repr(i)) for i in page.structured),
        "problems": page.problems,
        "text": page.text,
        "text_nodes": page._text_nodes,
        "links": [
            (link.href, link.raw_href, link.text, page.xpath_of(link.element))
            for link in page.links
        ],
        "markup": page_module.etree.tostring(page.root, encoding="unicode"),
        # Evidence: the element at some forty places of the text.
        "elements": [
            page.xpath_of(page.element_at(start))
            for start in range(0, len(page.text), max(1, len(page.text) // 40))
        ],
        # The links as the link checks compare them (elements as their XPath).
        "described": [
            (getattr(described, field), field)
            for field in ("labels", "targets", "hosts", "label_starts", "target_starts")
        ]
        + [
            (host, domains, indices)
            for host, (domains, indices) in described.by_host.items()  # in insertion order
        ]
        + [(*info[1:], info.link.href) for info in described.infos],
    }


def _reference_only(patch: pytest.MonkeyPatch) -> None:
    """Switch every compiled part of the page model off: the lxml and Python reference."""
    patch.setattr(page_module, "_compiled", None)


def _differences(monkeypatch, name: str, body: bytes, url: str) -> list[str]:
    compiled = Page.from_bytes(body, url)
    with monkeypatch.context() as patch:
        _reference_only(patch)
        reference = Page.from_bytes(body, url)
        reference_model = _model(reference)
    assert compiled._walked_links is not None and reference._walked_links is None
    compiled_model = _model(compiled)
    wrong = [
        f"{name}: {key}" for key in reference_model if compiled_model[key] != reference_model[key]
    ]
    with monkeypatch.context() as patch:
        _reference_only(patch)
        reference_results = run_checks(Page.from_bytes(body, url))
    compiled_results = run_checks(compiled)
    wrong += [
        f"{name}: check {check_id}"
        for check_id in reference_results
        if compiled_results[check_id] != reference_results[check_id]
    ]
    return wrong


@pytest.mark.parametrize("name", sorted(TRICKY))
def test_compiled_walk_reads_tricky_markup_as_lxml_does(monkeypatch, name):
    body = TRICKY[name].encode()
    assert _differences(monkeypatch, name, body, "https://www.mairie-exemple.fr/a/b") == []


def test_compiled_walk_reads_the_demo_web_as_lxml_does(monkeypatch):
    paths = sorted(DEMO_SITES.rglob("*.html"))
    assert len(paths) > 50
    wrong = []
    for path in paths:
        wrong += _differences(monkeypatch, path.name, path.read_bytes(), "http://127.0.0.1:8000/")
    assert wrong == []


def test_compiled_walk_reads_the_real_corpus_as_lxml_does(monkeypatch, shared_dir):
    paths = sorted((shared_dir / "corpus/real").glob("*.html"))
    paths += sorted((shared_dir / "corpus/bad").rglob("*.html"))
    assert paths
    wrong = []
    for path in paths:
        wrong += _differences(monkeypatch, path.name, path.read_bytes(), "https://corpus.invalid/")
    assert wrong == []


def test_the_page_model_says_how_it_reads_pages():
    assert page_module.PAGE_WALK.startswith("compilé")
    from checks import _speedups

    assert (_speedups.RELEVANT_MICRODATA, _speedups.SCHEMA_RDFA, _speedups.RELEVANT_RDFA) == (
        page_module.RELEVANT_MICRODATA,
        page_module.SCHEMA_RDFA,
        page_module.RELEVANT_RDFA,
    )

    with pytest.raises(RuntimeError, match="already configured"):
        _speedups.configure(["p"], ["script"])


# -- folding and digit runs ---------------------------------------------------------------

FOLD_SAMPLES = (
    "Médiateur ÉTÉ Œuvre Ça ÎLE où «guillemets» – tiret — ’apostrophe’ … € ½ ﬁn",
    "ΟΔΟΣ ΣΟΦΟΣ σ ς",  # final sigma: its folding depends on the next character
    "e\u0301te\u0301 A\u030a",  # combining marks: folded by the reference
    "İstanbul ß ǅ ﬀ Ⅻ ℃ ｆｕｌｌ",
    "日本語 العربية ١٢٣ 𝔘𝔫𝔦𝔠𝔬𝔡𝔢",
    "",
    "plain ascii TEXT",
)


def test_compiled_fold_folds_every_character_as_the_reference():
    from checks import _speedups
    from checks.text import fold_reference

    different = [
        hex(code)
        for code in range(0x110000)
        if not 0xD800 <= code < 0xE000 and _speedups.fold(chr(code)) != fold_reference(chr(code))
    ]
    assert different == []


def test_compiled_fold_folds_texts_as_the_reference(shared_dir):
    from checks import _speedups
    from checks.text import fold_reference

    texts = list(FOLD_SAMPLES)
    for path in sorted((shared_dir / "corpus/real").glob("*.html")):
        page = Page.from_bytes(path.read_bytes(), "https://corpus.invalid/")
        texts.append(page.text)
        texts += [link.text for link in page.links]
    assert [_speedups.fold(t) for t in texts] == [fold_reference(t) for t in texts]


def test_compiled_digit_runs_are_the_regex_runs(shared_dir):
    from checks import _speedups
    from checks._contact import _digit_runs_reference

    texts = ["", "12", "a1b22c333", "tél. 01 23 45 67 89", "١٢٣ ² ³ ½ ٣4", "x" * 5 + "9"]
    for path in sorted((shared_dir / "corpus/real").glob("*.html")):
        texts.append(Page.from_bytes(path.read_bytes(), "https://corpus.invalid/").text)
    assert [_speedups.digit_runs(t) for t in texts] == [_digit_runs_reference(t) for t in texts]


def test_a_module_built_for_another_lxml_is_not_used(monkeypatch):
    """It reads lxml's own structures: under another lxml, pages are read by lxml alone."""
    monkeypatch.setattr(page_module.etree, "__version__", "0.0.1")
    compiled, status = page_module._compiled_walk()
    assert compiled is None
    assert "lxml 0.0.1 installé" in status and "--no-build-isolation" in status


def test_compiled_links_resolve_and_describe_odd_targets_as_the_reference(monkeypatch):
    from html import escape

    from test_page_links import BASES
    from test_page_links import TRICKY as TARGETS

    targets = list(TARGETS) + [
        "ſms:0612345678",  # a case-insensitive scheme match knows the long s
        "MAILTO:Contact@Mairie.fr",
        "Tel:+33123456789",
        " javascript:void(0) ",
        "#rdv",
        "/#prise-de-rendez-vous",
        "/?x=1#y",
        "https://www.mairie-exemple.fr/#contact",
        "naissance.html#haut",
        "/d%C3%A9marches/%E2%82%AC?q=%20M%C3%A9diateur",
        "https://USER:pw@WWW.Exemple.FR.:8443/Accès?Q#F",
        "https://[::1]:8443/x",
        "",
    ]
    body = "".join(f'<a href="{escape(t)}">lien {i}</a>' for i, t in enumerate(targets))
    wrong = []
    for base in BASES:
        wrong += _differences(monkeypatch, base, body.encode(), base)
    assert wrong == []


def test_stem_index_finds_each_stem_once_a_part_and_leaves_it_the_others():
    from checks._speedups import StemIndex

    index = StemIndex(["contact", "cont", "aide", "é-x", "a", "f.a.q", "œuvre"])
    assert index.size == 7 and index.others == ("é-x", "a", "œuvre")
    parts = ["nous contacter contact", "aide", "", "sans", "f.a.q et aide", "contac", "cœur aide"]
    text = "\n".join(parts)
    starts = []
    offset = 0
    for part in parts:
        starts.append(offset)
        offset += len(part) + 1
    assert index.hits(text, starts) == {
        "contact": {0},
        "cont": {0, 5},
        "aide": {1, 4, 6},
        "f.a.q": {4},
    }
    assert index.hits("", [0]) == {}


def test_a_page_parsed_from_utf8_is_the_tree_lxml_makes_of_its_text(shared_dir):
    """``checks.page._parse`` encodes the text and has libxml2 read UTF-8, whatever the
    page declares: the tree must be the one lxml builds from the ``str``."""
    from lxml import etree

    texts = list(TRICKY.values()) + [
        '<meta charset="iso-8859-1"><p>été</p>',
        '<meta http-equiv="Content-Type" content="text/html; charset=windows-1252"><p>€ é</p>',
        '<?xml version="1.0" encoding="latin-1"?><p>é</p>',
        "<p>\ud800 surrogate</p>",
    ]
    paths = sorted((shared_dir / "corpus/real").glob("*.html"))
    paths += sorted((shared_dir / "corpus/bad").rglob("*.html")) + sorted(
        DEMO_SITES.rglob("*.html")
    )
    texts += [html_to_unicode(None, path.read_bytes())[1] for path in paths]
    parser = etree.HTMLParser(collect_ids=False)
    different = []
    for text in texts:
        from_str = page_module._XML_DECL.sub("", text, count=1)
        if not from_str.strip():
            continue
        expected = etree.tostring(etree.fromstring(from_str, parser), encoding="unicode")
        if etree.tostring(page_module._parse(text), encoding="unicode") != expected:
            different.append(text[:60])
    assert different == []


def test_the_walk_answers_the_structured_data_searches_as_the_xpaths(shared_dir):
    """Its flags must be what ``_RELEVANT_MICRODATA``, ``_SCHEMA_RDFA`` and
    ``_RELEVANT_RDFA`` say (the markup gates, kept after them, would hide a wrong flag)."""
    bodies = [markup.encode() for markup in TRICKY.values()]
    paths = sorted((shared_dir / "corpus/real").glob("*.html")) + sorted(DEMO_SITES.rglob("*.html"))
    bodies += [path.read_bytes() for path in paths]
    wrong = []
    for number, body in enumerate(bodies):
        root = page_module._parse(html_to_unicode(None, body)[1])
        expected = (
            page_module.RELEVANT_MICRODATA * bool(page_module._RELEVANT_MICRODATA(root))
            | page_module.SCHEMA_RDFA * bool(page_module._SCHEMA_RDFA(root))
            | page_module.RELEVANT_RDFA * bool(page_module._RELEVANT_RDFA(root))
        )
        if page_module._compiled.walk(root)[2] != expected:
            wrong.append(number)
    assert wrong == []
    assert any(page_module._compiled.walk(page_module._parse(m))[2] for m in TRICKY.values())
