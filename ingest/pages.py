"""One path from a fetched page to an archived record, whichever fetcher got the page.

:func:`ingest_page` knows nothing of Scrapy: it takes what any fetcher has (URL,
status, headers, body, time) and

1. writes the raw capture to the run's WARC (every page, article or not);
2. decides whether the page is an article (:mod:`ingest.articles`);
3. extracts it (:func:`extract.extract_article`), honouring ``rel=canonical`` when it
   stays on the outlet's domains for the article's identity;
4. keeps it only when its publication date is in the window;
5. adds the :class:`archive.ArticleRecord` to the run (new, version or duplicate).

Step 1 is :func:`capture` and steps 2-4 are :func:`read_page`: the live crawl and the Wayback
backfill call those two and add the record later, because they hold records back until the
outlet's template lines are learned (:mod:`ingest.templates`). :func:`ingest_page` is all five
steps at once, for a caller archiving a page on its own. None raises for a bad page: the
outcome says what happened and why.
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from parsel import Selector

from core.dates import DateWindow
from core.errors import ExtractionError
from core.registry import Outlet
from core.urls import canonical_url, same_site
from ingest.articles import ArticleRules

if TYPE_CHECKING:
    from archive import ArticleRecord
    from archive.record import RawPointer
    from archive.run import ArchiveRun
    from extract import Extraction

__all__ = [
    "HTML_CONTENT_TYPES",
    "IngestOutcome",
    "capture",
    "charset_of",
    "ingest_page",
    "page_identity",
    "read_page",
]

logger = logging.getLogger(__name__)

#: Content types that can hold an article.
HTML_CONTENT_TYPES: tuple[str, ...] = ("text/html", "application/xhtml+xml")
#: Response headers that describe the transfer, not the body as stored (it is stored decoded).
TRANSFER_HEADERS: frozenset[str] = frozenset({"content-encoding", "transfer-encoding", "content-length"})


@dataclass(slots=True)
class IngestOutcome:
    """What became of one page: "new", "version", "duplicate", "out_of_window", "not_article" or "error".

    :func:`read_page` answers "article" for a record not added to a run yet.
    """

    outcome: str
    identity: str
    detail: str = ""
    record: ArticleRecord | None = None
    pointer: RawPointer | None = None
    extraction: Extraction | None = None

    @property
    def archived(self) -> bool:
        return self.outcome in ("new", "version")


def _header_list(headers: Mapping[str, str] | Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    items = headers.items() if isinstance(headers, Mapping) else headers
    return [(str(name), str(value)) for name, value in items]


def _header(headers: list[tuple[str, str]], name: str) -> str:
    for key, value in headers:
        if key.lower() == name:
            return value
    return ""


def charset_of(content_type: str) -> str | None:
    """The ``charset`` parameter of a Content-Type header value, if declared."""
    for part in content_type.split(";")[1:]:
        key, _, value = part.strip().partition("=")
        if key.lower() == "charset" and value.strip(" \"'"):
            return value.strip(" \"'")
    return None


def capture(
    run: ArchiveRun,
    url: str,
    status: int,
    headers: Mapping[str, str] | Iterable[tuple[str, str]],
    body: bytes,
    fetched_at: datetime,
    *,
    request_headers: Mapping[str, str] | Iterable[tuple[str, str]] = (),
) -> RawPointer:
    """Write one response to the run's WARC. The body is stored decoded, so transfer headers are dropped."""
    kept = [(k, v) for k, v in _header_list(headers) if k.lower() not in TRANSFER_HEADERS]
    return run.write_capture(
        url,
        request_headers=dict(_header_list(request_headers)),
        status=status,
        response_headers=kept,
        body=body,
        fetched_at=fetched_at,
    )


def page_identity(url: str, declared_canonical: str | None, outlet: Outlet) -> str:
    """The article's identity: its ``rel=canonical`` when that stays on the outlet's domains, else its URL."""
    if (
        declared_canonical
        and declared_canonical.startswith(("http://", "https://"))
        and same_site(declared_canonical, outlet.allowed_domains)
    ):
        return canonical_url(declared_canonical)
    return canonical_url(url)


