"""The spool: objects the store could not take, kept locally until a later run flushes them.

When the store stays down (S3 unreachable after botocore's retries), a run spools
what it could not write — article records, WARC files, the index rows of a run
that could not commit — to ``Settings.spool_dir/<store id>/``. The next run on the
same archive flushes the spool before doing anything else and indexes the
flushed records in its own manifest, so no article is lost.

Each entry is a directory holding ``data`` and ``meta.json``, created under a
temporary name and renamed into place, so an entry is never seen half-written. An
entry whose data no longer has the SHA-256 it was spooled with (damaged on disk) is
set aside as ``.damaged-<name>`` by the flushing run — never stored, never blocking
the entries behind it.

The work directory ``.work/`` holds what runs are writing: WARC files and packs before
they are stored, index files, entries being spooled. Their names start with
:meth:`Spool.temp_prefix` — the kind, the host and the process id — so a run starting
removes the files that a process killed on this host left behind (:meth:`Spool.clean_workdir`),
while the files of live processes (two crawls of different outlets share the directory) are
kept. A file of another host, or named before this rule, is removed after a day untouched.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import shutil
import socket
import time
import uuid
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

__all__ = ["STALE_WORK_S", "Spool", "SpooledObject"]

logger = logging.getLogger(__name__)

#: A work file that names no live process of this host is removed after this long untouched.
STALE_WORK_S = 24 * 3600
_WORK_NAME = re.compile(r"^[a-z]+-([0-9a-f]{8})-(\d+)-")


def _host_id() -> str:
    return hashlib.sha256(socket.gethostname().encode()).hexdigest()[:8]


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    return True


@dataclass(frozen=True)
class SpooledObject:
    """One pending put: ``kind`` is ``record``, ``warc`` or ``rows`` (a run's index rows)."""

    key: str
    sha256: str
    size: int
    kind: str
    content_type: str | None
    entry_dir: Path

    @property
    def data_path(self) -> Path:
        return self.entry_dir / "data"


class Spool:
    """Pending puts for one store, oldest first."""

    def __init__(self, spool_dir: Path, store_uri: str) -> None:
        store_id = hashlib.sha256(store_uri.encode()).hexdigest()[:16]
        self.root = Path(spool_dir).expanduser() / store_id
        self.workdir = self.root / ".work"

    def ensure_dirs(self) -> None:
        self.workdir.mkdir(parents=True, exist_ok=True)

    @staticmethod
    def temp_prefix(kind: str) -> str:
        """Name prefix of a work file of this process: ``<kind>-<host>-<pid>-``."""
        return f"{kind}-{_host_id()}-{os.getpid()}-"

    def clean_workdir(self, *, max_age_s: float = STALE_WORK_S) -> list[Path]:
        """Remove the work files of dead processes of this host, and any untouched for ``max_age_s``."""
        removed: list[Path] = []
        if not self.workdir.is_dir():
            return removed
        host, now = _host_id(), time.time()
        for path in self.workdir.iterdir():
            match = _WORK_NAME.match(path.name)
            try:
                if match and match.group(1) == host:
                    stale = not _alive(int(match.group(2)))
                else:
                    stale = now - path.lstat().st_mtime > max_age_s
                if not stale:
                    continue
                if path.is_dir() and not path.is_symlink():
                    shutil.rmtree(path)
                else:
                    path.unlink()
            except FileNotFoundError:
                continue  # its process finished with it meanwhile
            except OSError as exc:  # never stop a run for a file it cannot remove
                logger.warning("cannot remove %s: %s", path, exc)
                continue
            removed.append(path)
        if removed:
            logger.info("removed %d work files that killed runs left in %s", len(removed), self.workdir)
        return removed

    def add(self, key: str, data: bytes | Path, *, sha256: str, kind: str, content_type: str | None = None) -> SpooledObject:
        """Keep ``data`` for ``key`` (a ``Path`` is moved into the spool, not copied)."""
        self.ensure_dirs()
        name = f"{time.time_ns():020d}-{uuid.uuid4().hex[:8]}"  # sorts oldest first
        tmp = self.workdir / f"{self.temp_prefix('entry')}{name}"
        tmp.mkdir()
        if isinstance(data, bytes):
            (tmp / "data").write_bytes(data)
            size = len(data)
        else:
            size = data.stat().st_size
            shutil.move(str(data), tmp / "data")
        meta = {"key": key, "sha256": sha256, "size": size, "kind": kind, "content_type": content_type}
        (tmp / "meta.json").write_text(json.dumps(meta), "utf-8")
        final = self.root / name
        os.replace(tmp, final)
        return SpooledObject(entry_dir=final, **meta)  # type: ignore[arg-type]

    def entries(self) -> Iterator[SpooledObject]:
        if not self.root.is_dir():
            return
        for entry in sorted(self.root.iterdir()):
            if entry.name.startswith(".") or not (entry / "meta.json").exists():
                continue
            meta = json.loads((entry / "meta.json").read_text("utf-8"))
            yield SpooledObject(entry_dir=entry, **meta)

    def remove(self, entry: SpooledObject) -> None:
        shutil.rmtree(entry.entry_dir, ignore_errors=True)

    @staticmethod
    def intact(entry: SpooledObject) -> bool:
        """Whether the entry's data still has the SHA-256 it was spooled with."""
        digest = hashlib.sha256()
        with open(entry.data_path, "rb") as fh:
            while chunk := fh.read(1024 * 1024):
                digest.update(chunk)
        return digest.hexdigest() == entry.sha256

    def set_aside(self, entry: SpooledObject) -> Path:
        """Move a damaged entry out of the queue (kept as ``.damaged-<name>`` for a human to inspect)."""
        target = self.root / f".damaged-{entry.entry_dir.name}"
        os.replace(entry.entry_dir, target)
        return target

    def __len__(self) -> int:
        return sum(1 for _ in self.entries())

    def describe(self) -> list[dict[str, object]]:
        return [{k: v for k, v in asdict(e).items() if k != "entry_dir"} for e in self.entries()]
