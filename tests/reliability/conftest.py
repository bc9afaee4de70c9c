"""Fixtures of the reliability suite: an S3 fault proxy in front of the session's SeaweedFS, per test.

(The suite's figures are reported by :mod:`tests.reliability.figures`, a plugin loaded by tests/conftest.py.)"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from loopback_servers.seaweedfs import S3Server
from tests.reliability.fault_proxy import S3FaultProxy
from tests.reliability.harness import FIGURES


@pytest.fixture
def fault_proxy(s3_server: S3Server) -> Iterator[S3FaultProxy]:
    """A fault proxy (no fault switched on yet) in front of the session SeaweedFS; its faults are counted."""
    with S3FaultProxy(s3_server.endpoint_url) as proxy:
        yield proxy
        FIGURES.faults_injected.update(f"s3 {r.outcome.removeprefix('fault:')}" for r in proxy.log
                                       if r.outcome.startswith("fault:"))


@pytest.fixture
def proxied_env(s3_server: S3Server, fault_proxy: S3FaultProxy) -> dict[str, str]:
    """``AWS_*`` variables of a crawl child that reaches S3 through the fault proxy."""
    return {**s3_server.env(), "AWS_ENDPOINT_URL": fault_proxy.endpoint_url}
