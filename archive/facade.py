"""The :class:`Archive` facade: one object for everything the other packages do with an archive."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import date
from pathlib import Path
from typing import Any

from archive import download
from archive.download import ExportSummary, ProgressCallback, Selection
from archive.index import ArchiveIndex
from archive.record import ArticleRecord
from archive.run import ArchiveRun
from archive.spool import Spool
from archive.stats import ArchiveStats, compute_stats
from archive.stores import Store, open_store
from core.settings import Settings, get_settings

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
    def open(cls, uri: str, settings: Settings | None = None, *, aws: Mapping[str, str] | None = None) -> Archive:
        """``uri``: a path, ``file:///path`` or ``s3://bucket/prefix``; ``aws``: see :func:`open_store`."""
        settings = settings or get_settings()
        return cls(open_store(uri, settings, aws=aws), settings)

    @property
    def uri(self) -> str:
        return self.store.uri

    def begin_run(
        self,
        outlet_id: str,
        *,
        source: str = "live",
        window: tuple[date | None, date | None] = (None, None),
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
        selection = Selection(outlet, since, until, source, query, all_versions, all_extractions)
        return download.iter_records(self.store, self.index, selection)

    def export(
        self,
        fmt: str,
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

    def close(self) -> None:
        self.store.close()

    def __enter__(self) -> Archive:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Archive({self.store.uri!r})"
