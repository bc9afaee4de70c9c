"""The search index's facets: counts per outlet and month, filters and pages over the latest versions only,
a schema change that forces a rebuild, searches across a rebuild (the kept reading connections), and
updates that read the commit log between full listings."""

from __future__ import annotations

import sqlite3
from collections import Counter
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from archive import Archive, ArticleRecord, ObjectInfo, layout
from archive.search import SCHEMA_VERSION, Query, SearchIndex
from core.settings import Settings
from tests.archive.conftest import make_record

#: (outlet, n, published day, text) of the first run of each outlet: every text mentions a lighthouse
FIRST = [
    ("alpha", 0, "2026-09-03", "The lighthouse keeper saw a storm."),
    ("alpha", 1, "2026-09-20", "A lighthouse was repainted in red."),
    ("alpha", 2, "2026-10-05", "Fishermen thanked the lighthouse crew."),
    ("beta", 3, "2026-10-06", "The old lighthouse opens to visitors."),
    ("beta", 4, "2026-10-07", "Tourists climbed the lighthouse stairs."),
]
#: the second run of alpha: article 0 again, edited and dated in November (its September version is then
#: an older version, counted nowhere)
EDITED = ("alpha", 0, "2026-11-02", "The lighthouse keeper saw a storm and rang the harbour master.")


def record(outlet: str, n: int, day: str, text: str) -> ArticleRecord:
    return make_record(outlet, n, text, published=f"{day}T09:30:00+00:00")


@pytest.fixture
def archive(tmp_path: Path) -> Archive:
    settings = Settings(spool_dir=tmp_path / "spool", search_cache_dir=tmp_path / "search", search_page_size=2)
    archive = Archive.open(str(tmp_path / "archive"), settings)
    for outlet in ("alpha", "beta"):
        run = archive.begin_run(outlet)
        for row in FIRST:
            if row[0] == outlet:
                run.add_article(record(*row))
        run.commit({})
    return archive


def latest_rows(edited: bool) -> list[tuple[str, int, str, str]]:
    rows = [row for row in FIRST if not (edited and row[:2] == EDITED[:2])]
    return [*rows, EDITED] if edited else rows


def test_counts_per_outlet_and_month_are_those_of_the_latest_versions(archive: Archive) -> None:
    index = SearchIndex(archive)
    assert index.update() == 2
    run = archive.begin_run("alpha")
    run.add_article(record(*EDITED))
    run.commit({})
    assert index.update() == 1
    assert index.document_count() == len(FIRST) + 1  # both versions of article 0 are kept ...
    rows = latest_rows(edited=True)
    result = index.search(Query("lighthouse"))
    assert result.total == len(rows)  # ... but only the latest is found
    assert dict(result.per_outlet) == Counter(outlet for outlet, *_ in rows)
    assert dict(result.per_month) == Counter(day[:7] for _, _, day, _ in rows)
    assert index.search(Query("harbour")).per_month == [("2026-11", 1)]
    assert index.totals() == Counter(outlet for outlet, *_ in rows)
    assert sum(sum(days.values()) for days in index.coverage().values()) == len(rows)
    assert [v["latest"] for v in index.versions("alpha", make_record("alpha", 0).canonical_url)] == [0, 1]


def test_filters_and_every_page_of_both_orders(archive: Archive) -> None:
    index = SearchIndex(archive)
    index.update()
    october = index.search(Query("lighthouse", since=date(2026, 10, 1), until=date(2026, 10, 31)))
    assert october.total == sum(day.startswith("2026-10") for _, _, day, _ in FIRST)
    beta = index.search(Query("lighthouse", outlet="beta", section="world", language="en", author="writer"))
    assert beta.per_outlet == [("beta", sum(outlet == "beta" for outlet, *_ in FIRST))]
    assert index.search(Query("lighthouse", author="nobody")).total == 0
    for sort in ("relevance", "date"):
        first = index.search(Query("lighthouse", sort=sort))
        keys = [hit.key for page in range(1, first.pages + 1)
                for hit in index.search(Query("lighthouse", sort=sort, page=page)).hits]  # fmt: skip
        assert len(keys) == len(set(keys)) == first.total and set(keys) == set(index.keys(Query("lighthouse")))
    dated = [hit.day for page in (1, 2, 3) for hit in index.search(Query(sort="date", page=page)).hits]
    assert dated == sorted((day for _, _, day, _ in FIRST), reverse=True)


