"""``Page.element_at`` against its definition: the XPath ``contains()`` lookup it replaces.

The fast path joins the text nodes once per page and searches them with ``str.find``; the
element it gives must be the one that XPath's ``//text()[contains(., word)]`` gives, with
the same rank rule, for every word of every demo page (and of the real corpus when
``../shared`` is present).
"""

from __future__ import annotations

import re
from pathlib import Path

from lxml import etree

from checks.page import Page

DEMO_SITES = Path(__file__).resolve().parents[1] / "crawler" / "demo" / "sites"
_CONTAINING = etree.XPath("//text()[contains(., $needle)]")


def _reference(page: Page, start: int, end: int):
    """The element the XPath definition gives for ``page.text[start:end]``."""
    words = page.text[start:end].split()
    needle = max(words, key=len)
    rank = page.text.count(needle, 0, start + page.text[start:end].find(needle))
    nodes = _CONTAINING(page.root, needle=needle)
    if not nodes:
        return page.root.find("body")
    node = nodes[min(rank, len(nodes) - 1)]
    element = node.getparent()
    if node.is_tail and element.getparent() is not None:
        element = element.getparent()
    return element


def _disagreements(paths: list[Path]) -> list[str]:
    wrong = []
    for path in paths:
        page = Page.from_bytes(path.read_bytes(), "https://evidence.invalid/")
        wrong.extend(_page_disagreements(page, path.name))
    return wrong


def _page_disagreements(page: Page, name: str, words: int = 400) -> list[str]:
    wrong = []
    for match in list(re.finditer(r"\S+", page.text))[:words]:
        got = page.element_at(match.start(), match.end())
        want = _reference(page, match.start(), match.end())
        if got is not want:
            wrong.append(f"{name}: {match.group()!r} at {match.start()}")
    return wrong


def test_element_at_agrees_with_the_xpath_lookup_on_the_demo_web():
    paths = sorted(DEMO_SITES.rglob("*.html"))
    assert paths
    assert _disagreements(paths) == []


def test_element_at_agrees_with_the_xpath_lookup_on_the_real_corpus(shared_dir):
    assert _disagreements(sorted((shared_dir / "corpus/real").glob("*.html"))) == []


def test_element_at_takes_the_occurrence_of_the_same_rank():
    page = Page(
        "<html><body><p>Contact</p><div><span>Contact</span> et <b>Contact</b></div></body></html>",
        "https://evidence.invalid/",
    )
    starts = [m.start() for m in re.finditer("Contact", page.text)]
    assert [page.element_at(s).tag for s in starts] == ["p", "span", "b"]


def test_element_at_agrees_on_a_page_that_repeats_its_words():
    """Hundreds of occurrences of one word, words overlapping themselves ("aaa" in
    "aaaa"), a word split across nodes: the lookups computed once a word (what makes a
    page of 3,000 phone numbers fast) give what the definition gives, occurrence by
    occurrence."""
    rows = "".join(
        f"<tr><td>Accueil {i}</td><td>Tél. 01 23 45 {i % 100:02d} 00</td>"
        f"<td>{'aaaa' if i % 3 else 'aaa'} <b>aa</b>a</td></tr>"
        for i in range(300)
    )
    page = Page(f"<html><body><table>{rows}</table></body></html>", "https://evidence.invalid/")
    assert _page_disagreements(page, "repeats", words=5000) == []
