"""The synthetic administration web of the benchmarks, served by its own process.

``crawler/demo/synthetic.py`` serves any number of generated sites, one port each, from
one asyncio process; the benchmarks start it with :func:`synthetic_web` and crawl it.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


@contextmanager
def synthetic_web(sites: int, pages: int, seeds: Path, cache_pages: int = 0) -> Iterator[Path]:
    """Serve ``sites`` sites of ``pages`` pages; their seed list is written to ``seeds``.

    ``cache_pages``: pages the server keeps once generated (``--cache-pages``)."""
    command = [sys.executable, "-m", "crawler.demo.synthetic", "--sites", str(sites)]
    command += ["--pages", str(pages), "--seeds", str(seeds)]
    command += ["--cache-pages", str(cache_pages)]
    server = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        assert server.stdout is not None
        line = server.stdout.readline()
        if not line.startswith("ready"):
            raise RuntimeError(f"le web synthétique n'a pas démarré : {line!r}")
        yield seeds
    finally:
        server.terminate()
        server.wait(timeout=30)
