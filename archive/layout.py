"""The archive's key layout: the one module that turns what we archive into object keys.

Every key the archive writes is built here, from (outlet, date, canonical URL,
version), never from a raw URL path — so keys are short, safe on every store, and
a rerun computes the very same key for the same thing::

    <prefix>/
      warc/<outlet>/<YYYY>/<MM>/<DD>/<run_id>-<seq>.warc.gz       raw captures (WARC 1.1, gzip per record)
      records/<outlet>/<YYYY>/<MM>/<DD>/<url_id>-v<NNNN>-<text_id>.json  one JSON record per article version
      records/<outlet>/<YYYY>/<MM>/<DD>/<url_id>-v<NNNN>r<RR>-<text_id>.json  a re-extraction of it
      index/<outlet>/<run_id>.parquet                             index rows of one run
      runs/<outlet>/<run_id>/records.jsonl                        the run's records again, one per line (a pack)
      runs/<outlet>/<run_id>/manifest.json                        every object of the run + stats
      runs/<outlet>/<run_id>/COMMITTED                            commit marker, written last
      leases/<outlet>.json                                        the lease of the crawl running now, if any
      commits/<YYYYMMDD>/<committed_at>.<outlet>.<run_id>         the commit log: one small object per committed run

- ``<YYYY>/<MM>/<DD>`` of a record is the article's publication date (``undated``
  when unknown); of a WARC file, the day the run started (UTC).
- ``url_id`` = first 24 hex digits of SHA-256(canonical URL): all versions of an
  article sit side by side under the prefix ``…/<DD>/<url_id>-`` (one listing finds
  them). No directory per article: on a local store creating one costs as much as
  writing the record (archives written before kept ``<url_id>/v<NNNN>-…``; their new
  versions still go beside the old ones).
- ``v<NNNN>`` is the version number (1 for the first text seen) and ``text_id``
  the first 16 hex digits of SHA-256(text): two runs archiving the same version
  meet at the same key (the conditional put makes the second a no-op), while two
  concurrent runs that saw different texts write different keys — neither can
  overwrite the other.
- ``v<NNNN>r<RR>`` (``newsarchive reextract``): extraction revision ``RR`` of version ``NNNN`` —
  the same capture read again by a newer extractor. It sits beside the version it supersedes;
  ``download`` hands out the highest revision, the earlier ones stay readable.
- ``run_id`` = ``<YYYYMMDDTHHMMSS.ffffffZ>-<6 hex>``: its start time to the microsecond (strictly
  increasing within a process), then a random suffix; runs are ordered by :func:`run_order`.
  The start time decides which committed run is the *latest* (the template lines a crawl starts
  from are the latest run's), so it must not tie: ids written before had whole seconds only
  (``<YYYYMMDDTHHMMSSZ>-<6 hex>``, still read), and two runs of one second sorted by their random suffix.

Per article the archive makes one PUT (its record); WARC files (rolled at
``Settings.warc_max_bytes``), the index file, the records pack, the manifest and the
commit marker are a handful of PUTs per *run*, amortised over its articles. The pack
(:mod:`archive.packs`) holds the same bytes as the run's record objects, so
``download`` reads one object per run instead of one per article.

The commit log (``commits/``) repeats each commit marker under a key that sorts by commit time,
across outlets: a reader that keeps up with new commits (the search index of ``newsarchive serve``)
lists only the entries after the last it saw (:func:`commit_log_start_after`) instead of every run's
objects. It is a convenience written after the marker: the markers under ``runs/`` stay the truth
(runs committed before the log existed, or whose entry could not be written, have none).

``v<NNNN>`` counts versions in ingestion order; which version is the *latest* is decided
by capture time (:class:`archive.index.VersionInfo`), not by this number.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import threading
from datetime import UTC, date, datetime, timedelta

from core.errors import ArchiveLayoutError

__all__ = [
    "COMMIT_MARKER",
    "OUTLET_ID",
    "commit_key",
    "commit_log_key",
    "commit_log_start_after",
    "commit_log_time",
    "index_key",
    "index_prefix",
    "lease_key",
    "manifest_key",
    "new_run_id",
    "pack_key",
    "parse_commit_key",
    "parse_commit_log_key",
    "parse_index_key",
    "parse_run_file_key",
    "parse_warc_key",
    "record_key",
    "records_prefix",
    "reextraction_key",
    "run_order",
    "run_started_at",
    "runs_prefix",
    "sibling_version_key",
    "text_id",
    "url_id",
    "validate_outlet_id",
    "warc_key",
]

OUTLET_ID = re.compile(r"^[a-z0-9_-]+$")
#: ``<start, to the second>`` ``.<microseconds>`` (absent in ids written before) ``Z-<6 hex>``.
_RUN_ID = re.compile(r"^(\d{8}T\d{6})(?:\.(\d{6}))?Z-[0-9a-f]{6}$")
COMMIT_MARKER = "COMMITTED"
#: A record key: ``<article>`` is everything up to the version; ``sep`` is ``-`` (or ``/`` in
#: archives written before the per-article directory was dropped).
_RECORD_KEY = re.compile(r"^(?P<article>records/.+/[0-9a-f]{24})(?P<sep>[-/])v\d{4,}(?:r\d{2,})?-[0-9a-f]{16}\.json$")


def validate_outlet_id(outlet_id: str) -> str:
    """Return ``outlet_id`` if it is a valid outlet id, else raise :class:`ArchiveLayoutError`."""
    if not OUTLET_ID.match(outlet_id):
        raise ArchiveLayoutError(f"invalid outlet id {outlet_id!r} (expected [a-z0-9_-]+)")
    return outlet_id


def _run(run_id: str) -> str:
    if not _RUN_ID.match(run_id):
        raise ArchiveLayoutError(f"invalid run id {run_id!r}")
    return run_id


def _day(day: date | None) -> str:
    return f"{day.year:04d}/{day.month:02d}/{day.day:02d}" if day else "undated"  # strftime gives "999", not "0999"


def url_id(canonical_url: str) -> str:
    """The hashed identity of an article in keys."""
    return hashlib.sha256(canonical_url.encode("utf-8")).hexdigest()[:24]


def text_id(text_sha256: str) -> str:
    """The hashed identity of one version's text in keys."""
    if not re.fullmatch(r"[0-9a-f]{64}", text_sha256):
        raise ArchiveLayoutError(f"not a hex SHA-256: {text_sha256!r}")
    return text_sha256[:16]


