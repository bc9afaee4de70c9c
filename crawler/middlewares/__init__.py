"""The downloader middlewares of the crawl: safe, polite, one request per article, every fetch archived.

One component per module, like :mod:`scrapy.downloadermiddlewares`, each enabled in
:mod:`crawler.settings` (``DOWNLOADER_MIDDLEWARES``) and built with ``from_crawler()``:

- :mod:`~crawler.middlewares.private_address` — :class:`PrivateAddressMiddleware`, the SSRF guard:
  refuses requests (redirects included) whose host resolves to a non-public address, unless the
  outlet sets ``allow_private_addresses`` (then only for the outlet's own domains);
- :mod:`~crawler.middlewares.offsite` — :class:`OutletOffsiteMiddleware`: nothing off the outlet's
  domains is fetched (ports included, which Scrapy's host-name filter cannot express);
- :mod:`~crawler.middlewares.archived` — :class:`ArchivedArticleMiddleware`: incremental crawling,
  no request for an article the archive already holds (``--refresh`` lets recent ones through);
- :mod:`~crawler.middlewares.robotstxt` — :class:`SpiderRobotsTxtMiddleware`: Scrapy's robots.txt
  rules, read from the spider's own robots.txt response (one fetch per crawl);
- :mod:`~crawler.middlewares.crawl_delay` — :class:`CrawlDelayMiddleware`: robots.txt ``Crawl-delay``
  (Scrapy reads Disallow only);
- :mod:`~crawler.middlewares.retry` — :class:`BackoffRetryMiddleware`: Scrapy's retries plus
  exponential backoff and ``Retry-After``;
- :mod:`~crawler.middlewares.redirect` — :class:`CapturingRedirectMiddleware`,
  :class:`CapturingMetaRefreshMiddleware`: Scrapy's redirects, each hop archived;
- :mod:`~crawler.middlewares.charset` — :class:`DeclaredCharsetMiddleware`: a response whose declared
  charset cannot decode text (``zlib``, ``rot13``, ``undefined``, ...) is read all the same.

Each refusal raises an exception of :mod:`crawler.exceptions`; each response a middleware consumes
before the spider is announced by :data:`crawler.signals.response_consumed` for the WARC.
"""
