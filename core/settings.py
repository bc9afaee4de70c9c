"""Settings: every default of newsarchive in one place, overridden by environment and CLI.

Read a setting through :func:`get_settings` (cached) or build a :class:`Settings`
with overrides. Field ``x`` is overridden by the environment variable
``NEWSARCHIVE_X`` (upper case): ``NEWSARCHIVE_OUTLETS`` and ``NEWSARCHIVE_ARCHIVE``
name the outlets file and the archive URI, ``NEWSARCHIVE_DAG_*`` tune the Airflow
tasks. A value that does not parse as its field's type is a
:class:`~core.errors.ConfigError` naming the variable; a ``NEWSARCHIVE_*`` variable
that is no setting (a typo) is reported on stderr once per process, with the
closest known name. S3 credentials are never settings: boto3's standard chain
(``AWS_*`` variables, profiles, instance roles) or an Airflow connection provides them.
"""

from __future__ import annotations

import difflib
import os
import re
import sys
import types
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field, fields, replace
from functools import cache, lru_cache
from pathlib import Path
from typing import Any, Union, get_args, get_origin, get_type_hints

from core.errors import ConfigError

__all__ = ["ENV_PREFIX", "NOT_SETTINGS", "RETRY_HTTP_STATUSES", "Settings", "get_settings", "redact"]

ENV_PREFIX = "NEWSARCHIVE_"

#: ``NEWSARCHIVE_*`` variables that are legitimately no setting, with who reads them.
NOT_SETTINGS: dict[str, str] = {
    "NEWSARCHIVE_IMAGE": "docker-compose.yml: the Airflow image to run",
    "NEWSARCHIVE_OUTLETS_FILE": "docker-compose.yml: the outlets file mounted into the containers",
    "NEWSARCHIVE_BENCH_HOSTS": "bench/hosts_shim: host names the benchmarks resolve to loopback",
    "NEWSARCHIVE_PYWB_BIN": "tests/fixtures/pywb.py: where pywb is installed",
}

_BOOLEANS = {"1": True, "true": True, "yes": True, "on": True, "0": False, "false": False, "no": False, "off": False}

#: Response statuses worth another attempt after a pause, for every fetcher: a timeout
#: (408), rate limiting (429), server errors and Cloudflare's origin errors (520, 522, 524).
RETRY_HTTP_STATUSES: tuple[int, ...] = (408, 429, 500, 502, 503, 504, 520, 522, 524)


