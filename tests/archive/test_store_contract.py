"""The Store contract: LocalStore and S3Store (on a real SeaweedFS) pass the very same tests."""

from __future__ import annotations

import base64
import hashlib
import os
import random
from collections.abc import Callable
from pathlib import Path

import pytest
from botocore.exceptions import ClientError

import archive
from archive import LocalStore, S3Store, Store, open_store
from core import errors
from core.errors import (
    ArchiveLayoutError,
    ChecksumError,
    ObjectExistsError,
    ObjectNotFoundError,
    StoreAccessError,
)
from core.settings import Settings
from loopback_servers.seaweedfs import S3Server


def corrupt(store: Store, key: str) -> None:
    """Change an object's bytes behind the store's back (bit rot, a tampering hand)."""
    if isinstance(store, LocalStore):
        path = store.path_of(key)
        data = bytearray(path.read_bytes())
        data[0] ^= 0xFF
        path.write_bytes(bytes(data))
        return
    assert isinstance(store, S3Store)
    head = store.client.head_object(Bucket=store.bucket, Key=store._key(key))
    body = store.client.get_object(Bucket=store.bucket, Key=store._key(key))["Body"].read()
    store.client.put_object(  # same recorded sha256 in the metadata, different bytes
        Bucket=store.bucket, Key=store._key(key), Body=bytes([body[0] ^ 0xFF]) + body[1:], Metadata=head["Metadata"]
    )


def test_put_get_exists_stat_list(store: Store) -> None:
    info = store.put("records/demo/a.json", b'{"a": 1}', content_type="application/json")
    store.put("records/demo/b.json", b'{"b": 2}')
    store.put("records/other/c.json", b"c")
    store.put("warc/demo/x.warc.gz", b"w")
    assert info.sha256 == hashlib.sha256(b'{"a": 1}').hexdigest() and info.size == 8
    assert store.get("records/demo/a.json") == b'{"a": 1}'
    assert store.exists("records/demo/b.json") and not store.exists("records/demo/zzz.json")
    stat = store.stat("records/demo/a.json")
    assert (stat.size, stat.sha256) == (8, info.sha256)
    assert [i.key for i in store.list("records/demo/")] == ["records/demo/a.json", "records/demo/b.json"]
    assert [i.key for i in store.list("records/")] == [
        "records/demo/a.json", "records/demo/b.json", "records/other/c.json",
    ]  # fmt: skip
    assert [i.key for i in store.list("records/d")] == ["records/demo/a.json", "records/demo/b.json"]
    assert len(list(store.list(""))) == 4
    assert store.read_range("records/demo/a.json", 2, 3) == b'a":'
    with pytest.raises(ObjectNotFoundError):
        store.get("records/demo/missing.json")
    with pytest.raises(ObjectNotFoundError):
        store.stat("records/demo/missing.json")


def test_list_starts_after_a_key(store: Store) -> None:
    """``start_after`` skips every key up to it (S3's StartAfter; the local store prunes whole directories).

    Not asked: a ``start_after`` that is exactly a "directory" of other keys (``commits/20261203``).
    S3 returns the keys under it; SeaweedFS skips them. The archive's one use
    (:func:`archive.layout.commit_log_start_after`) always ends in part of a key's last segment."""
    keys = ["commits/20261202/a", "commits/20261203/b", "commits/20261203/c", "commits/20261204/d", "records/x"]
    for key in keys:
        store.put(key, b"x")
    assert [i.key for i in store.list("commits/", start_after="commits/20261203/b")] == keys[2:4]
    assert [i.key for i in store.list("commits/", start_after="commits/20261203/a")] == keys[1:4]
    assert [i.key for i in store.list("commits/", start_after="commits/20261205")] == []
    assert [i.key for i in store.list("commits/", start_after="commits/20261203/z")] == keys[3:4]
    assert [i.key for i in store.list("commits/", start_after="commits/20261201/x")] == keys[:4], "no such folder"
    assert [i.key for i in store.list("", start_after="commits/20261204/d")] == ["records/x"]


