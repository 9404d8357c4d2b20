"""The demo "administration web": fixture sites served on 127.0.0.1, one port per site.

Why a real server rather than mocked responses: the crawler must meet what it meets on
the Internet — sockets that refuse, answers that never come, redirects, charsets declared
in headers, robots.txt, calendars that never end — and the demo shown to users must be a
set of sites one can open in a browser.

The sites are static files under ``sites/<site_id>/``; the server stays generic. Every
per-site behaviour (closed port, delay, HTTP 500 everywhere, redirects, Latin-1 charset,
dynamic trap pages) is declared in the one table :data:`SITES` below, not scattered in code.

Serving rules, the same for every site:

* ``/`` and ``/dir/`` serve ``index.html`` (or ``index.htm``); ``/page`` serves
  ``page.html`` when there is no file named ``page`` (clean URLs, as modern CMSs have);
* file and directory names starting with ``_`` are private (page templates);
* ``{{base_url}}`` in a served file is replaced by the site's ``http://127.0.0.1:PORT``
  (a sitemap or a ``Sitemap:`` line in robots.txt needs absolute URLs, and ports are
  ephemeral);
* a missing file is a French 404 page; a missing ``robots.txt`` is a 404 too, as on most
  real sites.

Run ``python -m crawler.demo.server`` to browse the sites by hand.
"""

from __future__ import annotations

import argparse
import calendar
import csv
import io
import mimetypes
import re
import signal
import socket
import sys
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from html import escape
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from string import Template
from types import MappingProxyType, TracebackType
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

SITES_DIR = Path(__file__).resolve().parent / "sites"
#: The Annuaire de l'administration's records of the demo sites, as its JSON export has
#: them, with ``{{url:<site id>}}`` where a record gives a demo site's address (ports are
#: ephemeral). The answer key of the cross-check is ``expected.ANNUAIRE``.
ANNUAIRE_EXPORT = Path(__file__).resolve().parent / "annuaire.json"
_SITE_URL = re.compile(r"\{\{url:([a-z0-9]+)\}\}")

#: Content types by extension; text types get ``; charset=…`` (UTF-8 unless overridden).
CONTENT_TYPES: Mapping[str, str] = MappingProxyType(
    {
        ".html": "text/html",
        ".htm": "text/html",
        ".txt": "text/plain",
        ".xml": "application/xml",
        ".js": "text/javascript",
        ".css": "text/css",
        ".json": "application/json",
        ".svg": "image/svg+xml",
        ".png": "image/png",
    }
)
_TEXT_TYPES = frozenset(
    {
        "text/html",
        "text/plain",
        "application/xml",
        "text/javascript",
        "text/css",
        "application/json",
        "image/svg+xml",
    }
)


def _empty() -> Mapping[str, Any]:
    return MappingProxyType({})


@dataclass(frozen=True)
class SiteSpec:
    """One demo site: its seed row and the behaviours the server gives it.

    ``files`` is the folder under ``sites/`` (``None``: no content at all). Behaviours:

    * ``down`` — nothing listens on the port (the server keeps it bound, not listening,
      so that no other program takes it and connections are refused);
    * ``slow`` — every answer waits ``DemoWeb.slow_delay`` seconds first;
    * ``status_all`` — every request (robots.txt included) gets this HTTP status;
    * ``redirects`` — path → (status, target path): 301/302 answers;
    * ``statuses`` — path → status for single broken pages (a 500 on one page);
    * ``charsets`` — path → charset declared in ``Content-Type`` (the file's bytes are
      served as stored, so a Latin-1 page is stored in Latin-1);
    * ``traps`` — path prefix → name of a generator in :data:`TRAPS`, for pages made on
      the fly (endless calendars, ever-growing paths).
    """

    id: str
    name: str
    type: str
    files: str | None
    description: str
    down: bool = False
    slow: bool = False
    status_all: int | None = None
    redirects: Mapping[str, tuple[int, str]] = field(default_factory=_empty)
    statuses: Mapping[str, int] = field(default_factory=_empty)
    charsets: Mapping[str, str] = field(default_factory=_empty)
    traps: Mapping[str, str] = field(default_factory=_empty)


