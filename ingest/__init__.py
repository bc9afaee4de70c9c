"""ingest: what every fetcher shares between a fetched response and an archived record — no Scrapy.

The live crawl (:mod:`crawler`) and the history fetchers (:mod:`history`) hand pages to the
same functions, so an article is judged, extracted, dated and counted the same way whoever
fetched it:

- :mod:`ingest.pages` — :func:`capture` (a :class:`FetchedResponse` to the run's WARC) and :func:`read_page`
  (is it an article, extract it, is it in the window, in an :class:`IngestContext`); :func:`ingest_page`
  does both and adds the record;
- :mod:`ingest.extraction` — :class:`~ingest.extraction.PageReaders`: :func:`read_page` in worker processes,
  each page within a time limit (``extract_timeout``);
- :mod:`ingest.articles` — which URLs and which pages are articles (:class:`ArticleRules`);
- :mod:`ingest.discovery` — parsers of robots.txt, sitemaps, feeds and section pages (bytes in, URLs out);
- :mod:`ingest.templates` — an outlet's template lines, learned during a run and kept in the archive;
- :mod:`ingest.plan` — what a run of one outlet starts from (window, known articles, template lines);
- :mod:`ingest.tally` — the run's ledger: one source and one outcome per URL, stats that add up;
- :mod:`ingest.summary` — a run's summary (:class:`RunSummary`), as the CLI and the DAGs read it.
"""

from ingest.articles import ArticleRules, UrlKind
from ingest.pages import FetchedResponse, IngestContext, IngestOutcome, capture, ingest_page, read_page
from ingest.plan import CrawlPlan, build_plan
from ingest.summary import RunSummary
from ingest.tally import CrawlTally

__all__ = [
    "ArticleRules",
    "CrawlPlan",
    "CrawlTally",
    "FetchedResponse",
    "IngestContext",
    "IngestOutcome",
    "RunSummary",
    "UrlKind",
    "build_plan",
    "capture",
    "ingest_page",
    "read_page",
]
