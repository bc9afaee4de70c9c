"""polite: a crawl as users run it (0.5 s delay, AutoThrottle) beside the same crawl unthrottled (issue 19).

Over one demo outlet (served from its own process), 100 articles by default:

- **pipeline, unthrottled** — ``python -m newsarchive.jobs`` with ``throttle=False``, alone;
- **pipeline, polite** — the same crawl with the project's defaults (``delay_s`` 0.5, AutoThrottle),
  into a fresh archive;
- **bare Scrapy, polite** and **unthrottled** — :mod:`bench.bare_spider` (``--polite``) fetching exactly
  the URLs the pipeline fetched; **trafilatura alone** on the article pages (:mod:`bench.trafilatura_alone`),
  back to back and **paced** (a sleep of the polite delay after each page).

A polite crawl mostly waits, so the polite pipeline, polite bare Scrapy and paced trafilatura run at the same
time (:func:`bench.common.together`): each child's CPU seconds are its own (``wait4``), and waiting children
hardly compete for the cores. The unthrottled pipeline runs alone before and after them (the median of the
two is compared), then bare Scrapy unthrottled and trafilatura back to back, each alone.

Headlines: polite CPU ÷ unthrottled CPU of the pipeline (target ≤ 1.05: waiting costs nothing); the CPU
a polite crawl spends per second of extra wall time, beside bare Scrapy's; pipeline ÷ (bare Scrapy +
trafilatura) in both modes (issue 19's 1.0× goal; at 1,000 articles unthrottled in the crawl area), the
polite one against both trafilatura baselines. And the floor no crawl code can go below: paced trafilatura
÷ back-to-back trafilatura, the same work and the same program, with nothing running between pages but a
sleep. Work done after a wait costs more CPU (caches, branch predictors and the vCPU are cold again), so a
polite crawl, which does its work a request at a time between waits, pays that on all of it.
``python -m bench polite [--quick]``; other sizes: ``python -m bench.polite_bench --articles 1000``
(a polite crawl of 1,000 articles takes about twelve minutes of wall time).
"""

from __future__ import annotations

import argparse
from typing import Any

from bench.common import Figure, Usage, median_usage, scratch_dir, together, warm_up
from bench.crawl_bench import WARM_UP_MODULES, CrawlSubjects
from bench.outlet import OutletProcess
from core.settings import Settings

__all__ = ["run"]

AREA = "polite"
ARTICLES, QUICK_ARTICLES = 100, 40
POLITE_RATIO_TARGET = 1.05
PIPELINE_RATIO_TARGET = 1.0


def _waiting_ms_per_s(polite: Usage, unthrottled: Usage) -> float:
    """CPU milliseconds per second of the wall time politeness added."""
    extra_wall = polite.wall_s - unthrottled.wall_s
    return 1000 * (polite.cpu_s - unthrottled.cpu_s) / extra_wall if extra_wall > 0 else float("nan")


