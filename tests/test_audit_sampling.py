"""Which pages the audit renders, and the site-level audit summary (pure parts)."""

from __future__ import annotations

from checks.site import audit_summary
from crawler.audit_phase import Sampled, audit_order, select_pages


def _page(pid, url, depth, title="", js_shell=False, site="s"):
    return {
        "id": pid,
        "site_id": site,
        "url": url,
        "depth": depth,
        "title": title,
        "js_shell": js_shell,
    }


def test_home_contact_accessibility_shells_then_shallowest_others():
    pages = [
        _page(1, "https://a.fr/", 0),
        _page(2, "https://a.fr/actualites", 1),
        _page(3, "https://a.fr/nous-contacter", 1, "Nous contacter"),
        _page(4, "https://a.fr/x", 2, "Déclaration d'accessibilité"),
        _page(5, "https://a.fr/app", 2, js_shell=True),
        _page(6, "https://a.fr/deep", 3),
        _page(7, "https://b.fr/", 0, site="b"),
    ]
    chosen = {(s.site_id, s.page_id): s.reason for s in select_pages(pages, others=1)}
    assert chosen == {
        ("s", 1): "accueil",
        ("s", 3): "contact",
        ("s", 4): "accessibilite",
        ("s", 5): "coquille-js",
        ("s", 2): "page",
        ("b", 7): "accueil",
    }


def test_sample_carries_the_fetched_size():
    pages = [
        {**_page(1, "https://a.fr/", 0), "bytes": 5000},
        _page(2, "https://b.fr/", 0, site="b"),
    ]
    assert [s.size for s in select_pages(pages, others=0)] == [5000, 0]  # unknown size: 0


def test_audit_order_shells_first_then_largest_stable_within_a_size():
    def item(pid, size, js_shell=False):
        return Sampled("s", pid, f"https://a.fr/{pid}", "page", js_shell, size)

    sample = [item(1, 10), item(2, 300), item(3, 5, js_shell=True), item(4, 300), item(5, 40)]
    assert [s.page_id for s in audit_order(sample)] == [3, 2, 4, 5, 1]


def _rule(rule_id, impact, themes=(), nodes=1):
    return {
        "id": rule_id,
        "impact": impact,
        "criteria": [{"criterion": f"{t}.1", "theme": t} for t in themes],
        "nodes": [{"target": ["x"], "html": "<x>"}] * nodes,
    }


def test_audit_summary_counts_distinct_rules_and_keeps_review_apart():
    rows = [
        {
            "url": "u1",
            "axe_version": "4.12.1",
            "error": None,
            "violations": [_rule("image-alt", "critical", (1,)), _rule("label", "serious", (11,))],
            "needs_review": [_rule("color-contrast", "serious", (3,))],
            "criteria_violated": [{"criterion": "11.1"}, {"criterion": "1.1"}],
        },
        {
            "url": "u2",
            "axe_version": "4.12.1",
            "error": None,
            "violations": [_rule("image-alt", "critical", (1,))],
            "needs_review": [],
            "criteria_violated": [{"criterion": "1.1"}],
        },
        {
            "url": "u3",
            "axe_version": None,
            "error": "délai dépassé",
            "violations": None,
            "needs_review": None,
            "criteria_violated": None,
        },
    ]
    summary = audit_summary(rows)
    assert summary["pages_audited"] == 2
    assert summary["errors"] == [{"url": "u3", "error": "délai dépassé"}]
    assert summary["violations"]["rules"] == ["image-alt", "label"]
    assert summary["violations"]["by_impact"]["critical"] == 1  # distinct rules, not pages
    assert summary["violations"]["by_theme"] == {"1": 1, "11": 1}
    assert summary["needs_review"]["rules"] == ["color-contrast"]
    assert summary["violations"]["by_impact"]["serious"] == 1  # review not merged in
    assert [c["criterion"] for c in summary["criteria_violated"]] == ["1.1", "11.1"]
    assert summary["no_critical"] is False


def test_no_audit_is_not_a_pass():
    assert audit_summary([]) is None
    failed = audit_summary([{"url": "u", "axe_version": None, "error": "crash"}])
    assert failed["pages_audited"] == 0 and failed["no_critical"] is None


def test_the_browser_gets_the_crawlers_private_address_rule(monkeypatch):
    """``VIGIE_ALLOW_PRIVATE`` governs the browser too: off (the default), the Auditor gets a
    navigation guard that refuses private addresses; on (demo, tests), none."""
    import asyncio

    from scrapy.settings import Settings

    from crawler import audit, audit_phase

    given: list[dict] = []

    class Recording:
        def __init__(self, *args, **kwargs):
            given.append(kwargs)

        async def start(self):
            raise audit.AuditSetupError("pas de navigateur dans ce test")

    monkeypatch.setattr(audit, "Auditor", Recording)
    for allow in (False, True):
        settings = Settings({"VIGIE_ALLOW_PRIVATE": allow})
        settings.setmodule("crawler.settings", priority="default")
        stats = asyncio.run(audit_phase._audit(None, 1, [], None, settings))
        assert stats["audit_errors"] == 0
    guarded, unguarded = (kwargs["navigation_guard"] for kwargs in given)
    assert unguarded is None
    assert asyncio.run(guarded("http://10.0.0.7/")).startswith("adresse privée")
    assert asyncio.run(guarded("http://93.184.216.34/")) is None