def test_conditional_put_refuses_a_different_object_and_accepts_the_same_again(store: Store) -> None:
    store.put("runs/demo/r1/manifest.json", b"first")
    again = store.put("runs/demo/r1/manifest.json", b"first")  # a rerun: idempotent
    assert again.sha256 == hashlib.sha256(b"first").hexdigest()
    with pytest.raises(ObjectExistsError):
        store.put("runs/demo/r1/manifest.json", b"second")
    assert store.get("runs/demo/r1/manifest.json") == b"first"
    store.put("runs/demo/r1/manifest.json", b"second", if_none_match=False)  # explicit overwrite
    assert store.get("runs/demo/r1/manifest.json") == b"second"


def test_checksums_are_checked_on_write_and_verified_on_read(store: Store) -> None:
    with pytest.raises(ChecksumError):
        store.put("records/demo/bad.json", b"data", sha256=hashlib.sha256(b"other").hexdigest())
    assert not store.exists("records/demo/bad.json")
    store.put("records/demo/good.json", b"good data", sha256=hashlib.sha256(b"good data").hexdigest())
    with pytest.raises(ChecksumError):
        store.get("records/demo/good.json", sha256=hashlib.sha256(b"expected").hexdigest())
    corrupt(store, "records/demo/good.json")
    with pytest.raises(ChecksumError):
        store.get("records/demo/good.json")
    with pytest.raises(ChecksumError), store.open("records/demo/good.json") as stream:
        while stream.read(3):
            pass


@pytest.mark.parametrize("key", ["../escape", "/abs", "a//b", "a/./b", ".hidden/x", "a/b/", "spaces here", "a\\b", ""])
def test_unsafe_keys_are_refused(store: Store, key: str) -> None:
    with pytest.raises(ArchiveLayoutError):
        store.put(key, b"x")


def test_large_object_goes_up_in_parts_and_streams_back(store: Store, tmp_path: Path) -> None:
    rng = random.Random(5)
    path = tmp_path / "big.warc.gz"
    path.write_bytes(rng.randbytes(12 * 1024 * 1024 + 1234))  # 3 parts of 5 MB on S3
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    info = store.put("warc/demo/2026/10/03/big.warc.gz", path, sha256=digest)
    assert info.size == path.stat().st_size and info.sha256 == digest
    assert store.stat("warc/demo/2026/10/03/big.warc.gz").sha256 == digest
    streamed = hashlib.sha256()
    with store.open("warc/demo/2026/10/03/big.warc.gz") as stream:
        while chunk := stream.read(1 << 20):
            streamed.update(chunk)
    assert streamed.hexdigest() == digest
    assert store.read_range("warc/demo/2026/10/03/big.warc.gz", 6 * 1024 * 1024, 10) == path.read_bytes()[
        6 * 1024 * 1024 : 6 * 1024 * 1024 + 10
    ]
    store.put("warc/demo/2026/10/03/big.warc.gz", path)  # identical re-put of a multipart object
    other = tmp_path / "other.warc.gz"
    other.write_bytes(rng.randbytes(6 * 1024 * 1024))
    with pytest.raises(ObjectExistsError):
        store.put("warc/demo/2026/10/03/big.warc.gz", other)
    dest = tmp_path / "copy.warc.gz"
    store.download("warc/demo/2026/10/03/big.warc.gz", dest)
    assert dest.read_bytes() == path.read_bytes()


def test_delete_removes_the_object(store: Store) -> None:
    store.put("runs/demo/r/COMMITTED", b"{}")
    store.delete("runs/demo/r/COMMITTED")
    store.delete("runs/demo/r/COMMITTED")
    assert not store.exists("runs/demo/r/COMMITTED")
    store.put("runs/demo/r/COMMITTED", b"{}")  # a deleted key can be written again


# -- S3 specifics (the same contract is above) --------------------------------------------------


