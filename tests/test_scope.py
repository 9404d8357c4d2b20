"""Site scope, link priority and crawler-trap rules."""

from __future__ import annotations

from crawler.scope import is_page_url, is_private_host, link_score, site_key, trap_reason


def test_site_key_is_the_registrable_domain():
    assert site_key("https://www.mairie-exemple.fr/contact") == "mairie-exemple.fr"
    assert site_key("https://demarches.mairie-exemple.fr/") == "mairie-exemple.fr"
    # gouv.fr is a public suffix: two ministries are two sites.
    assert site_key("https://www.interieur.gouv.fr/") == "interieur.gouv.fr"
    assert site_key("https://www.interieur.gouv.fr/") != site_key("https://www.ecologie.gouv.fr/")


def test_site_key_keeps_the_port_for_ip_literals_and_localhost():
    assert site_key("http://127.0.0.1:8001/a") == "127.0.0.1:8001"
    assert site_key("http://127.0.0.1:8001/") != site_key("http://127.0.0.1:8002/")
    assert site_key("http://localhost/") == "localhost:80"


def test_private_hosts():
    assert is_private_host("127.0.0.1")
    assert is_private_host("10.1.2.3")
    assert is_private_host("169.254.169.254")
    assert is_private_host("[::1]")
    assert is_private_host("localhost")
    assert not is_private_host("8.8.8.8")
    assert not is_private_host("www.service-public.fr")


def test_page_urls_skip_documents_and_other_schemes():
    assert is_page_url("https://a.fr/contact")
    assert is_page_url("https://a.fr/page.html")
    assert not is_page_url("https://a.fr/rapport.PDF")
    assert not is_page_url("mailto:a@a.fr")
    assert not is_page_url("javascript:void(0)")


def test_priority_prefers_the_pages_that_carry_findings():
    contact = link_score("Nous contacter", "https://a.fr/nous-contacter")
    a11y = link_score("Accessibilité : partiellement conforme", "https://a.fr/accessibilite")
    news = link_score("Actualités", "https://a.fr/actualites/fete-du-village")
    assert contact > news and a11y > news
    assert link_score("Actualités", "https://a.fr/x", in_chrome=True) > news


def test_trap_rules():
    assert trap_reason("https://a.fr/" + "x" * 500, 400, 3)
    assert trap_reason("https://a.fr/a/b/a/b/a/b/a/b", 400, 3)
    assert trap_reason("https://a.fr/agenda/2024/mois/2025", 400, 3) is None


def test_private_addresses_refuse_literals_and_names_resolving_inside(monkeypatch):
    """The SSRF rule shared by the crawler's middleware and the browser's navigation guard:
    a literal private address, or a public-looking name that resolves to one."""
    import asyncio
    import socket

    from crawler.addresses import PrivateAddresses

    resolved: list[str] = []

    async def fake_getaddrinfo(self, host, port, **kwargs):
        resolved.append(host)
        ip = {"intranet.mairie.example": "10.0.0.7", "www.mairie.example": "93.184.216.34"}
        if host not in ip:
            raise socket.gaierror("inconnu")
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (ip[host], 0))]

    monkeypatch.setattr(asyncio.BaseEventLoop, "getaddrinfo", fake_getaddrinfo)

    async def scenario():
        guard = PrivateAddresses()
        return [
            await guard.refusal(url)
            for url in (
                "http://127.0.0.1:8080/admin",
                "http://[::1]/",
                "http://intranet.mairie.example/",
                "https://www.mairie.example/contact",
                "https://nulle-part.example/",
                "http://intranet.mairie.example/autre",  # cached: resolved once
            )
        ]

    loopback, v6, intranet, public, unknown, again = asyncio.run(scenario())
    assert loopback and "127.0.0.1" in loopback and v6 and "::1" in v6
    assert intranet == (
        "adresse privée ou locale refusée : intranet.mairie.example (VIGIE_ALLOW_PRIVATE=False)"
    )
    assert public is None and unknown is None  # an unknown name fails later, with its DNS error
    assert again == intranet
    assert resolved.count("intranet.mairie.example") == 1
