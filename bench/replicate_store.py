"""A national-size store for the reports, made by copying a real crawl's rows in SQL.

    .venv/bin/python bench/national.py --sites 100 --no-parts --keep /tmp/src   # a real crawl
    .venv/bin/python bench/replicate_store.py /tmp/src/national.db /tmp/s10k.db --copies 100

Crawling 10 000 synthetic sites takes hours on two shared cores; what ``vigie table`` and
``vigie report`` read of them is the same rows many times over. The latest run of the
SQLite store SRC is copied into DST (a new file) with its sites ``--copies`` times: every
row of that run in ``run_sites``, ``site_checks``, ``pages``, ``findings``,
``crawl_errors`` and ``audits``, site ids suffixed (``site0003-c17``), page and finding
ids shifted so that each copy's findings point at its own pages. Copy 0 is the original.

An Annuaire export made for these sites is also imported (:func:`annuaire_export`; not
with ``--no-annuaire``): one record a site, holding the phone, e-mail, address and opening
hours the site shows, except every third record whose phone differs: the report's
comparison with the Annuaire then works on every site, with sites in disagreement, as on a
real national run. Sites are linked to their record by website host (each site's address
becomes ``https://<site id>.exemple.fr/``: the synthetic web's sites all share
127.0.0.1), or with ``--link annuaire_id`` by a seed column ``annuaire_id``
(``run_sites.extra``) — a seed column with one value a site, which the overview also
offers as a way to group the sites.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sqlite3
import sys
import tempfile
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from annuaire_import import OFFICE_HOURS  # noqa: E402

from crawler.annuaire.links import SEED_TYPE_PIVOTS  # noqa: E402

#: Tables holding a run's rows, keyed by ``run_id`` and ``site_id``.
RUN_TABLES = ("run_sites", "site_checks", "pages", "findings", "crawl_errors", "audits")
#: Tables whose ``id`` is shifted a copy at a time, and the columns pointing at ``pages.id``.
ID_TABLES = ("pages", "findings", "crawl_errors", "audits")
PAGE_REFS = ("page_id",)


def _columns(db: sqlite3.Connection, table: str) -> list[str]:
    return [row[1] for row in db.execute(f"PRAGMA table_info({table})")]


def replicate(db: sqlite3.Connection, run_id: int, copies: int) -> None:
    """Add ``copies - 1`` copies of run ``run_id``'s sites, in one transaction."""
    db.execute(
        "CREATE TEMP TABLE original AS SELECT site_id FROM run_sites WHERE run_id = ?", (run_id,)
    )
    spans = {
        t: db.execute(f"SELECT coalesce(max(id), 0) FROM {t}").fetchone()[0] for t in ID_TABLES
    }
    for n in range(1, copies):
        for table in RUN_TABLES:
            columns = _columns(db, table)
            values = []
            for column in columns:
                if column == "site_id":
                    values.append(f"site_id || '-c{n}'")
                elif column == "name" and table == "run_sites":
                    values.append(f"name || ' {n}'")
                elif column == "id" and table in ID_TABLES:
                    values.append(f"id + {n * spans[table]}")
                elif column in PAGE_REFS:
                    values.append(f"{column} + {n * spans['pages']}")
                else:
                    values.append(column)
            db.execute(
                f"INSERT INTO {table} ({', '.join(columns)}) SELECT {', '.join(values)} "
                f"FROM {table} WHERE run_id = ? AND site_id IN (SELECT site_id FROM original)",
                (run_id,),
            )
    db.execute("UPDATE runs SET seeds_count = seeds_count * ? WHERE id = ?", (copies, run_id))


def _record_id(site_id: str) -> str:
    return f"fiche-{site_id}"


