"""The :class:`Archive` facade: one object for everything the other packages do with an archive."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from archive import download
from archive.download import ExportSummary, ProgressCallback, Selection
from archive.gc import DEFAULT_OLDER_THAN, GcReport, collect_garbage
from archive.index import ArchiveIndex
from archive.inventory import CommittedRun, read_run
from archive.lease import CrawlLease
from archive.manifest import Manifest
from archive.record import ArticleRecord
from archive.run import ArchiveRun
from archive.spool import Spool
from archive.stats import ArchiveStats, compute_stats
from archive.stores import Store, open_store
from archive.verify import VerifyReport, verify_archive, verify_run
from core.dates import DateWindow
from core.errors import ArchiveError
from core.settings import Settings, get_settings
from core.vocabulary import ExportFormat, RecordSource

__all__ = ["Archive"]


class Archive:
    """An archive on one store: runs write into it, the index and exports read from it."""

    def __init__(self, store: Store, settings: Settings | None = None) -> None:
        self.store = store
        self.settings = settings or get_settings()
        spool_dir = Path(self.settings.spool_dir).expanduser()
        self.spool = Spool(spool_dir, store.uri)
        self.index = ArchiveIndex(store, spool_dir.parent / "index-cache")

    @classmethod
    def open(
        cls, uri: str, settings: Settings | None = None, *, aws: Mapping[str, str] | None = None, create: bool = True
    ) -> Archive:
        """``uri``: a path, ``file:///path`` or ``s3://bucket/prefix``; ``aws`` and ``create``: see :func:`open_store`."""
        settings = settings or get_settings()
        return cls(open_store(uri, settings, aws=aws, create=create), settings)

    @property
    def uri(self) -> str:
        return self.store.uri

    def begin_run(
        self,
        outlet_id: str,
        *,
        source: str = RecordSource.LIVE,
        window: DateWindow | None = None,
    ) -> ArchiveRun:
        """Start a run of one outlet (flushes what earlier runs spooled)."""
        return ArchiveRun(self.store, self.index, self.spool, self.settings, outlet_id, source=source, window=window)

    def iter_records(
        self,
        outlet: str | tuple[str, ...] | None = None,
        since: date | None = None,
        until: date | None = None,
        source: str | None = None,
        query: str | None = None,
        all_versions: bool = False,
        all_extractions: bool = False,
    ) -> Iterator[ArticleRecord]:
        """Stream records (latest version of each article unless ``all_versions``; of a re-extracted
        capture its best extraction unless ``all_extractions``), verified."""
        selection = Selection(outlet, since, until, source, query, all_versions, all_extractions=all_extractions)
        return download.iter_records(self.store, self.index, selection)

    def export(
        self,
        fmt: ExportFormat | str,
        out: Path,
        *,
        progress: bool | ProgressCallback | None = None,
        **filters: Any,
    ) -> ExportSummary:
        """Download the selection (``filters`` as in :meth:`iter_records`) to ``out``; resumable."""
        return download.export(self.store, self.index, fmt, Path(out), Selection(**filters), progress=progress)

    def stats(self, outlet: str | None = None) -> ArchiveStats:
        """Articles per outlet per day, gap days and last successful runs (from the index)."""
        return compute_stats(self.index, outlet)

    def committed_runs(self, outlet: str | None = None) -> list[tuple[str, str]]:
        """``(outlet, run_id)`` of every run with a commit marker (of ``outlet``, or all), oldest first."""
        return self.index.committed_runs(outlet)

    def committed_run(self, outlet: str, run_id: str) -> CommittedRun:
        """Whether the run is committed, and what its manifest says (checked against its commit marker)."""
        return read_run(self.store, outlet, run_id)

    def manifest(self, outlet: str, run_id: str) -> Manifest:
        """The manifest of a committed run; :class:`ArchiveError` when the run is uncommitted or damaged."""
        run = self.committed_run(outlet, run_id)
        if not run.committed:
            raise ArchiveError(f"run {run.name} has no commit marker")
        if run.problems or run.manifest is None:
            raise ArchiveError(f"run {run.name} is damaged: {run.problems[0]}")
        return run.manifest

    def verify(self, outlet: str | None = None, *, run_id: str | None = None, deep: bool = False) -> VerifyReport:
        """Check the committed runs (of ``outlet``, or all; only ``run_id`` of ``outlet`` when given)."""
        if run_id is not None:
            if outlet is None:
                raise ValueError("verifying one run needs its outlet")
            return verify_run(self.store, outlet, run_id, deep=deep)
        return verify_archive(self.store, outlet=outlet, deep=deep)

    def gc(self, older_than: timedelta = DEFAULT_OLDER_THAN, *, dry_run: bool = False, now: datetime | None = None) -> GcReport:
        """Delete (or with ``dry_run`` list) what killed or failed runs left, older than ``older_than``."""
        lease_ttl = timedelta(seconds=self.settings.crawl_lease_s)
        return collect_garbage(self.store, older_than=older_than, dry_run=dry_run, lease_ttl=lease_ttl, now=now)

    def lease(self, outlet: str, *, purpose: str = "crawl") -> CrawlLease:
        """The outlet's crawl lease (``with archive.lease(outlet): ...``), for ``crawl_lease_s`` renewed."""
        return CrawlLease(self.store, outlet, timedelta(seconds=self.settings.crawl_lease_s), purpose=purpose)

    def close(self) -> None:
        self.store.close()

    def __enter__(self) -> Archive:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Archive({self.store.uri!r})"
