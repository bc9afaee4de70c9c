"""The nightly DAG on the CeleryExecutor: 20 outlets on 2 workers (tools/stack.py), throttle off.

Figures (issue 18):

- **wall ÷ bound**: the run's wall time (the DAG run's start to end) ÷ max(the slowest crawl task,
  the workers' CPU ÷ the crawl slots) — target ≤ 1.3. The workers' CPU is everything their process
  trees used during the run (task runners, DAG parsing in each task, crawl subprocesses, verification),
  read from ``/proc`` (``utime + stime + cutime + cstime`` of every process of each worker's group);
  the crawl slots are ``min(pool, 2 × concurrency)``. On a machine with fewer cores than slots the
  CPU bound is the CPU ÷ cores, also reported.
- **CPU per article and per outlet**, the same CPU divided; and the whole stack's CPU (scheduler, API
  server, dag-processor and triggerer too), which shares the machine's cores with the workers here.
- **scheduler overhead per mapped task**: medians of scheduled → queued (the scheduler) and
  queued → started (Celery and the worker), and of a crawl's end → its verify task's start.
- **S3 objects and bytes per article** stored (every object is one PUT at least).

Optional: without PostgreSQL and Redis on 127.0.0.1 the area reports what to start and measures nothing.
"""

from __future__ import annotations

import json
import os
import statistics
import tempfile
import time
from datetime import date, datetime
from pathlib import Path
from typing import Any

import yaml

from bench.common import Figure
from tools.stack import Stack, services_missing

COMMAND = "uv run python -m bench deploy"
DAG = "newsarchive_nightly"
OUTLETS = 20
WORKERS = 2
CONCURRENCY = 3
POOL = 4
TARGET = 1.3
_TICKS = os.sysconf("SC_CLK_TCK")


def _tree_cpu_s(pgid: int) -> float:
    """CPU seconds of every live process in the group, with the children each has reaped."""
    total = 0
    for entry in Path("/proc").glob("[0-9]*"):
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid:  # fields[2] is pgrp (stat field 5)
            total += sum(int(v) for v in fields[11:15])  # utime stime cutime cstime
    return total / _TICKS


def _seconds(a: datetime | None, b: datetime | None) -> float | None:
    return (b - a).total_seconds() if a and b else None


def run(quick: bool = False) -> dict[str, Any]:
    missing = services_missing()
    if missing:
        return {"command": COMMAND, "figures": [Figure("deploy", "skipped", missing, command=COMMAND)]}
    from loopback_servers.seaweedfs import running_s3_server
    from newsarchive.orchestration import CRAWL_POOL, WAYBACK_POOL
    from outlet_server import OutletServer, build_corpus

    n_outlets = 6 if quick else OUTLETS
    with tempfile.TemporaryDirectory(prefix="bench-deploy-") as tmp:
        home = Path(tmp)
        servers = {
            f"bench-{i:02d}": OutletServer(
                build_corpus(seed=200 + i, n_articles=10 + 5 * (i % 5), start=date(2026, 10, 1), end=date(2026, 11, 20))
            ).start()
            for i in range(n_outlets)
        }
        roots = iter(range(10))

        def s3_root() -> Path:
            root = home / f"s3-{next(roots)}"
            root.mkdir()
            return root

        with running_s3_server(s3_root) as s3:
            bucket = s3.make_bucket("bench-deploy")
            registry = [s.outlet_yaml(id=i, rate={"concurrency": 8, "delay_s": 0.0}) for i, s in servers.items()]
            (home / "outlets.yaml").write_text(yaml.safe_dump({"outlets": registry}))
            connection = {"conn_type": "aws", "login": s3.access_key, "password": s3.secret_key,
                          "extra": {"endpoint_url": s3.endpoint_url, "region_name": s3.region}}
            stack = Stack(home=home / "airflow", database=f"newsarchive_bench_{os.getpid()}", concurrency=CONCURRENCY,
                          extra_env={
                              "NEWSARCHIVE_OUTLETS": str(home / "outlets.yaml"),
                              "AIRFLOW_VAR_NEWSARCHIVE_ARCHIVE": f"s3://{bucket}/archive",
                              "AIRFLOW_CONN_NEWSARCHIVE_S3": json.dumps(connection),
                              "AWS_EC2_METADATA_DISABLED": "true",
                              "NEWSARCHIVE_DEFAULT_WINDOW_DAYS": "3650",
                              "NEWSARCHIVE_AUTOTHROTTLE": "false",
                              # the operator's delay, which an outlet's delay_s 0 cannot lower (crawler/settings.py)
                              "NEWSARCHIVE_DELAY_S": "0",
                              "NEWSARCHIVE_DAG_RETRIES": "0",
                              "NEWSARCHIVE_DAG_MAX_PARALLEL_CRAWLS": str(POOL),
                              "AIRFLOW__CORE__PARALLELISM": str(WORKERS * CONCURRENCY),
                              "AIRFLOW__SCHEDULER__USE_JOB_SCHEDULE": "False",
                          })
            try:
                stack.prepare()
                stack.import_pools({CRAWL_POOL.name: POOL, WAYBACK_POOL.name: WAYBACK_POOL.slots})
                stack.start()
                stack.wait_for(lambda: stack.dag_parsed(DAG), f"{DAG} is parsed", timeout_s=300)
                time.sleep(5)
                workers = [stack.processes[name].pid for name in stack.workers]
                everything = [p.pid for p in stack.processes.values()]
                cpu_before = sum(_tree_cpu_s(pid) for pid in workers)
                stack_before = sum(_tree_cpu_s(pid) for pid in everything)
                run_id = stack.trigger(DAG, "2026-11-21T02:00:00Z")
                state = stack.wait_for_run(DAG, run_id, timeout_s=1800)
                cpu = sum(_tree_cpu_s(pid) for pid in workers) - cpu_before
                stack_cpu = sum(_tree_cpu_s(pid) for pid in everything) - stack_before
                tries = stack.task_tries(DAG, run_id)
                timing = stack.query(
                    "SELECT task_id, map_index, scheduled_dttm, queued_dttm, start_date, end_date FROM task_instance "
                    "WHERE dag_id = %s AND run_id = %s", (DAG, run_id))
                (run_start, run_end), = stack.query(
                    "SELECT start_date, end_date FROM dag_run WHERE dag_id = %s AND run_id = %s", (DAG, run_id))
                report = stack.xcom(DAG, run_id, "report")
            finally:
                stack.stop()
                stack.drop()
                for server in servers.values():
                    server.stop()
            listing = s3.client().list_objects_v2(Bucket=bucket, Prefix="archive/")
            objects = listing.get("Contents", [])
            while listing.get("IsTruncated"):
                listing = s3.client().list_objects_v2(
                    Bucket=bucket, Prefix="archive/", ContinuationToken=listing["NextContinuationToken"])
                objects += listing.get("Contents", [])
    return _figures(state, cpu, stack_cpu, tries, timing, run_start, run_end, report, objects, n_outlets)


