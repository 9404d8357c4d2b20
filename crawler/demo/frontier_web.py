"""Sites that test where a crawl spends its budget, served on 127.0.0.1 (one port each).

Each site reproduces a case measured on real sites (issues 12 and 14), with pages
generated here rather than stored as files (28 near-identical declarations are a loop, not
28 files):

* ``dsfr`` — built like a public body's Eleventy + DSFR site: the header menu lists 28
  accessibility declarations, one per application, *before* "Contact"; the footer links
  the legal notice, the personal-data page and the site's own declaration. The only phone
  number is on the legal notice. Each declaration link scores like "Contact": a crawl that
  takes the best-scored links in menu order spends 30 pages on declarations;
* ``casse`` — forty links to the contact page written with the host's case changed
  (``LocalHost``, ``LOCALHOST``…) and their query arguments reordered, then the link to
  the accessibility page; its seed is ``http://localhost:PORT/``;
* ``contact503`` — a small site whose contact page answers 503: the phone and the e-mail
  shown only there cannot be read;
* ``liensmorts`` — links that answer 404 and links without their trailing slash that
  redirect (301) to pages already linked with it, ranked before twelve ordinary pages.

``python -m crawler.demo.frontier_web`` serves them until Ctrl-C.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import io
import signal
import sys
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any
from urllib.parse import urlsplit

#: The 28 applications of the ``dsfr`` site, each with its accessibility declaration.
APPLICATIONS = tuple(
    f"{name} {n}" if n else name
    for n, name in enumerate(
        (
            "Démarches simplifiées",
            "Portail agents",
            "Annuaire",
            "Messagerie sécurisée",
            "Téléservice subventions",
            "Plateforme de données",
            "Espace partenaires",
        )
        * 4
    )
)
#: The phone shown only on the ``dsfr`` site's legal notice.
DSFR_PHONE = "01 45 67 89 10"
#: What the ``contact503`` site shows only on its contact page.
CONTACT503_PHONE = "02 38 12 34 56"
#: Pages of the ``liensmorts`` site: broken links, slash-less links, ordinary pages.
DEAD_LINKS = 4
SLASHLESS = 2
ORDINARY = 12

Page = tuple[int, dict[str, str], bytes]  # status, headers, body


def _html(title: str, body: str, header: str = "", footer: str = "") -> bytes:
    return f"""<!DOCTYPE html>