@dataclass(frozen=True)
class Settings:
    """All tunables, with their defaults. Field ``x`` is overridden by ``NEWSARCHIVE_X``."""

    outlets: Path = Path("outlets.yaml")
    # Relative to the working directory, and named so that it is never a package of the source tree.
    archive: str = "newsarchive-data"
    # Crawl politeness and limits.
    user_agent: str = "newsarchive/0.1 (+https://github.com/newsarchive/newsarchive; archiving bot)"
    contact_url: str = "https://github.com/newsarchive/newsarchive"
    concurrency: int = 4
    delay_s: float = 0.5
    autothrottle: bool = True
    max_crawl_delay_s: float = 30.0  # a robots.txt Crawl-delay is honoured up to this
    download_timeout_s: float = 30.0
    download_maxsize: int = 20 * 1024 * 1024
    download_warnsize: int = 5 * 1024 * 1024
    retry_times: int = 3
    retry_backoff_base_s: float = 0.5  # the n-th retry waits base * 2**(n-1) seconds (or what Retry-After asks) ...
    retry_backoff_max_s: float = 60.0  # ... at most this long
    max_redirects: int = 5
    max_depth: int = 6
    max_section_pages: int = 50
    max_sitemap_urls: int = 200_000
    # Budgets: a hostile or broken outlet cannot hold a crawl (or its worker's memory) without bound.
    # A crawl that hits one stops cleanly, commits what it fetched and ends partial ("budget:<name>");
    # 0 = no limit. One account for the crawl and the backfills: ingest/budgets.py.
    crawl_max_requests: int = 100_000  # requests sent, retries and redirects included ("budget:requests")
    crawl_max_sitemaps: int = 5_000  # sitemap and feed documents requested ("budget:sitemaps")
    crawl_max_sitemap_urls: int = 1_000_000  # entries read from all sitemaps and feeds together ("budget:sitemap_urls")
    crawl_max_pending: int = 100_000  # requests waiting in the scheduler (~2 KB of memory each) ("budget:pending")
    crawl_max_seconds: float = 6_000.0  # wall time, under dag_crawl_timeout_s so the crawl commits first ("budget:time")
    extract_timeout_s: float = 20.0  # one page's extraction, in a worker process; a page over it is "extract_timeout"
    extract_workers: int = 1  # worker processes reading a crawl process's pages (beside its reactor thread)
    # A polite crawl hands its pages to the workers this many at a time (a page read right after another costs less
    # CPU than one read after a wait: bench/README.md, polite) ...
    extract_batch: int = 8
    extract_batch_wait_s: float = 5.0  # ... or once the first of them has waited this long
    progress_interval_s: float = 30.0  # plain progress lines of a crawl without a terminal
    crawl_lease_s: float = 600.0  # one crawl per outlet at a time; renewed while it runs, a killed crawl's expires
    # Sitemaps, feeds and listings sent with the validators the outlet's last run saw (If-None-Match,
    # If-Modified-Since): a night with nothing new costs a few 304s (ingest/conditional.py).
    conditional_discovery: bool = True
    overlap_days: int = 2
    default_window_days: int = 7
    demo_port: int = 8765  # the demo outlet's port: part of its articles' identity, so the same on every run
    # Extraction.
    template_min_pages: int = 4  # a line on at least this many pages of one outlet and language ...
    template_min_share: float = 0.5  # ... and on at least this share of them is template text
    template_settled_pages: int = 20  # a backfill's batch removes a learned line only once its language has this many pages
    reextract_batch: int = 500  # `reextract` commits a run per this many changed extractions (what a crash can lose)
    # Archive.
    warc_max_bytes: int = 100 * 1024 * 1024
    spool_dir: Path = Path(os.path.expanduser("~/.cache/newsarchive/spool"))
    s3_sse: str | None = None
    s3_kms_key_id: str | None = None
    s3_storage_class: str | None = None
    s3_multipart_threshold: int = 16 * 1024 * 1024
    s3_max_attempts: int = 8  # every try of one S3 request (botocore adaptive retries: throttling, 5xx, resets)
    s3_connect_timeout_s: float = 5.0
    s3_read_timeout_s: float = 60.0
    # History.
    wayback_url: str = "https://web.archive.org"
    wayback_cdx_per_minute: int = 60
    wayback_replay_per_minute: int = 120
    wayback_state_dir: Path = Path(os.path.expanduser("~/.cache/newsarchive/wayback"))
    wayback_captures_per_url: int = 4  # captures tried per article before it is unrecoverable (200s nearest first)
    # History: CC-NEWS (Common Crawl's news crawl), and the budgets of every backfill.
    ccnews_url: str = "s3://commoncrawl"  # s3://<bucket> (boto3, anonymous) or an HTTP(S) base URL
    ccnews_state_dir: Path = Path(os.path.expanduser("~/.cache/newsarchive/ccnews"))
    ccnews_slack_days: int = 2  # WARC files written this long after the window still read (late captures)
    backfill_max_requests: int = 200_000  # per backfill (CDX + replay, or CC-NEWS WARC files); 0 = no limit
    backfill_max_seconds: float = 12 * 3600.0  # wall time per backfill ("budget:time"); 0 = no limit
    # Airflow DAGs (read when the DAG files are parsed, except alert_min_history: when the report runs).
    aws_conn_id: str = "newsarchive_s3"  # the Airflow connection holding the S3 credentials
    nightly_schedule: str = "0 2 * * *"  # cron, UTC
    backfill_schedule: str = "0 0 1 * *"  # cron, UTC: the data intervals `airflow backfill create` cuts
    dag_retries: int = 3  # each task, with exponential backoff ...
    dag_retry_delay_s: float = 300.0  # ... from this delay ...
    dag_max_retry_delay_s: float = 3600.0  # ... up to this one
    dag_crawl_timeout_s: float = 7200.0  # the execution timeout of one crawl task
    dag_max_parallel_crawls: int = 16  # crawl tasks of one nightly run at once
    alert_min_history: int = 5  # an outlet that yields nothing alarms once the archive held this many of its articles
    # The archive browser (`newsarchive serve`) and its search index (`newsarchive index`).
    search_cache_dir: Path = Path(os.path.expanduser("~/.cache/newsarchive/search"))  # one index file per archive URI
    search_refresh_s: float = 30.0  # how often a running server looks for newly committed runs (in the commit log)
    search_rescan_s: float = 3600.0  # how often it lists the whole archive instead (archive/search.py)
    search_timeout_s: float = 2.0  # a search query (and its counts) is cut off after this long
    search_page_size: int = 20
    search_max_results: int = 10_000  # the deepest page and the largest export of one search
    serve_host: str = "127.0.0.1"
    serve_port: int = 8787
    serve_token: str | None = field(default=None, repr=False)  # NEWSARCHIVE_SERVE_TOKEN: needed by --allow-remote

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
        """Defaults, then ``NEWSARCHIVE_*`` environment variables, then ``overrides`` (not None).

        Raises :class:`~core.errors.ConfigError` naming the variable whose value does not parse.
        """
        values = cls.read_environment(os.environ if environ is None else environ)
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)

    @classmethod
    def read_environment(cls, environ: Mapping[str, str]) -> dict[str, Any]:
        """The settings ``environ`` sets (empty values are unset), parsed, by field name.

        Warns once per process on stderr about each ``NEWSARCHIVE_*`` variable that is no setting.
        """
        names = _env_names()
        values: dict[str, Any] = {}
        for name, raw in environ.items():
            if not name.startswith(ENV_PREFIX):
                continue
            field_name = names.get(name)
            if field_name is None:
                if name not in NOT_SETTINGS:
                    _warn_unknown(name, [*names, *NOT_SETTINGS])
            elif raw != "":
                values[field_name] = _parse(name, _field_types()[field_name], raw)
        return values

    def with_overrides(self, **overrides: Any) -> Settings:
        return replace(self, **{k: v for k, v in overrides.items() if v is not None})

    def to_dict(self) -> dict[str, Any]:
        """Every setting as a JSON value (paths as strings): what a child process gets."""
        return {k: str(v) if isinstance(v, Path) else v for k, v in asdict(self).items()}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Settings:
        """The inverse of :meth:`to_dict`."""
        types_ = _field_types()
        values: dict[str, Any] = {
            k: Path(v) if v is not None and _base_type(types_[k]) is Path else v for k, v in data.items()
        }
        return cls(**values)


