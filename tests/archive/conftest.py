"""Fixtures of the archive tests: both stores (local, SeaweedFS), settings with a private spool, archives."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from archive import Archive, ArticleRecord, LocalStore, RawPointer, S3Store, Store
from archive.run import ArchiveRun
from core.settings import Settings

#: Multipart from 5 MB on (S3's smallest part), so the contract tests exercise it cheaply.
SMALL_PARTS = Settings(s3_multipart_threshold=5 * 1024 * 1024)


@pytest.fixture(params=["local", pytest.param("s3", marks=pytest.mark.s3)])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    if request.param == "local":
        yield LocalStore(tmp_path / "store")
        return
    bucket = request.getfixturevalue("s3_bucket")
    s3 = S3Store(bucket, "contract/prefix", settings=SMALL_PARTS, max_attempts=2)
    yield s3
    s3.close()


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(spool_dir=tmp_path / "spool", warc_max_bytes=64 * 1024)


@pytest.fixture
def local_archive(tmp_path: Path, settings: Settings) -> Iterator[Archive]:
    with Archive.open(str(tmp_path / "archive"), settings) as archive:
        yield archive


def capture(run: ArchiveRun, url: str, body: bytes, status: int = 200) -> RawPointer:
    """Write one capture the way the crawler does."""
    return run.write_capture(
        url,
        request_headers={"User-Agent": "newsarchive-test", "Accept": "text/html"},
        status=status,
        response_headers=[("Content-Type", "text/html; charset=utf-8"), ("Content-Encoding", "gzip")],
        body=body,
        fetched_at=datetime.now(UTC),
    )


def make_record(outlet: str, n: int, text: str | None = None, *, published: str | None = None,
                raw: RawPointer | None = None, source: str = "live", title: str | None = None) -> ArticleRecord:
    url = f"http://127.0.0.1:8000/2026/10/{n % 28 + 1:02d}/story-{n}/"
    return ArticleRecord(
        outlet=outlet,
        url=url + "?utm_source=feed",
        canonical_url=f"https://127.0.0.1:8000/2026/10/{n % 28 + 1:02d}/story-{n}",
        title=title or f"Story number {n}",
        authors=["A. Writer"],
        published=published or f"2026-10-{n % 28 + 1:02d}T09:30:00+03:00",
        language="en",
        section="world",
        tags=["news"],
        text=text if text is not None else f"Paragraph one of story {n}.\n\nParagraph two of story {n}.",
        source=source,
        snapshot_timestamp="20261003093000" if source == "wayback" else None,
        raw=raw.as_dict() if raw else {},
        description="desc",
        extraction={"extractor": "test"},
    )
