"""One path from a fetched page to an archived record, whichever fetcher got the page.

:func:`ingest_page` knows nothing of Scrapy: it takes what any fetcher has of one response
(a :class:`FetchedResponse`: URL, status, headers, body, time), what the run knows when it reads
pages (an :class:`IngestContext`: outlet, article rules, window, headlines, provenance) and

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
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from parsel import Selector

from core.dates import DateWindow
from core.errors import ExtractionError
from core.registry import Outlet
from core.urls import canonical_url, same_site
from core.vocabulary import RecordSource
from ingest.articles import ArticleRules

if TYPE_CHECKING:
    from archive import ArticleRecord
    from archive.record import RawPointer
    from archive.run import ArchiveRun
    from extract import Extraction

__all__ = [
    "HTML_CONTENT_TYPES",
    "FetchedResponse",
    "IngestContext",
    "IngestOutcome",
    "capture",
    "charset_of",
    "ingest_page",
    "looks_like_html",
    "page_identity",
    "preview_record",
    "read_page",
    "strip_record_template_lines",
]

logger = logging.getLogger(__name__)

#: Content types that can hold an article.
HTML_CONTENT_TYPES: tuple[str, ...] = ("text/html", "application/xhtml+xml")
#: Response headers that describe the transfer, not the body as stored (it is stored decoded).
TRANSFER_HEADERS: frozenset[str] = frozenset({"content-encoding", "transfer-encoding", "content-length"})


#: Headers as a fetcher has them: a mapping, or ``(name, value)`` pairs.
Headers = Mapping[str, str] | Iterable[tuple[str, str]]


@dataclass(slots=True)
class FetchedResponse:
    """What a fetcher has of one response. Headers are kept as ``(name, value)`` pairs, in order."""

    url: str
    status: int
    headers: Headers
    body: bytes
    fetched_at: datetime
    request_headers: Headers = field(default_factory=list)
    #: The Wayback snapshot (14 digits) this response replays, when it is one.
    snapshot_timestamp: str | None = None

    def __post_init__(self) -> None:
        self.headers = _header_list(self.headers)
        self.request_headers = _header_list(self.request_headers)


@dataclass(frozen=True, slots=True)
class IngestContext:
    """What a run knows when it reads its pages: the outlet and its rules, the window, where pages come from.

    ``known_headlines`` are headlines of the outlet's archived articles (a paragraph equal to one is a
    teaser); ``source`` is the records' provenance.
    """

    outlet: Outlet
    rules: ArticleRules
    window: DateWindow | None = None
    known_headlines: Collection[str] = ()
    source: RecordSource = RecordSource.LIVE


@dataclass(slots=True)
class IngestOutcome:
    """What became of one page: "new", "version", "duplicate", "out_of_window", "not_article", "too_deep",
    "extract_timeout" or "error".

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


def _header_list(headers: Headers) -> list[tuple[str, str]]:
    items = headers.items() if isinstance(headers, Mapping) else headers
    return [(str(name), str(value)) for name, value in items]


def _header(headers: Headers, name: str) -> str:
    for key, value in _header_list(headers):
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


def capture(run: ArchiveRun, response: FetchedResponse) -> RawPointer:
    """Write one response to the run's WARC. The body is stored decoded, so transfer headers are dropped."""
    kept = [(k, v) for k, v in _header_list(response.headers) if k.lower() not in TRANSFER_HEADERS]
    return run.write_capture(
        response.url,
        request_headers=dict(_header_list(response.request_headers)),
        status=response.status,
        response_headers=kept,
        body=response.body,
        fetched_at=response.fetched_at,
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
    run: ArchiveRun, context: IngestContext, response: FetchedResponse, *, template_lines: Collection[str] = ()
) -> IngestOutcome:
    """Capture, classify, extract and archive one page; see the module docstring."""
    result = read_page(context, response, capture(run, response), template_lines=template_lines)
    if result.record is not None:
        result.outcome = run.add_article(result.record)
    return result


