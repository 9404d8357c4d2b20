"""Instructions a page for each stage of the analysis, counted by callgrind (valgrind).

    .venv/bin/python bench/checks_instructions.py [--stages bare parse page vigie]
    .venv/bin/python bench/checks_instructions.py --stages vigie --leave-out phone chat

Time on these shared two-core machines moves by ±5 % from one run to the next, more than
most single improvements of the page model; callgrind counts instructions, the same for
the same code and pages whatever else the machine does. Each stage runs in its own
process under ``valgrind --tool=callgrind`` over the real corpus (twice, after a warm-up
round that imports everything); a run that only warms up is subtracted. The figure is
not time (Python's instructions are slower than libxml2's: the ratio of instructions is
below the ratio of times), but it tells, without noise, which of two versions does less
and where. ``bench/checks_cost.py`` measures the ratio in time.

Stages, each including the ones before it: ``bare`` lxml.html's parse (the baseline of
``checks_cost.py``), ``parse`` Vigie's own, ``page`` the whole ``Page``, ``links`` its
links, ``described`` the link checks' descriptions, ``vigie`` all the checks.
``--leave-out CHECK…`` adds, for each check named, the whole analysis without it: the
difference is that check's share (``phone`` and ``premium_phone`` share one
extraction; the first check to ask for a shared view pays for it).
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
STAGES = ("bare", "parse", "page", "links", "described", "vigie")
ROUNDS = 2


def _stage(name: str, corpus: str) -> None:
    """Run one stage ``ROUNDS`` times over the corpus (inside callgrind)."""
    sys.path.insert(0, str(ROOT))
    from lxml import html
    from w3lib.encoding import html_to_unicode

    import checks.page as page_module
    from checks import run_checks
    from checks._links import link_infos

    texts = [html_to_unicode(None, f.read_bytes())[1] for f in sorted(Path(corpus).glob("*.html"))]
    url = "https://bench.invalid/"
    for text in texts:  # warm-up: imports, compiled regular expressions
        run_checks(page_module.Page(text, url))
        html.document_fromstring(text)
    if name.startswith("without:"):
        from checks import CHECK_IDS
        from checks.registry import REGISTRY

        left_out = name.removeprefix("without:").split(",")
        kept = [REGISTRY[check_id] for check_id in CHECK_IDS if check_id not in left_out]

        def without(text: str) -> None:
            page = page_module.Page(text, url)
            for check in kept:
                check(page)

        for _ in range(ROUNDS):
            for text in texts:
                without(text)
        return
    work = {
        "none": lambda text: None,
        "bare": html.document_fromstring,
        "parse": page_module._parse,
        "page": lambda text: page_module.Page(text, url),
        "links": lambda text: page_module.Page(text, url).links,
        "described": lambda text: link_infos(page_module.Page(text, url)),
        "vigie": lambda text: run_checks(page_module.Page(text, url)),
    }[name]
    for _ in range(ROUNDS):
        for text in texts:
            work(text)


def _instructions(stage: str, corpus: str) -> tuple[int, int]:
    """(instructions of the whole run, pages analysed) for one stage under callgrind."""
    run = subprocess.run(
        [
            "valgrind",
            "--tool=callgrind",
            "--callgrind-out-file=/dev/null",
            sys.executable,
            __file__,
            "--run-stage",
            stage,
            "--corpus",
            corpus,
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    match = re.search(r"Collected : (\d+)", run.stderr)
    if match is None:
        sys.exit(f"callgrind gave no count for {stage}:\n{run.stderr[-2000:]}")
    return int(match.group(1)), ROUNDS * len(list(Path(corpus).glob("*.html")))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", default=str(ROOT.parent / "shared/corpus/real"))
    parser.add_argument("--stages", nargs="+", choices=STAGES, default=list(STAGES))
    parser.add_argument(
        "--leave-out",
        nargs="+",
        default=[],
        metavar="CHECK",
        help="the analysis without each of these checks (ids joined by commas: together)",
    )
    parser.add_argument("--run-stage", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.run_stage:
        _stage(args.run_stage, args.corpus)
        return
    if not list(Path(args.corpus).glob("*.html")):
        sys.exit(f"no HTML page under {args.corpus}")
    if shutil.which("valgrind") is None:
        sys.exit("valgrind absent : apt-get install valgrind")
    empty, _ = _instructions("none", args.corpus)
    counts = {}
    for stage in ["bare", *[s for s in args.stages if s != "bare"]]:
        total, pages = _instructions(stage, args.corpus)
        counts[stage] = (total - empty) / pages
    for check_ids in args.leave_out:
        total, pages = _instructions(f"without:{check_ids}", args.corpus)
        counts[f"vigie without {check_ids}"] = (total - empty) / pages
    bare = counts["bare"]
    print(f"{'stage':32s} {'M instr/page':>12s} {'× bare parse':>13s}")
    for stage, count in counts.items():
        print(f"{stage:32s} {count / 1e6:12.2f} {count / bare:13.2f}")


if __name__ == "__main__":
    main()
