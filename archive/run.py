"""One crawl run of one outlet: captures, article versions, then an atomic commit.

:class:`ArchiveRun` is what the crawler writes through::

    run = archive.begin_run("demo", window=DateWindow(since, until))
    ptr = run.write_capture(url, status=200, response_headers=[...], body=b"...", fetched_at=now)
    run.add_article(record)            # "new" | "version" | "duplicate"
    run.commit(stats)                  # manifest, then the commit marker, last

Versions are placed in capture order (the Wayback snapshot time, else the fetch
time), whatever order they are ingested in. A record whose text equals the version
current at its capture time — or the next one captured after it — is a
``duplicate`` (nothing written): a live fetch is compared with the latest version,
an old snapshot backfilled later with its neighbours in time. A different text is a
new ``version`` written beside the others. Objects the store cannot take are spooled
(:mod:`archive.spool`) and flushed by the next run.
"""

from __future__ import annotations

import bisect
import logging
from collections import Counter
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from archive import layout
from archive.index import ArchiveIndex, IndexRowWriter, VersionInfo, index_row
from archive.manifest import CommitMarker, Manifest, ManifestEntry, code_version
from archive.packs import PACK_CONTENT_TYPE, PackWriter
from archive.record import ArticleRecord, RawPointer, text_sha256
from archive.spool import Spool, SpooledObject
from archive.stores.base import Data, ObjectInfo, Store, sha256_of
from archive.warc import WARC_CONTENT_TYPE, CaptureWriter
from core.dates import DateWindow
from core.errors import ArchiveError, ObjectExistsError, StoreAccessError, StoreError
from core.settings import Settings, redact
from core.vocabulary import RecordSource

__all__ = ["ArchiveRun", "Outcome"]

logger = logging.getLogger(__name__)

Outcome = Literal["new", "version", "duplicate"]
_JSON = "application/json"
_PARQUET = "application/vnd.apache.parquet"