_last_started = datetime.min.replace(tzinfo=UTC)
_last_started_lock = threading.Lock()


def new_run_id(started: datetime | None = None) -> str:
    """A new run id; without ``started``, now — later than every id this process made before (even
    when the clock reads the same microsecond twice or steps back), so its runs order as they began."""
    global _last_started
    if started is None:
        with _last_started_lock:
            started = max(datetime.now(UTC), _last_started + timedelta(microseconds=1))
            _last_started = started
    started = started.astimezone(UTC)
    return f"{started:%Y%m%dT%H%M%S.%fZ}-{secrets.token_hex(3)}"


def run_started_at(run_id: str) -> datetime:
    """The start time encoded in a run id (whole seconds in ids written before microseconds were)."""
    match = _RUN_ID.match(run_id)
    if not match:
        raise ArchiveLayoutError(f"invalid run id {run_id!r}")
    started = datetime.strptime(match.group(1), "%Y%m%dT%H%M%S").replace(tzinfo=UTC)
    return started.replace(microsecond=int(match.group(2) or 0))


def run_order(run_id: str) -> tuple[datetime, str]:
    """Sort key of run ids: by start time (oldest first), then id. The one way runs are ordered."""
    return run_started_at(run_id), run_id


def warc_key(outlet_id: str, run_id: str, seq: int) -> str:
    day = run_started_at(run_id).date()
    return f"warc/{validate_outlet_id(outlet_id)}/{_day(day)}/{run_id}-{seq:05d}.warc.gz"


def records_prefix(outlet_id: str | None = None) -> str:
    return f"records/{validate_outlet_id(outlet_id)}/" if outlet_id else "records/"


def _version_name(version: int, text_sha256: str) -> str:
    if version < 1:
        raise ArchiveLayoutError(f"invalid version {version!r}")
    return f"v{version:04d}-{text_id(text_sha256)}.json"


def record_key(outlet_id: str, published: date | None, canonical_url: str, version: int, text_sha256: str) -> str:
    """The key of one article version."""
    return f"{records_prefix(outlet_id)}{_day(published)}/{url_id(canonical_url)}-{_version_name(version, text_sha256)}"


def sibling_version_key(previous_key: str, version: int, text_sha256: str) -> str:
    """A new version of an article goes beside its previous versions (same ``<url_id>`` prefix)."""
    match = _RECORD_KEY.match(previous_key)
    if not match:
        raise ArchiveLayoutError(f"not a record key: {previous_key!r}")
    return f"{match.group('article')}{match.group('sep')}{_version_name(version, text_sha256)}"


def reextraction_key(original_key: str, version: int, revision: int, text_sha256: str) -> str:
    """The key of extraction ``revision`` (1, 2 ...) of the version stored at ``original_key``:
    ``<url_id>-v<NNNN>r<RR>-<text_id>.json`` beside it (same capture, a newer extractor's reading)."""
    match = _RECORD_KEY.match(original_key)
    if match is None or revision < 1:
        raise ArchiveLayoutError(f"not a record key or revision: {original_key!r}, {revision!r}")
    return f"{match['article']}{match['sep']}{_version_name(version, text_sha256).replace('-', f'r{revision:02d}-', 1)}"


