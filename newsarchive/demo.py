"""``newsarchive demo``: the whole pipeline on embedded defaults, in one command.

The bundled demo outlet (:mod:`outlet_server`) is served on 127.0.0.1 at the ``demo_port``
setting (8765), crawled by the real spider (in a child process, :mod:`newsarchive.jobs`),
extracted and archived into a local directory store; then a summary, one cleaned article
and the command to download everything are printed.

The port is part of every article's URL, hence of its identity (:func:`core.urls.canonical_url`):
it is the same on every run, so a second ``demo`` archives nothing new. ``demo --serve``
serves the same outlet again (same port, same content) for the README's other commands.
"""

from __future__ import annotations

import errno
import time
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import yaml
from rich.console import Console
from rich.panel import Panel

from core.errors import ConfigError
from core.registry import parse_outlets
from core.settings import get_settings

if TYPE_CHECKING:
    from archive import Archive, ArticleRecord
    from ingest.summary import RunSummary
    from outlet_server import Corpus, OutletServer

__all__ = ["run_demo", "serve_demo"]

DEMO_OUTLET_ID = "demo"


def _server(corpus: Corpus, port: int | None) -> OutletServer:
    """The demo outlet on 127.0.0.1 at ``port`` (default: the ``demo_port`` setting); a busy port is one clear error."""
    from outlet_server import OutletServer

    port = get_settings().demo_port if port is None else port
    try:
        return OutletServer(corpus, host="127.0.0.1", port=port)
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            raise ConfigError(f"port {port} is in use (is `newsarchive demo --serve` running?): stop it, or set "
                              "NEWSARCHIVE_DEMO_PORT (a new port gives the demo's articles new identities)") from None
        raise


def _write_outlets(server: OutletServer, archive: str) -> tuple[Path, list]:  # type: ignore[type-arg]
    outlet_config = server.outlet_yaml(id=DEMO_OUTLET_ID)
    outlets_file = Path(archive).with_name(Path(archive).name + "-outlets.yaml")
    outlets_file.parent.mkdir(parents=True, exist_ok=True)
    outlets_file.write_text(yaml.safe_dump({"outlets": [outlet_config]}, sort_keys=False), encoding="utf-8")
    return outlets_file, parse_outlets({"outlets": [outlet_config]}, source=str(outlets_file))


def run_demo(*, archive: str = "demo-archive", n_articles: int = 60, seed: int = 7, port: int | None = None,
             console: Console | None = None) -> list[RunSummary]:  # fmt: skip
    """Serve, crawl, extract and archive the demo outlet, then print what was archived; the run's summaries."""
    from archive import Archive
    from newsarchive.jobs import JobRequest, run_job
    from outlet_server import build_corpus

    console = console or Console()
    corpus = build_corpus(seed=seed, n_articles=n_articles)
    started = time.monotonic()
    with _server(corpus, port) as server:
        _, outlets = _write_outlets(server, archive)
        console.print(f"[bold]demo outlet[/] {len(corpus.articles)} articles served at {server.base_url}")
        first = min(a.published for a in corpus.articles).date()
        last = max(a.published for a in corpus.articles).date() + timedelta(days=1)
        # The demo outlet is our own server on loopback: no need to be gentle with it.
        request = JobRequest.build("crawl", outlets, archive, since=first, until=last,
                                   progress=console.is_terminal, throttle=False)
        summaries = run_job(request, show_logs=True)
    seconds = time.monotonic() - started
    summary = summaries[0]
    skipped = sum(summary.skipped.values())
    console.print(
        f"[bold green]archived {summary.archived}[/] articles, skipped {skipped}"
        f" ({', '.join(f'{k} {v}' for k, v in sorted(summary.skipped.items()) if v) or 'none'}),"
        f" failed {summary.failed}, in {seconds:.1f} s into {archive}/"
    )
    example = _example_record(Archive.open(archive), corpus.seed_article.title)
    if example is not None:
        body = example.text if len(example.text) < 3000 else example.text[:3000] + " …"
        meta = f"{example.published} · {', '.join(example.authors) or 'no author'} · {example.canonical_url}"
        console.print(Panel(body, title=example.title or "(untitled)", subtitle=meta, expand=False))
    console.print("Download everything as JSONL with:")
    console.print(f"  uv run newsarchive download --archive {archive} --format jsonl --out articles.jsonl", soft_wrap=True)
    return summaries


def serve_demo(*, archive: str = "demo-archive", n_articles: int = 60, seed: int = 7, port: int | None = None,
               console: Console | None = None) -> None:  # fmt: skip
    """Serve the demo outlet (same port and content as :func:`run_demo`) until interrupted."""
    from outlet_server import build_corpus

    console = console or Console()
    server = _server(build_corpus(seed=seed, n_articles=n_articles), port)
    outlets_file, _ = _write_outlets(server, archive)
    console.print(f"demo outlet served at {server.base_url} (registry: {outlets_file}); Ctrl-C stops it", soft_wrap=True)
    server.serve_forever()  # until Ctrl-C; the server closes itself


def _example_record(archive: Archive, title: str) -> ArticleRecord | None:
    """The seed article when archived (it shows what the boilerplate rules remove), else the first record."""
    first = None
    for record in archive.iter_records(outlet=DEMO_OUTLET_ID):
        if record.title == title:
            return record
        first = first or record
    return first
