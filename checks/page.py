"""One parsed page, shared by every check.

The page is parsed once with lxml (much faster than BeautifulSoup's html.parser), then:

* schema.org structured data (JSON-LD, microdata, RDFa) is extracted with ``extruct`` *only
  when the page carries its markers*, because extruct's RDFa path is slow and most pages
  have none;
* the sources of ``<script src>`` are kept (the JDMA widget and chat widgets are scripts);
* invisible content is removed (``<script>``, ``<style>``, ``<template>``, ``<noscript>``,
  comments): a person does not see it, so it never counts (CHECKS.md);
* the visible text is built once, with line breaks at block boundaries, and a map from text
  offsets back to elements so that a match in the text can give an XPath as evidence.
"""

from __future__ import annotations

import bisect
import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import Any, TypeVar
from urllib.parse import urljoin, urlsplit

from lxml import etree, html

from checks.result import Evidence, clip
from checks.text import fold, normalize, squash

T = TypeVar("T")

INVISIBLE_TAGS = ("script", "style", "template", "noscript")

# Elements after which a reader sees a line break: text on both sides must not glue.
BLOCK_TAGS = frozenset(
    """address article aside blockquote body br dd details dialog div dl dt fieldset
    figcaption figure footer form h1 h2 h3 h4 h5 h6 header hr html li main nav ol
    option p pre section summary table tbody td tfoot th thead title tr ul button
    label select textarea caption legend iframe img""".split()
)

VOID_TAGS = frozenset(("br", "hr", "img", "input", "wbr", "area"))
#: Text nodes in document order: plain strings (fast) to build the text, "smart" strings
#: (which know their element) only when evidence needs an XPath.
_TEXT_NODES = etree.XPath("//text()", smart_strings=False)
_TEXT_NODES_SMART = etree.XPath("//text()")
_LINKS = etree.XPath("//a[@href] | //area[@href]")
_STRING = etree.XPath("string()")
_ALTS = etree.XPath(".//img/@alt")
_NON_HTTP = re.compile(r"(?i)(?:mailto|tel|javascript|data|callto|sms):")
_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>", re.I)
#: RDFa using schema.org: a ``vocab`` naming it, or ``schema:`` CURIEs in typeof/property.
_SCHEMA_RDFA = etree.XPath(
    "boolean(//*[contains(@vocab, 'schema.org') or starts-with(@typeof, 'schema:')"
    " or starts-with(@property, 'schema:')])"
)
#: Any structured-data marker at all: most pages have none, and then extruct never runs.
_STRUCTURED_MARKERS = etree.XPath(
    "boolean(//script[@type='application/ld+json'] | //*[@itemscope] | //*[@vocab]"
    " | //*[@typeof] | //*[@property])"
)


@dataclass(frozen=True)
class Link:
    """An ``<a href>`` (or ``<area href>``) with its absolute target and visible label."""

    href: str  # absolute URL (or the raw ``mailto:``/``tel:``/``javascript:`` target)
    raw_href: str
    text: str  # squashed visible text + img alt + aria-label + title
    element: Any  # lxml element

    @cached_property
    def folded(self) -> str:  # type: ignore[misc]
        return fold(self.text)


