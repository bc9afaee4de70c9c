"""Run packs: the records of one run in one object, so ``download`` reads a few large objects.

A run stores each article version it archives twice: as its own JSON object at its
deterministic key (``records/…``, what the layout promises and what other tools fetch)
and as one line of the run's pack, ``runs/<outlet>/<run_id>/records.jsonl`` — the very
same bytes. The index row of a record names its pack and the line's offset (the length
is the record's ``size``), and the SHA-256 the index keeps for the record object verifies
its line in the pack as well, so reading from a pack loses no verification. The pack is
one more PUT per run and is listed in the manifest with its SHA-256 like every object.

:class:`RecordReader` serves ``download``: 100,000 records become a handful of open files
and one ``pread`` each instead of 100,000 ``open`` calls (or GETs). On a local store a
pack is read in place; on S3 a pack is fetched once into the local cache (verified
against its SHA-256) when the selection takes a good share of it, and records of the
other packs — and records indexed without a pack (runs that spooled) — are read one
object at a time.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections import OrderedDict
from pathlib import Path
from typing import IO

import pyarrow as pa

from archive.stores.base import Store
from archive.stores.local import LocalStore
from core.errors import ChecksumError, ObjectNotFoundError

__all__ = ["PACK_CONTENT_TYPE", "PackWriter", "RecordReader"]

PACK_CONTENT_TYPE = "application/x-ndjson"
#: A remote pack is fetched whole when the selection takes at least this share of its bytes...
REMOTE_PACK_MIN_SHARE = 0.25
#: ...or when it is this small anyway.
REMOTE_PACK_SMALL = 8 * 1024 * 1024
MAX_OPEN_PACKS = 32


class PackWriter:
    """Appends a run's records, one per line, to a local temporary file until the run commits."""

    def __init__(self, key: str, workdir: Path, *, temp_prefix: str = "pack-") -> None:
        self.key = key
        self._workdir = workdir
        self._temp_prefix = temp_prefix
        self._file: IO[bytes] | None = None
        self.path: Path | None = None
        self.size = 0
        self.count = 0

    def append(self, data: bytes) -> int:
        """Add one record's stored bytes; return their offset in the pack."""
        if self._file is None:
            self._file = tempfile.NamedTemporaryFile(  # noqa: SIM115 - closed by finish/discard
                prefix=self._temp_prefix, suffix=".jsonl", dir=self._workdir, delete=False
            )
            self.path = Path(self._file.name)
        offset = self.size
        self._file.write(data + b"\n")
        self.size += len(data) + 1
        self.count += 1
        return offset

    def finish(self) -> Path | None:
        """The complete pack file (None when the run stored no record)."""
        if self._file is not None:
            self._file.close()
            self._file = None
        return self.path if self.count else None

    def discard(self) -> None:
        self.finish()
        if self.path is not None:
            self.path.unlink(missing_ok=True)
            self.path = None


class RecordReader:
    """The stored bytes of planned records, each verified against the SHA-256 the index recorded."""

    def __init__(self, store: Store, cache_dir: Path, plan: pa.Table | None = None) -> None:
        self.store = store
        self.cache_dir = cache_dir
        self._local_root = store.root if isinstance(store, LocalStore) else None
        self._usable: dict[str, bool] = {}
        self._selected_bytes: dict[str, int] = {}
        if plan is not None and self._local_root is None and "pack" in plan.column_names and plan.num_rows:
            sums = plan.group_by("pack").aggregate([("size", "sum")])
            self._selected_bytes = dict(zip(sums["pack"].to_pylist(), sums["size_sum"].to_pylist(), strict=True))
        self._open: OrderedDict[str, int] = OrderedDict()

    def read(self, key: str, sha256: str, pack: str | None = None, offset: int | None = None,
             size: int | None = None) -> bytes:  # fmt: skip
        """The record at ``key``: from its pack when that pays, else the object itself."""
        if pack and offset is not None and size and (fd := self._pack_fd(pack)) is not None:
            data = os.pread(fd, size, offset)
            if hashlib.sha256(data).hexdigest() != sha256:
                raise ChecksumError(f"checksum mismatch for {key} in pack {pack}: expected sha256 {sha256}")
            return data
        return self.store.get(key, sha256=sha256)

    def _pack_fd(self, pack: str) -> int | None:
        fd = self._open.get(pack)
        if fd is not None:
            self._open.move_to_end(pack)
            return fd
        if self._usable.get(pack) is False:
            return None
        path = self._pack_path(pack)
        if path is None:
            self._usable[pack] = False
            return None
        try:
            fd = os.open(path, os.O_RDONLY)
        except FileNotFoundError:
            self._usable[pack] = False
            return None
        self._usable[pack] = True
        self._open[pack] = fd
        if len(self._open) > MAX_OPEN_PACKS:
            os.close(self._open.popitem(last=False)[1])
        return fd

    def _pack_path(self, pack: str) -> Path | None:
        if self._local_root is not None:
            return self._local_root / pack
        cached = self.cache_dir / pack
        if cached.exists():
            return cached
        try:
            info = self.store.stat(pack)
        except ObjectNotFoundError:
            return None
        if info.size > REMOTE_PACK_SMALL and self._selected_bytes.get(pack, 0) < REMOTE_PACK_MIN_SHARE * info.size:
            return None  # a few records of a big pack: cheaper one GET each
        cached.parent.mkdir(parents=True, exist_ok=True)
        self.store.download(pack, cached, sha256=info.sha256)  # verified; appears only when complete
        return cached

    def close(self) -> None:
        while self._open:
            os.close(self._open.popitem()[1])

    def __enter__(self) -> RecordReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
