"""crawl: the full pipeline (crawl + extract + archive to the local store) beside what it is made of.

Over the demo outlet (served from its own process, throttling off), at 1,000 and 10,000 articles:

- **pipeline** — ``python -m newsarchive.jobs`` (a crawl job) into a fresh local archive, run alone;
- **(a) bare Scrapy** — :mod:`bench.bare_spider` fetching exactly the URLs the pipeline fetched;
- **(b) trafilatura alone** — :mod:`bench.trafilatura_alone` on the article pages the pipeline fetched
  (read from a file the outlet process wrote, no HTTP).

The two baselines run at the same time as each other (:func:`bench.common.together`), never beside
the pipeline: their CPU seconds and peak RSS are each child's own (``wait4``, ``VmHWM``), so the
headline is unchanged by it, but bare Scrapy's pages/s is its rate while trafilatura held a core
(the figure says so). Running them one after the other would add 60-90 s at 10,000 articles, which
the ten-minute ``make bench`` does not have. A round is the pipeline then the
baselines; a second round (1,000 articles) runs them in the other order.

Headline: pipeline CPU ÷ (a + b) CPU (issue 3 target ≤ 1.3), and the pipeline's peak RSS (< 400 MB,
flat in the outlet's size: 1,000 vs 10,000 articles). ``python -m bench crawl [--quick]``; other sizes
and a profile of the pipeline: ``python -m bench.crawl_bench --sizes 1000,3000 --profile``.
"""

from __future__ import annotations

import argparse
import pstats
import time
from pathlib import Path
from typing import Any

from bench.common import (
    PYTHON,
    Figure,
    Usage,
    bench_settings,
    median,
    median_usage,
    run_child,
    scratch_dir,
    together,
    warm_up,
)
from bench.outlet import OutletProcess

__all__ = ["CrawlSubjects", "run"]

AREA = "crawl"
#: Outlet sizes (issue 8: 1,000 and 10,000) and rounds of the default run. The 10,000-article size is
#: one round: its pipeline alone takes 1.7-2.3 minutes of a core here, its baselines 1.2-1.7 together.
DEFAULT_SIZES = (1000, 10000)
DEFAULT_ROUNDS = {1000: 2}
QUICK_SIZES = (300,)
CPU_RATIO_TARGET = 1.3
RSS_TARGET_MB = 400.0
RSS_FLAT_TARGET = 1.25  # peak RSS at the largest size ÷ at the smallest
#: Imported once before measuring, so no measured child pays for compiling byte code.
WARM_UP_MODULES = (
    "newsarchive.jobs", "crawler.runner", "crawler.spiders.news", "crawler.pipelines", "crawler.dupefilter",
    "crawler.middlewares.private_address", "crawler.middlewares.offsite", "crawler.middlewares.archived",
    "crawler.middlewares.robotstxt", "crawler.middlewares.crawl_delay", "crawler.middlewares.retry",
    "crawler.middlewares.redirect", "archive", "extract",
    "pyarrow.parquet", "scrapy.crawler", "scrapy.core.downloader.handlers.http11", "trafilatura",
    "bench.bare_spider", "bench.trafilatura_alone",
)


