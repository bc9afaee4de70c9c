"""Crawl leases: at most one crawl of an outlet at a time, whichever machine or DAG starts it.

A lease is one small object, ``leases/<outlet>.json``, created with a conditional put
(``If-None-Match``), so of two crawls starting together exactly one gets it, on a local
directory and on S3 alike. It names its holder (host, pid, a token) and an expiry, which
a heartbeat thread pushes forward every third of the ``crawl_lease_s`` setting while the
crawl runs. A crawl killed before it could release its lease therefore blocks the outlet
only until the lease expires — or not at all when the rerun is on the same host and the
holder's process is gone. Airflow cannot give each outlet a pool of its own; this is what
keeps a nightly crawl and a backfill of the same site from running at once.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import threading
import uuid
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from types import TracebackType

from archive.layout import lease_key
from archive.stores import Store
from core.errors import (
    ChecksumError,
    LeaseHeldError,
    ObjectExistsError,
    ObjectNotFoundError,
    StoreAccessError,
    StoreError,
)
from core.settings import redact

__all__ = ["CrawlLease", "LeaseHolder"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class LeaseHolder:
    token: str
    host: str
    pid: int
    purpose: str
    acquired_at: str
    expires_at: str

    @property
    def expired(self) -> bool:
        return datetime.fromisoformat(self.expires_at) <= datetime.now(UTC)

    @property
    def dead(self) -> bool:
        """True when the holder ran on this host and its process is gone (killed before it could release)."""
        if self.host != socket.gethostname() or self.pid == os.getpid():
            return False
        try:
            os.kill(self.pid, 0)
        except ProcessLookupError:
            return True
        except PermissionError:
            return False
        return False

    def renewed(self, ttl: timedelta) -> LeaseHolder:
        return LeaseHolder(**{**asdict(self), "expires_at": (datetime.now(UTC) + ttl).isoformat()})


class CrawlLease:
    """``with CrawlLease(store, outlet_id, ttl): ...`` holds the outlet's lease for the block."""

    def __init__(self, store: Store, outlet_id: str, ttl: timedelta, *, purpose: str = "crawl") -> None:
        self.store = store
        self.outlet_id = outlet_id
        self.key = lease_key(outlet_id)
        self.ttl = ttl
        self.purpose = purpose
        self.holder: LeaseHolder | None = None
        self._stop = threading.Event()
        self._heartbeat: threading.Thread | None = None

    def acquire(self) -> None:
        """Take the lease, or raise :class:`LeaseHeldError` naming who holds it; an expired lease is taken over."""
        now = datetime.now(UTC)
        holder = LeaseHolder(
            token=uuid.uuid4().hex, host=socket.gethostname(), pid=os.getpid(), purpose=self.purpose,
            acquired_at=now.isoformat(), expires_at=(now + self.ttl).isoformat(),
        )
        body = json.dumps(asdict(holder)).encode()
        for _attempt in range(2):
            try:
                self.store.put(self.key, body, if_none_match=True, content_type="application/json")
            except ObjectExistsError:
                current = self.current()
                if current is None:
                    continue  # released meanwhile: try again
                if not (current.expired or current.dead):
                    raise LeaseHeldError(
                        f"outlet {self.outlet_id!r} is being crawled ({current.purpose}) by {current.host} pid "
                        f"{current.pid} since {current.acquired_at}; its lease expires at {current.expires_at}"
                    ) from None
                self.store.delete(self.key)  # a crashed crawl's lease: take it over
                continue
            except StoreAccessError:
                raise  # wrong credentials or bucket: a configuration error
            except StoreError as exc:
                # The store is down: the crawl goes on without a lease — its run spools, and the archive's
                # conditional writes keep concurrent runs from overwriting each other.
                logger.warning("crawl lease of %s not taken, the store is failing: %s", self.outlet_id, redact(str(exc)))
                return
            self.holder = holder
            self._stop.clear()
            self._heartbeat = threading.Thread(target=self._renew, name=f"lease-{self.outlet_id}", daemon=True)
            self._heartbeat.start()
            return
        raise LeaseHeldError(f"outlet {self.outlet_id!r}: could not take the crawl lease (contended)")

    def release(self) -> None:
        """Give the lease back (only our own: a lease taken over after expiry is left alone)."""
        if self.holder is None:
            return
        self._stop.set()
        if self._heartbeat is not None:
            self._heartbeat.join()
        try:
            current = self.current()
            if current is not None and current.token == self.holder.token:
                self.store.delete(self.key)
        except StoreError as exc:  # the store went down meanwhile: the lease expires by itself
            logger.warning("crawl lease of %s not released, the store is failing: %s", self.outlet_id, redact(str(exc)))
        self.holder = None

    def _renew(self) -> None:
        """Push the expiry forward while the crawl runs (a failed renewal is tried again next beat)."""
        interval = max(self.ttl.total_seconds() / 3, 0.05)
        while not self._stop.wait(interval):
            holder = self.holder
            if holder is None:
                return
            try:
                current = self.current()
                if current is None or current.token != holder.token:
                    return  # expired and taken over by another crawl: never overwrite its lease
                renewed = holder.renewed(self.ttl)
                self.store.put(self.key, json.dumps(asdict(renewed)).encode(), if_none_match=False,
                               content_type="application/json")
            except StoreError:
                continue
            self.holder = renewed

    def current(self) -> LeaseHolder | None:
        """Who holds the outlet's lease now (None when nobody does)."""
        for _attempt in range(3):
            try:
                return LeaseHolder(**json.loads(self.store.get(self.key)))
            except ObjectNotFoundError:
                return None
            except ChecksumError:
                continue  # read while the heartbeat was replacing it: read again
        return None

    def __enter__(self) -> CrawlLease:
        self.acquire()
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None) -> None:
        self.release()
