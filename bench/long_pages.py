"""How the analysis of a page grows with the page: every check on long generated pages,
against a bare lxml parse of the same pages, same run.

    .venv/bin/python bench/long_pages.py [--sizes 250 1000 4000] [--rounds 3]

Real pages are mostly short, but some are not: a town hall's directory of 3,000 phone
numbers, a sitemap page of 5,000 links, a long legal text. Code that is linear in the page
keeps the same ratio to the parse whatever the size; code that rescans the page for each
match grows with it (``Page.element_at`` did: 52.6 s for ``vigie inspect`` of a page of
3,000 phone numbers, 0.8 s once fixed; the mediator check read the whole ``<body>``'s
text for each mention). For each shape and size the page is generated, the
bare parse and ``Page`` + every check are timed alternately, and the medians' ratio is
printed; the last column is that ratio at the largest size divided by the ratio at the
smallest: about 1 for linear code.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

from lxml import html as lxml_html

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from checks import run_checks  # noqa: E402
from checks.page import Page  # noqa: E402

#: One repeated block of each shape, numbered ``i``: what long public pages repeat.
SHAPES: dict[str, Callable[[int], str]] = {
    "phone numbers": lambda i: (
        # no number in the label: from 1,000 on, "Accueil 1234 : Tél." would add a
        # four-digit short-number candidate, another shape
        f"<p>Accueil : Tél. 01 23 45 {i % 100:02d} {i // 100 % 100:02d}</p>"
    ),
    "links": lambda i: (
        f"<li><a href='/demarche/{i}'>Démarche {i} : contact et accessibilité</a></li>"
    ),
    "e-mails and addresses": lambda i: (
        f"<p>Service {i} : service{i}@ville.fr, {i % 90 + 1} rue de la Paix 750{i % 20 + 1:02d} "
        "Paris, ouvert du lundi au vendredi de 9 h à 12 h</p>"
    ),
    "plain text": lambda i: (
        f"<p>Article {i}. Le service public est ouvert à tous ; le médiateur, la foire aux "
        "questions et l'aide en ligne répondent aux usagers.</p>"
    ),
    # Each mention of a mediator looks at its block's parent (here <body>) for a contact.
    "mediator mentions": lambda i: (
        "<p>Le médiateur et le conciliateur vous aident : contact, accessibilité, aide.</p>"
    ),
    "table rows": lambda i: (
        f"<tr><td>Bureau {i}</td><td>Lundi 9 h - 12 h</td><td>0{i % 9 + 1} 23 45 67 89</td></tr>"
    ),
}


def document(shape: str, size: int) -> str:
    blocks = "".join(SHAPES[shape](i) for i in range(size))
    if shape == "table rows":
        blocks = f"<table>{blocks}</table>"
    return f"<html lang='fr'><head><title>Annuaire</title></head><body>{blocks}</body></html>"


def ratio(text: str, rounds: int) -> tuple[float, float]:
    """Median seconds of Page + every check, and its ratio to the bare parse."""
    run_checks(Page(text, "https://bench.invalid/"))  # warm-up: imports, compiled patterns
    parse, checks = [], []
    for _ in range(rounds):
        t0 = time.perf_counter()
        lxml_html.document_fromstring(text)
        t1 = time.perf_counter()
        run_checks(Page(text, "https://bench.invalid/"))
        t2 = time.perf_counter()
        parse.append(t1 - t0)
        checks.append(t2 - t1)
    full = statistics.median(checks)
    return full, full / statistics.median(parse)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[250, 1000, 4000])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--shapes", nargs="+", choices=sorted(SHAPES), default=list(SHAPES))
    args = parser.parse_args()
    sizes = sorted(args.sizes)
    head = "".join(f"{f'{n} blocks':>22s}" for n in sizes)
    print(f"{'shape':24s}{head}   growth of the ratio")
    for shape in args.shapes:
        ratios, cells = [], []
        for size in sizes:
            seconds, times_parse = ratio(document(shape, size), args.rounds)
            ratios.append(times_parse)
            cells.append(f"{seconds:8.3f} s ×{times_parse:7.1f}")
        growth = ratios[-1] / ratios[0]
        print(f"{shape:24s}" + "".join(f"{c:>22s}" for c in cells) + f"   ×{growth:.2f}")


if __name__ == "__main__":
    main()
