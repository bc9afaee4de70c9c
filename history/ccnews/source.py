"""Where CC-NEWS lives and which of its WARC files can hold a date window.

Common Crawl's news crawl is a stream of WARC files listed per month:
``crawl-data/CC-NEWS/YYYY/MM/warc.paths.gz`` (gzipped, one key per line), each file
named for the moment its capture started: ``CC-NEWS-20261003123456-00123.warc.gz``.
A file holds captures from its own timestamp to the next file's, so the files that
can hold a window are those whose span meets ``[since, until + ccnews_slack_days]``
(an article is often captured a day or two after it appeared; the window is then
enforced by the extracted publication date, never by the file's date).

:class:`CcNewsSource` reads keys from the ``ccnews_url`` setting: ``s3://<bucket>``
through boto3 with anonymous (unsigned) access — the public ``commoncrawl`` bucket —
or an HTTP(S) base URL (``https://data.commoncrawl.org``, or a local server in
tests); with credentials in boto3's standard chain (a private mirror, SeaweedFS in tests) requests are
signed, and ``AWS_ENDPOINT_URL`` points elsewhere than AWS. :meth:`CcNewsSource.open` streams a file: nothing is written to disk and
at most one read block is in memory.
"""

from __future__ import annotations

import gzip
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import IO, Any
from urllib.parse import urlsplit

import httpx

from core.errors import CrawlError

__all__ = ["CcNewsFile", "CcNewsSource", "CcNewsUnreachable", "files_for_window", "month_listing_key", "months"]

LISTING_TEMPLATE = "crawl-data/CC-NEWS/{year:04d}/{month:02d}/warc.paths.gz"
_FILE_TIME = re.compile(r"CC-NEWS-(\d{14})-\d+\.warc(?:\.gz)?$")


class CcNewsUnreachable(CrawlError):
    """The CC-NEWS endpoint does not answer (refused, no DNS, no such bucket)."""


@dataclass(frozen=True, order=True)
class CcNewsFile:
    """One WARC file of CC-NEWS: its key and the moment its captures start."""

    started: datetime
    key: str


def month_listing_key(year: int, month: int) -> str:
    return LISTING_TEMPLATE.format(year=year, month=month)


def months(first: date, last: date) -> list[tuple[int, int]]:
    """(year, month) from ``first``'s month to ``last``'s, inclusive."""
    found, year, month = [], first.year, first.month
    while (year, month) <= (last.year, last.month):
        found.append((year, month))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return found


def parse_listing(data: bytes) -> list[CcNewsFile]:
    """The WARC files a ``warc.paths.gz`` lists (keys whose name carries no timestamp are skipped)."""
    text = gzip.decompress(data).decode("utf-8", "replace") if data[:2] == b"\x1f\x8b" else data.decode()
    files = []
    for line in text.splitlines():
        match = _FILE_TIME.search(line.strip())
        if match:
            started = datetime.strptime(match.group(1), "%Y%m%d%H%M%S").replace(tzinfo=UTC)
            files.append(CcNewsFile(started, line.strip()))
    return sorted(files)


def files_for_window(files: list[CcNewsFile], start: datetime, end: datetime) -> list[CcNewsFile]:
    """The files whose span ``[started, next file's start)`` meets ``[start, end]``."""
    ordered = sorted(files)
    kept = []
    for index, item in enumerate(ordered):
        following = ordered[index + 1].started if index + 1 < len(ordered) else None
        if item.started <= end and (following is None or following > start):
            kept.append(item)
    return kept