def ingest_page(
    run: ArchiveRun,
    outlet: Outlet,
    url: str,
    status: int,
    headers: Mapping[str, str] | Iterable[tuple[str, str]],
    body: bytes,
    fetched_at: datetime,
    *,
    source: str = "live",
    snapshot_timestamp: str | None = None,
    original_url: str | None = None,
    known_headlines: Collection[str] = (),
    template_lines: Collection[str] = (),
    window: DateWindow | None = None,
    rules: ArticleRules | None = None,
    request_headers: Mapping[str, str] | Iterable[tuple[str, str]] = (),
    pointer: RawPointer | None = None,
) -> IngestOutcome:
    """Capture, classify, extract and archive one page; see the module docstring.

    ``original_url`` is the page's own URL when ``url`` is where it was fetched from
    (a Wayback snapshot); the record is keyed on the original. Pass ``pointer`` when
    the capture was already written.
    """
    if pointer is None:
        pointer = capture(run, url, status, headers, body, fetched_at, request_headers=request_headers)
    result = read_page(
        outlet, original_url or url, status, headers, body, fetched_at, pointer=pointer, source=source,
        snapshot_timestamp=snapshot_timestamp, known_headlines=known_headlines, template_lines=template_lines,
        window=window, rules=rules,
    )
    if result.record is not None:
        result.outcome = run.add_article(result.record)
    return result


def read_page(
    outlet: Outlet,
    page_url: str,
    status: int,
    headers: Mapping[str, str] | Iterable[tuple[str, str]],
    body: bytes,
    fetched_at: datetime,
    *,
    pointer: RawPointer,
    source: str = "live",
    snapshot_timestamp: str | None = None,
    known_headlines: Collection[str] = (),
    template_lines: Collection[str] = (),
    window: DateWindow | None = None,
    rules: ArticleRules | None = None,
) -> IngestOutcome:
    """Classify and extract one captured page (steps 2-4): outcome "article" with its record, or why not."""
    from archive import ArticleRecord
    from extract import extract_article, parse_page

    header_list = _header_list(headers)
    identity = canonical_url(page_url)
    if not 200 <= status < 300:
        return IngestOutcome("error", identity, f"HTTP {status}", pointer=pointer)
    content_type = _header(header_list, "content-type").split(";")[0].strip().lower()
    if content_type and content_type not in HTML_CONTENT_TYPES:
        return IngestOutcome("not_article", identity, f"content type {content_type}", pointer=pointer)

    rules = rules or ArticleRules(outlet)
    encoding = charset_of(_header(header_list, "content-type"))
    try:
        # Parsed once: the article check reads the tree, then the extraction consumes it.
        page = parse_page(body, encoding)
        is_article, signal = rules.page_is_article(Selector(root=page.tree, type="html"), page_url)
    except (ExtractionError, LookupError, ValueError) as exc:
        return IngestOutcome("error", identity, f"unreadable page: {exc}", pointer=pointer)
    if not is_article:
        return IngestOutcome("not_article", identity, signal, pointer=pointer)

    try:
        extraction = extract_article(
            page, page_url, outlet=outlet, known_headlines=known_headlines, template_lines=template_lines
        )
    except ExtractionError as exc:
        return IngestOutcome("error", identity, f"extraction failed: {exc}", pointer=pointer)
    if not extraction.text.strip():
        return IngestOutcome("error", identity, "no text extracted", pointer=pointer)
    if window is not None and not window.contains(extraction.published):
        return IngestOutcome("out_of_window", identity, f"published {extraction.published}", pointer=pointer,
                             extraction=extraction)

    identity = page_identity(page_url, extraction.canonical_url, outlet)
    record = ArticleRecord.from_extraction(
        extraction,
        outlet=outlet.id,
        url=page_url,
        canonical_url=identity,
        fetched_at=fetched_at,
        source=source,
        snapshot_timestamp=snapshot_timestamp,
        raw=pointer,
    )
    return IngestOutcome("article", identity, signal, record=record, pointer=pointer, extraction=extraction)
