"""A small store written by hand for the report tests: two runs of five sites whose seed list
has two extra columns (``departement``, ``tutelle``), and findings that change between runs.

Written through :class:`crawler.store.Store`'s own methods, so the reports read exactly what
a crawl would have stored. What changes, per site (run 1 → run 2):

* ``alpha`` (mairie, 45): phone and e-mail → phone and FAQ: lost e-mail-or-form, gained FAQ;
* ``beta`` (mairie, 18): nothing → phone: gained phone;
* ``gamma`` (caf, 45): down → address (not compared: it could not be crawled before);
* ``delta`` (agence, no departement): phone → phone and mediator: gained mediator;
* ``omega`` (prefecture, 18): only in run 2 (no previous run).
"""

from __future__ import annotations

from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

from crawler.aggregation import finish_run
from crawler.store import Store

NOW = datetime(2026, 11, 2, 8, 30, tzinfo=UTC)

SITES = {
    "alpha": ("Mairie d'Alpha", "mairie", {"departement": "45", "tutelle": "Commune"}),
    "beta": ("Mairie de Bêta", "mairie", {"departement": "18", "tutelle": "Commune"}),
    "gamma": ("CAF de Gamma", "caf", {"departement": "45", "tutelle": "Cnaf"}),
    "delta": ("Agence Delta", "agence", {"departement": "", "tutelle": "État"}),
    "omega": ("Préfecture d'Oméga", "prefecture", {"departement": "18", "tutelle": "État"}),
}

#: What each site shows in each run: checks found (``None``: the site is down).
RUNS: dict[str, dict[str, list[str] | None]] = {
    "2026-S1": {
        "alpha": ["phone", "email"],
        "beta": [],
        "gamma": None,
        "delta": ["phone"],
    },
    "2026-S2": {
        "alpha": ["phone", "faq"],
        "beta": ["phone"],
        "gamma": ["address"],
        "delta": ["phone", "mediator"],
        "omega": ["phone", "email", "opening_hours"],
    },
}

#: Element changes between the two runs, as the overview must list them.
GAINED = {"faq": {"alpha"}, "phone": {"beta"}, "mediator": {"delta"}}
LOST = {"email_or_contact_form": {"alpha"}}


def _page(run_id: int, site_id: str) -> dict[str, Any]:
    return {
        "run_id": run_id,
        "site_id": site_id,
        "url": f"https://{site_id}.example.fr/",
        "status_code": 200,
        "depth": 0,
        "bytes": 1000,
        "fetched_at": NOW,
        "duration_s": 0.1,
        "rendered": False,
        "js_shell": False,
        "title": f"Accueil — {site_id}",
        "problems": None,
    }


def _found(check_id: str, site_id: str) -> dict[str, Any]:
    return {
        "check_id": check_id,
        "status": "found",
        "value": True,
        "evidence": [
            {"url": f"https://{site_id}.example.fr/", "xpath": "/html/body/p", "snippet": "vu"}
        ],
        "error": None,
    }


def build(db: str) -> tuple[Store, list[int]]:
    """The store at ``db`` with both runs; returns it and the run ids."""
    store = Store(db)
    ids = []
    for label, sites in RUNS.items():
        seeds = [
            SimpleNamespace(
                id=site_id,
                name=SITES[site_id][0],
                url=f"https://{site_id}.example.fr/",
                type=SITES[site_id][1],
                extra=dict(SITES[site_id][2]),
            )
            for site_id in sites
        ]
        run_id = store.start_run(seeds, label=label)
        rows, errors = [], []
        for site_id, found in sites.items():
            if found is None:
                errors.append(
                    {
                        "run_id": run_id,
                        "site_id": site_id,
                        "url": f"https://{site_id}.example.fr/",
                        "kind": "connexion refusée",
                        "reason": "connexion refusée",
                        "is_home": True,
                        "at": NOW,
                    }
                )
                continue
            rows.append((_page(run_id, site_id), [_found(c, site_id) for c in found]))
        store.write_batch(rows, errors)
        finish_run(store, run_id)
        ids.append(run_id)
    return store, ids
