"""Resumable backfill state: an interrupted Wayback backfill continues where it stopped.

One directory per (outlet, date range, Wayback base URL), under
``<state_dir>/<outlet>/<since>_<until>-<hash>/``:

- ``state.json`` — per CDX query its last resume key and whether it is done,
  rewritten atomically (temp file + rename) after every page;
- ``rows.jsonl`` — the CDX rows received so far, appended *before* the resume
  key moves on (a crash in between repeats one page; rows are deduplicated);
- ``done.jsonl`` — the captures already sent through ingest in a committed
  archive run, so a rerun fetches none of them again.

The state is a cache of work done, never the truth about the archive: deleting
it costs requests, not data (the archive itself refuses duplicates).
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

from core.settings import get_settings
from history.wayback.cdx import CdxClient, CdxQuery, CdxRow

__all__ = ["BackfillCheckpoint", "checkpointed_rows", "default_state_dir"]


def default_state_dir() -> Path:
    """The ``wayback_state_dir`` setting (``$NEWSARCHIVE_WAYBACK_STATE_DIR``, default ``~/.cache/newsarchive/wayback``)."""
    return get_settings().wayback_state_dir


class BackfillCheckpoint:
    """The state files of one backfill (see the module docstring)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.root.mkdir(parents=True, exist_ok=True)
        self._state_path = root / "state.json"
        self._rows_path = root / "rows.jsonl"
        self._done_path = root / "done.jsonl"
        self._state: dict[str, Any] = self._load()

    @classmethod
    def for_backfill(
        cls, state_dir: Path, outlet_id: str, since: date | None, until: date | None, wayback_url: str, options: str = ""
    ) -> BackfillCheckpoint:
        digest = hashlib.sha256(f"{wayback_url.rstrip('/')}|{options}".encode()).hexdigest()[:12]
        name = f"{since or 'start'}_{until or 'now'}-{digest}"
        return cls(state_dir / outlet_id / name)

    def _load(self) -> dict[str, Any]:
        try:
            data = json.loads(self._state_path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {"queries": {}}
        except (OSError, json.JSONDecodeError):
            return {"queries": {}}  # a damaged state file costs a restart, never a crash
        return data if isinstance(data.get("queries"), dict) else {"queries": {}}

    def _save(self) -> None:
        tmp = self._state_path.with_suffix(".tmp")
        tmp.write_text(json.dumps(self._state, sort_keys=True), encoding="utf-8")
        os.replace(tmp, self._state_path)

    @property
    def resumed(self) -> bool:
        """True when an earlier attempt of this backfill left state behind."""
        return bool(self._state["queries"]) or self._done_path.exists()

    # CDX paging
    def query_state(self, query_key: str) -> tuple[str | None, bool]:
        """(resume key, done) of a CDX query; (None, False) when it never started."""
        entry = self._state["queries"].get(query_key) or {}
        return entry.get("resume_key"), bool(entry.get("done"))

    def record_page(self, query_key: str, rows: Iterable[CdxRow], next_resume_key: str | None) -> None:
        """Append a page's rows, then move the query's resume key on (done when there is none)."""
        lines = [json.dumps([query_key_id(query_key), *row.to_json()]) for row in rows]
        if lines:
            with self._rows_path.open("a", encoding="utf-8") as out:
                out.write("\n".join(lines) + "\n")
                out.flush()
                os.fsync(out.fileno())
        entry = self._state["queries"].setdefault(query_key, {"pages": 0})
        entry["pages"] = int(entry.get("pages", 0)) + 1
        entry["resume_key"] = next_resume_key
        entry["done"] = next_resume_key is None
        self._save()

    def rows(self, query_key: str) -> Iterator[CdxRow]:
        """Every row recorded for ``query_key``, duplicates (from a repeated page) removed."""
        wanted = query_key_id(query_key)
        seen: set[tuple[str, str]] = set()
        if not self._rows_path.exists():
            return
        with self._rows_path.open(encoding="utf-8") as lines:
            for line in lines:
                try:
                    qid, *values = json.loads(line)
                    row = CdxRow.from_json(values)
                except (ValueError, TypeError):
                    continue  # a half-written last line after a crash
                if qid != wanted or (row.timestamp, row.original) in seen:
                    continue
                seen.add((row.timestamp, row.original))
                yield row

    # captures ingested
    def done_captures(self) -> set[tuple[str, str]]:
        """(timestamp, original URL) of every capture already ingested in a committed run."""
        done: set[tuple[str, str]] = set()
        if self._done_path.exists():
            for line in self._done_path.read_text(encoding="utf-8").splitlines():
                try:
                    timestamp, original = json.loads(line)
                except (ValueError, TypeError):
                    continue
                done.add((timestamp, original))
        return done

    def mark_done(self, captures: Iterable[tuple[str, str]]) -> None:
        lines = [json.dumps([timestamp, original]) for timestamp, original in captures]
        if lines:
            with self._done_path.open("a", encoding="utf-8") as out:
                out.write("\n".join(lines) + "\n")
                out.flush()
                os.fsync(out.fileno())

    def set_value(self, name: str, value: Any) -> None:
        self._state[name] = value
        self._save()

    def value(self, name: str, default: Any = None) -> Any:
        return self._state.get(name, default)


def query_key_id(query_key: str) -> str:
    return hashlib.sha256(query_key.encode()).hexdigest()[:16]


def checkpointed_rows(client: CdxClient, query: CdxQuery, checkpoint: BackfillCheckpoint) -> list[CdxRow]:
    """Every row of ``query``, walking only the pages an earlier attempt did not finish.

    Each page is recorded before the next is asked for, so an interruption (an
    outage, a kill) costs at most the page in flight.
    """
    resume_key, done = checkpoint.query_state(query.key)
    if not done:
        for page in client.pages(query, resume_key):
            checkpoint.record_page(query.key, page.rows, page.resume_key)
    return list(checkpoint.rows(query.key))
