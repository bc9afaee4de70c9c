"""The archive's inventory: what the committed runs vouch for, and which run wrote everything else.

:func:`read_run` is the one reader of a run's commit marker and manifest (checking one against
the other): whether the run is committed, and what its manifest says (:class:`CommittedRun`).
:func:`load_references` reads every committed run (:func:`committed_run_ids`) into
:class:`References`, the union of their manifests. :func:`scan` lists the
prefixes runs write to (:data:`RUN_OBJECT_PREFIXES`) once, hands each listed object to a caller
(``verify`` checks it) and sorts the others — *leftovers* — by the run that wrote them
(:func:`owner_of`), which is what ``gc`` deletes. A record first stored by a killed run and met
again by a rerun (same key, same bytes) is in the rerun's manifest, so it is referenced, not a
leftover: the union is taken over every committed manifest before anything is judged.

Listings are streamed; what is held is the (key, size, SHA-256) of every listed object, about
200 bytes an object, one manifest at a time, and the leftovers' keys when a caller asks for them.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from archive import layout
from archive.manifest import CommitMarker, Manifest
from archive.stores.base import ObjectInfo, Store
from core.errors import ChecksumError, ObjectNotFoundError

__all__ = [
    "RUN_OBJECT_PREFIXES",
    "CommittedRun",
    "Leftovers",
    "Listed",
    "Problem",
    "References",
    "RunLeftovers",
    "committed_run_ids",
    "human_bytes",
    "iter_run_objects",
    "load_references",
    "owner_of",
    "read_run",
    "scan",
]

#: Where runs write their objects (``leases/`` and the commit log, ``commits/``, hold no run's object; anything else
#: is not the archive's).
RUN_OBJECT_PREFIXES = ("warc/", "records/", "index/", "runs/")
#: Keys named in a report per group (the counts and bytes are always whole).
MAX_EXAMPLES = 10


@dataclass(frozen=True)
class Problem:
    """One piece of damage. ``kind``: missing, size, checksum, marker, manifest or index."""

    kind: str
    key: str
    run: str
    detail: str

    def __str__(self) -> str:
        return f"{self.kind}: {self.key} (run {self.run}): {self.detail}"


class Listed:
    """An object some committed manifest lists."""

    __slots__ = ("run", "seen", "sha256", "size")

    def __init__(self, size: int, sha256: str, run: str) -> None:
        self.size = size
        self.sha256 = sha256
        self.run = run
        self.seen = False


@dataclass
class References:
    """What the committed runs vouch for: the union of their manifests."""

    objects: dict[str, Listed] = field(default_factory=dict)
    committed: set[tuple[str, str]] = field(default_factory=set)
    #: Commit markers and manifests of committed runs (checked as such, listed by no manifest).
    control: set[str] = field(default_factory=set)
    index_files: list[tuple[str, str]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    #: Outlets with a committed run whose manifest could not be trusted: its references are unknown.
    incomplete: set[str] = field(default_factory=set)

    def __contains__(self, key: object) -> bool:
        return key in self.objects or key in self.control

    def add(self, run: CommittedRun) -> None:
        """Take in what one committed run vouches for (its problems make its outlet's references incomplete)."""
        self.control.update((layout.commit_key(run.outlet, run.run_id), layout.manifest_key(run.outlet, run.run_id)))
        self.problems += run.problems
        if run.problems:
            self.incomplete.add(run.outlet)
        if run.manifest is None:
            return
        for entry in run.manifest.objects:
            listed = self.objects.get(entry.key)
            if listed is None:
                self.objects[entry.key] = Listed(entry.size, entry.sha256, run.name)
                if layout.parse_index_key(entry.key):
                    self.index_files.append((entry.key, run.name))
            elif (listed.size, listed.sha256) != (entry.size, entry.sha256):
                self.problems.append(Problem("manifest", entry.key, run.name, (
                    f"listed with size {entry.size} and SHA-256 {entry.sha256}, run {listed.run} lists size "
                    f"{listed.size} and SHA-256 {listed.sha256}")))  # fmt: skip


@dataclass
class CommittedRun:
    """What one run's commit marker and manifest say, as read from the store (:func:`read_run`).

    ``committed``: the run has a commit marker. ``problems``: what is wrong with the marker or
    the manifest (an unreadable marker, a manifest missing, altered or describing another run);
    a run with problems vouches for nothing certain.
    """

    outlet: str
    run_id: str
    committed: bool = True
    marker: CommitMarker | None = None
    manifest: Manifest | None = None
    problems: list[Problem] = field(default_factory=list)

    @property
    def name(self) -> str:
        return f"{self.outlet}/{self.run_id}"


def committed_run_ids(store: Store, outlet: str | None = None) -> list[tuple[str, str]]:
    """``(outlet, run_id)`` of every run with a commit marker (of ``outlet``, or all), oldest first
    (:func:`archive.layout.run_order`): the last of an outlet's is its latest."""
    runs = [parsed for info in store.list(layout.runs_prefix(outlet)) if (parsed := layout.parse_commit_key(info.key))]
    return sorted(runs, key=lambda pair: (layout.run_order(pair[1]), pair[0]))


def read_run(store: Store, outlet_id: str, run_id: str) -> CommittedRun:
    """Read a run's commit marker and manifest, checking one against the other: the one reader of both."""
    run = CommittedRun(outlet_id, run_id)
    marker_key, manifest_key = layout.commit_key(outlet_id, run_id), layout.manifest_key(outlet_id, run_id)

    def damaged(kind: str, key: str, detail: str) -> None:
        run.problems.append(Problem(kind, key, run.name, detail))

    try:
        run.marker = CommitMarker.from_json_bytes(store.get(marker_key))
    except ObjectNotFoundError as exc:
        run.committed = False
        damaged("marker", marker_key, f"unreadable commit marker: {exc}")
    except (ChecksumError, ValueError, TypeError) as exc:
        damaged("marker", marker_key, f"unreadable commit marker: {exc}")
    marker = run.marker
    if marker is not None and (marker.run_id != run_id or marker.manifest_key != manifest_key):
        damaged("marker", marker_key, f"names run {marker.run_id} and manifest {marker.manifest_key}")
    try:
        data = store.read_range(manifest_key, 0, store.stat(manifest_key).size)  # checked below, against the marker
    except ObjectNotFoundError:
        damaged("missing", manifest_key, "the run is committed but its manifest is not in the store")
        return run
    digest = hashlib.sha256(data).hexdigest()
    if marker is not None and digest != marker.manifest_sha256:
        damaged("checksum", manifest_key, f"SHA-256 {digest}, the commit marker recorded {marker.manifest_sha256}")
    try:
        manifest = Manifest.from_json_bytes(data)
    except (ValueError, TypeError, KeyError) as exc:
        damaged("manifest", manifest_key, f"unreadable manifest: {exc}")
        return run
    if (manifest.outlet, manifest.run_id) != (outlet_id, run_id):
        damaged("manifest", manifest_key, f"describes run {manifest.outlet}/{manifest.run_id}")
    run.manifest = manifest
    return run


def load_references(store: Store, outlet: str | None = None) -> References:
    """Read the marker and manifest of every committed run (of ``outlet``, or all) and check them."""
    refs = References()
    runs = committed_run_ids(store, outlet)
    refs.committed.update(runs)
    for outlet_id, run_id in runs:
        refs.add(read_run(store, outlet_id, run_id))
    return refs


def iter_run_objects(store: Store, outlet: str | None = None) -> Iterator[ObjectInfo]:
    """Every object under the prefixes runs write to (of ``outlet``, or all), streamed."""
    for prefix in RUN_OBJECT_PREFIXES:
        yield from store.list(f"{prefix}{layout.validate_outlet_id(outlet)}/" if outlet else prefix)


def owner_of(store: Store, info: ObjectInfo) -> tuple[str, str] | None:
    """``(outlet, run_id)`` of the run that wrote an object, or None when it cannot be told.

    WARC files, index files and the files under ``runs/`` carry the run id in their key. A
    record's key does not (two runs archiving the same version meet at it): the record is
    read, and its raw capture's WARC file names the run that stored it.
    """
    for parse in (layout.parse_warc_key, layout.parse_index_key, layout.parse_run_file_key):
        if owner := parse(info.key):
            return owner
    if not (info.key.startswith("records/") and info.key.endswith(".json")):
        return None
    try:
        record = json.loads(store.get(info.key))
    except (ObjectNotFoundError, ChecksumError, ValueError):
        return None
    raw = record.get("raw") if isinstance(record, dict) else None
    warc_file = raw.get("warc_file") if isinstance(raw, dict) else None
    owner = layout.parse_warc_key(warc_file) if isinstance(warc_file, str) else None
    return owner if owner and info.key.split("/")[1] == owner[0] else None


@dataclass
class RunLeftovers:
    """The objects of one run that no committed manifest lists."""

    outlet: str
    run_id: str
    committed: bool
    objects: int = 0
    bytes: int = 0
    newest: datetime | None = None
    keys: list[tuple[str, int]] = field(default_factory=list)

    @property
    def name(self) -> str:
        return f"{self.outlet}/{self.run_id}"

    @property
    def started_at(self) -> datetime:
        return layout.run_started_at(self.run_id)

    def to_dict(self, *, keys: str = "examples") -> dict[str, Any]:
        """``keys``: the name the kept keys go under (``keys`` when they are all kept)."""
        return {
            "outlet": self.outlet, "run_id": self.run_id, "committed": self.committed,
            "started_at": self.started_at.isoformat(), "objects": self.objects, "bytes": self.bytes,
            "newest": self.newest.isoformat() if self.newest else None,
            keys: [key for key, _ in self.keys],
        }  # fmt: skip


class Leftovers:
    """Unreferenced objects, by the run that wrote them; the rest (unattributed) counted apart."""

    def __init__(self, *, keep_keys: bool = False) -> None:
        self.keep_keys = keep_keys
        self.runs: dict[tuple[str, str], RunLeftovers] = {}
        self.unattributed = 0
        self.unattributed_bytes = 0
        self.unattributed_examples: list[str] = []

    def add(self, store: Store, info: ObjectInfo, committed: set[tuple[str, str]]) -> None:
        owner = owner_of(store, info)
        if owner is None:
            self.unattributed += 1
            self.unattributed_bytes += info.size
            if len(self.unattributed_examples) < MAX_EXAMPLES:
                self.unattributed_examples.append(info.key)
            return
        run = self.runs.get(owner)
        if run is None:
            run = self.runs[owner] = RunLeftovers(owner[0], owner[1], owner in committed)
        run.objects += 1
        run.bytes += info.size
        if info.last_modified and (run.newest is None or info.last_modified > run.newest):
            run.newest = info.last_modified
        if self.keep_keys or len(run.keys) < MAX_EXAMPLES:
            run.keys.append((info.key, info.size))

    @property
    def objects(self) -> int:
        return sum(run.objects for run in self.runs.values()) + self.unattributed

    @property
    def bytes(self) -> int:
        return sum(run.bytes for run in self.runs.values()) + self.unattributed_bytes

    def to_dict(self) -> dict[str, Any]:
        return {
            "objects": self.objects, "bytes": self.bytes,
            "runs": [run.to_dict(keys="keys" if self.keep_keys else "examples") for _, run in sorted(self.runs.items())],
            "unattributed": {"objects": self.unattributed, "bytes": self.unattributed_bytes,
                             "examples": self.unattributed_examples},
        }  # fmt: skip


def scan(store: Store, refs: References, leftovers: Leftovers, outlet: str | None = None,
         on_listed: Callable[[ObjectInfo, Listed], None] | None = None) -> None:  # fmt: skip
    """One pass over the run objects: listed ones go to ``on_listed`` (marked seen), the others to ``leftovers``."""
    for info in iter_run_objects(store, outlet):
        listed = refs.objects.get(info.key)
        if listed is not None:
            listed.seen = True
            if on_listed is not None:
                on_listed(info, listed)
        elif info.key not in refs.control:
            leftovers.add(store, info, refs.committed)


def human_bytes(size: int) -> str:
    value = float(size)
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if value < 1024 or unit == "TB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    raise AssertionError("unreachable")
