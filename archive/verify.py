"""Verify an archive: every committed run is whole, and what killed runs left is found.

:func:`verify_archive` (``newsarchive verify``) checks each run that has a commit marker
(:func:`verify_run` checks one, as the DAGs do after each crawl):

- the marker names the run's manifest, and the manifest has the SHA-256 the marker recorded;
- every object the manifest lists exists with the listed size — with ``deep``, it is read whole
  and its SHA-256 checked, and a WARC file is also read as gzip members, each a WARC record;
- every row of the run's index file points to objects that exist (its record, its pack, its
  WARC file), the record with the SHA-256 the manifests list.

Any of these failing is damage (a :class:`~archive.inventory.Problem`, and a non-zero exit of the
command). What no committed manifest lists is a *leftover*, not damage: the objects of runs killed
or failed before their commit marker, reported by run (:mod:`archive.inventory`);
:mod:`archive.gc` deletes them. One listing pass; object bodies are read in chunks, never held.
"""

from __future__ import annotations

import hashlib
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
from isal import isal_zlib

from archive.inventory import (
    Leftovers,
    Listed,
    Problem,
    References,
    human_bytes,
    load_references,
    read_run,
    scan,
)
from archive.stores.base import CHUNK_SIZE, ObjectInfo, Store
from core.errors import ChecksumError, ObjectNotFoundError

__all__ = ["VerifyReport", "hash_check", "verify_archive", "verify_run"]

_WARC_HEAD = b"WARC/"
#: What inflating bad gzip raises (isal's stubs declare it an instance, not a class).
_INFLATE_ERROR: type[Exception] = isal_zlib.error  # type: ignore[assignment]


@dataclass
class VerifyReport:
    """What :func:`verify_archive` found; :attr:`damaged` is what the exit code says."""

    store: str
    outlet: str | None
    deep: bool
    committed_runs: int = 0
    objects: int = 0
    bytes: int = 0
    hashed_bytes: int = 0
    index_rows: int = 0
    problems: list[Problem] = field(default_factory=list)
    leftovers: Leftovers = field(default_factory=Leftovers)

    @property
    def damaged(self) -> bool:
        return bool(self.problems)

    def to_dict(self) -> dict[str, Any]:
        return {
            "store": self.store, "outlet": self.outlet, "deep": self.deep, "damaged": self.damaged,
            "committed_runs": self.committed_runs, "objects": self.objects, "bytes": self.bytes,
            "hashed_bytes": self.hashed_bytes, "index_rows": self.index_rows,
            "problems": [vars(problem) for problem in self.problems], "leftovers": self.leftovers.to_dict(),
        }  # fmt: skip

    def lines(self) -> list[str]:
        checked = "sizes and SHA-256 checked" if self.deep else "sizes checked (--deep reads and hashes them)"
        out = [f"{self.store}{f' (outlet {self.outlet})' if self.outlet else ''}: {self.committed_runs} committed "
               f"run{'' if self.committed_runs == 1 else 's'}, {self.objects} objects ({human_bytes(self.bytes)}) listed by their manifests, {checked}; "
               f"{self.index_rows} index rows checked"]  # fmt: skip
        if self.problems:
            out.append(f"DAMAGED: {len(self.problems)} problem(s)")
            out += [f"  {problem}" for problem in self.problems]
        left = self.leftovers
        if left.objects:
            out.append(f"leftovers: {left.objects} objects ({human_bytes(left.bytes)}) listed by no committed "
                       f"manifest; `newsarchive gc` deletes those of uncommitted runs")  # fmt: skip
            for _, run in sorted(left.runs.items()):
                state = "committed run, objects its manifest does not list" if run.committed else "uncommitted run"
                out.append(f"  {state} {run.name} (started {run.started_at:%Y-%m-%d %H:%M} UTC): "
                           f"{run.objects} objects, {human_bytes(run.bytes)}")  # fmt: skip
            if left.unattributed:
                out.append(f"  not attributable to a run (never collected): {left.unattributed} objects "
                           f"({human_bytes(left.unattributed_bytes)}), e.g. {', '.join(left.unattributed_examples[:3])}")
        out.append("damaged" if self.problems else "ok: every committed run is whole")
        return out


def verify_archive(store: Store, *, outlet: str | None = None, deep: bool = False) -> VerifyReport:
    """Check every committed run (of ``outlet``, or all) and find leftovers; see the module docstring."""
    refs = load_references(store, outlet)
    report = VerifyReport(store.uri, outlet, deep, committed_runs=len(refs.committed), problems=refs.problems)
    check = _object_check(store, report, deep)
    scan(store, refs, report.leftovers, outlet, check)
    _check_unseen(store, refs, report, check)
    return report


def verify_run(store: Store, outlet: str, run_id: str, *, deep: bool = False) -> VerifyReport:
    """Check one run as :func:`verify_archive` checks each committed run, without listing the store.

    A run without a commit marker is not checked: the report counts no committed run.
    """
    run = read_run(store, outlet, run_id)
    report = VerifyReport(store.uri, outlet, deep)
    if not run.committed:
        return report
    refs = References(committed={(outlet, run_id)})
    refs.add(run)
    report.committed_runs, report.problems = 1, refs.problems
    _check_unseen(store, refs, report, _object_check(store, report, deep))
    return report


