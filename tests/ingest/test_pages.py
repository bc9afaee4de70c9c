"""ingest_page: the one path from a fetched page to a record (capture + read_page, which both fetchers use).

Pages come from the real outlet server; the archive is a real local-directory archive.
"""

from __future__ import annotations

import urllib.request
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from archive import Archive
from archive.run import ArchiveRun
from core.dates import DateWindow
from core.registry import Outlet
from core.settings import Settings
from core.urls import canonical_url
from ingest import ArticleRules, FetchedResponse, IngestContext, ingest_page
from ingest.pages import page_identity
from outlet_server import Corpus, OutletServer

NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)


def fetch(url: str) -> FetchedResponse:
    with urllib.request.urlopen(url, timeout=10) as response:  # the outlet server on 127.0.0.1
        return FetchedResponse(url, response.status, list(response.headers.items()), response.read(), NOW)


def context(outlet: Outlet, window: DateWindow | None = None) -> IngestContext:
    return IngestContext(outlet, ArticleRules(outlet), window=window)


@pytest.fixture
def outlet(outlet_server: OutletServer) -> Outlet:
    return Outlet.model_validate(outlet_server.outlet_yaml())


@pytest.fixture
def run(tmp_path: Path) -> Iterator[ArchiveRun]:
    with Archive.open(str(tmp_path / "archive"), Settings(spool_dir=tmp_path / "spool")) as archive:
        archive_run = archive.begin_run("demo")
        yield archive_run
        archive_run.commit({})


def test_article_is_captured_extracted_and_archived_once(run: ArchiveRun, outlet: Outlet,
                                                          outlet_server: OutletServer,
                                                          outlet_corpus: Corpus) -> None:
    article = outlet_corpus.seed_article
    response = fetch(outlet_server.url(article))
    first = ingest_page(run, context(outlet), response)
    assert first.outcome == "new" and first.archived
    assert first.record is not None and first.pointer is not None
    assert first.record.canonical_url == canonical_url(outlet_server.url(article))
    assert first.record.title == article.title and first.record.raw["warc_file"]
    response.url = outlet_server.url(article) + "?utm_source=x"
    again = ingest_page(run, context(outlet), response)
    assert again.outcome == "duplicate"


def test_non_articles_windows_and_errors_have_outcomes(run: ArchiveRun, outlet: Outlet,
                                                       outlet_server: OutletServer, outlet_corpus: Corpus) -> None:
    section = next(iter(outlet_corpus.by_section))
    assert ingest_page(run, context(outlet), fetch(outlet_server.url(f"/category/{section}/"))).outcome == "not_article"
    assert ingest_page(run, context(outlet), fetch(outlet_server.url("/about/"))).outcome == "not_article"

    article = outlet_corpus.articles[-1]
    day = article.published.astimezone(outlet_corpus.tz).date()
    before = DateWindow(date(2000, 1, 1), date(day.year - 1, 12, 31), outlet.tz)
    outcome = ingest_page(run, context(outlet, before), fetch(outlet_server.url(article)))
    assert outcome.outcome == "out_of_window" and outcome.pointer is not None, "captured all the same"

    gone = FetchedResponse(outlet_server.url("/x/"), 404, [], b"gone", NOW)
    assert ingest_page(run, context(outlet), gone).outcome == "error"
    pdf = ingest_page(run, context(outlet), FetchedResponse(
        outlet_server.url("/r.pdf"), 200, [("Content-Type", "application/pdf")], b"%PDF-1.4", NOW
    ))
    assert pdf.outcome == "not_article"


def test_rel_canonical_names_the_article_only_on_the_outlets_domains(outlet: Outlet) -> None:
    base = outlet.base_url
    assert page_identity(base + "?p=12", base + "2026/10/03/slug/", outlet) == canonical_url(base + "2026/10/03/slug/")
    assert page_identity(base + "2026/10/03/slug/", "https://aggregator.example/copy/", outlet) == canonical_url(
        base + "2026/10/03/slug/"
    )
    assert page_identity(base + "2026/10/03/slug/", None, outlet) == canonical_url(base + "2026/10/03/slug/")


def test_a_weak_date_never_leaves_a_page_out_of_the_window(run: ArchiveRun, outlet: Outlet,
                                                           outlet_server: OutletServer) -> None:
    """A page whose only date is what htmldate finds in the raw page (here a copyright year in a comment) is
    dated with it, low confidence, but the window treats it as undated: it is archived, not skipped."""
    from tests.extract.helpers import FILLER, article_page, paragraphs

    page = article_page(*paragraphs(FILLER, FILLER + " End.")).replace(
        "</body>", "<!-- (c) 1998-03-04 Example Media --></body>"
    )
    url = outlet_server.url("/undated-story/")
    response = FetchedResponse(url, 200, [("Content-Type", "text/html; charset=utf-8")], page.encode(), NOW)
    window = DateWindow(date(2026, 1, 1), date(2026, 12, 31), outlet.tz)
    outcome = ingest_page(run, context(outlet, window), response)
    assert outcome.outcome == "new", outcome
    assert outcome.record is not None and outcome.record.published is not None
    assert str(outcome.record.published).startswith("1998-03-04")