def run(quick: bool = False, articles: int | None = None) -> dict[str, Any]:
    n = articles or (QUICK_ARTICLES if quick else ARTICLES)
    command = "uv run python -m bench polite" + (" --quick" if quick else "")
    if articles:
        command = f"uv run python -m bench.polite_bench --articles {n}"
    warm_up(WARM_UP_MODULES)
    print(f"[polite] a {n:,}-article outlet, unthrottled then polite ...", flush=True)
    with scratch_dir(f"polite-{n}") as workdir, OutletProcess(n) as outlet:
        subjects = CrawlSubjects(outlet, workdir)
        fast_runs = [subjects.pipeline(0)]
        subjects.write_inputs()
        pace_s = Settings().delay_s  # the polite delay between two requests to an outlet
        slow = together({
            "pipeline": lambda: subjects.pipeline(1, throttle=True),
            "bare_scrapy": lambda: subjects.bare_scrapy(polite=True),
            "trafilatura_paced": lambda: subjects.trafilatura(pace_s=pace_s),
        })
        fast_runs.append(subjects.pipeline(2))
        bare_fast = subjects.bare_scrapy()
        traf = subjects.trafilatura()
    fast = median_usage(fast_runs)
    polite, bare_polite, traf_paced = slow["pipeline"], slow["bare_scrapy"], slow["trafilatura_paced"]
    ratio = polite.cpu_s / fast.cpu_s
    fast_ratio = fast.cpu_s / (bare_fast.cpu_s + traf.cpu_s)
    polite_ratio = polite.cpu_s / (bare_polite.cpu_s + traf.cpu_s)
    paced_ratio = polite.cpu_s / (bare_polite.cpu_s + traf_paced.cpu_s)
    waiting_floor = traf_paced.cpu_s / traf.cpu_s
    pages = len(subjects.fetched)
    modes = (f"unthrottled {fast.cpu_s:.2f} CPU-s in {fast.wall_s:.1f} s, polite {polite.cpu_s:.2f} CPU-s in "
             f"{polite.wall_s:.1f} s")
    figures = [
        Figure(AREA, f"pipeline CPU polite ÷ unthrottled, {n:,} articles", round(ratio, 3), "×",
               f"≤ {POLITE_RATIO_TARGET}", ratio <= POLITE_RATIO_TARGET, modes, command,
               f"{pages} requests each; bare Scrapy polite ÷ unthrottled "
               f"{bare_polite.cpu_s / bare_fast.cpu_s:.3f}×"),
        Figure(AREA, "pipeline CPU per second of waiting (polite − unthrottled)",
               round(_waiting_ms_per_s(polite, fast), 2), "ms/s",
               baseline=f"bare Scrapy {_waiting_ms_per_s(bare_polite, bare_fast):.2f} ms/s", command=command),
        Figure(AREA, f"pipeline CPU ÷ (bare Scrapy + trafilatura) CPU, unthrottled, {n:,} articles",
               round(fast_ratio, 3), "×", f"≤ {PIPELINE_RATIO_TARGET}", fast_ratio <= PIPELINE_RATIO_TARGET,
               f"bare Scrapy {bare_fast.cpu_s:.2f} s + trafilatura {traf.cpu_s:.2f} s CPU", command,
               "at this size the start-up of the crawl process weighs more than at 1,000 articles (crawl area)"),
        Figure(AREA, f"pipeline CPU ÷ (bare Scrapy + trafilatura) CPU, polite, {n:,} articles",
               round(polite_ratio, 3), "×", f"≤ {PIPELINE_RATIO_TARGET}", polite_ratio <= PIPELINE_RATIO_TARGET,
               f"bare Scrapy polite {bare_polite.cpu_s:.2f} s + trafilatura {traf.cpu_s:.2f} s CPU", command,
               "trafilatura back to back: the baseline does its page work warm, the crawl after each wait"),
        Figure(AREA, f"pipeline CPU ÷ (bare Scrapy + trafilatura) CPU, polite, both paced, {n:,} articles",
               round(paced_ratio, 3), "×", f"≤ {PIPELINE_RATIO_TARGET}", paced_ratio <= PIPELINE_RATIO_TARGET,
               f"bare Scrapy polite {bare_polite.cpu_s:.2f} s + trafilatura paced {traf_paced.cpu_s:.2f} s CPU",
               command, f"trafilatura sleeping {pace_s} s after each page: the same waits as the crawl's pages"),
        Figure(AREA, "the same work after waits ÷ back to back (trafilatura alone, paced ÷ not)",
               round(waiting_floor, 3), "×",
               baseline=f"paced {traf_paced.cpu_s:.2f} CPU-s, back to back {traf.cpu_s:.2f} CPU-s", command=command,
               note="no crawl code runs between the pages, only a sleep: what waiting costs any work on this "
                    "machine, the floor under the polite ÷ unthrottled ratio"),
        Figure(AREA, f"pipeline peak RSS, polite, {n:,} articles", round(polite.max_rss_mb, 1), "MB",
               baseline=f"unthrottled {fast.max_rss_mb:.0f} MB, bare Scrapy polite {bare_polite.max_rss_mb:.0f} MB",
               command=command),
    ]
    details = {
        "articles": n, "pages_fetched": pages,
        "pipeline_unthrottled": fast.to_dict(), "pipeline_unthrottled_runs": [u.to_dict() for u in fast_runs], "pipeline_polite": polite.to_dict(),
        "bare_scrapy_unthrottled": bare_fast.to_dict(), "bare_scrapy_polite": bare_polite.to_dict(),
        "trafilatura": traf.to_dict(), "trafilatura_paced": traf_paced.to_dict(), "pace_s": pace_s,
        "polite_summary": subjects.summaries[-1]["stats"].get("requests"),
    }
    return {"area": AREA, "command": command, "figures": figures, "details": details}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.polite_bench", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--articles", type=int)
    args = parser.parse_args(argv)
    for figure in run(quick=args.quick, articles=args.articles)["figures"]:
        print(figure.line())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
