"""The archive bench's 100,000-record local archive: written once through the run API, kept while its format holds.

``download`` is measured on an archive of 100,000 synthetic records (the demo corpus's gold texts,
numbered, spread over a year), written the way the crawler writes: :meth:`archive.Archive.begin_run`,
``add_article`` per record, ``commit``. Writing it takes minutes of file-system work, so it is kept
in ``~/.cache/newsarchive/bench/`` and reused while the archive code would still write the very same
files for it.

That is decided by **a probe, not by hashing source files**: a few records go through the same
function that fills the cache (:func:`fill_part`) into a scratch directory, and what lands on disk is
fingerprinted — every object's key, its extended attribute names, its bytes (JSON objects, packs),
the Parquet index's schema, codecs, encodings and rows. What differs from run to run by design is
normalised first: run ids, the clock (run start, finish and commit times), the code version in
manifests, and the checksums and sizes that cover those (the index file's, the manifest's). So a
change that alters what is stored (a key shape, a record field, the index schema, a new object per
run) changes the fingerprint and rebuilds the cache, and a refactor that stores the same bytes
reuses it. The probe is run twice and compared; if the two differ, something new varies by run and
the normalisation below must learn it (a warning says so, and every bench run would rebuild).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from bench.common import bench_settings

__all__ = ["CACHE_DIR", "OUTLET", "cached_local_archive", "fill_local_archive", "fill_part", "remove_stale",
           "stored_format_fingerprint", "synthetic_records"]

OUTLET = "bench"
#: Where the archive is kept between runs (one directory per record count and format fingerprint).
CACHE_DIR = Path.home() / ".cache" / "newsarchive" / "bench"
#: Records written by each probe run: two runs (as the fill has one run per worker), spanning days.
PROBE_RECORDS = 24
#: Processes writing the cached archive, one run each: one per core (measured here, 20,000 records
#: on an otherwise quiet machine: 2 workers 3,900 records/s, 4 workers 2,100 records/s).
FILL_WORKERS = 2


# -- the records and the fill --------------------------------------------------------------------


def synthetic_records(start_at: int, stop: int) -> Iterator[Any]:
    """Records number ``start_at`` to ``stop - 1``: distinct, with realistic texts (the demo corpus's gold,
    numbered), spread over a year."""
    from archive import ArticleRecord
    from outlet_server import build_corpus

    specs = build_corpus(seed=5, n_articles=200).articles
    texts = [(s.title, s.gold_text, s.authors, s.language, s.section, s.tags) for s in specs]
    start = date(2026, 1, 1)
    fetched = datetime(2026, 12, 1, tzinfo=UTC).isoformat()
    for i in range(start_at, stop):
        title, text, authors, language, section, tags = texts[i % len(texts)]
        day = start + timedelta(days=i % 365)
        url = f"https://outlet.example/{day:%Y/%m/%d}/article-{i}/"
        yield ArticleRecord(
            outlet=OUTLET, url=url, canonical_url=url, text=f"{text}\n\nDispatch {i}.", title=f"{title} ({i})",
            authors=authors, published=f"{day.isoformat()}T09:00:00+03:00", language=language, section=section,
            tags=tags, fetched_at=fetched, raw={"warc_file": f"warc/{OUTLET}/x.warc.gz", "record_id": f"<urn:{i}>"},
        )


def fill_part(archive_dir: str, spool_root: str, start_at: int, stop: int) -> int:
    """One run of the archive's own API writing records ``start_at`` to ``stop - 1`` (a worker's share)."""
    from archive import Archive

    archive = Archive.open(archive_dir, bench_settings(Path(spool_root)))
    run = archive.begin_run(OUTLET)
    for record in synthetic_records(start_at, stop):
        run.add_article(record)
    run.commit({"synthetic": stop - start_at})
    return stop - start_at


def fill_local_archive(root: Path, n: int, workers: int = FILL_WORKERS) -> float:
    """Write ``n`` synthetic records into ``root/archive``, one run per worker process; records/s overall."""
    from concurrent.futures import ProcessPoolExecutor
    from multiprocessing import get_context

    bounds = [(n * w // workers, n * (w + 1) // workers) for w in range(workers)]
    started = time.perf_counter()
    with ProcessPoolExecutor(workers, mp_context=get_context("spawn")) as pool:
        done = sum(pool.map(fill_part, *zip(*[(str(root / "archive"), str(root / f"w{w}"), a, b)
                                               for w, (a, b) in enumerate(bounds)], strict=True)))
    return done / (time.perf_counter() - started)


# -- the format fingerprint ----------------------------------------------------------------------

_RUN_ID = re.compile(r"\d{8}T\d{6}(?:\.\d{6})?Z-[0-9a-f]{6}")
#: ``datetime.now(UTC).isoformat()`` (run start, finish, commit): the synthetic records' own times
#: are whole seconds, so they are kept.
_NOW = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}\.\d{1,6}\+00:00")
_SHA256 = re.compile(r"\b[0-9a-f]{64}\b")


def _normal(text: str) -> str:
    return _NOW.sub("<now>", _RUN_ID.sub("<run-id>", text))


def _parquet_view(path: Path) -> str:
    """What a Parquet file stores, without its run id: schema, writer, codecs, encodings and rows."""
    import pyarrow.parquet as pq

    parquet = pq.ParquetFile(path)
    meta = parquet.metadata
    columns = [(meta.schema.column(i).path, meta.row_group(0).column(i).compression,
                sorted(meta.row_group(0).column(i).encodings)) for i in range(meta.num_columns)] \
        if meta.num_row_groups else []
    rows = parquet.read().to_pylist()
    return _normal(json.dumps({
        "arrow_schema": parquet.schema_arrow.to_string(show_schema_metadata=False),
        "parquet_schema": str(meta.schema).partition("\n")[2], "created_by": meta.created_by, "format": meta.format_version,
        "row_groups": meta.num_row_groups, "columns": columns, "rows": rows,
    }, default=str, sort_keys=True))


def _json_view(data: bytes, varying: set[str]) -> str:
    """A JSON object of a run with what varies by design masked: the code version (a git commit), and
    the sizes and checksums of objects that hold a run id or the clock (``varying`` keys)."""
    text = _normal(data.decode("utf-8"))
    try:
        document = json.loads(text)
    except ValueError:
        return text
    if isinstance(document, dict):
        if "code_version" in document:
            document["code_version"] = "<code>"
        for entry in document.get("objects", []) if isinstance(document.get("objects"), list) else []:
            if isinstance(entry, dict) and entry.get("key") in varying:
                entry.update({k: f"<{k}>" for k in ("size", "sha256") if k in entry})
        for name in ("manifest_sha256",):  # the commit marker vouches for the manifest (which holds the clock)
            if name in document:
                document[name] = "<sha256>"
    return json.dumps(document, sort_keys=False)


def _fingerprint_tree(archive: Path) -> list[str]:
    """One line per file of ``archive``: normalised key, attribute names, and a digest of its normalised content."""
    files = sorted(p for p in archive.rglob("*") if p.is_file())
    keys = {p: _normal(p.relative_to(archive).as_posix()) for p in files}
    varying = {key for p, key in keys.items() if key.endswith((".parquet", "manifest.json"))}
    lines = []
    for path in files:
        key = keys[path]
        data = path.read_bytes()
        if key.endswith(".parquet"):
            view = _parquet_view(path)
        elif key.endswith(".sha256") and _SHA256.fullmatch(data.decode("ascii", "replace").strip()):
            view = "<sha256 sidecar>"  # a sidecar's checksum covers its object, fingerprinted itself
        elif key.endswith((".json", ".jsonl")) or key.rpartition("/")[2].isupper():
            view = _json_view(data, varying)
        else:
            view = data.hex()
        try:
            attributes = sorted(os.listxattr(path))
        except OSError:
            attributes = []
        lines.append(f"{key} {','.join(attributes)} {hashlib.sha256(view.encode()).hexdigest()[:16]}")
    return sorted(lines)  # two runs may start in the same second: their ids then sort at random


def _probe() -> list[str]:
    with tempfile.TemporaryDirectory(prefix="newsarchive-bench-probe-") as tmp:
        root = Path(tmp)
        half = PROBE_RECORDS // 2
        fill_part(str(root / "archive"), str(root / "w0"), 0, half)
        fill_part(str(root / "archive"), str(root / "w1"), half, PROBE_RECORDS)
        return _fingerprint_tree(root / "archive")


def stored_format_fingerprint() -> tuple[str, list[str]]:
    """A digest of what the archive code stores for the synthetic records, and the listing it hashes."""
    first, second = _probe(), _probe()
    if first != second:
        changed = sorted(set(first) ^ set(second))[:4]
        print(f"[archive] warning: the stored-format probe differs between two runs ({changed}); "
              "bench/stored_archive.py must normalise what varies, or the cached archive is rebuilt every run",
              flush=True)
    return hashlib.sha256("\n".join(first).encode()).hexdigest()[:16], first


def cached_local_archive(n: int) -> tuple[Path, float, bool]:
    """A local archive of ``n`` synthetic records: (its root, records/s when it was written, reused?).

    A copy of another format is moved aside, not deleted here: deleting 100,000 files takes 20-45 s of
    kernel time, which :func:`remove_stale` spends after the measurements.
    """
    started = time.perf_counter()
    fingerprint, listing = stored_format_fingerprint()
    print(f"[archive] stored-format fingerprint {fingerprint} ({time.perf_counter() - started:.1f} s)", flush=True)
    root = CACHE_DIR / f"local-{n}-{fingerprint}"
    ready = root / "READY.json"
    if ready.exists():
        return root, json.loads(ready.read_text())["write_records_per_s"], True
    for stale in CACHE_DIR.glob(f"local-{n}-*"):
        stale.rename(CACHE_DIR / f".stale-{stale.name}-{time.time_ns()}")
    print(f"[archive] writing {n:,} records into {root} ...", flush=True)
    root.mkdir(parents=True)
    (root / "FORMAT.txt").write_text("\n".join(listing) + "\n")  # what the fingerprint covered (diff to see why)
    rate = fill_local_archive(root, n)
    ready.write_text(json.dumps({"records": n, "write_records_per_s": rate, "workers": FILL_WORKERS}))
    return root, rate, False


def remove_stale() -> None:
    """Delete the copies :func:`cached_local_archive` moved aside (and those an interrupted run left)."""
    stale = list(CACHE_DIR.glob(".stale-*"))
    if not stale:
        return
    started = time.perf_counter()
    for path in stale:
        shutil.rmtree(path, ignore_errors=True)
    print(f"[archive] {len(stale)} archive(s) of an older format removed from the cache in "
          f"{time.perf_counter() - started:.0f} s", flush=True)
