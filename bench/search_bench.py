"""The archive browser's bench: search index build rate, search latency over a fixed query mix, server RSS.

On the archive bench's cached 100,000-record local archive (:mod:`bench.stored_archive`): the
index is built from scratch (``SearchIndex.rebuild``, the code of ``newsarchive index``) into a
scratch cache dir; then :data:`QUERIES` — words, phrases, boolean, prefix, filters, date sort,
a deep page — are each run :data:`ROUNDS` times through ``SearchIndex.search`` (the page of hits
*and* the counts per outlet and month, as the search page asks for them); then ``newsarchive
serve`` is started as a process, the mix is sent to it over HTTP, and its peak RSS (``VmHWM``)
is read. Targets (issue 17): build ≥ 5,000 articles/s, p95 ≤ 50 ms, RSS ≤ 250 MB.
"""

from __future__ import annotations

import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

from bench.common import Figure
from bench.stored_archive import cached_local_archive

__all__ = ["QUERIES", "run"]

ARTICLES, QUICK_ARTICLES = 100_000, 100_000  # the cached archive has one size
ROUNDS, QUICK_ROUNDS = 20, 5
#: The fixed mix: (query text, filters) as the search page sends them. The synthetic archive repeats 200
#: texts 500 times each, so a word matches at least 0.5% of it; these are the searches of a researcher —
#: a term, a name, a phrase, a record number, booleans, a prefix, filters, date order, a later page,
#: a week browsed without words — matching from 1 to 2,500 articles (up to 2.5%).
QUERIES: list[tuple[str, dict[str, Any]]] = [
    ("allegations", {}),
    ("ambulances", {}),
    ('"dispatch 4711"', {}),
    ("4711 OR 52310 OR 99001", {}),
    ("evacuat*", {}),
    ("allegations OR ambulances", {}),
    ("allegations NOT cabinet", {}),
    ("employees", {"sort": "date"}),
    ("exchange", {"page": 3}),
    ("allegations", {"since": date(2026, 5, 1), "until": date(2026, 5, 31)}),
    ("documents", {"language": "en"}),
    ("", {"since": date(2026, 6, 1), "until": date(2026, 6, 7)}),
    ("title:cabinet", {}),
    ("", {"outlet": "bench", "since": date(2026, 3, 1), "until": date(2026, 3, 31), "sort": "date"}),
]
#: Words the synthetic texts share with a third to two thirds of the archive (35,000-70,000 matches):
#: reported beside the mix, without the target (ranking and counting every match is the cost).
BROAD: list[tuple[str, dict[str, Any]]] = [
    ("electricity", {}),
    ('"power cuts"', {}),
    ("ministry OR minister", {}),
    ("recon*", {}),
    ("officials", {"sort": "date"}),
    ("", {"sort": "date", "page": 2}),
]


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def _timings(index: Any, mix: list[tuple[str, dict[str, Any]]], rounds: int) -> dict[str, list[float]]:
    """Milliseconds of each search of ``mix`` (hits, snippets and counts), ``rounds`` times."""
    from archive.search import Query

    found: dict[str, list[float]] = {}
    for text, filters in mix:  # warm-up: a running server's page cache is warm
        index.search(Query(text, **filters))
    for _ in range(rounds):
        for text, filters in mix:
            started, cpu = time.perf_counter(), time.thread_time()
            index.search(Query(text, **filters))
            found.setdefault(f"{text} {filters}".strip(), []).append((time.perf_counter() - started) * 1000)
            found.setdefault("cpu", []).append((time.thread_time() - cpu) * 1000)
    return found


