"""The command-line contract: every command × situation → its exit code (``core.errors.ExitCode``),
one line on stderr without a traceback, and nothing committed before lost.

Situations: success, partial failure (an interrupted crawl), total failure (a site that never
answers), a missing archive, an unknown outlet, bad option values, an unwritable output. Every
command runs the installed ``newsarchive`` entry point in its own process, against the session's
outlet server on 127.0.0.1 (real crawls, a real archive on disk).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml

from archive import Archive
from core.errors import ExitCode
from core.settings import Settings
from outlet_server import Corpus, OutletServer
from tests.cli.running import child_pids, read_stderr_until
from tests.cli.test_cli_errors import assert_one_clear_line, free_port, newsarchive

FAST = {"NEWSARCHIVE_DELAY_S": "0", "NEWSARCHIVE_AUTOTHROTTLE": "false"}


def last_line(result: subprocess.CompletedProcess[str]) -> str:
    """The final stderr line of a crawl (its logs and progress come before)."""
    assert "Traceback" not in result.stderr + result.stdout, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert lines, "no summary line on stderr"
    return lines[-1]


def write_outlets(path: Path, *entries: dict[str, Any]) -> Path:
    path.write_text(yaml.safe_dump({"outlets": list(entries)}, sort_keys=False), encoding="utf-8")
    return path


def records(archive: Path, outlet: str | None = None) -> list[str]:
    with Archive.open(str(archive), Settings(spool_dir=archive.parent / "spool"), create=False) as opened:
        return sorted(r.canonical_url for r in opened.iter_records(outlet=outlet))


def last_ok_run(archive: Path, outlet: str) -> Any:
    with Archive.open(str(archive), Settings(spool_dir=archive.parent / "spool"), create=False) as opened:
        return opened.index.last_successful_run(outlet)


def run_outcomes(archive: Path, outlet: str) -> list[str]:
    with Archive.open(str(archive), Settings(spool_dir=archive.parent / "spool"), create=False) as opened:
        return [opened.index.run_outcome(outlet, run_id) for _, run_id in opened.committed_runs(outlet)]


@pytest.fixture(scope="module")
def crawled(tmp_path_factory: pytest.TempPathFactory, outlet_server: OutletServer,
            outlet_corpus: Corpus) -> dict[str, Any]:  # fmt: skip
    """An archive with one successful crawl of the outlet: what every reader command reads."""
    root = tmp_path_factory.mktemp("contract")
    outlets = write_outlets(root / "outlets.yaml", outlet_server.outlet_yaml(id="demo"))
    archive = root / "archive"
    first = min(a.published for a in outlet_corpus.articles).date()
    last = max(a.published for a in outlet_corpus.articles).date() + timedelta(days=1)
    result = newsarchive("crawl", "demo", "--outlets", str(outlets), "--archive", str(archive),
                         "--since", first.isoformat(), "--until", last.isoformat(), env=FAST)
    assert result.returncode == ExitCode.OK, result.stderr
    assert last_line(result) == "crawl: demo: ok: finished and committed (exit 0)"
    return {"root": root, "outlets": outlets, "archive": archive, "records": records(archive)}


# -- crawl ------------------------------------------------------------------------------------

def test_crawl_success_says_ok_and_exits_0(crawled: dict[str, Any]) -> None:
    assert crawled["records"], "the crawl archived the outlet"
    assert run_outcomes(crawled["archive"], "demo") == ["ok"]
    assert last_ok_run(crawled["archive"], "demo") is not None


def test_crawl_of_a_site_that_never_answers_fails_fast_and_moves_nothing(crawled: dict[str, Any],
                                                                         tmp_path: Path) -> None:  # fmt: skip
    """A refused port: exit 1 in seconds (not the retry ladder), the window's last run unchanged."""
    port = free_port()
    outlets = write_outlets(tmp_path / "outlets.yaml", {
        "id": "down", "name": "Down", "base_url": f"http://127.0.0.1:{port}/", "allow_private_addresses": True,
        "sitemaps": [f"http://127.0.0.1:{port}/sitemap.xml"],
    })
    archive = tmp_path / "archive"  # a copy: the module's archive stays as the other tests expect it
    shutil.copytree(crawled["archive"], archive)
    before = records(archive)
    started = time.monotonic()
    result = newsarchive("crawl", "--outlets", str(outlets), "--archive", str(archive),
                         "--since", "2026-11-01", "--until", "2026-11-02")
    seconds = time.monotonic() - started
    assert result.returncode == ExitCode.FAILED, result.stderr
    line = last_line(result)
    assert "crawl: down: failed: the site never answered" in line and "(exit 1)" in line
    assert seconds < 30, f"took {seconds:.0f} s: a refused port is not worth the retry ladder"
    assert records(archive) == before, "nothing committed before is lost"
    assert last_ok_run(archive, "down") is None, "a failed run is never the last successful run"
    assert run_outcomes(archive, "down") == ["failed"], "the manifest records the outcome"
    assert last_ok_run(archive, "demo") == last_ok_run(crawled["archive"], "demo")