class CcNewsSource:
    """Reads CC-NEWS keys from ``s3://bucket`` (anonymous boto3) or an HTTP(S) base URL."""

    def __init__(self, url: str, *, timeout_s: float = 60.0, user_agent: str = "newsarchive") -> None:
        self.url = url.rstrip("/")
        self.requests = 0
        self.bytes = 0
        parts = urlsplit(self.url)
        self._bucket: str | None = None
        self._s3: Any = None
        self._http: httpx.Client | None = None
        if parts.scheme == "s3":
            import boto3
            from botocore import UNSIGNED
            from botocore.config import Config

            self._bucket = parts.netloc
            self._prefix = parts.path.strip("/")
            # Anonymous (unsigned) unless boto3's standard chain has credentials: the public bucket takes
            # both, and a private mirror (or SeaweedFS in tests) needs them.
            signed = boto3.Session().get_credentials() is not None
            config = Config(retries={"mode": "adaptive"}, **({} if signed else {"signature_version": UNSIGNED}))
            self._s3 = boto3.client("s3", config=config)
        elif parts.scheme in ("http", "https"):
            self._http = httpx.Client(timeout=timeout_s, headers={"User-Agent": user_agent}, follow_redirects=True)
        else:
            raise CrawlError(f"ccnews_url must be s3://<bucket> or an http(s) URL, not {url!r}")

    def listing(self, year: int, month: int) -> list[CcNewsFile]:
        """The month's WARC files ([] when the month has no listing yet)."""
        data = self.read(month_listing_key(year, month))
        return parse_listing(data) if data is not None else []

    def read(self, key: str) -> bytes | None:
        """A small object whole (a listing); None when it does not exist."""
        with self.open(key) as stream:
            if stream is None:
                return None
            data = stream.read()
            self.bytes += len(data)
            return bytes(data)

    @contextmanager
    def open(self, key: str) -> Iterator[IO[bytes] | _HttpStream | None]:
        """A streaming reader of ``key`` (None when it does not exist); never the whole object on disk."""
        self.requests += 1
        if self._http is not None:
            try:
                with self._http.stream("GET", f"{self.url}/{key}") as response:
                    if response.status_code == 404:
                        yield None
                        return
                    if response.status_code != 200:
                        raise CrawlError(f"CC-NEWS {key}: HTTP {response.status_code}")
                    yield _HttpStream(response)
            except httpx.ConnectError as exc:
                raise CcNewsUnreachable(f"CC-NEWS at {self.url} is unreachable: {exc}") from None
            return
        from botocore.exceptions import ClientError, EndpointConnectionError

        name = f"{self._prefix}/{key}" if self._prefix else key
        try:
            body = self._s3.get_object(Bucket=self._bucket, Key=name)["Body"]
        except (EndpointConnectionError, ConnectionError) as exc:
            raise CcNewsUnreachable(f"CC-NEWS at {self.url} is unreachable: {exc}") from None
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("NoSuchKey", "404"):
                yield None
                return
            raise CrawlError(f"CC-NEWS {key}: {exc}") from None
        try:
            yield body
        finally:
            body.close()

    def close(self) -> None:
        if self._http is not None:
            self._http.close()


class _HttpStream:
    """A read-only file over a streamed HTTP body (what warcio's ArchiveIterator reads)."""

    def __init__(self, response: httpx.Response) -> None:
        self._chunks = response.iter_raw(64 * 1024)
        self._buffer = b""
        self.read_bytes = 0

    def read(self, size: int = -1) -> bytes:
        while size < 0 or len(self._buffer) < size:
            try:
                chunk = next(self._chunks)
            except StopIteration:
                break
            self.read_bytes += len(chunk)
            self._buffer += chunk
        if size < 0:
            data, self._buffer = self._buffer, b""
        else:
            data, self._buffer = self._buffer[:size], self._buffer[size:]
        return data

    def readline(self, size: int = -1) -> bytes:  # pragma: no cover - warcio reads blocks
        return self.read(size)


def window_bounds(since: date, until: date, slack_days: int) -> tuple[datetime, datetime]:
    """The capture time span whose files can hold articles published from ``since`` to ``until``."""
    start = datetime.combine(since - timedelta(days=1), datetime.min.time(), tzinfo=UTC)
    end = datetime.combine(until + timedelta(days=slack_days + 1), datetime.min.time(), tzinfo=UTC)
    return start, end
