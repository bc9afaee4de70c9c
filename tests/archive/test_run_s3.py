"""Runs on S3 (SeaweedFS): the archive round-trips, an independent client (awscli) agrees,
and when S3 is down records spool locally and are flushed by the next run."""

from __future__ import annotations

import hashlib
import json
import os
import socket
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import boto3
import pytest
from botocore.config import Config

from archive import Archive
from core.settings import Settings
from loopback_servers.seaweedfs import S3Server
from tests.archive.conftest import capture, make_record

pytestmark = pytest.mark.s3


@pytest.fixture
def s3_settings(settings: Settings) -> Settings:
    return replace(settings, s3_max_attempts=1, s3_connect_timeout_s=1, s3_read_timeout_s=5)


def closed_port_url() -> str:
    """An endpoint where nothing listens: connections are refused, as when S3 is unreachable."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def aws(server: S3Server, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "awscli", "s3", *args], env={"PATH": "/usr/bin:/bin", **server.env()},
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip


def test_archive_on_s3_round_trips_and_awscli_agrees(s3_server: S3Server, s3_bucket: str, s3_settings: Settings,
                                                      tmp_path: Path) -> None:  # fmt: skip
    archive = Archive.open(f"s3://{s3_bucket}/news", s3_settings)
    run = archive.begin_run("demo")
    for n in range(5):
        ptr = capture(run, f"http://127.0.0.1:8000/2026/10/{n + 1:02d}/story-{n}/", b"<html>%d</html>" % n)
        assert run.add_article(make_record("demo", n, raw=ptr)) == "new"
    capture(run, "http://127.0.0.1:8000/category/world/", b"<html>section page</html>")
    manifest = run.commit({"requests": 6})
    assert manifest.committed and not manifest.spooled
    # PUTs: 5 records + 1 WARC + pack + index + manifest + marker = 10 for 5 articles (below 1.2 from ~25 on).
    assert len(manifest.objects) == 8

    again = Archive.open(f"s3://{s3_bucket}/news", s3_settings)
    rerun = again.begin_run("demo")
    assert [rerun.add_article(make_record("demo", n)) for n in range(5)] == ["duplicate"] * 5
    rerun.commit({})
    assert len(list(again.iter_records(outlet="demo"))) == 5
    summary = again.export("jsonl", tmp_path / "s3.jsonl", outlet="demo")
    assert summary.records == 5
    warc_summary = again.export("warc", tmp_path / "s3.warc.gz")
    assert warc_summary.records == 5 and warc_summary.missing_raw == 0

    listing = aws(s3_server, "ls", "--recursive", f"s3://{s3_bucket}/news/")
    assert listing.returncode == 0, listing.stderr
    listed = {line.split()[-1] for line in listing.stdout.splitlines()}
    for entry in manifest.objects:
        assert f"news/{entry.key}" in listed
    assert f"news/runs/demo/{run.run_id}/COMMITTED" in listed
    warc_key = next(e.key for e in manifest.objects if e.key.startswith("warc/"))
    record_entry = next(e for e in manifest.objects if e.key.startswith("records/"))
    copy = aws(s3_server, "cp", f"s3://{s3_bucket}/news/{warc_key}", str(tmp_path / "copy.warc.gz"))
    assert copy.returncode == 0, copy.stderr
    check = subprocess.run([sys.executable, "-m", "warcio.cli", "check", str(tmp_path / "copy.warc.gz")],
                           capture_output=True, text=True)  # fmt: skip
    assert check.returncode == 0, check.stdout + check.stderr
    copy = aws(s3_server, "cp", f"s3://{s3_bucket}/news/{record_entry.key}", str(tmp_path / "record.json"))
    assert copy.returncode == 0, copy.stderr
    assert hashlib.sha256((tmp_path / "record.json").read_bytes()).hexdigest() == record_entry.sha256
    assert json.loads((tmp_path / "record.json").read_text())["outlet"] == "demo"


def test_when_s3_is_down_records_spool_and_the_next_run_flushes_them(
    s3_bucket: str, s3_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    uri = f"s3://{s3_bucket}/news"
    endpoint = os.environ["AWS_ENDPOINT_URL"]
    monkeypatch.setenv("AWS_ENDPOINT_URL", closed_port_url())
    down = Archive.open(uri, s3_settings)
    run = down.begin_run("demo")
    for n in range(3):
        ptr = capture(run, f"http://127.0.0.1:8000/2026/10/{n + 1:02d}/story-{n}/", b"<html>%d</html>" % n)
        assert run.add_article(make_record("demo", n, raw=ptr)) == "new"
    manifest = run.commit({"articles_archived": 3})
    assert not manifest.committed
    assert sorted(k.split("/")[0] for k in manifest.spooled) == ["records"] * 3 + ["warc"]
    assert len(down.spool) == 4

    monkeypatch.setenv("AWS_ENDPOINT_URL", endpoint)  # S3 is back
    up = Archive.open(uri, s3_settings)
    assert up.index.known_canonical_urls("demo") == set()
    next_run = up.begin_run("demo")
    assert next_run.counts["flushed"] == 4 and len(up.spool) == 4, "kept until the flushing run commits"
    assert next_run.add_article(make_record("demo", 1)) == "duplicate"  # flushed records count for dedup
    assert next_run.commit({}).committed and len(up.spool) == 0
    records = list(up.iter_records(outlet="demo"))
    assert sorted(r.canonical_url for r in records) == sorted(make_record("demo", n).canonical_url for n in range(3))
    assert up.export("warc", Path(s3_settings.spool_dir).parent / "x.warc.gz").records == 3


def test_s3_failing_mid_run_loses_nothing(s3_bucket: str, s3_settings: Settings) -> None:
    uri = f"s3://{s3_bucket}/news"
    archive = Archive.open(uri, s3_settings)
    run = archive.begin_run("demo")
    run.add_article(make_record("demo", 0))
    run.add_article(make_record("demo", 1))
    # Fault injection: S3 becomes unreachable (a real refused connection, not a mock).
    run.store.client = boto3.client(  # type: ignore[attr-defined]
        "s3", endpoint_url=closed_port_url(), config=Config(retries={"mode": "adaptive", "max_attempts": 1})
    )
    run.add_article(make_record("demo", 2))
    manifest = run.commit({})
    assert not manifest.committed
    fresh = Archive.open(uri, s3_settings)
    assert fresh.index.known_canonical_urls("demo") == set()
    fresh.begin_run("demo").commit({})
    assert fresh.index.known_canonical_urls("demo") == {make_record("demo", n).canonical_url for n in range(3)}
