"""Template lines learned per outlet during a crawl (issue 4, point 4) and removed from every record of it.

The outlet server puts one template line per language (``outlet_server.TEMPLATE_LINES``) into the
body of its Jannah and Newspaper articles; it is never part of the gold text.
"""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo
from pathlib import Path
from types import SimpleNamespace

import pytest

from archive import Archive, ArticleRecord
from core.registry import Outlet
from core.settings import Settings
from extract import Extraction, TemplateLearner, strip_template_lines
from ingest.plan import build_plan
from ingest.templates import STATS_KEY, HeldRecords, OutletTemplates, saved_template_lines
from outlet_server import TEMPLATE_LINES, OutletServer, build_corpus
from tests.crawler.crawling import crawl, identity

FOOTER = "Follow Test Times on Telegram."


def _record(text: str) -> ArticleRecord:
    return ArticleRecord(outlet="t", url="https://t.example/a", canonical_url="https://t.example/a", text=text,
                         fetched_at=datetime(2026, 11, 1, tzinfo=UTC).isoformat(),
                         extraction={"paragraphs": 3})


def test_strip_template_lines_drops_whole_paragraphs_only() -> None:
    text = f"First paragraph.\n\n{FOOTER}\n\nWe {FOOTER.lower()} says the last one."
    stripped, removed = strip_template_lines(text, {"follow  test times on telegram."})
    assert stripped == f"First paragraph.\n\nWe {FOOTER.lower()} says the last one."
    assert removed == [FOOTER]
    assert strip_template_lines(text, ()) == (text, [])


def test_held_records_come_back_in_order_without_template_lines(tmp_path: Path) -> None:
    held = HeldRecords(tmp_path)
    held.append("https://t.example/a", _record(f"One.\n\n{FOOTER}\n\nTwo."))
    held.append("https://t.example/b", _record("Nothing to remove."))
    drained = list(held.drain(frozenset({FOOTER})))
    assert [(i, r.text) for i, r in drained] == [("https://t.example/a", "One.\n\nTwo."),
                                                ("https://t.example/b", "Nothing to remove.")]
    assert drained[0][1].extraction == {"paragraphs": 2, "template_lines_removed": [FOOTER]}


def test_saved_lines_kept_until_a_run_sees_enough_pages_of_their_language() -> None:
    saved = {"en": ["Old English footer."], "ru": ["Старая подпись."]}
    templates = OutletTemplates(TemplateLearner(min_pages=2, min_share=0.5), saved)
    assert templates.lines == {"Old English footer.", "Старая подпись."}
    for n in range(3):
        templates.learner.observe([f"English story {n}.", "New English footer."], language="en")
    assert templates.to_stats() == {"en": ["New English footer."], "ru": ["Старая подпись."]}


def test_backfill_keeps_every_saved_line_and_adds_the_learned_ones() -> None:
    # A backfill reads the past: a line its snapshots no longer carry may still be today's template.
    templates = OutletTemplates(TemplateLearner(min_pages=2, min_share=0.5), {"en": ["Old English footer."]})
    templates.remember({"en": ["Live footer.", "Old English footer."], "ru": ["Старая подпись."]})
    assert templates.lines == {"Old English footer.", "Live footer.", "Старая подпись."}
    for n in range(3):
        templates.learner.observe([f"English story {n}.", "New English footer."], language="en")
    assert templates.to_stats(keep_saved=True) == {
        "en": ["Live footer.", "New English footer.", "Old English footer."], "ru": ["Старая подпись."],
    }
    assert templates.to_stats() == {"en": ["New English footer."], "ru": ["Старая подпись."]}


