"""memory: what one crawl process holds, and 16 crawls at once on one worker (issue 19 point 4).

- **imports** — a child that imports what a crawl job imports before its first request (the crawl path of
  :mod:`newsarchive.jobs`) and reports its RSS, beside a child importing bare Scrapy's downloader and
  trafilatura only (what the crawl bench's baselines import);
- **what a crawl loads** — one real crawl child under ``python -X importtime``: the heavy packages the crawl
  path must not pull in (Airflow, rich, boto3, aiohttp) and those it needs (pyarrow for the index);
- **16 crawls on one worker** — 16 ``python -m newsarchive.jobs -`` children at once, each crawling a small
  outlet (60 articles; one outlet process serves them all) into an archive of its own: each child's peak RSS
  (``VmHWM``), median and largest, and their sum. What grows with the outlet's size is the crawl area's
  1,000 → 10,000-article figure.

``python -m bench memory [--quick]``.
"""

from __future__ import annotations

import re
import statistics
from datetime import date
from pathlib import Path
from typing import Any

from bench.common import PYTHON, Figure, Usage, bench_settings, run_child, scratch_dir, together, warm_up
from bench.crawl_bench import WARM_UP_MODULES
from bench.outlet import OutletProcess

__all__ = ["run"]

AREA = "memory"
CRAWLS, QUICK_CRAWLS = 16, 4
ARTICLES = 60
#: What a crawl job imports before its first request.
CRAWL_IMPORTS = tuple(m for m in WARM_UP_MODULES if not m.startswith("bench.") and m != "pyarrow.parquet")
#: What bare Scrapy and trafilatura-alone import.
BARE_IMPORTS = ("scrapy.crawler", "scrapy.core.downloader.handlers.http11", "trafilatura")
#: Packages a crawl process should not load, and why they would be there.
NOT_IN_CRAWL = ("airflow", "rich", "boto3", "botocore", "aiohttp", "typer", "httpx")
RSS_PROBE = (
    "import sys\n{imports}\n"
    "rss = next(l for l in open('/proc/self/status') if l.startswith('VmRSS:')).split()[1]\n"
    "print(int(rss) / 1024)\n"
)


def _import_rss(modules: tuple[str, ...]) -> tuple[float, Usage]:
    code = RSS_PROBE.format(imports="\n".join(f"import {m}" for m in modules))
    result = run_child([PYTHON, "-c", code]).check("import probe")
    return float(result.stdout.strip().splitlines()[-1]), result.usage


def _crawl(outlet: OutletProcess, root: Path, prefix: tuple[str, ...] = ()) -> tuple[Usage, str]:
    from core.registry import Outlet
    from newsarchive.jobs import CHILD_COMMAND, JobRequest

    request = JobRequest.build(
        "crawl", [Outlet.model_validate(outlet.outlet)], str(root / "archive"),
        since=date.fromisoformat(outlet.start), until=date.fromisoformat(outlet.end),
        settings=bench_settings(root), throttle=False,
    )
    result = run_child([PYTHON, *prefix, *CHILD_COMMAND], input_text=request.to_json()).check("crawl")
    return result.usage, result.stderr


def _imported_packages(importtime: str) -> set[str]:
    return {m.group(1).split(".")[0] for m in re.finditer(r"^import time:\s+\d+ \|\s+\d+ \|\s*(\S+)", importtime, re.M)}


def run(quick: bool = False) -> dict[str, Any]:
    crawls = QUICK_CRAWLS if quick else CRAWLS
    command = "uv run python -m bench memory" + (" --quick" if quick else "")
    warm_up(WARM_UP_MODULES)
    crawl_rss, crawl_import = _import_rss(CRAWL_IMPORTS)
    bare_rss, bare_import = _import_rss(BARE_IMPORTS)
    print(f"[memory] {crawls} crawls of a {ARTICLES}-article outlet at once ...", flush=True)
    with scratch_dir("memory") as root, OutletProcess(ARTICLES) as outlet:
        _usage, importtime = _crawl(outlet, root / "importtime", ("-X", "importtime"))
        usages = together({f"crawl-{i}": (lambda i=i: _crawl(outlet, root / f"crawl-{i}")[0]) for i in range(crawls)})
    loaded = _imported_packages(importtime)
    unwanted = sorted(p for p in NOT_IN_CRAWL if p in loaded)
    peaks = sorted(u.max_rss_mb for u in usages.values())
    median_peak = statistics.median(peaks)
    figures = [
        Figure(AREA, "RSS of a crawl process before its first request (imports)", round(crawl_rss, 1), "MB",
               baseline=f"bare Scrapy + trafilatura imports {bare_rss:.0f} MB", command=command,
               note=f"import CPU {crawl_import.cpu_s:.2f} s, bare {bare_import.cpu_s:.2f} s"),
        Figure(AREA, "heavy packages a crawl process loads but does not use", len(unwanted), "packages", "0",
               not unwanted, f"looked for {', '.join(NOT_IN_CRAWL)}", command,
               f"loaded: {unwanted or 'none'}; pyarrow {'loaded (the index)' if 'pyarrow' in loaded else 'not loaded'}"),
        Figure(AREA, f"peak RSS per crawl, {crawls} crawls at once on one worker (median)", round(median_peak, 1), "MB",
               baseline=f"imports alone {crawl_rss:.0f} MB", command=command,
               note=f"{ARTICLES}-article outlet each; largest {peaks[-1]:.0f} MB, smallest {peaks[0]:.0f} MB"),
        Figure(AREA, f"sum of peak RSS, {crawls} crawls at once", round(sum(peaks)), "MB", command=command,
               note="RSS counts shared library pages once per process: an upper bound of what the worker holds"),
    ]
    details = {"crawl_import_rss_mb": crawl_rss, "bare_import_rss_mb": bare_rss, "peaks_mb": peaks,
               "unwanted_loaded": unwanted, "crawl_cpu_s": [round(u.cpu_s, 2) for u in usages.values()],
               "loaded_packages": sorted(loaded)}
    return {"area": AREA, "command": command, "figures": figures, "details": details}
