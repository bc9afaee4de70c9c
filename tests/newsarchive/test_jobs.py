"""``newsarchive.jobs``: one request shape in, one result line out, for a crawl and a backfill alike.

The child (``python -m newsarchive.jobs -``) gets its settings in the request, never from its
environment, and prints credentials nowhere.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from archive import Archive, layout
from core.errors import CrawlError
from core.registry import Outlet
from core.settings import Settings
from newsarchive.jobs import CHILD_COMMAND, JobRequest, child_env, run_job
from outlet_server import OutletServer, build_corpus
from tests.fixtures.wayback import record_history
from tests.fixtures.wayback_server import WaybackServer

SECRET = "wJalrXUtnFEMI-K7MDENG-job-secret"


def child(request: JobRequest, env: dict[str, str] | None = None) -> tuple[int, dict[str, Any], str]:
    """Run the child by hand: exit code, its last line of stdout, its stderr."""
    proc = subprocess.run([sys.executable, *CHILD_COMMAND], input=request.to_json(), capture_output=True, text=True,
                          env=child_env(env), timeout=300, check=False)  # fmt: skip
    return proc.returncode, json.loads(proc.stdout.strip().splitlines()[-1]), proc.stderr


def test_the_request_reaches_the_job_function(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Each kind runs its function with the request's outlets, window, options and settings."""
    import crawler.runner
    import history.wayback
    from ingest.summary import RunSummary

    calls: list[tuple[str, tuple[Any, ...], dict[str, Any]]] = []

    def fake(kind: str) -> Any:
        def run(*args: Any, **kwargs: Any) -> Any:
            calls.append((kind, args, kwargs))
            summary = RunSummary(outlet_id="demo", run_id="r", archived=0, versions=0, skipped={}, failed=0,
                                 seconds=0.0, committed=True, stats={})  # fmt: skip
            return [summary] if kind == "crawl" else summary
        return run

    monkeypatch.setattr(crawler.runner, "run_crawl", fake("crawl"))
    monkeypatch.setattr(history.wayback, "backfill_from_wayback", fake("backfill"))
    outlet = Outlet(id="demo", name="Demo", base_url="https://demo.example/")
    settings = Settings(spool_dir=tmp_path / "spool", wayback_url="http://127.0.0.1:1/", concurrency=9)
    window = {"since": date(2026, 10, 1), "until": date(2026, 10, 31)}

    crawl = JobRequest.build("crawl", [outlet], "s3://b/news", settings=settings, refresh_days=3, throttle=False, **window)
    assert len(JobRequest.from_json(crawl.to_json()).run()) == 1
    backfill = JobRequest.build("backfill", [outlet], "s3://b/news", settings=settings, pick="all",
                                state_dir=tmp_path / "state", **window)  # fmt: skip
    assert len(JobRequest.from_json(backfill.to_json()).run()) == 1

    (_, crawl_args, crawl_kwargs), (_, backfill_args, backfill_kwargs) = calls
    assert crawl_args == ([outlet], "s3://b/news")
    assert crawl_kwargs == {**window, "settings": settings, "refresh_days": 3, "throttle": False}
    assert backfill_args == (outlet, "s3://b/news", window["since"], window["until"])
    assert backfill_kwargs == {"settings": settings, "pick": "all", "state_dir": tmp_path / "state"}
    with pytest.raises(Exception, match="unknown job kind 'mirror'"):
        JobRequest.build("mirror", [outlet], "s3://b/news", since=None, until=None)


