"""The deployment tests' stack: tools/stack.py's processes on this machine's PostgreSQL and Redis.

Skipped, with one line saying what to start, on a machine where PostgreSQL (127.0.0.1:5432,
trust auth) or Redis (127.0.0.1:6379) does not answer; ``$STACK_POSTGRES_URL`` and
``$STACK_REDIS_URL`` point elsewhere. Each stack gets a fresh PostgreSQL database (dropped
after it) and a Redis database number of its own (emptied after it).
"""

from __future__ import annotations

import os

import pytest

from tools.stack import DEFAULT_POSTGRES_URL, DEFAULT_REDIS_URL, services_missing


@pytest.fixture(scope="session")
def stack_services() -> dict[str, str]:
    """``postgres_url`` and ``redis_url`` of the running services (skips the test when one is missing)."""
    urls = {
        "postgres_url": os.environ.get("STACK_POSTGRES_URL", DEFAULT_POSTGRES_URL),
        "redis_url": os.environ.get("STACK_REDIS_URL", DEFAULT_REDIS_URL),
    }
    missing = services_missing(**urls)
    if missing:
        pytest.skip(missing)
    return urls