def read_page(
    context: IngestContext,
    response: FetchedResponse,
    pointer: RawPointer,
    *,
    template_lines: Collection[str] = (),
) -> IngestOutcome:
    """Classify and extract one captured page (steps 2-4): outcome "article" with its record, or why not.

    ``pointer`` is where :func:`capture` wrote the response; ``template_lines`` are the outlet's
    template lines learned so far (:mod:`ingest.templates`).
    """
    from extract import PageTooDeep, extract_article, parse_page

    outlet, page_url = context.outlet, response.url
    identity = canonical_url(page_url)
    if not 200 <= response.status < 300:
        return IngestOutcome("error", identity, f"HTTP {response.status}", pointer=pointer)
    content_type = _header(response.headers, "content-type").split(";")[0].strip().lower()
    if content_type and content_type not in HTML_CONTENT_TYPES:
        return IngestOutcome("not_article", identity, f"content type {content_type}", pointer=pointer)

    encoding = charset_of(_header(response.headers, "content-type"))
    try:
        # Parsed once: the article check reads the tree, then the extraction consumes it.
        page = parse_page(response.body, encoding)
        is_article, signal = context.rules.page_is_article(Selector(root=page.tree, type="html"), page_url)
    except PageTooDeep as exc:
        return IngestOutcome("too_deep", identity, str(exc), pointer=pointer)
    except (ExtractionError, LookupError, ValueError) as exc:
        return IngestOutcome("error", identity, f"unreadable page: {exc}", pointer=pointer)
    if not is_article:
        return IngestOutcome("not_article", identity, signal, pointer=pointer)

    try:
        extraction = extract_article(
            page, page_url, outlet=outlet, known_headlines=context.known_headlines, template_lines=template_lines
        )
    except ExtractionError as exc:
        return IngestOutcome("error", identity, f"extraction failed: {exc}", pointer=pointer)
    if not extraction.text.strip():
        return IngestOutcome("error", identity, "no text extracted", pointer=pointer)
    if context.window is not None and not context.window.contains(extraction.window_date):
        return IngestOutcome("out_of_window", identity, f"published {extraction.published}", pointer=pointer,
                             extraction=extraction)

    identity, record = _record_of(extraction, outlet, response, context.source, pointer)
    return IngestOutcome("article", identity, signal, record=record, pointer=pointer, extraction=extraction)


def _record_of(extraction: Extraction, outlet: Outlet, response: FetchedResponse, source: RecordSource,
               pointer: RawPointer | None) -> tuple[str, ArticleRecord]:  # fmt: skip
    """The article's identity and record, as the run archives it (the one place a record is built from a page)."""
    from archive import ArticleRecord

    identity = page_identity(response.url, extraction.canonical_url, outlet)
    return identity, ArticleRecord.from_extraction(
        extraction,
        outlet=outlet.id,
        url=response.url,
        canonical_url=identity,
        fetched_at=response.fetched_at,
        source=source,
        snapshot_timestamp=response.snapshot_timestamp,
        raw=pointer,
    )


def looks_like_html(body: bytes) -> bool:
    """Could ``body`` be an HTML page? (Binary data — NUL bytes, undecodable text, no tag — is not.)"""
    head = body[:4096]
    if not head.strip() or b"\x00" in head:
        return False
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError:
        text = head.decode("latin-1")
        if sum(ch < " " and ch not in "\t\r\n\f" for ch in text) > len(text) // 100:
            return False
    return "<" in text


def preview_record(body: bytes, url: str, *, outlet: Outlet | None = None, encoding: str | None = None,
                   template_lines: Collection[str] = (),
                   fetched_at: datetime | None = None) -> tuple[ArticleRecord, Extraction]:  # fmt: skip
    """``newsarchive extract``: one page through the archive's own path, as the run would record it.

    The same extraction and record as :func:`read_page` (without the article check and the window:
    the user asked for this page), then the same template pass as the held records
    (:meth:`ingest.templates.HeldRecords.drain`). Without ``outlet`` the page stands for itself: an
    ad-hoc outlet of its host, whose dates keep the page's own offsets. Returns the record and the
    extraction (its Markdown and HTML renderings). Raises :class:`ExtractionError`.
    """
    from datetime import UTC

    from extract import extract_article, parse_page

    outlet = outlet or _page_outlet(url)
    response = FetchedResponse(url=url, status=200, headers={}, body=body,
                               fetched_at=fetched_at or datetime.now(UTC))  # fmt: skip
    extraction = extract_article(parse_page(body, encoding), url, outlet=outlet, template_lines=template_lines)
    _, record = _record_of(extraction, outlet, response, RecordSource.LIVE, None)
    return strip_record_template_lines(record, frozenset(template_lines)), extraction


def _page_outlet(url: str) -> Outlet:
    """The outlet a page stands for when none is named: its own site, no rules of its own."""
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    host = parts.hostname or "page"
    base = f"{parts.scheme}://{parts.netloc}/" if parts.scheme in ("http", "https") else "http://localhost/"
    return Outlet(id="page", name=host, base_url=base)


def strip_record_template_lines(record: ArticleRecord, template_lines: frozenset[str]) -> ArticleRecord:
    """``record`` without the paragraphs equal to a template line (the template pass; see :class:`ingest.templates.HeldRecords`)."""
    from extract import strip_template_lines

    text, removed = strip_template_lines(record.text, template_lines)
    if removed:
        record.text = text  # the run computes the new sha256 when the record is added
        details = record.extraction
        details["template_lines_removed"] = [*details.get("template_lines_removed", []), *removed]
        details["paragraphs"] = max(0, int(details.get("paragraphs", 0)) - len(removed))
    return record