class CrawlSubjects:
    """The three things measured over one served outlet, each run as a measured child."""

    def __init__(self, outlet: OutletProcess, workdir: Path, *, profile: bool = False) -> None:
        self.outlet = outlet
        self.workdir = workdir
        self.profile = profile
        self.urls_file = workdir / "urls.txt"
        self.pages_file = workdir / "pages.bin"
        self.fetched: list[str] = []
        self.summaries: list[dict[str, Any]] = []
        self.server_cpu: list[float] = []

    def pipeline(self, round_no: int, *, throttle: bool = False) -> Usage:
        """The pipeline's crawl; ``throttle=True``: polite, the project's defaults (0.5 s delay, AutoThrottle)."""
        from core.registry import Outlet
        from newsarchive.jobs import CHILD_COMMAND, JobRequest

        root = self.workdir / f"pipeline-{round_no}{'-polite' if throttle else ''}"
        request = JobRequest.build(
            "crawl", [Outlet.model_validate(self.outlet.outlet)], str(root / "archive"),
            since=_date(self.outlet.start), until=_date(self.outlet.end),
            settings=bench_settings(root), throttle=throttle,
        )
        self.outlet.reset_log()
        server_before = self.outlet.cpu_s()
        argv = [PYTHON, *CHILD_COMMAND]
        if self.profile and round_no == 0:
            argv = [PYTHON, "-m", "cProfile", "-o", str(self.workdir / "pipeline.prof"), *CHILD_COMMAND]
        result = run_child(argv, input_text=request.to_json()).check("pipeline crawl")
        self.server_cpu.append(self.outlet.cpu_s() - server_before)
        self.summaries.append(result.last_json()["summaries"][0])
        _remove_tree(root)
        return result.usage

    def write_inputs(self) -> None:
        """The baselines' inputs, from what the first pipeline run fetched (the server's request log)."""
        log = self.outlet.requests()
        self.fetched = [path for method, path, _status in log if method == "GET"]
        base = self.outlet.base_url.rstrip("/")
        self.urls_file.write_text("".join(f"{base}{path}\n" for path in self.fetched))
        articles = set(self.outlet.article_paths)
        article_pages = [path for method, path, status in log if method == "GET" and status == 200 and path in articles]
        self.outlet.render(article_pages, self.pages_file)

    def baselines(self) -> dict[str, Usage]:
        """(a) and (b) at the same time: each child's CPU and RSS are its own, the cores are shared."""
        return together({"bare_scrapy": self.bare_scrapy, "trafilatura": self.trafilatura})

    def bare_scrapy(self, *, polite: bool = False) -> Usage:
        argv = [PYTHON, "-m", "bench.bare_spider", str(self.urls_file), *(["--polite"] if polite else [])]
        result = run_child(argv).check("bare spider")
        fetched = result.last_json()["responses"]
        if fetched < len(self.fetched) * 0.98:
            raise RuntimeError(f"bare spider fetched {fetched} of {len(self.fetched)} URLs")
        return result.usage

    def trafilatura(self, pace_s: float = 0.0) -> Usage:
        """trafilatura alone on the fetched article pages; ``pace_s`` > 0 sleeps that long after each."""
        pace = ["--pace-s", str(pace_s)] if pace_s else []
        return run_child([PYTHON, "-m", "bench.trafilatura_alone", str(self.pages_file), *pace]).check(
            "trafilatura alone").usage


def _date(text: str) -> Any:
    from datetime import date

    return date.fromisoformat(text)


def _remove_tree(path: Path) -> None:
    import shutil

    shutil.rmtree(path, ignore_errors=True)


def _profile_top(path: Path, n: int = 15) -> list[str]:
    """The functions with the most own time in a cProfile dump (evidence of where the CPU goes)."""
    stats = pstats.Stats(str(path))
    rows = sorted(stats.stats.items(), key=lambda item: item[1][2], reverse=True)[:n]  # type: ignore[attr-defined]
    total = sum(v[2] for v in stats.stats.values()) or 1.0  # type: ignore[attr-defined]
    return [f"{v[2]:7.2f}s {100 * v[2] / total:5.1f}%  {Path(k[0]).name}:{k[1]} {k[2]}" for k, v in rows]


def measure_size(n_articles: int, rounds: int, *, profile: bool = False) -> dict[str, Any]:
    phases: dict[str, float] = {}  # wall seconds of each step (where the bench's time goes)
    usages: dict[str, list[Usage]] = {"pipeline": [], "bare_scrapy": [], "trafilatura": []}

    def step(name: str, call: Any) -> Any:
        started = time.perf_counter()
        try:
            return call()
        finally:
            phases[name] = round(time.perf_counter() - started, 1)

    started = time.perf_counter()
    with scratch_dir(f"crawl-{n_articles}") as workdir, OutletProcess(n_articles) as outlet:
        phases["outlet"] = round(time.perf_counter() - started, 1)
        subjects = CrawlSubjects(outlet, workdir, profile=profile)
        for r in range(rounds):
            for name in ("pipeline", "baselines") if r % 2 == 0 else ("baselines", "pipeline"):
                if name == "pipeline":
                    usages["pipeline"].append(step(f"pipeline {r}", lambda r=r: subjects.pipeline(r)))
                    if not subjects.fetched:
                        step("inputs", subjects.write_inputs)
                else:
                    for key, usage in step(f"baselines {r}", subjects.baselines).items():
                        usages[key].append(usage)
        top = _profile_top(workdir / "pipeline.prof") if profile else []
    print(f"[crawl] {n_articles} articles: wall s per step {phases}", flush=True)
    pipe, bare, traf = (median_usage(usages[k]) for k in ("pipeline", "bare_scrapy", "trafilatura"))
    summary = subjects.summaries[0]
    stats = summary["stats"]
    pages = len(subjects.fetched)
    ratios = [p.cpu_s / (b.cpu_s + t.cpu_s) for p, b, t in
              zip(usages["pipeline"], usages["bare_scrapy"], usages["trafilatura"], strict=True)]
    return {
        "articles": n_articles,
        "rounds": rounds,
        "pages_fetched": pages,
        "articles_archived": summary["archived"],
        "skipped": summary["skipped"],
        "pipeline": pipe.to_dict(),
        "bare_scrapy": bare.to_dict(),
        "trafilatura": traf.to_dict(),
        "cpu_ratio": pipe.cpu_s / (bare.cpu_s + traf.cpu_s),
        "cpu_ratio_by_round": [round(r, 3) for r in ratios],
        "pipeline_pages_per_s": pages / pipe.wall_s,
        "bare_pages_per_s": pages / bare.wall_s,
        "pipeline_cpu_ms_per_page": 1000 * pipe.cpu_s / pages,
        "bare_cpu_ms_per_page": 1000 * bare.cpu_s / pages,
        "trafilatura_cpu_ms_per_article": 1000 * traf.cpu_s / max(summary["archived"], 1),
        "server_cpu_s_median": median(subjects.server_cpu),
        "requests": stats.get("requests"),
        "profile_top_own_time": top,
        "phases_s": phases,
    }


