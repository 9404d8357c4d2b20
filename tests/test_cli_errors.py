"""Every user mistake and every broken store: one French line, a documented exit code,
no traceback, and nothing created or changed that the user did not ask for (issues 12
point 14 and 13 points 4 and 5)."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from support import ROOT, html_page, serving, vigie

from crawler.commands import exitcodes
from crawler.store import Store

#: What argparse or Python would print in English: never on a user's screen.
ENGLISH = re.compile(
    r"usage:|error:|Traceback|the following arguments|invalid choice|unrecognized arguments|"
    r"expected one argument|invalid int value|show this help"
)


def one_french_error(proc: subprocess.CompletedProcess[str], code: int, *words: str) -> None:
    """The process failed with ``code`` and said why in French, without a traceback."""
    assert proc.returncode == code, (proc.returncode, proc.stderr[-2000:])
    assert not ENGLISH.search(proc.stderr), proc.stderr
    errors = [line for line in proc.stderr.splitlines() if "erreur" in line]
    assert len(errors) == 1, proc.stderr
    for word in words:
        assert word in errors[0], errors[0]


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def seeds(tmp_path: Path) -> Path:
    path = tmp_path / "sites.csv"
    path.write_text("id,name,url,type\nm,Mairie,http://127.0.0.1:9/,mairie\n", encoding="utf-8")
    return path


# -- usage: argparse in French, values checked ------------------------------------------


@pytest.mark.parametrize(
    "args, words",
    [
        (["crawl", "--max-pages-per-site", "-5"], ("--max-pages-per-site", "positif")),
        (["crawl", "--depth", "trois"], ("--depth", "entier")),
        (["crawl", "--max-error-rate", "150 %"], ("--max-error-rate",)),
        (["crawl", "--inconnue"], ("arguments inconnus", "--inconnue")),
        (["table"], ("obligatoires", "-o")),
        (["table", "-o", "x.csv", "--format", "ods"], ("choix invalide", "ods")),
        (["inspect"], ("obligatoires",)),
        (["commande-inconnue"], ("choix invalide",)),
    ],
)
def test_argparse_speaks_french_and_exits_with_the_usage_code(args, words):
    one_french_error(vigie(*args), exitcodes.USAGE, *words)


def test_help_and_version_are_french():
    helped = vigie("crawl", "--help")
    assert helped.returncode == 0
    assert helped.stdout.startswith("utilisation : vigie crawl")
    assert "afficher cette aide et quitter" in helped.stdout
    assert not ENGLISH.search(helped.stdout)
    version = vigie("--version")
    assert version.returncode == 0 and re.fullmatch(r"vigie \S+\n", version.stdout)


def test_a_missing_seed_file_creates_no_database(tmp_path):
    db = tmp_path / "v.db"
    proc = vigie("crawl", "--seeds", str(tmp_path / "absent.csv"), "--db", f"sqlite:///{db}")
    one_french_error(proc, exitcodes.USAGE, "absent.csv")
    assert not db.exists()


def test_read_only_commands_never_create_a_database(tmp_path):
    db = tmp_path / "faute-de-frappe.db"
    for args in (["runs"], ["table", "-o", str(tmp_path / "t.csv")], ["report", "-o", "r"]):
        one_french_error(
            vigie(*args, "--db", f"sqlite:///{db}"), exitcodes.USAGE, "base introuvable"
        )
        assert not db.exists()


@pytest.mark.parametrize(
    "url, code, word",
    [
        ("sqlite:////dossier/qui/n/existe/pas/v.db", exitcodes.USAGE, "dossier"),
        ("mongodb://127.0.0.1/vigie", exitcodes.USAGE, "non pris en charge"),
        ("pas une url", exitcodes.USAGE, "invalide"),
        ("postgresql+psycopg://vigie@127.0.0.1:1/vigie", exitcodes.ERROR, "injoignable"),
    ],
)
def test_a_wrong_db_is_one_french_line(seeds, url, code, word):
    one_french_error(vigie("crawl", "--seeds", str(seeds), "--db", url), code, word)


def test_an_unreachable_redis_is_one_french_line(seeds, tmp_path):
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))  # bound, never listening: refused at once
    try:
        port = closed.getsockname()[1]
        proc = vigie(
            "crawl",
            "--seeds",
            str(seeds),
            "--db",
            f"sqlite:///{tmp_path / 'v.db'}",
            "--run-label",
            "w1",
            "--redis",
            f"redis://127.0.0.1:{port}/0",
        )
    finally:
        closed.close()
    one_french_error(proc, exitcodes.ERROR, "Redis injoignable")


# -- broken stores: one line, and the file untouched --------------------------------------


def _store_with_a_run(path: Path) -> None:
    from crawler.aggregation import finish_run
    from crawler.seeds import Seed

    store = Store(f"sqlite:///{path}")
    finish_run(store, store.start_run([Seed("m", "Mairie", "https://m.fr/", "mairie")]))
    store.close()


def test_a_corrupt_or_truncated_sqlite_file_is_reported_and_left_untouched(tmp_path, seeds):
    corrupt = tmp_path / "corrompue.db"
    corrupt.write_bytes(bytes(range(256)) * 40)
    truncated = tmp_path / "tronquee.db"
    _store_with_a_run(truncated)
    with truncated.open("r+b") as f:  # keep the header page, cut the rest
        f.truncate(4096)
    for path in (corrupt, truncated):
        before = digest(path)
        files = set(tmp_path.iterdir())
        url = f"sqlite:///{path}"
        for args in (
            ["runs", "--db", url],
            ["table", "-o", str(tmp_path / "t.csv"), "--db", url],
            ["crawl", "--seeds", str(seeds), "--db", url, "--no-audit", "--no-report"],
        ):
            proc = vigie(*args)
            one_french_error(proc, exitcodes.ERROR, path.name)
        assert digest(path) == before
        assert set(tmp_path.iterdir()) == files  # no journal, no table file written


def test_a_read_only_sqlite_store_cannot_be_crawled_into_and_is_left_untouched(tmp_path, seeds):
    path = tmp_path / "archive.db"
    _store_with_a_run(path)
    before = digest(path)
    url = f"sqlite:///file:{path}?mode=ro&uri=true"
    proc = vigie("crawl", "--seeds", str(seeds), "--db", url, "--no-audit", "--no-report")
    one_french_error(proc, exitcodes.ERROR, "lecture seule")
    assert digest(path) == before
    listing = vigie("runs", "--db", url, "--json")  # reading it still works
    assert listing.returncode == 0, listing.stderr
    assert [run["status"] for run in json.loads(listing.stdout)] == ["finished"]


def test_two_processes_creating_one_sqlite_store_at_once_both_succeed(tmp_path):
    """The schema is created under SQLite's write lock: without it one of two processes
    failed about one time in three ("table alembic_version already exists")."""
    code = "import sys; from crawler.store import Store; Store(sys.argv[1]).close()"
    for attempt in range(6):
        url = f"sqlite:///{tmp_path / f'neuve-{attempt}.db'}"
        procs = [
            subprocess.Popen(
                [sys.executable, "-c", code, url],
                cwd=ROOT,
                stderr=subprocess.PIPE,
                text=True,
            )
            for _ in range(3)
        ]
        for proc in procs:
            _, err = proc.communicate(timeout=120)
            assert proc.returncode == 0, err[-2000:]


def test_a_store_opened_while_another_process_writes_a_new_file_waits_for_it(tmp_path):
    """The race behind the rare failure of the test above, made certain: a file still in
    rollback mode, another connection holding its write lock. SQLite refuses the switch to
    WAL at once there ("database is locked", its busy handler not called); opening the
    store must wait for the writer instead, as any other statement does."""
    import sqlite3
    import threading

    path = tmp_path / "en-cours.db"
    writer = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    writer.execute("CREATE TABLE other_process (x)")
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("INSERT INTO other_process VALUES (1)")
    commit = threading.Timer(0.5, writer.execute, ("COMMIT",))
    commit.start()
    try:
        store = Store(f"sqlite:///{path}")
    finally:
        commit.join()
        writer.close()
    with store, store.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("SELECT count(*) FROM other_process").scalar() == 1


# -- exit codes of a crawl, table to standard output, runs for monitoring -------------------


@pytest.fixture(scope="module")
def one_page_site():
    with serving({"/": html_page("<p>Standard : 01 23 45 67 89</p>")}) as base:
        yield f"{base}/"


def _crawl(seeds: Path, db: str, *extra: str) -> subprocess.CompletedProcess[str]:
    return vigie(
        "crawl",
        "--seeds",
        str(seeds),
        "--db",
        db,
        "--quiet",
        "--allow-private",
        "--no-audit",
        "--no-report",
        "-s",
        "DOWNLOAD_TIMEOUT=2",
        "-s",
        "RETRY_TIMES=0",
        "-s",
        "AUTOTHROTTLE_START_DELAY=0.05",
        "-s",
        "DOWNLOAD_DELAY=0",
        *extra,
        timeout=240,
    )


def test_crawl_exit_codes_tell_how_it_went(tmp_path, one_page_site):
    """One site up, one down: 0 by default, 4 when half the sites in error is too many."""
    seeds = tmp_path / "s.csv"
    seeds.write_text(
        f"id,name,url,type\nup,En ligne,{one_page_site},mairie\n"
        "down,Hors ligne,http://127.0.0.1:9/,mairie\n",
        encoding="utf-8",
    )
    db = f"sqlite:///{tmp_path / 'v.db'}"
    ok = _crawl(seeds, db, "--max-error-rate", "60%")
    assert ok.returncode == exitcodes.OK, ok.stderr[-2000:]
    # The store is whole in its file once vigie has exited (its SQLite connections closed,
    # the WAL folded back): a copy of v.db alone holds the run.
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s.csv", "v.db"]
    too_many = _crawl(seeds, db, "--max-error-rate", "0.2")
    assert too_many.returncode == exitcodes.ERROR_RATE, too_many.stderr[-2000:]
    assert "1 sites sur 2 en erreur" in too_many.stderr

    table = vigie("table", "--db", db, "--format", "csv", "-o", "-")
    assert table.returncode == 0, table.stderr
    assert not (ROOT / "-").exists()
    rows = list(csv.reader(io.StringIO(table.stdout)))
    assert rows[0][0] == "run_id" and len(rows) == 3  # header and two sites
    excel = vigie("table", "--db", db, "--format", "csv", "--csv-excel", "-o", "-")
    assert excel.stdout.startswith("\ufeff") and ";" in excel.stdout.splitlines()[0]
    needs_format = vigie("table", "--db", db, "-o", "-")
    one_french_error(needs_format, exitcodes.USAGE, "--format")

    runs = json.loads(vigie("runs", "--db", db, "--json").stdout)
    assert [r["status"] for r in runs] == ["finished", "finished"]
    assert set(runs[0]) >= {"id", "label", "status", "started_at", "sites", "pages", "errors"}
    assert runs[0]["sites"] == 2 and runs[0]["pages"] == 1


def test_inspect_fail_on_gates_a_deployment(tmp_path):
    page = tmp_path / "p.html"
    page.write_text(
        "<html lang='fr'><head><title>Contact</title></head><body>"
        "<p>Standard : 01 23 45 67 89</p></body></html>",
        encoding="utf-8",
    )
    base = ["inspect", str(page), "--base-url", "https://m.fr/contact"]
    assert vigie(*base, "--fail-on", "phone").returncode == exitcodes.OK
    failed = vigie(*base, "--fail-on", "phone,a11y_mention")
    assert failed.returncode == exitcodes.FAILED_CHECKS
    assert "a11y_mention : absent" in failed.stderr
    one_french_error(vigie(*base, "--fail-on", "téléphone"), exitcodes.USAGE, "téléphone")
    one_french_error(vigie(*base, "--fail-on", "critical"), exitcodes.USAGE, "--render")


def test_inspect_on_an_image_is_not_a_page(tmp_path):
    image = tmp_path / "logo.png"
    image.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(200))
    one_french_error(vigie("inspect", str(image), "--json"), exitcodes.USAGE, "pas une page HTML")


def test_the_exit_codes_are_documented():
    """docs/exit-codes.md lists every code the command line uses, with its meaning."""
    doc = (ROOT / "docs" / "exit-codes.md").read_text(encoding="utf-8")
    rows = dict(re.findall(r"^\| `(\d+)` \| ([^|]+) \|", doc, re.M))
    assert {int(code) for code in rows} == set(exitcodes.MEANINGS)
    assert "docs/exit-codes.md" in (ROOT / "README.md").read_text(encoding="utf-8")


def test_a_bad_setting_stops_the_crawl_before_it_starts(tmp_path, seeds):
    """A setting a component rejects is a French line and a failed run, not a crawl that
    'finished' with every site in error, nor a process waiting forever for its workers."""
    db = tmp_path / "v.db"
    url = f"sqlite:///{db}"
    networks = vigie("crawl", "--seeds", str(seeds), "--db", url, "-s", "VIGIE_ALLOWED_NETWORKS=x")
    one_french_error(networks, exitcodes.USAGE, "VIGIE_ALLOWED_NETWORKS")
    assert not db.exists()
    robots = vigie(
        "crawl", "--seeds", str(seeds), "--db", url, "--quiet", "--no-audit", "--no-report",
        "-s", "VIGIE_ROBOTSTXT_PARSE_BYTES=0", timeout=60,
    )  # fmt: skip
    one_french_error(robots, exitcodes.ERROR, "n'a pas pu démarrer")
    assert [run["status"] for run in Store(url).list_runs()] == ["failed"]


@pytest.mark.parametrize("read", [0, 10], ids=["reader-gone-before", "reader-gone-during"])
def test_a_reader_that_stops_reading_ends_the_command_quietly(tmp_path, read):
    """``vigie inspect --json page | head``: the output stops where the reader did, with
    the code of a Unix tool stopped by SIGPIPE, and no Python traceback, whether the
    reader left before anything was written (the flush at exit) or in the middle of a
    1 MB answer (a write inside the command)."""
    lines = "".join(
        f"<p><a href='/p{i}'>Page {i}</a> Tél. 01 23 45 {i % 100:02d} {i // 100:02d}</p>"
        for i in range(3000)
    )
    page = tmp_path / "page.html"
    page.write_text(f"<html lang='fr'><head><title>M</title></head><body>{lines}</body></html>")
    proc = subprocess.Popen(
        [sys.executable, "-m", "crawler.cli", "inspect", "--json", str(page)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    if read:
        assert proc.stdout.read(read).startswith(b"{")
    proc.stdout.close()
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=120) == exitcodes.OUTPUT_CLOSED, err[-2000:]
    assert err == ""
