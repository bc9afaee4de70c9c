"""Jobs in a child process: a live crawl, a Wayback or a CC-NEWS backfill, one request shape and one result shape.

Scrapy's reactor cannot restart inside one process, and an Airflow worker runs many tasks, so
the DAGs, tests and benchmarks run each job in a fresh ``python -m newsarchive.jobs -`` process:

- the parent (:func:`run_job`) writes a :class:`JobRequest` as JSON on the child's stdin: the
  kind (``"crawl"``, ``"backfill"`` from the Wayback Machine or ``"ccnews"``), the outlets (registry entries), the archive URI, the date
  window, the job's options and the full :class:`~core.settings.Settings` — the child reads no
  ``NEWSARCHIVE_*`` variable; S3 credentials travel only in the child's environment;
- the child (:func:`main`) runs :func:`crawler.runner.run_crawl`,
  :func:`history.wayback.backfill_from_wayback` or :func:`history.ccnews.backfill_from_ccnews` with those settings and prints one JSON line,
  ``{"summaries": [...]}`` (one :class:`~ingest.summary.RunSummary` per outlet) or
  ``{"error": "..."}`` with exit code 1, credentials removed; its logs go to stderr.
"""

from __future__ import annotations

import json
import logging
import os
import resource
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path
from types import FrameType
from typing import Any

from core.errors import ConfigError, CrawlError, NewsarchiveError
from core.registry import Outlet
from core.settings import Settings, get_settings, redact
from ingest.stopping import stop_backfills_on_signals
from ingest.summary import RunSummary

__all__ = ["CHILD_COMMAND", "KINDS", "JobRequest", "child_env", "main", "run_job"]

#: What each kind of job runs in the child.
KINDS = ("crawl", "backfill", "ccnews")
#: The child's command line after the interpreter (``python -m newsarchive.jobs -``: the request on stdin).
CHILD_COMMAND = ("-m", "newsarchive.jobs", "-")
#: Where ``newsarchive`` is importable from in the child (this checkout).
ROOT = Path(__file__).resolve().parent.parent
#: The environment variables whose values never reach a log or an error.
SECRET_VARIABLES = ("AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN")


