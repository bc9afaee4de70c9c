"""The distributed deployment as processes: Airflow on the CeleryExecutor, PostgreSQL, Redis.

``python -m tools.stack`` (``make stack``) starts, on this machine, what docker-compose.yml
describes as containers: ``airflow api-server``, ``scheduler``, ``dag-processor``, ``triggerer``
and N ``airflow celery worker`` processes (two by default), against the PostgreSQL and Redis it
finds on 127.0.0.1 (or at ``$STACK_POSTGRES_URL`` / ``$STACK_REDIS_URL``, e.g. the compose file's
``docker compose up -d postgres redis``). tests/deploy and bench/ drive the same :class:`Stack`.

What a multi-process Airflow 3 deployment must share, and this sets once for every process:

- one JWT secret (``[api_auth] jwt_secret``): the API server signs the tokens the workers'
  task processes present to the execution API; two secrets = "Signature verification failed";
- one Fernet key (connections and variables encrypted in the metadata database);
- one execution-API URL (``[core] execution_api_server_url``), which every task process calls;
- the metadata database (PostgreSQL; a database of its own per stack) and the Celery result
  backend in it; the broker is Redis on a database number of its own.

Each worker has its own ``--celery-hostname``, pid file and log-server port, and reports its
own name as the task instances' hostname (:func:`worker_hostname`), as two machines would. Every
process runs in its own process group, so stopping or killing a worker takes its task
processes and their crawl subprocesses with it (a machine that dies).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

REPO = Path(__file__).resolve().parents[1]
AIRFLOW = Path(sys.executable).with_name("airflow")
DEFAULT_POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379"
#: The environment variable that names a worker's process tree to :func:`worker_hostname`.
WORKER_NAME_VARIABLE = "STACK_WORKER_NAME"
ADMIN = "admin"
#: The services the stack needs, in the one line a skipped test or a failed start prints.
WHAT_TO_START = (
    "start PostgreSQL (127.0.0.1:5432, trust auth) and Redis (127.0.0.1:6379), "
    "or `docker compose up -d postgres redis` and set STACK_POSTGRES_URL / STACK_REDIS_URL"
)


def worker_hostname() -> str:
    """``[core] hostname_callable`` of a stack worker: its own name, as if it were a machine of its own."""
    return os.environ.get(WORKER_NAME_VARIABLE) or socket.getfqdn()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _with_database(url: str, database: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{database}", parts.query, parts.fragment))


def services_missing(postgres_url: str = DEFAULT_POSTGRES_URL, redis_url: str = DEFAULT_REDIS_URL) -> str | None:
    """``None`` when PostgreSQL and Redis answer, else one line saying what to start."""
    import psycopg2
    import redis

    missing = []
    try:
        psycopg2.connect(postgres_url, connect_timeout=3).close()
    except psycopg2.Error:
        missing.append("PostgreSQL")
    try:
        redis.Redis.from_url(redis_url, socket_connect_timeout=3).ping()
    except redis.RedisError:
        missing.append("Redis")
    return f"{' and '.join(missing)} not reachable: {WHAT_TO_START}" if missing else None


def _free_redis_db(redis_url: str) -> int:
    """A Redis database number (1-15) holding no keys: the broker's own."""
    import redis

    for number in range(15, 0, -1):
        if redis.Redis.from_url(redis_url, db=number).dbsize() == 0:
            return number
    raise RuntimeError(f"every Redis database 1-15 of {redis_url} holds keys: none is free for the broker")


def stop_groups(processes: Sequence[subprocess.Popen[bytes]], grace_s: float = 20) -> None:
    """SIGTERM each process group, then SIGKILL what is left of them; return once all are gone."""
    for sig, wait_s in ((signal.SIGTERM, grace_s), (signal.SIGKILL, 10)):
        for process in processes:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, sig)
        deadline = time.monotonic() + wait_s
        while time.monotonic() < deadline and any(group_alive(p.pid) for p in processes):
            for process in processes:
                with contextlib.suppress(subprocess.TimeoutExpired):
                    process.wait(timeout=0.2)
    for process in processes:
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=5)


def _pids_with_env(variable: str, value: str) -> list[int]:
    """Processes (of this user, Linux /proc) whose environment sets ``variable`` to ``value``."""
    wanted = f"{variable}={value}".encode()
    pids = []
    for entry in Path("/proc").glob("[0-9]*"):
        with contextlib.suppress(OSError):
            if wanted in (entry / "environ").read_bytes().split(b"\0"):
                pids.append(int(entry.name))
    return pids


def group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


