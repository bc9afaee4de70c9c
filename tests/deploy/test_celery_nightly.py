"""newsarchive_nightly on the CeleryExecutor, as a running deployment (tools/stack.py).

One stack for the module — api-server, scheduler, dag-processor, triggerer and two Celery
workers on a fresh PostgreSQL database and a Redis database of their own — crawls 20 outlets
served by the outlet server (19 of 3 to 9 articles, one whose port answers nothing) into
SeaweedFS. The nightly run is triggered through the REST API; while its crawls are in flight
the test checks an outlet's lease against a second crawl, then SIGKILLs everything worker-b
runs (a machine dying). worker-b comes back, and a second trigger follows the first; last, a
registry of 1,500 outlets is mapped (not crawled) in shards within ``max_map_length``.

Parallelism under test: at most ``MAX_PARALLEL_CRAWLS`` crawls at once (the crawl pool's slots
and the task's ``max_active_tis_per_dagrun``), on ``2 × CONCURRENCY`` worker slots.
"""

from __future__ import annotations

import json
import os
import re
import time
import urllib.error
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest
import yaml

from newsarchive.orchestration import CRAWL_POOL, WAYBACK_POOL
from outlet_server import Faults, OutletServer, build_corpus
from tests.dags.e2e import closed_port, expected_urls
from tools.stack import Stack

pytestmark = [pytest.mark.deploy, pytest.mark.airflow, pytest.mark.s3, pytest.mark.slow]

DAG = "newsarchive_nightly"
OUTLETS = 20
DOWN = "outlet-down"
CONCURRENCY = 3
MAX_PARALLEL_CRAWLS = 4
#: Data interval [2026-11-20 02:00, 2026-11-21 02:00): the window ends on 2026-11-21; the corpora run to the 24th.
FIRST, SECOND = "2026-11-21T02:00:00Z", "2026-11-21T03:00:00Z"
UNTIL = date(2026, 11, 21)


@dataclass
class Nightly:
    """What the module's deployment did: its stack, outlets, runs and what the test saw in flight."""

    stack: Stack
    servers: dict[str, OutletServer]
    archive: str
    s3: Any
    first: str
    first_state: str
    killed_in_flight: set[str]  # labels of the crawls worker-b ran when it was killed
    lease_refusal: str
    second: str = ""
    second_state: str = ""
    before_second: dict[str, dict[str, int]] | None = None


def _outlet_servers() -> Iterator[tuple[str, OutletServer]]:
    for i in range(OUTLETS - 1):
        corpus = build_corpus(seed=100 + i, n_articles=3 + (i % 4) * 2, start=date(2026, 11, 10), end=date(2026, 11, 24))
        # Every article but the seed waits 0.3 s and the outlet takes one request at a time: a crawl lasts
        # a few seconds, long enough to be caught in flight.
        yield f"outlet-{i:02d}", OutletServer(corpus, faults=Faults(slow=0.3, every=1), port=0).start()


def _registry(servers: dict[str, OutletServer]) -> list[dict[str, Any]]:
    entries = [s.outlet_yaml(id=i, rate={"concurrency": 1, "delay_s": 0.0}) for i, s in servers.items()]
    down = dict(entries[0], id=DOWN, name="Down", base_url=f"http://127.0.0.1:{closed_port()}/", sections=[])
    return [*entries, down]