# The table: every demo site and what is special about it. Order = port order from
# ``base_port`` and row order of the seed list.
SITES: tuple[SiteSpec, ...] = (
    SiteSpec(
        id="mairie",
        name="Mairie de Saint-Exemple-sur-Loire",
        type="mairie",
        files="mairie",
        description="site municipal complet : sitemap.xml, pages profondes, /admin/ interdit",
    ),
    SiteSpec(
        id="prefecture",
        name="Préfecture de l'Exemple",
        type="prefecture",
        files="prefecture",
        description="horaires en tableau, JSON-LD, agenda piège (mois suivants, chemins sans fin)",
        traps=MappingProxyType({"/agenda/": "calendar"}),
    ),
    SiteSpec(
        id="caf",
        name="Caisse d'allocations familiales de l'Exemple",
        type="caf",
        files="caf",
        description="numéro court 3230, numéro surtaxé, Acceo, médiateur, tchat, résultats",
    ),
    SiteSpec(
        id="ministere",
        name="Ministère de l'Exemple",
        type="ministere",
        files="ministere",
        description="gabarit DSFR avec mention d'accessibilité non remplie et pièges de texte",
    ),
    SiteSpec(
        id="hopital",
        name="Centre hospitalier d'Exemple-Val",
        type="hopital",
        files="hopital",
        description="Doctolib, horaires abrégés, fax, formulaire de contact dans une iframe",
    ),
    SiteSpec(
        id="universite",
        name="Université d'Exemple",
        type="universite",
        files="universite",
        description="page en ISO-8859-1, redirection 301, formulaire de contact, sans téléphone",
        redirects=MappingProxyType({"/ancien-contact": (301, "/contact")}),
        charsets=MappingProxyType({"/scolarite/accueil.html": "iso-8859-1"}),
    ),
    SiteSpec(
        id="demarche",
        name="Démarches en ligne de l'Exemple — aide à la mobilité",
        type="agence",
        files="demarche",
        description="application JavaScript : le HTML statique est une coquille vide",
    ),
    SiteSpec(
        id="ancien",
        name="Commune de Vieux-Bourg",
        type="mairie",
        files="ancien",
        description="vieux site en tableaux : liens cassés (404), une page en erreur 500",
        statuses=MappingProxyType({"/annuaire.htm": 500}),
    ),
    SiteSpec(
        id="panne",
        name="Syndicat intercommunal des eaux du Val d'Exemple",
        type="autre",
        files=None,
        description="site en panne : rien n'écoute sur le port",
        down=True,
    ),
    SiteSpec(
        id="lent",
        name="Maison départementale des personnes handicapées de l'Exemple",
        type="departement",
        files="lent",
        description="répond après un long délai (plus que le délai de téléchargement)",
        slow=True,
    ),
    SiteSpec(
        id="erreur500",
        name="Conseil départemental de l'Exemple",
        type="departement",
        files=None,
        description="toutes les pages répondent HTTP 500",
        status_all=500,
    ),
    SiteSpec(
        id="interdit",
        name="Région Exemple-Val-de-Loire",
        type="region",
        files="interdit",
        description="robots.txt interdit tout le site",
    ),
    SiteSpec(
        id="boucle",
        name="Office public de l'habitat de l'Exemple",
        type="operateur",
        files="boucle",
        description="redirections en boucle (/ → /a → /b → /a …)",
        redirects=MappingProxyType({"/": (302, "/a"), "/a": (301, "/b"), "/b": (301, "/a")}),
    ),
)

SITE_IDS: tuple[str, ...] = tuple(s.id for s in SITES)


# -- dynamic trap pages ----------------------------------------------------------------

_MONTHS_FR = (
    "janvier février mars avril mai juin juillet août septembre octobre novembre décembre"
).split()
_DAYS_FR = ("Lun", "Mar", "Mer", "Jeu", "Ven", "Sam", "Dim")
#: Month 0 of the endless calendar (fixed, so the pages do not change with the clock).
_CALENDAR_ORIGIN = date(2025, 1, 1)