#: How a crawl is asked to stop: (the signal, sent to the CLI's whole process group or to the CLI alone).
STOP_REQUESTS = {
    "ctrl-c": (signal.SIGINT, "group"),  # a terminal
    "kill": (signal.SIGTERM, "cli"),  # `kill PID`, `docker stop`: the child hears it from the CLI alone
    "killpg": (signal.SIGTERM, "group"),  # systemd, Airflow: the child gets it twice, directly and from the CLI
}


@pytest.mark.parametrize("how", list(STOP_REQUESTS))
def test_interrupted_crawl_keeps_what_it_fetched_exits_partial_and_does_not_move_the_window(
    outlet_server: OutletServer, outlet_corpus: Corpus, tmp_path: Path, how: str
) -> None:
    """Stopped mid-crawl (Ctrl-C; a SIGTERM to the CLI alone or to its process group): the crawl stops
    gracefully, the run is committed with outcome partial, the CLI exits 4 and leaves no crawl process behind,
    the last successful run stays the earlier one."""
    day = outlet_corpus.seed_article.published.date()
    archive = tmp_path / "archive"
    fast = write_outlets(tmp_path / "fast.yaml", outlet_server.outlet_yaml(id="demo"))
    first = newsarchive("crawl", "--outlets", str(fast), "--archive", str(archive), "--since", day.isoformat(),
                        "--until", day.isoformat(), env=FAST)
    assert first.returncode == ExitCode.OK, first.stderr
    kept = records(archive)
    ok_run = last_ok_run(archive, "demo")
    assert ok_run is not None

    slow = write_outlets(tmp_path / "slow.yaml", outlet_server.outlet_yaml(
        id="demo", rate={"concurrency": 1, "delay_s": 0.3}))
    exe = Path(sys.executable).with_name("newsarchive")
    crawl = subprocess.Popen(
        [str(exe), "crawl", "--outlets", str(slow), "--archive", str(archive), "--since", "2026-01-01",
         "--until", "2026-12-31"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
        env={**os.environ, "NEWSARCHIVE_AUTOTHROTTLE": "false", "NEWSARCHIVE_PROGRESS_INTERVAL_S": "0.5"},
    )
    # Interrupted once the progress lines show records held (fetched and extracted, not yet archived).
    held, seen = read_stderr_until(crawl, r"· held (\d+) ·", 3)
    assert held and crawl.poll() is None, "the crawl is still running when interrupted:\n" + "".join(seen[-20:])
    signum, target = STOP_REQUESTS[how]
    children = child_pids(crawl.pid)
    assert children, "the CLI runs its crawl in a child process"
    if target == "group":
        os.killpg(crawl.pid, signum)
    else:
        os.kill(crawl.pid, signum)
    stdout, rest = crawl.communicate(timeout=120)
    assert not any(Path(f"/proc/{pid}").exists() for pid in children), "the crawl child is gone with the CLI"
    stderr = "".join(seen) + rest
    result = subprocess.CompletedProcess(crawl.args, crawl.returncode, stdout, stderr)
    assert result.returncode == ExitCode.PARTIAL, stderr[-3000:]
    line = last_line(result)
    assert line.startswith("newsarchive: warning: crawl: demo: partial: stopped early (interrupted)"), line
    assert line.endswith("(exit 4)"), line
    after = records(archive)
    assert set(kept) <= set(after), "nothing committed before is lost"
    assert len(after) > len(kept), "what the interrupted crawl fetched was committed"
    assert len(after) < len(outlet_corpus.articles), "the crawl was really interrupted"
    assert run_outcomes(archive, "demo") == ["ok", "partial"]
    assert last_ok_run(archive, "demo") == ok_run, "an interrupted run never moves the window"


def test_crawl_usage_mistakes_exit_2(crawled: dict[str, Any], tmp_path: Path) -> None:
    outlets, archive = str(crawled["outlets"]), str(crawled["archive"])
    cases = [
        (["crawl", "nosuch", "--outlets", outlets, "--archive", archive], "unknown outlet id(s): nosuch"),
        (["crawl", "--outlets", outlets, "--archive", archive, "--since", "yesterday"], "--since"),
        (["crawl", "--outlets", outlets, "--archive", archive, "--refresh", "0"], "--refresh"),
        (["crawl", "--outlets", str(tmp_path / "none.yaml"), "--archive", archive], "not found"),
    ]
    for args, fragment in cases:
        result = newsarchive(*args)
        assert_one_clear_line(result, fragment)
        assert result.returncode == ExitCode.USAGE, (args, result.stderr)
    assert records(crawled["archive"]) == crawled["records"]


def test_crawl_into_an_unwritable_archive_is_one_line(crawled: dict[str, Any], tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    result = newsarchive("crawl", "--outlets", str(crawled["outlets"]), "--archive", str(blocker / "archive"),
                         env={"NEWSARCHIVE_SPOOL_DIR": str(tmp_path / "spool")})
    assert result.returncode == ExitCode.FAILED, result.stderr
    assert "Traceback" not in result.stderr
    assert "cannot create archive directory" in last_line(result)


# -- readers never create an archive ----------------------------------------------------------

READERS = [
    ["stats"],
    ["verify"],
    ["gc", "--dry-run"],
    ["download", "--out", "{tmp}/out.jsonl"],
]


@pytest.mark.parametrize("command", READERS, ids=" ".join)
def test_readers_of_a_missing_archive_say_so_and_create_nothing(command: list[str], tmp_path: Path) -> None:
    args = [arg.format(tmp=tmp_path) for arg in command]
    result = newsarchive(*args, "--archive", str(tmp_path / "typo"), env={"NEWSARCHIVE_SPOOL_DIR": str(tmp_path / "s")})
    assert_one_clear_line(result, "no archive at", str(tmp_path / "typo"))
    assert result.returncode == ExitCode.USAGE
    assert not (tmp_path / "typo").exists() and not (tmp_path / "out.jsonl").exists()


@pytest.mark.parametrize("command", [["stats"], ["verify"], ["download", "--out", "{tmp}/out.jsonl"]], ids=" ".join)
def test_readers_name_an_unknown_outlet(command: list[str], crawled: dict[str, Any], tmp_path: Path) -> None:
    args = [arg.format(tmp=tmp_path) for arg in command]
    result = newsarchive(*args, "--archive", str(crawled["archive"]), "--outlet", "nosuch")
    assert_one_clear_line(result, "no outlet 'nosuch' in this archive (known: demo)")
    assert result.returncode == ExitCode.USAGE
    assert not (tmp_path / "out.jsonl").exists()


# -- download ---------------------------------------------------------------------------------

def test_download_success_stdout_and_case_insensitive_format(crawled: dict[str, Any], tmp_path: Path) -> None:
    archive = str(crawled["archive"])
    out = tmp_path / "articles.jsonl"
    result = newsarchive("download", "--archive", archive, "--format", "JSONL", "--out", str(out))
    assert result.returncode == ExitCode.OK, result.stderr
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert sorted(r["canonical_url"] for r in rows) == crawled["records"]
    assert f"wrote {len(rows)} records to {out} (jsonl)" in result.stdout

    piped = newsarchive("download", "--archive", archive, "--out", "-")
    assert piped.returncode == ExitCode.OK, piped.stderr
    assert sorted(json.loads(line)["canonical_url"] for line in piped.stdout.splitlines()) == crawled["records"]
    assert f"wrote {len(rows)} records to stdout" in piped.stderr

    by_name = tmp_path / "articles.csv"  # no --format: the file name says csv
    assert newsarchive("download", "--archive", archive, "--out", str(by_name)).returncode == ExitCode.OK
    assert by_name.read_text(encoding="utf-8").startswith("outlet,")


def test_download_refuses_to_overwrite_without_force(crawled: dict[str, Any], tmp_path: Path) -> None:
    out = tmp_path / "articles.jsonl"
    out.write_text("precious\n")
    result = newsarchive("download", "--archive", str(crawled["archive"]), "--out", str(out))
    assert_one_clear_line(result, "exists", "--force")
    assert result.returncode == ExitCode.USAGE and out.read_text() == "precious\n"
    forced = newsarchive("download", "--archive", str(crawled["archive"]), "--out", str(out), "--force")
    assert forced.returncode == ExitCode.OK, forced.stderr
    assert len(out.read_text().splitlines()) == len(crawled["records"])


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["--format", "warc", "--out", "{tmp}/dir/"], "is a directory"),
        (["--format", "csv", "--out", "{tmp}/x.jsonl"], "names a jsonl file but --format is csv"),
        (["--format", "xml", "--out", "{tmp}/x.xml"], "--format"),
        (["--since", "2026-02-30", "--out", "{tmp}/x.jsonl"], "--since"),
        (["--out", "{tmp}/missing/x.jsonl"], "no such directory"),
    ],
)
def test_download_bad_options_exit_2_and_leave_nothing(crawled: dict[str, Any], tmp_path: Path, args: list[str],
                                                      fragment: str) -> None:  # fmt: skip
    (tmp_path / "dir").mkdir()
    result = newsarchive("download", "--archive", str(crawled["archive"]), *[a.format(tmp=tmp_path) for a in args])
    assert_one_clear_line(result, fragment)
    assert result.returncode == ExitCode.USAGE
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["dir"], "no output, no .partial left behind"