@pytest.fixture(scope="module")
def nightly(stack_services: dict[str, str], s3_server: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Nightly]:
    home = tmp_path_factory.mktemp("stack")
    servers = dict(_outlet_servers())
    outlets = home / "outlets.yaml"
    outlets.write_text(yaml.safe_dump({"outlets": _registry(servers)}))
    archive = f"s3://{s3_server.make_bucket('deploy')}/archive"
    connection = {
        "conn_type": "aws", "login": s3_server.access_key, "password": s3_server.secret_key,
        "extra": {"endpoint_url": s3_server.endpoint_url, "region_name": s3_server.region},
    }
    env = {
        "NEWSARCHIVE_OUTLETS": str(outlets),
        "AIRFLOW_VAR_NEWSARCHIVE_ARCHIVE": archive,
        "AIRFLOW_CONN_NEWSARCHIVE_S3": json.dumps(connection),
        "AWS_EC2_METADATA_DISABLED": "true",
        "NEWSARCHIVE_DEFAULT_WINDOW_DAYS": "3650",
        "NEWSARCHIVE_AUTOTHROTTLE": "false",
        "NEWSARCHIVE_ALERT_MIN_HISTORY": "1",
        "NEWSARCHIVE_DAG_RETRIES": "2",
        "NEWSARCHIVE_DAG_RETRY_DELAY_S": "2",
        "NEWSARCHIVE_DAG_MAX_RETRY_DELAY_S": "5",
        "NEWSARCHIVE_DAG_CRAWL_TIMEOUT_S": "300",
        "NEWSARCHIVE_DAG_MAX_PARALLEL_CRAWLS": str(MAX_PARALLEL_CRAWLS),
        # A task whose worker died stops heartbeating: failed (and retried) after 30 s, not the default 300.
        "AIRFLOW__SCHEDULER__TASK_INSTANCE_HEARTBEAT_TIMEOUT": "30",
        "AIRFLOW__SCHEDULER__TASK_INSTANCE_HEARTBEAT_TIMEOUT_DETECTION_INTERVAL": "5",
        # A message the dead worker had taken but not started is never acknowledged: requeued after 90 s.
        "AIRFLOW__SCHEDULER__TASK_QUEUED_TIMEOUT": "90",
        "AIRFLOW__SCHEDULER__TASK_QUEUED_TIMEOUT_CHECK_INTERVAL": "10",
        "AIRFLOW__CORE__PARALLELISM": str(2 * CONCURRENCY),
        # Only the runs the test triggers: unpausing the DAG would otherwise schedule its latest interval.
        "AIRFLOW__SCHEDULER__USE_JOB_SCHEDULE": "False",
    }
    stack = Stack(
        home=home, database=f"newsarchive_deploy_{os.getpid()}", concurrency=CONCURRENCY, extra_env=env, **stack_services
    )
    try:
        stack.prepare()
        stack.import_pools({CRAWL_POOL.name: MAX_PARALLEL_CRAWLS, WAYBACK_POOL.name: WAYBACK_POOL.slots})
        stack.start()
        stack.wait_for(lambda: stack.dag_parsed(DAG), f"{DAG} is parsed", timeout_s=180)
        first = stack.trigger(DAG, FIRST)
        killed, refusal = _lease_then_kill(stack, first, archive, s3_server)
        result = Nightly(stack, servers, archive, s3_server, first, stack.wait_for_run(DAG, first), killed, refusal)
        yield result
    finally:
        stack.stop()
        stack.drop()
        for server in servers.values():
            server.stop()


@pytest.fixture(scope="module")
def nightly_twice(nightly: Nightly) -> Nightly:
    """The deployment after a second trigger, worker-b back up."""
    if not nightly.second:
        nightly.before_second = {o: dict(c) for o, c in _archived(nightly).items()}
        nightly.stack.start_worker("worker-b")
        nightly.second = nightly.stack.trigger(DAG, SECOND)
        nightly.second_state = nightly.stack.wait_for_run(DAG, nightly.second)
    return nightly


def _outlet_ids(count: int = OUTLETS) -> list[str]:
    """The registry's ids in its order, which is the order of the mapped tasks' map indexes."""
    return [*(f"outlet-{i:02d}" for i in range(count - 1)), DOWN]


def _tries(stack: Stack, run_id: str, task_id: str = "outlet.crawl") -> list[dict[str, Any]]:
    """Every try of a mapped task, with ``outlet``: its outlet id (a running try has no rendered label yet)."""
    ids = _outlet_ids()
    return [{**t, "outlet": ids[t["map_index"]]} for t in stack.task_tries(DAG, run_id) if t["task_id"] == task_id]


def _running_crawls(stack: Stack, run_id: str, hostname: str) -> list[dict[str, Any]]:
    return [t for t in _tries(stack, run_id) if t["state"] == "running" and t["hostname"] == hostname]


