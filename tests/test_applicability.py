"""Checks that do not apply, and reviewed exceptions: ``not_applicable`` with its reason,
out of coverage, back by itself after the end date (issue 13 point 3)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from checks.site import NOT_APPLICABLE, SiteCheck, apply_applicability, engagement_coverage
from crawler.aggregation import finish_run
from crawler.exceptions import Exemption
from crawler.seeds import Seed
from crawler.store import Store
from reports.table import findings_table


def _checks(**statuses: str) -> list[SiteCheck]:
    return [SiteCheck(c, s, None, None, 1 if s == "found" else 0) for c, s in statuses.items()]


def test_a_check_that_does_not_apply_reads_not_applicable_with_why():
    out = {
        sc.check_id: sc
        for sc in apply_applicability(
            _checks(franceconnect="absent", chat="error", oups_link="found", phone="absent"),
            "mairie",
        )
    }
    assert out["franceconnect"].status == NOT_APPLICABLE
    assert "« mairie »" in out["franceconnect"].error
    assert out["chat"].status == NOT_APPLICABLE  # not even "could not run"
    assert out["oups_link"].status == "found"  # what the site offers stays shown
    assert out["phone"].status == "absent"  # a town hall is asked for a phone


def test_an_excused_check_is_out_of_coverage_not_a_failure():
    checks = apply_applicability(
        _checks(appointment="absent", phone="found"),
        "prefecture",
        lambda check_id: "accueil sans rendez-vous" if check_id == "appointment" else None,
    )
    statuses = {sc.check_id: sc.status for sc in checks}
    assert statuses["appointment"] == NOT_APPLICABLE
    coverage = engagement_coverage(2, {**statuses})
    states = {e.element.key: e.state for e in coverage.elements}
    assert states["appointment"] == NOT_APPLICABLE
    assert coverage.total == 5  # six elements, the excused one not counted


def _run(store: Store, site: Seed, started: date, exceptions: list[dict]) -> int:
    run_id = store.start_run([site], settings={"VIGIE_EXCEPTIONS": exceptions})
    with store.engine.begin() as conn:  # the run's start day decides which exceptions hold
        from sqlalchemy import update

        from crawler.store import runs

        conn.execute(
            update(runs)
            .where(runs.c.id == run_id)
            .values(started_at=datetime.combine(started, time(10), tzinfo=UTC))
        )
    page = {
        "run_id": run_id,
        "site_id": site.id,
        "url": site.url,
        "status_code": 200,
        "depth": 0,
        "bytes": 100,
        "fetched_at": store.run(run_id)["started_at"],
        "duration_s": 0.1,
        "title": "Accueil",
    }
    store.write_batch([(page, [])], [])
    finish_run(store, run_id)
    return run_id


def test_an_exception_holds_until_its_end_date_then_comes_back(tmp_path):
    store = Store(f"sqlite:///{tmp_path / 'v.db'}")
    site = Seed("pref", "Préfecture", "https://pref.example.fr/", "prefecture")
    excused = Exemption("pref", "appointment", "accueil sans rendez-vous", date(2027, 6, 30))
    before = _run(store, site, date(2027, 6, 30), [excused.to_dict()])
    after = _run(store, site, date(2027, 7, 1), [excused.to_dict()])
    first = findings_table(store, before).iloc[0]
    second = findings_table(store, after).iloc[0]
    assert first["appointment"] == NOT_APPLICABLE
    assert second["appointment"] == "absent"  # the end date passed: it counts again
    assert first["engagement_2_counted"] == 5 and second["engagement_2_counted"] == 6
    rows = {r["check_id"]: r for r in store.site_checks_of_run(before)}
    assert rows["appointment"]["error"] == (
        "exception revue : accueil sans rendez-vous, jusqu'au 30/06/2027"
    )
    assert rows["franceconnect"]["status"] == "absent"  # applies to a préfecture
