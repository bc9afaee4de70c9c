"""``newsarchive reextract``: a newer extractor upgrades stored extractions from the raw captures.

The archive is built as the crawler builds it (capture, extraction, record); the "old extractor"
is this one with its output spoiled the way issue 16's older pipeline spoiled it (a share bar
kept in the text, the author missed) and a different ``extractor`` version in the record.
"""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from archive import Archive, ArticleRecord
from archive.download import Selection, iter_stored
from archive.run import ArchiveRun
from core.urls import canonical_url
from extract import EXTRACTOR_VERSION, extract_article
from ingest.pages import strip_record_template_lines
from ingest.templates import STATS_KEY, saved_template_lines
from newsarchive.cli import app
from newsarchive.reextract import reextract
from tests.archive.conftest import capture

URL = "https://harbourpost.example/2026/03/04/port-strike-ends/"
BODY = b"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Port strike ends | Harbour Post</title>
<meta property="og:type" content="article"><meta property="og:site_name" content="Harbour Post">
<meta name="author" content="Mara Quinn"><meta property="article:published_time" content="2026-03-04T09:00:00+00:00">
</head><body><article><h1>Port strike ends</h1><div class="entry-content">
<p>Dock workers voted on Tuesday to end the three-week strike that had closed the container terminal and left ships waiting.</p>
<p>The agreement raises pay by six per cent this year and limits night shifts to three a week for every crew.</p>
<p>"We got what we came for," the union's chair said.</p>
</div></article></body></html>"""


def _captured(run: ArchiveRun, fetched_at: str = "2026-03-04T10:00:00+00:00") -> ArticleRecord:
    """Capture the page in ``run`` and extract it with this extractor, as the crawler does."""
    pointer = capture(run, URL, BODY)
    return ArticleRecord.from_extraction(
        extract_article(BODY, URL), outlet="harbour", url=URL, canonical_url=canonical_url(URL), fetched_at=fetched_at,
        raw=pointer,
    )  # fmt: skip


def _archive_with_old_extraction(archive: Archive) -> ArticleRecord:
    run: ArchiveRun = archive.begin_run("harbour")
    record = _captured(run)
    record.text += "\n\nShare\n\nReddit"  # what the old extractor kept
    record.authors = []
    record.extraction["extractor"] = "2025.1"
    run.add_article(record)
    run.commit({})
    return record


def _stored(archive: Archive, **selection: object) -> list[tuple[dict, ArticleRecord]]:
    return list(iter_stored(archive.store, archive.index, Selection(**selection)))  # type: ignore[arg-type]


def test_a_changed_extraction_is_stored_beside_the_version_and_download_hands_out_the_best(
    local_archive: Archive,
) -> None:
    old = _archive_with_old_extraction(local_archive)
    report = reextract(local_archive)
    assert (report.checked, report.changed, report.unchanged, report.unreadable) == (1, 1, 0, 0)
    assert set(report.fields) == {"text", "authors"} and len(report.runs) == 1

    (row, best), = _stored(local_archive)
    assert "Reddit" not in best.text and best.authors == ["Mara Quinn"]
    assert best.version == old.version == 1  # the same capture: no new version of the article
    assert best.extraction["extractor"] == EXTRACTOR_VERSION and best.extraction["revision"] == 1
    assert row["key"].endswith(f"-v0001r01-{best.sha256[:16]}.json")
    assert best.extraction["revision_of"] == old_key(local_archive)

    both = _stored(local_archive, all_extractions=True)
    assert sorted(record.extraction["extractor"] for _, record in both) == ["2025.1", EXTRACTOR_VERSION]
    assert any("Reddit" in record.text for _, record in both)  # the earlier extraction stays readable


def old_key(archive: Archive) -> str:
    rows = archive.index.table("harbour", columns=["key", "extraction_revision"]).to_pylist()
    return next(row["key"] for row in rows if row["extraction_revision"] is None)


def test_rerun_is_idempotent_and_a_later_crawl_of_the_same_page_is_no_new_version(local_archive: Archive) -> None:
    _archive_with_old_extraction(local_archive)
    reextract(local_archive)
    again = reextract(local_archive)
    assert (again.checked, again.current, again.changed) == (1, 1, 0) and again.runs == []
    assert len(local_archive.index.table("harbour", columns=["key"])) == 2

    run = local_archive.begin_run("harbour")
    assert run.add_article(_captured(run, "2026-03-05T10:00:00+00:00")) == "duplicate"  # compared with the best extraction, not the spoiled one
    run.commit({})


def test_unchanged_and_unreadable_captures_are_only_reported(local_archive: Archive) -> None:
    run = local_archive.begin_run("harbour")
    same = _captured(run)
    same.extraction["extractor"] = "2025.1"
    run.add_article(same)
    lost = ArticleRecord(outlet="harbour", url=URL + "?p=2", canonical_url=canonical_url(URL) + "-2", text="Old text.",
                         raw={"warc_file": same.raw["warc_file"], "record_id": "<urn:uuid:missing>"})
    run.add_article(lost)
    run.commit({})
    report = reextract(local_archive)
    assert (report.checked, report.unchanged, report.unreadable, report.changed) == (2, 1, 1, 0)
    assert len(local_archive.index.table("harbour", columns=["key"])) == 2


def test_cli_reextract_reports_what_changed(tmp_path: Path, settings: object, monkeypatch: object) -> None:
    archive_dir = tmp_path / "archive"
    with Archive.open(str(archive_dir), settings) as archive:  # type: ignore[arg-type]
        _archive_with_old_extraction(archive)
    monkeypatch.setenv("NEWSARCHIVE_SPOOL_DIR", str(tmp_path / "spool"))  # type: ignore[attr-defined]
    result = CliRunner().invoke(app, ["reextract", "--archive", str(archive_dir), "--outlets",
                                      str(tmp_path / "none.yaml"), "--json"])  # fmt: skip
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["changed"] == 1 and report["fields"] == {"text": 1, "authors": 1}


def test_the_outlets_template_lines_stay_out_of_a_new_extraction(local_archive: Archive) -> None:
    # The crawl removed the outlet's own furniture from the record ("template_lines_removed"), and a later
    # run saved another line of it; reading the capture again must not give either back.
    telegram, newsletter = "Follow Harbour Post on Telegram for breaking news.", "Get the Harbour Post newsletter every morning."
    body = BODY.replace(b"</div></article>", f"<p>{telegram}</p><p>{newsletter}</p></div></article>".encode())
    run: ArchiveRun = local_archive.begin_run("harbour")
    pointer = capture(run, URL, body)
    record = ArticleRecord.from_extraction(extract_article(body, URL), outlet="harbour", url=URL,
                                           canonical_url=canonical_url(URL), fetched_at="2026-03-04T10:00:00+00:00",
                                           raw=pointer)  # fmt: skip
    record = strip_record_template_lines(record, frozenset({telegram}))  # as the crawl's template pass
    record.authors, record.extraction["extractor"] = [], "2025.1"  # what the old extractor missed
    run.add_article(record)
    run.commit({STATS_KEY: {"en": [newsletter]}})  # the lines the outlet's run saved

    report = reextract(local_archive)
    assert report.changed == 1 and set(report.fields) == {"text", "authors"}
    (_, best), = _stored(local_archive)
    assert best.authors == ["Mara Quinn"]
    assert telegram not in best.text and newsletter not in best.text
    assert best.text.endswith('"We got what we came for," the union\'s chair said.')
    assert best.extraction["template_lines_removed"] == [telegram, newsletter]
    # The re-extraction's run carries the saved lines forward: the next crawl reads them from the outlet's
    # last ten runs, which a large re-extraction (a run per 500 records) could fill with its own.
    assert local_archive.manifest("harbour", report.runs[-1]).stats[STATS_KEY] == {"en": [newsletter]}
    assert saved_template_lines(local_archive, "harbour") == {"en": [newsletter]}
