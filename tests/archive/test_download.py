"""download: formats, filters, latest/all versions, resume after an interruption, checksum verification."""

from __future__ import annotations

import csv
import json
from datetime import date
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from warcio.archiveiterator import ArchiveIterator

from archive import Archive, ArticleRecord
from archive.download import Selection, export
from archive.packs import RecordReader
from core.errors import ArchiveError, ChecksumError
from tests.archive.conftest import capture, make_record


@pytest.fixture
def filled(local_archive: Archive) -> Archive:
    """Two outlets; demo has 12 articles over 12 days (one with two versions), a wayback one, a query word."""
    run = local_archive.begin_run("demo")
    for n in range(12):
        ptr = capture(run, f"http://127.0.0.1:8000/2026/10/{n % 28 + 1:02d}/story-{n}/", b"<html>story %d</html>" % n)
        text = "The zeppelin landed.\n\nMore." if n == 7 else None
        run.add_article(make_record("demo", n, text, raw=ptr, source="wayback" if n == 3 else "live"))
    run.commit({})
    run = local_archive.begin_run("demo")
    ptr = capture(run, "http://127.0.0.1:8000/2026/10/02/story-1/", b"<html>story 1 updated</html>")
    assert run.add_article(make_record("demo", 1, "Updated text.\n\nSecond paragraph.", raw=ptr)) == "version"
    run.commit({})
    run = local_archive.begin_run("other")
    for n in range(3):
        run.add_article(make_record("other", 100 + n))
    run.commit({})
    return local_archive


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text("utf-8").splitlines()]


def test_jsonl_has_the_export_fields_in_order_one_latest_version_per_article(filled: Archive, tmp_path: Path) -> None:
    summary = filled.export("jsonl", tmp_path / "all.jsonl")
    rows = read_jsonl(tmp_path / "all.jsonl")
    assert summary.records == len(rows) == 15
    assert list(rows[0]) == list(ArticleRecord.EXPORT_FIELDS)
    story1 = [r for r in rows if r["canonical_url"].endswith("/story-1")]
    assert len(story1) == 1 and story1[0]["version"] == 2 and story1[0]["text"].startswith("Updated text")
    assert story1[0]["raw"]["warc_file"].startswith("warc/demo/") and story1[0]["raw"]["record_id"].startswith("<urn:uuid:")
    assert all(r["sha256"] and r["fetched_at"] for r in rows)
    every = filled.export("jsonl", tmp_path / "every.jsonl", all_versions=True)
    assert every.records == 16


def test_filters_outlet_dates_source_and_query(filled: Archive, tmp_path: Path) -> None:
    def urls(**filters: object) -> list[str]:
        return [r.canonical_url.rsplit("/", 1)[1] for r in filled.iter_records(**filters)]  # type: ignore[arg-type]

    assert len(urls(outlet="other")) == 3
    assert urls(outlet="demo", since=date(2026, 10, 3), until=date(2026, 10, 5)) == ["story-2", "story-3", "story-4"]
    assert urls(source="wayback") == ["story-3"]
    assert urls(query="ZEPPELIN") == ["story-7"]
    assert urls(outlet="demo", query="Updated") == ["story-1"]
    assert urls(outlet="demo", since=date(2027, 1, 1)) == []
    summary = filled.export("jsonl", tmp_path / "q.jsonl", outlet="demo", query="zeppelin")
    assert summary.records == 1 and summary.skipped_by_query == 11


