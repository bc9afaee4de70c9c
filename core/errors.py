"""The one exception hierarchy of newsarchive.

Every error the project raises on purpose derives from :class:`NewsarchiveError`,
so the CLI can turn any of them into one clear line and a non-zero exit::

    NewsarchiveError
    ├── ConfigError              bad settings, bad outlets file (names file, outlet, field)
    │   └── UnknownOutletError   an outlet id that the registry does not list
    ├── ArchiveError             anything the archive cannot do
    │   ├── StoreError           a storage backend failed (S3 down, disk full, denied)
    │   │   ├── ObjectExistsError    a conditional put found a different object at the key
    │   │   ├── ObjectNotFoundError  no object at the key
    │   │   ├── StoreAccessError     credentials or permissions refused: configuration, not an outage
    │   │   └── ChecksumError        a stored object does not match its SHA-256
    │   ├── ArchiveLayoutError   a key, bucket or prefix that is not valid
    │   └── LeaseHeldError       another crawl of the same outlet is running (its lease has not expired)
    ├── ExtractionError          a page that cannot be turned into an article
    └── CrawlError               a crawl that could not run (not a single bad page: those are counted)

Messages never contain credentials: code that formats an error from a URI or
a botocore error passes it through :func:`core.settings.redact` first.

:class:`ExitCode` is the one table of exit codes every command uses (the README shows it).
"""

from __future__ import annotations

from enum import IntEnum

__all__ = [
    "ArchiveError",
    "ArchiveLayoutError",
    "ChecksumError",
    "ConfigError",
    "CrawlError",
    "ExitCode",
    "ExtractionError",
    "LeaseHeldError",
    "NewsarchiveError",
    "ObjectExistsError",
    "ObjectNotFoundError",
    "StoreAccessError",
    "StoreError",
    "UnknownOutletError",
]


class NewsarchiveError(Exception):
    """Base class of every error newsarchive raises on purpose."""


class ConfigError(NewsarchiveError):
    """Invalid settings or outlet registry; ``problems`` lists each one when there are several."""

    def __init__(self, message: str, problems: list[str] | None = None) -> None:
        super().__init__(message)
        self.problems = problems or [message]


class UnknownOutletError(ConfigError):
    """An outlet id that the registry does not list."""


class ArchiveError(NewsarchiveError):
    """The archive could not do what was asked."""


class StoreError(ArchiveError):
    """A storage backend failed."""


class ObjectExistsError(StoreError):
    """A conditional put found another object already at the key."""


class ObjectNotFoundError(StoreError):
    """No object at the key (a :class:`StoreError`, so callers may catch either)."""


class StoreAccessError(StoreError):
    """The store refused our credentials or permissions: a configuration problem, not an outage.

    Retrying or spooling would not help, so the archive raises it instead of spooling.
    """


class ChecksumError(StoreError):
    """A stored object does not match the SHA-256 recorded for it."""


class ArchiveLayoutError(ArchiveError):
    """A bucket, prefix or key that is not valid."""


class ExtractionError(NewsarchiveError):
    """A page that cannot be turned into an article."""


class CrawlError(NewsarchiveError):
    """A crawl that could not run at all."""


class LeaseHeldError(ArchiveError):
    """Another crawl holds the outlet's crawl lease."""


class ExitCode(IntEnum):
    """The exit code of every ``newsarchive`` command and job (0 means the work was done)."""

    #: The work was done: the run finished and committed (per-page outcomes such as 404s are counted, not failures).
    OK = 0
    #: Nothing was done: the site never answered, nothing could be committed, or the command could not run.
    FAILED = 1
    #: A mistake in the command: a bad option or setting, an invalid registry, an unknown outlet, no archive there.
    USAGE = 2
    #: ``verify`` found a missing or altered object.
    DAMAGED = 3
    #: The run ended early (interrupted, a budget hit) or part of its output could only be spooled; everything
    #: fetched was committed or spooled.
    PARTIAL = 4
