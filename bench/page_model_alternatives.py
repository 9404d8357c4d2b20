"""What a compiled HTML5 parser would save on the page model: lexbor (selectolax) vs lxml.

    .venv/bin/pip install selectolax      # not a dependency of Vigie: measured, not used
    .venv/bin/python bench/page_model_alternatives.py [--rounds 10]

The checks-cost target (≤ 3× a bare lxml parse, ``checks_cost.py``) is missed by the page
model as much as by the checks: parse, visible text and links already cost ~2.3× the parse.
This measures, on the same corpus pages and in the same run, the floor a lexbor-based page
model could reach — its parse, the invisible elements dropped, a visible text with a line
break around every block element (inserted as text nodes, then one C call), and every link
with its target and label (text, images' ``alt``, ``aria-label``, ``title``) — against
Vigie's lxml ``Page`` with its links. The lexbor floor leaves out what the lxml model also
does (normalisation, stripped lines, resolved targets, structured-data gates), so it
flatters lexbor. Figures: minimum over rounds of the mean per page, as ratios to the bare
lxml parse.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from lxml import html as lxml_html
from w3lib.encoding import html_to_unicode

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from checks.page import BLOCK_TAGS, INVISIBLE_TAGS, Page  # noqa: E402

_BLOCKS = ", ".join(sorted(BLOCK_TAGS))


def lexbor_floor(text: str) -> tuple[str, list[tuple[str, str]]]:
    """Visible text and links with lexbor: the least a lexbor page model has to do."""
    from selectolax.lexbor import LexborHTMLParser

    tree = LexborHTMLParser(text)
    tree.strip_tags(list(INVISIBLE_TAGS))
    links = []
    for a in tree.css("a[href], area[href]"):
        attrs = a.attributes
        bits = [a.text(deep=True)]
        bits += [img.attributes.get("alt") or "" for img in a.css("img[alt]")]
        bits += [attrs.get("aria-label") or "", attrs.get("title") or ""]
        links.append((attrs.get("href") or "", " ".join(" ".join(bits).split())))
    for node in tree.css(_BLOCKS):
        node.insert_before("\n")
        node.insert_after("\n")
    body = tree.body
    return (body.text(deep=True) if body is not None else ""), links


def vigie_model(text: str) -> Any:
    page = Page(text, "https://bench.invalid/")
    return page.text, page.links


def best(fn: Callable[[str], Any], texts: list[str], rounds: int) -> float:
    """Minimum over rounds of the mean seconds per page."""
    fastest = float("inf")
    for _ in range(rounds):
        start = time.perf_counter()
        for text in texts:
            fn(text)
        fastest = min(fastest, (time.perf_counter() - start) / len(texts))
    return fastest


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--corpus", default=str(ROOT.parent / "shared/corpus/real"))
    args = parser.parse_args()
    try:
        from selectolax.lexbor import LexborHTMLParser
    except ImportError:
        sys.exit("selectolax manque : .venv/bin/pip install selectolax")
    files = sorted(Path(args.corpus).glob("*.html"))
    if not files:
        sys.exit(f"aucune page HTML sous {args.corpus}")
    texts = [html_to_unicode(None, f.read_bytes())[1] for f in files]
    parts = {
        "bare lxml parse (baseline)": lxml_html.document_fromstring,
        "bare lexbor parse": LexborHTMLParser,
        "lexbor: parse, text by blocks, links": lexbor_floor,
        "Vigie Page (lxml) with its links": vigie_model,
    }
    for fn in parts.values():  # warm-up
        fn(texts[0])
    times = {name: best(fn, texts, args.rounds) for name, fn in parts.items()}
    base = times["bare lxml parse (baseline)"]
    print(f"pages: {len(texts)}, rounds: {args.rounds}")
    print(f"{'part':40s} ms/page  × lxml parse")
    for name, seconds in times.items():
        print(f"{name:40s} {seconds * 1000:7.3f}  {seconds / base:6.2f}")


if __name__ == "__main__":
    main()