def test_csv_and_parquet_are_views_of_the_same_records(filled: Archive, tmp_path: Path) -> None:
    filled.export("jsonl", tmp_path / "a.jsonl", outlet="demo")
    filled.export("csv", tmp_path / "a.csv", outlet="demo")
    filled.export("parquet", tmp_path / "a.parquet", outlet="demo")
    expected = read_jsonl(tmp_path / "a.jsonl")
    with open(tmp_path / "a.csv", newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert list(rows[0]) == list(ArticleRecord.EXPORT_FIELDS)
    assert [r["text"] for r in rows] == [r["text"] for r in expected]
    assert json.loads(rows[0]["authors"]) == expected[0]["authors"]
    table = pq.read_table(tmp_path / "a.parquet")
    assert table.column_names == list(ArticleRecord.EXPORT_FIELDS)
    assert table.column("canonical_url").to_pylist() == [r["canonical_url"] for r in expected]
    assert table.column("tags").to_pylist()[0] == expected[0]["tags"]


def test_parquet_types_follow_the_export_columns(filled: Archive, tmp_path: Path) -> None:
    """Lists stay lists, the version is an int32, nested fields (raw, versions) are their JSON text."""
    filled.export("jsonl", tmp_path / "a.jsonl", outlet="demo")
    filled.export("parquet", tmp_path / "a.parquet", outlet="demo")
    expected = read_jsonl(tmp_path / "a.jsonl")
    table = pq.read_table(tmp_path / "a.parquet")
    assert table.schema.field("authors").type == pa.list_(pa.string())
    assert table.schema.field("version").type == pa.int32()
    assert table.schema.field("raw").type == pa.string() and table.schema.field("versions").type == pa.string()
    first = table.slice(0, 1).to_pylist()[0]
    assert json.loads(first["raw"]) == expected[0]["raw"]
    assert json.loads(first["versions"]) == expected[0]["versions"]


def test_warc_export_repacks_the_raw_captures_of_the_selection(filled: Archive, tmp_path: Path) -> None:
    summary = filled.export("warc", tmp_path / "demo.warc.gz", outlet="demo")
    assert summary.records == 12 and summary.missing_raw == 0
    with open(tmp_path / "demo.warc.gz", "rb") as fh:
        records = [(r.rec_type, r.rec_headers.get_header("WARC-Target-URI"), r.content_stream().read())
                   for r in ArchiveIterator(fh, check_digests="raise")]  # fmt: skip
    responses = [r for r in records if r[0] == "response"]
    assert records[0][0] == "warcinfo" and len(responses) == 12
    assert (
        "http://127.0.0.1:8000/2026/10/02/story-1/", b"<html>story 1 updated</html>"
    ) in [(r[1], r[2]) for r in responses]
    other = filled.export("warc", tmp_path / "other.warc.gz", outlet="other")
    assert other.records == 0 and other.missing_raw == 3  # records without a raw capture are counted


def content_of(path: Path, fmt: str) -> object:
    """What a download holds, ignoring what legitimately differs between two runs (WARC's warcinfo)."""
    if fmt == "parquet":
        return pq.read_table(path).to_pylist()
    if fmt == "warc":
        with open(path, "rb") as fh:
            return [(r.rec_headers.get_header("WARC-Record-ID"), r.content_stream().read())
                    for r in ArchiveIterator(fh) if r.rec_type != "warcinfo"]  # fmt: skip
    return path.read_bytes()


@pytest.mark.parametrize("fmt", ["jsonl", "csv", "parquet", "warc"])
def test_an_interrupted_download_resumes_where_it_stopped(filled: Archive, tmp_path: Path, fmt: str,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    monkeypatch.setattr("archive.download.CHECKPOINT_EVERY", 4)
    whole = export(filled.store, filled.index, fmt, tmp_path / f"whole.{fmt}", Selection(all_versions=True))
    out = tmp_path / f"resumed.{fmt}"
    first = export(filled.store, filled.index, fmt, out, Selection(all_versions=True), stop_after=6)
    assert not out.exists() and out.with_name(out.name + ".partial").exists()
    assert first.records < whole.records
    fetched: list[str] = []
    original_read = RecordReader.read

    def counting_read(reader: RecordReader, key: str, *args: Any) -> bytes:
        fetched.append(key)
        return original_read(reader, key, *args)

    monkeypatch.setattr(RecordReader, "read", counting_read)
    second = export(filled.store, filled.index, fmt, out, Selection(all_versions=True))
    assert second.resumed_at == 6
    assert content_of(out, fmt) == content_of(tmp_path / f"whole.{fmt}", fmt)
    if fmt != "warc":
        assert len(fetched) == whole.selected - 6  # nothing fetched twice
    assert not out.with_name(out.name + ".partial").exists()


def test_a_changed_selection_starts_over(filled: Archive, tmp_path: Path) -> None:
    out = tmp_path / "x.jsonl"
    export(filled.store, filled.index, "jsonl", out, Selection(outlet="demo"), stop_after=5)
    summary = export(filled.store, filled.index, "jsonl", out, Selection(outlet="other"))
    assert summary.resumed_at == 0 and len(read_jsonl(out)) == 3


def test_download_verifies_checksums(filled: Archive, tmp_path: Path) -> None:
    [pack] = [i.key for i in filled.store.list("runs/other/") if i.key.endswith("/records.jsonl")]
    pack_path = filled.store.path_of(pack)  # type: ignore[attr-defined]
    pack_path.write_bytes(pack_path.read_bytes().replace(b"Paragraph two of story 101", b"Paragraph 2 of story 101"))
    with pytest.raises(ChecksumError, match="in pack"):
        filled.export("jsonl", tmp_path / "o.jsonl", outlet="other")
    pack_path.unlink()  # without its pack, a run's records are read one object each, verified too
    assert filled.export("jsonl", tmp_path / "o.jsonl", outlet="other").records == 3
    key = next(i.key for i in filled.store.list("records/other/"))
    path = filled.store.path_of(key)  # type: ignore[attr-defined]
    path.write_bytes(path.read_bytes().replace(b"Paragraph", b"Paragraf!"))
    with pytest.raises(ChecksumError):
        filled.export("jsonl", tmp_path / "o2.jsonl", outlet="other")
    warc = next(i.key for i in filled.store.list("warc/demo/"))
    warc_path = filled.store.path_of(warc)  # type: ignore[attr-defined]
    data = bytearray(warc_path.read_bytes())
    data[len(data) // 2] ^= 0x55
    warc_path.write_bytes(bytes(data))
    with pytest.raises(ChecksumError):
        filled.export("warc", tmp_path / "d.warc.gz", outlet="demo")


def test_unknown_format_is_a_clear_error(filled: Archive, tmp_path: Path) -> None:
    with pytest.raises(ArchiveError, match="unknown format 'xml'"):
        filled.export("xml", tmp_path / "x.xml")


def test_progress_callback_sees_every_row(filled: Archive, tmp_path: Path) -> None:
    seen: list[tuple[int, int]] = []
    filled.export("jsonl", tmp_path / "p.jsonl", progress=lambda done, total: seen.append((done, total)))
    assert seen[-1] == (15, 15)


def test_the_fast_jsonl_line_is_the_export_record() -> None:
    record = make_record("demo", 1, 'Quote " and ,"extraction": inside the text.\n\nيوم — день')
    record.extraction = {"extraction": {"nested": True}, "dropped": 2}
    line = ArticleRecord.export_line(record.to_json_bytes())
    assert line is not None and json.loads(line) == record.to_export()
    assert list(json.loads(line)) == list(ArticleRecord.EXPORT_FIELDS)
    assert ArticleRecord.export_line(b'{"other": 1}') is None


def test_a_download_killed_mid_way_by_ctrl_c_resumes(filled: Archive, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    monkeypatch.setattr("archive.download.CHECKPOINT_EVERY", 4)
    out = tmp_path / "ctrl-c.jsonl"

    def interrupt_at_eight(done: int, total: int) -> None:
        if done == 8:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        filled.export("jsonl", out, progress=interrupt_at_eight)
    assert not out.exists()
    summary = filled.export("jsonl", out)
    assert summary.resumed_at == 8 and summary.records == 15
    assert [r["canonical_url"] for r in read_jsonl(out)] == [r.canonical_url for r in filled.iter_records()]


def at(record: ArticleRecord, fetched_at: str) -> ArticleRecord:
    record.fetched_at = fetched_at
    return record


@pytest.fixture
def shared(local_archive: Archive) -> Archive:
    """Two outlets archiving the same canonical URL (story 5), each with two versions of it.

    alpha's v2 comes in a later run (both stored lists complete); beta's v2 is a backfilled older
    snapshot, so beta's latest (v1, captured last) stores a list missing v2: its versions come from
    the index at download time, keyed per outlet. alpha also has a story of its own (6).
    """
    run = local_archive.begin_run("alpha")
    run.add_article(at(make_record("alpha", 5, "Alpha first text."), "2026-11-20T08:00:00+00:00"))
    run.add_article(at(make_record("alpha", 6), "2026-11-20T08:00:00+00:00"))
    run.commit({})
    run = local_archive.begin_run("alpha")
    assert run.add_article(at(make_record("alpha", 5, "Alpha second text."), "2026-11-21T08:00:00+00:00")) == "version"
    run.commit({})
    run = local_archive.begin_run("beta")
    run.add_article(at(make_record("beta", 5, "Beta live text."), "2026-11-22T08:00:00+00:00"))
    run.commit({})
    run = local_archive.begin_run("beta", source="wayback")
    old = at(make_record("beta", 5, "Beta snapshot text.", source="wayback"), "2026-11-23T08:00:00+00:00")
    assert run.add_article(old) == "version"  # snapshot 2026-10-03: older than the live capture
    run.commit({})
    return local_archive


def own_versions(record: ArticleRecord | dict[str, Any]) -> bool:
    """Whether a record's version list is its own outlet's, and lists the record itself."""
    outlet, versions, sha256 = (
        (record["outlet"], record["versions"], record["sha256"]) if isinstance(record, dict)
        else (record.outlet, record.versions, record.sha256)
    )  # fmt: skip
    return all(v["key"].startswith(f"records/{outlet}/") for v in versions) and sha256 in [v["sha256"] for v in versions]


def test_two_outlets_with_one_canonical_url_are_two_articles(shared: Archive, tmp_path: Path) -> None:
    url = make_record("alpha", 5).canonical_url
    for outlet in (None, ("alpha", "beta")):
        latest = list(shared.iter_records(outlet=outlet))
        assert [(r.outlet, r.canonical_url.rsplit("/", 1)[1], r.text) for r in latest] == [
            ("alpha", "story-5", "Alpha second text."),
            ("alpha", "story-6", "Paragraph one of story 6.\n\nParagraph two of story 6."),
            ("beta", "story-5", "Beta live text."),
        ]
        assert all(own_versions(r) for r in latest)
        by_outlet = {r.outlet: r for r in latest if r.canonical_url == url}
        assert [v["version"] for v in by_outlet["alpha"].versions] == [1, 2]
        assert [v["version"] for v in by_outlet["beta"].versions] == [2, 1]  # from the index: v1 stored only itself
        every = list(shared.iter_records(outlet=outlet, all_versions=True))
        assert [(r.outlet, r.version) for r in every if r.canonical_url == url] == [
            ("alpha", 1), ("alpha", 2), ("beta", 2), ("beta", 1)
        ]  # fmt: skip
        assert len(every) == 5 and all(own_versions(r) for r in every)
        assert all(len(r.versions) == 2 for r in every if r.canonical_url == url)
    [beta] = shared.iter_records(outlet="beta")
    assert (beta.text, [v["version"] for v in beta.versions]) == ("Beta live text.", [2, 1]) and own_versions(beta)
    assert [r.text for r in shared.iter_records(outlet="alpha", all_versions=True)][:2] == [
        "Alpha first text.", "Alpha second text."
    ]  # fmt: skip
    for all_versions, expected in ((False, 3), (True, 5)):
        out = tmp_path / f"shared-{all_versions}.jsonl"
        assert shared.export("jsonl", out, all_versions=all_versions).records == expected
        rows = read_jsonl(out)
        assert len({(r["outlet"], r["canonical_url"], r["sha256"]) for r in rows}) == expected
        assert {r["outlet"] for r in rows if r["canonical_url"] == url} == {"alpha", "beta"}
        assert all(own_versions(r) for r in rows)
        with_query = shared.export("jsonl", tmp_path / f"q-{all_versions}.jsonl", all_versions=all_versions, query="text")
        assert all(own_versions(r) for r in read_jsonl(tmp_path / f"q-{all_versions}.jsonl"))  # the decoding path
        assert with_query.records == (4 if all_versions else 2)
    stats = shared.stats()  # coverage counts each outlet's article
    assert (stats.total("alpha"), stats.total("beta")) == (2, 1)
