"""What the reliability tests share: a crawl child process they can kill, and an audit of the archive it left.

:class:`CrawlChild` starts ``python -m newsarchive.jobs -`` exactly as
:func:`newsarchive.jobs.run_job` does (same JSON request on stdin, same
environment), but with :class:`subprocess.Popen`, so a test can ``kill -9`` it
at a moment of its choosing. :func:`audit` reads the archive back the way a user
would (``download --format jsonl``) and checks what a crash must never leave:
an article missing or twice, a run visible as complete without its objects, a
second object for one article.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from archive import Archive
from archive.layout import parse_commit_key, parse_commit_log_key
from archive.manifest import CommitMarker, Manifest
from core.registry import Outlet
from core.settings import Settings
from core.urls import canonical_url
from ingest import RunSummary
from newsarchive.jobs import CHILD_COMMAND, JobRequest, child_env
from outlet_server import OutletServer

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class Figures:
    """What the suite did, for the README's reliability section (printed at the end of the session)."""

    crawl_runs: int = 0
    kills: int = 0
    faults_injected: Counter[str] = field(default_factory=Counter)
    fuzz_inputs: int = 0
    articles_checked: int = 0
    articles_lost: int = 0

    def account(self, expected: list[str], archived: Counter[str] | list[str]) -> list[str]:
        """Count ``expected`` articles as checked; return (and count) those missing from ``archived``."""
        lost = sorted(set(expected) - set(archived))
        self.articles_checked += len(expected)
        self.articles_lost += len(lost)
        return lost

    def to_dict(self) -> dict[str, Any]:
        return {**self.__dict__, "faults_injected": dict(self.faults_injected)}

    def merge(self, data: dict[str, Any]) -> None:
        """Add another process's figures (a pytest-xdist worker's)."""
        for name, value in data.items():
            if name == "faults_injected":
                self.faults_injected.update(value)
            else:
                setattr(self, name, getattr(self, name) + value)

    def lines(self) -> list[str]:
        faults = ", ".join(f"{kind} {n}" for kind, n in sorted(self.faults_injected.items()))
        return [
            f"crawl runs: {self.crawl_runs} (killed with SIGKILL: {self.kills})",
            f"faults injected: {sum(self.faults_injected.values())} ({faults})",
            f"fuzz inputs: {self.fuzz_inputs}",
            f"articles checked: {self.articles_checked}, articles lost: {self.articles_lost}",
        ]


FIGURES = Figures()