def index_prefix(outlet_id: str | None = None) -> str:
    return f"index/{validate_outlet_id(outlet_id)}/" if outlet_id else "index/"


def index_key(outlet_id: str, run_id: str) -> str:
    return f"{index_prefix(outlet_id)}{_run(run_id)}.parquet"


def runs_prefix(outlet_id: str | None = None) -> str:
    return f"runs/{validate_outlet_id(outlet_id)}/" if outlet_id else "runs/"


def manifest_key(outlet_id: str, run_id: str) -> str:
    return f"{runs_prefix(outlet_id)}{_run(run_id)}/manifest.json"


def pack_key(outlet_id: str, run_id: str) -> str:
    return f"{runs_prefix(outlet_id)}{_run(run_id)}/records.jsonl"


def commit_key(outlet_id: str, run_id: str) -> str:
    return f"{runs_prefix(outlet_id)}{_run(run_id)}/{COMMIT_MARKER}"


def parse_commit_key(key: str) -> tuple[str, str] | None:
    """``(outlet_id, run_id)`` of a commit marker key, else None."""
    parts = key.split("/")
    if len(parts) == 4 and parts[0] == "runs" and parts[3] == COMMIT_MARKER and _RUN_ID.match(parts[2]):
        return parts[1], parts[2]
    return None


def parse_index_key(key: str) -> tuple[str, str] | None:
    """``(outlet_id, run_id)`` of an index file key, else None."""
    parts = key.split("/")
    if len(parts) == 3 and parts[0] == "index" and parts[2].endswith(".parquet"):
        run_id = parts[2].removesuffix(".parquet")
        if _RUN_ID.match(run_id):
            return parts[1], run_id
    return None


def parse_warc_key(key: str) -> tuple[str, str] | None:
    """``(outlet_id, run_id)`` of a WARC file key (the run that wrote it), else None."""
    parts = key.split("/")
    if len(parts) == 6 and parts[0] == "warc" and parts[5].endswith(".warc.gz"):
        run_id, _, seq = parts[5].removesuffix(".warc.gz").rpartition("-")
        if seq.isdigit() and _RUN_ID.match(run_id):
            return parts[1], run_id
    return None


def parse_run_file_key(key: str) -> tuple[str, str] | None:
    """``(outlet_id, run_id)`` of any object under ``runs/<outlet>/<run_id>/``, else None."""
    parts = key.split("/")
    if len(parts) == 4 and parts[0] == "runs" and _RUN_ID.match(parts[2]):
        return parts[1], parts[2]
    return None


COMMIT_LOG_PREFIX = "commits/"
_COMMIT_STAMP = "%Y%m%dT%H%M%S.%fZ"
_COMMIT_LOG_KEY = re.compile(r"^commits/\d{8}/(\d{8}T\d{6}\.\d{6}Z)\.([a-z0-9_-]+)\.([^/]+)$")


def commit_log_key(outlet_id: str, run_id: str, committed_at: datetime) -> str:
    """The commit log's entry for a run committed at ``committed_at`` (UTC): sorts by that time, across outlets."""
    stamp = committed_at.astimezone(UTC)
    return f"{COMMIT_LOG_PREFIX}{stamp:%Y%m%d}/{stamp.strftime(_COMMIT_STAMP)}.{validate_outlet_id(outlet_id)}.{_run(run_id)}"


def parse_commit_log_key(key: str) -> tuple[str, str] | None:
    """``(outlet_id, run_id)`` of a commit log entry, else None."""
    match = _COMMIT_LOG_KEY.match(key)
    if match is None or not _RUN_ID.match(match.group(3)):
        return None
    return match.group(2), match.group(3)


def commit_log_time(key: str) -> datetime:
    """The commit time a commit log entry's key records."""
    match = _COMMIT_LOG_KEY.match(key)
    if match is None:
        raise ArchiveLayoutError(f"not a commit log key: {key!r}")
    return datetime.strptime(match.group(1), _COMMIT_STAMP).replace(tzinfo=UTC)


def commit_log_start_after(since: datetime) -> str:
    """A listing of ``commits/`` that starts after this key holds every entry committed at ``since`` or later."""
    stamp = since.astimezone(UTC)
    return f"{COMMIT_LOG_PREFIX}{stamp:%Y%m%d}/{stamp.strftime(_COMMIT_STAMP)}"[:-1]  # just before that instant


def lease_key(outlet_id: str) -> str:
    """The crawl lease of ``outlet_id`` (see :mod:`archive.lease`)."""
    return f"leases/{validate_outlet_id(outlet_id)}.json"