@cache
def _field_types() -> dict[str, Any]:
    return get_type_hints(Settings)


@cache
def _env_names() -> dict[str, str]:
    """Field name of each setting, by its environment variable."""
    return {f"{ENV_PREFIX}{f.name.upper()}": f.name for f in fields(Settings)}


def _base_type(hint: Any) -> Any:
    """``X`` of ``X`` or ``X | None``."""
    if get_origin(hint) in (Union, types.UnionType):
        (hint,) = (a for a in get_args(hint) if a is not type(None))
    return hint


def _parse_int(raw: str) -> int:
    return int(raw.strip())


def _parse_float(raw: str) -> float:
    value = float(raw.strip())
    if value != value or value in (float("inf"), float("-inf")):
        raise ValueError(raw)
    return value


def _parse_bool(raw: str) -> bool:
    return _BOOLEANS[raw.strip().lower()]


_PARSERS: dict[Any, tuple[Callable[[str], Any], str]] = {
    int: (_parse_int, "not an integer"),
    float: (_parse_float, "not a number"),
    bool: (_parse_bool, "not a boolean (use 1/0, true/false, yes/no, on/off)"),
    Path: (Path, "not a path"),
    str: (str, "not a string"),
}


def _parse(name: str, hint: Any, raw: str) -> Any:
    parse, problem = _PARSERS[_base_type(hint)]
    try:
        return parse(raw)
    except (KeyError, ValueError):
        raise ConfigError(f"{name}: {problem}: {raw!r}") from None


_warned: set[str] = set()


def _warn_unknown(name: str, known: list[str]) -> None:
    """One line on stderr, once per process and variable, naming the closest known variable."""
    if name in _warned:
        return
    _warned.add(name)
    # Compared without the common prefix, which would make every name look close.
    close = difflib.get_close_matches(name.removeprefix(ENV_PREFIX), [k.removeprefix(ENV_PREFIX) for k in known], n=1)
    hint = f" (did you mean {ENV_PREFIX}{close[0]}?)" if close else ""
    print(f"newsarchive: warning: {name} is not a newsarchive setting{hint}; ignored", file=sys.stderr)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings from the environment (cached; tests build their own)."""
    return Settings.from_env()


_SECRET_PATTERNS = (
    re.compile(r"(?i)(aws_secret_access_key|secret_access_key|secret|password|token|signature)(['\"]?\s*[=:]\s*['\"]?)([^\s'\",&]+)"),
    re.compile(r"(?i)(X-Amz-Signature=|X-Amz-Credential=|X-Amz-Security-Token=)([^&\s]+)"),
    re.compile(r"(?i)(://[^/:@\s]+:)([^@/\s]+)(@)"),
)


def redact(text: str, secrets: tuple[str, ...] = ()) -> str:
    """Remove credentials from ``text``: known secret values, ``key=value`` secrets, URL passwords."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, "***")
    for env_name in ("AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        value = os.environ.get(env_name)
        if value and len(value) >= 4:
            text = text.replace(value, "***")
    text = _SECRET_PATTERNS[0].sub(lambda m: m.group(1) + m.group(2) + "***", text)
    text = _SECRET_PATTERNS[1].sub(lambda m: m.group(1) + "***", text)
    text = _SECRET_PATTERNS[2].sub(lambda m: m.group(1) + "***" + m.group(3), text)
    return text