def _server_rss(archive_dir: Path, cache_dir: Path, spool: Path, rounds: int) -> tuple[float, float]:
    """(peak RSS in MB, p95 ms over HTTP) of `newsarchive serve` answering the mix ``rounds`` times."""
    import httpx

    from archive.search import Query
    from newsarchive.serve.app import query_params

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {**os.environ, "NEWSARCHIVE_SEARCH_CACHE_DIR": str(cache_dir), "NEWSARCHIVE_SPOOL_DIR": str(spool)}
    server = subprocess.Popen([sys.executable, "-c", "from newsarchive.cli import main; main()", "serve", "--archive", str(archive_dir),
                               "--port", str(port)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                httpx.get(base + "/runs", timeout=5)
                break
            except httpx.HTTPError:
                time.sleep(0.2)
        timings = []
        with httpx.Client(base_url=base, timeout=30) as client:
            client.get("/")
            for _ in range(rounds):
                for text, filters in QUERIES:
                    started = time.perf_counter()
                    client.get("/search?" + query_params(Query(text, **filters))).raise_for_status()
                    timings.append((time.perf_counter() - started) * 1000)
        status = Path(f"/proc/{server.pid}/status").read_text()
        peak_kb = int(next(line.split()[1] for line in status.splitlines() if line.startswith("VmHWM:")))
        return peak_kb / 1024, _percentile(timings, 0.95)
    finally:
        server.terminate()
        server.wait(timeout=30)


def run(quick: bool = False) -> dict[str, Any]:
    from archive import Archive
    from archive.search import SearchIndex
    from core.settings import Settings

    command = "uv run python -m bench search" + (" --quick" if quick else "")
    rounds = QUICK_ROUNDS if quick else ROUNDS
    root, _, _ = cached_local_archive(ARTICLES)
    with tempfile.TemporaryDirectory(prefix="newsarchive-bench-search-") as tmp:
        settings = Settings.from_env(spool_dir=Path(tmp) / "spool", search_cache_dir=Path(tmp) / "search")
        index = SearchIndex(Archive.open(str(root / "archive"), settings))
        print(f"[search] building the index of {ARTICLES:,} records ...", flush=True)
        started, cpu_started = time.perf_counter(), time.process_time()
        index.rebuild()
        build_s, build_cpu_s = time.perf_counter() - started, time.process_time() - cpu_started
        documents = index.document_count()
        size_mb = index.path.stat().st_size / 1e6
        per_query = _timings(index, QUERIES, rounds)
        broad = _timings(index, BROAD, max(1, rounds // 4))
        cpu_timings, broad_cpu = per_query.pop("cpu"), broad.pop("cpu")
        timings = [t for values in per_query.values() for t in values]
        broad_timings = [t for values in broad.values() for t in values]
        p50, p95 = statistics.median(timings), _percentile(timings, 0.95)
        slowest = max(per_query, key=lambda name: statistics.median(per_query[name]))
        print(f"[search] serve: peak RSS over {rounds} rounds of the mix over HTTP ...", flush=True)
        rss_mb, http_p95 = _server_rss(root / "archive", Path(tmp) / "search", Path(tmp) / "spool", rounds)
    rate = documents / build_s
    mix = f"{len(QUERIES)} queries × {rounds} rounds on {documents:,} records"
    return {"command": command, "figures": [
        Figure("search", "index build rate", round(rate), "articles/s", "≥ 5,000", rate >= 5000,
               baseline=f"{documents / build_cpu_s:,.0f} articles per CPU-second", command=command,
               note=f"{documents:,} records in {build_s:.1f} s wall, {build_cpu_s:.1f} s CPU (one core; the rest is "
                    f"waiting: load {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores); index file {size_mb:.0f} MB"),
        Figure("search", "search latency p50", round(p50, 1), "ms", note=mix, command=command),
        Figure("search", "search latency p95", round(p95, 1), "ms", "≤ 50", p95 <= 50,
               baseline=f"CPU time p95 {_percentile(cpu_timings, 0.95):.1f} ms (what the load of the machine adds is the rest)",
               note=f"{mix}; slowest median: {slowest!r} {statistics.median(per_query[slowest]):.1f} ms",
               command=command),
        Figure("search", "search latency p95, broad words (35-70% of the archive)", round(_percentile(broad_timings, 0.95), 1),
               "ms", baseline=f"CPU time p95 {_percentile(broad_cpu, 0.95):.0f} ms",
               note=f"{len(BROAD)} queries; p50 {statistics.median(broad_timings):.0f} ms: bm25 and counts over every match",
               command=command),
        Figure("search", "serve: search p95 over HTTP", round(http_p95, 1), "ms", note="page rendering included", command=command),
        Figure("search", "serve: peak RSS", round(rss_mb), "MB", "≤ 250", rss_mb <= 250, note="VmHWM after the mix", command=command),
    ]}  # fmt: skip