<html lang="fr"><head><meta charset="utf-8"><title>{title}</title></head>
<body>
<header role="banner">{header}</header>
<main id="contenu"><h1>{title}</h1>
{body}
</main>
<footer role="contentinfo">{footer}</footer>
</body></html>
""".encode()


def _links(items: Iterable[tuple[str, str]]) -> str:
    return "<ul>" + "".join(f'<li><a href="{h}">{t}</a></li>' for h, t in items) + "</ul>"


def _ok(body: bytes) -> Page:
    return 200, {"Content-Type": "text/html; charset=utf-8"}, body


def _missing() -> Page:
    return 404, {"Content-Type": "text/html; charset=utf-8"}, _html("Page introuvable", "")


# -- the sites --------------------------------------------------------------------------


def _dsfr(path: str, base: str) -> Page:
    menu = [
        (f"/declarations/app-{i}/", f"Déclaration d'accessibilité — {a}")
        for i, a in enumerate(APPLICATIONS)
    ]
    header = (
        "<nav role='navigation' aria-label='Menu principal'>"
        + _links([*menu, ("/contact/", "Contact")])
        + "</nav>"
    )
    footer = "<p>Accessibilité : non conforme</p>" + _links(
        [
            ("/mentions-legales/", "Mentions légales"),
            ("/donnees-personnelles/", "Données personnelles"),
            ("/accessibilite/", "Accessibilité : non conforme"),
            ("/plan-du-site/", "Plan du site"),
        ]
    )

    def page(title: str, body: str) -> Page:
        return _ok(_html(title, body, header, footer))

    if path == "/":
        return page(
            "Agence de l'Exemple",
            "<p>L'agence publie ici ses actualités et ses services en ligne.</p>"
            + _links([(f"/actualites/{n}/", f"Actualité {n}") for n in range(1, 6)]),
        )
    if path.startswith("/declarations/app-"):
        i = int(path.split("-")[-1].strip("/") or 0)
        if 0 <= i < len(APPLICATIONS):
            return page(
                f"Déclaration d'accessibilité — {APPLICATIONS[i]}",
                "<p>L'Agence de l'Exemple s'engage à rendre ses services numériques "
                "accessibles. Cette déclaration s'applique à l'application "
                f"{APPLICATIONS[i]}. État de conformité : non conforme, 32 % des critères "
                "du RGAA respectés. Audit réalisé le 3 mars 2025.</p>",
            )
    if path == "/contact/":
        return page(
            "Contact",
            "<p>Pour nous écrire, utilisez le formulaire ci-dessous.</p>"
            "<form method='post' action='/contact/'><label>Votre message "
            "<textarea name='message'></textarea></label><button>Envoyer</button></form>",
        )
    if path == "/mentions-legales/":
        return page(
            "Mentions légales",
            "<p>Éditeur : Agence de l'Exemple, 12 rue de l'Exemple, 75007 Paris.</p>"
            f"<p>Téléphone : {DSFR_PHONE}</p><p>Directeur de la publication : le directeur "
            "général de l'agence.</p>",
        )
    if path == "/donnees-personnelles/":
        return page(
            "Données personnelles",
            "<p>Vous pouvez exercer vos droits auprès du délégué à la protection des "
            "données de l'agence.</p>",
        )
    if path == "/accessibilite/":
        return page(
            "Déclaration d'accessibilité",
            "<p>Le site de l'Agence de l'Exemple est non conforme au RGAA : 40 % des "
            "critères respectés. Audit réalisé le 12 janvier 2025.</p>",
        )
    if path == "/plan-du-site/":
        return page("Plan du site", _links([("/", "Accueil"), ("/contact/", "Contact")]))
    if path.startswith("/actualites/"):
        return page("Actualité", "<p>L'agence ouvre un nouveau service en ligne.</p>")
    return _missing()


def _casse(path: str, base: str) -> Page:
    port = urlsplit(base).port
    variants = []
    for n in range(1, 41):  # forty spellings: the bits of n choose the upper-case letters
        host = "".join(c.upper() if n >> i & 1 else c for i, c in enumerate("localhost"))
        query = "?a=1&b=2" if n % 2 else "?b=2&a=1"
        variants.append((f"http://{host}:{port}/contact{query}#haut", "Nous contacter"))
    if path == "/":
        body = _links(variants) + _links([("/accessibilite", "Accessibilité")])
        return _ok(_html("Commune de Casse", body))
    if path == "/contact":
        return _ok(_html("Contact", f"<p>Mairie de Casse : {DSFR_PHONE}</p>"))
    if path == "/accessibilite":
        return _ok(_html("Accessibilité", "<p>Accessibilité : partiellement conforme</p>"))
    return _missing()


def _contact503(path: str, base: str) -> Page:
    footer = _links(
        [
            ("/contact", "Nous contacter"),
            ("/mentions-legales", "Mentions légales"),
            ("/actualites", "Actualités"),
        ]
    )
    if path == "/":
        return _ok(_html("Syndicat de l'Exemple", "<p>Bienvenue.</p>", footer=footer))
    if path == "/contact":
        return (
            503,
            {"Content-Type": "text/html; charset=utf-8", "Retry-After": "120"},
            _html(
                "Service indisponible",
                f"<p>{CONTACT503_PHONE} — contact@syndicat-exemple.fr</p>",
            ),
        )
    if path == "/mentions-legales":
        return _ok(_html("Mentions légales", "<p>Éditeur : le syndicat.</p>", footer=footer))
    if path == "/actualites":
        return _ok(_html("Actualités", "<p>Rien de neuf.</p>", footer=footer))
    return _missing()


def _liensmorts(path: str, base: str) -> Page:
    targets = [(f"/services/{n}/", f"Démarches en ligne {n}") for n in range(1, SLASHLESS + 1)]
    header = "<nav role='navigation'>" + _links(targets) + "</nav>"
    if path == "/":
        body = _links(
            [(f"/ancien/{n}.html", f"Démarche {n}") for n in range(1, DEAD_LINKS + 1)]
            + [(f"/services/{n}", f"Démarche en ligne {n}") for n in range(1, SLASHLESS + 1)]
            + [(f"/page/{n}/", f"Page {n}") for n in range(1, ORDINARY + 1)]
        )
        return _ok(_html("Office de l'Exemple", body, header))
    parts = path.strip("/").split("/")
    if len(parts) == 2 and parts[0] == "services" and parts[1].isdigit():
        if not path.endswith("/"):
            return 301, {"Location": f"{base}{path}/"}, b""
        return _ok(_html(f"Service {parts[1]}", "<p>Un service.</p>", header))
    if len(parts) == 2 and parts[0] == "page" and path.endswith("/"):
        return _ok(_html(f"Page {parts[1]}", "<p>Une page.</p>", header))
    return _missing()


@dataclass(frozen=True)
class FrontierSite:
    id: str
    name: str
    type: str
    serve: Callable[[str, str], Page]
    host: str = "127.0.0.1"  # the host of its seed URL


SITES: tuple[FrontierSite, ...] = (
    FrontierSite("dsfr", "Agence de l'Exemple", "agence", _dsfr),
    FrontierSite("casse", "Commune de Casse", "mairie", _casse, host="localhost"),
    FrontierSite("contact503", "Syndicat de l'Exemple", "autre", _contact503),
    FrontierSite("liensmorts", "Office de l'Exemple", "operateur", _liensmorts),
)


# -- HTTP --------------------------------------------------------------------------------


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, site: FrontierSite, log: list[str]) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.site = site
        self.log = log
        self.base_url = f"http://{site.host}:{self.server_address[1]}"


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def do_GET(self) -> None:  # noqa: N802  (http.server's naming)
        self.server.log.append(self.path)
        if urlsplit(self.path).path == "/robots.txt":
            status, headers, body = 404, {"Content-Type": "text/plain"}, b""
        else:
            status, headers, body = self.server.site.serve(
                urlsplit(self.path).path, self.server.base_url
            )
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


class FrontierWeb:
    """The sites above, each on its own ephemeral port; a context manager.

    ``requests[site_id]`` lists the paths (with query) each site was asked for.
    """

    def __init__(self, sites: Iterable[str] | None = None) -> None:
        wanted = set(sites) if sites is not None else {s.id for s in SITES}
        self.specs = [s for s in SITES if s.id in wanted]
        self.requests: dict[str, list[str]] = {s.id: [] for s in self.specs}
        self._servers: dict[str, _Server] = {}

    def __enter__(self) -> FrontierWeb:
        for spec in self.specs:
            server = _Server(spec, self.requests[spec.id])
            threading.Thread(target=server.serve_forever, daemon=True).start()
            self._servers[spec.id] = server
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        for server in self._servers.values():
            server.shutdown()
            server.server_close()

    def url(self, site_id: str) -> str:
        return self._servers[site_id].base_url + "/"

    def seeds_csv(self, sites: Iterable[str] | None = None) -> str:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["id", "name", "url", "type"])
        for spec in self.specs:
            if sites is None or spec.id in sites:
                writer.writerow([spec.id, spec.name, self.url(spec.id), spec.type])
        return out.getvalue()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m crawler.demo.frontier_web",
        description="Sert les sites d'essai du budget d'exploration sur 127.0.0.1.",
    )
    parser.parse_args(argv)
    with FrontierWeb() as web:
        for spec in web.specs:
            print(f"  {spec.id:<11} {web.url(spec.id)}")
        print("Ctrl-C pour arrêter.", flush=True)
        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        with contextlib.suppress(KeyboardInterrupt):
            stop.wait()
    return 0


if __name__ == "__main__":
    sys.exit(main())
