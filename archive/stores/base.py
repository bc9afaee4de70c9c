"""The one storage interface of the archive: :class:`Store`.

A store maps keys (``/``-separated, validated) to immutable objects. Every put is
*checksummed* (SHA-256, computed here when the caller does not pass it) and by
default *conditional*: a put never replaces a different object already at the
key (:class:`~core.errors.ObjectExistsError`), while putting the very same
bytes again is a no-op, so a rerun is idempotent. Every read is *verified*
against the SHA-256 recorded at write time (:class:`~core.errors.ChecksumError`).

Two implementations pass the same contract tests (``tests/archive/test_store_contract.py``):
:class:`~archive.stores.local.LocalStore` and :class:`~archive.stores.s3.S3Store`.
"""

from __future__ import annotations

import hashlib
import io
import re
from abc import ABC, abstractmethod
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import BinaryIO

from core.errors import ArchiveLayoutError, ChecksumError, ObjectNotFoundError

__all__ = [
    "CHUNK_SIZE",
    "Data",
    "ObjectInfo",
    "Store",
    "VerifyingReader",
    "sha256_of",
    "validate_key",
]

CHUNK_SIZE = 1024 * 1024

#: What ``put`` accepts: the bytes themselves, or a local file to upload (streamed).
Data = bytes | Path

_SEGMENT = r"[A-Za-z0-9_=+-][A-Za-z0-9._=+-]*"
_KEY = re.compile(rf"^{_SEGMENT}(/{_SEGMENT})*$")


@dataclass(frozen=True)
class ObjectInfo:
    """What a store knows about one object."""

    key: str
    size: int
    sha256: str | None = None
    last_modified: datetime | None = None


def validate_key(key: str) -> str:
    """Return ``key`` if it is a safe object key, else raise :class:`ArchiveLayoutError`.

    Safe means: ``/``-separated segments of ``[A-Za-z0-9._=+-]`` that do not start
    with a dot and are not empty — so a key can name neither a path outside a local
    root, nor a hidden file of the local store, nor an ambiguous S3 object.
    """
    if not _KEY.match(key):
        raise ArchiveLayoutError(f"invalid object key {key!r}")
    return key


def sha256_of(data: Data) -> tuple[str, int]:
    """Hex SHA-256 and size of bytes or of a file (streamed)."""
    if isinstance(data, bytes):
        return hashlib.sha256(data).hexdigest(), len(data)
    digest = hashlib.sha256()
    size = 0
    with open(data, "rb") as fh:
        while chunk := fh.read(CHUNK_SIZE):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


class VerifyingReader(io.RawIOBase):
    """A read-only stream that hashes what passes through and checks the SHA-256 at EOF."""

    def __init__(self, raw: BinaryIO, *, key: str, expected_sha256: str | None) -> None:
        super().__init__()
        self._raw = raw
        self._key = key
        self._expected = expected_sha256
        self._digest = hashlib.sha256()
        self._checked = False

    def readable(self) -> bool:
        return True

    def read(self, size: int | None = -1) -> bytes:
        chunk = self._raw.read() if size is None or size < 0 else self._raw.read(size)
        if chunk:
            self._digest.update(chunk)
        if not chunk or size is None or size < 0:
            self._verify()
        return chunk

    def readall(self) -> bytes:
        return self.read(-1)

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        chunk = self.read(len(buffer))
        buffer[: len(chunk)] = chunk
        return len(chunk)

    def _verify(self) -> None:
        if self._checked:
            return
        self._checked = True
        if self._expected and self._digest.hexdigest() != self._expected:
            raise ChecksumError(
                f"checksum mismatch for {self._key}: expected sha256 {self._expected}, read {self._digest.hexdigest()}"
            )

    def close(self) -> None:
        try:
            self._raw.close()
        finally:
            super().close()


class Store(ABC):
    """Immutable, checksummed objects under validated keys."""

    #: A URI naming this store without credentials (``file:///…`` or ``s3://bucket/prefix``).
    uri: str

    @abstractmethod
    def put(
        self,
        key: str,
        data: Data,
        *,
        if_none_match: bool = True,
        sha256: str | None = None,
        content_type: str | None = None,
    ) -> ObjectInfo:
        """Store ``data`` at ``key``; return what was stored.

        With ``if_none_match`` (the default) a different object already at ``key``
        raises :class:`ObjectExistsError`; the same bytes again return quietly.
        ``sha256`` (hex) is checked against the data before anything is written.
        """

    @abstractmethod
    def open(self, key: str, *, sha256: str | None = None) -> BinaryIO:
        """A stream over the object, verified against ``sha256`` or the stored checksum at EOF."""

    @abstractmethod
    def read_range(self, key: str, offset: int, length: int) -> bytes:
        """``length`` bytes from ``offset`` (unverified: the caller checks the part it reads)."""

    @abstractmethod
    def stat(self, key: str) -> ObjectInfo:
        """Size and recorded SHA-256 of the object; :class:`ObjectNotFoundError` if absent."""

    @abstractmethod
    def list(self, prefix: str = "", *, start_after: str | None = None) -> Iterator[ObjectInfo]:
        """Objects whose key starts with ``prefix`` (and sorts after ``start_after``), in key order
        (``sha256`` may be None). ``start_after`` lets a reader list only what is new under a prefix
        whose keys grow in order (the commit log): S3 skips the rest server-side."""

    @abstractmethod
    def delete(self, key: str) -> None:
        """Remove the object (missing is fine). Used by ``abort`` and tests, never by a commit."""

    def get(self, key: str, *, sha256: str | None = None) -> bytes:
        """The whole object, verified (:class:`ChecksumError` on mismatch)."""
        with self.open(key, sha256=sha256) as stream:
            return stream.read()

    def exists(self, key: str) -> bool:
        try:
            self.stat(key)
        except ObjectNotFoundError:
            return False
        return True

    def download(self, key: str, dest: Path, *, sha256: str | None = None) -> ObjectInfo:
        """Copy the object to a local file atomically (``dest`` appears only when verified)."""
        tmp = dest.with_name(dest.name + ".part")
        size = 0
        with self.open(key, sha256=sha256) as stream, open(tmp, "wb") as out:
            while chunk := stream.read(CHUNK_SIZE):
                out.write(chunk)
                size += len(chunk)
        tmp.replace(dest)
        return ObjectInfo(key=key, size=size, sha256=sha256)

    def sync(self) -> None:  # noqa: B027 - optional hook
        """Make every object written so far durable (a no-op where each put already is)."""

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release connections (optional)."""

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.uri!r})"
