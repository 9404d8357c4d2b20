"""A synthetic administration web for benchmarks and scale tests: N sites × M pages.

    .venv/bin/python -m crawler.demo.synthetic --sites 20 --pages 30 --seeds /tmp/seeds.csv

Each site listens on its own port (for Vigie, a site on an IP literal is host + port).
Pages are generated deterministically: a mairie-like layout with header and footer links,
French body text, contacts on some pages, ~10 KiB each, and links to other pages of the
site, so that a crawler discovers all of them within depth 3. One asyncio loop serves
every port with keep-alive. ``--cache-pages N`` keeps the last N pages generated in memory
(an LRU): a benchmark that crawls the same web again and again (``bench/crawl_throughput.py``)
gives the cores to the crawlers, not to generating the same pages again (0, the default:
a national web of 200,000 pages is generated as it is asked for, in bounded memory).

Like a real server (Apache closes an idle keep-alive connection after 5 s, nginx after 75 s),
it closes a connection left idle for ``idle_timeout`` seconds. Without that, a crawl of
10,000 sites leaves one idle connection per site open on both sides (Twisted's pool keeps
them for 4 minutes) and the server, which already holds one listening socket per site, runs
out of file descriptors.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import functools
import random
import signal
import sys
from pathlib import Path

TYPES = ("mairie", "prefecture", "caf", "hopital", "universite", "ministere")
PARAGRAPH = (
    "La commune met à votre disposition un ensemble de services pour faciliter vos démarches "
    "administratives : état civil, urbanisme, élections, inscriptions scolaires et "
    "périscolaires. Les agents de l'accueil vous orientent et vous accompagnent, sur place "
    "ou à distance, dans le respect des engagements Services Publics +. "
)
NAV = (
    ("Accueil", "/"),
    ("Démarches", "/p/1"),
    ("Actualités", "/p/2"),
    ("Nous contacter", "/p/3"),
    ("Horaires", "/p/4"),
    ("FAQ", "/p/5"),
)


def page_html(site: int, page: int, pages: int) -> bytes:
    rnd = random.Random(site * 100_003 + page)
    links = "".join(
        f'<li><a href="/p/{rnd.randrange(pages)}">Article {rnd.randrange(1000)}</a></li>'
        for _ in range(10)
    )
    links += "".join(
        f'<li><a href="/p/{(page * 3 + k) % pages}">Suite {k}</a></li>' for k in range(1, 4)
    )
    nav = "".join(f'<li><a href="{href}">{label}</a></li>' for label, href in NAV)
    contact = ""
    if page in (0, 3, 4):
        contact = (
            f"<p>Standard : 02 38 {site % 90 + 10:02d} {page + 10:02d} 00</p>"
            "<p>Ouvert du lundi au vendredi de 8h30 à 12h et de 13h30 à 17h</p>"
            "<p>1 place de la Mairie<br>45000 Exemple-sur-Loire</p>"
            f'<p><a href="mailto:contact@site{site}.example.fr">Nous écrire</a></p>'
        )
    body = "".join(f"<p>{PARAGRAPH * rnd.randint(2, 4)}</p>" for _ in range(8))
    html = f"""<!doctype html><html lang="fr"><head><meta charset="utf-8">
<title>Page {page} — Site {site}</title></head><body>
<header><nav><ul>{nav}</ul></nav></header>
<main><h1>Page {page}</h1>{contact}{body}<ul>{links}</ul></main>
<footer><ul><li><a href="/p/6">Accessibilité : partiellement conforme</a></li>
<li><a href="/p/7">Mentions légales</a></li>
<li><a href="https://www.service-public.fr/">Service-Public.fr</a></li></ul></footer>
</body></html>"""
    return html.encode("utf-8")


class SynthWeb:
    """Serve ``sites`` × ``pages`` generated pages, one port per site."""

    def __init__(
        self,
        sites: int,
        pages: int,
        host: str = "127.0.0.1",
        cache_pages: int = 0,
        idle_timeout: float = 15.0,
    ) -> None:
        self.host = host
        self.idle_timeout = idle_timeout
        self.n_sites = sites
        self.n_pages = pages
        self.ports: list[int] = []
        self._servers: list[asyncio.base_events.Server] = []
        self._html = (
            functools.lru_cache(maxsize=cache_pages)(page_html) if cache_pages else page_html
        )

    def page(self, site: int, path: str) -> bytes | None:
        if path == "/":
            return self._html(site, 0, self.n_pages)
        if path.startswith("/p/"):
            try:
                n = int(path[3:])
            except ValueError:
                return None
            if 0 <= n < self.n_pages:
                return self._html(site, n, self.n_pages)
        return None

    async def _handle(
        self, site: int, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        try:
            while True:
                async with asyncio.timeout(self.idle_timeout):  # no task per request
                    head = await reader.readuntil(b"\r\n\r\n")
                path = head.split(b" ", 2)[1].decode("latin-1").split("?", 1)[0]
                body = self.page(site, path) if path != "/robots.txt" else b"User-agent: *\n"
                status = b"200 OK" if body is not None else b"404 Not Found"
                body = body if body is not None else b"introuvable"
                ctype = (
                    b"text/plain"
                    if path == "/robots.txt" or status != b"200 OK"
                    else b"text/html; charset=utf-8"
                )
                writer.write(
                    b"HTTP/1.1 "
                    + status
                    + b"\r\nContent-Type: "
                    + ctype
                    + b"\r\nContent-Length: "
                    + str(len(body)).encode()
                    + b"\r\nConnection: keep-alive\r\n\r\n"
                    + body
                )
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError, asyncio.LimitOverrunError):
            pass  # the client closed the connection: normal end of a keep-alive session
        except TimeoutError:
            pass  # idle for idle_timeout: closed as a real server does
        finally:
            writer.close()

    async def start(self) -> None:
        for site in range(self.n_sites):
            server = await asyncio.start_server(
                lambda r, w, s=site: self._handle(s, r, w), self.host, 0, backlog=256
            )
            self._servers.append(server)
            self.ports.append(server.sockets[0].getsockname()[1])

    def write_seeds(self, path: Path) -> Path:
        with open(path, "w", newline="", encoding="utf-8") as fh:
            out = csv.writer(fh)
            out.writerow(["id", "name", "url", "type"])
            for i, port in enumerate(self.ports):
                out.writerow(
                    [
                        f"site{i:04d}",
                        f"Site de synthèse {i}",
                        f"http://{self.host}:{port}/",
                        TYPES[i % len(TYPES)],
                    ]
                )
        return path


async def _serve(args: argparse.Namespace) -> None:
    web = SynthWeb(
        args.sites, args.pages, cache_pages=args.cache_pages, idle_timeout=args.idle_timeout
    )
    await web.start()
    web.write_seeds(Path(args.seeds))
    print(f"ready {args.sites} sites × {args.pages} pages, seeds in {args.seeds}", flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description="Serve a synthetic administration web.")
    parser.add_argument("--sites", type=int, default=20)
    parser.add_argument("--pages", type=int, default=30)
    parser.add_argument("--seeds", required=True, help="where to write the seed CSV")
    parser.add_argument(
        "--cache-pages",
        type=int,
        default=0,
        help="pages kept in memory once generated (0: generated at each request)",
    )
    parser.add_argument(
        "--idle-timeout",
        type=float,
        default=15.0,
        help="close a keep-alive connection idle for this many seconds (default 15)",
    )
    args = parser.parse_args()
    try:
        asyncio.run(_serve(args))
    except KeyboardInterrupt:
        sys.exit(0)


if __name__ == "__main__":
    main()
