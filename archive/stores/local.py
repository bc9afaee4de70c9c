"""A store in a local directory: the embedded default (``./newsarchive-data`` or ``file:///path``).

Objects are plain files under the root, named by their key, so the archive can be
browsed, copied and served with ordinary tools. Writes are atomic: the data goes to
a hidden temporary file in the target directory and is then *linked* into place
(``os.link`` fails if the key exists, which makes the conditional put race-free
between processes). A key is therefore never visible half-written.

Durability is batched: instead of one ``fsync`` per object (milliseconds each),
:meth:`LocalStore.sync` flushes the whole file system once (``syncfs``), and a run
calls it before writing its manifest — so when a commit marker exists, everything
it vouches for is on disk. ``fsync=True`` syncs every object instead.

The SHA-256 of each object travels with its file as the extended attribute
``user.newsarchive.sha256``, set on the temporary file before it is linked into
place: an object never exists without its checksum, and recording it costs no file
of its own (creating files dominates the cost of archiving an article). Where the
file system has no user extended attributes, a hidden sidecar beside the object,
``<dir>/.<name>.sha256``, holds it instead; sidecars of older archives (also under
``<root>/.sha256/``) are still read. Copy an archive with ``cp -a`` or ``rsync -aX``
to keep the attributes — the manifests and the index hold every object's SHA-256
too, and ``download`` verifies against those.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import errno
import hashlib
import os
import secrets
import shutil
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO

from archive.stores.base import (
    CHUNK_SIZE,
    Data,
    ObjectInfo,
    Store,
    VerifyingReader,
    sha256_of,
    validate_key,
)
from core.errors import ChecksumError, ConfigError, ObjectExistsError, ObjectNotFoundError, StoreError

__all__ = ["LocalStore"]

_XATTR = "user.newsarchive.sha256"
_NO_XATTRS = {errno.ENOTSUP, errno.EOPNOTSUPP, errno.EPERM, errno.ENOSYS}
_OLD_SIDECARS = ".sha256"  # where sidecars lived before they moved beside their objects


def _load_syncfs() -> Callable[[int], int] | None:
    """libc's ``syncfs(fd)`` (Linux): flush one file system, not every one like ``os.sync``."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        return libc.syncfs  # type: ignore[no-any-return]
    except (OSError, AttributeError):
        return None


_syncfs = _load_syncfs()