def _calendar_page(site_dir: Path, path: str, query: str) -> bytes:
    """An agenda page for ``?month=N`` (any integer) — a classic crawler trap.

    Each page links to ``?month=N-1`` and ``?month=N+1`` (there is always a next month)
    and to the relative ``evenements/``, which a CMS bug turned into an ever-growing path
    (``/agenda/evenements/evenements/…``). Every such URL answers 200 with a fresh page.
    """
    try:
        offset = int(parse_qs(query).get("month", ["0"])[0])
    except ValueError:
        offset = 0
    offset = max(min(offset, 10**6), -(10**6))  # any integer, but years stay representable
    months = _CALENDAR_ORIGIN.year * 12 + _CALENDAR_ORIGIN.month - 1 + offset
    year, month = divmod(months, 12)
    month += 1
    rows = []
    for week in calendar.Calendar(firstweekday=0).monthdayscalendar(year, month):
        cells = "".join(f"<td>{d}</td>" if d else '<td class="vide"></td>' for d in week)
        rows.append(f"<tr>{cells}</tr>")
    head = "".join(f'<th scope="col">{d}</th>' for d in _DAYS_FR)
    template = Template((site_dir / "_modeles" / "agenda.html").read_text(encoding="utf-8"))
    page = template.substitute(
        mois=escape(f"{_MONTHS_FR[month - 1]} {year}"),
        precedent=f"?month={offset - 1}",
        suivant=f"?month={offset + 1}",
        entetes=head,
        semaines="\n".join(rows),
        chemin=escape(path),
    )
    return page.encode("utf-8")


#: Generators of pages made on the fly: ``(site folder, path, query) -> HTML bytes``.
TRAPS: Mapping[str, Callable[[Path, str, str], bytes]] = MappingProxyType(
    {"calendar": _calendar_page}
)


# -- HTTP ------------------------------------------------------------------------------

_ERROR_PAGE = """<!DOCTYPE html>
<html lang="fr">
<head><meta charset="utf-8"><title>{code} — {title}</title></head>
<body>
<h1>{title}</h1>
<p>{message}</p>
<p><a href="/">Retour à l'accueil</a></p>
</body>
</html>
"""
_POSTED_PAGE = """<!DOCTYPE html>
<html lang="fr">
<head><meta charset="utf-8"><title>Demande envoyée</title></head>
<body>
<h1>Votre demande a bien été envoyée</h1>
<p>Site de démonstration : aucune donnée n'est conservée ni transmise.</p>
<p><a href="/">Retour à l'accueil</a></p>
</body>
</html>
"""
_ERRORS_FR = {
    404: ("Page introuvable", "La page que vous demandez n'existe pas ou a été déplacée."),
    500: (
        "Erreur interne du serveur",
        "Le serveur a rencontré une erreur. Veuillez réessayer ultérieurement.",
    ),
}


class _SiteServer(ThreadingHTTPServer):
    """One site's server: a thread per request, so a slow answer blocks nobody."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], spec: SiteSpec, web: DemoWeb) -> None:
        super().__init__(address, _Handler)
        self.spec = spec
        self.web = web

    @property
    def base_url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host}:{port}"


class _Handler(BaseHTTPRequestHandler):
    """Serves one request following the site's :class:`SiteSpec` row."""

    server: _SiteServer
    server_version = "VigieDemo/1.0"
    sys_version = ""

    def do_GET(self) -> None:  # noqa: N802  (http.server's naming)
        self._serve(body=True)

    def do_HEAD(self) -> None:  # noqa: N802
        self._serve(body=False)

    def do_POST(self) -> None:  # noqa: N802
        """Forms of the demo pages "work": a confirmation page, nothing is kept."""
        length = min(int(self.headers.get("Content-Length") or 0), 1 << 20)
        self.rfile.read(length)
        self._serve(body=True, posted=True)

    def log_message(self, format: str, *args: Any) -> None:
        if self.server.web.verbose:
            super().log_message(format, *args)

    def _serve(self, body: bool, posted: bool = False) -> None:
        spec = self.server.spec
        web = self.server.web
        try:
            if spec.slow and web._stopping.wait(web.slow_delay):
                return  # stopping: drop the connection rather than answer late
            status, headers, content = self._answer(spec, posted)
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(content)))
            self.end_headers()
            if body:
                self.wfile.write(content)
        except (BrokenPipeError, ConnectionResetError, TimeoutError):
            pass  # the client gave up (timeouts are the point of the slow site)

    def _answer(self, spec: SiteSpec, posted: bool = False) -> tuple[int, dict[str, str], bytes]:
        """Status, headers and body for this request, behaviours first, files last."""
        if spec.status_all is not None:
            return self._error(spec.status_all)
        parts = urlsplit(self.path)
        path = unquote(parts.path) or "/"
        if path in spec.redirects:
            status, target = spec.redirects[path]
            return status, {"Location": self.server.base_url + target}, b""
        if path in spec.statuses:
            return self._error(spec.statuses[path])
        if posted and spec.files:
            page = _POSTED_PAGE.encode("utf-8")
            return 200, {"Content-Type": "text/html; charset=utf-8"}, page
        site_dir = SITES_DIR / (spec.files or "")
        for prefix, generator in spec.traps.items():
            if path.startswith(prefix):
                page = TRAPS[generator](site_dir, path, parts.query)
                return 200, {"Content-Type": "text/html; charset=utf-8"}, page
        file = _resolve(site_dir, path) if spec.files else None
        if file is None:
            if spec.files and not path.endswith("/") and _resolve(site_dir, path + "/"):
                # A folder asked without its slash: redirect, as Apache and nginx do.
                return 301, {"Location": self.server.base_url + path + "/"}, b""
            return self._error(404)
        content = file.read_bytes()
        ctype = CONTENT_TYPES.get(file.suffix.lower()) or (
            mimetypes.guess_type(file.name)[0] or "application/octet-stream"
        )
        if ctype in _TEXT_TYPES:
            content = content.replace(b"{{base_url}}", self.server.base_url.encode("ascii"))
            ctype += "; charset=" + spec.charsets.get(path, "utf-8")
        return 200, {"Content-Type": ctype}, content

    def _error(self, status: int) -> tuple[int, dict[str, str], bytes]:
        title, message = _ERRORS_FR.get(status, (HTTPStatus(status).phrase, ""))
        page = _ERROR_PAGE.format(code=status, title=title, message=message)
        return status, {"Content-Type": "text/html; charset=utf-8"}, page.encode("utf-8")


