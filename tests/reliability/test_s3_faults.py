"""S3 faults (issue 9, point 2): a crawl into SeaweedFS through the fault proxy finishes whatever S3 does —
503 SlowDown, 500, connections reset mid-upload, slow answers, an outage for the whole run — and no article
is lost: transient faults are retried (botocore), an outage spools the run locally and the next run flushes
it. Every object a committed manifest lists is read back and its SHA-256 checked (:func:`harness.audit`).
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from archive import Archive, S3Store
from core.registry import Outlet
from core.settings import Settings
from loopback_servers.seaweedfs import S3Server
from outlet_server import OutletServer, build_corpus
from tests.archive.conftest import make_record
from tests.reliability.fault_proxy import S3FaultProxy
from tests.reliability.harness import FIGURES, audit, crawl, expected_urls

pytestmark = pytest.mark.s3

WINDOW = (date(2026, 1, 1), date(2026, 12, 31))

#: Each transient fault, switched on for a whole crawl: how the proxy injects it.
TRANSIENT: dict[str, Callable[[S3FaultProxy], None]] = {
    # One in three uploads throttled (S3's SlowDown), six times in the run (botocore's adaptive mode also
    # slows its own request rate after each: this is the slowest of the four).
    "slowdown_503": lambda proxy: proxy.fail("slowdown", times=6, every=3, methods=("PUT", "POST")),
    # One in four requests of any kind answered 500 InternalError, six times.
    "internal_500": lambda proxy: proxy.fail("error500", times=6, every=4),
    # One in three uploads cut: half the body read, then the connection reset; six times.
    "reset_mid_upload": lambda proxy: proxy.fail("reset", times=6, every=3, methods=("PUT",)),
    # Every answer 150 ms late.
    "slow": lambda proxy: setattr(proxy, "delay_s", 0.15),
}


@pytest.fixture(scope="module")
def s3_outlet() -> Iterator[OutletServer]:
    with OutletServer(build_corpus(seed=3, n_articles=20)) as server:
        yield server


@pytest.mark.parametrize("fault", list(TRANSIENT))
def test_transient_s3_faults_are_retried_and_nothing_is_lost(fault: str, s3_outlet: OutletServer,
                                                             fault_proxy: S3FaultProxy, proxied_env: dict[str, str],
                                                             s3_bucket: str, tmp_path: Path) -> None:  # fmt: skip
    outlet = Outlet.model_validate(s3_outlet.outlet_yaml())
    settings = Settings(spool_dir=tmp_path / "spool")  # default retries: s3_max_attempts=8, adaptive
    uri = f"s3://{s3_bucket}/news"
    TRANSIENT[fault](fault_proxy)

    summary = crawl(outlet, uri, window=WINDOW, settings=settings, env=proxied_env, logs=tmp_path / "logs")

    if fault == "slow":
        FIGURES.faults_injected["s3 slow answer"] += len(fault_proxy.log)
    else:
        assert fault_proxy.injected() == 6, "every planned fault was met"
    assert summary.committed and "spooled" not in summary.stats, "retries absorbed the faults: nothing spooled"
    with Archive.open(uri, settings) as archive:
        result = audit(archive, tmp_path)
    expected = expected_urls(s3_outlet, WINDOW)
    assert FIGURES.account(expected, result.exported_urls) == [], "no article lost"
    assert sorted(result.exported_urls) == expected and set(result.exported_urls.values()) == {1}
    assert result.unreferenced == [] and set(result.record_objects.values()) == {1}
    assert result.manifest_objects_verified >= len(expected) + 3  # records + WARC + index + manifest


def test_outage_for_a_whole_run_spools_and_the_next_run_flushes(s3_outlet: OutletServer, fault_proxy: S3FaultProxy,
                                                                proxied_env: dict[str, str], s3_bucket: str,
                                                                tmp_path: Path) -> None:  # fmt: skip
    outlet = Outlet.model_validate(s3_outlet.outlet_yaml())
    settings = Settings(spool_dir=tmp_path / "spool", s3_max_attempts=2, s3_connect_timeout_s=1, s3_read_timeout_s=5)
    uri = f"s3://{s3_bucket}/news"
    expected = expected_urls(s3_outlet, WINDOW)

    fault_proxy.outage = True
    down = crawl(outlet, uri, window=WINDOW, settings=settings, env=proxied_env, logs=tmp_path / "logs")
    assert fault_proxy.injected() > 0
    assert not down.committed and down.archived == len(expected), "the crawl finished; its run is not committed"
    spooled = list((tmp_path / "spool").rglob("meta.json"))
    assert down.stats["spooled"] == len(spooled) >= len(expected) + 1, "every record and the WARC file spooled"
    with Archive.open(uri, settings) as archive:
        assert audit(archive, tmp_path).exported == [], "nothing reached S3 during the outage"

    fault_proxy.outage = False
    up = crawl(outlet, uri, window=WINDOW, settings=settings, env=proxied_env, logs=tmp_path / "logs")
    assert up.committed
    assert list((tmp_path / "spool").rglob("meta.json")) == [], "the spool was flushed"
    with Archive.open(uri, settings) as archive:
        result = audit(archive, tmp_path)
        warc = archive.export("warc", tmp_path / "all.warc.gz")
    assert FIGURES.account(expected, result.exported_urls) == [], "no article lost"
    assert sorted(result.exported_urls) == expected and set(result.exported_urls.values()) == {1}
    assert result.committed_runs == [up.run_id] and result.unreferenced == []
    assert warc.missing_raw == 0, "the spooled WARC file was flushed too"


def test_multipart_upload_survives_a_reset_part_and_a_throttled_completion(s3_server: S3Server,
                                                                           fault_proxy: S3FaultProxy, s3_bucket: str,
                                                                           monkeypatch: pytest.MonkeyPatch,
                                                                           tmp_path: Path) -> None:  # fmt: skip
    """WARC files above the threshold go up in parts: a part cut mid-upload and a throttled completion are
    retried, and the object reads back verified."""
    monkeypatch.setenv("AWS_ENDPOINT_URL", fault_proxy.endpoint_url)
    settings = replace(Settings(), s3_multipart_threshold=5 * 1024 * 1024)
    store = S3Store(s3_bucket, "big", settings=settings)
    path = tmp_path / "big.warc.gz"
    path.write_bytes(os.urandom(11 * 1024 * 1024))  # three parts
    fault_proxy.fail("reset", path=r"partNumber=2", methods=("PUT",))
    fault_proxy.fail("slowdown", path=r"uploadId=", methods=("POST",))  # the completion (the create has ?uploads)
    info = store.put("warc/big.warc.gz", path)
    assert fault_proxy.injected() == 2
    assert store.get("warc/big.warc.gz", sha256=info.sha256) == path.read_bytes()


def test_a_damaged_spool_entry_is_set_aside_and_the_rest_flushed(tmp_path: Path) -> None:
    """Spooled objects carry their SHA-256: an entry damaged on local disk is never put, and never blocks the
    entries behind it (the spool flushes oldest first)."""
    settings = Settings(spool_dir=tmp_path / "spool")
    archive = Archive.open(str(tmp_path / "archive"), settings)
    records = [make_record("demo", n) for n in range(3)]
    entries = []
    for record in records:
        data = record.to_json_bytes()
        key = f"records/demo/spooled/{record.canonical_url.rsplit('-', 1)[-1]}.json"
        entries.append(archive.spool.add(key, data, sha256=hashlib.sha256(data).hexdigest(), kind="record"))
    damaged = entries[0].data_path
    damaged.write_bytes(damaged.read_bytes()[:-20] + b"\x00" * 20)  # bit rot in the oldest entry

    run = archive.begin_run("demo")
    run.commit({})
    assert run.counts["flushed"] == 2 and run.counts["spool_damaged"] == 1
    assert len(archive.spool) == 0, "nothing left to flush"
    kept = [p for p in archive.spool.root.iterdir() if p.name.startswith(".damaged-")]
    assert len(kept) == 1 and (kept[0] / "meta.json").exists(), "set aside for a human, not deleted"
    assert sorted(r.canonical_url for r in archive.iter_records()) == sorted(r.canonical_url for r in records[1:])


def test_the_command_line_says_partial_while_s3_is_down_and_ok_once_it_flushed(
    s3_outlet: OutletServer, fault_proxy: S3FaultProxy, proxied_env: dict[str, str], s3_bucket: str, tmp_path: Path
) -> None:
    """``newsarchive crawl`` as a user runs it: an S3 outage is exit 4 (partial) with one line saying what was
    spooled, never 0 (the work is not in the archive yet) and never a traceback; the next run stores it: exit 0."""
    from core.errors import ExitCode
    from tests.cli.test_cli_errors import newsarchive
    from tests.cli.test_contract import FAST, last_line, write_outlets

    outlets = write_outlets(tmp_path / "outlets.yaml", s3_outlet.outlet_yaml(id="demo"))
    env = {**proxied_env, **FAST, "NEWSARCHIVE_SPOOL_DIR": str(tmp_path / "spool"), "NEWSARCHIVE_S3_MAX_ATTEMPTS": "2",
           "NEWSARCHIVE_S3_CONNECT_TIMEOUT_S": "1", "NEWSARCHIVE_S3_READ_TIMEOUT_S": "5"}
    args = ("crawl", "demo", "--outlets", str(outlets), "--archive", f"s3://{s3_bucket}/news",
            "--since", WINDOW[0].isoformat(), "--until", WINDOW[1].isoformat())

    fault_proxy.outage = True
    down = newsarchive(*args, env=env)
    assert down.returncode == ExitCode.PARTIAL, down.stderr
    assert re.fullmatch(r"newsarchive: warning: crawl: demo: partial: \d+ object\(s\) spooled locally \(the store failed\); "
                        r"the next run stores them \(exit 4\)", last_line(down)), last_line(down)
    spooled = list((tmp_path / "spool").rglob("meta.json"))
    assert spooled, "the run's objects wait in the spool"

    fault_proxy.outage = False
    up = newsarchive(*args, env=env)
    assert up.returncode == ExitCode.OK, up.stderr
    assert last_line(up) == "crawl: demo: ok: finished and committed (exit 0)"
    assert list((tmp_path / "spool").rglob("meta.json")) == [], "the spool was flushed"
    settings = Settings(spool_dir=tmp_path / "spool")
    with Archive.open(f"s3://{s3_bucket}/news", settings) as archive:
        result = audit(archive, tmp_path)
    assert sorted(result.exported_urls) == expected_urls(s3_outlet, WINDOW), "every article archived once"
    assert set(result.exported_urls.values()) == {1}
