"""Baseline (a) of the crawl bench: a bare Scrapy spider that only fetches a list of URLs.

``python -m bench.bare_spider URLS_FILE [--polite]`` requests every URL of the file (one a line) with the
same concurrency as the pipeline's unthrottled crawl (``--polite``: its polite defaults, 0.5 s delay and
AutoThrottle), parses nothing, stores nothing, and prints ``{"responses": N, "bytes": B}`` as its last
line. Robots.txt and the dupefilter are off: the list is already what the pipeline fetched. Everything
else is Scrapy's defaults (its extensions included).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import scrapy
from scrapy.crawler import CrawlerProcess
from scrapy.http import Response

#: The pipeline's unthrottled settings (crawler.settings.scrapy_settings with throttle=False).
BARE_SETTINGS: dict[str, Any] = {
    "LOG_LEVEL": "WARNING",
    "ROBOTSTXT_OBEY": False,
    "CONCURRENT_REQUESTS": 32,
    "CONCURRENT_REQUESTS_PER_DOMAIN": 16,
    "DOWNLOAD_DELAY": 0,
    "AUTOTHROTTLE_ENABLED": False,
    "COOKIES_ENABLED": False,
    "TELNETCONSOLE_ENABLED": False,
    "RETRY_ENABLED": False,
    "DUPEFILTER_CLASS": "scrapy.dupefilters.BaseDupeFilter",
    "TWISTED_REACTOR": "twisted.internet.asyncioreactor.AsyncioSelectorReactor",
}

#: The pipeline's polite defaults (scrapy_settings with throttle=True, Settings' delay_s 0.5 and concurrency 4).
POLITE_SETTINGS: dict[str, Any] = {
    **BARE_SETTINGS,
    "CONCURRENT_REQUESTS": 8,
    "CONCURRENT_REQUESTS_PER_DOMAIN": 4,
    "DOWNLOAD_DELAY": 0.5,
    "AUTOTHROTTLE_ENABLED": True,
    "AUTOTHROTTLE_START_DELAY": 1.0,
    "AUTOTHROTTLE_MAX_DELAY": 60.0,
    "AUTOTHROTTLE_TARGET_CONCURRENCY": 2.0,
}


class FetchOnlySpider(scrapy.Spider):
    name = "fetch_only"
    custom_settings = BARE_SETTINGS

    def __init__(self, urls: list[str], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.urls = urls
        self.responses = 0
        self.bytes = 0

    async def start(self) -> Any:
        for url in self.urls:
            yield scrapy.Request(url, callback=self.parse, dont_filter=True)

    def parse(self, response: Response) -> Iterator[Any]:
        self.responses += 1
        self.bytes += len(response.body)
        return iter(())


def main(argv: list[str]) -> int:
    urls = [line.strip() for line in Path(argv[0]).read_text().splitlines() if line.strip()]
    process = CrawlerProcess(install_root_handler=True)
    spider_class = FetchOnlySpider
    if "--polite" in argv[1:]:
        spider_class = type("PoliteFetchOnlySpider", (FetchOnlySpider,), {"custom_settings": POLITE_SETTINGS})
    crawler = process.create_crawler(spider_class)
    process.crawl(crawler, urls=urls)
    process.start()
    spider = crawler.spider
    print(json.dumps({"responses": spider.responses, "bytes": spider.bytes}), flush=True)  # type: ignore[union-attr]
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