def run(quick: bool = False, sizes: tuple[int, ...] | None = None, profile: bool = False) -> dict[str, Any]:
    sizes = sizes or (QUICK_SIZES if quick else DEFAULT_SIZES)
    command = "uv run python -m bench crawl" + (" --quick" if quick else "")
    if sizes not in (QUICK_SIZES, DEFAULT_SIZES):
        command = "uv run python -m bench.crawl_bench --sizes " + ",".join(map(str, sizes))
    warm_up(WARM_UP_MODULES)
    results = []
    for n in sizes:
        rounds = 1 if quick else DEFAULT_ROUNDS.get(n, 1)
        print(f"[crawl] {n} articles, {rounds} round(s) ...", flush=True)
        results.append(measure_size(n, rounds, profile=profile))
    figures = []
    for r in results:
        n = r["articles"]
        beside = f"bare Scrapy {r['bare_scrapy']['cpu_s']:.1f} s + trafilatura {r['trafilatura']['cpu_s']:.1f} s CPU"
        figures += [
            Figure(AREA, f"pipeline CPU ÷ (bare Scrapy + trafilatura) CPU, {n:,} articles", round(r["cpu_ratio"], 3),
                   "×", f"≤ {CPU_RATIO_TARGET}", r["cpu_ratio"] <= CPU_RATIO_TARGET, beside, command,
                   f"medians of {r['rounds']} round(s); pipeline {r['pipeline']['cpu_s']:.1f} s CPU, alone; "
                   "the two baselines ran at the same time (CPU seconds per child, from wait4)"),
            Figure(AREA, f"pipeline pages/s, {n:,} articles", round(r["pipeline_pages_per_s"], 1), "pages/s",
                   baseline=f"bare Scrapy {r['bare_pages_per_s']:.1f} pages/s", command=command,
                   note=f"{r['pages_fetched']} pages, {r['articles_archived']} archived; the pipeline ran alone, "
                        "bare Scrapy beside trafilatura-alone (the two baselines share the cores: its rate is "
                        "a floor, its CPU seconds are its own)"),
            Figure(AREA, f"pipeline CPU per page, {n:,} articles", round(r["pipeline_cpu_ms_per_page"], 2), "ms",
                   baseline=f"bare Scrapy {r['bare_cpu_ms_per_page']:.2f} ms/page, trafilatura "
                            f"{r['trafilatura_cpu_ms_per_article']:.2f} ms/article", command=command),
            Figure(AREA, f"pipeline peak RSS, {n:,} articles", round(r["pipeline"]["max_rss_mb"], 1), "MB",
                   f"< {RSS_TARGET_MB:.0f} MB", r["pipeline"]["max_rss_mb"] < RSS_TARGET_MB,
                   f"bare Scrapy {r['bare_scrapy']['max_rss_mb']:.0f} MB", command),
        ]
    if len(results) > 1:
        small, large = results[0], results[-1]
        growth = large["pipeline"]["max_rss_mb"] / small["pipeline"]["max_rss_mb"]
        figures.append(Figure(
            AREA, f"peak RSS growth {small['articles']:,} → {large['articles']:,} articles", round(growth, 3), "×",
            f"≤ {RSS_FLAT_TARGET} (flat)", growth <= RSS_FLAT_TARGET,
            f"bare Scrapy {large['bare_scrapy']['max_rss_mb'] / small['bare_scrapy']['max_rss_mb']:.2f}×", command))
    return {"area": AREA, "command": command, "figures": figures, "details": results}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.crawl_bench", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--sizes", type=lambda s: tuple(int(x) for x in s.split(",")))
    parser.add_argument("--profile", action="store_true", help="cProfile the first pipeline run and print the top")
    args = parser.parse_args(argv)
    result = run(quick=args.quick, sizes=args.sizes, profile=args.profile)
    for figure in result["figures"]:
        print(figure.line())
    for detail in result["details"]:
        for line in detail["profile_top_own_time"]:
            print("   ", line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
