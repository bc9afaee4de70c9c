"""A run's outcome and exit code follow from its summary: committed, spooled, stopped early, unreachable."""

from __future__ import annotations

import pytest

from core.errors import ExitCode
from ingest.summary import RunOutcome, RunSummary


def summary(**fields: object) -> RunSummary:
    base: dict[str, object] = {"outlet_id": "demo", "run_id": "r", "archived": 3, "versions": 0, "skipped": {},
                               "failed": 0, "stats": {}, "seconds": 1.0}
    return RunSummary(**{**base, **fields})  # type: ignore[arg-type]


@pytest.mark.parametrize(("fields", "outcome", "code"), [
    ({}, RunOutcome.OK, ExitCode.OK),
    ({"archived": 0}, RunOutcome.OK, ExitCode.OK),  # nothing new is work done
    ({"stopped": "interrupted"}, RunOutcome.PARTIAL, ExitCode.PARTIAL),
    ({"stopped": "budget:requests"}, RunOutcome.PARTIAL, ExitCode.PARTIAL),
    ({"committed": False, "spooled": 4}, RunOutcome.PARTIAL, ExitCode.PARTIAL),
    ({"committed": True, "spooled": 1}, RunOutcome.PARTIAL, ExitCode.PARTIAL),
    ({"committed": False}, RunOutcome.FAILED, ExitCode.FAILED),
    ({"unreachable": True}, RunOutcome.FAILED, ExitCode.FAILED),
])
def test_outcome_and_exit_code(fields: dict[str, object], outcome: RunOutcome, code: ExitCode) -> None:
    assert summary(**fields).outcome is outcome
    assert outcome.exit_code is code


def test_new_fields_survive_the_json_form() -> None:
    original = summary(stopped="budget:time", spooled=2, unreachable=False)
    assert RunSummary.from_dict(original.to_dict()) == original
