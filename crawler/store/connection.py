"""Opening a store: the engine, its schema brought up to date, and errors people can read.

A store is opened by every command, often by several processes at once (a crawl and a
``vigie table`` reading it, two scheduled crawls started together, the workers of a
distributed crawl), and its URL is typed by people. So opening it:

* never creates a database for a command that only reads (``create=False``): a mistyped
  SQLite path is an error, not a new empty store;
* creates or migrates the schema under a lock, so that two processes opening one new store
  at once do not both create it: PostgreSQL's advisory lock, SQLite's own write lock
  (``BEGIN IMMEDIATE``: the second process waits for the first one's commit, then finds
  the schema at its head);
* turns every failure into a :class:`StoreError` whose message is one French sentence
  (file missing, not a database, read-only, server down, unknown URL scheme…), and writes
  nothing to a file it cannot use.
"""

from __future__ import annotations

import os
import sqlite3
import time
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError, SQLAlchemyError
from sqlalchemy.pool import NullPool

#: PostgreSQL advisory lock key held while the schema is created or migrated.
_PG_MIGRATION_LOCK = 7431001


class StoreError(Exception):
    """The store cannot be opened or used; the message says why, in French.

    ``usage``: the user named it wrongly (a bad URL, a missing file or folder), as opposed
    to a store that exists but fails (corrupt, read-only, server down).
    """

    def __init__(self, message: str, usage: bool = False) -> None:
        super().__init__(message)
        self.usage = usage


#: How long a connection waits for another process's lock (SQLite's busy timeout), seconds.
_BUSY_TIMEOUT_S = 30.0


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    """WAL lets ``vigie table`` read while a crawl writes; NORMAL sync is safe with WAL.

    The busy timeout makes a second writer (another crawl, the schema lock) wait instead of
    failing at once.
    """
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute(f"PRAGMA busy_timeout={int(_BUSY_TIMEOUT_S * 1000)}")
        _switch_to_wal(cursor)
        cursor.execute("PRAGMA synchronous=NORMAL")
    finally:
        cursor.close()


def _switch_to_wal(cursor: Any) -> None:
    """``PRAGMA journal_mode=WAL``, waiting like any other statement for a writer to finish.

    A file still in rollback mode (a store being created) is switched by reading its header
    then writing it; if another process holds the write lock between the two, SQLite
    answers "database is locked" at once, without calling the busy handler (it does so for
    every read-to-write upgrade, which could deadlock: its documentation of
    ``sqlite3_busy_handler``). Here nothing is held (no transaction is open), so waiting is
    safe: the pragma is retried until the busy timeout, as the busy handler would have.
    Seen when three processes opened one new store at once: the second switched while the
    first created the schema.
    """
    deadline = time.monotonic() + _BUSY_TIMEOUT_S
    pause = 0.005
    while True:
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() + pause > deadline:
                raise
        time.sleep(pause)
        pause = min(pause * 2, 0.2)


def _sqlite_read_pragmas(dbapi_connection: Any, _record: Any) -> None:
    """A store opened only to be read changes nothing in its file (no journal mode)."""
    dbapi_connection.execute(f"PRAGMA busy_timeout={int(_BUSY_TIMEOUT_S * 1000)}")