class CrawlChild:
    """One ``python -m newsarchive.jobs`` crawl process; its stdout and stderr go to files (scanned by the security tests)."""

    def __init__(self, outlet: Outlet, archive_uri: str, *, window: tuple[date | None, date | None],
                 settings: Settings, env: dict[str, str], logs: Path) -> None:
        request = JobRequest.build("crawl", [outlet], archive_uri, since=window[0], until=window[1],
                                   settings=settings, throttle=False, progress=True)
        logs.mkdir(parents=True, exist_ok=True)
        number = len(list(logs.glob("*.stdout")))
        self.stdout_path = logs / f"crawl-{number}.stdout"
        self.stderr_path = logs / f"crawl-{number}.stderr"
        with open(self.stdout_path, "wb") as out, open(self.stderr_path, "wb") as err:
            self.process = subprocess.Popen(
                [sys.executable, *CHILD_COMMAND], stdin=subprocess.PIPE, stdout=out, stderr=err,
                env=child_env(env), cwd=ROOT, start_new_session=True,
            )  # fmt: skip
        FIGURES.crawl_runs += 1
        self.peak_rss = 0  # bytes, as the child reports it at its end (see result())
        assert self.process.stdin is not None
        self.process.stdin.write(request.to_json().encode())
        self.process.stdin.close()

    def kill(self) -> None:
        """``kill -9``: no handler, no finally block, no atexit runs in the child."""
        if self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)
        assert self.process.returncode == -signal.SIGKILL
        FIGURES.kills += 1

    def wait_until(self, condition: Callable[[], bool], timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        while not condition():
            if self.process.poll() is not None:
                raise AssertionError(f"crawl ended (exit {self.process.returncode}) before the kill point: "
                                     f"{self.stderr_path.read_text(errors='replace')[-2000:]}")
            if time.monotonic() > deadline:
                raise AssertionError("kill point not reached in time")
            time.sleep(0.02)

    def result(self, timeout: float = 240) -> RunSummary:
        """Wait for the child and parse its summary (its last line of stdout)."""
        deadline = time.monotonic() + timeout
        while self.process.poll() is None:
            if time.monotonic() > deadline:
                self.kill()
                raise AssertionError("crawl did not finish in time")
            time.sleep(0.05)
        lines = self.stdout_path.read_text().strip().splitlines()
        result = json.loads(lines[-1]) if lines else {}
        # The child's own peak (newsarchive.jobs.peak_rss): wait4's ru_maxrss would carry this test
        # process's size across the child's exec, and grows with every test run before.
        self.peak_rss = int(result.get("peak_rss") or 0)
        assert self.process.returncode == 0 and "summaries" in result, (
            f"crawl failed ({self.process.returncode}): {result.get('error')} "
            f"{self.stderr_path.read_text(errors='replace')[-3000:]}"
        )
        (summary,) = [RunSummary.from_dict(item) for item in result["summaries"]]
        return summary

    def outputs(self) -> bytes:
        return self.stdout_path.read_bytes() + self.stderr_path.read_bytes()


def crawl(outlet: Outlet, archive_uri: str, *, window: tuple[date | None, date | None], settings: Settings,
          env: dict[str, str], logs: Path) -> RunSummary:
    """A whole crawl in a child process; its summary (the child's peak RSS in ``stats["peak_rss"]``)."""
    child = CrawlChild(outlet, archive_uri, window=window, settings=settings, env=env, logs=logs)
    summary = child.result()
    summary.stats["peak_rss"] = child.peak_rss
    return summary


def served_articles(server: OutletServer, kind: str = "/20") -> int:
    """GET requests of article pages the outlet server has answered so far."""
    return sum(1 for r in server.requests if r.method == "GET" and r.path.startswith(kind) and r.status == 200)


@dataclass
class Audit:
    """What the archive holds after the crash and the rerun(s)."""

    exported: list[dict[str, Any]]
    committed_runs: list[str]
    #: Run ids with objects in the store but no commit marker (their objects are invisible to readers).
    uncommitted_runs: list[str]
    #: Objects no committed manifest lists (what crashed runs left behind).
    unreferenced: list[str]
    #: article (``records/…/<url_id>``) -> its record objects (one per article version).
    record_objects: Counter[str] = field(default_factory=Counter)
    manifest_objects_verified: int = 0

    @property
    def exported_urls(self) -> Counter[str]:
        return Counter(row["canonical_url"] for row in self.exported)


def _run_id_of(key: str) -> str | None:
    name = key.rsplit("/", 1)[-1]
    if key.startswith("runs/"):
        return key.split("/")[2]
    if key.startswith("warc/"):
        return name.rsplit("-", 1)[0]
    if key.startswith("index/"):
        return name.split(".", 1)[0]
    return None


def audit(archive: Archive, tmp: Path) -> Audit:
    """Download the archive as JSONL (checksums verified on the way), list its objects, verify every committed run.

    A committed run is verified in full: the marker's SHA-256 is the manifest's, and every object
    the manifest lists exists with the size and SHA-256 it lists (read back and hashed).
    """
    out = tmp / f"export-{time.monotonic_ns()}.jsonl"
    archive.export("jsonl", out)
    exported = [json.loads(line) for line in out.read_text("utf-8").splitlines() if line.strip()]
    store = archive.store
    keys = [info.key for info in store.list("")]
    committed: list[str] = []
    referenced: set[str] = set()
    for key in keys:
        parsed = parse_commit_key(key)
        if parsed is None:
            continue
        marker = CommitMarker.from_json_bytes(store.get(key))
        manifest = Manifest.from_json_bytes(store.get(marker.manifest_key, sha256=marker.manifest_sha256))
        assert manifest.committed and manifest.run_id == parsed[1]
        for entry in manifest.objects:
            data = store.get(entry.key, sha256=entry.sha256)  # ChecksumError on any mismatch
            assert len(data) == entry.size, entry.key
            referenced.add(entry.key)
        referenced.update((key, marker.manifest_key))
        committed.append(parsed[1])
    for key in keys:  # the commit log names committed runs only, each once
        if logged := parse_commit_log_key(key):
            assert logged[1] in committed, f"{key} names a run without a commit marker"
            referenced.add(key)
    runs = {run for run in map(_run_id_of, keys) if run}
    records = Counter(key.rsplit("-v", 1)[0] for key in keys if key.startswith("records/"))
    return Audit(exported, sorted(committed), sorted(runs - set(committed)),
                 sorted(set(keys) - referenced), records, len(referenced))


def expected_urls(server: OutletServer, window: tuple[date | None, date | None]) -> list[str]:
    """Canonical URLs of every live article of the window (what a perfect crawl archives)."""
    return sorted(canonical_url(server.url(a)) for a in server.live_articles(*window))
