"""Garbage collection: delete what killed or failed runs left in the store, and nothing else.

A run that dies before its commit marker leaves its WARC files, records, index file and pack
in the store, invisible to readers and listed by no manifest. :func:`collect_garbage`
(``newsarchive gc``) deletes such an object only when all of these hold:

- no committed manifest lists it — the union over *every* committed manifest, read before
  anything is deleted (a record a killed run stored and a rerun met again is the rerun's);
- it can be attributed to a run (:func:`archive.inventory.owner_of`), that run has no commit
  marker, started more than ``older_than`` ago (its run id says when), none of its objects was
  written within ``older_than``, and no other uncommitted run of the outlet started or wrote
  within ``older_than`` (a run still going may be re-using the old run's records: same key, same
  bytes, listed in its manifest when it commits);
- no committed run of the outlet has an unreadable or altered manifest (its references would
  be unknown: ``newsarchive verify`` says which);
- no crawl of the outlet is running: gc takes the outlet's crawl lease (:mod:`archive.lease`)
  while it deletes, so no leased crawl can start meanwhile, and skips the outlet when a live crawl
  holds it. Holding the lease, it reads the outlet's committed runs again and spares whatever a
  run committed since the first reading lists, and a run whose commit has begun meanwhile.

Leases, commit markers, objects of committed runs and anything it cannot attribute to a run are
never touched. Crawls and backfills hold the lease; runs written without one (the Python API's
``begin_run``) are protected by ``older_than`` alone. Spooled objects are local files (:mod:`archive.spool`), not in the store.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from archive import layout
from archive.inventory import Leftovers, RunLeftovers, human_bytes, load_references, scan
from archive.lease import CrawlLease
from archive.stores.base import Store
from core.errors import LeaseHeldError

__all__ = ["DEFAULT_OLDER_THAN", "GcReport", "collect_garbage"]

DEFAULT_OLDER_THAN = timedelta(hours=48)


@dataclass
class RunVerdict:
    """What gc did (or would do) with the leftovers of one run, and why."""

    run: RunLeftovers
    action: str  # "deleted", "would delete" or "kept"
    reason: str = ""
    objects: int = 0
    bytes: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {**self.run.to_dict(keys="keys"), "action": self.action, "reason": self.reason,
                "deleted_objects": self.objects, "deleted_bytes": self.bytes}  # fmt: skip


@dataclass
class GcReport:
    store: str
    dry_run: bool
    older_than: timedelta
    verdicts: list[RunVerdict] = field(default_factory=list)
    unattributed: int = 0
    unattributed_bytes: int = 0

    @property
    def objects(self) -> int:
        """Objects deleted (or, in a dry run, that would be)."""
        return sum(v.objects for v in self.verdicts)

    @property
    def bytes(self) -> int:
        return sum(v.bytes for v in self.verdicts)

    def to_dict(self) -> dict[str, Any]:
        return {
            "store": self.store, "dry_run": self.dry_run, "older_than_hours": self.older_than.total_seconds() / 3600,
            "objects": self.objects, "bytes": self.bytes, "runs": [v.to_dict() for v in self.verdicts],
            "unattributed": {"objects": self.unattributed, "bytes": self.unattributed_bytes},
        }  # fmt: skip

    def lines(self) -> list[str]:
        done = "would delete" if self.dry_run else "deleted"
        out = []
        for verdict in self.verdicts:
            run = verdict.run
            if verdict.action == "kept":
                out.append(f"kept {run.name}: {run.objects} objects, {human_bytes(run.bytes)} ({verdict.reason})")
            else:
                out.append(f"{verdict.action} {run.name} (uncommitted, started {run.started_at:%Y-%m-%d %H:%M} UTC): "
                           f"{verdict.objects} objects, {human_bytes(verdict.bytes)}")  # fmt: skip
        if self.unattributed:
            out.append(f"kept {self.unattributed} objects ({human_bytes(self.unattributed_bytes)}) that no run can be "
                       "told to have written (`newsarchive verify` lists them)")  # fmt: skip
        out.append(f"{done} {self.objects} objects, {human_bytes(self.bytes)}")
        return out


def collect_garbage(
    store: Store,
    *,
    older_than: timedelta = DEFAULT_OLDER_THAN,
    dry_run: bool = False,
    lease_ttl: timedelta = timedelta(minutes=10),
    now: datetime | None = None,
) -> GcReport:
    """Delete (or with ``dry_run`` only list) the leftovers of uncommitted runs; see the module docstring."""
    cutoff = (now or datetime.now(UTC)) - older_than
    refs = load_references(store)
    leftovers = Leftovers(keep_keys=True)
    scan(store, refs, leftovers)
    report = GcReport(store.uri, dry_run, older_than, unattributed=leftovers.unattributed,
                      unattributed_bytes=leftovers.unattributed_bytes)  # fmt: skip
    hours = f"{older_than.total_seconds() / 3600:g} h"
    candidates: dict[str, list[RunLeftovers]] = defaultdict(list)
    recent: set[str] = set()  # outlets with an uncommitted run that may still be going
    for _, run in sorted(leftovers.runs.items()):
        if run.committed:
            reason = "objects of a committed run its manifest does not list: see `newsarchive verify`"
        elif run.outlet in refs.incomplete:
            reason = "a committed run of the outlet has a damaged manifest or marker: see `newsarchive verify`"
        elif run.started_at > cutoff:
            reason = f"started less than {hours} ago"
            recent.add(run.outlet)
        elif run.newest is not None and run.newest > cutoff:
            reason = f"written to less than {hours} ago"
            recent.add(run.outlet)
        else:
            candidates[run.outlet].append(run)
            continue
        report.verdicts.append(RunVerdict(run, "kept", reason))
    for outlet in recent & candidates.keys():
        reason = f"another run of the outlet is less than {hours} old and may re-use this run's records"
        report.verdicts += [RunVerdict(run, "kept", reason) for run in candidates.pop(outlet)]
    for outlet, runs in sorted(candidates.items()):
        report.verdicts += _collect_outlet(store, outlet, runs, dry_run=dry_run, lease_ttl=lease_ttl)
    report.verdicts.sort(key=lambda verdict: verdict.run.name)
    return report


def _collect_outlet(store: Store, outlet: str, runs: list[RunLeftovers], *, dry_run: bool,
                    lease_ttl: timedelta) -> list[RunVerdict]:  # fmt: skip
    lease = CrawlLease(store, outlet, lease_ttl, purpose="gc")
    if dry_run:
        holder = lease.current()
        if holder is not None and not (holder.expired or holder.dead):
            reason = f"a {holder.purpose} of the outlet is running ({holder.host} pid {holder.pid})"
            return [RunVerdict(run, "kept", reason) for run in runs]
        return [RunVerdict(run, "would delete", objects=run.objects, bytes=run.bytes) for run in runs]
    try:
        lease.acquire()
    except LeaseHeldError as exc:
        return [RunVerdict(run, "kept", str(exc)) for run in runs]
    try:
        if lease.holder is None:  # the store failed while taking it: delete nothing unguarded
            return [RunVerdict(run, "kept", "the outlet's crawl lease could not be taken") for run in runs]
        fresh = load_references(store, outlet)  # runs committed since the first reading
        if outlet in fresh.incomplete:
            return [RunVerdict(run, "kept", "a committed run of the outlet has a damaged manifest") for run in runs]
        verdicts = []
        for run in runs:
            listed = {key for key, _ in run.keys}
            if (run.outlet, run.run_id) in fresh.committed or any(
                info.key not in listed for info in store.list(layout.runs_prefix(outlet) + f"{run.run_id}/")
            ):
                verdicts.append(RunVerdict(run, "kept", "its commit began meanwhile"))
                continue
            verdict = RunVerdict(run, "deleted")
            for key, size in run.keys:
                if key not in fresh:
                    store.delete(key)
                    verdict.objects += 1
                    verdict.bytes += size
            verdicts.append(verdict)
        return verdicts
    finally:
        lease.release()
