"""archive: writing into the local store and SeaweedFS, and ``download`` back, each beside a bare floor.

- **local download** (issue 5 target: ``download --format jsonl`` of 100,000 records ≥ 20,000 records/s,
  peak RSS < 300 MB): 100,000 synthetic records written through the archive's own run API and kept
  while the stored format holds (:mod:`bench.stored_archive`), then
  ``newsarchive download`` (a measured child) alternates with :mod:`bench.bare_read`, which only
  concatenates the stored record files (the floor any download pays);
- **archive vs extract cost** (target ≤ 10 %): per article, ``write_capture`` + ``add_article`` on the
  local store against ``extract_article`` on the same page, measured block by block in one process;
- **S3** (target ≤ 1.2 PUTs per article, amortised): a run of real pages (capture + record) into
  SeaweedFS with every S3 call counted by botocore event hooks, beside a bare ``put_object`` loop of the
  same records; then ``download`` from S3 beside a bare list-and-get child.

``python -m bench archive [--quick]``.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.common import (
    PYTHON,
    Figure,
    Usage,
    bench_settings,
    interleave,
    median_usage,
    run_child,
    scratch_dir,
    warm_up,
)
from bench.stored_archive import OUTLET, cached_local_archive, remove_stale

__all__ = ["run"]

AREA = "archive"
DOWNLOAD_RECORDS, QUICK_DOWNLOAD_RECORDS = 100_000, 10_000
S3_ARTICLES, QUICK_S3_ARTICLES = 1_000, 200
COST_PAGES, QUICK_COST_PAGES = 300, 100
DOWNLOAD_RATE_TARGET = 20_000.0
DOWNLOAD_RSS_TARGET_MB = 300.0
PUTS_PER_ARTICLE_TARGET = 1.2
ARCHIVE_SHARE_TARGET = 0.10
#: botocore operations that write an object (a multipart upload counts each of its calls).
WRITE_OPERATIONS = ("PutObject", "CreateMultipartUpload", "UploadPart", "CompleteMultipartUpload")
NEWSARCHIVE_CLI = str(Path(PYTHON).with_name("newsarchive"))


# -- inputs --------------------------------------------------------------------------------------


def _pages(n: int) -> list[tuple[Any, str, bytes]]:
    """``n`` articles of the demo outlet with the HTML it serves: (spec, url, html)."""
    from outlet_server import build_corpus
    from outlet_server.site import Request, Site

    corpus = build_corpus(seed=11, n_articles=n)
    base = "https://outlet.example/"
    site = Site(corpus, base)
    return [(a, base.rstrip("/") + a.path, site.respond(Request("GET", a.path, {})).body) for a in corpus.articles]


# -- local download ------------------------------------------------------------------------------


def local_download(root: Path, n: int, rounds: int) -> dict[str, Any]:
    cache, write_rate, reused = cached_local_archive(n)
    archive_dir = cache / "archive"

    def download(r: int) -> Usage:
        out = root / f"download-{r}.jsonl"
        result = run_child([NEWSARCHIVE_CLI, "download", "--archive", str(archive_dir), "--out", str(out),
                            "--format", "jsonl"], env={"NEWSARCHIVE_SPOOL_DIR": str(root / f"spool-{r}" / "spool")})
        result.check("newsarchive download")
        lines = _count_lines(out)
        if lines != n:
            raise RuntimeError(f"download wrote {lines} records, expected {n}")
        out.unlink()
        return result.usage

    root.mkdir(parents=True, exist_ok=True)

    def bare(r: int) -> Usage:
        out = root / f"bare-{r}.jsonl"
        result = run_child([PYTHON, "-m", "bench.bare_read", str(archive_dir / "records"), str(out)]).check("bare read")
        out.unlink()
        return result.usage

    usages = interleave({"download": download, "bare_read": bare}, rounds)
    dl, floor = median_usage(usages["download"]), median_usage(usages["bare_read"])
    return {"records": n, "rounds": rounds, "write_records_per_s": write_rate, "archive_reused": reused,
            "download": dl.to_dict(),
            "bare_read": floor.to_dict(), "download_records_per_s": n / dl.wall_s,
            "bare_records_per_s": n / floor.wall_s}


def _count_lines(path: Path) -> int:
    with path.open("rb") as stream:
        return sum(chunk.count(b"\n") for chunk in iter(lambda: stream.read(1 << 20), b""))


# -- archive cost vs extraction cost -------------------------------------------------------------


def archive_vs_extract(root: Path, n: int) -> dict[str, Any]:
    """CPU per article of archiving (capture + record, local store) and of extraction, same pages, same process.

    Pages are taken in blocks of 20; each block is extracted, then archived, so both sides see the
    same load. The run's commit (index, manifest, marker) is counted on the archive side.
    """
    from archive import Archive, ArticleRecord
    from core.urls import canonical_url
    from extract import extract_article

    pages = _pages(n)
    archive = Archive.open(str(root / "cost-archive"), bench_settings(root / "cost"))
    run = archive.begin_run(OUTLET)
    extract_s = archive_s = 0.0
    fetched = datetime.now(UTC)
    headers = [("Content-Type", "text/html; charset=utf-8")]
    for block in range(0, len(pages), 20):
        chunk = pages[block:block + 20]
        t0 = time.process_time()
        extractions = [extract_article(html, url) for _spec, url, html in chunk]
        t1 = time.process_time()
        for (_spec, url, html), extraction in zip(chunk, extractions, strict=True):
            pointer = run.write_capture(url, request_headers={"User-Agent": "bench"}, status=200,
                                        response_headers=headers, body=html, fetched_at=fetched)
            run.add_article(ArticleRecord.from_extraction(extraction, outlet=OUTLET, url=url,
                                                          canonical_url=canonical_url(url), fetched_at=fetched,
                                                          raw=pointer))
        extract_s += t1 - t0
        archive_s += time.process_time() - t1
    t0 = time.process_time()
    run.commit({})
    archive_s += time.process_time() - t0
    return {"pages": len(pages), "extract_ms_per_article": 1000 * extract_s / len(pages),
            "archive_ms_per_article": 1000 * archive_s / len(pages), "share": archive_s / extract_s}


# -- S3 ------------------------------------------------------------------------------------------


class CallCounter:
    """Counts S3 operations made through a boto3 client (botocore ``before-call`` events)."""

    def __init__(self, client: Any) -> None:
        self.calls: Counter[str] = Counter()
        client.meta.events.register("before-call.s3", self._count)

    def _count(self, model: Any, **_: Any) -> None:
        self.calls[model.name] += 1

    @property
    def writes(self) -> int:
        return sum(self.calls[op] for op in WRITE_OPERATIONS)


def s3_bench(root: Path, n: int, rounds: int) -> dict[str, Any]:
    import os
    from unittest import mock

    from loopback_servers.seaweedfs import running_s3_server

    made = iter(range(100))
    with running_s3_server(lambda: _fresh(root / f"seaweedfs-{next(made)}")) as server, \
            mock.patch.dict(os.environ, server.env()):  # boto3 reads the endpoint and keys from here
        return _s3_rounds(root, server, n, rounds)


def _fresh(path: Path) -> Path:
    path.mkdir(parents=True)
    return path


def _s3_rounds(root: Path, server: Any, n: int, rounds: int) -> dict[str, Any]:
    from archive import Archive, ArticleRecord
    from core.urls import canonical_url
    from extract import extract_article

    pages = _pages(n)
    fetched = datetime.now(UTC)
    records = [
        ArticleRecord.from_extraction(extract_article(html, url), outlet=OUTLET, url=url,
                                      canonical_url=canonical_url(url), fetched_at=fetched)
        for _spec, url, html in pages
    ]
    bucket = server.make_bucket("bench")
    counted: list[Counter[str]] = []

    def archive_run(r: int) -> Usage:
        archive = Archive.open(f"s3://{bucket}/archive-{r}", bench_settings(root / f"s3-{r}"))
        counter = CallCounter(archive.store.client)  # type: ignore[attr-defined]  # an S3Store here
        started, cpu = time.perf_counter(), time.process_time()
        run = archive.begin_run(OUTLET)
        for (_spec, url, html), record in zip(pages, records, strict=True):
            pointer = run.write_capture(url, status=200, response_headers=[("Content-Type", "text/html")],
                                        body=html, fetched_at=fetched)
            record.raw = pointer.as_dict()
            run.add_article(record)
        manifest = run.commit({})
        if not manifest.committed:
            raise RuntimeError("the S3 run did not commit")
        usage = Usage(time.perf_counter() - started, time.process_time() - cpu, 0.0, 0.0)
        counted.append(counter.calls)
        archive.close()
        return usage

    client = server.client()

    def bare_puts(r: int) -> Usage:
        started, cpu = time.perf_counter(), time.process_time()
        for i, record in enumerate(records):
            client.put_object(Bucket=bucket, Key=f"bare-{r}/{i}.json", Body=record.to_json_bytes())
        return Usage(time.perf_counter() - started, time.process_time() - cpu, 0.0, 0.0)

    usages = interleave({"archive": archive_run, "bare_put": bare_puts}, rounds)
    env = server.env()
    prefix = f"s3://{bucket}/archive-0"

    def download(r: int) -> Usage:
        out = root / f"s3-download-{r}.jsonl"
        result = run_child([NEWSARCHIVE_CLI, "download", "--archive", prefix, "--out", str(out), "--format", "jsonl"],
                           env={**env, "NEWSARCHIVE_SPOOL_DIR": str(root / f"s3-dl-{r}" / "spool")})
        result.check("newsarchive download (S3)")
        if _count_lines(out) != n:
            raise RuntimeError(f"S3 download wrote {_count_lines(out)} records, expected {n}")
        return result.usage

    def bare_get(r: int) -> Usage:
        out = root / f"s3-bare-{r}.jsonl"
        return run_child([PYTHON, "-m", "bench.bare_read", f"{bucket}/archive-0/records/", str(out), "--s3"],
                         env=env).check("bare S3 read").usage

    downloads = interleave({"download": download, "bare_get": bare_get}, rounds)
    arch, bare = median_usage(usages["archive"]), median_usage(usages["bare_put"])
    dl, floor = median_usage(downloads["download"]), median_usage(downloads["bare_get"])
    calls = counted[0]
    writes = sum(calls[op] for op in WRITE_OPERATIONS)
    return {
        "articles": n, "rounds": rounds,
        "archive_records_per_s": n / arch.wall_s, "bare_put_records_per_s": n / bare.wall_s,
        "archive_cpu_ms_per_article": 1000 * arch.user_s / n, "bare_put_cpu_ms_per_record": 1000 * bare.user_s / n,
        "s3_calls": dict(calls), "puts_per_article": writes / n,
        "download_records_per_s": n / dl.wall_s, "download": dl.to_dict(),
        "bare_get_records_per_s": n / floor.wall_s, "bare_get": floor.to_dict(),
    }


# -- the area ------------------------------------------------------------------------------------


def _step(label: str, fn: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    print(f"[archive] {label} ...", flush=True)
    started = time.perf_counter()
    result = fn()
    print(f"[archive] {label}: {time.perf_counter() - started:.1f} s", flush=True)
    return result


def run(quick: bool = False) -> dict[str, Any]:
    command = "uv run python -m bench archive" + (" --quick" if quick else "")
    rounds = 1 if quick else 2
    n_download = QUICK_DOWNLOAD_RECORDS if quick else DOWNLOAD_RECORDS
    n_s3 = QUICK_S3_ARTICLES if quick else S3_ARTICLES
    n_cost = QUICK_COST_PAGES if quick else COST_PAGES
    warm_up(("newsarchive.cli", "archive", "archive.download", "bench.bare_read", "boto3"))
    try:
        with scratch_dir("archive") as root:
            local = _step(f"{n_download:,} records, local download",
                          lambda: local_download(root / "local", n_download, rounds))
            cost = _step(f"archive vs extract cost, {n_cost} pages", lambda: archive_vs_extract(root / "cost", n_cost))
            s3 = _step(f"S3 (SeaweedFS), {n_s3:,} articles", lambda: s3_bench(root / "s3", n_s3, rounds))
    finally:
        remove_stale()  # after the measurements: deleting an old 100,000-record copy is kernel time
    dl = local["download"]
    figures = [
        Figure(AREA, f"download --format jsonl, local store, {n_download:,} records",
               round(local["download_records_per_s"]), "records/s", f"≥ {DOWNLOAD_RATE_TARGET:,.0f}",
               local["download_records_per_s"] >= DOWNLOAD_RATE_TARGET,
               f"bare file concatenation {local['bare_records_per_s']:,.0f} records/s", command,
               f"medians of {rounds} interleaved round(s), wall time of the whole CLI process"),
        Figure(AREA, f"download peak RSS, local store, {n_download:,} records", round(dl["max_rss_mb"], 1), "MB",
               f"< {DOWNLOAD_RSS_TARGET_MB:.0f} MB", dl["max_rss_mb"] < DOWNLOAD_RSS_TARGET_MB,
               f"bare read {local['bare_read']['max_rss_mb']:.0f} MB", command),
        Figure(AREA, "records/s written to the local store (add_article, synthetic)",
               round(local["write_records_per_s"]), "records/s", command=command),
        Figure(AREA, "archiving ÷ extraction CPU per article (local store)", round(cost["share"], 3), "×",
               f"≤ {ARCHIVE_SHARE_TARGET}", cost["share"] <= ARCHIVE_SHARE_TARGET,
               f"extract_article {cost['extract_ms_per_article']:.1f} ms, archive "
               f"{cost['archive_ms_per_article']:.2f} ms per article", command),
        Figure(AREA, "S3 PUTs per archived article (amortised, capture + record + run files)",
               round(s3["puts_per_article"], 3), "PUTs", f"≤ {PUTS_PER_ARTICLE_TARGET}",
               s3["puts_per_article"] <= PUTS_PER_ARTICLE_TARGET,
               f"all S3 calls {s3['s3_calls']}", command),
        Figure(AREA, f"records/s archived into SeaweedFS (capture + record), {n_s3:,} articles",
               round(s3["archive_records_per_s"], 1), "records/s",
               baseline=f"bare put_object loop {s3['bare_put_records_per_s']:.1f} records/s", command=command),
        Figure(AREA, f"download --format jsonl from SeaweedFS, {n_s3:,} records", round(s3["download_records_per_s"], 1),
               "records/s", baseline=f"bare list + get loop {s3['bare_get_records_per_s']:.1f} records/s",
               command=command),
        Figure(AREA, "download peak RSS, SeaweedFS", round(s3["download"]["max_rss_mb"], 1), "MB",
               f"< {DOWNLOAD_RSS_TARGET_MB:.0f} MB", s3["download"]["max_rss_mb"] < DOWNLOAD_RSS_TARGET_MB,
               f"bare list + get {s3['bare_get']['max_rss_mb']:.0f} MB", command),
    ]
    return {"area": AREA, "command": command, "figures": figures,
            "details": {"local": local, "cost": cost, "s3": s3}}
