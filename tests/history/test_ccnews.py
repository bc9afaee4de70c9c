"""CC-NEWS as a backfill source, against a CC-NEWS-shaped layout (built with warcio) on a local HTTP server.

The layout (tests.fixtures.ccnews) holds five WARC files — one from September, three in the window's
month (the last of them cut short mid-record) and one after the window — with the demo outlet's
articles under ``demo.example`` among the same pages under ``other.example``, ``notdemo.example`` and
``demo.example.evil.example``, and a PNG of the outlet in each file.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from archive import Archive
from core.errors import ExitCode
from core.registry import Outlet
from core.settings import Settings
from core.urls import canonical_url
from history.ccnews import backfill_from_ccnews, files_for_window
from history.ccnews.source import CcNewsFile, parse_listing
from ingest.tally import CrawlTally
from outlet_server import Corpus
from tests.fixtures.ccnews import CcNewsLayout, CcNewsServer, build_layout

SINCE, UNTIL = date(2026, 10, 5), date(2026, 10, 20)
HOST = "demo.example"
STARTS = [datetime(2026, 9, 20, tzinfo=UTC), datetime(2026, 10, 1, tzinfo=UTC), datetime(2026, 10, 8, tzinfo=UTC),
          datetime(2026, 10, 15, tzinfo=UTC), datetime(2026, 10, 25, tzinfo=UTC)]


@pytest.fixture(scope="module")
def layout(outlet_corpus: Corpus, tmp_path_factory: pytest.TempPathFactory) -> CcNewsLayout:
    return build_layout(tmp_path_factory.mktemp("ccnews"), outlet_corpus, HOST, STARTS, truncate_index=3)


@pytest.fixture
def server(layout: CcNewsLayout) -> Iterator[CcNewsServer]:
    with CcNewsServer(layout.root) as running:
        yield running


@pytest.fixture
def outlet(outlet_corpus: Corpus) -> Outlet:
    return Outlet.model_validate({"id": "demo", "name": outlet_corpus.site_name, "base_url": f"https://{HOST}/",
                                  "language": "en", "timezone": outlet_corpus.timezone})


def settings_for(tmp_path: Path, **overrides: Any) -> Settings:
    return Settings(spool_dir=tmp_path / "spool", **overrides)


def run(outlet: Outlet, server: CcNewsServer, tmp_path: Path, **overrides: Any) -> Any:
    return backfill_from_ccnews(outlet, str(tmp_path / "archive"), SINCE, UNTIL, ccnews_url=server.base_url,
                                settings=settings_for(tmp_path, **overrides), state_dir=tmp_path / "state")


def test_files_whose_span_can_hold_the_window() -> None:
    files = [CcNewsFile(start, f"CC-NEWS-{start:%Y%m%d%H%M%S}-0.warc.gz") for start in STARTS]
    start, end = datetime(2026, 10, 4, tzinfo=UTC), datetime(2026, 10, 23, tzinfo=UTC)
    assert files_for_window(files, start, end) == files[1:4]
    listing = b"crawl-data/CC-NEWS/2026/10/CC-NEWS-20261001000000-00001.warc.gz\nnot-a-warc.txt\n"
    assert [f.key for f in parse_listing(listing)] == ["crawl-data/CC-NEWS/2026/10/CC-NEWS-20261001000000-00001.warc.gz"]


def test_every_in_window_article_of_the_outlet_once(
    outlet: Outlet, outlet_corpus: Corpus, layout: CcNewsLayout, server: CcNewsServer, tmp_path: Path
) -> None:
    summary = run(outlet, server, tmp_path)
    warcs_read = [p for p in server.requested if p.endswith(".warc.gz")]
    assert layout.truncated is not None
    truncated_key, cut_url = layout.truncated
    expected = {
        canonical_url(f"https://{HOST}{a.path}") for a in outlet_corpus.articles
        if SINCE <= a.published.astimezone(outlet_corpus.tz).date() <= UNTIL
    } - {canonical_url(cut_url)}
    stored = list(Archive.open(str(tmp_path / "archive"), settings_for(tmp_path)).iter_records(
        outlet="demo", all_versions=True))
    urls = [r.canonical_url for r in stored]
    assert len(urls) == len(set(urls))  # exactly once
    assert set(urls) == expected and summary.archived == len(expected) >= 5
    assert all(r.url.startswith(f"https://{HOST}/") for r in stored)  # none of the other hosts
    assert all(r.source == "ccnews" and r.snapshot_timestamp for r in stored)
    keys = set(layout.contents)
    assert all(r.raw["source_warc"] in keys and isinstance(r.raw["source_offset"], int) for r in stored)
    # the WARC files whose span can hold the window, each streamed once: not September's, not the late one
    assert sorted(warcs_read) == sorted(f"/{k}" for k in list(layout.contents)[1:4])
    ccnews = summary.stats["ccnews"]
    assert ccnews["truncated_files"] == [truncated_key]
    assert ccnews["outcomes"]["not_article"] >= 3  # the outlet's PNG of each file read
    assert ccnews["outcomes"]["out_of_window"] > 0  # by the extracted date, though the file was read
    assert CrawlTally.adds_up(summary.stats) and summary.outcome.exit_code == ExitCode.OK

    server.requested.clear()
    again = run(outlet, server, tmp_path)
    assert not [p for p in server.requested if p.endswith(".warc.gz")]  # no WARC file read again
    assert again.archived == 0 and again.stats["ccnews"]["files_known"] == 3
    assert again.outcome.exit_code == ExitCode.OK


def test_unreachable_endpoint_fails_fast(outlet: Outlet, tmp_path: Path) -> None:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    summary = backfill_from_ccnews(outlet, str(tmp_path / "archive"), SINCE, UNTIL,
                                   ccnews_url=f"http://127.0.0.1:{port}", settings=settings_for(tmp_path),
                                   state_dir=tmp_path / "state")
    assert summary.unreachable and summary.outcome.exit_code == ExitCode.FAILED


def test_budget_stops_after_the_files_it_allows(
    outlet: Outlet, server: CcNewsServer, tmp_path: Path
) -> None:
    # the listings of September and October (2 requests) + 2 WARC files
    summary = run(outlet, server, tmp_path, backfill_max_requests=4)
    assert summary.stopped == "budget:requests" and summary.outcome.exit_code == ExitCode.PARTIAL
    assert summary.stats["ccnews"]["files_read"] == 2 and summary.archived > 0


def test_from_an_s3_bucket(
    outlet: Outlet, outlet_corpus: Corpus, layout: CcNewsLayout, s3_bucket: str, tmp_path: Path
) -> None:
    """The same layout in a SeaweedFS bucket, read through boto3 (signed: SeaweedFS requires credentials)."""
    import boto3

    client = boto3.client("s3")
    for path in layout.root.rglob("*"):
        if path.is_file():
            client.put_object(Bucket=s3_bucket, Key=str(path.relative_to(layout.root)), Body=path.read_bytes())
    summary = backfill_from_ccnews(outlet, str(tmp_path / "archive"), SINCE, UNTIL, ccnews_url=f"s3://{s3_bucket}",
                                   settings=settings_for(tmp_path), state_dir=tmp_path / "state")
    assert layout.truncated is not None
    expected = {
        canonical_url(f"https://{HOST}{a.path}") for a in outlet_corpus.articles
        if SINCE <= a.published.astimezone(outlet_corpus.tz).date() <= UNTIL
    } - {canonical_url(layout.truncated[1])}
    stored = {r.canonical_url for r in Archive.open(str(tmp_path / "archive"), settings_for(tmp_path)).iter_records(
        outlet="demo")}
    assert stored == expected and summary.stats["ccnews"]["files_read"] == 3
    assert summary.outcome.exit_code == ExitCode.OK


def test_resumes_after_kill_9_without_reading_a_committed_file_again(
    outlet: Outlet, outlet_corpus: Corpus, layout: CcNewsLayout, server: CcNewsServer, tmp_path: Path
) -> None:
    import json
    import os
    import signal
    import subprocess
    import sys
    import time

    from newsarchive.jobs import CHILD_COMMAND, JobRequest, child_env

    files = list(layout.contents)[1:4]  # the three files the window reads, in order
    server.delays[files[2].rsplit("/", 1)[-1]] = 60.0  # the last one is slow: the kill lands while it downloads
    request = JobRequest.build("ccnews", [outlet], str(tmp_path / "archive"), since=SINCE, until=UNTIL,
                               settings=settings_for(tmp_path), ccnews_url=server.base_url,
                               state_dir=str(tmp_path / "state"))
    child = subprocess.Popen([sys.executable, *CHILD_COMMAND], stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL, env=child_env(), text=True)
    assert child.stdin is not None
    child.stdin.write(request.to_json())
    child.stdin.close()
    deadline = time.monotonic() + 60
    done: list[str] = []
    while time.monotonic() < deadline and len(done) < 2:
        time.sleep(0.1)
        done = [json.loads(line)[1] for path in (tmp_path / "state").rglob("done.jsonl")
                for line in path.read_text().splitlines()]
    os.kill(child.pid, signal.SIGKILL)
    child.wait()
    assert done == files[:2]

    server.delays.clear()
    server.requested.clear()
    summary = run(outlet, server, tmp_path)  # the killed job's lease: its holder is gone, so it is taken over
    assert [p for p in server.requested if p.endswith(".warc.gz")] == [f"/{files[2]}"]
    assert summary.stats["ccnews"]["files_known"] == 2
    assert layout.truncated is not None
    expected = {
        canonical_url(f"https://{HOST}{a.path}") for a in outlet_corpus.articles
        if SINCE <= a.published.astimezone(outlet_corpus.tz).date() <= UNTIL
    } - {canonical_url(layout.truncated[1])}
    stored = [r.canonical_url for r in Archive.open(str(tmp_path / "archive"), settings_for(tmp_path)).iter_records(
        outlet="demo", all_versions=True)]
    assert sorted(stored) == sorted(expected)