def test_an_index_of_another_schema_version_is_built_anew(archive: Archive) -> None:
    index = SearchIndex(archive)
    index.update()
    with sqlite3.connect(index.path) as connection:
        connection.execute("UPDATE meta SET value = ? WHERE name = 'schema'", (str(SCHEMA_VERSION - 1),))
    reopened = SearchIndex(archive)
    assert reopened.document_count() == 0 and reopened.update() == 2
    assert reopened.search(Query("lighthouse")).total == len(FIRST)


def test_searches_before_and_after_a_rebuild(archive: Archive) -> None:
    index = SearchIndex(archive)
    index.update()
    before = index.search(Query("lighthouse"))
    assert index.rebuild() == 2  # the file is replaced: the kept connections must not read the old one
    after = index.search(Query("lighthouse"))
    assert (after.total, after.per_outlet, after.per_month) == (before.total, before.per_outlet, before.per_month)
    run = archive.begin_run("alpha")
    run.add_article(record(*EDITED))
    run.commit({})
    assert index.update() == 1 and index.search(Query("harbour")).total == 1


def test_between_full_listings_an_update_reads_only_the_commit_log(archive: Archive,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """A server's refresh costs one listing of the commit log, not one of every run's objects; the runs the
    log cannot show (left uncommitted, or committed by a writer without the log) wait for the next full listing."""
    listed: list[str] = []
    list_objects = archive.store.list

    def recording_list(prefix: str = "", **kwargs: Any) -> Iterator[ObjectInfo]:  # a spy: the real store answers
        listed.append(prefix)
        return list_objects(prefix, **kwargs)

    monkeypatch.setattr(archive.store, "list", recording_list)
    index = SearchIndex(archive)
    assert index.update() == 2 and sorted(listed) == ["runs/", "warc/"], "the first update lists everything"

    listed.clear()
    run = archive.begin_run("alpha")
    run.add_article(record("alpha", 7, "2026-11-20", "The lighthouse got a new lamp."))
    run.commit({})
    killed = layout.new_run_id()  # a run killed after it wrote a WARC file: no commit marker
    archive.store.put(layout.warc_key("beta", killed, 1), b"leftover")
    silent = archive.begin_run("beta")  # committed by a writer older than the commit log: no entry
    silent.add_article(record("beta", 8, "2026-11-21", "A lighthouse stamp was issued."))
    silent.commit({})
    for info in list_objects(f"{layout.COMMIT_LOG_PREFIX}"):
        if layout.parse_commit_log_key(info.key) == ("beta", silent.run_id):
            archive.store.delete(info.key)
    listed.clear()
    assert index.update() == 1, "the run in the commit log"
    assert listed == [layout.COMMIT_LOG_PREFIX], listed
    assert index.update() == 0, "read again from a little before the newest entry: indexed once"
    assert {(r.outlet, r.committed) for r in index.runs()} == {("alpha", True), ("beta", True)}
    assert killed not in {r.run_id for r in index.runs()}

    listed.clear()
    assert index.update(full=True) == 1, "the run the log did not name"
    assert sorted(listed) == ["runs/", "warc/"]
    runs = {r.run_id: r.committed for r in index.runs()}
    assert runs[silent.run_id] is True and runs[killed] is False
    assert index.search(Query("stamp")).total == 1


def test_a_server_lists_everything_again_every_rescan_period(tmp_path: Path) -> None:
    settings = Settings(spool_dir=tmp_path / "spool", search_cache_dir=tmp_path / "search", search_rescan_s=0.0)
    archive = Archive.open(str(tmp_path / "archive"), settings)
    index = SearchIndex(archive)
    index.update()
    killed = layout.new_run_id()
    archive.store.put(layout.warc_key("beta", killed, 1), b"leftover")
    index.update()  # search_rescan_s=0: every update is a full listing
    assert [r.committed for r in index.runs() if r.run_id == killed] == [False]
