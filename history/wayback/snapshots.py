"""Which captures to fetch: one snapshot per article (or every distinct one), listings for discovery.

CDX rows are sorted out with the live crawler's own rules —
:class:`ingest.articles.ArticleRules` (article, listing, excluded, binary),
:class:`core.dates.DateWindow` (a /YYYY/MM/DD/ path or a sitemap
publication date outside the window skips the URL unfetched) and
:func:`core.urls.canonical_url` (the five spellings of one article are one
article) — and then one capture per canonical URL is picked:

- ``earliest`` (default): the first capture at or after the publication date
  known at discovery (the article as first published), else the first capture;
- ``latest``: the last capture (the article as last seen);
- ``all``: one capture per distinct digest (every text the Archive saw; the
  archive keeps the differing ones as versions).

Listing pages (home, sections) and XML documents (sitemaps, feeds) are kept
apart, one capture per URL and day, for :mod:`history.wayback.discover`.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time

from core.dates import DateWindow
from core.registry import Outlet
from core.urls import canonical_url, same_site
from core.vocabulary import SnapshotPick
from history.wayback.cdx import CdxRow
from ingest.articles import ArticleRules, UrlKind, url_date

__all__ = ["Snapshot", "SnapshotPlan", "SnapshotSelector"]


@dataclass(frozen=True, slots=True)
class Snapshot:
    """A capture chosen for fetching."""

    canonical_url: str
    timestamp: str
    original: str
    digest: str = ""
    #: How the URL was found: "cdx", or the discovery surface (sitemap, feed, section, ...).
    source: str = "cdx"
    published_hint: datetime | None = None


@dataclass
class SnapshotPlan:
    articles: list[Snapshot] = field(default_factory=list)
    listings: list[CdxRow] = field(default_factory=list)
    #: Canonical URLs not planned, with their skip reason.
    skipped_urls: dict[str, str] = field(default_factory=dict)
    #: Canonical URL of every listing page seen (captured in the window or not).
    listing_urls: set[str] = field(default_factory=set)

    @property
    def skipped(self) -> Counter[str]:
        return Counter(self.skipped_urls.values())

    @property
    def saved_by_window(self) -> int:
        """Canonical URLs skipped unfetched because a discovery date put them out of the window."""
        return self.skipped["out_of_window"]


class SnapshotSelector:
    """Sorts CDX rows for one outlet and window, and picks the snapshots to fetch."""

    def __init__(
        self,
        outlet: Outlet,
        window: DateWindow,
        pick: SnapshotPick | str = SnapshotPick.EARLIEST,
        *,
        rules: ArticleRules | None = None,
        robots_allow: Callable[[str], bool] | None = None,
        max_listing_snapshots: int = 200,
    ) -> None:
        self.outlet = outlet
        self.window = window
        self.pick = SnapshotPick(pick)
        self.rules = rules or ArticleRules(outlet)
        self.max_listing_snapshots = max_listing_snapshots
        #: The outlet's robots.txt as archived (set by the backfill once it has read it).
        self.robots_allow = robots_allow or (lambda _url: True)

    def url_outcome(self, url: str, published: datetime | None = None) -> str | None:
        """Why ``url`` is not an article to fetch (a skip reason), or None when it is one."""
        if not same_site(url, self.outlet.allowed_domains):
            return "offsite"
        kind = self.rules.classify_url(url)
        if kind is UrlKind.BINARY:
            return "binary"
        if kind in (UrlKind.EXCLUDED, UrlKind.LISTING):
            return "not_article"
        if not self.robots_allow(url):
            return "robots"
        day = url_date(url)
        if day is not None and not self.window.contains_day(date(*day)):
            return "out_of_window"
        if self.window.skip_by_published(published):
            return "out_of_window"
        return None

    def is_listing(self, url: str) -> bool:
        return same_site(url, self.outlet.allowed_domains) and self.rules.classify_url(url) is UrlKind.LISTING

    def plan(self, rows: Iterable[CdxRow], hints: dict[str, datetime] | None = None) -> SnapshotPlan:
        """Sort ``rows`` into article snapshots, listing captures and skips (``hints``: canonical URL → published)."""
        hints = hints or {}
        plan = SnapshotPlan()
        by_article: dict[str, list[CdxRow]] = defaultdict(list)
        listings: dict[tuple[str, str], CdxRow] = {}
        decided: dict[str, str | None] = {}
        for row in rows:
            identity = canonical_url(row.original)
            if identity not in decided:
                decided[identity] = self.url_outcome(row.original, hints.get(identity))
                if decided[identity] == "not_article" and self.is_listing(row.original):
                    decided[identity] = "listing"
                if decided[identity] not in (None, "listing"):
                    plan.skipped_urls[identity] = str(decided[identity])
            outcome = decided[identity]
            if outcome is None:
                by_article[identity].append(row)
            elif outcome == "listing":
                plan.listing_urls.add(identity)
                if self._capture_in_window(row):
                    listings.setdefault((identity, row.timestamp[:8]), row)
        for identity, captures in by_article.items():
            plan.articles.extend(self.choose(identity, captures, hints.get(identity)))
        plan.listings = sorted(listings.values(), key=lambda r: r.timestamp)[: self.max_listing_snapshots]
        return plan

    def _capture_in_window(self, row: CdxRow) -> bool:
        return self.window.contains_day(row.captured_at.astimezone(self.window.tz).date())

    def choose(self, identity: str, captures: list[CdxRow], published: datetime | None = None) -> list[Snapshot]:
        """The snapshot(s) of one article by the selector's pick rule."""
        ordered = sorted(captures, key=lambda r: r.timestamp)
        if published is None and (day := url_date(identity)) is not None:
            published = datetime.combine(date(*day), time.min, tzinfo=self.outlet.tz)
        if self.pick is SnapshotPick.ALL:
            seen: set[str] = set()
            chosen = []
            for row in ordered:
                if row.digest and row.digest in seen:
                    continue
                seen.add(row.digest)
                chosen.append(row)
        elif self.pick is SnapshotPick.LATEST:
            chosen = [ordered[-1]]
        else:
            after = [r for r in ordered if published is None or r.captured_at >= published]
            chosen = [(after or ordered)[0]]
        return [Snapshot(identity, r.timestamp, r.original, r.digest, "cdx", published) for r in chosen]
