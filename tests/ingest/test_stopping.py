"""Stop signals: one request however many copies arrive within two seconds; a later one forces the stop.

Real signals sent to this process (pytest runs tests in its main thread, where Python runs handlers).
"""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Iterator

import pytest

from ingest import stopping
from ingest.budgets import BACKFILL_BUDGETS, Budgets, StopRequested
from ingest.stopping import StopSignals, request_stop, stop_requested


@pytest.fixture
def restore_handlers() -> Iterator[None]:
    saved = {signum: signal.getsignal(signum) for signum in stopping.STOP_SIGNALS}
    yield
    for signum, handler in saved.items():
        signal.signal(signum, handler)


@pytest.fixture
def no_stop_request(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(stopping, "_requested", [False])


def test_a_signal_repeated_at_once_is_one_request_and_a_later_one_forces(
        restore_handlers: None, monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    monkeypatch.setattr(stopping, "SAME_REQUEST_S", 0.3)
    calls: list[tuple[str, int]] = []
    StopSignals(on_stop=lambda s: calls.append(("stop", s)), on_force=lambda s: calls.append(("force", s))).install()
    os.kill(os.getpid(), signal.SIGTERM)  # to the process group ...
    os.kill(os.getpid(), signal.SIGTERM)  # ... and forwarded by the parent: the same request
    os.kill(os.getpid(), signal.SIGINT)
    assert calls == [("stop", signal.SIGTERM)]
    time.sleep(0.4)
    os.kill(os.getpid(), signal.SIGINT)  # asked again: force it
    assert calls == [("stop", signal.SIGTERM), ("force", signal.SIGINT)]
    assert signal.getsignal(signal.SIGTERM) == signal.SIG_IGN, "forced once; what follows is ignored"


def test_a_stop_request_ends_a_backfill_as_a_spent_budget_would(no_stop_request: None) -> None:
    budgets = Budgets({"requests": 10, "time": 0})
    assert set(budgets.limits) <= set(BACKFILL_BUDGETS)
    assert budgets.take("requests") and budgets.tick() and not stop_requested()
    request_stop()
    assert not budgets.tick() and budgets.stopped and budgets.reason == "interrupted"
    assert not budgets.allows("requests")
    with pytest.raises(StopRequested) as raised:
        budgets.check()
    assert raised.value.reason == "interrupted" and "stopped on request" in str(raised.value)
    assert budgets.exhausted is None, "no budget ran out"


def test_a_stop_request_ends_a_wait_early(no_stop_request: None) -> None:
    started = time.monotonic()
    stopping.sleep_unless_stopped(0.3)
    assert time.monotonic() - started >= 0.3, "no stop requested: the whole wait"
    threading.Timer(0.2, request_stop).start()
    started = time.monotonic()
    stopping.sleep_unless_stopped(60)
    waited = time.monotonic() - started
    assert stop_requested() and 0.2 <= waited < 0.2 + stopping.WAKE_EVERY_S + 0.5