def _figures(state: str, cpu: float, stack_cpu: float, tries: list[dict[str, Any]], timing: list[tuple[Any, ...]], run_start: datetime,
             run_end: datetime, report: dict[str, Any], objects: list[dict[str, Any]], n_outlets: int) -> dict[str, Any]:
    wall = (run_end - run_start).total_seconds()
    crawls = [t for t in tries if t["task_id"] == "outlet.crawl"]
    slowest = max(_seconds(t["start_date"], t["end_date"]) or 0.0 for t in crawls)
    slots = min(POOL, WORKERS * CONCURRENCY)
    bound = max(slowest, cpu / slots)
    cores = os.cpu_count() or 1
    articles = int(report["total_articles"])
    hosts = sorted({str(t["hostname"]) for t in crawls})
    scheduled = [s for *_, sch, q, _st, _e in timing if (s := _seconds(sch, q)) is not None]
    started = [s for *_, q, st, _e in timing if (s := _seconds(q, st)) is not None]
    ends = {m: e for task, m, *_, e in timing if task == "outlet.crawl"}
    handoff = [s for task, m, *_, st, _e in timing if task == "outlet.verify_and_commit"
               and (s := _seconds(ends.get(m), st)) is not None]
    stored = sum(int(o["Size"]) for o in objects)
    detail = f"{n_outlets} outlets, {articles} articles, {WORKERS} workers × {CONCURRENCY} slots, pool {POOL}"
    figures = [
        Figure("deploy", f"nightly run wall time ÷ max(slowest crawl, worker CPU ÷ {slots} crawl slots)",
               round(wall / bound, 3), "×", f"≤ {TARGET}", wall / bound <= TARGET,
               f"wall {wall:.1f} s, slowest crawl {slowest:.1f} s, worker CPU {cpu:.1f} s ÷ {slots} = {cpu / slots:.1f} s",
               COMMAND, f"{detail}; run {state}; crawls ran on {', '.join(hosts)}; on {cores} cores the CPU alone "
               f"needs ≥ {cpu / cores:.1f} s"),
        Figure("deploy", "worker CPU per article (task runners + crawl + verify)", round(cpu / max(articles, 1), 3),
               "CPU-s", command=COMMAND, note=detail),
        Figure("deploy", "worker CPU per outlet", round(cpu / n_outlets, 2), "CPU-s", command=COMMAND, note=detail),
        Figure("deploy", "whole stack CPU during the run (workers + scheduler, API server, dag-processor, triggerer)",
               round(stack_cpu, 1), "CPU-s", command=COMMAND,
               note=f"{stack_cpu / wall:.2f} cores on average over the {wall:.0f} s run; machine load at start in `machine`"),
        Figure("deploy", "scheduler overhead per mapped task: scheduled → queued (median)",
               round(statistics.median(scheduled), 2), "s", command=COMMAND),
        Figure("deploy", "scheduler overhead per mapped task: queued → started on a worker (median)",
               round(statistics.median(started), 2), "s", command=COMMAND),
        Figure("deploy", "crawl end → its verify task's start (median)", round(statistics.median(handoff), 2), "s",
               command=COMMAND),
        Figure("deploy", "S3 objects stored per article", round(len(objects) / max(articles, 1), 3), "objects",
               command=COMMAND, note=f"{len(objects)} objects for {articles} articles"),
        Figure("deploy", "S3 bytes stored per article", round(stored / max(articles, 1)), "bytes", command=COMMAND),
    ]
    return {"command": COMMAND, "figures": figures}


if __name__ == "__main__":
    for figure in run()["figures"]:
        print(figure.line())
