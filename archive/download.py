"""``download``: the archive's records back out, as JSONL, CSV, Parquet or WARC.

The selection is planned on the index (never by listing records): the latest
version of each article (or every version), filtered by outlet, date range and
source, in a stable order. Records are then streamed one at a time, each read
verified against the SHA-256 the index recorded, filtered by the text query and
written out — memory stays flat whatever the archive's size (only the selected
index rows, a few columns, are held).

Downloads are resumable: output goes to ``<out>.partial`` and a progress file
``<out>.partial.json`` is updated about once a second with the position in the
selection and the byte offset; a rerun with the same selection truncates the
partial file to the last checkpoint and continues. Parquet is staged as JSONL in
the partial file and converted in row groups at the end (:mod:`archive.formats`).
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import os
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from archive.formats import CsvWriter, JsonlWriter, RecordWriter, WarcRepacker, jsonl_to_parquet
from archive.index import ArchiveIndex, VersionInfo, captured_column
from archive.packs import RecordReader
from archive.record import ArticleRecord
from archive.stores.base import Store
from core.errors import ArchiveError
from core.vocabulary import ExportFormat

__all__ = ["ExportSummary", "Plan", "Selection", "export", "iter_records", "iter_stored", "plan_selection"]

logger = logging.getLogger(__name__)

CHECKPOINT_EVERY = 500
#: A checkpoint costs a file replace (milliseconds on a busy disk): at most one per this many seconds.
CHECKPOINT_MIN_INTERVAL_S = 1.0
_WRITE_BUFFER = 1024 * 1024
_PLAN_COLUMNS = [
    "outlet", "canonical_url", "key", "object_sha256", "size", "version", "sha256", "day", "source",
    "fetched_at", "captured_at", "versions_known", "pack", "pack_offset", "extraction_revision", "extraction_of",
]  # fmt: skip
_RAW_COLUMNS = ["warc_file", "record_id", "raw_offset", "raw_length"]
#: What identifies an article: two outlets may archive the same canonical URL (two outlet ids
#: for one site, a syndicated story), and each keeps its own record and version history.
_ARTICLE = ["outlet", "canonical_url"]
#: What reading a planned record needs.
_READ_COLUMNS = [*_ARTICLE, "key", "object_sha256", "size", "pack", "pack_offset"]
#: Articles one after the other, the versions of each latest last (the order of
#: :attr:`archive.index.VersionInfo.order`).
_ARTICLE_ORDER = [*((name, "ascending") for name in _ARTICLE), ("captured_at", "ascending"),
                  ("version", "ascending"), ("key", "ascending")]  # fmt: skip

_EXPORT_FIELDS = ArticleRecord.EXPORT_FIELDS

#: An article's identity: (outlet, canonical URL).
ArticleId = tuple[str, str]

#: ``progress(done, total)`` after each row of the selection.
ProgressCallback = Callable[[int, int], None]


@dataclass(frozen=True)
class Selection:
    """What to download. Dates filter on the publication day (the fetch day when undated)."""

    outlet: str | tuple[str, ...] | None = None
    since: date | None = None
    until: date | None = None
    source: str | None = None
    query: str | None = None
    all_versions: bool = False
    #: Only these record keys (a search result: ``archive.search``).
    keys: frozenset[str] | None = None
    #: Every stored record: every version, and of re-extracted captures (``newsarchive reextract``)
    #: the earlier extractions too, not only the best.
    all_extractions: bool = False

    def outlets(self) -> tuple[str, ...]:
        if self.outlet is None:
            return ()
        return (self.outlet,) if isinstance(self.outlet, str) else tuple(self.outlet)

    def matches_text(self, record: ArticleRecord | dict[str, Any]) -> bool:
        """Case-insensitive substring of the text or the title."""
        if not self.query:
            return True
        text, title = (record.get("text"), record.get("title")) if isinstance(record, dict) else (record.text, record.title)
        needle = self.query.casefold()
        return needle in (text or "").casefold() or needle in (title or "").casefold()


@dataclass
class ExportSummary:
    format: str
    out: Path
    records: int = 0
    selected: int = 0
    skipped_by_query: int = 0
    missing_raw: int = 0
    bytes: int = 0
    seconds: float = 0.0
    resumed_at: int = 0
    errors: list[str] = field(default_factory=list)


@dataclass
class Plan:
    """What a download reads: the selected index rows in output order, and complete version lists.

    A stored record lists the versions of its article known when it was written; a version
    ingested later (a concurrent run, a backfilled older snapshot) is missing from it.
    ``versions`` holds, for each selected article (outlet, canonical URL) whose stored list
    is incomplete, the list as the index knows it now, in capture order; downloads put it
    in the record.
    """

    rows: pa.Table
    versions: dict[ArticleId, list[dict[str, Any]]] = field(default_factory=dict)

    @property
    def num_rows(self) -> int:
        return int(self.rows.num_rows)


def plan_selection(index: ArchiveIndex, selection: Selection, *, with_raw: bool = False) -> Plan:
    """The index rows to export, in a stable order (outlet, day, canonical URL, capture time).

    The latest version of an article is the one captured last (ties: version number, then
    key — see :class:`archive.index.VersionInfo`); ``with_raw`` adds the raw-capture columns
    (for WARC re-packing). Found by sorting row numbers on a few columns, not by a join, and
    the wide rows are copied once, at the end: the plan's peak memory stays near the size
    of its columns.
    """
    columns = _PLAN_COLUMNS + (_RAW_COLUMNS if with_raw else [])
    tables = [index.table(o, columns=columns) for o in selection.outlets()] or [index.table(None, columns=columns)]
    table = pa.concat_tables(tables)
    if not table.num_rows:
        return Plan(table)
    table = table.set_column(table.schema.get_field_index("captured_at"), "captured_at", captured_column(table))
    if not selection.all_extractions:
        table = _latest_extractions(table)
    chosen, incomplete = _selected_versions(table, selection.all_versions or selection.all_extractions)
    keep: pa.Array | None = None
    for condition in (
        (lambda: pc.greater_equal(table["day"].take(chosen), pa.scalar(selection.since, pa.date32())))
        if selection.since else None,
        (lambda: pc.less_equal(table["day"].take(chosen), pa.scalar(selection.until, pa.date32())))
        if selection.until else None,
        (lambda: pc.equal(table["source"].take(chosen), selection.source)) if selection.source else None,
        (lambda: pc.is_in(table["key"].take(chosen), value_set=pa.array(sorted(selection.keys or ()), pa.string())))
        if selection.keys is not None else None,
    ):  # fmt: skip
        if condition is not None:
            keep = condition() if keep is None else pc.and_(keep, condition())
    if keep is not None:
        chosen, incomplete = chosen.filter(keep), incomplete.filter(keep)
    versions = _version_lists(table, chosen.filter(incomplete))
    order = [("outlet", "ascending"), ("day", "ascending"), *(o for o in _ARTICLE_ORDER if o[0] != "outlet")]
    keys = table.select([name for name, _ in order]).take(chosen)
    return Plan(table.take(chosen.take(pc.sort_indices(keys, order))), versions)


def _latest_extractions(table: pa.Table) -> pa.Table:
    """The rows of ``table`` without the extractions a re-extraction of the same capture superseded.

    A re-extraction row names the original record's key (``extraction_of``); the original and
    its re-extractions form one slot, and only the row of the highest revision stays.
    """
    if table["extraction_revision"].null_count == len(table):
        return table  # nothing was ever re-extracted
    narrow = pa.table({
        "slot": pc.coalesce(table["extraction_of"], table["key"]),
        "revision": pc.fill_null(table["extraction_revision"], 0),
    })  # fmt: skip
    order = pc.sort_indices(narrow, [("slot", "ascending"), ("revision", "ascending")])
    slots = _array(narrow["slot"].take(order))
    last = pc.fill_null(pc.not_equal(slots, _shifted(slots, -1)), True)
    return table.take(order.filter(last))


def _selected_versions(table: pa.Table, all_versions: bool) -> tuple[pa.Array, pa.Array]:
    """Row numbers of every distinct version (or of each article's latest), and per row whether
    the stored record lists fewer versions than the index holds (``versions_known``).

    An article is a run of equal (outlet, canonical URL) in the sorted rows: a row starts one
    where either column differs from the row above; the running count of starts numbers the
    articles, and the run lengths of that number are the articles' version counts.
    """
    narrow = table.select([name for name, _ in _ARTICLE_ORDER] + ["versions_known"])
    order = pc.sort_indices(narrow, _ARTICLE_ORDER)
    ordered = narrow.take(order)
    keys = ordered["key"]  # a version indexed twice (met by two runs) is one version
    distinct = pc.fill_null(pc.not_equal(keys, _shifted(keys, 1)), True)
    order, ordered = order.filter(distinct), ordered.filter(distinct)
    columns = [_array(ordered[name]) for name in _ARTICLE]
    starts = [pc.fill_null(pc.not_equal(column, _shifted(column, 1)), True) for column in columns]
    article = pc.cumulative_sum(functools.reduce(pc.or_, starts).cast(pa.int64()))
    ends = pc.run_end_encode(article).run_ends
    lengths = pc.subtract(ends, pa.concat_arrays([pa.array([0], ends.type), ends.slice(0, len(ends) - 1)]))
    per_article = pc.run_end_decode(pa.RunEndEncodedArray.from_arrays(ends, lengths)).cast(pa.int64())
    known = _array(pc.coalesce(ordered["versions_known"], ordered["version"])).cast(pa.int64())
    incomplete = pc.and_(pc.greater(per_article, 1), pc.not_equal(known, per_article))
    if all_versions:
        return order, incomplete
    latest = pc.fill_null(pc.not_equal(article, _shifted(article, -1)), True)
    return order.filter(latest), incomplete.filter(latest)


def _version_lists(table: pa.Table, rows: pa.Array) -> dict[ArticleId, list[dict[str, Any]]]:
    """The versions of the articles of ``table``'s rows ``rows``, in capture order, as records list them."""
    if not len(rows):
        return {}
    wanted = set(zip(*(table[name].take(rows).to_pylist() for name in _ARTICLE), strict=True))
    # the rows of those URLs (in any outlet: a superset, a few rows), then only the wanted articles
    names = [*_ARTICLE, "version", "sha256", "key", "fetched_at", "captured_at"]
    urls = pc.unique(table["canonical_url"].take(rows))
    candidates = table.select(names).filter(pc.is_in(table["canonical_url"], urls))
    candidates = candidates.take(pc.sort_indices(candidates, _ARTICLE_ORDER))
    lists: dict[ArticleId, list[dict[str, Any]]] = {}
    columns = [candidates[name].to_pylist() for name in names]
    for outlet, url, version, sha256, key, fetched, captured in zip(*columns, strict=True):
        if (outlet, url) not in wanted:
            continue
        listed = lists.setdefault((outlet, url), [])
        if not listed or listed[-1]["key"] != key:
            listed.append(VersionInfo(version, sha256, key, fetched, captured).as_dict())
    return lists


def _array(column: pa.Array | pa.ChunkedArray) -> pa.Array:
    return column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column


def _shifted(column: pa.Array | pa.ChunkedArray, by: int) -> pa.Array:
    """``column`` moved down (``by`` > 0) or up (``by`` < 0) one row, padded with a null."""
    array = _array(column)
    pad = pa.nulls(1, array.type)
    if by > 0:
        return pa.concat_arrays([pad, array.slice(0, len(array) - 1)])
    return pa.concat_arrays([array.slice(1), pad])


def _iter_plan_rows(plan: Plan, start: int = 0, columns: list[str] | None = None) -> Iterator[dict[str, Any]]:
    rows = plan.rows.select(columns) if columns else plan.rows
    for batch in rows.slice(start).to_batches(max_chunksize=4_096):
        names = batch.schema.names
        for values in zip(*(column.to_pylist() for column in batch.columns), strict=True):
            yield dict(zip(names, values, strict=True))


def _reader(store: Store, index: ArchiveIndex, plan: Plan) -> RecordReader:
    return RecordReader(store, index.cache_dir, plan.rows.select(["pack", "size"]))


def _read(reader: RecordReader, row: dict[str, Any]) -> bytes:
    return reader.read(row["key"], row["object_sha256"], row["pack"], row["pack_offset"], row["size"])


def iter_stored(store: Store, index: ArchiveIndex, selection: Selection) -> Iterator[tuple[dict[str, Any], ArticleRecord]]:
    """Each selected record (verified) with its index row (key, raw-capture columns), in plan order."""
    plan = plan_selection(index, selection, with_raw=True)
    with _reader(store, index, plan) as reader:
        for row in _iter_plan_rows(plan):
            record = ArticleRecord.from_json_bytes(_read(reader, row))
            if selection.matches_text(record):
                yield row, record


def iter_records(store: Store, index: ArchiveIndex, selection: Selection) -> Iterator[ArticleRecord]:
    """Stream the selected records (verified), in plan order."""
    plan = plan_selection(index, selection)
    with _reader(store, index, plan) as reader:
        for row in _iter_plan_rows(plan, columns=_READ_COLUMNS):
            record = ArticleRecord.from_json_bytes(_read(reader, row))
            versions = plan.versions.get((row["outlet"], row["canonical_url"]))
            if versions is not None:
                record.versions = versions
            if selection.matches_text(record):
                yield record


class _Progress:
    """Rich progress bar on a terminal, a log line every 10% otherwise, or a callback."""

    def __init__(self, total: int, option: bool | ProgressCallback | None, label: str) -> None:
        self.total = total
        self.callback = option if callable(option) else None
        self._bar: Any = None
        self._task: Any = None
        self._next_log = 0
        self.enabled = bool(option)
        if option is True and sys.stderr.isatty():
            from rich.progress import Progress

            self._bar = Progress(transient=False)
            self._bar.start()
            self._task = self._bar.add_task(label, total=total)
        self.label = label

    def update(self, done: int) -> None:
        if self.callback:
            self.callback(done, self.total)
        elif self._bar is not None:
            self._bar.update(self._task, completed=done)
        elif self.enabled and done >= self._next_log:
            logger.info("%s: %d/%d", self.label, done, self.total)
            self._next_log = done + max(1, self.total // 10)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.stop()


def _fingerprint(fmt: str, selection: Selection, plan: Plan) -> str:
    digest = hashlib.sha256(repr((fmt, selection)).encode())
    for chunk in plan.rows["key"].chunks:
        digest.update("\n".join(chunk.to_pylist()).encode())
    return digest.hexdigest()


class _Checkpoint:
    """``<out>.partial.json``: position in the plan and byte offset of the partial file."""

    def __init__(self, path: Path, fingerprint: str) -> None:
        self.path = path
        self.fingerprint = fingerprint

    def load(self) -> tuple[int, int, int]:
        try:
            data = json.loads(self.path.read_text("utf-8"))
        except (FileNotFoundError, ValueError):
            return 0, 0, 0
        if data.get("fingerprint") != self.fingerprint:
            return 0, 0, 0
        return int(data["position"]), int(data["offset"]), int(data["records"])

    def save(self, position: int, offset: int, records: int) -> None:
        tmp = self.path.with_name(self.path.name + ".tmp")
        tmp.write_text(
            json.dumps({"fingerprint": self.fingerprint, "position": position, "offset": offset, "records": records}),
            "utf-8",
        )
        os.replace(tmp, self.path)


def export(
    store: Store,
    index: ArchiveIndex,
    fmt: ExportFormat | str,
    out: Path,
    selection: Selection | None = None,
    *,
    progress: bool | ProgressCallback | None = None,
    stop_after: int | None = None,
) -> ExportSummary:
    """Write the selection to ``out`` in ``fmt``; resume an interrupted download of the same selection.

    ``stop_after`` stops after that many rows of the plan, leaving the partial file
    and its checkpoint behind (what an interruption does; used by tests).
    """
    try:
        fmt = ExportFormat(fmt)
    except ValueError:
        raise ArchiveError(f"unknown format {fmt!r} (choose one of {', '.join(ExportFormat)})") from None
    selection = selection or Selection()
    out = Path(out)
    started = time.monotonic()
    plan = plan_selection(index, selection, with_raw=fmt is ExportFormat.WARC)
    partial = out.with_name(out.name + ".partial")
    checkpoint = _Checkpoint(out.with_name(out.name + ".partial.json"), _fingerprint(fmt.value, selection, plan))
    position, offset, records = checkpoint.load() if partial.exists() else (0, 0, 0)
    summary = ExportSummary(format=fmt.value, out=out, selected=plan.num_rows, resumed_at=position, records=records)
    out.parent.mkdir(parents=True, exist_ok=True)
    bar = _Progress(plan.num_rows, progress, f"download {fmt}")
    mode = "r+b" if position else "wb"
    fast = fmt is ExportFormat.JSONL and not selection.query
    saved_at = time.monotonic()
    with open(partial, mode, buffering=_WRITE_BUFFER) as fh, _reader(store, index, plan) as reader:
        fh.truncate(offset)
        fh.seek(offset)
        if fmt is ExportFormat.WARC:
            repacker = WarcRepacker(fh, store)
            writer: RecordWriter = repacker
        else:
            repacker = None
            writer = CsvWriter(fh) if fmt is ExportFormat.CSV else JsonlWriter(fh)
        if position == 0:
            writer.begin()
        try:
            for row in _iter_plan_rows(plan, position, None if fmt is ExportFormat.WARC else _READ_COLUMNS):
                if stop_after is not None and position >= stop_after:
                    break
                if fmt is ExportFormat.WARC:
                    writer.write_row(row)
                else:
                    data = _read(reader, row)
                    versions = plan.versions.get((row["outlet"], row["canonical_url"]))
                    line = ArticleRecord.export_line(data, versions) if fast else None
                    if line is not None:  # the hot path: no JSON decoding at all
                        writer.write_line(line)
                    else:
                        stored = json.loads(data)
                        if versions is not None:
                            stored["versions"] = versions
                        if selection.matches_text(stored):
                            writer.write({name: stored.get(name) for name in _EXPORT_FIELDS})
                        else:
                            summary.skipped_by_query += 1
                position += 1
                if position % CHECKPOINT_EVERY == 0:
                    if time.monotonic() >= saved_at + CHECKPOINT_MIN_INTERVAL_S:
                        fh.flush()
                        checkpoint.save(position, fh.tell(), writer.count + records)
                        saved_at = time.monotonic()
                    bar.update(position)
        finally:
            fh.flush()
            checkpoint.save(position, fh.tell(), writer.count + records)
            bar.update(position)
            bar.close()
    summary.records = records + writer.count
    if repacker is not None:
        summary.missing_raw, summary.errors = repacker.missing_raw, repacker.errors
    if position < plan.num_rows:
        summary.seconds = time.monotonic() - started
        return summary
    if fmt is ExportFormat.PARQUET:
        jsonl_to_parquet(partial, out)
        partial.unlink()
    else:
        os.replace(partial, out)
    checkpoint.path.unlink(missing_ok=True)
    summary.bytes = out.stat().st_size
    summary.seconds = time.monotonic() - started
    return summary