class Page:
    """A parsed HTML page: tree, visible text, links, script sources, structured data."""

    def __init__(self, text: str, url: str) -> None:
        self.url = url
        self.root = _parse(text)
        self.tree = self.root.getroottree()
        self.base_url = self._base_url()
        self.script_srcs: list[tuple[str, dict[str, str]]] = [
            (urljoin(self.base_url, s.get("src", "").strip()), dict(s.attrib))
            for s in self.root.iter("script")
            if s.get("src")
        ]
        # Problems met while reading the page (broken JSON-LD…), reported, never hidden.
        self.problems: list[str] = []
        self.structured: list[dict[str, Any]] = []
        if _STRUCTURED_MARKERS(self.root):
            self.structured = _structured_items(self.root, self.base_url, self.problems)
        etree.strip_elements(self.root, *INVISIBLE_TAGS, etree.Comment, with_tail=False)
        self._offsets: list[int] = []
        self._smart_nodes: list[Any] | None = None
        self._memo: dict[str, Any] = {}
        self.text = self._visible_text()

    # -- construction -------------------------------------------------------------------

    @classmethod
    def from_bytes(cls, body: bytes, url: str, content_type: str | None = None) -> Page:
        """Decode ``body`` the way browsers do (HTTP header, BOM, ``<meta charset>``)."""
        from w3lib.encoding import html_to_unicode

        _, text = html_to_unicode(content_type, body)
        return cls(text, url)

    def _base_url(self) -> str:
        base = self.root.find(".//base[@href]")
        if base is not None:
            return urljoin(self.url, base.get("href", "").strip())
        return self.url

    def _visible_text(self) -> str:
        """Concatenate visible text, with a line break around every block element.

        The separators are put in the tree itself, then lxml hands back every text node
        in document order (``//text()``, in C): much faster than walking the tree in
        Python. Offsets are kept per node, so that :meth:`element_at` can map a match
        back to its element (and an XPath) when evidence is asked for.
        """
        for el in self.root.iter(*BLOCK_TAGS):
            if el.tag not in VOID_TAGS:
                el.text = "\n" + el.text if el.text else "\n"
            el.tail = "\n" + el.tail if el.tail else "\n"
        nodes = _TEXT_NODES(self.root)
        raw = "".join(nodes)
        text = normalize(raw)
        if len(text) == len(raw):
            chunks: list[str] = nodes  # normalisation kept every offset
        else:  # an ellipsis, a ligature…: normalise node by node to keep offsets
            chunks = [n if n.isascii() else normalize(n) for n in nodes]
            text = "".join(chunks)
        self._offsets = list(itertools.accumulate(map(len, chunks), initial=0))[:-1]
        return text

    # -- shared derived views -----------------------------------------------------------

    @cached_property
    def folded(self) -> str:
        """Case-folded, accent-stripped visible text (same offsets as ``text`` for French)."""
        return fold(self.text)

    @cached_property
    def lines(self) -> list[str]:
        """Non-empty visible lines, whitespace squashed."""
        return [line for line in (" ".join(x.split()) for x in self.text.split("\n")) if line]

    @cached_property
    def links(self) -> list[Link]:
        links = []
        base = self.base_url
        for a in _LINKS(self.root):
            raw = a.get("href").strip()
            if raw.startswith(("http://", "https://")):
                href = raw  # already absolute: most links, and urljoin is costly
            elif _NON_HTTP.match(raw):
                href = raw
            else:
                try:
                    href = urljoin(base, raw)
                except ValueError:
                    href = raw
            links.append(Link(href=href, raw_href=raw, text=link_label(a), element=a))
        return links

    @cached_property
    def title(self) -> str:
        t = self.root.find(".//title")
        return squash(t.text_content()) if t is not None else ""

    @cached_property
    def host(self) -> str:
        return (urlsplit(self.url).hostname or "").lower()

    def memo(self, key: str, build: Callable[[Page], T]) -> T:
        """A derived view of this page, computed once and shared by the checks.

        Checks that share an extraction (``phone`` and ``premium_phone``, the link
        checks' link descriptions) keep it here rather than in a global cache: it lives
        and dies with the page.
        """
        try:
            return self._memo[key]
        except KeyError:
            value = self._memo[key] = build(self)
            return value

    # -- evidence -----------------------------------------------------------------------

    def element_at(self, offset: int) -> Any:
        """The element whose text contains ``offset`` of ``self.text``."""
        if not self._offsets:
            return self.root
        i = max(bisect.bisect_right(self._offsets, offset) - 1, 0)
        # Skip the separators we added: the text of interest is the next real node.
        if self._smart_nodes is None:  # same tree, same order as when the text was built
            self._smart_nodes = _TEXT_NODES_SMART(self.root)
        nodes = self._smart_nodes
        while i + 1 < len(nodes) and not nodes[i].strip():
            i += 1
        node = nodes[i]
        element = node.getparent()
        if node.is_tail and element.getparent() is not None:
            element = element.getparent()
        return element

    def xpath_of(self, element: Any) -> str:
        return self.tree.getpath(element)

    def text_evidence(self, start: int, end: int, context: int = 60) -> Evidence:
        """Evidence for ``self.text[start:end]``: XPath of its element, text around it."""
        snippet = self.text[max(0, start - context) : end + context]
        return Evidence(self.url, self.xpath_of(self.element_at(start)), clip(snippet))

    def element_evidence(self, element: Any, snippet: str | None = None) -> Evidence:
        """Evidence for an element: its XPath and its markup (or ``snippet``)."""
        if snippet is None:
            snippet = element_snippet(element)
        return Evidence(self.url, self.xpath_of(element), clip(snippet))

    def structured_evidence(self, snippet: str) -> Evidence:
        return Evidence(self.url, None, clip(snippet), source="structured_data")


