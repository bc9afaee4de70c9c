"""Crawl leases: one crawl per outlet at a time, on both stores; a crashed crawl's lease expires."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from archive.layout import lease_key
from archive.lease import CrawlLease
from archive.stores import Store
from core.errors import LeaseHeldError


def test_second_crawl_of_an_outlet_is_refused_until_the_first_ends(store: Store) -> None:
    first = CrawlLease(store, "demo", timedelta(hours=1), purpose="nightly")
    first.acquire()
    with pytest.raises(LeaseHeldError, match="outlet 'demo' is being crawled \\(nightly\\)"):
        CrawlLease(store, "demo", timedelta(hours=1)).acquire()
    with CrawlLease(store, "other", timedelta(hours=1)):  # other outlets are not blocked
        pass
    first.release()
    assert not store.exists(lease_key("demo"))
    with CrawlLease(store, "demo", timedelta(hours=1)):
        assert store.exists(lease_key("demo"))
    assert not store.exists(lease_key("demo"))


def test_expired_lease_of_a_killed_crawl_is_taken_over(store: Store) -> None:
    crashed = CrawlLease(store, "demo", timedelta(seconds=-1))  # as if its crawl died long ago
    crashed.acquire()
    crashed._stop.set()  # its heartbeat died with it
    taker = CrawlLease(store, "demo", timedelta(hours=1))
    taker.acquire()
    holder = taker.current()
    assert holder is not None and datetime.fromisoformat(holder.expires_at) > datetime.now(UTC)
    crashed.release()  # the crashed crawl coming back must not free the new holder's lease
    assert store.exists(lease_key("demo"))
    taker.release()
    assert not store.exists(lease_key("demo"))


def test_lease_is_renewed_while_held(store: Store) -> None:
    lease = CrawlLease(store, "demo", timedelta(seconds=0.3))
    with lease:
        first = lease.current()
        assert first is not None
        deadline = datetime.now(UTC) + timedelta(seconds=10)
        while (now := lease.current()) is None or now.expires_at == first.expires_at:
            assert datetime.now(UTC) < deadline, "the heartbeat never renewed the lease"
        with pytest.raises(LeaseHeldError):  # still held: renewed past its first expiry
            CrawlLease(store, "demo", timedelta(hours=1)).acquire()
    assert not store.exists(lease_key("demo"))


def test_lease_of_a_dead_process_on_this_host_is_taken_over_at_once(store: Store, tmp_path) -> None:
    import subprocess
    import sys

    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    pid = int(dead.stdout)  # a process that has exited
    held = CrawlLease(store, "demo", timedelta(hours=1))
    held.acquire()
    record = json.loads(store.get(lease_key("demo")))
    held._stop.set()
    held.holder = None  # forget it without releasing: as if the process had been killed
    store.put(lease_key("demo"), json.dumps({**record, "pid": pid}).encode(), if_none_match=False)
    with CrawlLease(store, "demo", timedelta(hours=1)) as taker:
        holder = taker.current()
        assert holder is not None and holder.pid != pid
