"""What several test modules need: ``vigie`` as a subprocess, and small sites on 127.0.0.1.

A crawl is a process of its own (Twisted's reactor runs once per process), so the tests
that crawl start ``python -m crawler.cli``; the sites they crawl are served here, on
loopback only, never the Internet.
"""

from __future__ import annotations

import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

#: A page: (HTTP status, Content-Type, body). ``Route`` gives the page of a path, or None.
Page = tuple[int, str, bytes]
Route = Callable[[str], Page | None]


def vigie(
    *args: str, timeout: float = 240, cwd: Path = ROOT, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run ``vigie ARGS`` to its end, output captured as text."""
    return subprocess.run(
        [sys.executable, "-m", "crawler.cli", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=cwd,
        env=env,
    )


def html_page(body: str, title: str = "Mairie") -> Page:
    """A French HTML page with ``body`` inside its ``<body>``."""
    document = f"<html lang='fr'><head><title>{title}</title></head><body>{body}</body></html>"
    return 200, "text/html; charset=utf-8", document.encode()


@contextmanager
def serving(route: Route | dict[str, Page]) -> Iterator[str]:
    """Serve ``route`` (a function of the path, or a dict of paths) on 127.0.0.1; yields the
    base URL (``http://127.0.0.1:PORT``). Unknown paths answer 404."""
    find = route.get if isinstance(route, dict) else route

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802
            page = find(self.path)
            if page is None:
                self.send_error(404)
                return
            status, kind, body = page
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()
