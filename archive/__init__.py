"""The archive: raw captures, clean records, manifests and an index, on a local directory or S3.

Everything the crawler, the CLI and the DAGs do with an archive goes through
:class:`Archive`::

    archive = Archive.open("s3://bucket/news")          # or "./newsarchive-data", "file:///data/archive"
    run = archive.begin_run("demo", window=DateWindow(since, until))
    ptr = run.write_capture(url, status=200, response_headers=[...], body=body, fetched_at=now)
    run.add_article(ArticleRecord(..., raw=ptr.as_dict()))   # "new" | "version" | "duplicate"
    run.commit(stats)
    archive.export("jsonl", Path("articles.jsonl"), outlet="demo")
    archive.committed_runs("demo"), archive.manifest("demo", run_id)  # what committed runs vouch for
    archive.verify(deep=True).damaged                   # every committed run whole?
    archive.gc(older_than=timedelta(hours=48))          # what killed runs left
    with archive.lease("demo"): ...                     # one crawl of an outlet at a time

The key layout is documented in :mod:`archive.layout`. This package knows nothing of Scrapy.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from archive.download import ExportSummary, Selection
from archive.facade import Archive
from archive.gc import GcReport, collect_garbage
from archive.index import ArchiveIndex
from archive.manifest import Manifest
from archive.record import ArticleRecord, RawPointer
from archive.run import ArchiveRun, Outcome
from archive.stats import ArchiveStats, write_heatmap
from archive.stores import LocalStore, ObjectInfo, ObjectNotFoundError, Store, StoreAccessError, open_store
from archive.verify import VerifyReport, verify_archive

if TYPE_CHECKING:
    from archive.stores.s3 import S3Store

__all__ = [
    "Archive",
    "ArchiveIndex",
    "ArchiveRun",
    "ArchiveStats",
    "ArticleRecord",
    "ExportSummary",
    "GcReport",
    "LocalStore",
    "Manifest",
    "ObjectInfo",
    "ObjectNotFoundError",
    "Outcome",
    "RawPointer",
    "S3Store",
    "Selection",
    "Store",
    "StoreAccessError",
    "VerifyReport",
    "collect_garbage",
    "open_store",
    "verify_archive",
    "write_heatmap",
]


def __getattr__(name: str) -> Any:
    if name == "S3Store":  # boto3 is imported only when S3 is used
        from archive.stores.s3 import S3Store

        return S3Store
    raise AttributeError(name)