def link_label(a: Any) -> str:
    """What a person (or a screen reader) perceives as the link's label."""
    bits = [_STRING(a)]
    bits.extend(_ALTS(a))
    for attr in ("aria-label", "title"):
        value = a.get(attr)
        if value:
            bits.append(value)
    return squash(" ".join(bits))


def element_snippet(element: Any) -> str:
    """Opening tag and text of ``element``, at most ~200 characters."""
    attrs = " ".join(f'{k}="{v}"' for k, v in element.attrib.items() if isinstance(k, str))
    tag = element.tag if isinstance(element.tag, str) else "node"
    text = squash(element.text_content()) if hasattr(element, "text_content") else ""
    return clip(f"<{tag}{' ' + attrs if attrs else ''}>{text}")


def _parse(text: str) -> Any:
    """Parse a whole document; an empty or unparsable body gives an empty ``<html>``."""
    text = _XML_DECL.sub("", text, count=1)
    if not text.strip():
        return html.document_fromstring("<html><body></body></html>")
    try:
        return html.document_fromstring(text)
    except etree.ParserError:
        return html.document_fromstring("<html><body></body></html>")


def _structured_items(root: Any, base_url: str, problems: list[str]) -> list[dict[str, Any]]:
    """schema.org items from JSON-LD, microdata and RDFa, flattened (``@graph`` unrolled).

    Each item gets ``_syntax`` ("json-ld", "microdata", "rdfa"). extruct's extractors take
    the tree we already parsed, so the page is not parsed twice.
    """
    from extruct.jsonld import JsonLdExtractor
    from extruct.w3cmicrodata import MicrodataExtractor

    items: list[dict[str, Any]] = []
    for script in root.iterfind(".//script[@type]"):
        if script.get("type", "").strip().lower() != "application/ld+json":
            continue
        try:
            # One block at a time (the XPath is descendant-or-self): a broken block must
            # not hide the others.
            found = JsonLdExtractor().extract_items(script, base_url)
        except ValueError as exc:
            problems.append(f"JSON-LD illisible : {exc}")
            continue
        for item in found:
            items.extend({**node, "_syntax": "json-ld"} for node in _unroll(item))
    if root.find(".//*[@itemscope]") is not None:
        for item in MicrodataExtractor().extract_items(root, base_url):
            items.append({**item, "_syntax": "microdata"})
    # RDFa only with the schema.org vocabulary: Drupal, common on administration sites,
    # marks every page up with foaf/sioc RDFa that says nothing we look for, and the RDFa
    # parser is by far the slowest extractor.
    if _SCHEMA_RDFA(root):
        from extruct.rdfa import RDFaExtractor
        from extruct.utils import parse_xmldom_html

        # pyRdfa walks an xml.dom-like tree (``documentElement``…), which only extruct's
        # XmlDomHTMLParser builds: re-parse the markup with it, on these rare pages only.
        dom = parse_xmldom_html(html.tostring(root, encoding="unicode"), encoding="UTF-8")
        for item in RDFaExtractor().extract_items(dom, base_url):
            items.append({**item, "_syntax": "rdfa"})
    return items


def _unroll(item: Any) -> list[dict[str, Any]]:
    if isinstance(item, list):
        return [n for sub in item for n in _unroll(sub)]
    if not isinstance(item, dict):
        return []
    if "@graph" in item:
        return _unroll(item["@graph"])
    return [item]
