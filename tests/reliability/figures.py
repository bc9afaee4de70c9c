"""pytest plugin: the reliability suite's figures at the end of a session (docs/reliability.md quotes them).

Loaded from ``tests/conftest.py`` so that its hooks run in the pytest-xdist controller too: each worker
sends its :data:`~tests.reliability.harness.FIGURES` back in ``workeroutput`` and the controller adds
them up before the terminal summary.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.reliability.harness import FIGURES

_KEY = "newsarchive_reliability_figures"


def pytest_sessionfinish(session: pytest.Session) -> None:
    workeroutput = getattr(session.config, "workeroutput", None)
    if workeroutput is not None:  # an xdist worker: hand the figures to the controller
        workeroutput[_KEY] = FIGURES.to_dict()


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: Any) -> None:
    data = getattr(node, "workeroutput", {}).get(_KEY)
    if data:
        FIGURES.merge(data)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter, config: pytest.Config) -> None:
    if hasattr(config, "workeroutput") or not (FIGURES.crawl_runs or FIGURES.fuzz_inputs):
        return
    terminalreporter.section("reliability figures")
    for line in FIGURES.lines():
        terminalreporter.write_line(line)