class LocalStore(Store):
    """Objects as files under ``root``; checksums in an extended attribute (or a sidecar) of each."""

    def __init__(self, root: str | Path, *, fsync: bool = False, create: bool = True) -> None:
        """``create=False``: an archive that must exist already (readers such as ``verify``).

        A Python package (a directory with ``__init__.py``, e.g. the project's own ``archive/``)
        is refused: an archive never writes into source code.
        """
        self.root = Path(root).expanduser().resolve()
        if (self.root / "__init__.py").exists():
            raise ConfigError(f"{self.root}: a Python package, not an archive (choose another archive directory)")
        self._root = str(self.root)
        self.uri = self.root.as_uri()
        self.fsync = fsync
        self._xattrs: bool | None = None  # whether the file system takes user extended attributes
        if not create and not self.root.is_dir():
            raise StoreError(f"no archive at {self.root} (no such directory)")
        try:
            self.root.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(f"cannot create archive directory {self.root}: {exc.strerror}") from exc

    def path_of(self, key: str) -> Path:
        """The file holding ``key`` (it may not exist)."""
        return self.root / validate_key(key)

    def _sidecar_path(self, key: str) -> str:
        directory, _, name = key.rpartition("/")
        return os.path.join(self._root, directory, f".{name}.sha256")

    def _recorded_sha256(self, key: str) -> str | None:
        try:
            return os.getxattr(os.path.join(self._root, key), _XATTR).decode("ascii") or None
        except OSError:
            pass  # no such attribute (or file, or attributes at all): a sidecar may hold it
        for sidecar in (self._sidecar_path(key), os.path.join(self._root, _OLD_SIDECARS, key + ".sha256")):
            try:
                with open(sidecar, "rb") as fh:
                    return fh.read().decode("ascii").strip() or None
            except FileNotFoundError:
                continue
        return None

    def put(
        self,
        key: str,
        data: Data,
        *,
        if_none_match: bool = True,
        sha256: str | None = None,
        content_type: str | None = None,
    ) -> ObjectInfo:
        path = os.path.join(self._root, validate_key(key))
        digest, size = sha256_of(data)
        if sha256 is not None and sha256 != digest:
            raise ChecksumError(f"refusing to store {key}: data has sha256 {digest}, caller expected {sha256}")
        info = ObjectInfo(key=key, size=size, sha256=digest)
        try:
            tmp, tagged = self._write_temporary(path, data, digest)
            try:
                if if_none_match:
                    try:
                        os.link(tmp, path)
                    except FileExistsError:
                        return self._settle_existing(key, info)
                else:
                    os.replace(tmp, path)
            finally:
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(tmp)
            if not tagged:
                self._write_sidecar(key, digest)
        except OSError as exc:
            raise StoreError(f"cannot write {key} under {self.root}: {exc.strerror or exc}") from exc
        return info

    def _settle_existing(self, key: str, info: ObjectInfo) -> ObjectInfo:
        """A conditional put found an object at ``key``: the same bytes are fine, different ones are not."""
        recorded = self._recorded_sha256(key)
        existing = recorded or sha256_of(self.path_of(key))[0]
        if existing != info.sha256:
            raise ObjectExistsError(f"{key} already holds a different object (sha256 {existing})")
        if recorded is None:
            with open(self.path_of(key), "rb") as fh:
                tagged = self._tag(fh.fileno(), existing)
            if not tagged:
                self._write_sidecar(key, existing)
        return info

    def _tag(self, fd: int, digest: str) -> bool:
        """Record ``digest`` as the file's extended attribute; False where the file system has none."""
        if self._xattrs is False:
            return False
        try:
            os.setxattr(fd, _XATTR, digest.encode("ascii"))
        except OSError as exc:
            if exc.errno not in _NO_XATTRS:
                raise
            self._xattrs = False
            return False
        self._xattrs = True
        return True

    @staticmethod
    def _create(path: str) -> int:
        """``open(path, O_EXCL)``, creating missing parent directories (only when missing: a put
        into an existing directory costs no ``mkdir``)."""
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)
        try:
            return os.open(path, flags, 0o644)
        except FileNotFoundError:
            os.makedirs(os.path.dirname(path), exist_ok=True)
            return os.open(path, flags, 0o644)

    def _write_temporary(self, path: str, data: Data, digest: str) -> tuple[str, bool]:
        """``data`` in a hidden file beside ``path``, to be linked into place, and whether the
        file carries ``digest`` as its attribute."""
        directory, name = os.path.split(path)
        tmp = f"{directory}/.{name}.{secrets.token_hex(8)}.tmp"
        fd = self._create(tmp)
        try:
            with open(fd, "wb", closefd=False) as out:
                if isinstance(data, bytes):
                    out.write(data)
                else:
                    with open(data, "rb") as src:
                        shutil.copyfileobj(src, out, CHUNK_SIZE)
            tagged = self._tag(fd, digest)
            if self.fsync:
                os.fsync(fd)
        except BaseException:
            os.close(fd)
            os.unlink(tmp)
            raise
        os.close(fd)
        return tmp, tagged

    def _write_sidecar(self, key: str, digest: str) -> None:
        """Record the SHA-256 of ``key``: created in place when new (one write of 65 bytes; an
        empty sidecar left by a crash reads as none), replaced atomically otherwise."""
        sidecar = self._sidecar_path(key)
        line = (digest + "\n").encode("ascii")
        try:
            fd = self._create(sidecar)
        except FileExistsError:
            tmp = f"{sidecar}.{secrets.token_hex(8)}.tmp"
            with open(tmp, "wb") as out:
                out.write(line)
            os.replace(tmp, sidecar)
            return
        try:
            os.write(fd, line)
        finally:
            os.close(fd)

    def open(self, key: str, *, sha256: str | None = None) -> BinaryIO:
        path = self.path_of(key)
        try:
            raw = open(path, "rb")  # noqa: SIM115 - returned to the caller, closed by VerifyingReader
        except FileNotFoundError:
            raise ObjectNotFoundError(f"no object {key} in {self.uri}") from None
        except OSError as exc:
            raise StoreError(f"cannot read {key}: {exc.strerror or exc}") from exc
        expected = sha256 or self._recorded_sha256(key)
        return VerifyingReader(raw, key=key, expected_sha256=expected)  # type: ignore[return-value]

    def get(self, key: str, *, sha256: str | None = None) -> bytes:
        """Whole-object read without the streaming wrapper (the download hot path)."""
        try:
            with open(os.path.join(self.root, validate_key(key)), "rb") as fh:
                data = fh.read()
        except FileNotFoundError:
            raise ObjectNotFoundError(f"no object {key} in {self.uri}") from None
        except OSError as exc:
            raise StoreError(f"cannot read {key}: {exc.strerror or exc}") from exc
        expected = sha256 or self._recorded_sha256(key)
        if expected and hashlib.sha256(data).hexdigest() != expected:
            raise ChecksumError(f"checksum mismatch for {key}: expected sha256 {expected}")
        return data

    def read_range(self, key: str, offset: int, length: int) -> bytes:
        try:
            with open(self.path_of(key), "rb") as fh:
                fh.seek(offset)
                return fh.read(length)
        except FileNotFoundError:
            raise ObjectNotFoundError(f"no object {key} in {self.uri}") from None

    def stat(self, key: str) -> ObjectInfo:
        try:
            st = self.path_of(key).stat()
        except FileNotFoundError:
            raise ObjectNotFoundError(f"no object {key} in {self.uri}") from None
        return ObjectInfo(
            key=key,
            size=st.st_size,
            sha256=self._recorded_sha256(key),
            last_modified=datetime.fromtimestamp(st.st_mtime, UTC),
        )

    def list(self, prefix: str = "", *, start_after: str | None = None) -> Iterator[ObjectInfo]:
        base_dir = prefix.rpartition("/")[0]
        start = self.root / base_dir if base_dir else self.root
        after = start_after or ""
        found: list[ObjectInfo] = []
        for dirpath, dirnames, filenames in os.walk(start):
            rel_dir = Path(dirpath).relative_to(self.root).as_posix()
            within = "" if rel_dir == "." else f"{rel_dir}/"
            # not walked: hidden directories, and those whose every key sorts before start_after
            dirnames[:] = [d for d in dirnames if not d.startswith(".") and not _all_before(f"{within}{d}/", after)]
            for name in filenames:
                if name.startswith("."):
                    continue
                key = f"{within}{name}"
                if key.startswith(prefix) and key > after:
                    st = os.stat(os.path.join(dirpath, name))
                    found.append(ObjectInfo(key=key, size=st.st_size, last_modified=datetime.fromtimestamp(st.st_mtime, UTC)))
        found.sort(key=lambda info: info.key)
        yield from found

    def sync(self) -> None:
        fd = os.open(self.root, os.O_RDONLY)
        try:
            if _syncfs is None or _syncfs(fd) != 0:
                os.sync()
        finally:
            os.close(fd)

    def delete(self, key: str) -> None:
        self.path_of(key).unlink(missing_ok=True)
        for sidecar in (self._sidecar_path(key), os.path.join(self._root, _OLD_SIDECARS, key + ".sha256")):
            with contextlib.suppress(FileNotFoundError):
                os.unlink(sidecar)


def _all_before(directory: str, start_after: str) -> bool:
    """Every key under ``directory`` (``a/b/``) sorts at or before ``start_after``."""
    return bool(start_after) and directory < start_after and not start_after.startswith(directory)