def test_download_to_an_unwritable_place_is_one_line(crawled: dict[str, Any], tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    result = newsarchive("download", "--archive", str(crawled["archive"]), "--out", str(blocker / "sub" / "x.jsonl"))
    assert_one_clear_line(result)
    assert result.returncode in (ExitCode.USAGE, ExitCode.FAILED)


# -- stats, verify, gc ------------------------------------------------------------------------

def test_stats_success_gaps_and_plot(crawled: dict[str, Any], tmp_path: Path) -> None:
    plot = tmp_path / "coverage.png"
    result = newsarchive("stats", "--archive", str(crawled["archive"]), "--gaps", "--plot", str(plot))
    assert result.returncode == ExitCode.OK, result.stderr
    assert "demo" in result.stdout and "judged" in result.stdout
    assert plot.read_bytes().startswith(b"\x89PNG")
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    bad = newsarchive("stats", "--archive", str(crawled["archive"]), "--plot", str(blocker / "c.png"))
    assert_one_clear_line(bad, "cannot write")
    assert bad.returncode == ExitCode.FAILED


def test_verify_and_gc_success_and_bad_values(crawled: dict[str, Any]) -> None:
    archive = str(crawled["archive"])
    verified = newsarchive("verify", "--archive", archive)
    assert verified.returncode == ExitCode.OK, verified.stderr
    assert ": 1 committed run, " in verified.stdout  # singular
    collected = newsarchive("gc", "--archive", archive, "--dry-run")
    assert collected.returncode == ExitCode.OK, collected.stderr
    bad = newsarchive("gc", "--archive", archive, "--older-than", "-1")
    assert_one_clear_line(bad, "--older-than")
    assert bad.returncode == ExitCode.USAGE
    assert records(crawled["archive"]) == crawled["records"]


# -- extract ----------------------------------------------------------------------------------

def test_extract_contract(crawled: dict[str, Any], tmp_path: Path, outlet_server: OutletServer,
                          outlet_corpus: Corpus) -> None:  # fmt: skip
    garbage = tmp_path / "garbage.bin"
    garbage.write_bytes(bytes(range(256)) * 40)
    binary = newsarchive("extract", str(garbage))
    assert_one_clear_line(binary, "not an HTML page")
    assert binary.returncode == ExitCode.FAILED

    unknown = newsarchive("extract", str(garbage), "--outlet", "nosuch", "--outlets", str(crawled["outlets"]))
    assert_one_clear_line(unknown, "nosuch")
    assert unknown.returncode == ExitCode.USAGE
    missing = newsarchive("extract", outlet_server.url(outlet_corpus.seed_article), "--outlet", "demo",
                          "--outlets", str(crawled["outlets"]), "--archive", str(tmp_path / "nowhere"))
    assert_one_clear_line(missing, "no archive at")
    assert missing.returncode == ExitCode.USAGE
    bad = newsarchive("extract", str(garbage), "--format", "pdf")
    assert_one_clear_line(bad, "--format")
    assert bad.returncode == ExitCode.USAGE


# -- outlets check ----------------------------------------------------------------------------

def test_outlets_check_lists_every_problem(tmp_path: Path) -> None:
    path = tmp_path / "outlets.yaml"
    path.write_text("outlets:\n"
                    "  - {id: one, name: One, base_url: 'ftp://one.org'}\n"
                    "  - {id: two, name: Two, base_url: 'https://two.org', timezone: Nowhere/Town}\n"
                    "  - {id: three, base_url: 'https://three.org'}\n")  # fmt: skip
    result = newsarchive("outlets", "check", "--outlets", str(path))
    assert result.returncode == ExitCode.USAGE
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 3, result.stderr  # one line per problem, all of them
    assert "outlet 'one'" in lines[0] and "base_url" in lines[0]
    assert "outlet 'two'" in lines[1] and "Nowhere/Town" in lines[1]
    assert "outlet 'three'" in lines[2] and "'name'" in lines[2]


def test_malformed_outlets_yaml_names_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "outlets.yaml"
    path.write_text("outlets:\n  - id: one\n    name: [unclosed\n  - id: two\n")
    result = newsarchive("outlets", "check", "--outlets", str(path))
    assert_one_clear_line(result, f"{path}:", "not valid YAML")
    assert "<unicode string>" not in result.stderr
    assert result.returncode == ExitCode.USAGE


def test_outlets_check_table_keeps_ids_whole_at_80_columns(tmp_path: Path) -> None:
    path = write_outlets(tmp_path / "outlets.yaml", {
        "id": "syriatimes-english-edition", "name": "Syria Times, the English edition of a long name",
        "base_url": "https://www.syriatimes.example.org/", "timezone": "Asia/Damascus"})
    result = newsarchive("outlets", "check", "--outlets", str(path), env={"COLUMNS": "80"})
    assert result.returncode == ExitCode.OK, result.stderr
    assert "syriatimes-english-edition" in result.stdout
    assert "1 outlet, valid" in " ".join(result.stdout.split())
    assert max(len(line) for line in result.stdout.splitlines()) <= 80


# -- backfill, demo, version ------------------------------------------------------------------

def test_backfill_contract(crawled: dict[str, Any], tmp_path: Path) -> None:
    outlets, archive = str(crawled["outlets"]), str(crawled["archive"])
    unknown = newsarchive("backfill", "nosuch", "--outlets", outlets, "--archive", archive,
                          "--since", "2026-01-01", "--until", "2026-01-31")
    assert_one_clear_line(unknown, "nosuch")
    assert unknown.returncode == ExitCode.USAGE
    bad = newsarchive("backfill", "demo", "--outlets", outlets, "--archive", archive, "--from", "tape",
                      "--since", "2026-01-01", "--until", "2026-01-31")
    assert_one_clear_line(bad, "--from")
    assert bad.returncode == ExitCode.USAGE
    port = free_port()
    down = write_outlets(tmp_path / "down.yaml", {"id": "down", "name": "Down", "base_url": f"http://127.0.0.1:{port}/",
                                                 "allow_private_addresses": True})
    copy = tmp_path / "archive"  # a copy: the module's archive stays as the other tests expect it
    shutil.copytree(crawled["archive"], copy)
    failed = newsarchive("backfill", "down", "--outlets", str(down), "--archive", str(copy),
                         "--since", "2026-11-01", "--until", "2026-11-02")
    assert failed.returncode == ExitCode.FAILED, failed.stderr
    assert "backfill: down: failed: the site never answered" in last_line(failed)
    assert records(copy) == crawled["records"]


def test_demo_bad_values_and_busy_port(tmp_path: Path) -> None:
    bad = newsarchive("demo", "--archive", str(tmp_path / "d"), "--articles", "0")
    assert_one_clear_line(bad, "--articles")
    assert bad.returncode == ExitCode.USAGE
    import socket

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = newsarchive("demo", "--archive", str(tmp_path / "d"), env={"NEWSARCHIVE_DEMO_PORT": str(port)})
    assert_one_clear_line(result, f"port {port} is in use")
    assert result.returncode == ExitCode.USAGE


def test_version_and_no_bool_labels() -> None:
    version = newsarchive("--version")
    assert version.returncode == ExitCode.OK and version.stdout.startswith("newsarchive ")
    helped = newsarchive("stats", "--help", env={"COLUMNS": "100"})
    assert "<bool>" not in helped.stdout and "--gaps" in helped.stdout


def test_partial_run_is_done_with_a_warning_in_the_dag_report() -> None:
    from newsarchive.orchestration.report import RunReport

    report = RunReport.build(["a", "b", "c"], [
        {"outlet_id": "a", "run_id": "r1", "window": "w", "archived": 3, "committed": True},
        {"outlet_id": "b", "run_id": "r2", "window": "w", "archived": 1, "committed": True, "outcome": "partial",
         "stopped": "interrupted"},
    ])
    assert report.failed_outlets == ("c",) and report.partial_outlets == ("b",)
    assert "PARTIAL outlets" in report.render() and "b" in report.render().split("PARTIAL outlets")[1]
    assert report.to_dict()["partial_outlets"] == ["b"]


def test_outcome_rules() -> None:
    from ingest.summary import RunOutcome, RunSummary, worst_outcome

    def summary(**kw: Any) -> RunSummary:
        return RunSummary("o", "r", 0, 0, {}, 0, {}, 0.0, **kw)

    assert summary().outcome is RunOutcome.OK
    assert summary(stopped="interrupted").outcome is RunOutcome.PARTIAL
    assert summary(stopped="budget:pages").outcome is RunOutcome.PARTIAL
    assert summary(committed=False, spooled=3).outcome is RunOutcome.PARTIAL
    assert summary(committed=False).outcome is RunOutcome.FAILED
    assert summary(unreachable=True).outcome is RunOutcome.FAILED
    assert worst_outcome([summary(), summary(stopped="interrupted")]) is RunOutcome.PARTIAL
    assert worst_outcome([summary(stopped="interrupted"), summary(unreachable=True)]).exit_code == ExitCode.FAILED
    assert worst_outcome([]) is RunOutcome.FAILED


# -- one extraction path ----------------------------------------------------------------------

#: Fields that describe the capture or the archive, not the page: they differ between two fetches.
CAPTURE_FIELDS = ("fetched_at", "raw", "version", "versions")


def test_extract_and_the_archive_give_the_same_record(crawled: dict[str, Any], outlet_server: OutletServer,
                                                      outlet_corpus: Corpus) -> None:  # fmt: skip
    """The same page through `extract --outlet --archive` and through the crawl: every field equal."""
    from archive import ArticleRecord

    with Archive.open(str(crawled["archive"]), Settings(spool_dir=crawled["root"] / "spool"), create=False) as opened:
        archived = {r.url: r for r in opened.iter_records(outlet="demo")}
    # The seed article (template and boilerplate lines), and a few others.
    pages = [outlet_corpus.seed_article, *outlet_corpus.articles[:4]]
    compared = 0
    for article in pages:
        url = outlet_server.url(article)
        if url not in archived:
            continue
        result = newsarchive("extract", url, "--outlet", "demo", "--outlets", str(crawled["outlets"]),
                             "--archive", str(crawled["archive"]), "--format", "json")
        assert result.returncode == ExitCode.OK, result.stderr
        printed = json.loads(result.stdout)
        record = archived[url].to_export()
        for name in ArticleRecord.EXPORT_FIELDS:
            if name not in CAPTURE_FIELDS:
                assert printed[name] == record[name], f"{url}: field {name!r} differs"
        compared += 1
    assert compared >= 3

    seed = archived[outlet_server.url(outlet_corpus.seed_article)]
    bare = newsarchive("extract", outlet_server.url(outlet_corpus.seed_article), "--format", "json")
    assert bare.returncode == ExitCode.OK, bare.stderr
    # Without --outlet the page's own offset is kept: the same instant, written the same way.
    assert json.loads(bare.stdout)["published"] == seed.published
    assert seed.published.endswith("+03:00")
