"""The closed sets of words the layers share: each allowed value written once, as a ``StrEnum``.

- :class:`RecordSource` — where an archived record's page was fetched from (its provenance,
  the record's and the run's ``source``): the live site, a Wayback Machine snapshot, or CC-NEWS;
- :class:`SnapshotPick` — which Wayback snapshot of an article is archived;
- :class:`ExportFormat` — what ``download`` writes.

They live in ``core`` because several layers name them (archive, ingest, history, the
application) and because the command line names them when it starts: this module imports
nothing heavy, so ``newsarchive --help`` stays fast. Members are ``str``: a record, a
manifest or a JSON request holds the plain value.
"""

from __future__ import annotations

from enum import StrEnum

__all__ = ["ExportFormat", "RecordSource", "SnapshotPick"]


class RecordSource(StrEnum):
    """Where a record's page was fetched from."""

    LIVE = "live"  # the outlet's own site (the crawler)
    WAYBACK = "wayback"  # a Wayback Machine snapshot (history.wayback)
    CCNEWS = "ccnews"  # a record of Common Crawl's CC-NEWS WARC files (history.ccnews)


class SnapshotPick(StrEnum):
    """Which Wayback snapshot of an article is archived."""

    EARLIEST = "earliest"  # the first at or after publication: the article as first published
    LATEST = "latest"  # the last: the article as last seen
    ALL = "all"  # one per distinct text: the archive keeps the differing ones as versions


class ExportFormat(StrEnum):
    """What ``download`` writes: records as JSON lines, CSV or Parquet, or their raw captures as WARC."""

    JSONL = "jsonl"
    CSV = "csv"
    PARQUET = "parquet"
    WARC = "warc"
