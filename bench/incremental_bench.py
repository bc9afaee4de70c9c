"""incremental: what a rerun of an unchanged outlet asks for and costs (issue 3; issue 19 point 3).

Three pipeline crawls of the same window into the same local archive, each a measured child, over a
600-article outlet whose sitemaps, feeds and listings answer ``ETag`` / ``Last-Modified`` / 304 (the
outlet server runs in its own process; its request log says what each crawl fetched):

1. the first crawl (an empty archive);
2. a rerun with nothing new, conditional discovery on (the default): sitemaps and feeds are sent with
   the validators the first run kept in its manifest (:mod:`ingest.conditional`);
3. beside it, the same rerun with ``conditional_discovery=False``: every sitemap, feed and listing is
   read again (what a rerun cost before conditional requests; the baseline of "requests saved").

Targets: no article page requested by a rerun; the conditional rerun ≤ 1 CPU-s and ≤ 10 requests.
``python -m bench incremental [--quick]``.
"""

from __future__ import annotations

from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

from bench.common import PYTHON, Figure, Usage, bench_settings, run_child, scratch_dir, warm_up
from bench.outlet import OutletProcess

__all__ = ["run"]

AREA = "incremental"
ARTICLES, QUICK_ARTICLES = 600, 200
RERUN_CPU_TARGET_S = 1.0
RERUN_REQUESTS_TARGET = 10


def _crawl(outlet: OutletProcess, root: Path, **settings: Any) -> tuple[Usage, dict[str, Any], list[tuple[str, str, int]]]:
    from core.registry import Outlet
    from newsarchive.jobs import CHILD_COMMAND, JobRequest

    config = bench_settings(root, **settings)
    request = JobRequest.build(
        "crawl", [Outlet.model_validate(outlet.outlet)], str(root / "archive"),
        since=date.fromisoformat(outlet.start), until=date.fromisoformat(outlet.end),
        settings=config, throttle=False,
    )
    outlet.reset_log()
    result = run_child([PYTHON, *CHILD_COMMAND], input_text=request.to_json()).check("crawl")
    return result.usage, result.last_json()["summaries"][0], outlet.requests()


def _kinds(log: list[tuple[str, str, int]], article_paths: set[str]) -> Counter[str]:
    return Counter("article" if path.split("?")[0] in article_paths else "discovery" for _m, path, _s in log)


def run(quick: bool = False) -> dict[str, Any]:
    n = QUICK_ARTICLES if quick else ARTICLES
    command = "uv run python -m bench incremental" + (" --quick" if quick else "")
    warm_up(("newsarchive.jobs", "crawler.runner", "crawler.spiders.news", "archive", "extract",
             "scrapy.core.downloader.handlers.http11"))
    print(f"[incremental] a first crawl and two reruns of a {n:,}-article outlet ...", flush=True)
    with scratch_dir("incremental") as root, OutletProcess(n) as outlet:
        articles = set(outlet.article_paths)
        first_usage, first, first_log = _crawl(outlet, root)
        # The unconditional rerun reads every document again and keeps their validators in its manifest,
        # which the conditional rerun then uses (as it would the first crawl's).
        plain_usage, plain, plain_log = _crawl(outlet, root, conditional_discovery=False)
        second_usage, second, second_log = _crawl(outlet, root)
    first_kinds, second_kinds = _kinds(first_log, articles), _kinds(second_log, articles)
    refetched = sorted({path for _m, path, _s in [*second_log, *plain_log] if path.split("?")[0] in articles})
    statuses = Counter(status for _m, _p, status in second_log)
    saved_stat = second["stats"].get("requests_saved_by_conditional", 0)
    beside = f"first crawl {len(first_log):,} requests ({first_kinds['article']:,} article pages)"
    plain_beside = (f"unconditional rerun {len(plain_log):,} requests, {plain_usage.cpu_s:.2f} CPU-s; "
                    f"first crawl {first_usage.cpu_s:.1f} CPU-s")
    figures = [
        Figure(AREA, f"article pages requested by a rerun, {n:,}-article outlet",
               second_kinds["article"] + _kinds(plain_log, articles)["article"], "requests",
               "0 (discovery pages only)", not refetched, beside, command,
               f"e.g. {refetched[:3]}" if refetched else "both reruns fetched discovery pages only"),
        Figure(AREA, "requests of a rerun with nothing new (conditional)", len(second_log), "requests",
               f"≤ {RERUN_REQUESTS_TARGET}", len(second_log) <= RERUN_REQUESTS_TARGET, plain_beside, command,
               f"statuses {dict(statuses)}: {[p for _m, p, _s in second_log]}"),
        Figure(AREA, "CPU of a rerun with nothing new (conditional)", round(second_usage.cpu_s, 2), "s",
               f"≤ {RERUN_CPU_TARGET_S}", second_usage.cpu_s <= RERUN_CPU_TARGET_S, plain_beside, command,
               f"wall {second_usage.wall_s:.2f} s, peak RSS {second_usage.max_rss_mb:.0f} MB"),
        Figure(AREA, "requests saved by conditional discovery", len(plain_log) - len(second_log), "requests",
               baseline=plain_beside, command=command,
               note=f"the run's own stat requests_saved_by_conditional = {saved_stat} (304 answers and child "
                    "sitemaps not requested; the documents they would have led to are not counted there)"),
        Figure(AREA, "rerun CPU ÷ first crawl CPU (conditional)", round(second_usage.cpu_s / first_usage.cpu_s, 3),
               "×", baseline=plain_beside, command=command),
    ]
    details = {
        "articles": n,
        "first": {"usage": first_usage.to_dict(), "requests": len(first_log), "kinds": dict(first_kinds),
                  "archived": first["archived"], "skipped": first["skipped"]},
        "rerun_unconditional": {"usage": plain_usage.to_dict(), "requests": len(plain_log),
                                "archived": plain["archived"], "skipped": plain["skipped"]},
        "rerun_conditional": {"usage": second_usage.to_dict(), "requests": len(second_log),
                              "kinds": dict(second_kinds), "statuses": dict(statuses), "archived": second["archived"],
                              "skipped": second["skipped"], "requests_saved_by_conditional": saved_stat,
                              "article_paths_refetched": refetched[:20]},
    }
    return {"area": AREA, "command": command, "figures": figures, "details": details}
