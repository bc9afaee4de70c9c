"""Run manifests: what one crawl run wrote, and the commit marker that makes it count.

A :class:`Manifest` lists every object the run wrote (key, size, SHA-256), the
run's stats and date window, and the code version. It is written after all the
run's objects; the commit marker (``runs/<outlet>/<run_id>/COMMITTED``, holding
the manifest's SHA-256) is written after the manifest — last of all. Readers
only trust runs with a marker, so a crashed or aborted run is never mistaken
for a complete one.
"""

from __future__ import annotations

import json
import subprocess
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from importlib import metadata
from pathlib import Path
from typing import Any

from core.dates import DateWindow, parse_day
from core.settings import redact

__all__ = ["CommitMarker", "Manifest", "ManifestEntry", "code_version"]


@dataclass(frozen=True)
class ManifestEntry:
    key: str
    size: int
    sha256: str


@dataclass
class Manifest:
    run_id: str
    outlet: str
    source: str
    window: DateWindow
    started_at: str
    finished_at: str
    code_version: str
    stats: dict[str, Any] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)
    objects: list[ManifestEntry] = field(default_factory=list)
    #: False when the store failed and the run's objects were spooled instead (see ``spooled``).
    committed: bool = True
    spooled: list[str] = field(default_factory=list)
    #: How the run ended (:class:`ingest.summary.RunOutcome`: ok, partial, failed); only an ``ok`` run
    #: moves the outlet's default window (``ArchiveIndex.last_successful_run``).
    outcome: str = "ok"

    def to_json_bytes(self) -> bytes:
        data = asdict(self)
        window = self.window.to_dict()
        data["window"] = [window["since"], window["until"]]  # on disk: [since, until], ISO days or null
        text = json.dumps(data, ensure_ascii=False, indent=1, sort_keys=False, default=str)
        return redact(text).encode("utf-8")

    @classmethod
    def from_json_bytes(cls, data: bytes) -> Manifest:
        raw = json.loads(data)
        since, until = raw.get("window") or (None, None)
        raw["window"] = DateWindow(parse_day(since, "window"), parse_day(until, "window"))
        raw["objects"] = [ManifestEntry(**entry) for entry in raw.get("objects", [])]
        return cls(**raw)


@dataclass(frozen=True)
class CommitMarker:
    run_id: str
    manifest_key: str
    manifest_sha256: str
    committed_at: str
    #: The manifest's outcome, repeated here so the last successful run is found from markers alone.
    outcome: str = "ok"

    def to_json_bytes(self) -> bytes:
        return json.dumps(asdict(self)).encode("utf-8")

    @classmethod
    def from_json_bytes(cls, data: bytes) -> CommitMarker:
        return cls(**json.loads(data))


@lru_cache(maxsize=1)
def code_version() -> str:
    """``newsarchive <version>`` plus the git commit when run from a checkout."""
    try:
        version = metadata.version("newsarchive")
    except metadata.PackageNotFoundError:
        version = "unknown"
    repo = Path(__file__).resolve().parent.parent
    if (repo / ".git").exists():
        try:
            commit = subprocess.run(
                ["git", "-C", str(repo), "rev-parse", "--short=12", "HEAD"],
                capture_output=True, text=True, timeout=5, check=True,
            ).stdout.strip()
            return f"newsarchive {version} ({commit})"
        except (OSError, subprocess.SubprocessError):
            pass
    return f"newsarchive {version}"
