"""What ``checks.page.Page`` reads of markup made to trip a reader: the visible text (a
line break at block boundaries, invisible content gone), the links with their targets and
labels, the base and the scripts."""

from __future__ import annotations

import pytest

from checks.page import Page, text_content, text_longer_than

URL = "https://www.mairie-exemple.fr/a/b"

#: markup, its visible text, its links as (target, label).
CASES = {
    "nested blocks and inline": (
        "<div>a<p>b<span>c</span>d</p>e<br>f</div><p>g</p>",
        "a\nbcd\ne\nf\ng",
        [],
    ),
    "invisible everywhere": (
        "<p>avant<script>var x = '<p>';</script>après</p><noscript><a href='/n'>N</a></noscript>"
        "<template><p>modèle</p></template><style>p{}</style><a href='/v'>vu<script>1</script></a>",
        "avantaprès\nvu",
        [("https://www.mairie-exemple.fr/v", "vu")],
    ),
    "invisible inside a link, with tails": (
        "<a href='/a'>un<noscript><img alt='caché'></noscript> deux<!-- c -->trois"
        "<img alt='image'><span title='t'>x</span></a>",
        "un deuxtrois\nx",
        [("https://www.mairie-exemple.fr/a", "un deuxtroisx image")],
    ),
    "comments and processing instructions": (
        "<!-- a --><p>x<!-- b -->y</p><?php echo 1 ?>z",
        "xy\nz",
        [],
    ),
    "nested links, image map": (
        "<a href='/a'>A<a href='/b'>B</a>C</a><map><area href='/m' alt='zone' title='t' "
        "aria-label='l'><area alt='sans lien'></map><a href='' title='vide'>x</a><a href>nu</a>",
        "ABCxnu",
        [
            ("https://www.mairie-exemple.fr/a", "A"),
            ("https://www.mairie-exemple.fr/b", "B"),
            ("https://www.mairie-exemple.fr/m", "zone l t"),
            (URL, "x vide"),
            (URL, "nu"),
        ],
    ),
    "entities and special spaces": (
        "<p>Tél.&nbsp;: 01&#160;23&#8239;45 67 89 &amp; co &lt;tag&gt;</p>"
        "<a href='/x?a=1&amp;b=2' aria-label='Aller &agrave; la page'>&rarr;</a>",
        "Tél. : 01 23 45 67 89 & co <tag>\n→",
        [("https://www.mairie-exemple.fr/x?a=1&b=2", "→ Aller à la page")],
    ),
    "tables and forms": (
        "<table><tr><td>a</td><td>b</td></tr></table><form><label>Nom<input></label>"
        "<select><option>1</option><option>2</option></select><textarea>t</textarea></form>",
        "a\nb\nNom\n1\n2\nt",
        [],
    ),
    "unicode": (
        "<h1>Médiateur — ﬁn…</h1><p>ｆｕｌｌ　ｗｉｄｔｈ ½</p><a href='/é'>Accès é</a>",
        "Médiateur — fin...\nfull width 1\u20442\nAccès é",
        [("https://www.mairie-exemple.fr/é", "Accès é")],
    ),
    "indentation and blank lines": (
        "<div>\n   <p>\n  un  \n</p>\n\n\n  <p>deux</p>\n</div>",
        "un\ndeux",
        [],
    ),
    "empty": ("", "", []),
    "text only": ("juste du texte", "juste du texte", []),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_visible_text_and_links(name):
    markup, text, links = CASES[name]
    page = Page(markup, URL)
    assert page.text == text
    assert [(link.href, link.text) for link in page.links] == links


def test_base_and_scripts():
    page = Page(
        "<head><base href='/sous/'><script src='/a.js' defer></script>"
        "<script>inline()</script></head><body><a href='page.html'>p</a>"
        "<base href='/ignoree/'></body>",
        URL,
    )
    assert page.base_url == "https://www.mairie-exemple.fr/sous/"
    assert page.script_srcs == [
        ("https://www.mairie-exemple.fr/a.js", {"src": "/a.js", "defer": "defer"})
    ]
    assert page.links[0].href == "https://www.mairie-exemple.fr/sous/page.html"
    assert page.text == "p"


def test_a_match_gives_the_element_that_shows_it():
    page = Page(
        "<div><p>Standard <b>01 23 45 67 89</b></p><p>Fax</p>01 99 99 99 99<span>x</span></div>",
        URL,
    )
    xpaths = {
        word: page.xpath_of(page.element_at(page.text.index(word)))
        for word in ("Standard", "01 23", "Fax", "01 99")
    }
    assert xpaths == {
        "Standard": "/html/body/div/p[1]",
        "01 23": "/html/body/div/p[1]/b",
        "Fax": "/html/body/div/p[2]",
        "01 99": "/html/body/div",  # a tail: the text after </p> is the <div>'s
    }


@pytest.mark.parametrize("name", sorted(CASES))
def test_text_longer_than_agrees_with_the_length_of_the_text_content(name):
    """``text_longer_than`` stops reading early; its answer is the full text's, element by
    element, comments, scripts and tails included."""
    page = Page(f"<html><body>{CASES[name][0]}</body></html>", URL)
    for element in page.root.iter():
        if not isinstance(element.tag, str):
            continue
        length = len(text_content(element))
        for limit in {0, length - 1, length, length + 1} - {-1}:
            assert text_longer_than(element, limit) is (length > limit), (element.tag, limit)