def annuaire_export(db: sqlite3.Connection, run_id: int, path: Path, link: str) -> int:
    """Write an Annuaire export (JSON) with one record per site of the run, and give each
    site a host of its own (``link="host"``) or its record's ``annuaire_id``. Returns the
    number of records."""
    shown: dict[str, dict[str, object]] = {}
    for site_id, check_id, value in db.execute(
        "SELECT site_id, check_id, value FROM site_checks WHERE run_id = ? AND check_id IN "
        "('phone', 'email', 'address') AND status = 'found'",
        (run_id,),
    ):
        shown.setdefault(site_id, {})[check_id] = json.loads(value) if value else None
    sites = db.execute(
        "SELECT site_id, name, url, type, extra FROM run_sites WHERE run_id = ? ORDER BY site_id",
        (run_id,),
    ).fetchall()
    with open(path, "w", encoding="utf-8") as out:
        out.write("[")
        for i, (site_id, name, url, kind, extra) in enumerate(sites):
            if link == "host":
                url = f"https://{site_id}.exemple.fr/"
                db.execute(
                    "UPDATE run_sites SET url = ? WHERE run_id = ? AND site_id = ?",
                    (url, run_id, site_id),
                )
            values = shown.get(site_id, {})
            phones = [p["display"] for p in values.get("phone") or [] if isinstance(p, dict)]
            if i % 3 == 0:  # a record that disagrees with its site
                phones = ["01 02 03 04 05"]
            emails = [e["address"] for e in values.get("email") or [] if isinstance(e, dict)]
            pivot = SEED_TYPE_PIVOTS.get(kind, ("autre",))[0]
            record = {
                "id": _record_id(site_id),
                "nom": name,
                "pivot": [{"type_service_local": pivot, "code_insee_commune": ["45000"]}],
                "site_internet": [{"libelle": "", "valeur": url}],
                "telephone": [{"valeur": p, "description": ""} for p in phones[:1]],
                "adresse_courriel": emails[0] if emails else "",
                "adresse": [
                    {
                        "type_adresse": "Adresse",
                        "numero_voie": "1 place de la Mairie",
                        "code_postal": "45000",
                        "nom_commune": "Exemple-sur-Loire",
                        "pays": "France",
                    }
                ],
                "plage_ouverture": OFFICE_HOURS,
            }
            out.write(("," if i else "") + json.dumps(record, ensure_ascii=False))
            if link == "host":
                continue
            seed_extra = json.loads(extra) if extra else {}
            seed_extra = {**(seed_extra or {}), "annuaire_id": _record_id(site_id)}
            db.execute(
                "UPDATE run_sites SET extra = ? WHERE run_id = ? AND site_id = ?",
                (json.dumps(seed_extra), run_id, site_id),
            )
        out.write("]")
    return len(sites)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("source", type=Path, help="base SQLite d'une vraie exploration")
    parser.add_argument("target", type=Path, help="nouvelle base à écrire")
    parser.add_argument("--copies", type=int, default=100, help="fois que chaque site figure")
    parser.add_argument(
        "--no-annuaire", dest="annuaire", action="store_false", help="sans import de l'Annuaire"
    )
    parser.add_argument(
        "--link",
        choices=("host", "annuaire_id"),
        default="host",
        help="comment relier sites et fiches : par le domaine, ou par une colonne annuaire_id",
    )
    args = parser.parse_args()
    if args.target.exists():
        sys.exit(f"{args.target} existe déjà")
    shutil.copyfile(args.source, args.target)
    db = sqlite3.connect(args.target)
    (run_id,) = db.execute("SELECT max(id) FROM runs WHERE status = 'finished'").fetchone()
    if run_id is None:
        sys.exit(f"{args.source} : aucune exploration terminée")
    with db:
        replicate(db, run_id, args.copies)
    if args.annuaire:
        with tempfile.TemporaryDirectory() as tmp:
            export = Path(tmp) / "annuaire.json"
            with db:
                count = annuaire_export(db, run_id, export, args.link)
            db.close()
            from crawler.annuaire.importer import import_export
            from crawler.store import Store

            store = Store(f"sqlite:///{args.target}")
            import_export(store, export, date(2026, 12, 1))
            store.close()
            print(f"Annuaire : {count} fiches importées")
    else:
        db.close()
    sites = (
        sqlite3.connect(args.target)
        .execute("SELECT count(*) FROM run_sites WHERE run_id = ?", (run_id,))
        .fetchone()[0]
    )
    print(f"{args.target} : exploration n° {run_id}, {sites} sites")


if __name__ == "__main__":
    main()