def _lease_then_kill(stack: Stack, run_id: str, archive: str, s3: Any) -> tuple[set[str], str]:
    """While crawls run on both workers: a second crawl of a running outlet is refused its lease; then
    worker-b dies with its crawls in flight. Returns the labels of those crawls and the refusal."""
    from archive import Archive
    from archive.lease import CrawlLease
    from core.errors import LeaseHeldError

    def both_busy() -> list[dict[str, Any]] | None:
        a, b = _running_crawls(stack, run_id, "worker-a"), _running_crawls(stack, run_id, "worker-b")
        return b if a and b else None

    stack.wait_for(both_busy, "crawls run on both workers", timeout_s=300, every_s=0.5)
    refusal = ""
    with pytest.MonkeyPatch.context() as patch:
        for name, value in s3.env().items():
            patch.setenv(name, value)
        with Archive.open(archive) as opened:
            for _attempt in range(40):
                running = _running_crawls(stack, run_id, "worker-a") + _running_crawls(stack, run_id, "worker-b")
                held = [t for t in running if CrawlLease(opened.store, t["outlet"], timedelta(seconds=60)).current()]
                if held:
                    lease = CrawlLease(opened.store, held[0]["outlet"], timedelta(seconds=60))
                    try:
                        lease.acquire()
                    except LeaseHeldError as exc:
                        refusal = str(exc)
                        break
                    lease.release()  # the crawl finished just now: try another one
                time.sleep(0.5)
    in_flight = stack.wait_for(lambda: _running_crawls(stack, run_id, "worker-b"), "worker-b crawls", every_s=0.3)
    stack.kill("worker-b")
    return {str(t["outlet"]) for t in in_flight}, refusal


def _archived(nightly: Nightly) -> dict[str, Counter[str]]:
    """Canonical URL → how many committed index rows hold it, per outlet."""
    from archive import Archive

    with pytest.MonkeyPatch.context() as patch:
        for name, value in nightly.s3.env().items():
            patch.setenv(name, value)
        with Archive.open(nightly.archive) as archive:
            outlets = sorted({outlet for outlet, _run in archive.index.committed_runs()})
            return {
                o: Counter(archive.index.table(o, columns=["canonical_url"]).column("canonical_url").to_pylist())
                for o in outlets
            }


def _crawl_tries(nightly: Nightly, run_id: str) -> list[dict[str, Any]]:
    return _tries(nightly.stack, run_id)


def _final(nightly: Nightly, run_id: str, task_id: str) -> dict[str, str]:
    """``{outlet: state}`` of a mapped task's latest tries."""
    rows = nightly.stack.query(
        "SELECT map_index, state FROM task_instance WHERE dag_id = %s AND run_id = %s AND task_id = %s",
        (DAG, run_id, task_id),
    )
    ids = _outlet_ids()
    return {ids[index] if index >= 0 else str(index): str(state) for index, state in rows}


def test_every_live_in_window_article_is_archived_exactly_once(nightly: Nightly) -> None:
    archived = _archived(nightly)
    assert {o for o, urls in archived.items() if urls} == set(nightly.servers)  # the down outlet: an empty run
    for outlet, server in nightly.servers.items():
        assert set(archived[outlet]) == expected_urls(server, server.corpus, until=UNTIL), outlet
        assert max(archived[outlet].values()) == 1, (outlet, archived[outlet].most_common(3))


def test_the_down_outlet_fails_its_own_task_and_the_alert_names_it(nightly: Nightly) -> None:
    crawls = _final(nightly, nightly.first, "outlet.crawl")
    assert crawls == {**{o: "success" for o in nightly.servers}, DOWN: "failed"}
    verified = _final(nightly, nightly.first, "outlet.verify_and_commit")
    assert {o: s for o, s in verified.items() if o != DOWN} == {o: "success" for o in nightly.servers}
    report = nightly.stack.xcom(DAG, nightly.first, "report")
    assert report["failed_outlets"] == [DOWN]
    assert set(report["articles"]) | set(report["failed_outlets"]) == {*nightly.servers, DOWN}  # all 20
    assert _final(nightly, nightly.first, "alert") == {"-1": "failed"}
    assert nightly.first_state == "failed"
    alert_logs = list((nightly.stack.home / "logs").glob(f"dag_id={DAG}/run_id={nightly.first}/task_id=alert/*.log"))
    assert alert_logs and re.search(rf"newsarchive ALERT: crawl or commit failed for: {DOWN}", alert_logs[0].read_text())


def test_mapped_crawls_ran_on_both_workers(nightly: Nightly) -> None:
    hosts = {t["hostname"] for t in _crawl_tries(nightly, nightly.first)}
    assert {"worker-a", "worker-b"} <= hosts


