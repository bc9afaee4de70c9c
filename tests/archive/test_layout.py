"""The key layout: deterministic, hashed, validated — and the record's JSON shape."""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime, tzinfo
from types import SimpleNamespace

import pytest

from archive import ArticleRecord, layout
from archive.stores.base import validate_key
from core.errors import ArchiveLayoutError
from core.urls import canonical_url

URL = "https://news.example.com/2026/10/03/a-story-about-things/?id=7"
TEXT_SHA = hashlib.sha256(b"text").hexdigest()


def test_record_keys_are_deterministic_hashed_and_safe() -> None:
    key = layout.record_key("demo", date(2026, 10, 3), canonical_url(URL), 1, TEXT_SHA)
    assert key == layout.record_key("demo", date(2026, 10, 3), canonical_url(URL + "&utm_source=x"), 1, TEXT_SHA)
    assert key.startswith("records/demo/2026/10/03/") and key.endswith(f"-v0001-{TEXT_SHA[:16]}.json")
    assert key == f"records/demo/2026/10/03/{layout.url_id(canonical_url(URL))}-v0001-{TEXT_SHA[:16]}.json"
    assert "a-story-about-things" not in key and "news.example.com" not in key
    assert validate_key(key) == key
    v2 = layout.sibling_version_key(key, 2, hashlib.sha256(b"new text").hexdigest())
    assert v2.rsplit("-v", 1)[0] == key.rsplit("-v", 1)[0] and "-v0002-" in v2
    # An archive written with a directory per article keeps its new versions in that directory.
    nested = key.replace("-v0001-", "/v0001-")
    assert layout.sibling_version_key(nested, 2, TEXT_SHA) == nested.replace("/v0001-", "/v0002-")
    with pytest.raises(ArchiveLayoutError):
        layout.sibling_version_key("warc/demo/2026/10/03/x.warc.gz", 2, TEXT_SHA)
    assert layout.record_key("demo", None, canonical_url(URL), 1, TEXT_SHA).startswith("records/demo/undated/")


def test_run_keys_and_their_parsers() -> None:
    run_id = layout.new_run_id(datetime(2026, 10, 3, 4, 5, 6, 7, tzinfo=UTC))
    assert run_id.startswith("20261003T040506.000007Z-")
    assert layout.run_started_at(run_id) == datetime(2026, 10, 3, 4, 5, 6, 7, tzinfo=UTC)
    # ids written before microseconds were are still read (and still name keys)
    assert layout.run_started_at("20261003T040506Z-abcdef") == datetime(2026, 10, 3, 4, 5, 6, tzinfo=UTC)
    assert layout.parse_commit_key(layout.commit_key("demo", "20261003T040506Z-abcdef")) == (
        "demo", "20261003T040506Z-abcdef")
    assert layout.warc_key("demo", run_id, 2) == f"warc/demo/2026/10/03/{run_id}-00002.warc.gz"
    assert layout.parse_commit_key(layout.commit_key("demo", run_id)) == ("demo", run_id)
    assert layout.parse_commit_key(layout.manifest_key("demo", run_id)) is None
    assert layout.parse_index_key(layout.index_key("demo", run_id)) == ("demo", run_id)


@pytest.mark.parametrize("bad", [("Demo", "x"), ("de mo", "x"), ("../x", "x"), ("demo", "not-a-run")])
def test_invalid_outlets_and_run_ids_are_refused(bad: tuple[str, str]) -> None:
    outlet, run_id = bad
    with pytest.raises(ArchiveLayoutError):
        layout.manifest_key(outlet, run_id if run_id != "x" else "20261003T040506Z-abcdef")


def test_stored_json_keeps_every_field_and_round_trips() -> None:
    record = ArticleRecord(outlet="demo", url=URL, canonical_url=canonical_url(URL), text="Para.\n\nPara 2.",
                           published=datetime(2026, 10, 3, 9, 0, tzinfo=UTC), authors=["X"])  # fmt: skip
    assert record.sha256 == hashlib.sha256(b"Para.\n\nPara 2.").hexdigest()
    assert record.published == "2026-10-03T09:00:00+00:00" and record.published_day == date(2026, 10, 3)
    again = ArticleRecord.from_json_bytes(record.to_json_bytes())
    assert again == record
    assert list(record.to_dict())[: len(ArticleRecord.EXPORT_FIELDS)] == list(ArticleRecord.EXPORT_FIELDS)


def test_runs_of_one_second_order_as_they_began(monkeypatch: pytest.MonkeyPatch) -> None:
    # The random suffix must not decide: the first run gets the larger one.
    suffixes = iter(["ffffff", "000000", "800000"])
    monkeypatch.setattr(layout, "secrets", SimpleNamespace(token_hex=lambda _n: next(suffixes)))
    first = layout.new_run_id(datetime(2026, 10, 3, 4, 5, 6, 100_000, tzinfo=UTC))
    second = layout.new_run_id(datetime(2026, 10, 3, 4, 5, 6, 900_000, tzinfo=UTC))
    older = "20261003T040505Z-ffffff"  # an id written before, a second earlier
    assert sorted([second, first, older], key=layout.run_order) == [older, first, second]


def test_run_ids_made_now_increase_even_when_the_clock_repeats(monkeypatch: pytest.MonkeyPatch) -> None:
    frozen = datetime.now(UTC)

    class Clock(datetime):
        @classmethod
        def now(cls, tz: tzinfo | None = None) -> Clock:
            return cls.fromtimestamp(frozen.timestamp(), tz)

    monkeypatch.setattr(layout, "datetime", Clock)
    suffixes = iter(["ffffff", "000000"])
    monkeypatch.setattr(layout, "secrets", SimpleNamespace(token_hex=lambda _n: next(suffixes)))
    a, b = layout.new_run_id(), layout.new_run_id()
    assert layout.run_order(a) < layout.run_order(b) and a != b


def test_commit_log_keys_sort_by_commit_time_across_outlets() -> None:
    run = "20261203T230000.000001Z-abc123"
    early = layout.commit_log_key("zeta", run, datetime(2026, 12, 4, 1, 2, 3, 456789, tzinfo=UTC))
    late = layout.commit_log_key("alpha", run, datetime(2026, 12, 4, 1, 2, 3, 456790, tzinfo=UTC))
    assert early == "commits/20261204/20261204T010203.456789Z.zeta.20261203T230000.000001Z-abc123"
    assert early < late, "ordered by commit time, not by outlet"
    assert layout.parse_commit_log_key(early) == ("zeta", run)
    assert layout.commit_log_time(late) == datetime(2026, 12, 4, 1, 2, 3, 456790, tzinfo=UTC)
    assert layout.parse_commit_log_key("commits/20261204/junk") is None
    assert layout.parse_commit_key(early) is None and layout.parse_run_file_key(early) is None
    validate_key(early)
    start = layout.commit_log_start_after(datetime(2026, 12, 4, 1, 2, 3, 456790, tzinfo=UTC))
    assert early < start < late, "a listing after it keeps what was committed at that instant or later"
