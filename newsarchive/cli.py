"""The ``newsarchive`` command line: a thin layer over the same functions the DAGs call.

Every command that reads outlets or the archive takes ``--outlets`` and ``--archive``
(defaults: ``$NEWSARCHIVE_OUTLETS`` then ``./outlets.yaml``; ``$NEWSARCHIVE_ARCHIVE``
then ``./archive``). A user mistake prints one clear line and exits non-zero; it
never shows a traceback. Heavy packages are imported inside the commands so that
``--help`` stays fast.
"""

from __future__ import annotations

import json
import sys
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer

from core.errors import NewsarchiveError
from core.settings import redact

if TYPE_CHECKING:
    from archive.stores import Store

__all__ = ["app", "main"]

app = typer.Typer(
    name="newsarchive",
    help="Crawl, extract and archive news outlets; download what is archived.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
outlets_app = typer.Typer(help="Inspect and check the outlet registry.", no_args_is_help=True)
app.add_typer(outlets_app, name="outlets")

EXIT_USER_ERROR = 1
EXIT_NOT_IMPLEMENTED = 2
EXIT_DAMAGED = 3  # `verify` found a missing or altered object

OutletsOption = Annotated[
    Path,
    typer.Option("--outlets", envvar="NEWSARCHIVE_OUTLETS", help="Outlet registry (YAML).", show_default=True),
]
ArchiveOption = Annotated[
    str,
    typer.Option(
        "--archive",
        envvar="NEWSARCHIVE_ARCHIVE",
        help="Archive URI: a directory, file:///path or s3://bucket/prefix.",
        show_default=True,
    ),
]
SinceOption = Annotated[
    str | None, typer.Option("--since", help="First publication date kept (YYYY-MM-DD).")
]
UntilOption = Annotated[
    str | None, typer.Option("--until", help="Last publication date kept (YYYY-MM-DD).")
]


class Source(StrEnum):
    sitemaps = "sitemaps"
    wayback = "wayback"
    all = "all"


class ExportFormat(StrEnum):
    jsonl = "jsonl"
    csv = "csv"
    parquet = "parquet"
    warc = "warc"


class ExtractFormat(StrEnum):
    json = "json"
    text = "text"
    markdown = "markdown"
    html = "html"


def fail(message: str, code: int = EXIT_USER_ERROR) -> NoReturn:
    """Inside a command: print one clear line on stderr and exit with ``code``."""
    _report(message)
    raise typer.Exit(code)


def _report(message: str) -> None:
    """The one form of an error line: prefixed, on stderr, credentials removed."""
    typer.echo(f"newsarchive: error: {redact(message)}", err=True)


def parse_date(value: str | None, option: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        fail(f"{option}: {value!r} is not a date (expected YYYY-MM-DD)")


def _window(since: str | None, until: str | None) -> tuple[date | None, date | None]:
    start, end = parse_date(since, "--since"), parse_date(until, "--until")
    if start and end and start > end:
        fail(f"--since {start} is after --until {end}")
    return start, end


def _interactive() -> bool:
    return sys.stderr.isatty()


@app.command()
def crawl(
    outlet_ids: Annotated[list[str] | None, typer.Argument(metavar="[OUTLET_ID ...]", help="Outlets to crawl (default: all).")] = None,
    outlets: OutletsOption = Path("outlets.yaml"),
    archive: ArchiveOption = "archive",
    since: SinceOption = None,
    until: UntilOption = None,
    refresh: Annotated[int | None, typer.Option("--refresh", metavar="DAYS", min=1, help="Also refetch archived articles published in the last DAYS days, to catch silent edits (a changed text becomes a new version).")] = None,
) -> None:
    """Crawl outlets for articles published in a date window and archive them.

    Without --since, each outlet is crawled since its last successful run (minus a
    2-day overlap), or for the last week on a first run.
    """
    from core.registry import load_outlets, select_outlets

    start, end = _window(since, until)
    selected = select_outlets(load_outlets(outlets), outlet_ids or [])
    from crawler import run_crawl

    summaries = run_crawl(selected, archive, since=start, until=end, refresh_days=refresh, progress=_interactive())
    _print_summaries(summaries)


class Pick(StrEnum):
    earliest = "earliest"
    latest = "latest"
    all = "all"


@app.command()
def backfill(
    outlet_id: Annotated[str, typer.Argument(help="The outlet to backfill.")],
    since: SinceOption = None,
    until: UntilOption = None,
    source: Annotated[Source, typer.Option("--source", help="sitemaps: the live site's sitemaps and sections; wayback: Internet Archive snapshots; all: both.")] = Source.sitemaps,
    fill_gaps: Annotated[bool, typer.Option("--fill-gaps", help="Backfill exactly the days 'stats --gaps' lists (from the Wayback Machine).")] = False,
    wayback_url: Annotated[str | None, typer.Option("--wayback-url", envvar="NEWSARCHIVE_WAYBACK_URL", help="Base URL of the Wayback Machine (CDX API under /cdx/search/cdx).")] = None,
    pick: Annotated[Pick, typer.Option("--pick", help="Which snapshot of an article: earliest after publication, latest, or all distinct texts.")] = Pick.earliest,
    outlets: OutletsOption = Path("outlets.yaml"),
    archive: ArchiveOption = "archive",
) -> None:
    """Archive an outlet's articles of a past date range, from its sitemaps and/or the Wayback Machine.

    Articles already archived are not stored again; a snapshot whose text differs
    from the archived one is stored as a new version.
    """
    from core.registry import load_outlets, select_outlets

    start, end = _window(since, until)
    if not fill_gaps and (start is None or end is None):
        fail("backfill needs --since and --until (or --fill-gaps)")
    (outlet,) = select_outlets(load_outlets(outlets), [outlet_id])
    summaries = []
    if fill_gaps:
        from history.wayback import fill_gaps as backfill_gaps

        summaries = backfill_gaps(outlet, archive, wayback_url=wayback_url, pick=pick.value)
        if not summaries:
            typer.echo(f"{outlet.id}: no gap days to fill")
    else:
        if source in (Source.sitemaps, Source.all):
            from crawler import run_crawl

            summaries += run_crawl([outlet], archive, since=start, until=end, progress=_interactive())
        if source in (Source.wayback, Source.all):
            from history.wayback import backfill_from_wayback

            summaries.append(backfill_from_wayback(outlet, archive, start, end, wayback_url=wayback_url, pick=pick.value))
    _print_summaries(summaries)


@app.command()
def download(
    out: Annotated[Path, typer.Option("--out", help="Output file (a directory for --format warc is not needed: one .warc.gz file).")],
    archive: ArchiveOption = "archive",
    outlet: Annotated[list[str] | None, typer.Option("--outlet", help="Only this outlet (repeatable).")] = None,
    since: SinceOption = None,
    until: UntilOption = None,
    source: Annotated[str | None, typer.Option("--source", help="Only 'live' or 'wayback' records.")] = None,
    query: Annotated[str | None, typer.Option("--query", "-q", help="Only records whose title or text contains this (case-insensitive).")] = None,
    fmt: Annotated[ExportFormat, typer.Option("--format", help="Output format.")] = ExportFormat.jsonl,
    all_versions: Annotated[bool, typer.Option("--all-versions", help="Every stored version, not only the latest.")] = False,
    all_extractions: Annotated[bool, typer.Option("--all-extractions", help="Every stored record: all versions, and earlier extractions of re-extracted captures.")] = False,
) -> None:
    """Export archived articles (latest version of each) as JSONL, CSV, Parquet or WARC."""
    from archive import Archive

    if source is not None and source not in ("live", "wayback"):
        fail(f"--source must be 'live' or 'wayback', not {source!r}")
    start, end = _window(since, until)
    summary = Archive.open(archive).export(
        fmt.value,
        out,
        outlet=tuple(outlet) if outlet else None,
        since=start,
        until=end,
        source=source,
        query=query,
        all_versions=all_versions,
        all_extractions=all_extractions,
        progress=_interactive(),
    )
    typer.echo(f"wrote {summary.records} records to {out} ({fmt.value})")


@app.command()
def reextract(
    archive: ArchiveOption = "archive",
    outlets: OutletsOption = Path("outlets.yaml"),
    outlet: Annotated[str | None, typer.Option("--outlet", help="Only this outlet.")] = None,
    since: SinceOption = None,
    until: UntilOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> None:
    """Re-extract archived captures with this version's extractor; store what changed.

    Each stored version made by another extractor is read again from its WARC record. Where the
    text or metadata changed, the new extraction is stored as a new extraction revision of the
    same capture (not a new version of the article): `download` then hands out the best one and
    the earlier stays readable. Resumable and idempotent: a rerun skips what this extractor made.
    """
    from archive import Archive
    from core.registry import load_outlets
    from newsarchive.reextract import reextract as run_reextract

    start, end = _window(since, until)
    registry = {o.id: o for o in load_outlets(outlets)} if outlets.is_file() else {}
    store = _existing_store(archive)
    with Archive(store) as opened:
        report = run_reextract(opened, registry, outlet=outlet, since=start, until=end)
    typer.echo(json.dumps(report.to_dict(), indent=1) if as_json else "\n".join(report.lines()))


@app.command()
def extract(
    page: Annotated[str, typer.Argument(metavar="FILE_OR_URL", help="An HTML file, or an http(s) URL to fetch.")],
    url: Annotated[str | None, typer.Option("--url", help="The page's URL, when PAGE is a file.")] = None,
    outlet: Annotated[str | None, typer.Option("--outlet", help="Apply this outlet's rules and time zone.")] = None,
    outlets: OutletsOption = Path("outlets.yaml"),
    fmt: Annotated[ExtractFormat, typer.Option("--format", help="What to print.")] = ExtractFormat.json,
) -> None:
    """Run one page through the extraction path and print the export record's fields."""
    from core.registry import load_outlets, select_outlets

    selected = select_outlets(load_outlets(outlets), [outlet])[0] if outlet else None
    if page.startswith(("http://", "https://")):
        body, page_url, charset = _fetch(page)
    else:
        path = Path(page)
        if not path.is_file():
            fail(f"{page}: no such file (give an HTML file or an http(s) URL)")
        body, page_url, charset = path.read_bytes(), url or path.resolve().as_uri(), None
    from extract import extract_article

    result = extract_article(body, page_url, outlet=selected, encoding=charset)
    if fmt is ExtractFormat.json:
        typer.echo(json.dumps(result.to_dict(), ensure_ascii=False, indent=2, default=str))
    elif fmt is ExtractFormat.text:
        typer.echo(result.text)
    elif fmt is ExtractFormat.markdown:
        typer.echo(result.markdown)
    else:
        typer.echo(result.html)


def _fetch(url: str) -> tuple[bytes, str, str | None]:
    """Fetch one page for ``newsarchive extract`` (the crawler does all other fetching)."""
    import urllib.request
    from email.message import Message

    from core.settings import get_settings

    request = urllib.request.Request(url, headers={"User-Agent": get_settings().user_agent})
    try:
        with urllib.request.urlopen(request, timeout=get_settings().download_timeout_s) as response:
            body = response.read(get_settings().download_maxsize + 1)
            headers: Message = response.headers
            final_url = response.geturl()
    except OSError as exc:
        fail(f"cannot fetch {url}: {exc}")
    if len(body) > get_settings().download_maxsize:
        fail(f"{url}: page larger than {get_settings().download_maxsize} bytes")
    return body, final_url, headers.get_content_charset()


@outlets_app.command("check")
def outlets_check(outlets: OutletsOption = Path("outlets.yaml")) -> None:
    """Validate the outlet registry and list its outlets."""
    from rich.console import Console
    from rich.table import Table

    from core.registry import load_outlets

    loaded = load_outlets(outlets)
    table = Table(title=f"{outlets}: {len(loaded)} outlet(s), valid")
    for column in ("id", "name", "base_url", "language", "timezone", "sitemaps", "feeds", "sections"):
        table.add_column(column)
    for o in loaded:
        table.add_row(o.id, o.name, o.base_url, o.language, o.timezone, str(len(o.sitemaps)), str(len(o.feeds)), str(len(o.sections)))
    Console().print(table)


@app.command()
def stats(
    archive: ArchiveOption = "archive",
    gaps: Annotated[bool, typer.Option("--gaps", help="List outlet-days far below the outlet's norm.")] = False,
    plot: Annotated[Path | None, typer.Option("--plot", help="Draw a coverage heatmap (outlets x days) to this PNG.")] = None,
) -> None:
    """Articles per outlet per day, gaps, and the last successful run per outlet."""
    from archive import Archive
    from archive.stats import print_stats

    print_stats(Archive.open(archive), gaps=gaps, plot=plot)


JsonOption = Annotated[bool, typer.Option("--json", help="Print the report as JSON.")]


def _existing_store(uri: str) -> Store:
    """The archive's store; a local archive must exist (opening one would create it)."""
    from archive.stores import open_store
    from core.settings import get_settings

    return open_store(uri, get_settings(), create=False)


@app.command()
def verify(
    archive: ArchiveOption = "archive",
    outlet: Annotated[str | None, typer.Option("--outlet", help="Only this outlet's runs and objects.")] = None,
    deep: Annotated[bool, typer.Option("--deep", help="Read every object and check its SHA-256 (WARC files also as gzip).")] = False,
    as_json: JsonOption = False,
) -> None:
    """Check that every committed run is whole: marker, manifest, objects, index.

    Every object a committed manifest lists must exist with its size (--deep:
    and its SHA-256). Objects no committed manifest lists, left by killed or
    failed runs, are reported but are no damage: `newsarchive gc` deletes them.
    Exit status: 0 intact, 3 damaged (each missing or altered object named),
    1 on a usage or store error.
    """
    from archive.verify import verify_archive

    store = _existing_store(archive)
    try:
        report = verify_archive(store, outlet=outlet, deep=deep)
    finally:
        store.close()
    typer.echo(json.dumps(report.to_dict(), indent=1) if as_json else "\n".join(report.lines()))
    if report.damaged:
        fail(f"archive damaged: {len(report.problems)} problem(s), first: {report.problems[0]}", EXIT_DAMAGED)


@app.command()
def gc(
    archive: ArchiveOption = "archive",
    older_than: Annotated[float, typer.Option("--older-than", metavar="HOURS", min=0, help="Only runs started (and last written to) more than HOURS ago.")] = 48,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="List what would be deleted; delete nothing.")] = False,
    as_json: JsonOption = False,
) -> None:
    """Delete what killed or failed runs left in the archive.

    Deletes the objects of uncommitted runs older than --older-than that no
    committed manifest lists. Never touches a committed run's objects, leases,
    or objects it cannot attribute to a run; skips an outlet while a crawl of
    it holds the outlet's lease.
    """
    from datetime import timedelta

    from archive.gc import collect_garbage
    from core.settings import get_settings

    store = _existing_store(archive)
    try:
        report = collect_garbage(store, older_than=timedelta(hours=older_than), dry_run=dry_run,
                                 lease_ttl=timedelta(seconds=get_settings().crawl_lease_s))
    finally:
        store.close()
    typer.echo(json.dumps(report.to_dict(), indent=1) if as_json else "\n".join(report.lines()))


@app.command()
def demo(
    archive: Annotated[str, typer.Option("--archive", help="Where the demo archive goes.")] = "demo-archive",
    articles: Annotated[int, typer.Option("--articles", min=1, max=10_000, help="Size of the demo outlet.")] = 60,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the demo outlet's content.")] = 7,
) -> None:
    """Serve the bundled demo outlet on 127.0.0.1, crawl, extract and archive it, and show the result."""
    from newsarchive.demo import run_demo

    run_demo(archive=archive, n_articles=articles, seed=seed)


def _print_summaries(summaries: list) -> None:  # type: ignore[type-arg]
    from rich.console import Console
    from rich.table import Table

    table = Table(title="crawl summary")
    for column in ("outlet", "archived", "new versions", "skipped", "failed", "requests", "seconds"):
        table.add_column(column, justify="right" if column != "outlet" else "left")
    for s in summaries:
        skipped = ", ".join(f"{k} {v}" for k, v in sorted(s.skipped.items()) if v) or "0"
        table.add_row(s.outlet_id, str(s.archived), str(s.versions), skipped, str(s.failed), str(s.stats.get("requests", 0)), f"{s.seconds:.1f}")
    Console(stderr=not sys.stdout.isatty()).print(table)


def main() -> None:
    """Console entry point: run the app, turning project errors into one line and an exit code."""
    try:
        app()
    except NewsarchiveError as exc:
        _die(str(exc), EXIT_USER_ERROR)
    except NotImplementedError as exc:
        _die(f"not yet implemented: {exc}", EXIT_NOT_IMPLEMENTED)
    except KeyboardInterrupt:
        _die("interrupted", 130)


def _die(message: str, code: int) -> NoReturn:
    _report(message)
    sys.exit(code)
