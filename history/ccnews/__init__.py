"""History from Common Crawl's CC-NEWS: the news crawl's WARC files, streamed, as a backfill source.

- :mod:`~history.ccnews.source` — month listings, the files that can hold a window, streaming reads
  (S3 anonymous or HTTP(S));
- :mod:`~history.ccnews.backfill` — the outlet's records through the live ingest path, per file resumable.
"""

from history.ccnews.backfill import CcNewsBackfill, backfill_from_ccnews, outlet_hosts
from history.ccnews.source import CcNewsFile, CcNewsSource, CcNewsUnreachable, files_for_window

__all__ = [
    "CcNewsBackfill",
    "CcNewsFile",
    "CcNewsSource",
    "CcNewsUnreachable",
    "backfill_from_ccnews",
    "files_for_window",
    "outlet_hosts",
]
