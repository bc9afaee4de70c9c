"""The search index: full text and facets over the archive's committed runs, in one local SQLite file.

``newsarchive index`` builds it ahead of time and ``newsarchive serve`` keeps it current; both go
through :class:`SearchIndex`. It is *derived*: losing it loses nothing, it is rebuilt from the
archive. It lives in ``Settings.search_cache_dir``, one file per archive URI (so an S3 archive is
searched locally, with no service and no network per query), and holds:

- ``docs``: one row per stored article version — the metadata the search pages show, where the
  record and its raw capture are;
- ``facets``: the same rows, narrow — whether it is its article's latest version (captured last;
  ties by version number, then key, as :class:`archive.index.VersionInfo`), the filters (outlet,
  day, language, section, source) and ``bucket``, outlet and month in one integer
  (``outlet number × 1,000,000 + YYYYMM``, numbers in ``outlets``). A search filters, counts per
  outlet and month and orders by date here only: a word in half the archive joins 50,000 rows of a
  few MB, not of the 70 MB ``docs``, and groups by one integer, not by two strings;
- ``fts``: a contentless FTS5 table over title, text, authors, section and tags (``unicode61``,
  diacritics folded), its rowids those of ``docs``. The texts are not copied: the file stays
  small (about a third of the records' size) and quick to write, and the snippets of a page of
  hits are cut from the records themselves (:func:`snippet`), read from their packs;
- ``runs``: every committed run indexed, with its manifest's window, stats and counts; each
  committed run is indexed once, in one transaction, so an interrupted build resumes where it
  stopped; ``uncommitted``: the runs that left objects but no commit marker (failed, killed or
  still running), refreshed by every full listing.

An update finds new runs in one of two ways. A *full listing* reads every key under ``runs/`` and
``warc/`` (every committed run, and every run that left objects); its cost grows with the archive
(a year of a 1,000-outlet nightly: about 1.5 million keys, 1,500 S3 LIST requests). So a running
server does one at start and then one every ``Settings.search_rescan_s``; in between, an update
reads the commit log (:mod:`archive.layout`) from a little before the newest entry it saw
(``COMMIT_LOG_OVERLAP``, for clocks of writers that disagree): one LIST request when nothing is
new. Runs committed by a writer older than the commit log have no entry; the next full listing
finds them.

A run is read from its index file (which names every record's pack and offset) and its pack
(``runs/<outlet>/<run_id>/records.jsonl``) through :class:`archive.packs.RecordReader`, every
record verified against the SHA-256 the index recorded. Only committed runs are read.

Queries (:class:`Query`) take the FTS5 syntax users know from search engines: words (all must
match), ``"a phrase"``, ``AND``/``OR``/``NOT`` (any case), ``prefix*``, parentheses and
``title:word``; every other character is quoted, so a query can only fail as a syntax error. A
query's cost is bounded: it is interrupted after ``Settings.search_timeout_s``, pages stop at
``Settings.search_max_results``.
"""

from __future__ import annotations

import hashlib
import json
import re
import sqlite3
import threading
import time
import unicodedata
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from archive import layout
from archive.manifest import Manifest
from archive.packs import RecordReader
from core.errors import ArchiveError, ObjectNotFoundError

if TYPE_CHECKING:
    from archive.facade import Archive

__all__ = [
    "SCHEMA_VERSION", "Hit", "Query", "QueryError", "RunInfo", "SearchIndex", "SearchResult", "fts_expression", "mark",
    "query_terms", "snippet",
]  # fmt: skip

SCHEMA_VERSION = 3
#: How far before the newest commit log entry seen the next reading starts: writers' clocks may disagree
#: (an entry stamped by a slow clock lands before entries already listed) by less than this.
COMMIT_LOG_OVERLAP = timedelta(minutes=10)
#: Records read and inserted per batch while indexing a run.
BATCH = 2_000
SNIPPET_TOKENS = 32
#: SQLite's page cache per connection: the ``facets`` of a 100,000-article archive (5 MB) and the
#: pages of the words searched most fit.
CACHE_KB = 32 * 1024
#: Reading connections kept open between searches (each with its page cache).
IDLE_READERS = 2
#: SQLite virtual-machine steps between two looks at a search's deadline (a Python call each: cheap at 1,000).
PROGRESS_STEPS = 1_000
FTS_COLUMNS = ("title", "text", "authors", "section", "tags")
SOURCES = ("live", "wayback", "ccnews")
_LIST_SEPARATOR = "; "
#: The crawl's skip reasons that are failures (the others are choices: duplicates, out of window…).
_FAILED_SKIPS = ("http_error", "timeout", "too_large", "redirect_loop", "error")

