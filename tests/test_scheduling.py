"""Scheduling as documented: the systemd unit's command is idempotent; cron and timer parse.

Also the Scrapyd way: ``scrapy crawl sites -a seeds=FILE -a run_label=…`` opens and
closes its own run in the store.
"""

from __future__ import annotations

import configparser
import datetime as dt
import re
import shlex
import subprocess
import sys
from pathlib import Path

from crawler.demo.server import DemoWeb
from crawler.store import Store
from reports.table import findings_table

ROOT = Path(__file__).resolve().parents[1]
DEPLOY = ROOT / "docs/deploy"


def _unit(name: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    parser.optionxform = str  # systemd keys are case-sensitive
    parser.read(DEPLOY / name, encoding="utf-8")
    return parser


def test_timer_and_cron_are_well_formed():
    timer = _unit("vigie.timer")
    assert timer["Timer"]["OnCalendar"].startswith("Mon")
    assert timer["Timer"]["Persistent"] == "true"
    lines = [
        line
        for line in (DEPLOY / "vigie.cron").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]
    assert len(lines) == 1
    fields = lines[0].split(None, 5)
    assert fields[:5] == ["0", "2", "*", "*", "1"]
    command = fields[5]
    assert "vigie crawl" in command and "--run-label" in command
    assert "%" not in command.replace("\\%", "")  # cron needs % escaped


def test_the_systemd_command_runs_once_per_week(tmp_path):
    exec_start = _unit("vigie.service")["Service"]["ExecStart"]
    script = shlex.split(exec_start)[-1].replace("%%", "%")  # systemd's % escape
    vigie = f"{shlex.quote(sys.executable)} -m crawler.cli"
    script = (
        script.replace("/srv/vigie/.venv/bin/vigie", vigie).replace("/srv/vigie", str(tmp_path))
        + " --allow-private --no-audit -s DOWNLOAD_TIMEOUT=2 -s AUTOTHROTTLE_START_DELAY=0.05"
    )
    with DemoWeb() as web:
        (tmp_path / "sites.csv").write_text(
            f"id,name,url,type\nmairie,Mairie,{web.url('mairie')},mairie\n", encoding="utf-8"
        )
        runs = [
            subprocess.run(
                ["/bin/sh", "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=240
            )
            for _ in range(2)
        ]
    for proc in runs:
        assert proc.returncode == 0, proc.stderr[-2000:]
    assert "déjà terminée" in runs[1].stdout
    store = Store(f"sqlite:///{tmp_path / 'vigie.db'}")
    [run] = store.list_runs()
    year, week, _ = dt.date.today().isocalendar()
    assert run["label"] == f"{year}-W{week:02d}"
    assert re.fullmatch(r"\d{4}-W\d{2}", run["label"])
    assert (tmp_path / "rapport/index.html").exists()


def test_scrapy_crawl_as_scrapyd_runs_it_opens_and_closes_a_run(tmp_path):
    with DemoWeb() as web:
        seeds = tmp_path / "sites.csv"
        seeds.write_text(f"id,name,url,type\nm,Mairie,{web.url('mairie')},mairie\n")
        db = f"sqlite:///{tmp_path / 'v.db'}"
        proc = subprocess.run(
            [
                sys.executable,
                "-m",
                "scrapy",
                "crawl",
                "sites",
                "-a",
                f"seeds={seeds}",
                "-a",
                "run_label=scrapyd-1",
                "-s",
                f"VIGIE_DB_URL={db}",
                "-s",
                "VIGIE_ALLOW_PRIVATE=True",
                "-s",
                "LOG_LEVEL=ERROR",
                "-s",
                "AUTOTHROTTLE_START_DELAY=0.05",
            ],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=240,
        )
    assert proc.returncode == 0, proc.stderr[-2000:]
    store = Store(db)
    [run] = store.list_runs()
    assert run["label"] == "scrapyd-1" and run["status"] == "finished"
    row = findings_table(store).iloc[0]
    assert row["status"] == "ok" and row["phone"] == "found"
