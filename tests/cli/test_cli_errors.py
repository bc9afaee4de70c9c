"""The CLI surface: --help everywhere; a user mistake is one clear line and a non-zero exit, never a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

COMMANDS = [["crawl"], ["backfill"], ["download"], ["extract"], ["outlets", "check"], ["stats"], ["verify"], ["gc"],
            ["demo"]]


def free_port() -> int:
    """A loopback port nothing listens on now (the demo's port in tests: never the fixed default)."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def newsarchive(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run the installed console entry point as a user would."""
    exe = Path(sys.executable).with_name("newsarchive")
    return subprocess.run(
        [str(exe), *args], capture_output=True, text=True, timeout=120, cwd=cwd, env={**os.environ, **(env or {})}
    )


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_help_on_every_command(command: list[str]) -> None:
    result = newsarchive(*command, "--help")
    assert result.returncode == 0, result.stderr
    assert "Usage: newsarchive " + " ".join(command) in " ".join(result.stdout.split())


def assert_one_clear_line(result: subprocess.CompletedProcess[str], *fragments: str) -> None:
    assert result.returncode != 0
    assert "Traceback" not in result.stderr + result.stdout
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    for fragment in fragments:
        assert fragment in lines[0]


def test_missing_outlets_file(tmp_path: Path) -> None:
    result = newsarchive("crawl", "--outlets", str(tmp_path / "nope.yaml"), "--archive", str(tmp_path / "a"))
    assert_one_clear_line(result, "nope.yaml", "not found")


def test_outlets_file_from_environment(tmp_path: Path) -> None:
    result = newsarchive("outlets", "check", env={"NEWSARCHIVE_OUTLETS": str(tmp_path / "env.yaml")})
    assert_one_clear_line(result, "env.yaml")


def test_invalid_outlet_field(tmp_path: Path) -> None:
    path = tmp_path / "outlets.yaml"
    path.write_text("outlets:\n  - {id: good, name: G, base_url: 'https://g.org', timezone: Nowhere/Town}\n")
    result = newsarchive("outlets", "check", "--outlets", str(path))
    assert_one_clear_line(result, "outlet 'good'", "field 'timezone'", "Nowhere/Town")


def test_unknown_outlet_id(tmp_path: Path) -> None:
    path = tmp_path / "outlets.yaml"
    path.write_text("outlets:\n  - {id: good, name: G, base_url: 'https://g.org'}\n")
    result = newsarchive("crawl", "nosuch", "--outlets", str(path), "--archive", str(tmp_path / "a"))
    assert_one_clear_line(result, "unknown outlet id", "nosuch")


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["--since", "2026-13-01"], "--since"),
        (["--since", "2026-11-02", "--until", "2026-11-01"], "after --until"),
    ],
)
def test_bad_dates(tmp_path: Path, args: list[str], fragment: str) -> None:
    path = tmp_path / "outlets.yaml"
    path.write_text("outlets:\n  - {id: good, name: G, base_url: 'https://g.org'}\n")
    result = newsarchive("crawl", "--outlets", str(path), "--archive", str(tmp_path / "a"), *args)
    assert_one_clear_line(result, fragment)


def test_extract_missing_file(tmp_path: Path) -> None:
    result = newsarchive("extract", str(tmp_path / "missing.html"))
    assert_one_clear_line(result, "missing.html", "no such file")


def test_backfill_needs_a_window(tmp_path: Path) -> None:
    path = tmp_path / "outlets.yaml"
    path.write_text("outlets:\n  - {id: good, name: G, base_url: 'https://g.org'}\n")
    result = newsarchive("backfill", "good", "--outlets", str(path), "--archive", str(tmp_path / "a"))
    assert_one_clear_line(result, "--since and --until")


ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("command", [["crawl"], ["download", "--out", "{tmp}/out.jsonl"], ["stats"]], ids=" ".join)
def test_archive_that_is_a_python_package_is_refused(tmp_path: Path, command: list[str]) -> None:
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "__init__.py").write_text("")
    outlets = tmp_path / "outlets.yaml"
    outlets.write_text("outlets:\n  - {id: good, name: G, base_url: 'https://g.org'}\n")
    before = sorted(tmp_path.rglob("*"))
    args = [arg.format(tmp=tmp_path) for arg in command]
    result = newsarchive(*args, "--archive", str(package),
                         env={"NEWSARCHIVE_OUTLETS": str(outlets), "NEWSARCHIVE_SPOOL_DIR": str(tmp_path / "spool")})
    assert_one_clear_line(result, str(package), "Python package")
    assert sorted(tmp_path.rglob("*")) == before, "nothing created"


def test_the_projects_own_archive_package_is_refused_as_archive(tmp_path: Path) -> None:
    """From the repository root, ``--archive archive`` names the source package ``archive/``."""
    result = newsarchive("stats", "--archive", "archive", cwd=ROOT, env={"NEWSARCHIVE_SPOOL_DIR": str(tmp_path)})
    assert_one_clear_line(result, str(ROOT / "archive"), "Python package")


def test_default_archive_is_newsarchive_data(tmp_path: Path) -> None:
    """Without --archive the archive is ./newsarchive-data; a reader names it and never creates it."""
    result = newsarchive("stats", cwd=tmp_path,
                         env={"NEWSARCHIVE_ARCHIVE": "", "NEWSARCHIVE_SPOOL_DIR": str(tmp_path / "cache" / "spool")})
    assert_one_clear_line(result, "no archive at", str(tmp_path / "newsarchive-data"))
    assert result.returncode == 2
    assert not (tmp_path / "newsarchive-data").exists()


def test_archive_from_environment(tmp_path: Path) -> None:
    (tmp_path / "env-archive").mkdir()
    result = newsarchive("stats", cwd=tmp_path,
                         env={"NEWSARCHIVE_ARCHIVE": str(tmp_path / "env-archive"), "NEWSARCHIVE_SPOOL_DIR": str(tmp_path / "spool")})
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "env-archive").as_uri() in result.stdout
    assert not (tmp_path / "newsarchive-data").exists()


@pytest.mark.parametrize(
    ("name", "raw", "fragment"),
    [("NEWSARCHIVE_CONCURRENCY", "abc", "not an integer: 'abc'"), ("NEWSARCHIVE_AUTOTHROTTLE", "maybe", "not a boolean")],
)
def test_bad_setting_in_environment(tmp_path: Path, name: str, raw: str, fragment: str) -> None:
    result = newsarchive("stats", "--archive", str(tmp_path / "a"), env={name: raw})
    assert_one_clear_line(result, name, fragment)
    assert not (tmp_path / "a").exists()


def test_unknown_setting_in_environment_is_reported(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    result = newsarchive("stats", "--archive", str(tmp_path / "a"),
                         env={"NEWSARCHIVE_CONCURENCY": "9", "NEWSARCHIVE_SPOOL_DIR": str(tmp_path / "spool")})
    assert result.returncode == 0, result.stderr
    warnings = [line for line in result.stderr.splitlines() if "NEWSARCHIVE_CONCURENCY" in line]
    assert len(warnings) == 1 and "NEWSARCHIVE_CONCURRENCY" in warnings[0]