#: ``progress(runs_done, runs_total, records_indexed)`` after each batch.
ProgressCallback = Callable[[int, int, int], None]

_SCHEMA = f"""
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS docs (
    id INTEGER PRIMARY KEY, key TEXT NOT NULL UNIQUE, outlet TEXT NOT NULL, canonical_url TEXT NOT NULL,
    url TEXT, version INTEGER, day TEXT, captured_at TEXT, fetched_at TEXT, published TEXT, source TEXT,
    snapshot_timestamp TEXT, language TEXT, section TEXT, title TEXT, authors TEXT, tags TEXT, chars INTEGER,
    sha256 TEXT, object_sha256 TEXT, size INTEGER, pack TEXT, pack_offset INTEGER, warc_file TEXT,
    record_id TEXT, raw_offset INTEGER, raw_length INTEGER, run_id TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS docs_article ON docs (outlet, canonical_url);
CREATE TABLE IF NOT EXISTS outlets (number INTEGER PRIMARY KEY, outlet TEXT NOT NULL UNIQUE);
CREATE TABLE IF NOT EXISTS facets (
    id INTEGER PRIMARY KEY, latest INTEGER NOT NULL DEFAULT 1, bucket INTEGER NOT NULL, day TEXT, outlet TEXT NOT NULL,
    language TEXT, section TEXT, source TEXT
);
CREATE INDEX IF NOT EXISTS facets_latest_day ON facets (latest, day, bucket);
CREATE INDEX IF NOT EXISTS facets_latest_bucket ON facets (latest, bucket);
CREATE VIRTUAL TABLE IF NOT EXISTS fts USING fts5 (
    {", ".join(FTS_COLUMNS)}, content='', tokenize='unicode61 remove_diacritics 2'
);
CREATE TABLE IF NOT EXISTS runs (
    outlet TEXT NOT NULL, run_id TEXT NOT NULL, source TEXT, started_at TEXT, finished_at TEXT,
    window_start TEXT, window_end TEXT, stats TEXT, counts TEXT, records INTEGER, indexed_at TEXT,
    PRIMARY KEY (outlet, run_id)
);
CREATE TABLE IF NOT EXISTS uncommitted (outlet TEXT NOT NULL, run_id TEXT NOT NULL, PRIMARY KEY (outlet, run_id));
"""
_DOC_COLUMNS = (
    "key", "outlet", "canonical_url", "url", "version", "day", "captured_at", "fetched_at", "published", "source",
    "snapshot_timestamp", "language", "section", "title", "authors", "tags", "chars", "sha256", "object_sha256", "size",
    "pack", "pack_offset", "warc_file", "record_id", "raw_offset", "raw_length", "run_id",
)  # fmt: skip
_INDEX_COLUMNS = ["key", "object_sha256", "size", "pack", "pack_offset", "day", "captured_at", "fetched_at",
                  "warc_file", "record_id", "raw_offset", "raw_length"]  # fmt: skip
_HIT_COLUMNS = ("d.key, d.outlet, d.canonical_url, d.url, d.version, d.day, d.source, d.language, d.section, d.authors, "
                "d.title, d.object_sha256, d.pack, d.pack_offset, d.size")


class QueryError(ArchiveError):
    """A search the index cannot run: a syntax error, or one that took too long."""


@dataclass(frozen=True)
class Query:
    """One search: the text (may be empty: filters only), filters, order and page."""

    text: str = ""
    outlet: str | None = None
    since: date | None = None
    until: date | None = None
    language: str | None = None
    section: str | None = None
    author: str | None = None
    source: str | None = None
    sort: Literal["relevance", "date"] = "relevance"
    page: int = 1


#: A snippet or title: text segments, each flagged True when it is a matched term.
Marked = list[tuple[str, bool]]


@dataclass
class Hit:
    key: str
    outlet: str
    canonical_url: str
    url: str
    version: int
    day: str | None
    source: str | None
    language: str | None
    section: str | None
    authors: list[str]
    title: Marked
    snippet: Marked


