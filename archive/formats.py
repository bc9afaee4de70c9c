"""Output formats of ``download``: JSONL, CSV, Parquet (staged as JSONL) and WARC re-packing.

Each writer receives the export columns of one record (:attr:`ArticleRecord.EXPORT_FIELDS`,
in order); :class:`WarcRepacker` instead copies the raw captures of the record — the
gzip members of its request and response, located by the index — verbatim, after
checking their WARC block digests.
"""

from __future__ import annotations

import csv
import io
import json
import os
from pathlib import Path
from typing import IO, Any

import pyarrow as pa
import pyarrow.parquet as pq
from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed
from warcio.warcwriter import WARCWriter

from archive.record import EXPORT_COLUMNS, EXPORT_SCHEMA, ArticleRecord
from archive.stores.base import Store
from core.errors import ChecksumError, StoreError

__all__ = [
    "PARQUET_ROW_GROUP",
    "CsvWriter",
    "JsonlWriter",
    "RecordWriter",
    "WarcRepacker",
    "jsonl_to_parquet",
    "verify_warc_members",
]

PARQUET_ROW_GROUP = 5_000


_COMPACT_JSON = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


def _csv_value(value: Any) -> Any:
    if isinstance(value, list | dict):
        return _COMPACT_JSON.encode(value)
    return value


class _Utf8Text:
    """The text face of a binary file for :func:`csv.writer`: one encode and one write per row
    (a ``TextIOWrapper`` with ``write_through`` took ~70 µs a row)."""

    def __init__(self, fh: IO[bytes]) -> None:
        self.fh = fh

    def write(self, text: str) -> int:
        return self.fh.write(text.encode("utf-8"))


class RecordWriter:
    """Appends records to an open binary file; ``count`` is what it wrote."""

    count = 0

    def begin(self) -> None:
        """Write a header (CSV)."""

    def write(self, record: dict[str, Any]) -> None:
        """Write one record's export columns."""
        raise NotImplementedError

    def write_row(self, row: dict[str, Any]) -> None:
        raise NotImplementedError

    def write_line(self, line: bytes) -> None:
        raise NotImplementedError


class JsonlWriter(RecordWriter):
    def __init__(self, fh: IO[bytes]) -> None:
        self.fh = fh
        self.count = 0

    def write_line(self, line: bytes) -> None:
        self.fh.write(line + b"\n")
        self.count += 1

    def write(self, record: dict[str, Any]) -> None:
        self.fh.write(_COMPACT_JSON.encode(record).encode("utf-8") + b"\n")
        self.count += 1


class CsvWriter(RecordWriter):
    def __init__(self, fh: IO[bytes]) -> None:
        self.csv = csv.writer(_Utf8Text(fh))
        self.count = 0

    def begin(self) -> None:
        self.csv.writerow(ArticleRecord.EXPORT_FIELDS)

    def write(self, record: dict[str, Any]) -> None:
        self.csv.writerow([_csv_value(value) for value in record.values()])
        self.count += 1


class WarcRepacker(RecordWriter):
    """Re-packs the raw captures of the selection: the request/response gzip members, copied verbatim.

    A row without a raw capture, or whose capture the store cannot read, is counted in
    :attr:`missing_raw` (the store's error kept in :attr:`errors`) and skipped.
    """

    def __init__(self, fh: IO[bytes], store: Store) -> None:
        self.fh = fh
        self.store = store
        self.count = 0
        self.missing_raw = 0
        self.errors: list[str] = []

    def begin(self) -> None:
        buffer = io.BytesIO()
        writer = WARCWriter(buffer, gzip=True, warc_version="1.1")
        writer.write_record(writer.create_warcinfo_record("export.warc.gz", {"software": "newsarchive download"}))
        self.fh.write(buffer.getvalue())

    def write_row(self, row: dict[str, Any]) -> None:
        if not row.get("warc_file") or row.get("raw_offset") is None or not row.get("raw_length"):
            self.missing_raw += 1
            return
        try:
            data = self.store.read_range(row["warc_file"], row["raw_offset"], row["raw_length"])
        except StoreError as exc:
            self.missing_raw += 1
            self.errors.append(str(exc))
            return
        verify_warc_members(data, row["warc_file"], row["record_id"])
        self.fh.write(data)
        self.count += 1


def verify_warc_members(data: bytes, warc_file: str, record_id: str | None) -> None:
    """Check the block digests of copied WARC records and that they are the expected capture."""
    ids = []
    try:
        for record in ArchiveIterator(io.BytesIO(data), check_digests="raise"):
            record.content_stream().read()
            ids.append(record.rec_headers.get_header("WARC-Record-ID"))
    except ArchiveLoadFailed as exc:
        raise ChecksumError(f"raw capture {record_id} in {warc_file} is corrupt: {exc}") from exc
    if record_id and record_id not in ids:
        raise ChecksumError(f"raw capture {record_id} not found at the recorded offset of {warc_file}")


def jsonl_to_parquet(staged: Path, out: Path) -> None:
    schema = EXPORT_SCHEMA
    nested = [(column.name, column.nested) for column in EXPORT_COLUMNS if column.nested is not None]
    tmp = out.with_name(out.name + ".tmp")
    with pq.ParquetWriter(tmp, schema, compression="zstd") as writer, open(staged, "rb") as fh:
        batch: list[dict[str, Any]] = []
        for line in fh:
            row = json.loads(line)
            for name, empty in nested:
                row[name] = json.dumps(row.get(name) or empty())
            batch.append(row)
            if len(batch) >= PARQUET_ROW_GROUP:
                writer.write_table(pa.Table.from_pylist(batch, schema=schema))
                batch = []
        if batch:
            writer.write_table(pa.Table.from_pylist(batch, schema=schema))
    os.replace(tmp, out)