class ArchiveRun:
    """Writes one run; nothing it writes counts until :meth:`commit` succeeds."""

    def __init__(
        self,
        store: Store,
        index: ArchiveIndex,
        spool: Spool,
        settings: Settings,
        outlet_id: str,
        *,
        source: str = RecordSource.LIVE,
        window: DateWindow | None = None,
    ) -> None:
        layout.validate_outlet_id(outlet_id)
        self.store = store
        self.index = index
        self.spool = spool
        self.settings = settings
        self.outlet_id = outlet_id
        self.source = source
        self.window = window or DateWindow()  # the date window the run was asked for (open by default)
        self.run_id = layout.new_run_id()  # its start time, later than every run this process began before
        self.started_at = layout.run_started_at(self.run_id)
        self.counts: Counter[str] = Counter()
        self.finished = False
        self._objects: list[ManifestEntry] = []
        self._spooled: list[str] = []
        self._flushed: list[SpooledObject] = []  # removed from the spool when the run commits
        self._versions: dict[str, list[VersionInfo]] | None = None
        self._store_down = False
        spool.ensure_dirs()
        spool.clean_workdir()  # what runs killed on this host left half-written
        self._rows = IndexRowWriter(spool.workdir / f"{spool.temp_prefix('index')}{self.run_id}.parquet")
        self._pack = PackWriter(layout.pack_key(outlet_id, self.run_id), spool.workdir,
                                temp_prefix=spool.temp_prefix("pack"))
        self._captures = CaptureWriter(
            lambda seq: layout.warc_key(outlet_id, self.run_id, seq),
            self._store_warc,
            max_bytes=settings.warc_max_bytes,
            workdir=spool.workdir,
            info={"outlet": outlet_id, "run-id": self.run_id, "source": source},
            temp_prefix=spool.temp_prefix("warc"),
        )
        self.flush_spool()

    # -- writing ------------------------------------------------------------------------------

    def _put(self, key: str, data: Data, *, kind: str, content_type: str) -> ObjectInfo | None:
        """Put to the store; on a store failure spool instead and return None.

        The store computes the SHA-256 it records (and returns it): hashing here too would
        read every 100 MB WARC file twice.
        """
        if not self._store_down:
            try:
                info = self.store.put(key, data, content_type=content_type)
            except (ObjectExistsError, StoreAccessError):
                raise  # a conflict or a configuration problem, not an outage: spooling would not help
            except StoreError as exc:
                self._store_down = True
                logger.warning("store failed, spooling from now on: %s", redact(str(exc)))
            else:
                self._objects.append(ManifestEntry(info.key, info.size, info.sha256 or ""))
                if isinstance(data, Path):
                    data.unlink(missing_ok=True)
                return info
        self.spool.add(key, data, sha256=sha256_of(data)[0], kind=kind, content_type=content_type)
        self._spooled.append(key)
        self.counts["spooled"] += 1
        return None

    def _store_warc(self, key: str, path: Path) -> None:
        self._put(key, path, kind="warc", content_type=WARC_CONTENT_TYPE)

    def write_capture(
        self,
        url: str,
        *,
        method: str = "GET",
        request_headers: Mapping[str, str] | Iterable[tuple[str, str]] = (),
        status: int,
        response_headers: Iterable[tuple[str, str]] = (),
        body: bytes,
        fetched_at: datetime,
        protocol: str = "HTTP/1.1",
    ) -> RawPointer:
        """Archive one fetched response with its request (WARC); return its pointer."""
        self._check_open()
        self.counts["captures"] += 1
        return self._captures.write_capture(
            url,
            method=method,
            request_headers=request_headers,
            status=status,
            response_headers=response_headers,
            body=body,
            fetched_at=fetched_at,
            protocol=protocol,
        )

    def _known_versions(self) -> dict[str, list[VersionInfo]]:
        if self._versions is None:
            try:
                self._versions = self.index.versions(self.outlet_id)
            except StoreAccessError:
                raise
            except StoreError as exc:
                # The index is unreadable because the store is down: spool everything; the run
                # that flushes the spool re-checks each record against the index (dedup, versions).
                logger.warning("index unreadable, spooling this run: %s", redact(str(exc)))
                self._store_down = True
                self._versions = {}
        return self._versions

    def add_article(self, record: ArticleRecord) -> Outcome:
        """Store a version of an article unless its text equals the latest stored version."""
        self._check_open()
        if record.outlet != self.outlet_id:
            raise ArchiveError(f"record of outlet {record.outlet!r} added to a run of {self.outlet_id!r}")
        record.sha256 = text_sha256(record.text)
        previous = self._known_versions().get(record.canonical_url, [])
        if self._same_text_at_that_time(previous, record):
            self.counts["duplicate"] += 1
            return "duplicate"
        outcome: Outcome = "version" if previous else "new"
        record.version = max(v.version for v in previous) + 1 if previous else 1
        if previous:
            key = layout.sibling_version_key(previous[0].key, record.version, record.sha256)
        else:
            key = layout.record_key(
                self.outlet_id, record.published_day, record.canonical_url, record.version, record.sha256
            )
        versions = sorted([*previous, VersionInfo.of(record, key)], key=lambda v: v.order)
        record.versions = [v.as_dict() for v in versions]
        record = self._write_record(key, record)
        self._known_versions()[record.canonical_url] = versions
        self.counts[outcome] += 1
        return outcome

    def add_reextraction(self, record: ArticleRecord, original_key: str, revision: int) -> ArticleRecord:
        """Store ``record``: extraction ``revision`` (1, 2 ...) of the version stored at ``original_key``.

        The same capture read by a newer extractor, not a new version of the article: it keeps the
        version number and is stored beside the original, which stays readable. Storing the same
        revision twice is a no-op (the conditional put), so a rerun repeats nothing.
        """
        self._check_open()
        if record.outlet != self.outlet_id:
            raise ArchiveError(f"record of outlet {record.outlet!r} added to a run of {self.outlet_id!r}")
        record.sha256 = text_sha256(record.text)
        record.extraction.update(revision=revision, revision_of=original_key)
        key = layout.reextraction_key(original_key, record.version, revision, record.sha256)
        stored = self._write_record(key, record)
        self.counts["reextracted"] += 1
        return stored

    @staticmethod
    def _same_text_at_that_time(previous: list[VersionInfo], record: ArticleRecord) -> bool:
        """Whether the version current when ``record`` was captured, or the next one, has its text."""
        if not previous:
            return False
        captured = record.captured_at
        if captured is None:
            return previous[-1].sha256 == record.sha256
        at = bisect.bisect_right([v.order[0] for v in previous], captured)
        neighbours = previous[max(at - 1, 0) : at + 1]
        return any(v.sha256 == record.sha256 for v in neighbours)

    def _write_record(self, key: str, record: ArticleRecord) -> ArticleRecord:
        data = record.to_json_bytes()
        try:
            info = self._put(key, data, kind="record", content_type=_JSON)
        except ObjectExistsError:
            # Same version number and text: another (uncommitted or concurrent) run stored it first.
            existing_data = self.store.get(key)
            existing = ArticleRecord.from_json_bytes(existing_data)
            if existing.sha256 != record.sha256:
                raise
            digest, size = sha256_of(existing_data)
            info = ObjectInfo(key, size, digest)
            self._objects.append(ManifestEntry(key, size, digest))
            # That run may have died before storing its WARC file: index the capture this run wrote.
            existing.raw = record.raw
            record, data = existing, existing_data
        if info is not None:
            offset = self._pack.append(data)
            self._rows.append(index_row(record, info, self.run_id, pack=self._pack.key, pack_offset=offset))
        return record

    # -- spool --------------------------------------------------------------------------------

    def flush_spool(self) -> int:
        """Put what earlier runs spooled and index it in this run. Returns the entries flushed.

        A spooled record goes through :meth:`add_article` again, so it is deduplicated and
        numbered against the index as it is now (its run may not have been able to read it).
        An entry leaves the spool only once this run has committed (or re-spooled it): a run
        killed after flushing leaves its flushed objects unreferenced in the store (``gc``
        may delete them), so the spool must still hold them for the next run.
        """
        flushed = 0
        for entry in self.spool.entries():
            if entry.key.split("/")[1] != self.outlet_id:
                continue  # another outlet's run flushes it
            if not self.spool.intact(entry):  # damaged on local disk: never store it, never block the rest
                logger.error("spooled %s is damaged (SHA-256 mismatch); set aside in %s",
                             entry.key, self.spool.set_aside(entry))
                self.counts["spool_damaged"] += 1
                continue
            try:
                self._flush_entry(entry)
            except ObjectExistsError:
                logger.error("spooled %s conflicts with a different stored object; kept in %s", entry.key, entry.entry_dir)
                continue
            except StoreError as exc:
                logger.warning("spool not flushed (store still failing): %s", redact(str(exc)))
                break
            flushed += 1
            if self._store_down:  # re-spooled as a new entry: the store is still failing
                self.spool.remove(entry)
                break
            self._flushed.append(entry)
        self.counts["flushed"] += flushed
        return flushed

    def _flush_entry(self, entry: SpooledObject) -> None:
        if entry.kind == "rows":
            self._rows.extend(pq.read_table(entry.data_path).to_pylist())  # the rows of one failed commit
        elif entry.kind == "record":
            record = ArticleRecord.from_json_bytes(entry.data_path.read_bytes())
            self.add_article(record)
        else:
            info = self.store.put(entry.key, entry.data_path, sha256=entry.sha256, content_type=entry.content_type)
            self._objects.append(ManifestEntry(info.key, info.size, entry.sha256))

    # -- commit / abort -----------------------------------------------------------------------

    def _check_open(self) -> None:
        if self.finished:
            raise ArchiveError(f"run {self.run_id} is already finished")

    def commit(self, stats: Mapping[str, Any] | None = None, *, outcome: str = "ok") -> Manifest:
        """Finish the run: last WARC file, index rows, manifest, then the commit marker.

        ``outcome`` (ok, partial, failed) is recorded in both: a run that is not ``ok`` (interrupted,
        unreachable) is kept but never counts as the outlet's last successful run.
        """
        self._check_open()
        self.finished = True
        self._captures.close()
        manifest = Manifest(
            run_id=self.run_id,
            outlet=self.outlet_id,
            source=self.source,
            window=self.window,
            started_at=self.started_at.isoformat(),
            finished_at=datetime.now(UTC).isoformat(),
            code_version=code_version(),
            stats=dict(stats or {}),
            counts=dict(self.counts),
            objects=self._objects,
            outcome=outcome,
        )
        try:
            if self._store_down:
                raise StoreError("store unavailable during the run")
            self._write_pack(manifest)
            self._write_index(manifest)
            self.store.sync()  # everything the manifest lists is durable before the manifest exists
            manifest_data = manifest.to_json_bytes()
            manifest_info = self.store.put(
                layout.manifest_key(self.outlet_id, self.run_id), manifest_data, content_type=_JSON
            )
            marker = CommitMarker(
                run_id=self.run_id,
                manifest_key=manifest_info.key,
                manifest_sha256=manifest_info.sha256 or "",
                committed_at=datetime.now(UTC).isoformat(),
                outcome=outcome,
            )
            self.store.put(layout.commit_key(self.outlet_id, self.run_id), marker.to_json_bytes(), content_type=_JSON)
            self._log_commit(marker)
            self.store.sync()
            for entry in self._flushed:  # now listed by a committed manifest (or indexed by it)
                self.spool.remove(entry)
            self._rows.discard()
        except StoreError as exc:
            self._spool_rows()
            manifest.committed = False
            logger.error(
                "run %s not committed (%s); %d objects spooled to %s for the next run",
                self.run_id, redact(str(exc)), len(self._spooled), self.spool.root,
            )
        self.index.invalidate()
        manifest.spooled = list(self._spooled)
        return manifest

    def _log_commit(self, marker: CommitMarker) -> None:
        """The commit log's entry (:mod:`archive.layout`): a convenience for readers, written after the marker
        that commits the run, so a failure here is a warning; the readers' full listings still find the run."""
        committed_at = datetime.fromisoformat(marker.committed_at)
        try:
            self.store.put(layout.commit_log_key(self.outlet_id, self.run_id, committed_at), marker.to_json_bytes(),
                           content_type=_JSON)  # fmt: skip
        except StoreError as exc:
            logger.warning("run %s committed, but not entered in the commit log: %s", self.run_id, redact(str(exc)))

    def _write_pack(self, manifest: Manifest) -> None:
        path = self._pack.finish()
        if path is None:
            return
        info = self.store.put(self._pack.key, path, content_type=PACK_CONTENT_TYPE)
        manifest.objects.append(ManifestEntry(info.key, info.size, info.sha256 or ""))
        self._pack.discard()

    def _write_index(self, manifest: Manifest) -> None:
        path = self._rows.finish()
        if path is None:
            return
        info = self.store.put(layout.index_key(self.outlet_id, self.run_id), path, content_type=_PARQUET)
        manifest.objects.append(ManifestEntry(info.key, info.size, info.sha256 or ""))
        # The file stays until the commit marker is stored: if the commit fails after this,
        # its rows are spooled for the next run (:meth:`_spool_rows`).

    def _spool_rows(self) -> None:
        """Keep the index rows of records already stored, so the next run indexes them."""
        self._pack.discard()
        rows = self._rows.read()
        self._rows.discard()
        if not rows.num_rows:
            return
        # The pack did not make it (or its run does not count): these records are read one by one.
        stored = rows.filter(pc.invert(pc.is_in(rows["key"], pa.array(self._spooled, pa.string()))))
        if not stored.num_rows:
            return
        nulls = {"pack": pa.nulls(stored.num_rows, pa.string()), "pack_offset": pa.nulls(stored.num_rows, pa.int64())}
        for name, column in nulls.items():
            stored = stored.set_column(stored.schema.get_field_index(name), name, column)
        path = self.spool.workdir / f"{self.spool.temp_prefix('rows')}{self.run_id}.parquet"
        pq.write_table(stored, path, compression="zstd")
        digest, _ = sha256_of(path)
        self.spool.add(layout.index_key(self.outlet_id, self.run_id), path, sha256=digest, kind="rows")
        self._spooled.append(layout.index_key(self.outlet_id, self.run_id))

    def abort(self, reason: str) -> None:
        """Stop without a commit marker: whatever was written stays invisible to readers."""
        if self.finished:
            return
        self.finished = True
        self._captures.discard()
        self._pack.discard()
        self._rows.discard()
        logger.warning("run %s of %s aborted: %s", self.run_id, self.outlet_id, redact(reason))

    def __enter__(self) -> ArchiveRun:
        return self

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        if not self.finished:
            self.abort(f"{exc_type.__name__ if isinstance(exc_type, type) else 'exit'} before commit")
