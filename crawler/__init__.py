"""crawler: the Scrapy side of newsarchive — one generic news spider, driven by the outlet registry.

- :func:`run_crawl` / :func:`crawl_in_subprocess` — crawl outlets into an archive;
- :func:`ingest_page` — one page to one record (:func:`capture` + ``read_page`` + the run; the live
  crawl and the Wayback backfill use the two steps, holding records for template learning);
- :class:`NewsSpider`, :mod:`crawler.discovery`, :mod:`crawler.articles`,
  :mod:`crawler.window`, :mod:`crawler.middlewares`, :mod:`crawler.consumed` (responses a
  middleware consumes — retries, redirects, robots.txt — still archived), :mod:`crawler.stats` — the parts.
"""

from crawler.articles import ArticleRules, UrlKind
from crawler.ingest import IngestOutcome, capture, ingest_page
from crawler.plan import CrawlPlan, build_plan
from crawler.runner import CrawlRequest, CrawlSummary, crawl_in_subprocess, run_crawl
from crawler.spiders.news import NewsSpider
from crawler.stats import CrawlTally
from crawler.window import DateWindow

__all__ = [
    "ArticleRules",
    "CrawlPlan",
    "CrawlRequest",
    "CrawlSummary",
    "CrawlTally",
    "DateWindow",
    "IngestOutcome",
    "NewsSpider",
    "UrlKind",
    "build_plan",
    "capture",
    "crawl_in_subprocess",
    "ingest_page",
    "run_crawl",
]
