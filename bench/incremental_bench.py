"""incremental: what a second crawl of an unchanged outlet asks for (issue 3: discovery pages only).

Two pipeline crawls of the same window into the same local archive, each a measured child; the
outlet server's request log (the server runs in its own process) says what the second one fetched:
every request for an article page is a miss against the goal. ``python -m bench incremental [--quick]``.
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
ARTICLES, QUICK_ARTICLES = 1000, 200


def _crawl(outlet: OutletProcess, root: Path) -> tuple[Usage, dict[str, Any], list[tuple[str, str, int]]]:
    from core.registry import Outlet
    from newsarchive.jobs import CHILD_COMMAND, JobRequest

    request = JobRequest.build(
        "crawl", [Outlet.model_validate(outlet.outlet)], str(root / "archive"),
        since=date.fromisoformat(outlet.start), until=date.fromisoformat(outlet.end),
        settings=bench_settings(root), throttle=False,
    )
    outlet.reset_log()
    result = run_child([PYTHON, *CHILD_COMMAND], input_text=request.to_json()).check("crawl")
    return result.usage, result.last_json()["summaries"][0], outlet.requests()


def _kinds(log: list[tuple[str, str, int]], article_paths: set[str]) -> Counter[str]:
    return Counter("article" if path.split("?")[0] in article_paths else "discovery" for _m, path, _s in log)


def run(quick: bool = False) -> dict[str, Any]:
    n = QUICK_ARTICLES if quick else ARTICLES
    command = "uv run python -m bench incremental" + (" --quick" if quick else "")
    warm_up(("newsarchive.jobs", "crawler.runner", "crawler.spiders.news", "archive", "extract"))
    print(f"[incremental] two crawls of a {n:,}-article outlet ...", flush=True)
    with scratch_dir("incremental") as root, OutletProcess(n) as outlet:
        articles = set(outlet.article_paths)
        first_usage, first, first_log = _crawl(outlet, root)
        second_usage, second, second_log = _crawl(outlet, root)
    first_kinds, second_kinds = _kinds(first_log, articles), _kinds(second_log, articles)
    refetched = sorted({path for _m, path, _s in second_log if path.split("?")[0] in articles})
    statuses = Counter(status for _m, _p, status in second_log)
    beside = f"first crawl {len(first_log):,} requests ({first_kinds['article']:,} article pages)"
    figures = [
        Figure(AREA, f"article pages requested by a second crawl, {n:,}-article outlet", second_kinds["article"],
               "requests", "0 (discovery pages only)", second_kinds["article"] == 0, beside, command,
               f"e.g. {refetched[:3]}" if refetched else "only discovery pages were fetched"),
        Figure(AREA, "requests of the second crawl", len(second_log), "requests", baseline=beside, command=command,
               note=f"statuses {dict(statuses)}"),
        Figure(AREA, "second crawl CPU ÷ first crawl CPU", round(second_usage.cpu_s / first_usage.cpu_s, 3), "×",
               baseline=f"first {first_usage.cpu_s:.1f} s, second {second_usage.cpu_s:.1f} s CPU", command=command),
    ]
    details = {
        "articles": n,
        "first": {"usage": first_usage.to_dict(), "requests": len(first_log), "kinds": dict(first_kinds),
                  "archived": first["archived"], "skipped": first["skipped"]},
        "second": {"usage": second_usage.to_dict(), "requests": len(second_log), "kinds": dict(second_kinds),
                   "statuses": dict(statuses), "archived": second["archived"], "skipped": second["skipped"],
                   "article_paths_refetched": refetched[:20]},
    }
    return {"area": AREA, "command": command, "figures": figures, "details": details}
