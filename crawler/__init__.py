"""crawler: the Scrapy side of newsarchive — one generic news spider, driven by the outlet registry.

Only Scrapy components live here, each in its own module: the spider (:mod:`crawler.spiders.news`),
the downloader middlewares (:mod:`crawler.middlewares`, :mod:`crawler.consumed`), the archive
pipeline (:mod:`crawler.pipelines`), the progress extension (:mod:`crawler.progress`), the resolver
(:mod:`crawler.resolver`), the Scrapy settings built from an outlet (:mod:`crawler.settings`),
the skip reason of a failed request (:mod:`crawler.failures`) and :func:`run_crawl`, which runs a
``CrawlerProcess`` (:mod:`crawler.runner`). What a page is and how it is counted is :mod:`ingest`'s.

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
