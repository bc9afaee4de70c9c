"""The real-page floors (issue 16): run when the public development sets are on the machine.

The sets (trafilatura's and htmldate's evaluation pages) are not part of this project (nothing of
them may be committed here); point ``REALPAGES_TRAFILATURA`` and ``REALPAGES_HTMLDATE`` at clones
of the two repositories and this test measures every page and fails below a floor pinned in
``bench/realpages_floors.json``. Without them it is skipped; the committed gate pages for the same
failure classes are in ``gold/`` (``rp-*``), written here.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from bench.realpages import DEFAULT_CACHE, FLOORS, Sets, measures, pin, regressions, run

REPOS = (os.environ.get("REALPAGES_TRAFILATURA"), os.environ.get("REALPAGES_HTMLDATE"))


def test_floors_only_rise() -> None:
    floors = {"body_f1": 0.93, "dates_missing_max": 0.01}
    assert pin({"body_f1": 0.92, "dates_missing_max": 0.02}, floors) == floors
    assert pin({"body_f1": 0.94, "dates_missing_max": 0.005}, floors) == {"body_f1": 0.94, "dates_missing_max": 0.005}
    assert regressions({"body_f1": 0.92, "dates_missing_max": 0.005}, floors) == ["body_f1: 0.92 vs floor 0.93"]


@pytest.mark.skipif(not all(REPOS), reason="REALPAGES_TRAFILATURA / REALPAGES_HTMLDATE not set")
def test_real_pages_stay_at_or_above_their_floors() -> None:
    sets = Sets.load(Path(REPOS[0] or ""), Path(REPOS[1] or ""), DEFAULT_CACHE)
    scores, _ = run(sets)
    assert regressions(measures(scores), json.loads(FLOORS.read_text())) == []
