"""``newsarchive reextract``: upgrade an archive's extractions from its own raw captures.

Every response the archive stored is kept as WARC, so a better extractor can read old captures
again. For each selected article version (every version, not only the latest), the stored record
says which extractor made it (``extraction.extractor``):

- made by this extractor (:data:`extract.EXTRACTOR_VERSION`): nothing to do (``current``) — so a
  rerun, or a run resumed after a crash, repeats no work it finished;
- else the response is read from its WARC record and extracted again, with the outlet's entry
  from the registry (rules, time zone) and its archived headlines, and the outlet's template lines
  removed as a crawl removes them (:func:`ingest.pages.strip_record_template_lines`): the lines its
  latest runs saved and those the stored record had removed — without them a new extraction would
  give back every "Follow us on Telegram" the crawl took out;
- the text or a metadata field changed: the new extraction is stored as the next *extraction
  revision* of the same capture (:meth:`archive.ArchiveRun.add_reextraction`), beside the
  version, keeping its version number — an outlet's own edits are versions, a new reading of the
  same bytes is not. ``download`` then hands out the best extraction; the earlier one stays
  readable (``all_extractions``);
- nothing changed (``unchanged``) or the capture cannot be read (``unreadable``): recorded in the
  report only.

Changed extractions are committed as runs of the outlet every ``Settings.reextract_batch``
records, so a crash loses at most one batch, which the rerun redoes.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from archive import Archive, ArchiveRun, ArticleRecord, RawPointer
from archive.download import Selection, iter_stored
from archive.warc import read_response
from core.errors import ArchiveError, ExtractionError, StoreError
from core.registry import Outlet
from extract import EXTRACTOR_VERSION, extract_article
from ingest.pages import strip_record_template_lines
from ingest.templates import STATS_KEY as TEMPLATES_STATS_KEY
from ingest.templates import OutletTemplates, saved_template_lines

__all__ = ["COMPARED_FIELDS", "ReextractReport", "changed_fields", "reextract"]

#: The record fields compared to decide whether a new extraction differs from the stored one.
COMPARED_FIELDS: tuple[str, ...] = (
    "text", "title", "authors", "published", "modified", "language", "section", "tags", "canonical_url",
    "description", "image",
)  # fmt: skip


@dataclass
class ReextractReport:
    """What a re-extraction did: counts, and how often each field changed."""

    extractor: str = EXTRACTOR_VERSION
    checked: int = 0
    current: int = 0
    unchanged: int = 0
    changed: int = 0
    unreadable: int = 0
    fields: Counter[str] = field(default_factory=Counter)
    runs: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "extractor": self.extractor, "checked": self.checked, "current": self.current, "unchanged": self.unchanged,
            "changed": self.changed, "unreadable": self.unreadable, "fields": dict(self.fields), "runs": self.runs,
        }  # fmt: skip

    def lines(self) -> list[str]:
        changed = ", ".join(f"{name} {count}" for name, count in self.fields.most_common()) or "none"
        return [
            f"extractor {self.extractor}: {self.checked} stored extractions checked",
            f"  changed {self.changed} (stored as new extraction revisions; fields: {changed})",
            f"  unchanged {self.unchanged}, already current {self.current}, unreadable captures {self.unreadable}",
        ]


@dataclass(frozen=True)
class _OutletArchived:
    """What the archive holds of one outlet that a re-extraction uses, read once: its headlines and the
    template lines its latest runs saved (:attr:`OutletTemplates.saved`, :attr:`OutletTemplates.lines`)."""

    headlines: frozenset[str]
    templates: OutletTemplates

    @classmethod
    def read(cls, archive: Archive, outlet: str) -> _OutletArchived:
        saved = saved_template_lines(archive, outlet)
        return cls(frozenset(archive.index.headlines(outlet)), OutletTemplates.from_settings(archive.settings, saved))


def _record_of(stored: ArticleRecord, body: bytes, charset: str | None, outlet: Outlet | None,
               archived: _OutletArchived) -> ArticleRecord:
    """The record of ``stored``'s capture (``body``) as this extractor reads it: same version, same capture,
    without the outlet's saved template lines and the ones ``stored`` had removed."""
    extraction = extract_article(body, stored.url, outlet=outlet, known_headlines=archived.headlines,
                                 encoding=charset)  # fmt: skip
    record = ArticleRecord.from_extraction(
        extraction, outlet=stored.outlet, url=stored.url, canonical_url=stored.canonical_url,
        fetched_at=stored.fetched_at or "", source=stored.source, snapshot_timestamp=stored.snapshot_timestamp,
        raw=stored.raw,
    )  # fmt: skip
    record.version, record.versions = stored.version, stored.versions
    removed_before = frozenset(stored.extraction.get("template_lines_removed") or ())
    return strip_record_template_lines(record, archived.templates.lines | removed_before)