@dataclass
class Stack:
    """One deployment: its home, its database, its broker database, its processes."""

    home: Path
    database: str
    workers: Sequence[str] = ("worker-a", "worker-b")
    concurrency: int = 3
    postgres_url: str = DEFAULT_POSTGRES_URL
    redis_url: str = DEFAULT_REDIS_URL
    extra_env: Mapping[str, str] = field(default_factory=dict)
    redis_db: int = 0
    api_port: int = 0
    password: str = ""
    env: dict[str, str] = field(default_factory=dict)
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    log_ports: dict[str, int] = field(default_factory=dict)
    _token: str | None = None

    # -- set-up ---------------------------------------------------------------------------------
    def prepare(self, *, fresh: bool = True) -> Stack:
        """Create the database (dropping an old one when ``fresh``), migrate it, write the environment."""
        from cryptography.fernet import Fernet

        self.home.mkdir(parents=True, exist_ok=True)
        self._admin(f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)' if fresh else None)
        self._admin(f'CREATE DATABASE "{self.database}"', ignore_exists=True)
        self.redis_db = self.redis_db or _free_redis_db(self.redis_url)
        self.api_port = self.api_port or free_port()
        self.password = self.password or secrets.token_urlsafe(12)
        (self.home / "simple_auth_manager_passwords.json.generated").write_text(json.dumps({ADMIN: self.password}))
        metadata = _with_database(self.postgres_url, self.database).replace("postgresql://", "postgresql+psycopg2://", 1)
        env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "AIRFLOW", "NEWSARCHIVE_"))}
        env.update(
            {
                "AIRFLOW_HOME": str(self.home),
                "PYTHONPATH": str(REPO),
                "AIRFLOW__CORE__DAGS_FOLDER": str(REPO / "dags"),
                "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
                "AIRFLOW__CORE__EXECUTOR": "CeleryExecutor",
                "AIRFLOW__CORE__FERNET_KEY": Fernet.generate_key().decode(),
                "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"http://127.0.0.1:{self.api_port}/execution/",
                "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": f"{ADMIN}:admin",
                "AIRFLOW__API_AUTH__JWT_SECRET": secrets.token_urlsafe(64),  # ≥ 64 bytes for HS512
                "AIRFLOW__API__HOST": "127.0.0.1",
                "AIRFLOW__API__PORT": str(self.api_port),
                "AIRFLOW__API__WORKERS": "1",
                "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": metadata,
                "AIRFLOW__CELERY__BROKER_URL": f"{self.redis_url.rstrip('/')}/{self.redis_db}",
                "AIRFLOW__CELERY__RESULT_BACKEND": "db+" + metadata,
                # A message is acknowledged once its task finished: a worker that dies mid-task leaves it
                # unacknowledged, and one prefetched message per slot keeps a dead worker from hoarding more.
                "AIRFLOW__CELERY__TASK_ACKS_LATE": "True",
                "AIRFLOW__CELERY__WORKER_PREFETCH_MULTIPLIER": "1",
                "AIRFLOW__CELERY__WORKER_CONCURRENCY": str(self.concurrency),
                # Redis redelivers an unacknowledged message after this long, even one whose task still runs:
                # longer than any crawl (NEWSARCHIVE_DAG_CRAWL_TIMEOUT_S, 2 h by default).
                "AIRFLOW__CELERY_BROKER_TRANSPORT_OPTIONS__VISIBILITY_TIMEOUT": "21600",
                "AIRFLOW__LOGGING__BASE_LOG_FOLDER": str(self.home / "logs"),
                "NEWSARCHIVE_SPOOL_DIR": str(self.home / "spool"),
            }
        )
        env.update(self.extra_env)
        self.env = env
        self.airflow("db", "migrate", timeout=600)
        return self

    def _admin(self, sql: str | None, *, ignore_exists: bool = False) -> None:
        import psycopg2

        if sql is None:
            return
        connection = psycopg2.connect(self.postgres_url, connect_timeout=5)
        connection.autocommit = True
        try:
            with connection.cursor() as cursor:
                cursor.execute(sql)
        except psycopg2.errors.DuplicateDatabase:
            if not ignore_exists:
                raise
        finally:
            connection.close()

    def drop(self) -> None:
        """Drop the stack's database and empty its broker database (after :meth:`stop`)."""
        import redis

        self._admin(f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)')
        if self.redis_db:
            redis.Redis.from_url(self.redis_url, db=self.redis_db).flushdb()

    def import_pools(self, pools: Mapping[str, int]) -> None:
        """Create the pools ``{name: slots}`` (before the DAGs run)."""
        data = {name: {"slots": slots, "description": name, "include_deferred": False} for name, slots in pools.items()}
        path = self.home / "pools.json"
        path.write_text(json.dumps(data))
        self.airflow("pools", "import", str(path))

    def airflow(self, *args: str, timeout: float = 180) -> subprocess.CompletedProcess[str]:
        proc = subprocess.run(
            [str(AIRFLOW), *args], env=self.env, cwd=REPO, capture_output=True, text=True, timeout=timeout, check=False
        )
        if proc.returncode != 0:
            raise RuntimeError(f"airflow {' '.join(args[:2])} exited {proc.returncode}:\n{proc.stderr[-4000:]}")
        return proc

    # -- processes ------------------------------------------------------------------------------
    def start(self) -> Stack:
        """Start every component, each in its own process group; return once the API answers."""
        (self.home / "logs").mkdir(exist_ok=True)
        for name in ("api-server", "scheduler", "dag-processor", "triggerer"):
            self._spawn(name, [name])
        for name in self.workers:
            self.start_worker(name)
        self.wait_for(self._api_answers, "the API server answers", timeout_s=180)
        return self

    def start_worker(self, name: str) -> None:
        self.log_ports[name] = self.log_ports.get(name) or free_port()
        self._spawn(
            name,
            ["celery", "worker", "--celery-hostname", f"{name}@%h", "--pid", str(self.home / f"{name}.pid")],
            {
                WORKER_NAME_VARIABLE: name,
                "AIRFLOW__CORE__HOSTNAME_CALLABLE": "tools.stack.worker_hostname",
                "AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT": str(self.log_ports[name]),
            },
        )

    def _spawn(self, name: str, args: list[str], env: Mapping[str, str] | None = None) -> None:
        with (self.home / "logs" / f"{name}.log").open("ab") as log:
            self.processes[name] = subprocess.Popen(
                [str(AIRFLOW), *args],
                env={**self.env, **(env or {})},
                cwd=REPO,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: stopped, or killed, as a whole
            )

    def kill(self, name: str) -> None:
        """SIGKILL a component's process group and every process of its tree, even one that left the
        group (task processes, crawl subprocesses): a machine dying."""
        process = self.processes[name]
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        for pid in _pids_with_env(WORKER_NAME_VARIABLE, name):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        process.wait(timeout=30)

    def stop(self) -> None:
        """Stop every component, all at once."""
        stop_groups(list(self.processes.values()))

    def alive(self) -> list[str]:
        return [name for name, p in self.processes.items() if group_alive(p.pid)]

    def log(self, name: str) -> str:
        return (self.home / "logs" / f"{name}.log").read_text(errors="replace")

    def wait_for(self, probe: Callable[[], Any], what: str, *, timeout_s: float = 300, every_s: float = 1.0) -> Any:
        """Poll ``probe`` until it returns something truthy; fail when a started component died."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            dead = [n for n, p in self.processes.items() if p.poll() is not None and n not in self._killed]
            if dead:
                raise RuntimeError(f"{', '.join(dead)} exited while waiting until {what}:\n{self.log(dead[0])[-4000:]}")
            with contextlib.suppress(OSError, urllib.error.URLError):
                value = probe()
                if value:
                    return value
            time.sleep(every_s)
        raise TimeoutError(f"still waiting after {timeout_s} s until {what}")

    @property
    def _killed(self) -> set[str]:
        return {n for n, p in self.processes.items() if p.returncode == -signal.SIGKILL}

    # -- the REST API ---------------------------------------------------------------------------
    @property
    def api(self) -> str:
        return f"http://127.0.0.1:{self.api_port}"

    def _api_answers(self) -> bool:
        with urllib.request.urlopen(f"{self.api}/api/v2/version", timeout=5) as response:
            return bool(response.status == 200)

    def token(self) -> str:
        """A bearer token from the simple auth manager's token endpoint."""
        if self._token is None:
            body = json.dumps({"username": ADMIN, "password": self.password}).encode()
            request = urllib.request.Request(
                f"{self.api}/auth/token", data=body, headers={"Content-Type": "application/json"}
            )
            with urllib.request.urlopen(request, timeout=30) as response:
                self._token = str(json.load(response)["access_token"])
        return self._token

    def request(self, method: str, path: str, body: Any = None) -> Any:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(
            f"{self.api}/api/v2/{path.lstrip('/')}",
            data=data,
            method=method,
            headers={"Authorization": f"Bearer {self.token()}", "Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            content = response.read()
        return json.loads(content) if content else None

    def dag_parsed(self, dag_id: str) -> bool:
        try:
            return bool(self.request("GET", f"dags/{dag_id}")["dag_id"] == dag_id)
        except urllib.error.HTTPError as exc:
            if exc.code == 404:
                return False
            raise

    def trigger(self, dag_id: str, logical_date: str, conf: Mapping[str, Any] | None = None) -> str:
        """Unpause ``dag_id`` and create a run for ``logical_date``; its run id."""
        self.request("PATCH", f"dags/{dag_id}", {"is_paused": False})
        run = self.request("POST", f"dags/{dag_id}/dagRuns", {"logical_date": logical_date, "conf": dict(conf or {})})
        return str(run["dag_run_id"])

    def run_state(self, dag_id: str, run_id: str) -> str:
        return str(self.request("GET", f"dags/{dag_id}/dagRuns/{run_id}")["state"])

    def wait_for_run(self, dag_id: str, run_id: str, *, timeout_s: float = 600) -> str:
        """The run's final state (``success`` or ``failed``)."""

        def finished() -> str | None:
            state = self.run_state(dag_id, run_id)
            return state if state in ("success", "failed") else None

        return str(self.wait_for(finished, f"run {run_id} of {dag_id} finishes", timeout_s=timeout_s, every_s=2))

    def xcom(self, dag_id: str, run_id: str, task_id: str, map_index: int = -1) -> Any:
        path = f"dags/{dag_id}/dagRuns/{run_id}/taskInstances/{task_id}/xcomEntries/return_value"
        return self.request("GET", f"{path}?map_index={map_index}&deserialize=true")["value"]

    # -- the metadata database ------------------------------------------------------------------
    def query(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        import psycopg2

        url = _with_database(self.postgres_url, self.database)
        with contextlib.closing(psycopg2.connect(url)) as db, db.cursor() as cursor:
            cursor.execute(sql, tuple(params))
            return list(cursor.fetchall())

    def task_tries(self, dag_id: str, run_id: str) -> list[dict[str, Any]]:
        """Every try of every task instance of the run (retried tries from the history table too)."""
        columns = "task_id, map_index, rendered_map_index, try_number, state, hostname, start_date, end_date"
        rows = self.query(
            f"SELECT {columns} FROM task_instance WHERE dag_id = %s AND run_id = %s "
            f"UNION ALL SELECT {columns} FROM task_instance_history WHERE dag_id = %s AND run_id = %s",
            (dag_id, run_id, dag_id, run_id),
        )
        names = [c.strip() for c in columns.split(",")]
        return [dict(zip(names, row, strict=True)) for row in rows]


@contextlib.contextmanager
def running_stack(home: Path, database: str, **options: Any) -> Iterator[Stack]:
    """A prepared, started stack; stopped, and its database dropped, on exit."""
    stack = Stack(home=home, database=database, **options)
    try:
        stack.prepare()
        yield stack
    finally:
        stack.stop()
        stack.drop()


def main(argv: list[str] | None = None) -> int:
    """Start the deployment and keep it up until Ctrl-C (its database is kept for the next start)."""
    parser = argparse.ArgumentParser(prog="python -m tools.stack", description=__doc__.split("\n\n")[0])
    parser.add_argument("--home", type=Path, default=REPO / ".stack", help="AIRFLOW_HOME (default: ./.stack)")
    parser.add_argument("--database", default="newsarchive_stack", help="PostgreSQL database of the metadata")
    parser.add_argument("--workers", type=int, default=2, help="Celery workers (default 2)")
    parser.add_argument("--concurrency", type=int, default=4, help="task slots per worker (default 4)")
    parser.add_argument("--fresh", action="store_true", help="drop and recreate the database first")
    args = parser.parse_args(argv)
    postgres = os.environ.get("STACK_POSTGRES_URL", DEFAULT_POSTGRES_URL)
    redis_url = os.environ.get("STACK_REDIS_URL", DEFAULT_REDIS_URL)
    missing = services_missing(postgres, redis_url)
    if missing:
        print(missing, file=sys.stderr)
        return 2
    passthrough = {k: v for k, v in os.environ.items() if k.startswith(("NEWSARCHIVE_", "AIRFLOW_VAR_", "AIRFLOW_CONN_"))}
    stack = Stack(
        home=args.home.resolve(), database=args.database, workers=[f"worker-{i + 1}" for i in range(args.workers)],
        concurrency=args.concurrency, postgres_url=postgres, redis_url=redis_url, extra_env=passthrough,
    )
    stack.prepare(fresh=args.fresh)
    from newsarchive.orchestration import POOLS

    stack.import_pools({pool.name: pool.slots for pool in POOLS})
    stack.start()
    print(f"Airflow UI and API: {stack.api}  (user {ADMIN}, password {stack.password})")
    print(f"components: {', '.join(stack.processes)}; logs in {stack.home / 'logs'}; Ctrl-C stops them")
    try:
        while True:
            time.sleep(5)
            dead = [n for n, p in stack.processes.items() if p.poll() is not None]
            if dead:
                print(f"{', '.join(dead)} exited: see {stack.home / 'logs'}", file=sys.stderr)
                return 1
    except KeyboardInterrupt:
        return 0
    finally:
        stack.stop()


if __name__ == "__main__":
    sys.exit(main())
