"""The export record: one article version as the archive stores it and ``download`` returns it.

:class:`ArticleRecord` is the one record of the project. The archive stores it as
one JSON object per version; JSONL, CSV and Parquet exports are views of it
(:data:`EXPORT_COLUMNS` lists the export columns in order, with their Parquet types;
:attr:`ArticleRecord.EXPORT_FIELDS` and :data:`EXPORT_SCHEMA` are read from it).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field, fields
from datetime import UTC, date, datetime
from typing import Any, ClassVar, NamedTuple, Protocol

import pyarrow as pa

from core.dates import parse_datetime, parse_day, parse_wayback_timestamp
from core.errors import ConfigError
from core.vocabulary import RecordSource

__all__ = [
    "EXPORT_COLUMNS", "EXPORT_SCHEMA", "ArticleRecord", "ExportColumn", "ExtractionLike", "RawPointer",
    "capture_time", "text_sha256",
]  # fmt: skip


class ExportColumn(NamedTuple):
    """One export column: the record field, its Arrow type in Parquet exports, and for a nested
    field (``dict`` or ``list`` of objects) the type of its empty value: Parquet holds its JSON text."""

    name: str
    arrow_type: pa.DataType
    nested: type[dict[str, Any]] | type[list[Any]] | None = None


#: The export columns, in order: JSONL objects, the CSV header and the Parquet schema all follow it.
#: Adding an export field is adding its line here (and the field to :class:`ArticleRecord`).
EXPORT_COLUMNS: tuple[ExportColumn, ...] = (
    ExportColumn("outlet", pa.string()),
    ExportColumn("url", pa.string()),
    ExportColumn("canonical_url", pa.string()),
    ExportColumn("title", pa.string()),
    ExportColumn("authors", pa.list_(pa.string())),
    ExportColumn("published", pa.string()),
    ExportColumn("modified", pa.string()),
    ExportColumn("language", pa.string()),
    ExportColumn("section", pa.string()),
    ExportColumn("tags", pa.list_(pa.string())),
    ExportColumn("text", pa.string()),
    ExportColumn("fetched_at", pa.string()),
    ExportColumn("source", pa.string()),
    ExportColumn("snapshot_timestamp", pa.string()),
    ExportColumn("sha256", pa.string()),
    ExportColumn("raw", pa.string(), nested=dict),
    ExportColumn("description", pa.string()),
    ExportColumn("image", pa.string()),
    ExportColumn("version", pa.int32()),
    ExportColumn("versions", pa.string(), nested=list),
)
#: The schema of a Parquet export.
EXPORT_SCHEMA: pa.Schema = pa.schema([(column.name, column.arrow_type) for column in EXPORT_COLUMNS])


def text_sha256(text: str) -> str:
    """SHA-256 (hex) of an article's text, the identity of a version."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def capture_time(snapshot_timestamp: str | None, fetched_at: str | None) -> datetime | None:
    """When the page was captured: the Wayback snapshot time (``YYYYMMDDhhmmss``, UTC) if any, else the fetch time.

    This, not the order in which the archive happened to ingest them, orders an article's
    versions: a backfilled snapshot from last month is older than yesterday's live fetch.
    """
    if snapshot_timestamp:
        text = snapshot_timestamp.strip()
        if text.isdigit():
            try:
                return parse_wayback_timestamp(text)
            except ValueError:
                pass
        elif (parsed := parse_datetime(text)) is not None:
            return parsed
    return parse_datetime(fetched_at)


def _iso(value: datetime | date | str | None) -> str | None:
    if value is None or isinstance(value, str):
        return value
    return value.isoformat()


@dataclass(frozen=True)
class RawPointer:
    """Where the raw capture of a response lives: a WARC file key and the WARC-Record-ID.

    ``offset``/``length`` locate the request+response records (gzip members) in the
    file, so ``download --format warc`` copies them without scanning the file.
    """

    warc_file: str
    record_id: str
    offset: int | None = None
    length: int | None = None

    def as_dict(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if v is not None}

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> RawPointer | None:
        if not data or not data.get("warc_file"):
            return None
        return cls(
            warc_file=data["warc_file"],
            record_id=data.get("record_id", ""),
            offset=data.get("offset"),
            length=data.get("length"),
        )


class ExtractionLike(Protocol):
    """What :meth:`ArticleRecord.from_extraction` reads (``extract.Extraction`` has it)."""

    title: str | None
    authors: list[str]
    published: datetime | None
    modified: datetime | None
    language: str | None
    section: str | None
    tags: list[str]
    canonical_url: str | None
    description: str | None
    image: str | None
    text: str
    details: dict[str, Any]


