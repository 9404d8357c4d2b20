"""The store's schema migrations (``crawler/migrations``): a new store is at the head, a
store made before the migrations is adopted with its runs, and the revisions build exactly
the tables of ``crawler/store.py`` — on SQLite, and on PostgreSQL when started."""

from __future__ import annotations

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, insert, inspect, select

from crawler import migrations
from crawler.store import Store, metadata, now, runs


def _revision(url: str) -> str | None:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return migrations.current(conn)
    finally:
        engine.dispose()


def _differences(url: str) -> list:
    """What Alembic's autogenerate would still add to the database to match the code."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return compare_metadata(MigrationContext.configure(conn), metadata)
    finally:
        engine.dispose()


def _baseline_tables(engine) -> None:
    """The tables of the baseline revision and no revision stamp: a store made by
    ``metadata.create_all`` when the baseline's tables were all there was (today's
    ``metadata`` has the later revisions' tables too)."""
    config = Config()
    config.set_main_option("script_location", str(migrations.HERE))
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, migrations.BASELINE)
        conn.exec_driver_sql("DROP TABLE alembic_version")


def test_a_new_store_is_at_the_head_revision(tmp_path):
    url = f"sqlite:///{tmp_path / 'v.db'}"
    Store(url)
    assert migrations.head() is not None
    assert _revision(url) == migrations.head()
    Store(url)  # opening it again changes nothing
    assert _revision(url) == migrations.head()


def test_a_store_made_before_the_migrations_is_adopted_with_its_runs(tmp_path):
    """Such a store has the baseline's tables and no revision: it is stamped, then upgraded."""
    url = f"sqlite:///{tmp_path / 'old.db'}"
    engine = create_engine(url)
    _baseline_tables(engine)  # what Store() did before crawler/migrations existed
    with engine.begin() as conn:
        conn.execute(insert(runs).values(started_at=now(), status="finished", seeds_count=3))
    engine.dispose()
    assert _revision(url) is None
    store = Store(url)
    assert _revision(url) == migrations.head()
    with store.engine.connect() as conn:
        assert conn.execute(select(runs.c.seeds_count)).scalars().all() == [3]


def test_the_revisions_build_exactly_the_tables_of_the_code(tmp_path):
    """Change a table in crawler/store.py without a revision and this fails (see
    crawler/migrations/__init__.py for the command that writes one)."""
    url = f"sqlite:///{tmp_path / 'v.db'}"
    Store(url)
    assert _differences(url) == []
    assert set(inspect(create_engine(url)).get_table_names()) == {
        *metadata.tables,
        "alembic_version",
    }


def test_the_revisions_build_exactly_the_tables_of_the_code_on_postgresql(pg_url):
    Store(pg_url)
    assert _revision(pg_url) == migrations.head()
    assert _differences(pg_url) == []


def test_a_difference_between_the_revisions_and_the_code_is_caught(tmp_path):
    """The comparison sees a difference when the database lacks what the code has."""
    url = f"sqlite:///{tmp_path / 'v.db'}"
    Store(url)
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.exec_driver_sql("DROP INDEX ix_pages_run_site")
    engine.dispose()
    assert [d[0] for d in _differences(url)] == ["add_index"]


def test_french_error_kinds_of_old_runs_become_english_ids(tmp_path):
    """Revision 0006: the kinds stored in French (« délai dépassé », « HTTP 503 ») read as
    the ids of ``crawler.error_kinds`` after the upgrade, and back on downgrade."""
    url = f"sqlite:///{tmp_path / 'kinds.db'}"
    engine = create_engine(url)
    config = Config()
    config.set_main_option("script_location", str(migrations.HERE))
    old = [
        "délai dépassé",
        "HTTP 503",
        "adresse privée",
        "robots.txt",
        "piège",
        "timeout",  # already an id: left as it is
        "ConnectionLost",
    ]
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "0005")
        for i, kind in enumerate(old):
            conn.exec_driver_sql(
                "INSERT INTO crawl_errors (run_id, site_id, url, kind, reason, is_home, at) "
                "VALUES (1, 's', ?, ?, 'r', 0, '2026-12-01 00:00:00')",
                (f"http://s.fr/{i}", kind),
            )
        command.upgrade(config, "head")
        kinds = [r[0] for r in conn.exec_driver_sql("SELECT kind FROM crawl_errors ORDER BY id")]
        expected = [
            "timeout",
            "http_503",
            "private_address",
            "robots_forbidden",
            "trap",
            "timeout",
            "download_failed",
        ]
        assert kinds == expected
        command.downgrade(config, "0005")
        kinds = [r[0] for r in conn.exec_driver_sql("SELECT kind FROM crawl_errors ORDER BY id")]
        assert kinds == [*old[:5], "délai dépassé", "download_failed"]
    engine.dispose()
