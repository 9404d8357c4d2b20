"""Tab crashes under Local Network Access, and what the Auditor's retry leaves of them.

    .venv/bin/python bench/crash_retries.py [--pages 300] [--rounds 1]

A page served from an address declared public (Chromium's ``--ip-address-space-overrides``
testing switch) references an image, a script and a style sheet on a loopback server next
to it: Local Network Access blocks the three. Debian's headless shell 156 then sometimes
kills the renderer ("Terminating renderer for bad IPC message, reason 262"); the full
browser, given the same pages, has not. Each browser audits ``--pages`` such pages, first
with no retry (``crash_retries=0``: the raw crash rate), then with Vigie's default of one.
Printed per row: pages, audit errors by reason, tabs tried again, requests that reached
the loopback server (must be 0: that is the guard).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import threading
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from crawler import audit  # noqa: E402

BROWSERS = {"headless shell": audit.EXECUTABLES[0], "full browser": audit.EXECUTABLES[1]}


def _serve(handler: type[BaseHTTPRequestHandler]) -> ThreadingHTTPServer:
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=1)
    args = parser.parse_args()

    hits: list[str] = []

    class Local(BaseHTTPRequestHandler):
        def log_message(self, *_: object) -> None:
            pass

        def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
            hits.append(self.path)
            self.send_response(204)
            self.end_headers()

    lan = f"http://127.0.0.1:{_serve(Local).server_address[1]}"
    body = (
        '<!doctype html><html lang="fr"><head><title>Page publique</title>'
        f'<link rel="stylesheet" href="{lan}/css"></head><body><h1>Mairie</h1>'
        f'<img alt="" src="{lan}/img"><script src="{lan}/js"></script></body></html>'
    ).encode()

    class Public(BaseHTTPRequestHandler):
        def log_message(self, *_: object) -> None:
            pass

        def do_GET(self) -> None:  # noqa: N802
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    port = _serve(Public).server_address[1]
    switch = f"--ip-address-space-overrides=127.0.0.1:{port}=public"
    urls = [f"http://127.0.0.1:{port}/page-{i}" for i in range(args.pages)]

    print("| browser | retries | pages | errors by reason | tabs tried again | local hits |")
    print("|---|---|---|---|---|---|")
    for _ in range(args.rounds):
        for name, executable in BROWSERS.items():
            if not Path(executable).exists():
                print(f"| {name} | – | – | absent: {executable} | – | – |")
                continue
            for retries in (0, 1):
                hits.clear()
                counts, retried = _run(urls, executable, switch, retries)
                errors = ", ".join(f"{n} × {reason}" for reason, n in counts.items()) or "none"
                print(f"| {name} | {retries} | {len(urls)} | {errors} | {retried} | {len(hits)} |")


def _run(urls: list[str], executable: str, switch: str, retries: int) -> tuple[Counter, int]:
    async def go() -> tuple[Counter, int]:
        async with audit.Auditor(executable, extra_args=[switch], crash_retries=retries) as a:
            results = await a.audit_many(urls)
            return Counter(r.error for r in results if r.error), a.crash_retried

    return asyncio.run(go())


if __name__ == "__main__":
    main()
