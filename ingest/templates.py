"""Template lines of one outlet, learned while it is crawled, and the records held back until then.

An outlet's own furniture ("Follow X on Telegram for breaking news") sits inside the
body of many of its articles, and no built-in rule knows it. The crawl learns it:

- :class:`OutletTemplates` feeds every extraction of the outlet to an
  :class:`extract.TemplateLearner` (thresholds from ``Settings.template_min_pages`` and
  ``template_min_share``) and hands the lines learned so far to the next extractions.
  It starts from the lines the outlet's last run saved (:func:`saved_template_lines`),
  so an incremental crawl of a few new pages still removes them; it saves its own in
  the run stats (``template_lines``, by language) for the next run.
- A page archived before a line was learned still holds it, so records are not added to
  the archive run as they come: :meth:`OutletTemplates.hold` learns from a page read
  (:func:`ingest.pages.read_page`) and appends its record to :class:`HeldRecords`, a
  JSONL file on local disk (memory stays flat in the outlet's size), which yields them
  back with the learned lines removed just before they are added — so a text equal to
  an archived one, template line aside, is still a duplicate.

Both fetchers learn this way: the live crawl (:mod:`crawler.pipelines`) holds a whole
crawl's records until the spider closes; the Wayback backfill
(:mod:`history.wayback.backfill`) holds each batch's until the batch is committed, learning
across batches (a batch before the last removes only the :attr:`OutletTemplates.settled_lines`), and
saves the lines it started from merged with the ones it learned
(old snapshots may carry an older template than today's).
"""

from __future__ import annotations

import json
import logging
import tempfile
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from core.errors import ArchiveError
from core.settings import Settings, redact
from ingest.pages import strip_record_template_lines

if TYPE_CHECKING:
    from archive import Archive, ArticleRecord
    from extract import Extraction, TemplateLearner
    from ingest.pages import IngestOutcome

__all__ = ["STATS_KEY", "HeldRecords", "OutletTemplates", "saved_template_lines"]

logger = logging.getLogger(__name__)

#: The run-stats key holding the template lines learned, ``{language or "": [line, ...]}``.
STATS_KEY = "template_lines"
#: How many committed runs back :func:`saved_template_lines` looks for a run that saved lines.
RUNS_LOOKED_BACK = 10

TemplateLines = dict[str, list[str]]


def saved_template_lines(archive: Archive, outlet_id: str) -> TemplateLines:
    """The template lines the outlet's most recent committed run saved in its manifest, if any."""
    for _, run_id in reversed(archive.committed_runs(outlet_id)[-RUNS_LOOKED_BACK:]):
        try:
            manifest = archive.manifest(outlet_id, run_id)
        except ArchiveError as exc:
            logger.warning("manifest of run %s unreadable, template lines not reused: %s", run_id, redact(str(exc)))
            continue
        saved = manifest.stats.get(STATS_KEY)
        if isinstance(saved, dict):
            return {str(lang): [str(line) for line in lines] for lang, lines in saved.items() if isinstance(lines, list)}
    return {}


