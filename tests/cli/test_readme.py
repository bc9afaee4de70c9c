"""The README tells the truth: every option of every command is documented, and its walkthrough runs.

``make demo`` twice (the second run archives nothing new: the demo outlet keeps its identity),
then every command of the README's walkthrough, copied from the README in order, against the
demo archive — the way a newcomer would paste them.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import typer.main

from newsarchive.cli import app
from tests.cli.test_cli_errors import free_port

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")
EXE = Path(sys.executable).with_name("newsarchive")


def commands() -> dict[str, list[str]]:
    """Every command path of the CLI and its option names."""
    found: dict[str, list[str]] = {}

    def walk(command: object, path: list[str]) -> None:
        for name, sub in sorted(getattr(command, "commands", {}).items()):
            if getattr(sub, "commands", None):
                walk(sub, [*path, name])
                continue
            found[" ".join([*path, name])] = [opt for param in sub.params for opt in param.opts if opt.startswith("-")
                                              and opt != "--help"]  # fmt: skip
    walk(typer.main.get_command(app), [])
    return found


def section(command: str) -> str:
    """The README's reference section of ``command`` (up to the next heading)."""
    match = re.search(rf"^#### `newsarchive {re.escape(command)}\b[^\n]*\n(.*?)(?=^#|\Z)", README, re.M | re.S)
    assert match, f"README has no section for `newsarchive {command}`"
    return match.group(1)


@pytest.mark.parametrize("command", sorted(commands()))
def test_every_option_of_every_command_is_in_the_readme(command: str) -> None:
    text = section(command)
    missing = [opt for opt in commands()[command] if f"`{opt}" not in text and f"/ `{opt}" not in text
               and f", `{opt}" not in text]  # fmt: skip
    assert not missing, f"README section of `newsarchive {command}` does not document {missing}"


def test_readme_has_no_stale_claims() -> None:
    assert "no garbage collector yet" not in README
    assert "--archive ./archive" not in README
    assert "`--version`" in README or "--version" in README


def walkthrough() -> list[str]:
    block = README.split("<!-- readme-walkthrough: begin -->")[1].split("<!-- readme-walkthrough: end -->")[0]
    lines = block.split("```sh\n", 1)[1].split("```", 1)[0].splitlines()
    return [line for line in lines if line.strip()]


def test_make_demo_twice_then_every_readme_command(tmp_path: Path) -> None:
    port = free_port()
    env = {**os.environ, "NEWSARCHIVE_DEMO_PORT": str(port), "NEWSARCHIVE_SPOOL_DIR": str(tmp_path / "spool")}
    archive = tmp_path / "demo-archive"

    def make_demo() -> str:
        result = subprocess.run(["make", "-s", "-C", str(ROOT), "demo", f"DEMO_ARCHIVE={archive}"], env=env,
                                capture_output=True, text=True, timeout=300, check=False)  # fmt: skip
        assert result.returncode == 0, result.stdout + result.stderr
        return " ".join(result.stdout.split())

    first = make_demo()
    assert "archived 60 articles" in first
    second = make_demo()
    assert "archived 0 articles" in second, "a rerun of the demo adds nothing"
    assert f"http://127.0.0.1:{port}/" in second

    lines = walkthrough()
    assert lines[0].startswith("uv run newsarchive"), lines
    script = "\n".join(["set -euo pipefail", *lines]).replace("uv run newsarchive", str(EXE)).replace("8765", str(port))
    result = subprocess.run(["bash", "-c", script], cwd=tmp_path, env=env, capture_output=True, text=True,
                            timeout=600, check=False)  # fmt: skip
    assert result.returncode == 0, f"README walkthrough failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    assert "Traceback" not in result.stderr
    assert len((tmp_path / "articles.jsonl").read_text(encoding="utf-8").splitlines()) == 60
    assert (tmp_path / "aleppo.jsonl").read_text(encoding="utf-8").count("\n") >= 1
    assert (tmp_path / "captures.warc.gz").stat().st_size > 0
    assert (tmp_path / "coverage.png").read_bytes().startswith(b"\x89PNG")
    assert "Terrorists driven out" in result.stdout or "Aleppo" in result.stdout  # extract printed the article
    assert "crawl: demo: ok: finished and committed (exit 0)" in result.stderr