def sqlite_path(url: str) -> Path | None:
    """The file of an SQLite URL; ``None`` for another database or an in-memory one."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        return None
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    database = parsed.database
    if parsed.query.get("uri") in ("true", "1") and database.startswith("file:"):
        # sqlite:///file:chemin.db?mode=ro&uri=true, SQLite's URI filenames
        database = database[len("file:") :].split("?", 1)[0]
        if database in ("", ":memory:") or parsed.query.get("mode") == "memory":
            return None
    return Path(database)


def _read_only_uri(url: str) -> bool:
    """An SQLite URI opened with ``mode=ro``: SQLite refuses every write."""
    parsed = make_url(url)
    return parsed.get_backend_name() == "sqlite" and parsed.query.get("mode") == "ro"


def open_engine(url: str, write: bool = True) -> Engine:
    """An engine on ``url`` whose schema is at this Vigie's head revision.

    ``write=False`` (commands that only read): the database must exist already, and an
    SQLite file is not switched to WAL (a read-only copy stays readable). ``write=True``:
    an SQLite file is created if absent, and must be writable if present.
    """
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise StoreError(
            f"adresse de base invalide : {url!r} (attendu : sqlite:///chemin/vigie.db ou "
            "postgresql+psycopg://utilisateur@hôte/base)",
            usage=True,
        ) from exc
    path = sqlite_path(url)
    if path is not None:
        _check_sqlite_file(path, write)
        if write and _read_only_uri(url):
            raise StoreError(f"base en lecture seule : {path} (ouverte avec mode=ro)")
    try:
        engine = create_engine(url)
    except NoSuchModuleError as exc:
        raise StoreError(
            f"type de base non pris en charge : {parsed.drivername!r} (SQLite : sqlite:///…, "
            "PostgreSQL : postgresql+psycopg://… avec pip install -e '.[postgres]')",
            usage=True,
        ) from exc
    except (ArgumentError, ImportError) as exc:
        raise StoreError(f"base {describe(url)} inutilisable : {exc}") from exc
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas if write else _sqlite_read_pragmas)
    try:
        _migrate(engine)
    except StoreError:
        engine.dispose()
        raise
    except SQLAlchemyError as exc:
        engine.dispose()
        raise translate(exc, url) from exc
    return engine


def _check_sqlite_file(path: Path, write: bool) -> None:
    if path.is_dir():
        raise StoreError(f"base SQLite : {path} est un dossier, pas un fichier", usage=True)
    if path.exists():
        if write and not (os.access(path, os.W_OK) and os.access(path.parent, os.W_OK)):
            raise StoreError(
                f"base en lecture seule : {path} (droits d'écriture sur le fichier et son "
                "dossier nécessaires)"
            )
        return
    if not write:
        raise StoreError(
            f"base introuvable : {path} n'existe pas (vérifiez --db ; une base est créée par "
            "« vigie crawl »)",
            usage=True,
        )
    if not path.parent.is_dir():
        raise StoreError(f"base SQLite : le dossier {path.parent} n'existe pas", usage=True)


def _migrate(engine: Engine) -> None:
    """Create or migrate the schema, one process at a time."""
    from crawler import migrations  # imports Alembic, whose env imports the schema

    if engine.dialect.name == "sqlite":
        with engine.connect() as conn:
            if migrations.current(conn) == migrations.head():
                return  # the common case: no write lock taken
        _migrate_sqlite_locked(engine.url)
        return
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            # Workers of a distributed crawl start together: one migrates the schema.
            conn.execute(text(f"SELECT pg_advisory_xact_lock({_PG_MIGRATION_LOCK})"))
        migrations.upgrade(conn)


def _migrate_sqlite_locked(url: Any) -> None:
    """Migrate an SQLite store inside one ``BEGIN IMMEDIATE`` transaction.

    SQLAlchemy's documented pysqlite recipe (the driver's own transaction handling off, the
    ``begin`` event emitting BEGIN) on an engine of its own: the write lock is taken before
    the revision is read, so a second process waits, then finds the schema at its head and
    does nothing. Alembic runs inside that transaction (it sees it and opens none).
    """
    from crawler import migrations

    engine = create_engine(url, poolclass=NullPool)

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        dbapi_connection.execute("PRAGMA busy_timeout=60000")

    @event.listens_for(engine, "begin")
    def _begin(conn: Any) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE")

    try:
        with engine.begin() as conn:
            migrations.upgrade(conn)
    finally:
        engine.dispose()


def describe(url: str) -> str:
    """The store as people name it: the SQLite file, or the URL without its password."""
    path = sqlite_path(url)
    if path is not None:
        return str(path)
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return url


def translate(exc: SQLAlchemyError, url: str) -> StoreError:
    """One French sentence for a database error met while using the store at ``url``."""
    where = describe(url)
    message = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
    lowered = message.lower()
    if "file is not a database" in lowered or "malformed" in lowered:
        return StoreError(f"{where} n'est pas une base Vigie lisible (fichier corrompu ?)")
    if "readonly" in lowered or "read-only" in lowered:
        return StoreError(f"base en lecture seule : {where} (droits d'écriture nécessaires)")
    if "unable to open database" in lowered:
        return StoreError(f"base impossible à ouvrir : {where}")
    if "locked" in lowered:
        return StoreError(f"base occupée par un autre processus : {where} (réessayez)")
    if isinstance(exc, DBAPIError) and exc.connection_invalidated or "connect" in lowered:
        return StoreError(f"base injoignable : {where} ({message})")
    return StoreError(f"erreur de la base {where} : {message}")
