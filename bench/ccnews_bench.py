"""ccnews: CC-NEWS ingestion throughput beside a bare warcio scan of the same WARC files.

A CC-NEWS-shaped layout (:mod:`loopback_servers.ccnews`) of the demo outlet's articles under its host
among the same pages under three other hosts (so a quarter of the records are the outlet's), one
file per five days, served over HTTP on 127.0.0.1 from this process. Subject: the ``ccnews`` job
(``python -m newsarchive.jobs -``) into a fresh local archive, window = every file. Baseline beside it
in the same run: ``bench/bare_warc_scan.py`` streaming the same files and reading every payload.
``python -m bench ccnews [--quick]``.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from bench.common import PYTHON, Figure, bench_settings, run_child, scratch_dir, warm_up

__all__ = ["run"]

AREA = "ccnews"
ARTICLES, QUICK_ARTICLES = 2000, 300
HOST = "demo.example"


def run(quick: bool = False) -> dict[str, Any]:
    from core.registry import Outlet
    from loopback_servers.ccnews import CcNewsServer, build_layout
    from newsarchive.jobs import CHILD_COMMAND, JobRequest
    from outlet_server import build_corpus

    n = QUICK_ARTICLES if quick else ARTICLES
    command = "uv run python -m bench ccnews" + (" --quick" if quick else "")
    warm_up(("newsarchive.jobs", "history.ccnews", "archive", "extract", "warcio"))
    corpus = build_corpus(seed=7, n_articles=n)
    first = min(a.published for a in corpus.articles).astimezone(UTC)
    last = max(a.published for a in corpus.articles).astimezone(UTC)
    day = datetime(first.year, first.month, first.day, tzinfo=UTC)
    starts = []
    while day <= last + timedelta(days=1):
        starts.append(day)
        day += timedelta(days=5)
    print(f"[ccnews] {n:,} articles in {len(starts)} WARC files ...", flush=True)
    with scratch_dir("ccnews") as root:
        layout = build_layout(root / "layout", corpus, HOST, starts)
        records = sum(len(items) for items in layout.contents.values())
        outlet = Outlet.model_validate({"id": "demo", "name": corpus.site_name, "base_url": f"https://{HOST}/",
                                        "language": "en", "timezone": corpus.timezone})
        with CcNewsServer(layout.root) as server:
            request = JobRequest.build(
                "ccnews", [outlet], str(root / "archive"), since=first.date(), until=last.date(),
                settings=bench_settings(root).with_overrides(ccnews_slack_days=5),
                ccnews_url=server.base_url, state_dir=str(root / "state"),
            )
            subject = run_child([PYTHON, *CHILD_COMMAND], input_text=request.to_json()).check("ccnews job")
            summary = subject.last_json()["summaries"][0]
            urls = [f"{server.base_url}/{key}" for key in layout.contents]
            bare = run_child([PYTHON, "-m", "bench.bare_warc_scan", *urls]).check("bare scan")
            bare_counts = json.loads(bare.stdout.strip().splitlines()[-1])
    scanned = summary["stats"]["ccnews"]["records_scanned"]
    su, bu = subject.usage, bare.usage
    beside = f"bare warcio scan {bare_counts['responses'] / bu.wall_s:,.0f} records/s ({bu.cpu_s:.2f} s CPU)"
    figures = [
        Figure(AREA, "CC-NEWS backfill: records scanned/s", round(scanned / su.wall_s, 1), "records/s",
               baseline=beside, command=command, note=f"{scanned:,} response records of {records:,}, {len(starts)} files"),
        Figure(AREA, "CC-NEWS backfill: articles archived/s", round(summary["archived"] / su.wall_s, 1), "articles/s",
               baseline=f"{summary['archived']:,} archived in {su.wall_s:.1f} s", command=command),
        Figure(AREA, "CC-NEWS backfill CPU ÷ bare warcio scan CPU", round(su.cpu_s / bu.cpu_s, 2), "×",
               baseline=beside, command=command, note="the difference is extraction and archiving of the outlet's quarter"),
        Figure(AREA, "CC-NEWS backfill peak RSS", round(su.max_rss_mb, 1), "MB",
               baseline=f"bare scan {bu.max_rss_mb:.1f} MB", command=command),
    ]
    details = {"articles": n, "files": len(starts), "records": records, "subject": su.to_dict(),
               "bare": {**bu.to_dict(), **bare_counts}, "summary_stats": summary["stats"]["ccnews"]}
    return {"area": AREA, "command": command, "figures": figures, "details": details}