@dataclass
class SearchResult:
    query: Query
    hits: list[Hit] = field(default_factory=list)
    total: int = 0
    per_outlet: list[tuple[str, int]] = field(default_factory=list)
    per_month: list[tuple[str, int]] = field(default_factory=list)
    page_size: int = 20
    max_results: int = 10_000
    seconds: float = 0.0

    @property
    def pages(self) -> int:
        return max(1, -(-min(self.total, self.max_results) // self.page_size))


@dataclass
class RunInfo:
    """A run as the overview and the runs page show it."""

    outlet: str
    run_id: str
    committed: bool
    started_at: str
    finished_at: str | None = None
    source: str | None = None
    window: tuple[str | None, str | None] = (None, None)
    stats: dict[str, Any] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)
    records: int = 0

    @property
    def failures(self) -> dict[str, Any]:
        """What went wrong in the run: the stats' failures (non-zero), by name."""
        found: dict[str, Any] = {name: value for name, value in self.stats.items()
                                 if ("fail" in name or "error" in name) and value}  # fmt: skip
        skipped = self.stats.get("skipped")
        if isinstance(skipped, dict):
            found.update((name, count) for name, count in skipped.items() if name in _FAILED_SKIPS and count)
        return found

    @property
    def outcome(self) -> str:
        if not self.committed:
            return "not committed (failed, killed or still running)"
        return "committed with failures" if self.failures else "committed"


_TOKEN = re.compile(r'"[^"]*"?|\(|\)|[^\s()"]+')
_OPERATORS = {"and": "AND", "or": "OR", "not": "NOT"}
_WORD = re.compile(r"\w+", re.UNICODE)


def fts_expression(text: str) -> str:
    """The FTS5 expression of a user's query (see the module docstring); empty for a query of no words."""
    parts: list[str] = []
    for token in _TOKEN.findall(text):
        if token in ("(", ")"):
            parts.append(token)
        elif token.startswith('"'):
            phrase = token.strip('"').replace('"', "")
            if _WORD.search(phrase):
                parts.append(f'"{phrase}"')
        elif token.lower() in _OPERATORS:
            parts.append(_OPERATORS[token.lower()])
        else:
            column, colon, word = token.partition(":")
            prefix = ""
            if not colon or column.lower() not in FTS_COLUMNS:
                column, word = "", token
            if word.endswith("*"):
                word, prefix = word.rstrip("*"), "*"
            if not _WORD.search(word):
                continue
            term = f'"{word.replace(chr(34), "")}"{prefix}'
            parts.append(f"{column.lower()} : {term}" if column else term)
    return " ".join(parts)


@lru_cache(maxsize=1 << 16)  # snippets fold every word of 20 texts per page: the same words, mostly
def _folded(word: str) -> str:
    """A word as the ``unicode61 remove_diacritics 2`` tokenizer compares it: case and diacritics folded."""
    if word.isascii():
        return word.lower()
    return "".join(ch for ch in unicodedata.normalize("NFKD", word.casefold()) if not unicodedata.combining(ch))


def query_terms(text: str) -> list[tuple[str, bool]]:
    """The words a query looks for, folded, each flagged True when it is a prefix (``word*``)."""
    terms = []
    for token in _TOKEN.findall(text):
        if token in ("(", ")") or token.lower() in _OPERATORS:
            continue
        prefix = token.endswith("*")
        words = _WORD.findall(token.partition(":")[2] if ":" in token and not token.startswith('"') else token)
        terms += [(_folded(word), prefix and i == len(words) - 1) for i, word in enumerate(words)]
    return terms


def _term_of(word: str, terms: list[tuple[str, bool]]) -> int:
    """The index of the first of ``terms`` that ``word`` matches, else -1."""
    folded = _folded(word)
    for number, (term, prefix) in enumerate(terms):
        if folded.startswith(term) if prefix else folded == term:
            return number
    return -1


def mark(text: str, terms: list[tuple[str, bool]]) -> Marked:
    """``text`` cut into segments, the query's words flagged."""
    segments: Marked = []
    position = 0
    for match in _WORD.finditer(text):
        if _term_of(match.group(), terms) >= 0:
            if match.start() > position:
                segments.append((text[position:match.start()], False))
            segments.append((match.group(), True))
            position = match.end()
    if position < len(text):
        segments.append((text[position:], False))
    return segments


#: Where a snippet may start: at most this many of the text's matched words are tried.
SNIPPET_CANDIDATES = 2_000


def snippet(text: str, terms: list[tuple[str, bool]], words: int = SNIPPET_TOKENS) -> Marked:
    """About ``words`` words of ``text`` where the most distinct query words are (the first such place)."""
    found = list(_WORD.finditer(text))
    if not found:
        return []
    matched = [_term_of(m.group(), terms) for m in found]
    best, best_count = 0, 0
    for position in [i for i, term in enumerate(matched) if term >= 0][:SNIPPET_CANDIDATES]:
        count = len({term for term in matched[position: position + words] if term >= 0})
        if count > best_count:
            best, best_count = position, count
    start, end = max(0, best - 4), min(len(found), best + words)  # a few words before the first match
    segments = mark(text[found[start].start(): found[end - 1].end()], terms)
    if start > 0:
        segments.insert(0, ("…", False))
    if end < len(found):
        segments.append(("…", False))
    return segments


def bucket(outlet_number: int, day: str | None) -> int:
    """The ``facets.bucket`` of an outlet's article of ``day``: outlet and month (0 when undated) in one integer."""
    return outlet_number * 1_000_000 + (int(day[:4]) * 100 + int(day[5:7]) if day else 0)


def _joined(values: Any) -> str | None:
    if isinstance(values, list):
        return _LIST_SEPARATOR.join(str(v) for v in values if v) or None
    return str(values) if values else None


def _iso(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    return value.isoformat() if isinstance(value, date) else str(value)


class SearchIndex:
    """The search index of one archive (see the module docstring)."""

    def __init__(self, archive: Archive) -> None:
        self.archive = archive
        self.settings = archive.settings
        cache_dir = Path(self.settings.search_cache_dir).expanduser()
        self.path = cache_dir / f"{hashlib.sha256(archive.uri.encode()).hexdigest()[:16]}.sqlite3"
        self._write_lock = threading.Lock()
        self._facets: dict[str, list[str]] | None = None
        self._pool_lock = threading.Lock()
        self._idle: list[sqlite3.Connection] = []
        self._generation = 0
        #: When this object last listed the whole archive (monotonic), and where its next reading of
        #: the commit log starts.
        self._listed_at: float | None = None
        self._log_since: datetime | None = None
        self._prepare()

    # -- the file ---------------------------------------------------------------------------------

    def _connect(self) -> sqlite3.Connection:
        connection = sqlite3.connect(self.path, timeout=30, check_same_thread=False)
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA synchronous=NORMAL")
        connection.execute(f"PRAGMA cache_size=-{CACHE_KB}")
        return connection

    def _prepare(self) -> None:
        """Open the file, or start it anew when it is missing or of another schema version."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        if self.path.exists():
            try:
                with closing(self._connect()) as connection:
                    row = connection.execute("SELECT value FROM meta WHERE name = 'schema'").fetchone()
                if row and row[0] == str(SCHEMA_VERSION):
                    return
            except sqlite3.DatabaseError:
                pass
            for suffix in ("", "-wal", "-shm"):
                Path(f"{self.path}{suffix}").unlink(missing_ok=True)
        with closing(self._connect()) as connection:
            connection.executescript(_SCHEMA)
            # merge segments 16 at a time, not 4: a build of 100,000 records spends ~10% less
            connection.execute("INSERT INTO fts (fts, rank) VALUES ('automerge', 16)")
            connection.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)",
                                   [("schema", str(SCHEMA_VERSION)), ("archive", self.archive.uri)])
            connection.commit()

    @contextmanager
    def _reading(self) -> Iterator[sqlite3.Connection]:
        """A connection whose statements are interrupted after ``search_timeout_s``.

        Connections are kept for the next search (at most :data:`IDLE_READERS`): their page cache stays
        warm, where a new connection would read the facets and the terms' pages from the file again."""
        deadline = time.monotonic() + self.settings.search_timeout_s
        with self._pool_lock:
            generation = self._generation
            connection = self._idle.pop() if self._idle else None
        connection = connection or self._connect()
        connection.row_factory = None
        connection.set_progress_handler(lambda: int(time.monotonic() > deadline), PROGRESS_STEPS)
        kept = False
        try:
            yield connection
            connection.set_progress_handler(None, 0)
            with self._pool_lock:
                if generation == self._generation and len(self._idle) < IDLE_READERS and not connection.in_transaction:
                    self._idle.append(connection)
                    kept = True
        except sqlite3.OperationalError as exc:
            # Interrupted past the deadline: SQLite says "interrupted", or, when the interrupt lands while
            # the full-text table is being opened, "vtable constructor failed".
            if "interrupted" in str(exc) or time.monotonic() > deadline:
                raise QueryError(f"the search took longer than {self.settings.search_timeout_s:g} s: narrow it") from exc
            if "fts5" in str(exc) or "syntax" in str(exc) or "no such column" in str(exc):
                raise QueryError(f"cannot read the query: {exc}") from exc
            raise
        finally:
            if not kept:
                connection.close()

    def _drop_readers(self) -> None:
        """Close the idle connections (the file is about to be replaced); those in use are closed when done."""
        with self._pool_lock:
            self._generation += 1
            idle, self._idle = self._idle, []
        for connection in idle:
            connection.close()

    # -- building ---------------------------------------------------------------------------------

    def update(self, progress: ProgressCallback | None = None, *, full: bool | None = None) -> int:
        """Index every committed run not indexed yet. Returns the runs indexed.

        ``full``: list the whole archive (and refresh the uncommitted runs) rather than the commit log
        since the last update; by default, on the first update of this object and every
        ``Settings.search_rescan_s`` after it (see the module docstring).
        """
        with self._write_lock, closing(self._connect()) as connection:
            # derived data: a crash mid-write costs a rebuild (_prepare), never the archive
            connection.execute("PRAGMA synchronous=OFF")
            now = time.monotonic()
            if full is None:
                full = self._listed_at is None or now - self._listed_at >= self.settings.search_rescan_s
            done = set(connection.execute("SELECT outlet, run_id FROM runs").fetchall())
            if full:
                log_since = datetime.now(UTC) - COMMIT_LOG_OVERLAP  # what the listing cannot have seen
                committed, seen = self._list_runs()
                connection.execute("DELETE FROM uncommitted")
                connection.executemany("INSERT INTO uncommitted VALUES (?, ?)", sorted(seen - committed))
            else:
                committed, log_since = self._logged_runs(done)
                connection.executemany("DELETE FROM uncommitted WHERE outlet = ? AND run_id = ?", sorted(committed))
            todo = sorted(committed - done, key=lambda pair: (pair[1], pair[0]))
            connection.commit()
            records = 0
            for number, (outlet, run_id) in enumerate(todo):

                def reading(count: int, done: int = number) -> None:
                    if progress:
                        progress(done, len(todo), count)

                records = self._index_run(connection, outlet, run_id, records, reading)
                if progress:
                    progress(number + 1, len(todo), records)
            # only now: a run that failed to index is met again in the commit log by the next update
            self._log_since = log_since
            if full:
                self._listed_at = now
            return len(todo)

    def _logged_runs(self, done: set[tuple[str, str]]) -> tuple[set[tuple[str, str]], datetime]:
        """The runs in the commit log since the last reading (less its overlap) not indexed yet, and where the
        next reading starts."""
        since = self._log_since or datetime.now(UTC) - COMMIT_LOG_OVERLAP  # no full listing by this object yet
        found: set[tuple[str, str]] = set()
        newest = since
        for info in self.archive.store.list(layout.COMMIT_LOG_PREFIX, start_after=layout.commit_log_start_after(since)):
            if (parsed := layout.parse_commit_log_key(info.key)) is None:
                continue
            newest = max(newest, layout.commit_log_time(info.key) - COMMIT_LOG_OVERLAP)
            if parsed not in done:
                found.add(parsed)
        return found, newest

    def _list_runs(self) -> tuple[set[tuple[str, str]], set[tuple[str, str]]]:
        """(committed runs, every run that left an object under ``runs/`` or ``warc/``)."""
        store = self.archive.store
        committed, seen = set(), set()
        for info in store.list(layout.runs_prefix()):
            if parsed := layout.parse_commit_key(info.key):
                committed.add(parsed)
            if parsed := layout.parse_run_file_key(info.key):
                seen.add(parsed)
        for info in store.list("warc/"):
            if parsed := layout.parse_warc_key(info.key):
                seen.add(parsed)
        return committed, seen | committed

    def _index_run(self, connection: sqlite3.Connection, outlet: str, run_id: str, records: int,
                   progress: Callable[[int], None] | None) -> int:  # fmt: skip
        """Index one committed run in one transaction; return the running count of records indexed."""
        store = self.archive.store
        try:
            manifest: Manifest | None = Manifest.from_json_bytes(store.get(layout.manifest_key(outlet, run_id)))
        except (ObjectNotFoundError, ValueError, TypeError, KeyError):
            manifest = None  # `verify` reports it; the run's records are still searchable
        table = self.archive.index.run_table(outlet, run_id, columns=_INDEX_COLUMNS)
        (first_new,) = connection.execute("SELECT coalesce(max(id), 0) + 1 FROM docs").fetchone()
        next_id = first_new
        numbers = dict(connection.execute("SELECT outlet, number FROM outlets").fetchall())
        insert = f"INSERT INTO docs (id, {', '.join(_DOC_COLUMNS)}) VALUES (?, {', '.join('?' * len(_DOC_COLUMNS))})"
        insert_text = f"INSERT INTO fts (rowid, {', '.join(FTS_COLUMNS)}) VALUES (?, {', '.join('?' * len(FTS_COLUMNS))})"
        insert_facets = "INSERT INTO facets (id, bucket, day, outlet, language, section, source) VALUES (?, ?, ?, ?, ?, ?, ?)"
        with RecordReader(store, self.archive.index.cache_dir, table.select(["pack", "size"])) as reader:
            for batch in table.to_batches(max_chunksize=BATCH):
                rows = batch.to_pylist()
                keys = [row["key"] for row in rows]
                known = {key for (key,) in connection.execute(  # a version met by an earlier run too: indexed once
                    f"SELECT key FROM docs WHERE key IN ({', '.join('?' * len(keys))})", keys)}  # fmt: skip
                docs, texts, facets = [], [], []
                for row in rows:
                    if row["key"] in known:
                        continue
                    known.add(row["key"])
                    data = reader.read(row["key"], row["object_sha256"], row["pack"], row["pack_offset"], row["size"])
                    doc, text, (day, name, *filters) = self._rows(next_id, json.loads(data), row, run_id)
                    docs.append(doc)
                    texts.append(text)
                    if (number := numbers.get(name)) is None:
                        number = numbers[name] = connection.execute(
                            "INSERT INTO outlets (outlet) VALUES (?) RETURNING number", (name,)).fetchone()[0]  # fmt: skip
                    facets.append((next_id, bucket(number, day), day, name, *filters))
                    next_id += 1
                connection.executemany(insert, docs)
                connection.executemany(insert_facets, facets)
                connection.executemany(insert_text, texts)
                records += len(rows)
                if progress:
                    progress(records)
        self._mark_latest(connection, first_new)
        self._facets = None
        connection.execute(
            "INSERT OR REPLACE INTO runs VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (outlet, run_id, manifest.source if manifest else None, manifest.started_at if manifest else None,
             manifest.finished_at if manifest else None, *(manifest.window.to_dict().values() if manifest else (None, None)),
             json.dumps(manifest.stats if manifest else {}, default=str),
             json.dumps(manifest.counts if manifest else {}), table.num_rows, datetime.now(UTC).isoformat()),
        )  # fmt: skip
        connection.commit()
        return records

    @staticmethod
    def _rows(doc_id: int, record: dict[str, Any], row: dict[str, Any],
              run_id: str) -> tuple[tuple[Any, ...], tuple[Any, ...], tuple[Any, ...]]:  # fmt: skip
        """The ``docs`` row, the ``fts`` row and the filters (day, outlet, language, section, source) of one record."""
        title, authors, section, tags = (_joined(record.get(name)) for name in ("title", "authors", "section", "tags"))
        text = record.get("text") or ""
        doc = (
            doc_id, row["key"], record["outlet"], record["canonical_url"], record.get("url"), record.get("version"),
            _iso(row["day"]), _iso(row["captured_at"] or row["fetched_at"]), record.get("fetched_at"),
            record.get("published"), record.get("source"), record.get("snapshot_timestamp"), record.get("language"),
            section, title, authors, tags, len(text), record.get("sha256"), row["object_sha256"], row["size"],
            row["pack"], row["pack_offset"], row["warc_file"], row["record_id"], row["raw_offset"], row["raw_length"],
            run_id,
        )  # fmt: skip
        return doc, (doc_id, title, text, authors, section, tags), (doc[6], doc[2], doc[12], section, doc[10])

    @staticmethod
    def _mark_latest(connection: sqlite3.Connection, first_new: int) -> None:
        """Each article touched by the rows from ``first_new`` on: only its latest version keeps ``latest``.

        New rows come in as latest; an earlier version that was not the latest cannot become it. So only
        the versions that are not (or no longer) their article's latest are written, and a run of articles
        seen for the first time (every row of a rebuild) writes nothing here."""
        connection.execute(
            """UPDATE facets SET latest = 0 WHERE latest = 1 AND id IN (
                SELECT d.id FROM docs d
                WHERE (d.outlet, d.canonical_url) IN (SELECT outlet, canonical_url FROM docs WHERE id >= ?)
                  AND d.id != (SELECT v.id FROM docs v WHERE v.outlet = d.outlet AND v.canonical_url = d.canonical_url
                               ORDER BY v.captured_at DESC, v.version DESC, v.key DESC LIMIT 1))""",
            (first_new,),
        )

    def rebuild(self, progress: ProgressCallback | None = None) -> int:
        """Drop the index file and index every committed run again."""
        with self._write_lock:
            self._drop_readers()
            for suffix in ("", "-wal", "-shm"):
                Path(f"{self.path}{suffix}").unlink(missing_ok=True)
            self._prepare()
        return self.update(progress)

    # -- searching --------------------------------------------------------------------------------

    def _from(self, query: Query) -> tuple[str, str, list[Any]]:
        """(FROM, WHERE, parameters) of the latest versions ``query`` finds, as ``facets f`` (and ``fts``)."""
        source, clauses, params = "facets f", ["f.latest = 1"], []
        expression = fts_expression(query.text)
        if expression:
            # CROSS JOIN keeps fts the outer loop: else SQLite may walk facets in bucket order (no sorting
            # for GROUP BY) and run the MATCH once per row, seconds instead of milliseconds
            source = "fts CROSS JOIN facets f ON f.id = fts.rowid"
            clauses.insert(0, "fts MATCH ?")
            params.append(expression)
        for column, value in (("outlet", query.outlet), ("language", query.language), ("section", query.section),
                              ("source", query.source)):  # fmt: skip
            if value:
                clauses.append(f"f.{column} = ?")
                params.append(value)
        if query.since:
            clauses.append("f.day >= ?")
            params.append(query.since.isoformat())
        if query.until:
            clauses.append("f.day <= ?")
            params.append(query.until.isoformat())
        if query.author:  # the one filter on a wide column: only then are the docs rows read
            source += " JOIN docs d ON d.id = f.id"
            clauses.append("instr(lower(d.authors), lower(?)) > 0")
            params.append(query.author)
        return source, " AND ".join(clauses), params

    def search(self, query: Query) -> SearchResult:
        """One page of hits (latest version of each article), the total and the counts per outlet and month."""
        started = time.perf_counter()
        size, limit = self.settings.search_page_size, self.settings.search_max_results
        result = SearchResult(query, page_size=size, max_results=limit)
        offset = (max(1, query.page) - 1) * size
        if offset >= limit:
            raise QueryError(f"results stop at {limit:,}: narrow the search to see further")
        if query.text.strip() and not fts_expression(query.text):
            return result
        source, where, params = self._from(query)
        if source.startswith("fts") and query.sort == "relevance":
            # bm25() as a column, not fts.rank: SQLite then keeps only the best LIMIT + OFFSET rows while
            # sorting (ORDER BY rank has FTS5 sort every match); ties in the order rowids come
            page = f"SELECT f.id, bm25(fts) AS score FROM {source} WHERE {where} ORDER BY score LIMIT ? OFFSET ?"
        else:
            page = f"SELECT f.id, f.day FROM {source} WHERE {where} ORDER BY f.day DESC, f.id DESC LIMIT ? OFFSET ?"
        with self._reading() as connection:
            counts = connection.execute(f"SELECT f.bucket, count(*) FROM {source} WHERE {where} GROUP BY 1",
                                        params).fetchall()  # fmt: skip
            ids = [doc_id for doc_id, _ in connection.execute(page, [*params, size, offset])]
            found = {row[0]: row[1:] for row in connection.execute(
                f"SELECT d.id, {_HIT_COLUMNS} FROM docs d WHERE d.id IN ({', '.join('?' * len(ids))})", ids)}  # fmt: skip
            outlets = dict(connection.execute("SELECT number, outlet FROM outlets").fetchall())
        rows = [found[doc_id] for doc_id in ids]
        per_outlet: dict[str, int] = {}
        per_month: dict[str, int] = {}
        for code, count in counts:
            number, month = divmod(code, 1_000_000)
            outlet, month_name = outlets[number], f"{month // 100:04d}-{month % 100:02d}" if month else "undated"
            per_outlet[outlet] = per_outlet.get(outlet, 0) + count
            per_month[month_name] = per_month.get(month_name, 0) + count
        result.total = sum(per_outlet.values())
        result.per_outlet = sorted(per_outlet.items(), key=lambda item: (-item[1], item[0]))
        result.per_month = sorted(per_month.items())
        terms = query_terms(query.text)
        with RecordReader(self.archive.store, self.archive.index.cache_dir) as reader:
            for key, outlet, canonical, url, version, day, source_name, language, section, authors, title, *at in rows:
                text = json.loads(reader.read(key, *at)).get("text") or ""
                result.hits.append(Hit(key, outlet, canonical, url, version, day, source_name, language, section,
                                       authors.split(_LIST_SEPARATOR) if authors else [], mark(title or "", terms),
                                       snippet(text, terms)))  # fmt: skip
        result.seconds = time.perf_counter() - started
        return result

    def keys(self, query: Query) -> list[str]:
        """The record keys of every hit of ``query`` (at most ``search_max_results``), for exports."""
        if query.text.strip() and not fts_expression(query.text):
            return []
        source, where, params = self._from(query)
        with self._reading() as connection:
            rows = connection.execute(
                f"SELECT d.key FROM docs d WHERE d.id IN (SELECT f.id FROM {source} WHERE {where} LIMIT ?) ORDER BY d.id",
                [*params, self.settings.search_max_results]).fetchall()  # fmt: skip
        return [key for (key,) in rows]

    # -- reading ----------------------------------------------------------------------------------

    def document(self, key: str) -> dict[str, Any] | None:
        """The indexed row of one record version (None when the index holds no such key)."""
        with self._reading() as connection:
            connection.row_factory = sqlite3.Row
            row = connection.execute(
                "SELECT d.*, f.latest FROM docs d JOIN facets f ON f.id = d.id WHERE d.key = ?", (key,)).fetchone()
        return dict(row) if row else None

    def versions(self, outlet: str, canonical_url: str) -> list[dict[str, Any]]:
        """Every indexed version of an article, in capture order (latest last)."""
        with self._reading() as connection:
            connection.row_factory = sqlite3.Row
            rows = connection.execute(
                "SELECT d.key, d.version, d.captured_at, d.fetched_at, d.source, d.sha256, d.title, f.latest, d.chars "
                "FROM docs d JOIN facets f ON f.id = d.id WHERE d.outlet = ? AND d.canonical_url = ? "
                "ORDER BY d.captured_at, d.version, d.key",
                (outlet, canonical_url),
            ).fetchall()
        return [dict(row) for row in rows]

    def coverage(self) -> dict[str, dict[str, int]]:
        """Articles (latest versions) per outlet per day (``YYYY-MM-DD``; undated ones left out)."""
        with self._reading() as connection:
            rows = connection.execute(
                "SELECT outlet, day, count(*) FROM facets WHERE latest = 1 AND day IS NOT NULL GROUP BY 1, 2"
            ).fetchall()
        found: dict[str, dict[str, int]] = {}
        for outlet, day, count in rows:
            found.setdefault(outlet, {})[day] = count
        return found

    def totals(self) -> dict[str, int]:
        """Articles (latest versions) per outlet."""
        with self._reading() as connection:
            return dict(connection.execute("SELECT outlet, count(*) FROM facets WHERE latest = 1 GROUP BY 1").fetchall())

    def facet_values(self) -> dict[str, list[str]]:
        """The values the search form offers: outlets, languages, sections, sources (kept until an update)."""
        if self._facets is None:
            with self._reading() as connection:
                self._facets = {
                    column: [value for (value,) in connection.execute(
                        f"SELECT DISTINCT {column} FROM facets WHERE {column} IS NOT NULL ORDER BY 1 LIMIT 500")]
                    for column in ("outlet", "language", "section", "source")
                }  # fmt: skip
        return self._facets

    def runs(self, outlet: str | None = None) -> list[RunInfo]:
        """Every committed run indexed and every uncommitted run seen, newest first."""
        with self._reading() as connection:
            committed = connection.execute(
                "SELECT outlet, run_id, source, started_at, finished_at, window_start, window_end, stats, counts, records "
                "FROM runs WHERE ? IS NULL OR outlet = ?", (outlet, outlet)).fetchall()  # fmt: skip
            pending = connection.execute(
                "SELECT outlet, run_id FROM uncommitted WHERE ? IS NULL OR outlet = ?", (outlet, outlet)).fetchall()
        found = [
            RunInfo(o, r, True, started or layout.run_started_at(r).isoformat(), finished, source, (ws, we),
                    json.loads(stats or "{}"), json.loads(counts or "{}"), records or 0)
            for o, r, source, started, finished, ws, we, stats, counts, records in committed
        ]  # fmt: skip
        found += [RunInfo(o, r, False, layout.run_started_at(r).isoformat()) for o, r in pending]
        return sorted(found, key=lambda run: (layout.run_order(run.run_id), run.outlet), reverse=True)

    def document_count(self) -> int:
        with self._reading() as connection:
            return int(connection.execute("SELECT count(*) FROM docs").fetchone()[0])
