"""``newsarchive backfill`` as a user runs it (the installed entry point, in its own process).

- an unreachable Wayback Machine ends the backfill in seconds with one line and exit 1;
- ``--source all`` (alias of ``--from all``) combines the live sitemaps, the Wayback Machine and
  CC-NEWS: each article is archived once, and each source's run commits its captures (provenance);
- Ctrl-C or a SIGTERM mid-backfill: what was read is committed, the run is partial (exit 4).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import yaml

from archive import Archive
from core.settings import Settings
from core.urls import canonical_url
from outlet_server import Corpus, Faults, OutletServer
from tests.cli.running import child_pids, read_stderr_until
from tests.cli.test_cli_errors import newsarchive
from tests.fixtures.ccnews import CcNewsServer, build_layout
from tests.fixtures.wayback import record_history
from tests.fixtures.wayback_server import WaybackServer

SINCE, UNTIL = date(2026, 10, 1), date(2026, 10, 31)
FAST_ENV = {"NEWSARCHIVE_DELAY_S": "0", "NEWSARCHIVE_AUTOTHROTTLE": "false",
            "NEWSARCHIVE_WAYBACK_CDX_PER_MINUTE": "6000", "NEWSARCHIVE_WAYBACK_REPLAY_PER_MINUTE": "60000"}


@pytest.fixture(scope="module")
def live_outlet(outlet_corpus: Corpus) -> Iterator[OutletServer]:
    with OutletServer(outlet_corpus, faults=Faults(gone=True), host="127.0.0.1", port=0) as server:
        yield server


def outlets_file(tmp_path: Path, server: OutletServer) -> Path:
    path = tmp_path / "outlets.yaml"
    path.write_text(yaml.safe_dump({"outlets": [server.outlet_yaml(id="demo")]}), encoding="utf-8")
    return path


def test_unreachable_wayback_is_one_line_and_exit_1(live_outlet: OutletServer, tmp_path: Path) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    started = time.monotonic()
    result = newsarchive("backfill", "demo", "--source", "wayback", "--since", "2026-10-01", "--until", "2026-10-31",
                         "--wayback-url", f"http://127.0.0.1:{port}", "--outlets", str(outlets_file(tmp_path, live_outlet)),
                         "--archive", str(tmp_path / "archive"),
                         env={"NEWSARCHIVE_WAYBACK_STATE_DIR": str(tmp_path / "state")})
    assert time.monotonic() - started < 30  # the process start-up included; the default retries would take minutes
    assert result.returncode == 1, result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("newsarchive: error:")]
    assert len(errors) == 1 and "unreachable" in errors[0]


def test_source_all_archives_each_article_once_keeping_every_sources_capture(
    live_outlet: OutletServer, outlet_corpus: Corpus, tmp_path: Path
) -> None:
    history = record_history(outlet_corpus, live_outlet.base_url, since=SINCE, until=UNTIL)
    host = live_outlet.base_url.split("://", 1)[1].rstrip("/")
    starts = [datetime(2026, 9, 28, tzinfo=UTC), datetime(2026, 10, 10, tzinfo=UTC), datetime(2026, 10, 20, tzinfo=UTC)]
    layout = build_layout(tmp_path / "ccnews", outlet_corpus, host, starts, scheme="http")
    archive_dir = tmp_path / "archive"
    env = {**FAST_ENV, "NEWSARCHIVE_WAYBACK_STATE_DIR": str(tmp_path / "wb"),
           "NEWSARCHIVE_CCNEWS_STATE_DIR": str(tmp_path / "cc")}
    with WaybackServer(history.captures) as wayback, CcNewsServer(layout.root) as ccnews:
        result = newsarchive("backfill", "demo", "--source", "all", "--since", SINCE.isoformat(),
                             "--until", UNTIL.isoformat(), "--wayback-url", wayback.base_url,
                             "--ccnews-url", ccnews.base_url, "--outlets", str(outlets_file(tmp_path, live_outlet)),
                             "--archive", str(archive_dir), env=env)
        assert result.returncode == 0, result.stderr
        assert [p for p in ccnews.requested if p.endswith(".warc.gz")]

    with Archive.open(str(archive_dir), Settings(spool_dir=tmp_path / "spool")) as archive:
        every_version = list(archive.iter_records(outlet="demo", all_versions=True))
        latest = list(archive.iter_records(outlet="demo"))
        sources = Counter(archive.manifest(o, run).source for o, run in archive.committed_runs("demo"))
    expected = {canonical_url(f"http://x{a.path}").split("/", 3)[3] for a in outlet_corpus.articles
                if SINCE <= a.published.astimezone(outlet_corpus.tz).date() <= UNTIL}
    urls = [r.canonical_url.split("/", 3)[3] for r in latest]
    assert len(urls) == len(set(urls)) and set(urls) == expected  # each article once
    # a second version only where a source saw a different text (the Archive's pre-correction captures)
    assert all(r.version <= 2 for r in every_version)
    assert {r.source for r in latest} >= {"live", "wayback"}  # deleted articles live on in the Wayback Machine
    assert sources["live"] >= 1 and sources["wayback"] >= 1 and sources["ccnews"] >= 1  # every source committed


@pytest.mark.parametrize("how", ["ctrl-c", "kill"])
def test_a_stopped_wayback_backfill_commits_what_it_read_and_exits_partial(
    live_outlet: OutletServer, outlet_corpus: Corpus, tmp_path: Path, how: str
) -> None:
    """Ctrl-C (SIGINT to the process group) or a SIGTERM to ``newsarchive`` alone (``kill``, ``docker stop``)
    mid-backfill: the backfill stops at the next snapshot as on a spent budget, commits what it read, says
    ``partial: stopped early (interrupted)`` and exits 4; its crawl process does not outlive the command."""
    history = record_history(outlet_corpus, live_outlet.base_url, since=SINCE, until=UNTIL)
    archive_dir = tmp_path / "archive"
    env = {**os.environ, **FAST_ENV, "NEWSARCHIVE_WAYBACK_REPLAY_PER_MINUTE": "240",  # 4 snapshots a second
           "NEWSARCHIVE_WAYBACK_STATE_DIR": str(tmp_path / "wb"), "NEWSARCHIVE_PROGRESS_INTERVAL_S": "0.2"}
    exe = Path(sys.executable).with_name("newsarchive")
    with WaybackServer(history.captures) as wayback:
        backfill = subprocess.Popen(
            [str(exe), "backfill", "demo", "--source", "wayback", "--since", SINCE.isoformat(), "--until",
             UNTIL.isoformat(), "--wayback-url", wayback.base_url, "--outlets", str(outlets_file(tmp_path, live_outlet)),
             "--archive", str(archive_dir)],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True, env=env,
        )
        # stopped once a few snapshots were fetched
        fetched, seen = read_stderr_until(backfill, r"(\d+)/(\d+) snapshots fetched", 3)
        assert fetched and backfill.poll() is None, "the backfill is still running:\n" + "".join(seen[-20:])
        planned = int(fetched.group(2))
        children = child_pids(backfill.pid)
        if how == "ctrl-c":
            os.killpg(backfill.pid, signal.SIGINT)
        else:
            os.kill(backfill.pid, signal.SIGTERM)
        _stdout, rest = backfill.communicate(timeout=60)
    stderr = "".join(seen) + rest
    assert backfill.returncode == 4, stderr[-3000:]
    assert "Traceback" not in stderr, stderr[-3000:]
    last = [line for line in stderr.splitlines() if line.strip()][-1]
    assert last.startswith("newsarchive: warning: backfill: demo: partial: stopped early (interrupted)"), last
    assert children and not any(Path(f"/proc/{pid}").exists() for pid in children), "no job process left behind"
    with Archive.open(str(archive_dir), Settings(spool_dir=tmp_path / "spool")) as archive:
        kept = list(archive.iter_records(outlet="demo", all_versions=True))
        runs = archive.committed_runs("demo")
    assert runs, "what was read is committed"
    assert 3 <= len(kept) < planned, f"{len(kept)} of {planned} snapshots: stopped, not finished"