def _object_check(store: Store, report: VerifyReport, deep: bool) -> Callable[[ObjectInfo, Listed], None]:
    """Check one stored object against what its manifest lists (its size; with ``deep``, its SHA-256)."""

    def check(info: ObjectInfo, listed: Listed) -> None:
        report.objects += 1
        report.bytes += info.size
        if info.size != listed.size:
            report.problems.append(Problem("size", info.key, listed.run,
                                           f"{info.size} bytes in the store, the manifest lists {listed.size}"))
        elif deep:
            report.hashed_bytes += info.size
            if (detail := hash_check(store, info.key, listed.sha256)) is not None:
                report.problems.append(Problem("checksum", info.key, listed.run, detail))

    return check


def _check_unseen(store: Store, refs: References, report: VerifyReport,
                  check: Callable[[ObjectInfo, Listed], None]) -> None:  # fmt: skip
    """Check the listed objects no listing met (asking the store for each), then the index files."""
    for key, listed in refs.objects.items():
        if listed.seen:
            continue
        try:  # not in the listing: ask for the object itself before calling it missing
            info = store.stat(key)
        except ObjectNotFoundError:
            report.problems.append(Problem("missing", key, listed.run, f"listed by the manifest ({listed.size} bytes), "
                                                                      "not in the store"))  # fmt: skip
            continue
        listed.seen = True
        check(info, listed)
    damaged = {problem.key for problem in report.problems}
    for key, run in refs.index_files:
        if key not in damaged:
            _check_index(store, refs, key, run, report)


def hash_check(store: Store, key: str, sha256: str) -> str | None:
    """Read ``key`` whole (streamed); what is wrong with it, or None. WARC files are also gunzipped."""
    digest = hashlib.sha256()
    warc = _WarcMembers() if key.startswith("warc/") else None
    try:
        with store.open(key, sha256=sha256 or None) as stream:
            while chunk := stream.read(CHUNK_SIZE):
                digest.update(chunk)
                if warc is not None:
                    warc.feed(chunk)
    except ChecksumError as exc:
        if not sha256:  # the manifest lists none: the store's own record of it disagrees
            return str(exc)
    except ObjectNotFoundError:
        return "deleted while being verified"
    if sha256 and digest.hexdigest() != sha256:
        return f"SHA-256 {digest.hexdigest()}, the manifest lists {sha256}"
    return warc.finish() if warc is not None else None


class _WarcMembers:
    """Checks a stream of gzip members, each a WARC record (what :mod:`archive.warc` writes)."""

    def __init__(self) -> None:
        self.members = 0
        self.error: str | None = None
        self._start()

    def _start(self) -> None:
        self._inflate = isal_zlib.decompressobj(isal_zlib.MAX_WBITS | 16)
        self._head = b""
        self._open = False

    def feed(self, data: bytes) -> None:
        while data and self.error is None:
            self._open = True
            try:
                out = self._inflate.decompress(data, CHUNK_SIZE)
            except _INFLATE_ERROR as exc:
                self.error = f"not valid gzip in member {self.members + 1}: {exc}"
                return
            if len(self._head) < len(_WARC_HEAD):
                self._head += out[: len(_WARC_HEAD) - len(self._head)]
                if len(self._head) == len(_WARC_HEAD) and self._head != _WARC_HEAD:
                    self.error = f"gzip member {self.members + 1} is not a WARC record"
            if self._inflate.eof:
                if len(self._head) < len(_WARC_HEAD):
                    self.error = f"gzip member {self.members + 1} is not a WARC record"
                self.members += 1
                data = self._inflate.unused_data
                self._start()
            else:
                data = self._inflate.unconsumed_tail

    def finish(self) -> str | None:
        if self.error is None and self._open:
            self.error = f"truncated: gzip member {self.members + 1} does not end"
        elif self.error is None and not self.members:
            self.error = "empty WARC file"
        return self.error


def _check_index(store: Store, refs: References, key: str, run: str, report: VerifyReport) -> None:
    """Every row of one index file points to objects that exist, its record with the listed SHA-256."""
    columns = ["key", "object_sha256", "pack", "warc_file"]
    with tempfile.TemporaryDirectory(prefix="newsarchive-verify-") as tmp:
        path = Path(tmp) / "index.parquet"
        try:
            store.download(key, path, sha256=refs.objects[key].sha256 or None)
            table = pq.read_table(path, columns=columns)
        except (ChecksumError, OSError, ValueError) as exc:  # pyarrow's errors are OSError/ValueError
            report.problems.append(Problem("index", key, run, f"unreadable index file: {exc}"))
            return
    report.index_rows += table.num_rows
    found: dict[str, bool] = {}

    def exists(target: str) -> bool:
        listed = refs.objects.get(target)
        if listed is not None:
            return listed.seen
        if target not in found:
            try:
                store.stat(target)
                found[target] = True
            except ObjectNotFoundError:
                found[target] = False
        return found[target]

    told: set[tuple[str, str]] = set()

    def tell(target: str, what: str) -> None:
        if (target, what) not in told:
            told.add((target, what))
            report.problems.append(Problem("index", key, run, f"rows point to {target}, {what}"))

    for row in table.to_pylist():
        record = row["key"]
        listed = refs.objects.get(record)
        if not exists(record):
            tell(record, "which is not in the store")
        elif listed is not None and row["object_sha256"] and listed.sha256 != row["object_sha256"]:
            tell(record, f"with SHA-256 {row['object_sha256']}, the manifests list {listed.sha256}")
        for target, what in ((row["pack"], "pack"), (row["warc_file"], "WARC file")):
            if target and not exists(target):
                tell(target, f"a {what} which is not in the store")

