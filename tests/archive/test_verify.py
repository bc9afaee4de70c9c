"""verify and gc on real stores: runs killed with SIGKILL leave objects behind; verify reports them,
gc deletes exactly those (never a committed run's object, never a running crawl's), and damage to a
committed run is found and named."""

from __future__ import annotations

import gzip
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from archive import Archive, collect_garbage, layout, verify_archive
from archive.inventory import RUN_OBJECT_PREFIXES
from archive.lease import CrawlLease
from archive.manifest import CommitMarker, Manifest
from archive.spool import Spool
from archive.stores import LocalStore
from archive.verify import _WarcMembers
from core.errors import ArchiveError
from core.settings import Settings
from tests.archive.conftest import capture, make_record

ROOT = Path(__file__).resolve().parents[2]
NOW = timedelta(0)  # --older-than 0: the runs of a test are seconds old

#: A crawl in a child process: takes the outlet's lease, archives articles ``first``..``first+count-1``
#: (WARC files roll every two captures), prints its run id, then is killed with SIGKILL — before its
#: commit ("write"), or in it, once its pack and index file are stored ("commit").
CHILD = """
import json, os, random, signal, sys
from datetime import timedelta
from pathlib import Path
from archive import Archive
from archive.lease import CrawlLease
from core.errors import ArchiveError
from core.settings import Settings
from tests.archive.conftest import capture, make_record

uri, spool, outlet, first, count, stage = sys.argv[1:]
archive = Archive.open(uri, Settings(spool_dir=Path(spool), warc_max_bytes=64 * 1024))
CrawlLease(archive.store, outlet, timedelta(hours=1)).acquire()
run = archive.begin_run(outlet)
body = random.Random(7).randbytes(40_000)
for n in range(int(first), int(first) + int(count)):
    ptr = capture(run, f"http://127.0.0.1:8000/2026/10/{n % 28 + 1:02d}/story-{n}/", body)
    run.add_article(make_record(outlet, n, raw=ptr))
print(json.dumps({"run_id": run.run_id}), flush=True)
if stage == "commit":
    put = archive.store.put
    def killing_put(key, data, **options):
        if key.endswith("/manifest.json"):
            os.kill(os.getpid(), signal.SIGKILL)
        return put(key, data, **options)
    archive.store.put = killing_put
    run.commit({})
os.kill(os.getpid(), signal.SIGKILL)
"""


