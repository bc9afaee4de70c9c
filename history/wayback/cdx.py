"""Wayback CDX API client: which captures of which URLs the Internet Archive holds.

One :class:`CdxQuery` names a URL scope (``matchType`` exact, prefix, host or
domain), a capture time range (``from``/``to``), filters (by default
``statuscode:200`` and ``mimetype:text/html``) and ``collapse=digest``.
:meth:`CdxClient.pages` walks its result page by page with
``showResumeKey``/``resumeKey``, so an interrupted walk continues from the last
resume key (see :mod:`history.wayback.checkpoint`).

The real server's JSON has quirks, all handled by :func:`parse_cdx_json`:

- the first row is a header naming the fields (their order follows ``fl``);
- with ``showResumeKey=true`` the resume key comes last, alone in its row,
  after an empty row; a page with fewer rows than ``limit`` may still have one
  (filters and collapse apply after the limit), so only a missing key ends a walk;
- no result at all is ``[]`` or an empty body;
- a response cut short (the server drops long queries mid-stream) is invalid
  JSON under a 200: it raises :class:`CdxTruncated` and the page is asked again.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from ipaddress import ip_address
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from core.dates import format_wayback_timestamp, parse_wayback_timestamp
from core.errors import CrawlError
from history.wayback.transport import WaybackHttp, WaybackUnavailable

if TYPE_CHECKING:
    from core.registry import Outlet

__all__ = [
    "CDX_PATH",
    "CdxClient",
    "CdxPage",
    "CdxQuery",
    "CdxRow",
    "CdxTruncated",
    "cdx_scopes",
    "parse_cdx_json",
]

logger = logging.getLogger(__name__)

CDX_PATH = "/cdx/search/cdx"
DEFAULT_FILTERS: tuple[str, ...] = ("statuscode:200", "mimetype:text/html")
FIELDS: tuple[str, ...] = ("urlkey", "timestamp", "original", "mimetype", "statuscode", "digest", "length")
MATCH_TYPES = frozenset({"exact", "prefix", "host", "domain"})


class CdxTruncated(CrawlError):
    """A CDX response that is not complete JSON (cut short by the server or the network)."""


def cdx_scopes(outlet: Outlet) -> list[tuple[str, str]]:
    """(url, matchType) per CDX query: ``domain`` for a named host, ``prefix`` for an IP, a port or a path."""
    scopes: list[tuple[str, str]] = []
    base = urlsplit(outlet.base_url)
    host = base.hostname or ""
    try:
        ip_address(host)
        is_ip = True
    except ValueError:
        is_ip = False
    if is_ip or base.port or base.path not in ("", "/"):
        scopes.append((outlet.base_url, "prefix"))
    else:
        scopes.append((host.removeprefix("www."), "domain"))
    scopes += [(domain, "domain") for domain in outlet.domains]
    return list(dict.fromkeys(scopes))


@dataclass(frozen=True, slots=True)
class CdxRow:
    """One capture as the CDX index lists it."""

    timestamp: str
    original: str
    mimetype: str = ""
    statuscode: str = ""
    digest: str = ""
    length: int | None = None
    urlkey: str = ""

    @property
    def captured_at(self) -> datetime:
        return parse_wayback_timestamp(self.timestamp)

    def to_json(self) -> list[str]:
        return [self.timestamp, self.original, self.mimetype, self.statuscode, self.digest, str(self.length or "")]

    @classmethod
    def from_json(cls, values: list[str]) -> CdxRow:
        timestamp, original, mimetype, statuscode, digest, length = values
        return cls(timestamp, original, mimetype, statuscode, digest, int(length) if length.isdigit() else None)


@dataclass(frozen=True, slots=True)
class CdxPage:
    rows: list[CdxRow]
    #: Where the next page starts; None on the last page.
    resume_key: str | None


@dataclass(frozen=True)
class CdxQuery:
    """One CDX search: a URL scope, a capture time range, filters."""

    url: str
    match_type: str = "prefix"
    since: date | datetime | None = None
    until: date | datetime | None = None
    filters: tuple[str, ...] = DEFAULT_FILTERS
    collapse: str | None = "digest"
    page_size: int = 5000
    extra: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.match_type not in MATCH_TYPES:
            raise ValueError(f"matchType must be one of {sorted(MATCH_TYPES)}, not {self.match_type!r}")

    @property
    def key(self) -> str:
        """A stable name for checkpoints: the parameters without the resume key."""
        return json.dumps(self.params(), sort_keys=True)

    def params(self, resume_key: str | None = None) -> dict[str, str | list[str]]:
        params: dict[str, str | list[str]] = {
            "url": self.url,
            "matchType": self.match_type,
            "output": "json",
            "fl": ",".join(FIELDS),
            "limit": str(self.page_size),
            "showResumeKey": "true",
        }
        if self.since is not None:
            params["from"] = format_wayback_timestamp(self.since)
        if self.until is not None:
            params["to"] = format_wayback_timestamp(self.until, end=True)
        if self.filters:
            params["filter"] = list(self.filters)
        if self.collapse:
            params["collapse"] = self.collapse
        params.update(self.extra)
        if resume_key:
            params["resumeKey"] = resume_key
        return params


def parse_cdx_json(body: bytes | str) -> CdxPage:
    """Rows and resume key of one CDX JSON response (see the module docstring for the quirks)."""
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else body
    if not text.strip():
        return CdxPage([], None)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise CdxTruncated(f"CDX response is not complete JSON ({len(text)} chars): {exc}") from None
    if not isinstance(data, list) or not all(isinstance(row, list) for row in data):
        raise CdxTruncated("CDX response is not a list of rows")
    if not data:
        return CdxPage([], None)
    header, body_rows = [str(name) for name in data[0]], data[1:]
    resume_key: str | None = None
    if len(body_rows) >= 2 and body_rows[-2] == [] and len(body_rows[-1]) == 1:
        resume_key = str(body_rows[-1][0])
        body_rows = body_rows[:-2]
    missing = {"timestamp", "original"} - set(header)
    if missing:
        raise CdxTruncated(f"CDX header lacks {sorted(missing)}: {header}")
    rows: list[CdxRow] = []
    for values in body_rows:
        if len(values) != len(header):
            continue  # a stray row (or an empty one) is not a capture
        item = dict(zip(header, (str(v) for v in values), strict=True))
        length = item.get("length", "")
        rows.append(
            CdxRow(
                timestamp=item["timestamp"],
                original=item["original"],
                mimetype=item.get("mimetype", ""),
                statuscode=item.get("statuscode", ""),
                digest=item.get("digest", ""),
                length=int(length) if length.isdigit() else None,
                urlkey=item.get("urlkey", ""),
            )
        )
    return CdxPage(rows, resume_key)


class CdxClient:
    """Pages of CDX results, rate limited and retried by the shared :class:`WaybackHttp`."""

    def __init__(self, http: WaybackHttp, *, truncated_retries: int = 4) -> None:
        self.http = http
        self.truncated_retries = truncated_retries
        self.truncated = 0

    def page(self, query: CdxQuery, resume_key: str | None = None) -> CdxPage:
        """One page of ``query`` starting at ``resume_key``; a cut-short page is asked again."""
        for _attempt in range(self.truncated_retries + 1):
            response = self.http.get(CDX_PATH, kind="cdx", params=query.params(resume_key))
            if response.status_code == 404:
                return CdxPage([], None)
            if response.status_code != 200:
                raise WaybackUnavailable(f"CDX query {query.url!r} answered HTTP {response.status_code}")
            try:
                return parse_cdx_json(response.content)
            except CdxTruncated as exc:
                self.truncated += 1
                logger.info("CDX page for %s truncated (%s); asking again", query.url, exc)
        raise WaybackUnavailable(f"CDX query {query.url!r}: {self.truncated_retries + 1} truncated responses in a row")

    def pages(self, query: CdxQuery, resume_key: str | None = None) -> Iterator[CdxPage]:
        """Every page of ``query``, from ``resume_key`` on; each page carries the key of the next one."""
        while True:
            page = self.page(query, resume_key)
            yield page
            if not page.resume_key or page.resume_key == resume_key:
                return
            resume_key = page.resume_key

    def rows(self, query: CdxQuery) -> Iterator[CdxRow]:
        for page in self.pages(query):
            yield from page.rows
