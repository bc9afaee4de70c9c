"""Stores: where archive objects live (a local directory or an S3 bucket).

``open_store(uri)`` picks the implementation from the URI:

- ``/path``, ``relative/path`` or ``file:///path`` → :class:`LocalStore`
- ``s3://bucket`` or ``s3://bucket/prefix`` → :class:`S3Store` (credentials and
  endpoint from boto3's standard chain: ``AWS_ENDPOINT_URL``, ``AWS_ACCESS_KEY_ID``,
  ``AWS_SECRET_ACCESS_KEY``, ``AWS_DEFAULT_REGION``, profiles, instance roles; ``aws``, a
  mapping of those names, wins over the chain for that store alone)
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit

from archive.stores.base import ObjectInfo, Store
from archive.stores.local import LocalStore
from core.errors import ArchiveLayoutError, ObjectNotFoundError, StoreAccessError
from core.settings import Settings, redact

if TYPE_CHECKING:
    from archive.stores.s3 import S3Store

__all__ = [
    "LocalStore",
    "ObjectInfo",
    "ObjectNotFoundError",
    "S3Store",
    "Store",
    "StoreAccessError",
    "open_store",
]


def open_store(
    uri: str, settings: Settings | None = None, *, aws: Mapping[str, str] | None = None, create: bool = True
) -> Store:
    """The store named by ``uri`` (see module docstring); ``create=False``: a local archive must exist."""
    uri = uri.strip()
    if not uri:
        raise ArchiveLayoutError("empty archive URI")
    scheme = urlsplit(uri).scheme.lower()
    if scheme == "s3":
        from archive.stores.s3 import S3Store

        return S3Store.from_uri(uri, settings, aws=aws)
    if scheme == "file":
        parts = urlsplit(uri)
        if parts.netloc not in ("", "localhost"):
            raise ArchiveLayoutError(f"file URI with a remote host is not supported: {redact(uri)}")
        return LocalStore(unquote(parts.path), create=create)
    if scheme and len(scheme) > 1:
        raise ArchiveLayoutError(f"unsupported archive URI scheme {scheme!r} (use a path, file:// or s3://)")
    return LocalStore(uri, create=create)


def __getattr__(name: str) -> Any:
    if name == "S3Store":
        from archive.stores.s3 import S3Store

        return S3Store
    raise AttributeError(name)
