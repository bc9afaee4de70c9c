"""The archive index: one small Parquet file per committed run, read together as one dataset.

``download``, ``stats`` and the crawler's incremental check read the index instead
of listing every record. Each run appends ``index/<outlet>/<run_id>.parquet`` with
one row per article version it wrote; a file counts only when the run's commit
marker exists, so a crashed run's rows are invisible. Index files are immutable,
so on a remote store they are cached locally once downloaded (and verified).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds
import pyarrow.parquet as pq

from archive import layout
from archive.inventory import committed_run_ids
from archive.manifest import CommitMarker
from archive.record import ArticleRecord
from archive.stores.base import ObjectInfo, Store
from archive.stores.local import LocalStore
from core.dates import parse_datetime
from core.errors import ObjectNotFoundError

__all__ = [
    "INDEX_SCHEMA", "ArchiveIndex", "IndexRowWriter", "VersionInfo", "captured_column", "index_row",
]  # fmt: skip

INDEX_SCHEMA = pa.schema(
    [
        ("outlet", pa.string()),
        ("canonical_url", pa.string()),
        ("url", pa.string()),
        ("key", pa.string()),
        ("size", pa.int64()),
        ("object_sha256", pa.string()),
        ("sha256", pa.string()),
        ("version", pa.int32()),
        ("published", pa.string()),
        ("day", pa.date32()),
        ("fetched_at", pa.timestamp("us", tz="UTC")),
        ("source", pa.string()),
        ("title", pa.string()),
        ("language", pa.string()),
        ("section", pa.string()),
        ("warc_file", pa.string()),
        ("record_id", pa.string()),
        ("raw_offset", pa.int64()),
        ("raw_length", pa.int64()),
        ("run_id", pa.string()),
        # When the version was captured (snapshot time for Wayback records): what orders versions.
        ("captured_at", pa.timestamp("us", tz="UTC")),
        # How many versions of the article the stored record listed when it was written.
        ("versions_known", pa.int32()),
        # The run pack holding the record's bytes too, and their offset (length: ``size``).
        ("pack", pa.string()),
        ("pack_offset", pa.int64()),
        # Re-extractions (``newsarchive reextract``): which revision of the capture's extraction the
        # row is (null: the first), the key of the record it supersedes, the extractor that made it.
        ("extraction_revision", pa.int32()),
        ("extraction_of", pa.string()),
        ("extractor", pa.string()),
    ]
)


def index_row(
    record: ArticleRecord, info: ObjectInfo, run_id: str, *, pack: str | None = None, pack_offset: int | None = None
) -> dict[str, Any]:
    """The index row of one stored record version."""
    fetched = parse_datetime(record.fetched_at)
    day: date | None = record.published_day or (fetched.date() if fetched else None)
    raw = record.raw or {}
    return {
        "outlet": record.outlet,
        "canonical_url": record.canonical_url,
        "url": record.url,
        "key": info.key,
        "size": info.size,
        "object_sha256": info.sha256,
        "sha256": record.sha256,
        "version": record.version,
        "published": record.published,
        "day": day,
        "fetched_at": fetched,
        "source": record.source,
        "title": record.title,
        "language": record.language,
        "section": record.section,
        "warc_file": raw.get("warc_file"),
        "record_id": raw.get("record_id"),
        "raw_offset": raw.get("offset"),
        "raw_length": raw.get("length"),
        "run_id": run_id,
        "captured_at": record.captured_at,
        "versions_known": len(record.versions) or 1,
        "pack": pack,
        "pack_offset": pack_offset,
        "extraction_revision": record.extraction.get("revision"),
        "extraction_of": record.extraction.get("revision_of"),
        "extractor": record.extraction.get("extractor"),
    }


def captured_column(table: pa.Table) -> pa.ChunkedArray:
    """``captured_at``, or ``fetched_at`` for rows of index files written before it existed."""
    return pc.coalesce(table["captured_at"], table["fetched_at"])


class IndexRowWriter:
    """The index rows of one run, written to a local Parquet file one row group at a time.

    A run of 10,000 articles held its rows as Python dicts until the commit (about 2.5 KB
    each, then an Arrow copy of them all): the crawl's memory grew with the outlet's size.
    Here at most :attr:`BATCH` rows are in memory; :meth:`finish` hands over the file.
    """

    BATCH = 1024

    def __init__(self, path: Path) -> None:
        self.path = path
        self.count = 0
        self._buffer: list[dict[str, Any]] = []
        self._writer: pq.ParquetWriter | None = None

    def append(self, row: dict[str, Any]) -> None:
        self._buffer.append(row)
        self.count += 1
        if len(self._buffer) >= self.BATCH:
            self._write_buffer()

    def extend(self, rows: Iterable[dict[str, Any]]) -> None:
        for row in rows:
            self.append(row)

    def _write_buffer(self) -> None:
        if not self._buffer:
            return
        if self._writer is None:
            self._writer = pq.ParquetWriter(self.path, INDEX_SCHEMA, compression="zstd")
        self._writer.write_table(pa.Table.from_pylist(self._buffer, schema=INDEX_SCHEMA))
        self._buffer.clear()

    def finish(self) -> Path | None:
        """The complete file (None when no row was written)."""
        self._write_buffer()
        if self._writer is not None:
            self._writer.close()
            self._writer = None
        return self.path if self.count else None

    def read(self) -> pa.Table:
        """Every row written (finishes the file)."""
        path = self.finish()
        return pq.read_table(path) if path else INDEX_SCHEMA.empty_table()

    def discard(self) -> None:
        self._buffer.clear()
        if self._writer is not None:
            self._writer.close()
            self._writer = None
        self.path.unlink(missing_ok=True)


_NEVER = datetime.min.replace(tzinfo=UTC)


@dataclass(frozen=True)
class VersionInfo:
    """One stored version of an article, as the index knows it.

    ``version`` counts versions in the order the archive ingested them; the *latest* version
    is the one captured last (:attr:`order`), which differs when a Wayback backfill ingests
    an old snapshot after a live fetch. Versions captured at the same instant (two concurrent
    runs) are ordered by version number, then key: the same answer on every read.
    """

    version: int
    sha256: str
    key: str
    fetched_at: datetime | None
    captured_at: datetime | None

    @property
    def order(self) -> tuple[datetime, int, str]:
        return (self.captured_at or self.fetched_at or _NEVER, self.version, self.key)

    def as_dict(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "sha256": self.sha256,
            "key": self.key,
            "fetched_at": self.fetched_at.isoformat() if self.fetched_at else None,
            "captured_at": self.captured_at.isoformat() if self.captured_at else None,
        }

    @classmethod
    def of(cls, record: ArticleRecord, key: str) -> VersionInfo:
        return cls(record.version, record.sha256, key, parse_datetime(record.fetched_at), record.captured_at)


class ArchiveIndex:
    """Queries over the committed index files of one store."""

    def __init__(self, store: Store, cache_dir: Path) -> None:
        self.store = store
        store_id = hashlib.sha256(store.uri.encode()).hexdigest()[:16]
        self.cache_dir = cache_dir / store_id
        self._committed: dict[str | None, list[tuple[str, str]]] = {}

    def invalidate(self) -> None:
        """Forget cached listings (after a commit)."""
        self._committed.clear()

    def committed_runs(self, outlet_id: str | None = None) -> list[tuple[str, str]]:
        """``(outlet, run_id)`` of every run with a commit marker, oldest first."""
        if outlet_id not in self._committed:
            self._committed[outlet_id] = committed_run_ids(self.store, outlet_id)
        return self._committed[outlet_id]

    def _index_paths(self, outlet_id: str | None) -> list[str]:
        committed = set(self.committed_runs(outlet_id))
        paths = []
        for info in self.store.list(layout.index_prefix(outlet_id)):
            parsed = layout.parse_index_key(info.key)
            if parsed and parsed in committed:
                paths.append(str(self._local_copy(info.key)))
        return paths

    def _local_copy(self, key: str) -> Path:
        if isinstance(self.store, LocalStore):
            return self.store.path_of(key)
        path = self.cache_dir / key
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            self.store.download(key, path)
        return path

    def run_table(self, outlet_id: str, run_id: str, *, columns: Iterable[str] | None = None) -> pa.Table:
        """The index rows one run wrote (its index file; empty when the run stored no record)."""
        key = layout.index_key(outlet_id, run_id)
        try:
            path = self._local_copy(key)
        except ObjectNotFoundError:
            return INDEX_SCHEMA.empty_table().select(list(columns) if columns else INDEX_SCHEMA.names)
        if not path.exists():
            return INDEX_SCHEMA.empty_table().select(list(columns) if columns else INDEX_SCHEMA.names)
        return ds.dataset([str(path)], format="parquet", schema=INDEX_SCHEMA).to_table(
            columns=list(columns) if columns else None, use_threads=False
        )

    def dataset(self, outlet_id: str | None = None) -> ds.Dataset:
        return ds.dataset(self._index_paths(outlet_id), format="parquet", schema=INDEX_SCHEMA)

    def table(
        self,
        outlet_id: str | None = None,
        *,
        columns: Iterable[str] | None = None,
        filter: ds.Expression | None = None,
    ) -> pa.Table:
        """Committed index rows (all columns unless ``columns``), filtered by ``filter``."""
        return self.dataset(outlet_id).to_table(
            columns=list(columns) if columns else None,
            filter=filter,
            use_threads=False,
            memory_pool=pa.system_memory_pool(),  # returns freed memory to the OS: a flat RSS for big plans
        )

    def known_canonical_urls(self, outlet_id: str) -> set[str]:
        column = self.table(outlet_id, columns=["canonical_url"]).column("canonical_url")
        return set(pc.unique(column).to_pylist())

    def headlines(self, outlet_id: str) -> set[str]:
        column = self.table(outlet_id, columns=["title"]).column("title")
        return {title for title in pc.unique(column).to_pylist() if title}

    def last_successful_run(self, outlet_id: str) -> datetime | None:
        """Start time of the outlet's most recent committed run whose outcome was ``ok``.

        An interrupted, partial or unreachable run is committed (what it fetched is kept) but its commit
        marker says so: it never moves the next run's default window (:func:`core.dates.default_since`).
        """
        for _, run_id in reversed(self.committed_runs(outlet_id)):
            if self.run_outcome(outlet_id, run_id) == "ok":
                return layout.run_started_at(run_id)
        return None

    def run_outcome(self, outlet_id: str, run_id: str) -> str:
        """A committed run's outcome, from its commit marker (markers older than outcomes: ``ok``)."""
        try:
            marker = CommitMarker.from_json_bytes(self.store.get(layout.commit_key(outlet_id, run_id)))
        except (ValueError, TypeError):
            return "damaged"
        return marker.outcome

    def latest_fetch(self, outlet_id: str) -> dict[str, datetime]:
        """When each known article was last fetched (for ``--refresh``)."""
        table = self.table(outlet_id, columns=["canonical_url", "fetched_at"])
        if table.num_rows == 0:
            return {}
        grouped = table.group_by("canonical_url").aggregate([("fetched_at", "max")])
        return dict(
            zip(
                grouped.column("canonical_url").to_pylist(),
                grouped.column("fetched_at_max").to_pylist(),
                strict=True,
            )
        )

    def versions(self, outlet_id: str) -> dict[str, list[VersionInfo]]:
        """Every stored version of every article of the outlet, in capture order (latest last).

        A re-extracted version is known by its latest extraction (its text is what a new capture
        is compared with): the row of the highest revision stands in for the original key.
        """
        table = self.table(outlet_id, columns=[
            "canonical_url", "version", "sha256", "key", "fetched_at", "captured_at", "extraction_revision", "extraction_of",
        ])  # fmt: skip
        found: dict[str, dict[str, tuple[int, VersionInfo]]] = {}
        for row in table.to_pylist():  # a key indexed twice (met by two runs) is one version
            slot = row["extraction_of"] or row["key"]
            revision = row["extraction_revision"] or 0
            by_slot = found.setdefault(row["canonical_url"], {})
            if slot not in by_slot or by_slot[slot][0] < revision:
                by_slot[slot] = (revision, VersionInfo(
                    row["version"], row["sha256"], row["key"], row["fetched_at"], row["captured_at"] or row["fetched_at"]
                ))
        return {url: sorted((v for _, v in by_slot.values()), key=lambda v: v.order) for url, by_slot in found.items()}