def _resolve(site_dir: Path, path: str) -> Path | None:
    """The file serving ``path`` inside ``site_dir``, or ``None`` (never outside it)."""
    parts = [p for p in path.split("/") if p]
    if any(p in (".", "..") or p.startswith("_") or "\\" in p for p in parts):
        return None
    base = site_dir.joinpath(*parts)
    if path.endswith("/") or not parts:
        candidates = [base / "index.html", base / "index.htm"]
    else:
        candidates = [base, base.with_name(base.name + ".html")]
    for candidate in candidates:
        if candidate.is_file():
            return candidate
    return None


# -- the demo web ------------------------------------------------------------------------


class DemoWeb:
    """All the demo sites, each on its own 127.0.0.1 port; a context manager.

    ``base_port=0`` (default) takes ephemeral ports (tests run in parallel safely);
    otherwise site *i* of :data:`SITES` gets ``base_port + i`` whether or not it is
    selected, so URLs stay stable between runs. ``slow_delay`` is how long the ``lent``
    site waits before answering: longer than the crawler's download timeout.
    """

    def __init__(
        self,
        host: str = "127.0.0.1",
        base_port: int = 0,
        slow_delay: float = 30.0,
        sites: Iterable[str] | None = None,
        verbose: bool = False,
    ) -> None:
        wanted = list(sites) if sites is not None else list(SITE_IDS)
        unknown = sorted(set(wanted) - set(SITE_IDS))
        if unknown:
            raise ValueError(f"unknown demo sites: {', '.join(unknown)}")
        self.host = host
        self.base_port = base_port
        self.slow_delay = slow_delay
        self.verbose = verbose
        self.specs: tuple[SiteSpec, ...] = tuple(s for s in SITES if s.id in wanted)
        self._servers: dict[str, _SiteServer] = {}
        self._closed_sockets: dict[str, socket.socket] = {}
        self._threads: list[threading.Thread] = []
        self._stopping = threading.Event()

    # lifecycle
    def start(self) -> DemoWeb:
        """Bind every site and serve each in a background thread."""
        if self._servers or self._closed_sockets:
            return self
        self._stopping.clear()
        try:
            for spec in self.specs:
                port = self.base_port + SITE_IDS.index(spec.id) if self.base_port else 0
                if spec.down:
                    # Bound but never listening: the kernel refuses connections (RST).
                    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
                    sock.bind((self.host, port))
                    self._closed_sockets[spec.id] = sock
                    continue
                server = _SiteServer((self.host, port), spec, self)
                self._servers[spec.id] = server
                thread = threading.Thread(
                    target=server.serve_forever,
                    kwargs={"poll_interval": 0.1},
                    name=f"demo-{spec.id}",
                    daemon=True,
                )
                thread.start()
                self._threads.append(thread)
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        """Stop serving, wake sleeping slow answers, free the ports."""
        self._stopping.set()
        for server in self._servers.values():
            server.shutdown()
            server.server_close()
        for sock in self._closed_sockets.values():
            sock.close()
        for thread in self._threads:
            thread.join(timeout=5)
        self._servers.clear()
        self._closed_sockets.clear()
        self._threads.clear()

    def __enter__(self) -> DemoWeb:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # addresses
    def port(self, site_id: str) -> int:
        """The port of a started site (the closed one for ``panne``)."""
        if site_id in self._servers:
            return int(self._servers[site_id].server_address[1])
        if site_id in self._closed_sockets:
            return int(self._closed_sockets[site_id].getsockname()[1])
        raise KeyError(f"demo site not started: {site_id}")

    def url(self, site_id: str) -> str:
        """The site's home URL, ``http://127.0.0.1:PORT/``."""
        return f"http://{self.host}:{self.port(site_id)}/"

    def urls(self) -> dict[str, str]:
        return {spec.id: self.url(spec.id) for spec in self.specs}

    # seeds
    def seeds_csv(self) -> str:
        """The seed list of every selected site (failure sites included), ``id,name,url,type``."""
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["id", "name", "url", "type"])
        for spec in self.specs:
            writer.writerow([spec.id, spec.name, self.url(spec.id), spec.type])
        return out.getvalue()

    def write_seeds(self, path: str | Path) -> Path:
        """Write :meth:`seeds_csv` to ``path`` (UTF-8) and return it."""
        target = Path(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(self.seeds_csv(), encoding="utf-8")
        return target

    # the Annuaire de l'administration
    def annuaire_export(self) -> str:
        """The demo's Annuaire export (:data:`ANNUAIRE_EXPORT`, the JSON export's shape),
        each ``{{url:<site id>}}`` replaced by that site's URL (empty for a site not
        started: the record then has no website)."""
        text = ANNUAIRE_EXPORT.read_text(encoding="utf-8")
        return _SITE_URL.sub(
            lambda m: self.url(m.group(1)) if m.group(1) in self._started() else "", text
        )

    def write_annuaire(self, path: str | Path) -> Path:
        """Write :meth:`annuaire_export` to ``path`` (UTF-8) and return it."""
        target = Path(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(self.annuaire_export(), encoding="utf-8")
        return target

    def _started(self) -> set[str]:
        return set(self._servers) | set(self._closed_sockets)


# -- standalone ------------------------------------------------------------------------


def _interrupt(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    """Serve the demo web until Ctrl-C, for looking at the sites in a browser."""
    parser = argparse.ArgumentParser(
        prog="python -m crawler.demo.server",
        description="Sert le web administratif de démonstration sur 127.0.0.1.",
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument(
        "--base-port",
        type=int,
        default=8100,
        help="port du premier site, les suivants à la suite (0 : ports éphémères)",
    )
    parser.add_argument(
        "--slow-delay",
        type=float,
        default=30.0,
        help="délai de réponse du site « lent », en secondes (défaut : 30)",
    )
    parser.add_argument("--seeds", help="écrire aussi la liste des sites (CSV) dans ce fichier")
    parser.add_argument(
        "-q", "--quiet", action="store_true", help="ne pas journaliser les requêtes"
    )
    args = parser.parse_args(argv)
    web = DemoWeb(args.host, args.base_port, args.slow_delay, verbose=not args.quiet)
    try:
        web.start()
    except OSError as exc:
        print(f"Impossible d'ouvrir les ports : {exc}", file=sys.stderr)
        return 1
    try:
        print("Web administratif de démonstration :")
        for spec in web.specs:
            print(f"  {spec.id:<11} {web.url(spec.id):<26} {spec.name} — {spec.description}")
        if args.seeds:
            print(f"Liste des sites écrite dans {web.write_seeds(args.seeds)}")
        print("Ctrl-C pour arrêter.", flush=True)
        signal.signal(signal.SIGTERM, _interrupt)  # `kill PID` stops as cleanly as Ctrl-C
        # Started in the background by a shell without job control, SIGINT is inherited
        # ignored and Python then leaves it so: Ctrl-C (or `kill -INT`) must still stop.
        signal.signal(signal.SIGINT, _interrupt)
        threading.Event().wait()
    except KeyboardInterrupt:
        print("\nArrêt.", flush=True)
    finally:
        web.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
