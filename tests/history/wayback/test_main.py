"""``python -m history.wayback``: JSON request in, JSON summary as the last line of stdout (the DAGs' entry)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

from outlet_server import build_corpus
from tests.fixtures.wayback import record_history
from tests.fixtures.wayback_server import WaybackServer


def run(request: dict[str, object], env: dict[str, str]) -> tuple[int, dict[str, object]]:
    proc = subprocess.run([sys.executable, "-m", "history.wayback", json.dumps(request)],
                          capture_output=True, text=True, env=env, timeout=300, check=False)
    return proc.returncode, json.loads(proc.stdout.strip().splitlines()[-1])


def test_subprocess_entry_prints_the_summary(tmp_path: Path) -> None:
    corpus = build_corpus(seed=5, n_articles=12, start=date(2026, 10, 1), end=date(2026, 10, 8))
    outlet = {"id": "small", "name": "Small", "base_url": "https://small.example/", "timezone": corpus.timezone}
    env = {**os.environ, "NEWSARCHIVE_SPOOL_DIR": str(tmp_path / "spool"), "NEWSARCHIVE_WAYBACK_CDX_PER_MINUTE": "6000"}
    with WaybackServer(record_history(corpus, outlet["base_url"], since=date(2026, 10, 1), until=date(2026, 10, 8)).captures) as wb:
        env["NEWSARCHIVE_WAYBACK_URL"] = wb.base_url  # the Archive's address from the environment
        request = {"outlet_config": outlet, "archive": str(tmp_path / "archive"), "since": "2026-10-01",
                   "until": "2026-10-08", "state_dir": str(tmp_path / "state")}
        code, summary = run(request, env)
    assert code == 0, summary
    assert summary["outlet_id"] == "small" and summary["archived"] == len(corpus.articles) and summary["run_id"]
    assert summary["stats"]["wayback"]["base_url"] == env["NEWSARCHIVE_WAYBACK_URL"]

    code, error = run({**request, "since": "October"}, env)
    assert code == 1 and "not a date" in str(error["error"])