def test_the_latest_run_saved_the_lines_reused_even_within_one_second(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A resumed backfill starts from the lines its last committed batch saved. Two batches committed
    # in the same second were once ordered by their run ids' random suffix: the first batch (no line
    # learned yet) could count as the latest, and the resumed backfill kept the line in its records.
    # The clock is frozen (both runs start at one instant) and the first run gets the larger suffix.
    frozen = datetime.now(UTC)

    class Clock(datetime):
        @classmethod
        def now(cls, tz: tzinfo | None = None) -> Clock:
            return cls.fromtimestamp(frozen.timestamp(), tz)

    import archive.layout
    import archive.run

    monkeypatch.setattr(archive.layout, "datetime", Clock)
    monkeypatch.setattr(archive.run, "datetime", Clock)
    suffixes = iter(["ffffff", "000000"])
    monkeypatch.setattr(archive.layout, "secrets", SimpleNamespace(token_hex=lambda _n: next(suffixes)))
    with Archive.open(str(tmp_path / "archive"), Settings(spool_dir=tmp_path / "spool")) as store:
        first = store.begin_run("demo", source="wayback")
        first.commit({STATS_KEY: {}})  # the first batch: nothing learned yet
        second = store.begin_run("demo", source="wayback")
        second.commit({STATS_KEY: {"en": [FOOTER]}})
        assert [run for _, run in store.committed_runs("demo")] == [first.run_id, second.run_id]
        assert saved_template_lines(store, "demo") == {"en": [FOOTER]}


@pytest.mark.slow
def test_crawl_learns_template_lines_and_removes_them_from_every_record(outlet_server: OutletServer,
                                                                         outlet_corpus, tmp_path: Path) -> None:
    # Arabic and Russian have 6 articles each in this corpus, 4 of them carry the line: 4 pages suffice here.
    result = crawl(outlet_server, tmp_path / "archive", template_min_pages=4)
    records = {r.canonical_url: r for r in result.records()}
    assert len(records) == len(outlet_corpus.articles)
    leaked = [url for url, r in records.items() if any(line in r.text for line in TEMPLATE_LINES.values())]
    assert leaked == []
    for article in outlet_corpus.articles:
        record = records[identity(outlet_server, article)]
        assert " ".join(record.text.split()) == " ".join(article.gold_text.split()), article.path
    learned = result.stats["template_lines"]
    assert learned == {lang: [line] for lang, line in TEMPLATE_LINES.items()}

    # The next crawl of the outlet starts with them, read from the archive.
    settings = Settings(spool_dir=tmp_path / "plan-spool")
    outlet = Outlet.model_validate(outlet_server.outlet_yaml())
    with Archive.open(str(tmp_path / "archive"), settings) as archive:
        plan = build_plan(archive, outlet, since=None, until=None, settings=settings)
    assert plan.template_lines == learned


@pytest.mark.slow
def test_outlet_with_too_few_pages_learns_nothing(make_outlet_server, tmp_path: Path) -> None:
    corpus = build_corpus(seed=5, n_articles=4)
    templated = [a for a in corpus.articles if a.theme in ("jannah", "newspaper") and not a.is_seed]
    server = make_outlet_server(corpus)
    result = crawl(server, tmp_path / "archive", template_min_pages=5)
    records = {r.canonical_url: r for r in result.records()}
    assert len(records) == len(corpus.articles) and templated
    for article in templated:
        assert TEMPLATE_LINES[article.language] in records[identity(server, article)].text
    assert result.stats["template_lines"] == {}


def test_a_line_judged_on_few_pages_is_not_settled_until_its_language_has_enough() -> None:
    # A backfill's batch before its last removes only settled lines: a series' recurring subheading on 4 of
    # the first 7 pages passes for template then, but not once more pages are seen.
    subheading, footer = "What happens next", "Follow us on Telegram."
    templates = OutletTemplates(TemplateLearner(min_pages=4, min_share=0.5), {"en": ["Saved footer."]},
                                settled_pages=20)
    def page(n: int, *lines: str) -> Extraction:
        return Extraction(url=f"https://t.example/{n}", text="\n\n".join([f"Story {n}.", *lines]), language="en")

    for n in range(7):
        templates.observe(page(n, *([subheading] if n < 4 else []), footer))
    assert {subheading, footer} <= templates.lines
    assert templates.settled_lines == {"Saved footer."}, "7 pages: nothing learned is settled"
    assert templates.to_stats(keep_saved=True, settled_only=True) == {"en": ["Saved footer."]}
    for n in range(7, 20):
        templates.observe(page(n, footer))
    assert subheading not in templates.lines and templates.settled_lines == {"Saved footer.", footer}
