"""A store in an S3 bucket (AWS, MinIO, SeaweedFS — any S3-compatible endpoint), through boto3.

- Credentials and endpoint come from boto3's standard chain (``AWS_ENDPOINT_URL``,
  ``AWS_ACCESS_KEY_ID``/``AWS_SECRET_ACCESS_KEY``, profiles, instance roles), or from ``aws``,
  a mapping of the same ``AWS_*`` names that wins over the chain for this store alone (an
  Airflow task's connection, without touching the process environment); they are never
  settings and never appear in an error message.
- Every put sends its SHA-256 (``ChecksumAlgorithm="SHA256"`` with ``ChecksumSHA256``),
  so the server rejects a body damaged in transit (400 BadDigest); the hex digest is
  also kept in the object's metadata (``x-amz-meta-sha256``), which is what reads are
  verified against — for multipart objects too, whose S3 checksum is a checksum of
  part checksums.
- Puts are conditional (``IfNoneMatch="*"``, 412 when the key exists): concurrent
  runs never overwrite a different version. Files above ``multipart_threshold``
  (WARC files) go up in parts, each part checksummed, completed conditionally.
- Throttling, 5xx and connection resets are retried by botocore's ``adaptive`` mode
  (``Settings.s3_max_attempts``; timeouts ``s3_connect_timeout_s``/``s3_read_timeout_s``).
- Server-side encryption (``AES256`` or ``aws:kms`` with a key id) and the storage
  class come from :class:`~core.settings.Settings`.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, BinaryIO
from urllib.parse import urlsplit

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from archive.stores.base import (
    Data,
    ObjectInfo,
    Store,
    VerifyingReader,
    sha256_of,
    validate_key,
)
from core.errors import (
    ArchiveLayoutError,
    ChecksumError,
    ObjectExistsError,
    ObjectNotFoundError,
    StoreAccessError,
    StoreError,
)
from core.settings import Settings, get_settings, redact

__all__ = ["S3Store", "validate_bucket", "validate_prefix"]

_BUCKET = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
_IP_LIKE = re.compile(r"^\d+\.\d+\.\d+\.\d+$")
_SSE = {"AES256", "aws:kms"}
_STORAGE_CLASSES = {
    "STANDARD", "REDUCED_REDUNDANCY", "STANDARD_IA", "ONEZONE_IA", "INTELLIGENT_TIERING",
    "GLACIER", "DEEP_ARCHIVE", "GLACIER_IR", "EXPRESS_ONEZONE",
}  # fmt: skip
_NOT_FOUND = {"404", "NoSuchKey", "NotFound"}
_EXISTS = {"412", "PreconditionFailed"}
_CREDENTIALS = {"SignatureDoesNotMatch", "InvalidAccessKeyId", "AccessDenied", "ExpiredToken", "InvalidToken"}
MIN_PART_SIZE = 5 * 1024 * 1024


def validate_bucket(bucket: str) -> str:
    """An S3 bucket name as AWS requires it (3-63 chars, lower case, no ``..``, not an IP)."""
    if not _BUCKET.match(bucket) or ".." in bucket or _IP_LIKE.match(bucket) or bucket.startswith("xn--"):
        raise ArchiveLayoutError(f"invalid S3 bucket name {bucket!r}")
    return bucket


def validate_prefix(prefix: str) -> str:
    """A key prefix: ``/``-separated safe segments (empty for the bucket root); no trailing slash."""
    prefix = prefix.strip("/")
    if prefix:
        try:
            validate_key(prefix)
        except ArchiveLayoutError:
            raise ArchiveLayoutError(f"invalid S3 prefix {prefix!r}") from None
    return prefix


def _b64(hex_digest: str) -> str:
    return base64.b64encode(bytes.fromhex(hex_digest)).decode("ascii")


class S3Store(Store):
    """Objects under ``s3://bucket/prefix``."""

    def __init__(
        self,
        bucket: str,
        prefix: str = "",
        *,
        settings: Settings | None = None,
        client: Any = None,
        max_attempts: int | None = None,
        aws: Mapping[str, str] | None = None,
    ) -> None:
        settings = settings or get_settings()
        self.bucket = validate_bucket(bucket)
        self.prefix = validate_prefix(prefix)
        self.uri = f"s3://{self.bucket}/{self.prefix}".rstrip("/")
        self.multipart_threshold = max(settings.s3_multipart_threshold, MIN_PART_SIZE)
        self.part_size = self.multipart_threshold
        self._extra = self._write_options(settings)
        config = Config(
            retries={"mode": "adaptive", "total_max_attempts": max_attempts or settings.s3_max_attempts},
            connect_timeout=settings.s3_connect_timeout_s,
            read_timeout=settings.s3_read_timeout_s,
            user_agent_extra="newsarchive",
        )
        aws = aws or {}
        self._session = boto3.session.Session(
            aws_access_key_id=aws.get("AWS_ACCESS_KEY_ID"),
            aws_secret_access_key=aws.get("AWS_SECRET_ACCESS_KEY"),
            aws_session_token=aws.get("AWS_SESSION_TOKEN"),
            region_name=aws.get("AWS_REGION") or aws.get("AWS_DEFAULT_REGION"),
        )
        endpoint = aws.get("AWS_ENDPOINT_URL_S3") or aws.get("AWS_ENDPOINT_URL")
        self.client = client or self._session.client("s3", config=config, endpoint_url=endpoint)
        credentials = self._session.get_credentials()
        self._secrets = tuple(
            s for s in ((credentials.secret_key, credentials.token) if credentials else ()) if s
        )

    @classmethod
    def from_uri(cls, uri: str, settings: Settings | None = None, *, aws: Mapping[str, str] | None = None) -> S3Store:
        parts = urlsplit(uri)
        if parts.scheme != "s3" or not parts.netloc:
            raise ArchiveLayoutError(f"not an s3://bucket/prefix URI: {redact(uri)}")
        if "@" in parts.netloc or parts.query or parts.fragment:
            raise ArchiveLayoutError(
                "credentials, query or fragment in an s3:// URI are not supported; use the AWS environment or profile"
            )
        return cls(parts.netloc, parts.path, settings=settings, aws=aws)

    @staticmethod
    def _write_options(settings: Settings) -> dict[str, str]:
        options: dict[str, str] = {}
        if settings.s3_sse:
            if settings.s3_sse not in _SSE:
                raise ArchiveLayoutError(f"s3_sse must be one of {sorted(_SSE)}, not {settings.s3_sse!r}")
            options["ServerSideEncryption"] = settings.s3_sse
            if settings.s3_sse == "aws:kms" and settings.s3_kms_key_id:
                options["SSEKMSKeyId"] = settings.s3_kms_key_id
        if settings.s3_storage_class:
            if settings.s3_storage_class not in _STORAGE_CLASSES:
                raise ArchiveLayoutError(f"unknown S3 storage class {settings.s3_storage_class!r}")
            options["StorageClass"] = settings.s3_storage_class
        return options

    # -- helpers ------------------------------------------------------------------------------

    def _key(self, key: str) -> str:
        validate_key(key)
        return f"{self.prefix}/{key}" if self.prefix else key

    def _error(self, operation: str, key: str, exc: Exception) -> StoreError:
        """A StoreError for ``exc`` with no credential in it."""
        where = f"s3://{self.bucket}/{self.prefix}/{key}" if self.prefix else f"s3://{self.bucket}/{key}"
        if isinstance(exc, ClientError):
            code = str(exc.response.get("Error", {}).get("Code", "?"))
            status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
            if code in _CREDENTIALS:
                message = f"S3 {operation} {where} refused: {code} — check AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY"
                return StoreAccessError(redact(message, self._secrets))
            message = f"S3 {operation} {where} failed: {code} (HTTP {status})"
        else:
            message = f"S3 {operation} {where} failed: {type(exc).__name__}: {exc}"
        return StoreError(redact(message, self._secrets))

    @staticmethod
    def _code(exc: ClientError) -> str:
        return str(exc.response.get("Error", {}).get("Code", ""))

    # -- Store API ----------------------------------------------------------------------------

    def put(
        self,
        key: str,
        data: Data,
        *,
        if_none_match: bool = True,
        sha256: str | None = None,
        content_type: str | None = None,
    ) -> ObjectInfo:
        digest, size = sha256_of(data)
        if sha256 is not None and sha256 != digest:
            raise ChecksumError(f"refusing to store {key}: data has sha256 {digest}, caller expected {sha256}")
        args: dict[str, Any] = {
            "Bucket": self.bucket,
            "Key": self._key(key),
            "Metadata": {"sha256": digest},
            **self._extra,
        }
        if content_type:
            args["ContentType"] = content_type
        if if_none_match:
            args["IfNoneMatch"] = "*"
        try:
            if isinstance(data, Path) and size > self.multipart_threshold:
                self._put_multipart(args, data)
            else:
                body = data if isinstance(data, bytes) else data.read_bytes()
                self.client.put_object(Body=body, ChecksumAlgorithm="SHA256", ChecksumSHA256=_b64(digest), **args)
        except ClientError as exc:
            if self._code(exc) in _EXISTS:
                existing = self.stat(key).sha256
                if existing == digest:
                    return ObjectInfo(key, size, digest)
                raise ObjectExistsError(f"{key} already holds a different object (sha256 {existing})") from None
            if self._code(exc) == "BadDigest":
                raise ChecksumError(f"S3 rejected {key}: body does not match its SHA-256 (BadDigest)") from None
            raise self._error("put", key, exc) from None
        except BotoCoreError as exc:
            raise self._error("put", key, exc) from None
        return ObjectInfo(key, size, digest)

    def _put_multipart(self, args: dict[str, Any], path: Path) -> None:
        complete_only = {"IfNoneMatch"}
        create = {k: v for k, v in args.items() if k not in complete_only}
        upload_id = self.client.create_multipart_upload(ChecksumAlgorithm="SHA256", **create)["UploadId"]
        parts: list[Any] = []
        try:
            with open(path, "rb") as fh:
                number = 1
                while chunk := fh.read(self.part_size):
                    checksum = base64.b64encode(hashlib.sha256(chunk).digest()).decode("ascii")
                    response = self.client.upload_part(
                        Bucket=args["Bucket"], Key=args["Key"], UploadId=upload_id, PartNumber=number,
                        Body=chunk, ChecksumAlgorithm="SHA256", ChecksumSHA256=checksum,
                    )  # fmt: skip
                    parts.append({"PartNumber": number, "ETag": response["ETag"], "ChecksumSHA256": checksum})
                    number += 1
            complete: dict[str, Any] = {"IfNoneMatch": args["IfNoneMatch"]} if "IfNoneMatch" in args else {}
            self.client.complete_multipart_upload(
                Bucket=args["Bucket"], Key=args["Key"], UploadId=upload_id, MultipartUpload={"Parts": parts}, **complete
            )
        except BaseException:
            with contextlib.suppress(ClientError, BotoCoreError):
                self.client.abort_multipart_upload(Bucket=args["Bucket"], Key=args["Key"], UploadId=upload_id)
            raise

    def open(self, key: str, *, sha256: str | None = None) -> BinaryIO:
        try:
            response = self.client.get_object(Bucket=self.bucket, Key=self._key(key))
        except ClientError as exc:
            if self._code(exc) in _NOT_FOUND:
                raise ObjectNotFoundError(f"no object {key} in {self.uri}") from None
            raise self._error("get", key, exc) from None
        except BotoCoreError as exc:
            raise self._error("get", key, exc) from None
        expected = sha256 or response.get("Metadata", {}).get("sha256")
        return VerifyingReader(response["Body"], key=key, expected_sha256=expected)  # type: ignore[arg-type,return-value]

    def read_range(self, key: str, offset: int, length: int) -> bytes:
        if length <= 0:
            return b""
        try:
            response = self.client.get_object(
                Bucket=self.bucket, Key=self._key(key), Range=f"bytes={offset}-{offset + length - 1}"
            )
            return bytes(response["Body"].read())
        except ClientError as exc:
            if self._code(exc) in _NOT_FOUND:
                raise ObjectNotFoundError(f"no object {key} in {self.uri}") from None
            raise self._error("get", key, exc) from None
        except BotoCoreError as exc:
            raise self._error("get", key, exc) from None

    def stat(self, key: str) -> ObjectInfo:
        try:
            head = self.client.head_object(Bucket=self.bucket, Key=self._key(key))
        except ClientError as exc:
            if self._code(exc) in _NOT_FOUND:
                raise ObjectNotFoundError(f"no object {key} in {self.uri}") from None
            raise self._error("head", key, exc) from None
        except BotoCoreError as exc:
            raise self._error("head", key, exc) from None
        return ObjectInfo(
            key=key,
            size=int(head["ContentLength"]),
            sha256=head.get("Metadata", {}).get("sha256"),
            last_modified=head.get("LastModified"),
        )

    def list(self, prefix: str = "", *, start_after: str | None = None) -> Iterator[ObjectInfo]:
        full = f"{self.prefix}/{prefix}" if self.prefix else prefix
        strip = len(self.prefix) + 1 if self.prefix else 0
        paginator = self.client.get_paginator("list_objects_v2")
        pages = (paginator.paginate(Bucket=self.bucket, Prefix=full) if start_after is None
                 else paginator.paginate(Bucket=self.bucket, Prefix=full, StartAfter=self._key(start_after)))  # fmt: skip
        try:
            for page in pages:
                for item in page.get("Contents", []):
                    yield ObjectInfo(key=item["Key"][strip:], size=int(item["Size"]), last_modified=item.get("LastModified"))
        except ClientError as exc:
            raise self._error("list", prefix, exc) from None
        except BotoCoreError as exc:
            raise self._error("list", prefix, exc) from None

    def delete(self, key: str) -> None:
        try:
            self.client.delete_object(Bucket=self.bucket, Key=self._key(key))
        except (ClientError, BotoCoreError) as exc:
            raise self._error("delete", key, exc) from None

    def close(self) -> None:
        self.client.close()