@dataclass
class ArticleRecord:
    """One version of one article (the export record of the project)."""

    outlet: str
    url: str
    canonical_url: str
    text: str
    title: str | None = None
    authors: list[str] = field(default_factory=list)
    published: str | None = None
    modified: str | None = None
    language: str | None = None
    section: str | None = None
    tags: list[str] = field(default_factory=list)
    fetched_at: str | None = None
    source: str = RecordSource.LIVE
    snapshot_timestamp: str | None = None
    sha256: str = ""
    raw: dict[str, Any] = field(default_factory=dict)
    # Details beyond the export columns.
    description: str | None = None
    image: str | None = None
    version: int = 1
    versions: list[dict[str, Any]] = field(default_factory=list)
    extraction: dict[str, Any] = field(default_factory=dict)

    #: The export columns' names, in order (:data:`EXPORT_COLUMNS`).
    EXPORT_FIELDS: ClassVar[tuple[str, ...]] = tuple(column.name for column in EXPORT_COLUMNS)

    def __post_init__(self) -> None:
        self.published = _iso(self.published)
        self.modified = _iso(self.modified)
        self.fetched_at = _iso(self.fetched_at) or datetime.now(UTC).isoformat()
        self.snapshot_timestamp = _iso(self.snapshot_timestamp)
        if isinstance(self.raw, RawPointer):
            self.raw = self.raw.as_dict()
        if not self.sha256:
            self.sha256 = text_sha256(self.text)

    @classmethod
    def from_extraction(
        cls,
        extraction: ExtractionLike,
        *,
        outlet: str,
        url: str,
        canonical_url: str,
        fetched_at: datetime | str,
        source: str = RecordSource.LIVE,
        snapshot_timestamp: str | None = None,
        raw: RawPointer | dict[str, Any] | None = None,
    ) -> ArticleRecord:
        """Build the record of a fresh extraction (``canonical_url`` from ``core.urls``)."""
        return cls(
            outlet=outlet,
            url=url,
            canonical_url=canonical_url,
            text=extraction.text,
            title=extraction.title,
            authors=list(extraction.authors),
            published=_iso(extraction.published),
            modified=_iso(extraction.modified),
            language=extraction.language,
            section=extraction.section,
            tags=list(extraction.tags),
            fetched_at=_iso(fetched_at),
            source=source,
            snapshot_timestamp=snapshot_timestamp,
            raw=raw.as_dict() if isinstance(raw, RawPointer) else dict(raw or {}),
            description=extraction.description,
            image=extraction.image,
            extraction=dict(extraction.details),
        )

    @property
    def published_day(self) -> date | None:
        """The publication date as written by the outlet (its local calendar day)."""
        return _day_of(self.published)

    @property
    def captured_at(self) -> datetime | None:
        """When this version was captured (see :func:`capture_time`): what orders versions."""
        return capture_time(self.snapshot_timestamp, self.fetched_at)

    @property
    def raw_pointer(self) -> RawPointer | None:
        return RawPointer.from_dict(self.raw)

    def to_dict(self) -> dict[str, Any]:
        """Every field (what the archive stores): the export columns first, in order, then the details."""
        data = {name: getattr(self, name) for name in self.EXPORT_FIELDS}
        data.update((f.name, getattr(self, f.name)) for f in fields(self) if f.name not in data)
        return data

    def to_export(self) -> dict[str, Any]:
        """The export columns in order (one JSONL object)."""
        return {name: getattr(self, name) for name in self.EXPORT_FIELDS}

    def to_json_bytes(self) -> bytes:
        return _COMPACT_JSON.encode(self.to_dict()).encode("utf-8")

    @staticmethod
    def export_line(stored: bytes, versions: list[dict[str, Any]] | None = None) -> bytes | None:
        """The JSONL export line of a stored record, cut from its bytes without re-encoding.

        A stored record is compact JSON whose keys are the export columns in order, then
        ``extraction`` (:meth:`to_json_bytes`). JSON escapes every quote inside strings, so the
        first unescaped ``,"extraction":`` is that key. ``versions`` replaces the stored list
        of versions (the last export column: its items hold no such key). Returns None for
        bytes of another shape (the caller then parses and re-encodes).
        """
        if not stored.startswith(_STORED_HEAD):
            return None
        cut = stored.find(_STORED_TAIL)
        if cut <= 0:
            return None
        if versions is None:
            return stored[:cut] + b"}"
        head = stored.rfind(_VERSIONS_KEY, 0, cut)
        if head <= 0:
            return None
        listed = _COMPACT_JSON.encode(versions).encode("utf-8")
        return stored[:head] + _VERSIONS_KEY + listed + b"}"

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ArticleRecord:
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known})

    @classmethod
    def from_json_bytes(cls, data: bytes) -> ArticleRecord:
        return cls.from_dict(json.loads(data))


_COMPACT_JSON = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))  # built once: records are many
_STORED_HEAD = b'{"outlet":'
_STORED_TAIL = b',"extraction":'
_VERSIONS_KEY = b',"versions":'


def _day_of(value: str | None) -> date | None:
    try:
        return parse_day(value)
    except ConfigError:
        return None
