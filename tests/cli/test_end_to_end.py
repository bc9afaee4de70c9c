"""The foundation path end to end, as a user runs it: ``crawl`` → ``download --format jsonl``, and ``demo``.

Every command runs the installed ``newsarchive`` entry point in its own process (Scrapy's
reactor runs once per process) against the session's outlet server on 127.0.0.1.
"""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import yaml

from archive import ArticleRecord
from outlet_server import TEMPLATE_LINES, Corpus, OutletServer
from tests.cli.test_cli_errors import free_port, newsarchive

SEED_BOILERPLATE = (
    "Latest developments", "ALSO READ", "Related Articles", "Leave a Reply", "Back to top button",
)


def paragraphs(text: str) -> list[str]:
    """Paragraphs with white space folded (the page's no-break spaces come out as plain spaces)."""
    return [" ".join(p.split()) for p in text.split("\n\n")]


def test_crawl_then_download_jsonl(tmp_path: Path, outlet_server: OutletServer, outlet_corpus: Corpus) -> None:
    outlets = tmp_path / "outlets.yaml"
    outlets.write_text(yaml.safe_dump({"outlets": [outlet_server.outlet_yaml(id="demo")]}), encoding="utf-8")
    archive = tmp_path / "archive"
    first = min(a.published for a in outlet_corpus.articles).date()
    last = max(a.published for a in outlet_corpus.articles).date() + timedelta(days=1)

    crawl = newsarchive("crawl", "demo", "--outlets", str(outlets), "--archive", str(archive),
                        "--since", first.isoformat(), "--until", last.isoformat(),
                        env={"NEWSARCHIVE_DELAY_S": "0", "NEWSARCHIVE_AUTOTHROTTLE": "false"})
    assert crawl.returncode == 0, crawl.stderr

    out = tmp_path / "articles.jsonl"
    download = newsarchive("download", "--archive", str(archive), "--format", "jsonl", "--out", str(out))
    assert download.returncode == 0, download.stderr
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]

    # Every article of the outlet exactly once, nothing else, with the export record's fields in order.
    assert sorted(r["title"] for r in rows) == sorted(a.title for a in outlet_corpus.articles)
    assert len({r["canonical_url"] for r in rows}) == len(rows)
    assert all(list(r)[: len(ArticleRecord.EXPORT_FIELDS)] == list(ArticleRecord.EXPORT_FIELDS) for r in rows)
    # Template text (a "follow us" line in most bodies, one per language) is learned during the crawl and removed.
    assert not any(line in r["text"] for r in rows for line in TEMPLATE_LINES.values())
    seed = next(r for r in rows if r["title"] == outlet_corpus.seed_article.title)
    assert paragraphs(seed["text"]) == paragraphs(outlet_corpus.seed_article.gold_text)
    assert len(paragraphs(seed["text"])) == 14
    assert not any(line in seed["text"] for line in SEED_BOILERPLATE)
    assert seed["source"] == "live" and seed["snapshot_timestamp"] is None
    assert seed["published"].startswith(outlet_corpus.seed_article.published.date().isoformat())
    assert seed["raw"]["warc_file"] and seed["raw"]["record_id"]
    assert (archive / seed["raw"]["warc_file"]).exists() or any(archive.rglob(Path(seed["raw"]["warc_file"]).name))

    # Filters: one outlet, a date range.
    day = outlet_corpus.seed_article.published.date()
    filtered = tmp_path / "one-day.jsonl"
    result = newsarchive("download", "--archive", str(archive), "--outlet", "demo", "--since", day.isoformat(),
                         "--until", day.isoformat(), "--format", "jsonl", "--out", str(filtered))
    assert result.returncode == 0, result.stderr
    titles = {json.loads(line)["title"] for line in filtered.read_text(encoding="utf-8").splitlines()}
    assert titles == {a.title for a in outlet_corpus.articles if a.published.date() == day}


def test_demo_command(tmp_path: Path) -> None:
    archive = tmp_path / "demo-archive"
    result = newsarchive("demo", "--archive", str(archive), "--articles", "30", cwd=tmp_path,
                         env={"NEWSARCHIVE_DEMO_PORT": str(free_port())})
    assert result.returncode == 0, result.stderr
    output = " ".join(result.stdout.split())
    assert "archived 30 articles" in output
    assert "failed 0" in output
    assert "Terrorists driven out of all Aleppo quarters" in output
    assert f"newsarchive download --archive {archive} --format jsonl" in output
    assert "Back to top button" not in output and "Leave a Reply" not in output


def test_crawl_progress_without_a_terminal_is_plain_lines(tmp_path: Path, outlet_server: OutletServer) -> None:
    """Without a terminal a crawl writes plain progress lines (here every 0.2 s), then one 'done' line."""
    outlets = tmp_path / "outlets.yaml"
    outlets.write_text(yaml.safe_dump({"outlets": [outlet_server.outlet_yaml(id="demo")]}), encoding="utf-8")
    result = newsarchive("crawl", "--outlets", str(outlets), "--archive", str(tmp_path / "archive"),
                         "--since", "2026-11-01", "--until", "2026-11-20",
                         env={"NEWSARCHIVE_DELAY_S": "0", "NEWSARCHIVE_PROGRESS_INTERVAL_S": "0.2"})
    assert result.returncode == 0, result.stderr
    lines = [line for line in result.stderr.splitlines() if "[crawler.progress] demo:" in line]
    assert lines and lines[-1].split("demo: ")[1].startswith("done: ")
    assert "\x1b[" not in result.stderr  # no terminal control codes in a log
    done = lines[-1].split("done: ")[1]
    finished, discovered = (int(n) for n in done.split(" URLs")[0].split("/"))
    assert finished == discovered > 0


def test_a_second_crawl_of_the_same_outlet_is_refused(tmp_path: Path, outlet_server: OutletServer) -> None:
    """While one crawl holds the outlet's lease (here: taken by the test), another is refused, not run twice."""
    from archive.lease import CrawlLease
    from archive.stores import LocalStore
    from tests.cli.test_cli_errors import assert_one_clear_line

    outlets = tmp_path / "outlets.yaml"
    outlets.write_text(yaml.safe_dump({"outlets": [outlet_server.outlet_yaml(id="demo")]}), encoding="utf-8")
    archive = tmp_path / "archive"
    outlet_server.reset_log()
    with CrawlLease(LocalStore(archive), "demo", timedelta(hours=1), purpose="nightly"):
        result = newsarchive("crawl", "--outlets", str(outlets), "--archive", str(archive))
    assert_one_clear_line(result, "outlet 'demo' is being crawled (nightly)")
    assert outlet_server.requests == []  # the refused crawl sent nothing to the site
