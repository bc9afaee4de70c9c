"""`newsarchive verify` and `gc` as a user runs them: the report, the exit status, the one error line."""

from __future__ import annotations

import json
from pathlib import Path

from archive import Archive, layout
from core.settings import Settings
from tests.archive.conftest import capture, make_record
from tests.cli.test_cli_errors import assert_one_clear_line, newsarchive


def test_verify_reports_leftovers_gc_deletes_them_and_damage_exits_3(tmp_path: Path) -> None:
    root = tmp_path / "archive"
    with Archive.open(str(root), Settings(spool_dir=tmp_path / "spool")) as archive:
        run = archive.begin_run("demo")
        run.add_article(make_record("demo", 1, raw=capture(run, "http://127.0.0.1:8000/1/", b"<html>1</html>")))
        manifest = run.commit({})
        killed = archive.begin_run("demo")  # dropped without a commit, as by kill -9
        killed.add_article(make_record("demo", 2, raw=capture(killed, "http://127.0.0.1:8000/2/", b"<html>2</html>")))

    result = newsarchive("verify", "--archive", str(root))
    assert result.returncode == 0, result.stderr
    assert f"uncommitted run demo/{killed.run_id}" in result.stdout and "ok: every committed run is whole" in result.stdout
    report = json.loads(newsarchive("verify", "--archive", str(root), "--json", "--deep").stdout)
    assert report["damaged"] is False and report["leftovers"]["objects"] == 1 and report["hashed_bytes"] > 0

    assert "kept demo/" in newsarchive("gc", "--archive", str(root), "--dry-run").stdout  # younger than 48 h
    dry = newsarchive("gc", "--archive", str(root), "--dry-run", "--older-than", "0")
    assert f"would delete demo/{killed.run_id}" in dry.stdout and "would delete 1 objects" in dry.stdout
    gone = newsarchive("gc", "--archive", str(root), "--older-than", "0")
    assert gone.returncode == 0 and "deleted 1 objects" in gone.stdout, gone.stdout + gone.stderr
    assert "uncommitted run" not in newsarchive("verify", "--archive", str(root)).stdout

    warc = next(entry.key for entry in manifest.objects if entry.key.startswith("warc/"))
    (root / warc).unlink()
    damaged = newsarchive("verify", "--archive", str(root))
    assert damaged.returncode == 3
    assert_one_clear_line(damaged, "archive damaged", f"missing: {warc}", f"run demo/{run.run_id}")
    assert f"rows point to {warc}" in damaged.stdout and layout.index_key("demo", run.run_id) in damaged.stdout


def test_verify_of_no_archive_is_one_line(tmp_path: Path) -> None:
    result = newsarchive("verify", "--archive", str(tmp_path / "nowhere"))
    assert_one_clear_line(result, "no archive at", "nowhere")
    assert result.returncode == 2  # a usage mistake (core.errors.ExitCode.USAGE)
    assert not (tmp_path / "nowhere").exists()
