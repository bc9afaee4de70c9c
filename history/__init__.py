"""history: fetchers of an outlet's past from web archives — no Scrapy, no Twisted.

- :mod:`history.wayback` — the Wayback Machine (CDX index and ``id_`` replay);
- :mod:`history.ccnews` — Common Crawl's CC-NEWS (month listings, streamed WARC files).

Each fetcher hands what it recovers to the same ingest path as the live crawl (:mod:`ingest`).
"""