def killed_run(uri: str, settings: Settings, outlet: str, first: int, count: int, stage: str = "write") -> str:
    """Run :data:`CHILD`; the killed run's id."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p)}
    child = subprocess.run([sys.executable, "-c", CHILD, uri, str(settings.spool_dir), outlet, str(first), str(count),
                            stage], capture_output=True, text=True, env=env, cwd=ROOT, timeout=120)  # fmt: skip
    assert child.returncode == -signal.SIGKILL, child.stderr
    return str(json.loads(child.stdout.splitlines()[-1])["run_id"])


def committed_run(archive: Archive, outlet: str, numbers: range) -> list[str]:
    run = archive.begin_run(outlet)
    outcomes = []
    for n in numbers:
        ptr = capture(run, f"http://127.0.0.1:8000/2026/10/{n % 28 + 1:02d}/story-{n}/", b"<html>%d</html>" % n)
        outcomes.append(run.add_article(make_record(outlet, n, raw=ptr)))
    manifest = run.commit({})
    assert manifest.committed
    return outcomes


def manifest_keys(archive: Archive, outlet: str, run_id: str) -> list[str]:
    manifest = Manifest.from_json_bytes(archive.store.get(layout.manifest_key(outlet, run_id)))
    return [entry.key for entry in manifest.objects]


def all_keys(archive: Archive) -> set[str]:
    return {info.key for prefix in RUN_OBJECT_PREFIXES for info in archive.store.list(prefix)}


def work_files(archive: Archive) -> list[str]:
    return sorted(path.name for path in archive.spool.workdir.iterdir())


@pytest.fixture(params=["local", pytest.param("s3", marks=pytest.mark.s3)])
def archive_uri(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "local":
        return str(tmp_path / "archive")
    return f"s3://{request.getfixturevalue('s3_bucket')}/news"


@pytest.fixture
def archive(archive_uri: str, settings: Settings) -> Iterator[Archive]:
    with Archive.open(archive_uri, settings) as opened:
        yield opened


def test_gc_deletes_what_killed_runs_left_and_nothing_else(archive: Archive, archive_uri: str,
                                                           settings: Settings, tmp_path: Path) -> None:  # fmt: skip
    assert committed_run(archive, "demo", range(0, 6)) == ["new"] * 6
    committed_keys = all_keys(archive)
    killed = killed_run(archive_uri, settings, "demo", 6, 6)  # records 6-11 and two WARC files stored, no manifest
    left_behind = work_files(archive)
    assert left_behind and all(f"-{os.getpid()}-" not in name for name in left_behind)  # its open WARC file and pack
    # The rerun meets records 6 and 7 at their keys (conditional put: the same bytes) and lists them in its manifest.
    assert committed_run(archive, "demo", range(6, 8)) == ["new", "new"]
    assert not set(work_files(archive)) & set(left_behind)  # the run start removed the killed process's work files
    in_commit = killed_run(archive_uri, settings, "demo", 12, 2, stage="commit")  # pack and index stored, no manifest

    report = verify_archive(archive.store, deep=True)
    assert not report.damaged, report.problems
    assert report.committed_runs == 2
    uncommitted = {run.run_id: run for run in report.leftovers.runs.values()}
    assert set(uncommitted) == {killed, in_commit} and not any(r.committed for r in uncommitted.values())
    assert report.leftovers.unattributed == 0
    referenced = {key for run in archive.index.committed_runs("demo") for key in manifest_keys(archive, *run)}
    left = {key for key in all_keys(archive) - referenced if layout.parse_commit_key(key) is None
            and not key.endswith("/manifest.json")}  # fmt: skip
    assert report.leftovers.objects == len(left)
    assert {key for run in uncommitted.values() for key, _ in run.keys} <= left
    assert any(key.startswith("warc/") and killed in key for key in left)
    assert any(key.startswith("index/") and in_commit in key for key in left)
    assert sum(key.startswith("records/") for key in left) == 4 + 2  # records 8-11 and 12-13; 6 and 7 are the rerun's

    kept = collect_garbage(archive.store, dry_run=True)  # the default: 48 hours
    assert kept.objects == 0 and all("started less than 48 h ago" in v.reason for v in kept.verdicts)
    dry = collect_garbage(archive.store, older_than=NOW, dry_run=True)
    before = all_keys(archive)
    assert dry.objects == len(left) and before >= left  # nothing deleted yet
    assert {v.action for v in dry.verdicts} == {"would delete"}
    gone = collect_garbage(archive.store, older_than=NOW)  # the killed child's lease names a dead process
    assert gone.objects == len(left) and gone.bytes == dry.bytes
    assert all_keys(archive) == before - left and committed_keys <= before - left
    assert CrawlLease(archive.store, "demo", timedelta(hours=1)).current() is None  # gc gave the lease back

    after = verify_archive(archive.store, deep=True)
    assert not after.damaged and after.leftovers.objects == 0, after.lines()
    records = {r.canonical_url.rsplit("-", 1)[1]: r for r in archive.iter_records(outlet="demo")}
    assert sorted(map(int, records)) == list(range(8))
    assert archive.export("jsonl", tmp_path / "all.jsonl").records == 8
    assert archive.export("warc", tmp_path / "all.warc.gz").missing_raw == 0
    assert collect_garbage(archive.store, older_than=NOW).objects == 0


def test_a_run_whose_crawl_holds_the_lease_is_not_collected(local_archive: Archive) -> None:
    with CrawlLease(local_archive.store, "demo", timedelta(minutes=10)):  # a crawl of this process, running
        run = local_archive.begin_run("demo")
        for n in range(4):
            ptr = capture(run, f"http://127.0.0.1:8000/story-{n}/", os.urandom(40_000))  # WARC files roll: stored
            run.add_article(make_record("demo", n, raw=ptr))
        written = all_keys(local_archive)
        assert written
        for dry_run in (True, False):
            report = collect_garbage(local_archive.store, older_than=NOW, dry_run=dry_run)
            assert report.objects == 0 and all_keys(local_archive) == written
            (verdict,) = report.verdicts
            assert verdict.action == "kept" and f"pid {os.getpid()}" in verdict.reason, verdict.reason
        run.abort("test over")
    assert collect_garbage(local_archive.store, older_than=NOW).objects == len(written)  # abandoned once the lease is gone
    assert all_keys(local_archive) == set()


def test_damage_is_found_and_named(local_archive: Archive) -> None:
    committed_run(local_archive, "demo", range(5))
    store = local_archive.store
    assert isinstance(store, LocalStore)
    (run,) = local_archive.index.committed_runs("demo")
    keys = manifest_keys(local_archive, *run)
    record = next(key for key in keys if key.startswith("records/"))
    warc = next(key for key in keys if key.startswith("warc/"))
    assert not verify_archive(store, deep=True).damaged

    path = store.path_of(record)
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01  # one bit, in place: same size, the stored checksum untouched
    path.write_bytes(bytes(data))
    store.path_of(warc).unlink()

    quick = verify_archive(store)
    assert [(p.kind, p.key) for p in quick.problems] == [("missing", warc), ("index", layout.index_key(*run))]
    assert f"rows point to {warc}" in str(quick.problems[1])
    deep = verify_archive(store, deep=True)
    assert {(p.kind, p.key) for p in deep.problems} == {("missing", warc), ("checksum", record),
                                                        ("index", layout.index_key(*run))}  # fmt: skip
    checksum = next(p for p in deep.problems if p.kind == "checksum")
    assert record in str(checksum) and "the manifest lists" in checksum.detail and run[1] in str(checksum)


def test_an_altered_manifest_is_damage_and_stops_gc_for_its_outlet(local_archive: Archive, settings: Settings) -> None:
    committed_run(local_archive, "demo", range(3))
    (run,) = local_archive.index.committed_runs("demo")
    leftover = local_archive.begin_run("demo")
    leftover.add_article(make_record("demo", 10, raw=capture(leftover, "http://127.0.0.1:8000/x/", b"x")))  # never committed
    store = local_archive.store
    assert isinstance(store, LocalStore)
    manifest = store.path_of(layout.manifest_key(*run))
    manifest.write_bytes(manifest.read_bytes().replace(b'"source": "live"', b'"source": "evil"'))

    report = verify_archive(store)
    assert [(p.kind, p.key) for p in report.problems] == [("checksum", layout.manifest_key(*run))]
    marker = CommitMarker.from_json_bytes(store.get(layout.commit_key(*run)))
    assert marker.manifest_sha256 in report.problems[0].detail
    gc = collect_garbage(store, older_than=NOW)
    assert gc.objects == 0 and "damaged manifest" in gc.verdicts[0].reason


def test_warc_files_are_read_as_gzip_members_of_warc_records(local_archive: Archive) -> None:
    run = local_archive.begin_run("demo")
    for n in range(3):
        capture(run, f"http://127.0.0.1:8000/page-{n}/", b"<html>%d</html>" % n)
    manifest = run.commit({})
    (warc,) = [entry.key for entry in manifest.objects if entry.key.startswith("warc/")]
    data = local_archive.store.get(warc)

    def check(blob: bytes, chunk: int = 100) -> str | None:
        members = _WarcMembers()
        for start in range(0, len(blob), chunk):
            members.feed(blob[start : start + chunk])
        return members.finish()

    assert check(data) is None and check(data, 1 << 20) is None
    assert "truncated" in (check(data[:-10]) or "")
    assert "not a WARC record" in (check(data + gzip.compress(b"hello, not a WARC record")) or "")
    assert "not valid gzip" in (check(data + b"plain bytes after the last member") or "")
    assert check(b"") == "empty WARC file"


def test_a_run_start_removes_work_files_of_dead_processes_only(settings: Settings) -> None:
    spool = Spool(settings.spool_dir, "file:///somewhere")
    spool.ensure_dirs()
    dead = subprocess.Popen(["true"])
    dead.wait()
    mine, theirs = Spool.temp_prefix("warc"), Spool.temp_prefix("pack").replace(f"-{os.getpid()}-", f"-{dead.pid}-")
    files = {
        "live": spool.workdir / f"{mine}abc.warc.gz",
        "dead": spool.workdir / f"{theirs}abc.jsonl",
        "other host, fresh": spool.workdir / "warc-0123abcd-1-x.warc.gz",
        "other host, old": spool.workdir / "warc-0123abcd-2-x.warc.gz",
        "old name, old": spool.workdir / "newsarchive-k2j4l5m6.warc.gz",
    }
    for path in files.values():
        path.write_bytes(b"x")
    dead_dir = spool.workdir / f"{Spool.temp_prefix('index').replace(f'-{os.getpid()}-', f'-{dead.pid}-')}q"
    dead_dir.mkdir()
    (dead_dir / "index.parquet").write_bytes(b"x")
    for name in ("other host, old", "old name, old"):
        os.utime(files[name], (files[name].stat().st_mtime - 25 * 3600,) * 2)
    removed = set(spool.clean_workdir())
    assert removed == {files["dead"], files["other host, old"], files["old name, old"], dead_dir}
    assert files["live"].exists() and files["other host, fresh"].exists()


def test_an_old_killed_run_waits_while_a_younger_run_of_its_outlet_may_reuse_its_records(local_archive: Archive) -> None:
    old = local_archive.begin_run("demo")
    old.add_article(make_record("demo", 1, raw=capture(old, "http://127.0.0.1:8000/1/", b"1")))  # never committed
    time.sleep(0.01)  # run ids count microseconds: the young run starts 10 ms later
    young = local_archive.begin_run("demo")  # without a lease (the Python API's begin_run): still going, maybe
    young.add_article(make_record("demo", 2, raw=capture(young, "http://127.0.0.1:8000/2/", b"2")))
    now = datetime.now(UTC)
    between = now - (layout.run_started_at(young.run_id) - timedelta(milliseconds=1))  # old is older, young younger
    report = collect_garbage(local_archive.store, older_than=between, now=now)
    assert report.objects == 0
    reasons = {verdict.run.run_id: verdict.reason for verdict in report.verdicts}
    assert "may re-use this run's records" in reasons[old.run_id] and "started less than" in reasons[young.run_id]
    assert collect_garbage(local_archive.store, older_than=NOW).objects == 2  # both abandoned, both old enough


def test_the_archive_answers_for_its_committed_runs(local_archive: Archive) -> None:
    """Committed runs, their manifests, one run's verification, gc and the lease, all through ``Archive``."""
    committed_run(local_archive, "demo", range(3))
    (run,) = local_archive.committed_runs("demo")
    manifest = local_archive.manifest(*run)
    assert (manifest.outlet, manifest.run_id) == run and sorted(e.key for e in manifest.objects) == sorted(
        manifest_keys(local_archive, *run))  # fmt: skip
    one = local_archive.verify("demo", run_id=run[1], deep=True)
    assert one.committed_runs == 1 and not one.damaged and one.objects == len(manifest.objects) and one.index_rows == 3

    leftover = local_archive.begin_run("demo")
    leftover.add_article(make_record("demo", 10, raw=capture(leftover, "http://127.0.0.1:8000/x/", b"x")))  # never committed
    assert local_archive.verify("demo", run_id=leftover.run_id).committed_runs == 0
    with pytest.raises(ArchiveError, match="no commit marker"):
        local_archive.manifest("demo", leftover.run_id)
    with local_archive.lease("demo", purpose="nightly") as lease:  # the crawl lease, for crawl_lease_s
        assert lease.ttl == timedelta(seconds=local_archive.settings.crawl_lease_s)
        assert local_archive.gc(NOW).verdicts[0].action == "kept"  # a crawl of the outlet is running
    assert local_archive.gc(NOW, dry_run=True).objects > 0

    store = local_archive.store
    assert isinstance(store, LocalStore)
    store.path_of(layout.manifest_key(*run)).write_bytes(b"{}")
    with pytest.raises(ArchiveError, match="damaged: checksum"):
        local_archive.manifest(*run)
    assert [p.kind for p in local_archive.verify("demo", run_id=run[1]).problems][:1] == ["checksum"]
