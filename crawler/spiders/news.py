"""NewsSpider: the one generic news spider, driven by an :class:`~core.registry.Outlet`.

Discovery runs in two phases:

1. **Structured surfaces** — robots.txt (its ``Sitemap:`` lines, else ``/sitemap.xml``),
   the registry's sitemaps and feeds (else ``/feed/``), nested sitemap indexes, URL
   sets with ``lastmod``, Google News sitemaps, RSS/Atom feeds. Out-of-window
   entries are skipped here, before any request (see :mod:`core.dates`).
2. **Pages** — once every structured document is in, the home page and the
   registry's sections are crawled with their pagination. When phase 1 found no
   article URL at all (no sitemap, no feed), the spider switches to *link mode*:
   it follows every in-domain link of every page, up to ``max_depth`` hops.

Every URL is counted once (by identity) in the spider's :class:`~ingest.tally.CrawlTally`
and ends with one outcome; the :class:`~crawler.pipelines.ArchivePipeline` does the
archiving. Requests refused by middlewares (robots, private addresses, already
archived, ...) end in :meth:`NewsSpider.on_error`, which names the reason.

Only ``http``/``https`` URLs are requested (others are counted as ``unsupported_scheme``), and every
request spends the crawl's budgets (:mod:`crawler.budgets`): once one is spent no request is made
and the crawl stops, keeping what it fetched.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Iterator
from datetime import date, datetime
from enum import StrEnum
from typing import Any, Self
from urllib.parse import urlsplit

import scrapy
from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.http import Response, TextResponse
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from core.urls import canonical_url, is_web_url, same_site
from crawler.budgets import CrawlBudgets
from crawler.failures import failure_reason
from crawler.items import FetchedPage
from ingest.articles import ArticleRules, UrlKind, url_date
from ingest.conditional import STATS_KEY as CONDITIONAL_STATS_KEY
from ingest.conditional import VALIDATOR_HEADERS
from ingest.discovery import XmlTooLarge, parse_feed, parse_listing, parse_sitemap, robots_sitemaps
from ingest.plan import CrawlPlan
from ingest.tally import CrawlTally

__all__ = ["DEFAULT_FEED_PATHS", "DEFAULT_SITEMAP_PATHS", "NewsSpider", "Role"]

#: Tried when robots.txt lists no sitemap and the registry gives none.
DEFAULT_SITEMAP_PATHS: tuple[str, ...] = ("/sitemap.xml",)
#: Tried when the registry lists no feed (the WordPress convention).
DEFAULT_FEED_PATHS: tuple[str, ...] = ("/feed/",)
#: ``<link rel=alternate>`` types that announce a feed on a home page.
FEED_LINK_TYPES: tuple[str, ...] = ("application/rss+xml", "application/atom+xml", "application/rdf+xml")
#: Nesting limit of sitemap indexes (an index of indexes of ...).
MAX_SITEMAP_DEPTH = 4
#: Priority of the robots.txt request: every other request of its host waits for it.
ROBOTS_PRIORITY = 1000
#: Hosts whose on-site answer :meth:`NewsSpider.on_site` remembers (links to many offsite hosts).
MAX_REMEMBERED_HOSTS = 10_000


class Role(StrEnum):
    ROBOTS = "robots"
    DOCUMENT = "document"  # sitemap or feed
    LISTING = "listing"  # home, section, pagination, tag/author pages in link mode
    PAGE = "page"  # candidate article


class NewsSpider(scrapy.Spider):
    name = "news"
    budgets: CrawlBudgets

    def __init__(self, plan: CrawlPlan, **kwargs: Any) -> None:
        super().__init__(name=f"news-{plan.outlet.id}", **kwargs)
        self.plan = plan
        self.outlet = plan.outlet
        self.window = plan.window
        self.rules = ArticleRules(plan.outlet)
        self.tally = CrawlTally()
        self.link_mode = False
        self.summary: dict[str, Any] | None = None
        self._open_documents = 0
        self._structured_urls = 0
        self._pages_started = False
        #: Home and sections: fetched in phase 2 whatever listed them earlier.
        self._start_pages = [plan.outlet.base_url, *(plan.outlet.absolute(u) for u in plan.outlet.sections)]
        self._start_identities = frozenset(canonical_url(u) for u in self._start_pages)
        self._on_site: dict[tuple[str, str], bool] = {}
        #: Conditional discovery (:mod:`ingest.conditional`): documents unchanged (304, or an unchanged
        #: child sitemap) and changed (200) in this run, listings answered 304, phase 2 skipped.
        self.discovery = plan.discovery
        self._unchanged_documents = 0
        self._changed_documents = 0
        self._listings_not_modified = 0
        self._pages_skipped = False

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> Self:
        spider = super().from_crawler(crawler, *args, **kwargs)
        crawler.signals.connect(spider.request_dropped, signal=signals.request_dropped)
        spider.budgets = CrawlBudgets.from_crawler(crawler)
        return spider

    def on_site(self, url: str) -> bool:
        """Is ``url`` on the outlet's domains? :func:`same_site`, remembered per scheme and host."""
        parts = urlsplit(url.strip())
        key = (parts.scheme.lower(), parts.netloc)
        known = self._on_site.get(key)
        if known is None:
            if len(self._on_site) >= MAX_REMEMBERED_HOSTS:
                self._on_site.clear()
            known = self._on_site[key] = same_site(url, self.outlet.allowed_domains)
        return known

    @property
    def max_section_pages(self) -> int:
        return self.settings.getint("NEWSARCHIVE_MAX_SECTION_PAGES")

    @property
    def max_depth(self) -> int:
        return self.plan.settings.max_depth

    # -- requests -------------------------------------------------------------------------------

    def _request(self, url: str, source: str, role: Role, **meta: Any) -> Request | None:
        """A request for ``url`` if its identity is new (counted under ``source``), else None."""
        if self._unsupported(url, source):
            return None
        identity = canonical_url(url)
        if not self.tally.discover(identity, source):
            return None
        if not self._within_budgets(role):
            return None  # discovered, never requested: a "budget" skip when the crawl closes
        callbacks = {
            Role.ROBOTS: self.parse_robots,
            Role.DOCUMENT: self.parse_document,
            Role.LISTING: self.parse_listing_page,
            Role.PAGE: self.parse_page,
        }
        if role in (Role.ROBOTS, Role.DOCUMENT):
            self._open_documents += 1
        headers: dict[str, str] = {}
        if role is Role.DOCUMENT or (role is Role.LISTING and meta.get("page") == 1):
            headers = self.discovery.request_headers(identity)
            if headers:
                meta["handle_httpstatus_list"] = [304]
        return Request(
            url,
            callback=callbacks[role],
            errback=self.on_error,
            headers=headers or None,
            meta={"identity": identity, "role": role.value, "discovery": role is not Role.PAGE, **meta},
        )

    def _validators(self, response: Response) -> None:
        """Keep the ETag / Last-Modified of a discovery document fetched in full (``ingest.conditional``)."""
        found = {name: response.headers.get(name) for name in VALIDATOR_HEADERS}
        self.discovery.fetched(response.meta["identity"], {
            name: value.decode("latin-1") for name, value in found.items() if value})

    def _not_modified(self, response: Response) -> bool:
        """A 304 to a conditional request: the document is as the last run saw it, its URLs stand."""
        if response.status != 304:
            return False
        self.discovery.unchanged(response.meta["identity"])
        self.tally.requests_saved_by_conditional += 1
        return True

    def _out_of_window(self, url: str, published: datetime | None, lastmod: datetime | None) -> bool:
        if self.window.skip_by_published(published) or self.window.skip_by_lastmod(lastmod):
            return True
        day = url_date(url)
        if day is None:
            return False
        try:
            return not self.window.contains_day(date(*day))
        except ValueError:
            return False

    def follow(
        self,
        url: str,
        source: str,
        *,
        published: datetime | None = None,
        lastmod: datetime | None = None,
        hops: int = 0,
        listings: bool = False,
    ) -> Request | None:
        """Decide what to do with a discovered page URL; a request when it is worth fetching.

        ``listings``: follow listing pages (link mode); otherwise they are counted, not fetched.
        """
        if self._unsupported(url, source):
            return None
        if not self.on_site(url):
            self.tally.offsite_links += 1
            return None
        identity = canonical_url(url)
        if identity in self._start_identities and not self._pages_started:
            return None  # requested (and counted) in phase 2
        if not self.tally.discover(identity, source):
            return None
        kind = self.rules.classify_url(url)
        outcome: str | None = None
        if kind is UrlKind.BINARY:
            outcome = "binary"
        elif kind is UrlKind.EXCLUDED or (kind is UrlKind.LISTING and not listings):
            outcome = "not_article"
        elif kind is not UrlKind.LISTING and self._out_of_window(url, published, lastmod):
            outcome = "out_of_window"
            self.tally.requests_saved_by_window += 1
        if outcome is not None:
            self.tally.finish(identity, outcome)
            return None
        role = Role.LISTING if kind is UrlKind.LISTING else Role.PAGE
        if not self._within_budgets(role):
            return None
        callback = self.parse_listing_page if role is Role.LISTING else self.parse_page
        return Request(
            url,
            callback=callback,
            errback=self.on_error,
            meta={"identity": identity, "role": role.value, "discovery": role is Role.LISTING, "hops": hops},
        )

    async def start(self) -> AsyncIterator[Request]:
        for request in self._structured_requests():
            yield request
        if self._open_documents == 0:
            for request in self._page_requests():
                yield request

    def _structured_requests(self) -> Iterator[Request]:
        outlet = self.outlet
        candidates: list[tuple[str, str, Role]] = [(outlet.absolute("/robots.txt"), "start", Role.ROBOTS)]
        candidates += [(outlet.absolute(url), "start", Role.DOCUMENT) for url in outlet.sitemaps]
        feeds = outlet.feeds or list(DEFAULT_FEED_PATHS)
        candidates += [(outlet.absolute(url), "start", Role.DOCUMENT) for url in feeds]
        for url, source, role in candidates:
            request = self._request(url, source, role, sitemap_depth=0)
            if request is not None:
                if role is Role.ROBOTS:
                    # The one robots.txt fetch of the crawl: Scrapy's rules wait for it (SpiderRobotsTxtMiddleware).
                    request.meta["dont_obey_robotstxt"] = True
                    request = request.replace(priority=ROBOTS_PRIORITY)
                yield request

    def _page_requests(self) -> Iterator[Request]:
        """Phase 2: home and sections; link mode when the structured surfaces listed nothing."""
        if self._pages_started:
            return
        self._pages_started = True
        if (self.discovery.usable and not self.discovery.listings_add_articles and self._unchanged_documents
                and not self._changed_documents):
            # Every sitemap and feed is as the last run saw it, and that run's listings found nothing they
            # did not list: the home and section pages have nothing new to give (ingest.conditional).
            self._pages_skipped = True
            self.logger.info("sitemaps and feeds of %s unchanged: home and sections not fetched", self.outlet.id)
            return
        self.link_mode = self._structured_urls == 0 and self._unchanged_documents == 0
        if self.link_mode:
            self.logger.info("no sitemap or feed listed any page: crawling %s by links", self.outlet.base_url)
        for url in self._start_pages:
            request = self._request(url, "start", Role.LISTING, page=1, hops=0)
            if request is not None:
                request.meta["home"] = url == self.outlet.base_url
                yield request

    def _document_done(self) -> Iterator[Request]:
        self._open_documents -= 1
        if self._open_documents <= 0:
            yield from self._page_requests()

    # -- callbacks ----------------------------------------------------------------------------

    def parse_robots(self, response: Response) -> Iterator[Any]:
        yield FetchedPage.from_response(response, Role.ROBOTS.value, outcome="discovery")
        text = response.text if isinstance(response, TextResponse) else response.body.decode("utf-8", "replace")
        sitemaps = robots_sitemaps(text, response.url)
        yield from self._sitemap_requests(sitemaps, source="robots")
        yield from self._document_done()

    def _sitemap_requests(self, sitemaps: list[str], source: str) -> Iterator[Request]:
        if not sitemaps and not self.outlet.sitemaps:
            sitemaps, source = [self.outlet.absolute(p) for p in DEFAULT_SITEMAP_PATHS], "start"
        for url in sitemaps:
            if self.on_site(url):
                request = self._request(url, source, Role.DOCUMENT, sitemap_depth=0)
                if request is not None:
                    yield request

    def parse_document(self, response: Response) -> Iterator[Any]:
        """A sitemap (index, URL set, news) or a feed, told apart by its root element."""
        if self._not_modified(response):
            self._unchanged_documents += 1
            yield FetchedPage.from_response(response, Role.DOCUMENT.value, outcome="discovery")
            yield from self._document_done()
            return
        self._changed_documents += 1
        self._validators(response)
        tz = self.outlet.tz
        max_urls = self.settings.getint("NEWSARCHIVE_MAX_SITEMAP_URLS")
        outcome = "discovery"
        found: list[Request | None] = []
        try:
            sitemap = parse_sitemap(response.body, response.url, tz=tz, max_urls=max_urls)
            self._spend_entries(len(sitemap.entries))
            if sitemap.kind == "index":
                depth = response.meta.get("sitemap_depth", 0) + 1
                for entry in sitemap.entries:
                    found.append(self._child_sitemap(entry.loc, entry.lastmod, depth))
            elif sitemap.kind == "urlset":
                source = "news_sitemap" if sitemap.is_news else "sitemap"
                self._structured_urls += len(sitemap.entries)
                for entry in sitemap.entries:
                    found.append(self.follow(entry.loc, source, published=entry.published, lastmod=entry.lastmod))
            if sitemap.kind != "unknown":
                broken = sitemap.malformed
            else:
                feed = parse_feed(response.body, response.url, tz=tz)
                self._spend_entries(len(feed.entries))
                self._structured_urls += len(feed.entries)
                for item in feed.entries:
                    found.append(self.follow(item.url, "feed", published=item.published))
                broken = feed.malformed
            if broken:
                # What could be recovered is used; the document is counted as malformed.
                self.tally.malformed["xml"] += 1
                self.logger.warning("malformed document %s: %s", response.url, "; ".join(sitemap.problems[:3]))
        except XmlTooLarge as exc:
            self.logger.warning("document %s refused: %s", response.url, exc)
            self.tally.malformed["too_large"] += 1
            outcome = "too_large"
        yield FetchedPage.from_response(response, Role.DOCUMENT.value, outcome=outcome)
        yield from (request for request in found if request is not None)
        yield from self._document_done()

    def _child_sitemap(self, url: str, lastmod: datetime | None, depth: int) -> Request | None:
        if self._unsupported(url, "sitemap"):
            return None
        if depth > MAX_SITEMAP_DEPTH or not self.on_site(url):
            return None
        if self.window.skip_by_lastmod(lastmod):
            identity = canonical_url(url)
            if self.tally.discover(identity, "sitemap"):
                self.tally.requests_saved_by_window += 1
                self.tally.finish(identity, "out_of_window")
            return None
        identity = canonical_url(url)
        if self.discovery.child_unchanged(identity, lastmod):
            # Listed with the <lastmod> it had last run: its URLs stand (ingest.conditional).
            if self.tally.discover(identity, "sitemap"):
                self.tally.requests_saved_by_conditional += 1
                self._unchanged_documents += 1
                self.tally.finish(identity, "known")
            return None
        return self._request(url, "sitemap", Role.DOCUMENT, sitemap_depth=depth)

    def parse_listing_page(self, response: Response) -> Iterator[Any]:
        yield FetchedPage.from_response(response, Role.LISTING.value, outcome="not_article")
        if self._not_modified(response):
            self._listings_not_modified += 1
            return
        if response.meta.get("page") == 1:
            self._validators(response)
        if not isinstance(response, TextResponse):
            return
        listing = parse_listing(response.selector, response.url)
        hops = response.meta.get("hops", 0) + 1
        if response.meta.get("home"):
            yield from self._announced_feeds(response)
        dated: list[bool] = []
        for link in listing.links:
            if link in listing.next_pages:
                continue
            request = self.follow(link, "section", hops=hops, listings=self.link_mode and hops <= self.max_depth)
            if request is not None:
                yield request
            day = url_date(link)
            if day is not None and self.on_site(link):
                try:
                    dated.append(self.window.contains_day(date(*day)) or self._after_window(date(*day)))
                except ValueError:
                    continue
        yield from self._next_pages(response, listing.next_pages, dated)

    def _after_window(self, day: date) -> bool:
        return self.window.until is not None and day > self.window.until

    def _next_pages(self, response: Response, next_pages: list[str], dated: list[bool]) -> Iterator[Request]:
        page = response.meta.get("page", 1)
        if page >= self.max_section_pages:
            return
        if dated and not any(dated):
            return  # every dated link is older than the window: older pages are older still
        for url in next_pages:
            if self.on_site(url):
                request = self._request(url, "section", Role.LISTING, page=page + 1, hops=response.meta.get("hops", 0))
                if request is not None:
                    yield request

    def _announced_feeds(self, response: TextResponse) -> Iterator[Request]:
        for link in response.css("link[rel~=alternate][href]"):
            if (link.attrib.get("type") or "").lower() in FEED_LINK_TYPES:
                url = response.urljoin(link.attrib["href"])
                if self.on_site(url):
                    request = self._request(url, "start", Role.DOCUMENT, sitemap_depth=0)
                    if request is not None:
                        yield request

    def parse_page(self, response: Response) -> Iterator[Any]:
        yield FetchedPage.from_response(response, Role.PAGE.value)
        if self.link_mode and isinstance(response, TextResponse):
            hops = response.meta.get("hops", 0) + 1
            if hops <= self.max_depth:
                for link in parse_listing(response.selector, response.url).links:
                    request = self.follow(link, "link", hops=hops, listings=True)
                    if request is not None:
                        yield request

    # -- schemes and budgets -------------------------------------------------------------------

    def _unsupported(self, url: str, source: str) -> bool:
        """Is ``url`` of a scheme never requested (``ftp:``, ``s3:``, ...)? Counted once as ``unsupported_scheme``."""
        if is_web_url(url):
            return False
        identity = url.strip()
        if self.tally.discover(identity, source):
            self.tally.finish(identity, "unsupported_scheme")
        return True

    def _within_budgets(self, role: Role) -> bool:
        """May one more request of ``role`` be made? A document spends the ``sitemaps`` budget, any request
        the ``pending`` one; False once a budget is spent (the crawl is stopping)."""
        if self.budgets.stopped:
            return False
        if role is Role.DOCUMENT and not self.budgets.spend("sitemaps"):
            return False
        return self.budgets.created()

    def _spend_entries(self, entries: int) -> None:
        """Entries read from one sitemap or feed, against the crawl's ``sitemap_urls`` budget."""
        self.budgets.spend("sitemap_urls", entries)

    # -- failures -----------------------------------------------------------------------------

    def on_error(self, failure: Failure) -> Iterable[Any]:
        request: Request = failure.request  # type: ignore[attr-defined]
        reason = failure_reason(failure)
        role = request.meta.get("role")
        results: list[Any] = []
        if isinstance(failure.value, HttpError):
            results.append(FetchedPage.from_response(failure.value.response, "failed", outcome=reason))
        else:
            self.tally.finish(request.meta["identity"], reason)
        if reason not in ("known", "robots"):
            self.logger.info("%s not fetched (%s): %s", request.url, reason, failure.getErrorMessage())
        if role == Role.ROBOTS.value:
            results.extend(self._sitemap_requests([], source="start"))
        if role in (Role.ROBOTS.value, Role.DOCUMENT.value):
            results.extend(self._document_done())
        return results

    def request_dropped(self, request: Request, spider: scrapy.Spider) -> None:
        """A redirect that landed on a URL already requested under another identity."""
        if spider is not self or "identity" not in request.meta:
            return
        self.tally.finish(request.meta["identity"], "duplicate")
        if request.meta.get("role") in (Role.ROBOTS.value, Role.DOCUMENT.value):
            engine = self.crawler.engine
            for follow_up in self._document_done():
                engine.crawl(follow_up)

    # -- end ----------------------------------------------------------------------------------

    def run_stats(self) -> dict[str, Any]:
        """The run stats: the tally merged with Scrapy's counters."""
        stats = self.tally.snapshot(self.crawler.stats.get_stats())
        stats["outlet"] = self.outlet.id
        stats["window"] = self.window.to_dict()
        stats["link_mode"] = self.link_mode
        stats["refresh_days"] = self.plan.refresh_days
        stats["budget"] = self.budgets.to_stats()
        by_listings = sum(self.tally.archived_by_source[source] for source in ("section", "link")) > 0
        if self._pages_skipped or self._listings_not_modified:
            by_listings = by_listings or self.discovery.listings_add_articles
        stats[CONDITIONAL_STATS_KEY] = self.discovery.to_stats(listings_add_articles=by_listings)
        return stats

    def finish(self, run_id: str, stats: dict[str, Any], *, committed: bool, stopped: str | None = None,
               unreachable: bool = False) -> None:
        self.summary = {"outlet_id": self.outlet.id, "run_id": run_id, "committed": committed, "stats": stats,
                        "stopped": stopped, "unreachable": unreachable}
