"""crawler: the Scrapy side of newsarchive — one generic news spider, driven by the outlet registry.

Only Scrapy components live here, each in its own module: the spider (:mod:`crawler.spiders.news`),
its item (:mod:`crawler.items`), the downloader middlewares (:mod:`crawler.middlewares`, one per
module), the dupe filter (:mod:`crawler.dupefilter`), the archive pipeline (:mod:`crawler.pipelines`),
the progress extension (:mod:`crawler.progress`), the crawl's budgets (:mod:`crawler.budgets`), the resolver (:mod:`crawler.resolver`), the Scrapy
settings built from an outlet (:mod:`crawler.settings`), and :func:`run_crawl`, which runs a
``CrawlerProcess`` (:mod:`crawler.runner`). Shared by them: the refusals (:mod:`crawler.exceptions`),
the ``response_consumed`` signal (:mod:`crawler.signals`), a request's URL identity
(:mod:`crawler.identity`), what they read of the spider (:mod:`crawler.outlet_spider`) and the skip
reason of a failed request (:mod:`crawler.failures`). What a page is and how it is counted is :mod:`ingest`'s.

Importing this package loads no Scrapy: its names are resolved on first use.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from crawler.runner import run_crawl
    from crawler.spiders.news import NewsSpider

_LAZY = {
    "run_crawl": "crawler.runner",
    "NewsSpider": "crawler.spiders.news",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'crawler' has no attribute {name!r}")


__all__ = ["NewsSpider", "run_crawl"]