def test_crawls_of_the_killed_worker_are_retried_on_the_other(nightly: Nightly) -> None:
    assert nightly.killed_in_flight
    tries = _crawl_tries(nightly, nightly.first)
    for outlet in nightly.killed_in_flight:
        mine = sorted((t for t in tries if t["outlet"] == outlet), key=lambda t: t["try_number"])
        assert mine[0]["hostname"] == "worker-b" and mine[0]["state"] != "success", mine
        assert mine[-1]["hostname"] == "worker-a" and mine[-1]["state"] == "success", mine
    assert "worker-b" not in nightly.stack.alive()


def test_a_second_crawl_of_a_running_outlet_is_refused_its_lease(nightly: Nightly) -> None:
    assert re.search(r"outlet 'outlet-\d\d' is being crawled \(crawl\) by .* pid \d+", nightly.lease_refusal)


def test_crawls_run_in_parallel_within_the_pool(nightly: Nightly) -> None:
    """At most MAX_PARALLEL_CRAWLS at once (pool slots, max_active_tis_per_dagrun); more than one."""
    spans = [(t["start_date"], t["end_date"]) for t in _crawl_tries(nightly, nightly.first) if t["start_date"]]
    finished = [(s, e) for s, e in spans if e is not None]
    events = sorted([(s, 1) for s, _ in finished] + [(e, -1) for _, e in finished])
    running = peak = 0
    for _moment, step in events:
        running += step
        peak = max(peak, running)
    assert 2 <= peak <= MAX_PARALLEL_CRAWLS


def test_a_second_trigger_adds_nothing(nightly_twice: Nightly) -> None:
    crawls = _final(nightly_twice, nightly_twice.second, "outlet.crawl")
    assert crawls == {**{o: "success" for o in nightly_twice.servers}, DOWN: "failed"}
    report = nightly_twice.stack.xcom(DAG, nightly_twice.second, "report")
    assert report["total_articles"] == 0
    assert {o: dict(c) for o, c in _archived(nightly_twice).items()} == nightly_twice.before_second


def _mark_failed(stack: Stack, run_id: str, attempts: int = 5) -> None:
    """Stop ``run_id`` (its 1,500 crawls would only meet a dead host). The API server's update of the run and
    its task instances can collide with the scheduler's own (seen once under load: "UPDATE dag_run ..." failed
    after 5.8 s, answered 500); marking a run failed is idempotent, so a 500 is retried."""
    for attempt in range(attempts):
        try:
            stack.request("PATCH", f"dags/{DAG}/dagRuns/{run_id}", {"state": "failed"})
            return
        except urllib.error.HTTPError as exc:
            if exc.code != 500 or attempt == attempts - 1:
                raise
            time.sleep(2)


def test_1500_outlets_map_in_shards_within_max_map_length(nightly_twice: Nightly) -> None:
    """Mapping only: a registry of 1,500 outlets expands into 1,024 + 476 mapped groups; the run is then stopped."""
    stack = nightly_twice.stack
    dead = f"http://127.0.0.1:{closed_port()}/"
    registry = stack.home / "outlets-1500.yaml"
    entries = [{"id": f"many-{i:04d}", "name": f"Many {i}", "base_url": dead} for i in range(1500)]
    registry.write_text(yaml.safe_dump({"outlets": entries}))
    stack.request("POST", "variables", {"key": "newsarchive_outlets", "value": str(registry)})  # wins over the env
    try:
        run_id = stack.trigger(DAG, "2026-11-21T04:00:00Z")

        def expanded() -> dict[str, int] | None:
            rows = stack.query(
                "SELECT task_id, count(*) FROM task_instance WHERE dag_id = %s AND run_id = %s AND "
                "(map_index >= 0 OR state = 'skipped') GROUP BY task_id", (DAG, run_id))
            counts = {str(task): int(n) for task, n in rows}
            shards = ["outlet.crawl", *(f"outlet_{n}.crawl" for n in range(1, 4))]
            return counts if all(counts.get(task) for task in shards) else None

        counts = stack.wait_for(expanded, "the 1,500 outlets are mapped", timeout_s=300, every_s=2)
        _mark_failed(stack, run_id)
    finally:
        stack.request("DELETE", "variables/newsarchive_outlets")
    assert counts["outlet.crawl"] == 1024 and counts["outlet_1.crawl"] == 476
    assert counts["outlet_2.crawl"] == counts["outlet_3.crawl"] == 1  # the empty shards: skipped, unmapped
