"""Runs on the local store: captures, versions, duplicates, manifests, commit markers."""

from __future__ import annotations

import gzip
import hashlib
import json
import random
import subprocess
import sys
from datetime import date
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from warcio.archiveiterator import ArchiveIterator

from archive import Archive, ArticleRecord, layout
from archive.index import IndexRowWriter
from archive.manifest import Manifest
from core.dates import DateWindow
from tests.archive.conftest import capture, make_record


def test_captures_are_valid_warc_with_request_and_response(local_archive: Archive, tmp_path: Path) -> None:
    run = local_archive.begin_run("demo")
    pointers = [capture(run, f"http://127.0.0.1:8000/page-{i}/?q=1", b"<html>%d</html>" % i) for i in range(3)]
    manifest = run.commit({"requests": 3})
    warc_keys = [o.key for o in manifest.objects if o.key.startswith("warc/")]
    assert len(warc_keys) == 1 and {p.warc_file for p in pointers} == set(warc_keys)
    path = local_archive.store.path_of(warc_keys[0])  # type: ignore[attr-defined]
    check = subprocess.run([sys.executable, "-m", "warcio.cli", "check", "-v", str(path)], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
    index = subprocess.run([sys.executable, "-m", "warcio.cli", "index", "-f", "warc-type,warc-target-uri,offset",
                            str(path)], capture_output=True, text=True, check=True)  # fmt: skip
    lines = [json.loads(line) for line in index.stdout.splitlines()]
    assert [line["warc-type"] for line in lines] == ["warcinfo"] + ["request", "response"] * 3
    assert [int(line["offset"]) for line in lines if line["warc-type"] == "request"] == [p.offset for p in pointers]
    with open(path, "rb") as fh:
        records = [(r.rec_type, r.rec_headers.get_header("WARC-Record-ID"), r.rec_headers.get_header("WARC-Target-URI"),
                    r.content_stream().read()) for r in ArchiveIterator(fh)]  # fmt: skip
    assert [r[0] for r in records] == ["warcinfo"] + ["request", "response"] * 3
    responses = [r for r in records if r[0] == "response"]
    assert [r[1] for r in responses] == [p.record_id for p in pointers]
    assert responses[1][2] == "http://127.0.0.1:8000/page-1/?q=1" and responses[1][3] == b"<html>1</html>"
    with open(path, "rb") as fh:
        fh.seek(pointers[2].offset or 0)
        member = fh.read(pointers[2].length or 0)
    assert b"<html>2</html>" in gzip.decompress(member)


def test_warc_files_roll_at_the_size_limit(local_archive: Archive) -> None:
    run = local_archive.begin_run("demo")
    body = random.Random(7).randbytes(50_000)  # incompressible; the test settings roll at 64 KB
    pointers = [capture(run, f"http://127.0.0.1:8000/big-{i}/", body) for i in range(4)]
    manifest = run.commit({})
    warcs = sorted({p.warc_file for p in pointers})
    assert len(warcs) >= 2
    assert warcs == sorted(o.key for o in manifest.objects if o.key.startswith("warc/"))


def test_rerun_writes_no_duplicate_and_changed_text_adds_a_version(local_archive: Archive) -> None:
    run = local_archive.begin_run("demo")
    assert [run.add_article(make_record("demo", n)) for n in range(3)] == ["new"] * 3
    first = run.commit({"articles_archived": 3})
    run = local_archive.begin_run("demo")
    outcomes = [run.add_article(make_record("demo", n)) for n in range(3)]
    outcomes.append(run.add_article(make_record("demo", 1, "Paragraph one, corrected.\n\nParagraph two.")))
    second = run.commit({})
    assert outcomes == ["duplicate", "duplicate", "duplicate", "version"]
    first_records = [o.key for o in first.objects if o.key.startswith("records/")]
    second_records = [o.key for o in second.objects if o.key.startswith("records/")]
    assert len(first_records) == 3 and len(second_records) == 1
    new_key = second_records[0]
    old_key = next(k for k in first_records if k.rsplit("/", 2)[1] == new_key.rsplit("/", 2)[1])
    assert new_key.rsplit("/", 1)[0] == old_key.rsplit("/", 1)[0]  # beside the old version
    latest = [r for r in local_archive.iter_records() if r.canonical_url.endswith("story-1")]
    assert len(latest) == 1 and latest[0].version == 2 and latest[0].text.startswith("Paragraph one, corrected")
    assert [v["key"] for v in latest[0].versions] == [old_key, new_key]
    every = [r for r in local_archive.iter_records(all_versions=True) if r.canonical_url.endswith("story-1")]
    assert [r.version for r in every] == [1, 2]


def test_manifest_lists_every_object_with_its_sha256_and_marker_is_last(local_archive: Archive) -> None:
    run = local_archive.begin_run("demo", window=DateWindow())
    ptr = capture(run, "http://127.0.0.1:8000/2026/10/01/story-0/", b"<html>story</html>")
    run.add_article(make_record("demo", 0, raw=ptr))
    manifest = run.commit({"requests": 1, "note": "aws_secret_access_key=abc123"})
    store = local_archive.store
    stored = Manifest.from_json_bytes(store.get(f"runs/demo/{run.run_id}/manifest.json"))
    assert stored.code_version.startswith("newsarchive")
    assert stored.stats["requests"] == 1 and "abc123" not in json.dumps(stored.stats)
    listed = {o.key: o for o in stored.objects}
    assert {k.split("/")[0] for k in listed} == {"records", "warc", "index", "runs"}
    assert f"runs/demo/{run.run_id}/records.jsonl" in listed  # the run's pack: the record's bytes again
    [record_key] = [k for k in listed if k.startswith("records/")]
    assert store.get(f"runs/demo/{run.run_id}/records.jsonl") == store.get(record_key) + b"\n"
    for entry in stored.objects:
        assert store.get(entry.key, sha256=entry.sha256) and store.stat(entry.key).size == entry.size
    written = {i.key for i in store.list("") if run.run_id in i.key or i.key.startswith("records/")}
    [log_entry] = [key for key in written if key.startswith(layout.COMMIT_LOG_PREFIX)]
    assert layout.parse_commit_log_key(log_entry) == ("demo", run.run_id), "after the marker, the commit log's entry"
    assert written - set(listed) == {f"runs/demo/{run.run_id}/manifest.json", f"runs/demo/{run.run_id}/COMMITTED",
                                     log_entry}  # fmt: skip
    marker = json.loads(store.get(f"runs/demo/{run.run_id}/COMMITTED"))
    assert marker["manifest_sha256"] == store.stat(f"runs/demo/{run.run_id}/manifest.json").sha256
    assert manifest.committed


def test_manifest_window_is_stored_as_a_pair_of_iso_days(local_archive: Archive) -> None:
    run = local_archive.begin_run("demo", window=DateWindow(date(2026, 10, 1), None))
    run.commit({})
    data = local_archive.store.get(f"runs/demo/{run.run_id}/manifest.json")
    assert json.loads(data)["window"] == ["2026-10-01", None]
    assert Manifest.from_json_bytes(data).window == DateWindow(date(2026, 10, 1), None)


def test_run_without_commit_marker_is_invisible(local_archive: Archive) -> None:
    run = local_archive.begin_run("demo")
    run.add_article(make_record("demo", 0))
    run.commit({})
    crashed = local_archive.begin_run("demo")
    crashed.add_article(make_record("demo", 5))
    crashed.commit({})
    local_archive.store.delete(f"runs/demo/{crashed.run_id}/COMMITTED")  # as if the process died before it
    local_archive.index.invalidate()
    aborted = local_archive.begin_run("demo")
    aborted.add_article(make_record("demo", 6))
    aborted.abort("test")
    urls = local_archive.index.known_canonical_urls("demo")
    assert urls == {make_record("demo", 0).canonical_url}
    assert [r.canonical_url for r in local_archive.iter_records()] == [make_record("demo", 0).canonical_url]
    assert local_archive.index.last_successful_run("demo") is not None
    assert local_archive.index.last_successful_run("other") is None
    # The uncommitted version is picked up (not rejected) when a later run archives the same text.
    rerun = local_archive.begin_run("demo")
    assert rerun.add_article(make_record("demo", 5)) == "new"
    rerun.commit({})
    assert make_record("demo", 5).canonical_url in local_archive.index.known_canonical_urls("demo")


def test_a_flushing_run_that_dies_before_its_commit_leaves_the_spool_whole(local_archive: Archive) -> None:
    """The spool lets go of an entry only when the run that flushed it commits: a flushing run killed
    before its commit leaves objects no committed manifest lists (``gc`` may delete them), so the next run
    must flush them again — once, not twice."""
    records = [make_record("demo", n) for n in range(2)]
    for record in records:
        data = record.to_json_bytes()
        local_archive.spool.add(f"records/demo/spooled/{record.canonical_url[-8:]}.json", data,
                                sha256=hashlib.sha256(data).hexdigest(), kind="record")
    dying = local_archive.begin_run("demo")
    assert dying.counts["flushed"] == 2 and len(local_archive.spool) == 2
    dying.abort("killed before its commit")
    assert local_archive.index.known_canonical_urls("demo") == set()
    assert len(local_archive.spool) == 2, "the spool still holds what the dead run flushed"

    rerun = local_archive.begin_run("demo")
    assert rerun.counts["flushed"] == 2
    assert rerun.commit({}).committed and len(local_archive.spool) == 0
    exported = list(local_archive.iter_records())
    assert sorted(r.canonical_url for r in exported) == sorted(r.canonical_url for r in records)
    assert [r.version for r in exported] == [1, 1], "flushed twice, archived once"


def test_index_rows_are_written_a_row_group_at_a_time(local_archive: Archive, monkeypatch: pytest.MonkeyPatch) -> None:
    """A run keeps at most ``IndexRowWriter.BATCH`` index rows in memory; every row reaches the index file."""
    monkeypatch.setattr(IndexRowWriter, "BATCH", 4)
    run = local_archive.begin_run("demo")
    records = [make_record("demo", n) for n in range(11)]
    for record in records:
        run.add_article(record)
    manifest = run.commit({})
    index_key = next(o.key for o in manifest.objects if o.key.startswith("index/"))
    parquet = pq.ParquetFile(local_archive.store.path_of(index_key))  # type: ignore[attr-defined]
    assert parquet.metadata.num_row_groups == 3 and parquet.metadata.num_rows == 11
    assert local_archive.index.known_canonical_urls("demo") == {r.canonical_url for r in records}
    assert not list(local_archive.spool.workdir.glob("index-*")), "the work file is gone once stored"


def test_index_queries(local_archive: Archive) -> None:
    run = local_archive.begin_run("demo")
    for n in range(4):
        run.add_article(make_record("demo", n, title=f"Headline {n}"))
    run.commit({})
    assert local_archive.index.headlines("demo") == {f"Headline {n}" for n in range(4)}
    fetched = local_archive.index.latest_fetch("demo")
    assert set(fetched) == {make_record("demo", n).canonical_url for n in range(4)}
    assert all(ts.tzinfo is not None for ts in fetched.values())


def test_concurrent_runs_never_overwrite_each_other(local_archive: Archive) -> None:
    first, second = local_archive.begin_run("demo"), local_archive.begin_run("demo")
    assert first.add_article(make_record("demo", 0, "Text seen by the first run.")) == "new"
    assert second.add_article(make_record("demo", 0, "Text seen by the second run.")) == "new"
    assert first.add_article(make_record("demo", 1)) == "new"
    assert second.add_article(make_record("demo", 1)) == "new"  # same key, same text: meets the first's object
    first.commit({})
    second.commit({})
    every = list(local_archive.iter_records(all_versions=True))
    texts = sorted(r.text for r in every if r.canonical_url.endswith("story-0"))
    assert texts == ["Text seen by the first run.", "Text seen by the second run."]
    assert len([r for r in every if r.canonical_url.endswith("story-1")]) == 1  # indexed twice, exported once


def at(record: ArticleRecord, fetched_at: str) -> ArticleRecord:
    record.fetched_at = fetched_at
    return record


def test_the_latest_version_is_the_last_captured_not_the_last_ingested(local_archive: Archive, tmp_path: Path) -> None:
    """A Wayback backfill ingests an old, pre-correction snapshot after the live capture of the corrected text."""
    corrected, original = "The figure is 12.\n\nMore.", "The figure is 21.\n\nMore."
    live = local_archive.begin_run("demo")
    assert live.add_article(at(make_record("demo", 4, corrected), "2026-11-20T08:00:00+00:00")) == "new"
    live.commit({})
    backfill = local_archive.begin_run("demo", source="wayback")
    snapshot = make_record("demo", 4, original, source="wayback")  # snapshot 2026-10-03 09:30 UTC
    assert backfill.add_article(at(snapshot, "2026-11-25T10:00:00+00:00")) == "version"
    # an older snapshot with the text that was still current when the live fetch came: nothing new
    same_as_live = make_record("demo", 4, corrected, source="wayback")
    same_as_live.snapshot_timestamp = "20261110000000"
    assert backfill.add_article(same_as_live) == "duplicate"
    backfill.commit({})

    [latest] = local_archive.iter_records()
    assert (latest.text, latest.source, latest.version) == (corrected, "live", 1)
    every = list(local_archive.iter_records(all_versions=True))
    assert [(r.version, r.text) for r in every] == [(2, original), (1, corrected)]  # in capture order
    assert [v["version"] for v in latest.versions] == [2, 1]  # the whole history, though stored before v2
    assert [v["captured_at"] for v in latest.versions] == ["2026-10-03T09:30:00+00:00", "2026-11-20T08:00:00+00:00"]
    local_archive.export("jsonl", tmp_path / "latest.jsonl")
    [line] = (tmp_path / "latest.jsonl").read_text("utf-8").splitlines()
    assert json.loads(line) == latest.to_export()
    # the next live crawl compares with the latest by capture time: the corrected text is no news
    again = local_archive.begin_run("demo")
    assert again.add_article(at(make_record("demo", 4, corrected), "2026-11-26T08:00:00+00:00")) == "duplicate"
    # ...while a live revert to the original text is a new version, and the latest
    assert again.add_article(at(make_record("demo", 4, original), "2026-11-26T09:00:00+00:00")) == "version"
    again.commit({})
    [latest] = local_archive.iter_records()
    assert (latest.text, latest.version, [v["version"] for v in latest.versions]) == (original, 3, [2, 1, 3])


def test_concurrent_first_versions_are_both_kept_and_the_last_captured_wins(local_archive: Archive,
                                                                            tmp_path: Path) -> None:  # fmt: skip
    early, late = local_archive.begin_run("demo"), local_archive.begin_run("demo")
    # the run that captured later archives first and commits first: order of ingestion must not matter
    assert late.add_article(at(make_record("demo", 0, "Zeta text, captured later."), "2026-11-20T10:00:05+00:00")) == "new"
    assert early.add_article(at(make_record("demo", 0, "Alpha text, captured first."), "2026-11-20T10:00:00+00:00")) == "new"
    late.commit({})
    early.commit({})
    every = list(local_archive.iter_records(all_versions=True))
    assert [(r.version, r.text) for r in every] == [(1, "Alpha text, captured first."), (1, "Zeta text, captured later.")]
    [latest] = local_archive.iter_records()
    assert latest.text == "Zeta text, captured later."
    assert len(latest.versions) == 2 and [v["sha256"] for v in latest.versions] == [r.sha256 for r in every]
    # the same capture instant: the tie is broken by version number, then key — the same answer every time
    tie_a, tie_b = local_archive.begin_run("demo"), local_archive.begin_run("demo")
    tie_a.add_article(at(make_record("demo", 9, "Text B."), "2026-11-20T10:00:00+00:00"))
    tie_b.add_article(at(make_record("demo", 9, "Text A."), "2026-11-20T10:00:00+00:00"))
    tie_a.commit({})
    tie_b.commit({})
    [latest] = [r for r in local_archive.iter_records() if r.canonical_url.endswith("story-9")]
    keys = sorted(v["key"] for v in latest.versions)
    assert latest.versions[-1]["key"] == keys[-1] and latest.sha256 == latest.versions[-1]["sha256"]
    # and the next run numbers its version after both
    later = local_archive.begin_run("demo")
    assert later.add_article(at(make_record("demo", 0, "Third text."), "2026-11-21T00:00:00+00:00")) == "version"
    later.commit({})
    [latest] = [r for r in local_archive.iter_records() if r.canonical_url.endswith("story-0")]
    assert (latest.version, [v["version"] for v in latest.versions]) == (2, [1, 1, 2])


def test_a_run_that_did_not_end_ok_is_kept_but_never_the_last_successful_run(local_archive: Archive) -> None:
    """Interrupted (partial) and unreachable (failed) runs are committed with their outcome in manifest and
    marker; the last successful run — the next crawl's default window — skips them."""
    import time

    ok = local_archive.begin_run("demo")
    ok.add_article(make_record("demo", 0))
    ok.commit({})
    time.sleep(1.1)  # run ids have a one-second resolution
    partial = local_archive.begin_run("demo")
    partial.add_article(make_record("demo", 1))
    manifest = partial.commit({"stopped": "interrupted"}, outcome="partial")
    time.sleep(1.1)
    local_archive.begin_run("demo").commit({}, outcome="failed")
    local_archive.index.invalidate()
    assert manifest.outcome == "partial" and manifest.committed
    assert [local_archive.index.run_outcome("demo", run_id) for _, run_id in local_archive.committed_runs("demo")] \
        == ["ok", "partial", "failed"]
    assert local_archive.index.last_successful_run("demo") == layout.run_started_at(ok.run_id)
    assert local_archive.stats().last_successful_run["demo"] == layout.run_started_at(ok.run_id)
    assert len(list(local_archive.iter_records())) == 2, "what the partial run fetched is kept"