class OutletTemplates:
    """The template lines of one outlet during its crawl: saved ones, plus those learned from its pages."""

    def __init__(
        self, learner: TemplateLearner, saved: Mapping[str, list[str]] | None = None, *, settled_pages: int = 0
    ) -> None:
        self.learner = learner
        #: Pages of a language after which its learned lines are settled (:attr:`settled_lines`).
        self.settled_pages = settled_pages
        self.saved: TemplateLines = {}
        self._saved_lines: frozenset[str] = frozenset()
        self._lines: frozenset[str] = frozenset()
        self.remember(saved or {})

    @classmethod
    def from_settings(cls, settings: Settings, saved: Mapping[str, list[str]] | None = None) -> OutletTemplates:
        from extract import TemplateLearner

        return cls(TemplateLearner.from_settings(settings), saved, settled_pages=settings.template_settled_pages)

    def remember(self, saved: Mapping[str, list[str]]) -> None:
        """Add lines saved by a run (by language) to the ones this crawl started from."""
        for lang, lines in saved.items():
            known = self.saved.setdefault(lang, [])
            known += [line for line in lines if line not in known]
        self._saved_lines = frozenset(line for lines in self.saved.values() for line in lines)
        self._lines = self._saved_lines | self.learner.template_lines()

    def observe(self, extraction: Extraction) -> None:
        """Count one article's lines (the ones already removed as template included)."""
        self.learner.observe(extraction)
        self._lines = self._saved_lines | self.learner.template_lines()

    def hold(self, held: HeldRecords, identity: str, result: IngestOutcome, *, learn: bool = True) -> bool:
        """Learn from one page read (unless ``learn`` is false) and hold its record back, if any: True when held.

        ``identity`` is what the caller settles when the record comes back from ``held``.
        """
        if learn and result.extraction is not None:
            self.observe(result.extraction)
        if result.record is None:
            return False
        held.append(identity, result.record)
        return True

    @property
    def lines(self) -> frozenset[str]:
        """The lines to remove now, as finally judged (at the end of a crawl or backfill)."""
        return self._lines

    @property
    def settled_lines(self) -> frozenset[str]:
        """The lines to remove from records committed before the end: the saved ones, and those learned in
        languages seen on at least :attr:`settled_pages` pages. Judged on fewer pages, a line that qualifies
        (4 of the first 7 pages, say: a recurring subheading of one series) may not in the end, and the
        paragraphs it removed from records already committed would be lost."""
        learned = self.learner.template_lines_by_language(self.settled_pages)
        return self._saved_lines.union(*learned.values())

    def to_stats(self, *, keep_saved: bool = False, settled_only: bool = False) -> TemplateLines:
        """What this run saves for the next one, by language.

        A language with at least ``min_pages`` pages in this run is judged on them alone (a saved
        line no longer used goes); with fewer, the saved lines are kept and the new ones added.
        With ``keep_saved`` no language is judged: the saved lines are all kept (a backfill reads
        the past, whose template need not be today's). With ``settled_only`` the learned lines added
        are the settled ones (:attr:`settled_lines`: what a backfill's batch before its last saves).
        """
        by_language = self.learner.template_lines_by_language(self.settled_pages if settled_only else 0)
        learned = {lang or "": lines for lang, lines in by_language.items()}
        judged = set() if keep_saved else {
            lang or "" for lang, pages in self.learner.pages.items() if pages >= self.learner.min_pages
        }
        result: TemplateLines = {}
        for lang in sorted(set(learned) | set(self.saved)):
            lines = set(learned.get(lang, ()))
            if lang not in judged:
                lines |= set(self.saved.get(lang, ()))
            if lines:
                result[lang] = sorted(lines)
        return result


class HeldRecords:
    """Records held back until the template lines are learned, on local disk (JSONL), each with the
    crawl identity it settles. Not :mod:`archive.spool`, which keeps a run's objects through a store outage."""

    def __init__(self, directory: Path | None = None) -> None:
        # Open for the crawl's lifetime, closed by drain() or close(); deleted by the OS when closed.
        self._file: IO[bytes] = tempfile.TemporaryFile(  # noqa: SIM115
            prefix="newsarchive-records-", suffix=".jsonl", dir=directory
        )
        self.count = 0

    def append(self, identity: str, record: ArticleRecord) -> None:
        line = json.dumps({"identity": identity, "record": record.to_dict()}, ensure_ascii=False)
        self._file.write(line.encode("utf-8") + b"\n")
        self.count += 1

    def drain(self, template_lines: frozenset[str]) -> Iterator[tuple[str, ArticleRecord]]:
        """Every record held, in order, without the paragraphs equal to a template line."""
        from archive import ArticleRecord

        self._file.flush()
        self._file.seek(0)
        for raw in self._file:
            entry: dict[str, Any] = json.loads(raw)
            yield entry["identity"], strip_record_template_lines(ArticleRecord.from_dict(entry["record"]), template_lines)
        self.close()

    def close(self) -> None:
        self._file.close()
