"""Airflow sandboxes for the DAG tests.

Airflow reads its configuration when it is imported, so no test imports Airflow in the
pytest process: each DAG run, CLI call or scheduler runs in a subprocess whose environment
names its own ``AIRFLOW_HOME``. ``airflow db migrate`` (slow) runs once per session into a
template SQLite database; each sandbox starts from a copy of it, so tests never share state.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.dags.dag_runner import RESULT_PREFIX

REPO = Path(__file__).resolve().parents[2]
DAGS = REPO / "dags"
AIRFLOW = Path(sys.executable).with_name("airflow")


def base_environment(home: Path) -> dict[str, str]:
    """The environment of an Airflow subprocess living in ``home``: no AWS_* from the caller."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "AIRFLOW", "NEWSARCHIVE_"))}
    env.update(
        {
            "AIRFLOW_HOME": str(home),
            "AIRFLOW__CORE__DAGS_FOLDER": str(DAGS),
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            # A writer waits up to a minute for SQLite's lock (pysqlite's default is 5 s): with
            # ``standalone`` running, its scheduler and a CLI call such as ``backfill create``
            # write at once, and a 5 s wait failed on a loaded CI machine ("database is locked").
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{home / 'airflow.db'}?timeout=60",
            "AIRFLOW__CORE__UNIT_TEST_MODE": "False",
            "PYTHONPATH": str(REPO),
            # ``standalone`` starts its components as ``airflow …`` found on PATH: this environment's.
            "PATH": os.pathsep.join([str(AIRFLOW.parent), os.environ.get("PATH", "")]),
            "NEWSARCHIVE_DAG_RETRIES": "0",
            "NEWSARCHIVE_SPOOL_DIR": str(home / "spool"),
        }
    )
    return env


@dataclass
class DagResult:
    """What one ``dag.test()`` run left: the run state, every task instance's state, the output."""

    state: str
    tasks: list[dict[str, Any]]
    output: str

    def states(self, task_id: str) -> dict[str, str | None]:
        """``{label: state}`` of one (possibly mapped) task.

        The label is the rendered map index (the outlet id); a task that never ran (upstream
        failed) has none, so it borrows the label of its map index from its task group's sibling.
        """
        def own(t: dict[str, Any]) -> str | None:
            return t["label"] if t["label"] not in (None, "", str(t["map_index"])) else None

        labels = {t["map_index"]: own(t) for t in self.tasks if own(t)}
        return {
            str(own(t) or labels.get(t["map_index"]) or t["map_index"]): t["state"]
            for t in self.tasks
            if t["task_id"] == task_id
        }


@dataclass
class AirflowSandbox:
    """An Airflow home with a freshly migrated database, and ways to run things in it."""

    home: Path
    env: dict[str, str] = field(default_factory=dict)
    runs: int = 0

    def set(self, **values: str) -> None:
        self.env.update(values)

    def configure(self, *, outlets: list[dict[str, Any]], archive: str, s3: Any = None, **settings: str) -> Path:
        """Write the outlets file and point the DAGs at it and at ``archive``.

        With ``s3`` (the session SeaweedFS), its credentials reach the tasks only through the
        Airflow connection ``newsarchive_s3`` — never as ``AWS_*`` variables of the runner.
        """
        import yaml

        path = self.home / "outlets.yaml"
        path.write_text(yaml.safe_dump({"outlets": outlets}))
        self.set(NEWSARCHIVE_OUTLETS=str(path), AIRFLOW_VAR_NEWSARCHIVE_ARCHIVE=archive, **settings)
        if s3 is not None:
            connection = {
                "conn_type": "aws",
                "login": s3.access_key,
                "password": s3.secret_key,
                "extra": {"endpoint_url": s3.endpoint_url, "region_name": s3.region},
            }
            self.set(AIRFLOW_CONN_NEWSARCHIVE_S3=json.dumps(connection), AWS_EC2_METADATA_DISABLED="true")
        return path

    def run(self, args: list[str], *, timeout: float = 300, check: bool = True) -> subprocess.CompletedProcess[str]:
        proc = subprocess.run(
            args, env=self.env, cwd=REPO, capture_output=True, text=True, timeout=timeout, check=False
        )
        if check and proc.returncode != 0:
            raise AssertionError(f"{args[:3]} exited {proc.returncode}:\n{proc.stdout[-4000:]}\n{proc.stderr[-4000:]}")
        return proc

    def airflow(self, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
        return self.run([str(AIRFLOW), *args], timeout=timeout)

    def dag_test(self, dag_id: str, logical_date: str, conf: Mapping[str, Any] | None = None) -> DagResult:
        args = [sys.executable, "-m", "tests.dags.dag_runner", dag_id, logical_date]
        if conf is not None:
            args.append(json.dumps(conf))
        proc = self.run(args, timeout=400, check=False)
        output = proc.stdout + proc.stderr
        self.runs += 1
        (self.home / f"dag-test-{self.runs}-{dag_id}.log").write_text(output)
        lines = [line for line in proc.stdout.splitlines() if line.startswith(RESULT_PREFIX)]
        assert lines, f"dag.test of {dag_id} printed no result (exit {proc.returncode}):\n{output[-6000:]}"
        data = json.loads(lines[-1][len(RESULT_PREFIX) :])
        assert "import_errors" not in data, data
        return DagResult(state=data["state"], tasks=data["tasks"], output=output)


@pytest.fixture(scope="session")
def airflow_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated Airflow metadata database (SQLite), made once per session."""
    home = tmp_path_factory.mktemp("airflow-template")
    subprocess.run(
        [str(AIRFLOW), "db", "migrate"],
        env=base_environment(home),
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    return home / "airflow.db"


def new_sandbox(template: Path, home: Path) -> AirflowSandbox:
    """A sandbox in ``home`` (created) with a copy of the migrated ``template`` database."""
    home.mkdir(parents=True)
    shutil.copy(template, home / "airflow.db")
    return AirflowSandbox(home=home, env=base_environment(home))


@pytest.fixture
def airflow_sandbox(airflow_template: Path, tmp_path: Path) -> Iterator[AirflowSandbox]:
    yield new_sandbox(airflow_template, tmp_path / "airflow")
