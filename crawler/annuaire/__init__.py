"""The Annuaire de l'administration in Vigie: its export imported, sites linked to their
records, and each site's contacts cross-checked against its record.

* :mod:`~crawler.annuaire.export`: reading an export file (JSON, JSON lines, or CSV with
  JSON-encoded cells), streamed, record by record, malformed ones reported by line;
* :mod:`~crawler.annuaire.importer`: an export into the store, as one import among the
  history of imports (``vigie annuaire import``);
* :mod:`~crawler.annuaire.links`: which record goes with which site (the seed's
  ``annuaire_id`` column, or the record's website host);
* :mod:`~crawler.annuaire.crosscheck`: per site of a run, the field comparisons of
  :mod:`checks.annuaire` against the import in force when the run finished.

The comparisons themselves are pure functions in :mod:`checks.annuaire`.
"""