@pytest.mark.s3
def test_wrong_secret_fails_clearly_without_leaking_it(s3_bucket: str, monkeypatch: pytest.MonkeyPatch) -> None:
    wrong = "WrongSecret-" + "x" * 20
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", wrong)
    store = S3Store(s3_bucket, "p", settings=Settings(), max_attempts=1)
    with pytest.raises(StoreAccessError) as err:
        store.put("records/demo/a.json", b"{}")
    message = str(err.value)
    assert "SignatureDoesNotMatch" in message and "AWS_SECRET_ACCESS_KEY" in message
    assert wrong not in message and wrong not in repr(err.value)
    with pytest.raises(StoreAccessError):
        list(store.list(""))


@pytest.mark.s3
def test_explicit_aws_values_win_over_the_process_environment(
    s3_server: S3Server, s3_bucket: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The process environment names a wrong secret and an endpoint nobody listens on; the
    # mapping (an Airflow connection's values) is what this store alone uses.
    wrong = "WrongSecret-" + "y" * 20
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", wrong)
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9")
    before = dict(os.environ)
    store = open_store(f"s3://{s3_bucket}/explicit", Settings(), aws=s3_server.env())
    store.put("records/demo/a.json", b"{}")
    assert store.get("records/demo/a.json") == b"{}"
    assert dict(os.environ) == before  # nothing was exported to the process

    refused = open_store(f"s3://{s3_bucket}/explicit", Settings(), aws={**s3_server.env(), "AWS_SECRET_ACCESS_KEY": wrong})
    with pytest.raises(StoreAccessError) as err:
        refused.get("records/demo/a.json")
    assert wrong not in str(err.value) and wrong not in repr(err.value)


@pytest.mark.s3
def test_seaweedfs_rejects_a_wrong_digest_and_a_second_conditional_put(s3_server: S3Server, s3_bucket: str) -> None:
    client = s3_server.client()
    wrong = base64.b64encode(hashlib.sha256(b"not it").digest()).decode()
    with pytest.raises(ClientError) as err:
        client.put_object(Bucket=s3_bucket, Key="k", Body=b"data", ChecksumAlgorithm="SHA256", ChecksumSHA256=wrong)
    assert err.value.response["Error"]["Code"] == "BadDigest"
    client.put_object(Bucket=s3_bucket, Key="k2", Body=b"data", IfNoneMatch="*")
    with pytest.raises(ClientError) as err:
        client.put_object(Bucket=s3_bucket, Key="k2", Body=b"data", IfNoneMatch="*")
    assert err.value.response["ResponseMetadata"]["HTTPStatusCode"] == 412


@pytest.mark.s3
def test_encryption_and_storage_class_are_applied(s3_bucket: str) -> None:
    store = S3Store(s3_bucket, "", settings=Settings(s3_sse="AES256", s3_storage_class="STANDARD_IA"), max_attempts=2)
    store.put("records/demo/a.json", b"{}")
    head = store.client.head_object(Bucket=s3_bucket, Key="records/demo/a.json")
    assert head.get("ServerSideEncryption") == "AES256" and head.get("StorageClass") == "STANDARD_IA"


@pytest.mark.parametrize(
    "uri", ["s3://UPPER/x", "s3://ab/x", "s3://a..b/x", "s3://192.168.1.1/x", "s3://bucket/../x",
            "s3://bucket/a//b", "s3://key:secret@bucket/x", "s3://bucket/x?y=1"],
)  # fmt: skip
def test_bucket_and_prefix_are_validated(uri: str) -> None:
    with pytest.raises(ArchiveLayoutError) as err:
        open_store(uri, Settings())
    assert "secret" not in str(err.value).replace("s3://key:***", "")


def test_settings_are_validated() -> None:
    with pytest.raises(ArchiveLayoutError):
        S3Store("bucket", settings=Settings(s3_sse="rot13"))
    with pytest.raises(ArchiveLayoutError):
        S3Store("bucket", settings=Settings(s3_storage_class="CHEAP"))


def test_store_errors_live_in_the_one_hierarchy_and_the_archive_re_exports_them() -> None:
    assert issubclass(ObjectNotFoundError, errors.StoreError) and issubclass(StoreAccessError, errors.StoreError)
    assert archive.ObjectNotFoundError is ObjectNotFoundError and archive.StoreAccessError is StoreAccessError
    assert {"ObjectNotFoundError", "StoreAccessError"} <= set(errors.__all__) & set(archive.__all__)


def test_retries_and_timeouts_come_from_the_settings() -> None:
    settings = Settings.from_env({"NEWSARCHIVE_S3_MAX_ATTEMPTS": "3", "NEWSARCHIVE_S3_READ_TIMEOUT_S": "7.5"})
    config = S3Store("bucket", settings=settings).client.meta.config
    assert config.retries == {"mode": "adaptive", "total_max_attempts": 3}  # the first try included
    assert (config.connect_timeout, config.read_timeout) == (Settings().s3_connect_timeout_s, 7.5)
    assert S3Store("bucket", settings=settings, max_attempts=1).client.meta.config.retries["total_max_attempts"] == 1


def test_open_store_picks_the_backend(tmp_path: Path) -> None:
    make: Callable[[str], Store] = lambda uri: open_store(uri, Settings())  # noqa: E731
    assert isinstance(make(str(tmp_path / "a")), LocalStore)
    assert make((tmp_path / "b").as_uri()).uri == (tmp_path / "b").as_uri()
    s3 = make("s3://my-bucket/news/archive/")
    assert isinstance(s3, S3Store) and s3.uri == "s3://my-bucket/news/archive"
    with pytest.raises(ArchiveLayoutError):
        make("ftp://host/x")


def test_local_checksums_travel_with_their_files_and_older_archives_still_verify(tmp_path: Path) -> None:
    store = LocalStore(tmp_path / "store")
    key = "records/demo/2026/10/03/abc/v0001-x.json"
    store.put(key, b'{"a": 1}')
    directory = tmp_path / "store" / "records/demo/2026/10/03/abc"
    assert [p.name for p in directory.iterdir()] == ["v0001-x.json"]  # no second file per object
    assert os.getxattr(directory / "v0001-x.json", "user.newsarchive.sha256") == hashlib.sha256(b'{"a": 1}').hexdigest().encode()
    corrupt(store, key)
    with pytest.raises(ChecksumError):
        store.get(key)
    # an archive written when the checksums lived in sidecar files (beside, or under <root>/.sha256/)
    for name, sidecar in (("old.json", ".sha256/records/demo/old.json.sha256"), ("older.json", "records/demo/.older.json.sha256")):
        (tmp_path / "store" / "records/demo" / name).write_bytes(b"old bytes")
        (tmp_path / "store" / sidecar).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "store" / sidecar).write_text(hashlib.sha256(b"old bytes").hexdigest() + "\n")
        assert store.stat(f"records/demo/{name}").sha256 == hashlib.sha256(b"old bytes").hexdigest()
        corrupt(store, f"records/demo/{name}")
        with pytest.raises(ChecksumError):
            store.get(f"records/demo/{name}")
    # Where the file system has no user extended attributes the checksum goes to a sidecar. No file
    # system here lacks them on demand, so the store is told so (its own record of what it found).
    store._xattrs = False
    store.put("records/demo/2026/10/04/def/v0001-y.json", b"y")
    assert store.stat("records/demo/2026/10/04/def/v0001-y.json").sha256 == hashlib.sha256(b"y").hexdigest()
    assert (tmp_path / "store" / "records/demo/2026/10/04/def/.v0001-y.json.sha256").exists()
    # a sidecar left empty by a crash reads as none; the next put of the same bytes restores it
    (tmp_path / "store" / "records/demo/2026/10/04/def/.v0001-y.json.sha256").write_bytes(b"")
    assert store.stat("records/demo/2026/10/04/def/v0001-y.json").sha256 is None
    store.put("records/demo/2026/10/04/def/v0001-y.json", b"y")
    assert store.stat("records/demo/2026/10/04/def/v0001-y.json").sha256 == hashlib.sha256(b"y").hexdigest()
