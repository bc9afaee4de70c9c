"""``newsarchive demo``: the whole pipeline on embedded defaults, in one command.

The bundled demo outlet (:mod:`outlet_server`) is served on a free 127.0.0.1 port,
crawled by the real spider (in a child process, :mod:`newsarchive.jobs`), extracted and archived into a local directory store;
then a summary, one cleaned article and the command to download everything are
printed.
"""

from __future__ import annotations

import time
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import yaml
from rich.console import Console
from rich.panel import Panel

from core.registry import parse_outlets

if TYPE_CHECKING:
    from archive import Archive, ArticleRecord

__all__ = ["run_demo"]

DEMO_OUTLET_ID = "demo"


def run_demo(*, archive: str = "demo-archive", n_articles: int = 60, seed: int = 7, console: Console | None = None) -> None:
    """Serve, crawl, extract and archive the demo outlet, then print what was archived."""
    from archive import Archive
    from newsarchive.jobs import JobRequest, run_job
    from outlet_server import OutletServer, build_corpus

    console = console or Console()
    corpus = build_corpus(seed=seed, n_articles=n_articles)
    started = time.monotonic()
    with OutletServer(corpus, host="127.0.0.1", port=0) as server:
        outlet_config = server.outlet_yaml(id=DEMO_OUTLET_ID)
        outlets_file = Path(archive).with_name(Path(archive).name + "-outlets.yaml")
        outlets_file.parent.mkdir(parents=True, exist_ok=True)
        outlets_file.write_text(yaml.safe_dump({"outlets": [outlet_config]}, sort_keys=False), encoding="utf-8")
        outlets = parse_outlets({"outlets": [outlet_config]}, source=str(outlets_file))
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


def _example_record(archive: Archive, title: str) -> ArticleRecord | None:
    """The seed article when archived (it shows what the boilerplate rules remove), else the first record."""
    first = None
    for record in archive.iter_records(outlet=DEMO_OUTLET_ID):
        if record.title == title:
            return record
        first = first or record
    return first