def changed_fields(old: ArticleRecord, new: ArticleRecord) -> list[str]:
    """The :data:`COMPARED_FIELDS` whose values differ."""
    return [name for name in COMPARED_FIELDS if getattr(old, name) != getattr(new, name)]


class _Batches:
    """One open run per outlet, committed every ``size`` records and at the end.

    Each run carries the outlet's saved template lines (from ``archived``, by outlet) forward in its stats:
    the next crawl (and a resumed re-extraction) reads them from the outlet's latest runs, which may all be
    re-extraction runs by then.
    """

    def __init__(self, archive: Archive, size: int, report: ReextractReport,
                 archived: Mapping[str, _OutletArchived]) -> None:  # fmt: skip
        self.archive, self.size, self.report, self.archived = archive, size, report, archived
        self.runs: dict[str, ArchiveRun] = {}

    def add(self, record: ArticleRecord, original_key: str, revision: int) -> None:
        run = self.runs.get(record.outlet)
        if run is None:
            run = self.runs[record.outlet] = self.archive.begin_run(record.outlet, source="reextract")
        run.add_reextraction(record, original_key, revision)
        if run.counts["reextracted"] >= self.size:
            self._commit(record.outlet)

    def _commit(self, outlet: str) -> None:
        run = self.runs.pop(outlet)
        stats: dict[str, Any] = {"reextract": {"extractor": EXTRACTOR_VERSION, "records": run.counts["reextracted"]}}
        if saved := self.archived[outlet].templates.saved:
            stats[TEMPLATES_STATS_KEY] = saved
        run.commit(stats)
        self.report.runs.append(run.run_id)

    def close(self, failed: bool) -> None:
        for outlet in list(self.runs):
            if failed:
                self.runs.pop(outlet).abort("reextract failed")
            else:
                self._commit(outlet)


def reextract(
    archive: Archive,
    outlets: Mapping[str, Outlet] | None = None,
    *,
    outlet: str | None = None,
    since: date | None = None,
    until: date | None = None,
    progress: Callable[[ReextractReport], None] | None = None,
) -> ReextractReport:
    """Re-extract the stored versions selected (``outlet``, publication days ``since``..``until``).

    ``outlets`` maps outlet ids to their registry entries (rules, time zone); an outlet missing
    from it is extracted with the built-in rules only.
    """
    report = ReextractReport()
    archived: dict[str, _OutletArchived] = {}
    batches = _Batches(archive, archive.settings.reextract_batch, report, archived)
    selection = Selection(outlet=outlet, since=since, until=until, all_versions=True)
    failed = True
    try:
        for row, stored in iter_stored(archive.store, archive.index, selection):
            report.checked += 1
            if stored.extraction.get("extractor") == EXTRACTOR_VERSION:
                report.current += 1
                continue
            pointer = RawPointer.from_dict(stored.raw)
            try:
                if pointer is None:
                    raise ArchiveError("no raw capture recorded")
                response = read_response(archive.store, pointer)
                if stored.outlet not in archived:
                    archived[stored.outlet] = _OutletArchived.read(archive, stored.outlet)
                new = _record_of(stored, response.body, response.charset, (outlets or {}).get(stored.outlet),
                                 archived[stored.outlet])
            except (ArchiveError, StoreError, ExtractionError):
                report.unreadable += 1
                continue
            differing = changed_fields(stored, new)
            if not differing:
                report.unchanged += 1
                continue
            report.changed += 1
            report.fields.update(differing)
            revision = int(stored.extraction.get("revision") or 0) + 1
            batches.add(new, stored.extraction.get("revision_of") or row["key"], revision)
            if progress is not None:
                progress(report)
        failed = False
    finally:
        batches.close(failed)
    return report
