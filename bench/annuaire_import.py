"""Memory and time of ``vigie annuaire import`` on a national-size export, against reading
the same file with ``json.load``, in the same run.

    .venv/bin/python bench/annuaire_import.py [--records 80000] [--format json|csv]

Writes an export of ``--records`` records in the open export's shape (invented values,
each with the fields Vigie keeps and the long ones it does not — a record of the national
export weighs about 2–3 kB), then measures, each in a fresh process, the peak resident
memory (``ru_maxrss``) and the time of:

- ``vigie annuaire import`` of the file into a new SQLite store (streamed: ijson / csv,
  batches of ``VIGIE_ANNUAIRE_BATCH`` records);
- ``json.load`` of the same file alone (what reading it whole would cost, before any
  writing), for JSON;
- ``vigie annuaire imports`` (the command's own start-up: Python, SQLAlchemy, Alembic).
"""

from __future__ import annotations

import argparse
import csv
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
STRUCTURED = ("pivot", "site_internet", "telephone", "adresse", "plage_ouverture")
LOREM = (
    "Le service accueille le public pour les démarches d'état civil, d'urbanisme et "
    "d'élections ; il renseigne sur les aides et oriente vers les services compétents. "
)


#: Weekday opening hours in the export's shape (also the records of replicate_store.py).
OFFICE_HOURS = [
    {
        "nom_jour_debut": "Lundi",
        "nom_jour_fin": "Vendredi",
        "valeur_heure_debut_1": "08:30:00",
        "valeur_heure_fin_1": "12:00:00",
        "valeur_heure_debut_2": "13:30:00",
        "valeur_heure_fin_2": "17:00:00",
        "commentaire": "",
    }
]


def record(n: int) -> dict:
    commune = f"Commune-{n}"
    return {
        "id": f"{n:08x}-0000-4000-8000-{n:012x}",
        "nom": f"Mairie - {commune}",
        "sigle": "",
        "pivot": [{"type_service_local": "mairie", "code_insee_commune": [f"{n % 99999:05d}"]}],
        "site_internet": [{"libelle": "", "valeur": f"https://www.commune-{n}.fr"}],
        "telephone": [{"valeur": f"02 {n % 100:02d} 91 00 10", "description": ""}],
        "telecopie": [{"valeur": f"02 {n % 100:02d} 91 00 11", "description": ""}],
        "adresse_courriel": f"accueil@commune-{n}.fr",
        "formulaire_contact": f"https://www.commune-{n}.fr/contact",
        "adresse": [
            {
                "type_adresse": "Adresse",
                "complement1": "Hôtel de ville",
                "complement2": "",
                "numero_voie": f"{n % 200} place de la Mairie",
                "service_distribution": "",
                "code_postal": f"{10000 + n % 89999:05d}",
                "nom_commune": commune,
                "pays": "France",
                "longitude": "1.90",
                "latitude": "47.90",
                "accessibilite": "ACC",
                "note_accessibilite": "Accès de plain-pied",
            }
        ],
        "plage_ouverture": OFFICE_HOURS,
        "code_insee_commune": f"{n % 99999:05d}",
        "date_modification": "2026-09-01 10:00:00",
        "siret": f"{n:014d}",
        "siren": f"{n:09d}",
        "url_service_public": f"https://lannuaire.service-public.fr/mairie-{n}",
        # Fields Vigie does not keep, as long as the real export's.
        "information_complementaire": LOREM * 4,
        "hierarchie": [{"type_hierarchie": "Service Fils", "service": f"{n:08x}-ccas"}],
        "competence": LOREM * 2,
        "mission": LOREM * 2,
        "texte_reference": [{"libelle": "Code général des collectivités", "valeur": ""}],
        "reseau_social": [{"custom_dico2": "Facebook", "valeur": f"https://fb.example/c{n}"}],
    }


def write_export(path: Path, count: int, fmt: str) -> None:
    if fmt == "json":
        with open(path, "w", encoding="utf-8") as stream:
            stream.write("[")
            for n in range(count):
                stream.write(("," if n else "") + json.dumps(record(n), ensure_ascii=False))
            stream.write("]")
        return
    keys = list(record(0))
    with open(path, "w", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream, delimiter=";")
        writer.writerow(keys)
        for n in range(count):
            row = record(n)
            writer.writerow(
                [
                    json.dumps(row[k], ensure_ascii=False) if isinstance(row[k], list) else row[k]
                    for k in keys
                ]
            )


def measure(args: list[str]) -> tuple[float, float]:
    """Peak RSS (MiB) and seconds of one child process (alone: ``ru_maxrss`` of children
    is the largest child so far, so the biggest is run last)."""
    start = time.perf_counter()
    subprocess.run(args, check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
    elapsed = time.perf_counter() - start
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=80_000)
    parser.add_argument("--format", choices=("json", "csv"), default="json")
    opts = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="vigie-annuaire-") as folder:
        export = Path(folder) / f"annuaire.{opts.format}"
        write_export(export, opts.records, opts.format)
        size = export.stat().st_size / 2**20
        db = f"sqlite:///{Path(folder) / 'vigie.db'}"
        vigie = [sys.executable, "-m", "crawler.cli", "annuaire"]
        subprocess.run(
            [sys.executable, "-c", f"from crawler.store import Store; Store({db!r})"],
            check=True,
            cwd=ROOT,
        )
        # Children's peak RSS only grows: smallest first.
        base_rss, _ = measure([*vigie, "imports", "--db", db])
        import_rss, import_s = measure([*vigie, "import", str(export), "--db", db])
        print(f"export : {opts.records} fiches, {opts.format}, {size:.0f} Mio")
        print(f"vigie annuaire imports (démarrage) : {base_rss:.0f} Mio")
        print(f"vigie annuaire import : {import_rss:.0f} Mio au plus, {import_s:.1f} s")
        if opts.format == "json":
            load_rss, load_s = measure(
                [sys.executable, "-c", f"import json; json.load(open({str(export)!r}))"]
            )
            print(f"json.load du même fichier seul : {load_rss:.0f} Mio au plus, {load_s:.1f} s")


if __name__ == "__main__":
    main()
