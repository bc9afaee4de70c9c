"""The search index and the browser over an S3 archive (SeaweedFS): the same code as for a local one,
the index in the local cache dir, records and captures read from the bucket."""

from __future__ import annotations

from pathlib import Path

import pytest
from starlette.testclient import TestClient

from archive import Archive
from archive.search import Query, SearchIndex
from core.settings import Settings
from newsarchive.serve import create_app
from tests.archive.conftest import capture, make_record

pytestmark = pytest.mark.s3


def test_an_s3_archive_is_indexed_searched_and_replayed(s3_bucket: str, tmp_path: Path) -> None:
    settings = Settings(spool_dir=tmp_path / "spool", search_cache_dir=tmp_path / "search", s3_max_attempts=2)
    archive = Archive.open(f"s3://{s3_bucket}/news", settings)
    run = archive.begin_run("demo")
    for n in range(4):
        pointer = capture(run, f"http://127.0.0.1:8000/2026/10/{n % 28 + 1:02d}/story-{n}/",
                          b"<html><script>document.title='x'</script><p>story %d</p></html>" % n)  # fmt: skip
        text = f"The lighthouse keeper {n} reported a storm.\n\nParagraph two of story {n}."
        assert run.add_article(make_record("demo", n, text, raw=pointer)) == "new"
    run.commit({"requests": 4})

    index = SearchIndex(archive)
    assert index.update() == 1 and index.update() == 0
    assert index.path.is_relative_to(tmp_path / "search")
    result = index.search(Query("lighthouse"))
    assert result.total == 4 and ("lighthouse", True) in result.hits[0].snippet
    with TestClient(create_app(archive, index), base_url="http://127.0.0.1") as client:
        key = result.hits[0].key
        assert "The lighthouse keeper" in client.get("/article", params={"key": key}).text
        raw = client.get("/capture", params={"key": key})
        assert raw.status_code == 200 and raw.headers["content-security-policy"].startswith("sandbox;")
        assert b"<script>document.title='x'</script>" in raw.content
        exported = client.get("/export", params={"q": "lighthouse", "format": "jsonl"})
        assert len(exported.text.splitlines()) == 4