def test_a_backfill_job_gets_its_settings_not_the_environment(tmp_path: Path) -> None:
    corpus = build_corpus(seed=5, n_articles=12, start=date(2026, 10, 1), end=date(2026, 10, 8))
    outlet = Outlet(id="small", name="Small", base_url="https://small.example/", timezone=corpus.timezone)
    history = record_history(corpus, outlet.base_url, since=date(2026, 10, 1), until=date(2026, 10, 8))
    env = {"NEWSARCHIVE_WAYBACK_URL": "http://127.0.0.1:9/", "NEWSARCHIVE_SPOOL_DIR": str(tmp_path / "elsewhere")}
    with WaybackServer(history.captures) as wb:
        settings = Settings(spool_dir=tmp_path / "spool", wayback_url=wb.base_url, wayback_cdx_per_minute=6000)
        request = JobRequest.build("backfill", [outlet], str(tmp_path / "archive"), since=date(2026, 10, 1),
                                   until=date(2026, 10, 8), settings=settings, state_dir=tmp_path / "state")  # fmt: skip
        (summary,) = run_job(request, env=env, timeout_s=300)
    assert summary.outlet_id == "small" and summary.archived == len(corpus.articles) and summary.run_id
    assert summary.stats["wayback"]["base_url"] == wb.base_url  # the request's setting, not the environment's
    assert not (tmp_path / "elsewhere").exists()


def test_a_crawl_job_gets_its_settings(outlet_server: OutletServer, tmp_path: Path) -> None:
    """A non-default setting (WARC files of at most 64 KB) reaches the crawl in the child."""
    outlet = Outlet.model_validate(outlet_server.outlet_yaml(id="demo"))
    settings = Settings(spool_dir=tmp_path / "spool", warc_max_bytes=64 * 1024)
    request = JobRequest.build("crawl", [outlet], str(tmp_path / "archive"), since=date(2026, 1, 1),
                               until=date(2026, 12, 31), settings=settings, throttle=False)  # fmt: skip
    (summary,) = run_job(request, env={"NEWSARCHIVE_WARC_MAX_BYTES": str(100 * 1024 * 1024)}, timeout_s=300)
    assert summary.archived > 0 and summary.committed
    with Archive.open(str(tmp_path / "archive"), settings) as archive:
        manifest = archive.manifest("demo", summary.run_id)
    warcs = [entry for entry in manifest.objects if layout.parse_warc_key(entry.key)]
    assert len(warcs) > 1 and all(entry.size < 2 * 64 * 1024 for entry in warcs)


def test_a_failed_job_prints_one_error_line_without_credentials(tmp_path: Path) -> None:
    outlet = Outlet(id="small", name="Small", base_url="https://small.example/")
    request = JobRequest.build("backfill", [outlet], str(tmp_path / "archive"), since=None, until=None,
                               settings=Settings(spool_dir=tmp_path / "spool"))  # fmt: skip
    request.since = "October"
    code, line, _ = child(request)
    assert code == 1 and line == {"error": "not a date (YYYY-MM-DD): 'October'"}
    with pytest.raises(CrawlError, match="not a date"):
        run_job(request)

    request.since = f"{SECRET}-https://user:hunter2@example.org/"
    for kind in ("crawl", "backfill"):
        request.kind = kind
        code, line, stderr = child(request, {"AWS_SECRET_ACCESS_KEY": SECRET})
        assert code == 1 and "not a date" in line["error"]
        assert SECRET not in line["error"] + stderr and "hunter2" not in line["error"] + stderr
        with pytest.raises(CrawlError) as failed:
            run_job(request, env={"AWS_SECRET_ACCESS_KEY": SECRET})
        assert "not a date" in str(failed.value) and SECRET not in str(failed.value) and "hunter2" not in str(failed.value)
    assert SECRET not in os.environ.get("AWS_SECRET_ACCESS_KEY", "")  # the parent's environment is untouched


def test_a_malformed_request_is_an_error_line() -> None:
    proc = subprocess.run([sys.executable, *CHILD_COMMAND], input='{"kind": "crawl"}', capture_output=True, text=True,
                          env=child_env(), timeout=120, check=False)  # fmt: skip
    assert proc.returncode == 1 and json.loads(proc.stdout.strip().splitlines()[-1])["error"].startswith("TypeError")