@dataclass
class JobRequest:
    """Everything a job needs, as JSON: what the child reads on stdin."""

    kind: str
    outlets: list[dict[str, Any]]
    archive_uri: str
    since: str | None = None
    until: str | None = None
    #: Keyword arguments of the job's function (``run_crawl``: refresh_days, throttle, progress;
    #: ``backfill_from_wayback``: wayback_url, pick, state_dir, batch_size; ``backfill_from_ccnews``:
    #: ccnews_url, state_dir).
    options: dict[str, Any] = field(default_factory=dict)
    settings: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def build(cls, kind: str, outlets: Sequence[Outlet], archive_uri: str, *, since: date | None,
              until: date | None, settings: Settings | None = None, **options: Any) -> JobRequest:  # fmt: skip
        """``options``: the job function's keyword arguments (paths become strings)."""
        if kind not in KINDS:
            raise ConfigError(f"unknown job kind {kind!r}: expected one of {list(KINDS)}")
        return cls(
            kind=kind,
            outlets=[outlet.model_dump(mode="json") for outlet in outlets],
            archive_uri=archive_uri,
            since=since.isoformat() if since else None,
            until=until.isoformat() if until else None,
            options={name: str(value) if isinstance(value, Path) else value for name, value in options.items()},
            settings=(settings or get_settings()).to_dict(),
        )

    def to_json(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def from_json(cls, text: str) -> JobRequest:
        return cls(**json.loads(text))

    def run(self) -> list[RunSummary]:
        """Run the job in this process (what the child does); one summary per outlet, in order."""
        outlets = [Outlet.model_validate(outlet) for outlet in self.outlets]
        since, until = _day(self.since), _day(self.until)
        settings = Settings.from_dict(self.settings)
        if self.kind == "crawl":
            from crawler.runner import run_crawl

            return run_crawl(outlets, self.archive_uri, since=since, until=until, settings=settings, **self.options)
        if self.kind == "backfill":
            from history.wayback import backfill_from_wayback

            options = dict(self.options)
            if options.get("state_dir") is not None:
                options["state_dir"] = Path(options["state_dir"])
            return [backfill_from_wayback(outlet, self.archive_uri, since, until, settings=settings, **options)
                    for outlet in outlets]  # fmt: skip
        if self.kind == "ccnews":
            from history.ccnews import backfill_from_ccnews

            options = dict(self.options)
            if options.get("state_dir") is not None:
                options["state_dir"] = Path(options["state_dir"])
            return [backfill_from_ccnews(outlet, self.archive_uri, since, until, settings=settings, **options)
                    for outlet in outlets]  # fmt: skip
        raise ConfigError(f"unknown job kind {self.kind!r}: expected one of {list(KINDS)}")


def _day(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        raise ConfigError(f"not a date (YYYY-MM-DD): {value!r}") from None


def child_env(env: Mapping[str, str] | None = None) -> dict[str, str]:
    """The child's environment: this one, ``env`` over it, and this checkout on ``PYTHONPATH``."""
    merged = {**os.environ, **(env or {})}
    merged["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), merged.get("PYTHONPATH", "")) if p)
    return merged


@contextmanager
def _child_handles_stop(child: subprocess.Popen[str]) -> Iterator[None]:
    """While the child runs, a stop request (Ctrl-C, SIGTERM) is the child's: it stops its job gracefully and reports.

    A terminal's Ctrl-C reaches the whole foreground process group, the child included; Scrapy
    closes its spiders (``stopped="interrupted"``, what was fetched committed) and prints its
    summaries, which this parent then reads. The parent must not die of the same signal, nor
    kill the child (what :func:`subprocess.run` does on ``KeyboardInterrupt``). A SIGTERM may
    reach this process alone (``kill``, ``docker stop``): it is forwarded to the child, and this
    process too waits for the child's report instead of dying and leaving the child crawling on
    unwatched. The child takes a copy that arrives beside a process-group signal as the same
    request (:mod:`ingest.stopping`). A handler installed before (Airflow's task runner calls its
    operator's ``on_kill``) still runs.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def forward(signum: int, frame: FrameType | None) -> None:
        if child.poll() is None:
            child.send_signal(signal.SIGTERM)
        if callable(previous_term):
            previous_term(signum, frame)

    previous_int = signal.signal(signal.SIGINT, signal.SIG_IGN)
    previous_term = signal.signal(signal.SIGTERM, forward)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous_int)
        signal.signal(signal.SIGTERM, previous_term)


def run_job(request: JobRequest, *, env: Mapping[str, str] | None = None, timeout_s: float | None = None,
            show_logs: bool = False) -> list[RunSummary]:  # fmt: skip
    """Run ``request`` in a fresh child process (``env`` over this environment); its summaries.

    The child's logs (and a crawl's progress display) are captured, or with ``show_logs``
    go to this process's stderr. Raises :class:`~core.errors.CrawlError`, credentials
    removed, when the job failed or did not finish within ``timeout_s``.
    """
    full_env = child_env(env)
    secrets = tuple(full_env.get(name, "") for name in SECRET_VARIABLES)
    # Started before Ctrl-C is ignored here (_child_handles_stop): the child must not inherit the ignored signal.
    child = subprocess.Popen(
        [sys.executable, *CHILD_COMMAND],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=None if show_logs else subprocess.PIPE,
        text=True,
        env=full_env,
    )
    with _child_handles_stop(child):
        try:
            stdout, stderr = child.communicate(request.to_json(), timeout=timeout_s)
        except subprocess.TimeoutExpired:
            child.kill()
            child.communicate()
            raise CrawlError(f"{request.kind} did not finish within {timeout_s} s") from None
    completed = subprocess.CompletedProcess(child.args, child.returncode, stdout, stderr)
    lines = completed.stdout.strip().splitlines()
    try:
        result = json.loads(lines[-1]) if lines else {}
    except json.JSONDecodeError:
        result = {}
    if completed.returncode != 0 or "summaries" not in result:
        if "error" in result:  # the job's own error, as the job raised it
            raise CrawlError(redact(str(result["error"]), secrets))
        detail = (completed.stderr or "").strip()[-2000:] or f"exit code {completed.returncode}"
        raise CrawlError(redact(f"{request.kind} subprocess failed: {detail}", secrets))
    return [RunSummary.from_dict(item) for item in result["summaries"]]


def main(argv: list[str] | None = None) -> int:
    """``python -m newsarchive.jobs -``: run the request on stdin, print its result line."""
    args = sys.argv[1:] if argv is None else argv
    if args != ["-"]:
        print(json.dumps({"error": "usage: python -m newsarchive.jobs - (the request as JSON on stdin)"}))
        return 2
    try:
        request = JobRequest.from_json(sys.stdin.read())
        if request.kind in ("backfill", "ccnews"):  # a crawl's logging and stop signals are Scrapy's (crawler.runner)
            logging.basicConfig(level=logging.INFO, stream=sys.stderr,
                                format="%(asctime)s %(name)s %(levelname)s %(message)s")  # fmt: skip
            stop_backfills_on_signals()
        summaries = request.run()
    except NewsarchiveError as exc:  # a project error says what is wrong in its own words
        print(json.dumps({"error": redact(str(exc))}), flush=True)
        return 1
    except (ValueError, TypeError, KeyError) as exc:  # a malformed request
        print(json.dumps({"error": redact(f"{type(exc).__name__}: {exc}")}), flush=True)
        return 1
    except KeyboardInterrupt:  # a second stop signal (ingest.stopping): what the run had read may be uncommitted
        print(json.dumps({"error": "stopped at once by a second Ctrl-C or SIGTERM"}), flush=True)
        return 1
    result = {"summaries": [summary.to_dict() for summary in summaries], "peak_rss": peak_rss()}
    print(json.dumps(result, default=str), flush=True)
    return 0


def peak_rss() -> int | None:
    """This job's peak resident memory in bytes: its own (``VmHWM``, since its exec) or its largest reaped
    child's (extraction workers), whichever is larger; None where ``/proc`` is absent.

    Not ``getrusage(RUSAGE_SELF)``: Linux carries the forking parent's peak across ``exec``, so a job
    started from a large process (a test runner, an Airflow worker) would report that process's size.
    """
    try:
        status = Path("/proc/self/status").read_text()
    except OSError:
        return None
    own = next((int(line.split()[1]) * 1024 for line in status.splitlines() if line.startswith("VmHWM:")), 0)
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
    return max(own, children)


if __name__ == "__main__":
    sys.exit(main())
