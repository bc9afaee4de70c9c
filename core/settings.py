"""Settings: every default of newsarchive in one place, overridden by environment and CLI.

Read a setting through :func:`get_settings` (cached) or build a :class:`Settings`
with overrides. Environment variables are ``NEWSARCHIVE_<FIELD>`` (upper case);
``NEWSARCHIVE_OUTLETS`` and ``NEWSARCHIVE_ARCHIVE`` name the outlets file and the
archive URI. S3 credentials are never settings: boto3's standard chain
(``AWS_*`` variables, profiles, instance roles) or an Airflow connection
provides them.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field, fields, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

__all__ = ["Settings", "get_settings", "redact"]

_TRUE = {"1", "true", "yes", "on"}


@dataclass(frozen=True)
class Settings:
    """All tunables, with their defaults. Field ``x`` is overridden by ``NEWSARCHIVE_X``."""

    outlets: Path = Path("outlets.yaml")
    archive: str = "archive"
    # Crawl politeness and limits.
    user_agent: str = "newsarchive/0.1 (+https://github.com/newsarchive/newsarchive; archiving bot)"
    contact_url: str = "https://github.com/newsarchive/newsarchive"
    concurrency: int = 4
    delay_s: float = 0.5
    autothrottle: bool = True
    download_timeout_s: float = 30.0
    download_maxsize: int = 20 * 1024 * 1024
    download_warnsize: int = 5 * 1024 * 1024
    retry_times: int = 3
    max_redirects: int = 5
    max_depth: int = 6
    max_section_pages: int = 50
    max_sitemap_urls: int = 200_000
    progress_interval_s: float = 30.0  # plain progress lines of a crawl without a terminal
    crawl_lease_s: float = 600.0  # one crawl per outlet at a time; renewed while it runs, a killed crawl's expires
    overlap_days: int = 2
    default_window_days: int = 7
    # Extraction.
    template_min_pages: int = 4  # a line on at least this many pages of one outlet and language ...
    template_min_share: float = 0.5  # ... and on at least this share of them is template text
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
    extra: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None, **overrides: Any) -> Settings:
        """Defaults, then ``NEWSARCHIVE_*`` environment variables, then ``overrides`` (not None)."""
        env = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for f in fields(cls):
            if f.name == "extra":
                continue
            raw = env.get(f"NEWSARCHIVE_{f.name.upper()}")
            if raw is not None and raw != "":
                values[f.name] = _coerce(f.type, raw)
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)

    def with_overrides(self, **overrides: Any) -> Settings:
        return replace(self, **{k: v for k, v in overrides.items() if v is not None})


def _coerce(type_name: Any, raw: str) -> Any:
    name = str(type_name)
    if name.startswith("int"):
        return int(raw)
    if name.startswith("float"):
        return float(raw)
    if name.startswith("bool"):
        return raw.strip().lower() in _TRUE
    if name.startswith("Path"):
        return Path(raw)
    return raw


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
