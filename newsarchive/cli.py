"""The ``newsarchive`` command line: a thin layer over the same functions the DAGs call.

Every command that reads outlets or the archive takes ``--outlets`` and ``--archive``;
without them, the ``outlets`` and ``archive`` settings apply (``$NEWSARCHIVE_OUTLETS``,
``$NEWSARCHIVE_ARCHIVE``, else their defaults in :class:`core.settings.Settings`). A user mistake prints one clear line and exits non-zero; it
never shows a traceback. Heavy packages are imported inside the commands so that
``--help`` stays fast.
"""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer

from core.dates import DateWindow, parse_day
from core.errors import ConfigError, NewsarchiveError
from core.settings import Settings, get_settings, redact
from core.vocabulary import ExportFormat, RecordSource, SnapshotPick

if TYPE_CHECKING:
    from archive import Archive
    from core.registry import Outlet
    from ingest.summary import RunSummary

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
    Path | None,
    typer.Option("--outlets", help="Outlet registry (YAML).", show_default=f"$NEWSARCHIVE_OUTLETS or {Settings.outlets}"),
]
ArchiveOption = Annotated[
    str | None,
    typer.Option(
        "--archive",
        help="Archive URI: a directory, file:///path or s3://bucket/prefix.",
        show_default=f"$NEWSARCHIVE_ARCHIVE or ./{Settings.archive}",
    ),
]
SinceOption = Annotated[
    str | None, typer.Option("--since", help="First publication date kept (YYYY-MM-DD).")
]
UntilOption = Annotated[
    str | None, typer.Option("--until", help="Last publication date kept (YYYY-MM-DD).")
]


class BackfillFrom(StrEnum):
    """Where ``backfill`` looks for an outlet's past articles (not a record's :class:`RecordSource`)."""

    SITEMAPS = "sitemaps"  # the live site's sitemaps and sections (records: live)
    WAYBACK = "wayback"  # the Wayback Machine's snapshots (records: wayback)
    CCNEWS = "ccnews"  # Common Crawl's CC-NEWS WARC files (records: ccnews)
    ALL = "all"  # all three: each article archived once, every source's capture kept in its run's WARC


class ExtractFormat(StrEnum):
    JSON = "json"
    TEXT = "text"
    MARKDOWN = "markdown"
    HTML = "html"


def fail(message: str, code: int = EXIT_USER_ERROR) -> NoReturn:
    """Inside a command: print one clear line on stderr and exit with ``code``."""
    _report(message)
    raise typer.Exit(code)


def _report(message: str) -> None:
    """The one form of an error line: prefixed, on stderr, credentials removed."""
    typer.echo(f"newsarchive: error: {redact(message)}", err=True)


def _settings(*, outlets: Path | None = None, archive: str | None = None) -> Settings:
    """The process settings with the options given on the command line on top."""
    return get_settings().with_overrides(outlets=outlets, archive=archive)


def _window(since: str | None, until: str | None) -> DateWindow:
    """The ``--since``/``--until`` window; a bad day or an inverted window fails with one clear line."""
    try:
        start, end = parse_day(since, "--since"), parse_day(until, "--until")
    except ConfigError as exc:
        fail(str(exc))
    if start and end and start > end:
        fail(f"--since {start} is after --until {end}")
    return DateWindow(start, end)


def _interactive() -> bool:
    return sys.stderr.isatty()


@app.command()
def crawl(
    outlet_ids: Annotated[list[str] | None, typer.Argument(metavar="[OUTLET_ID ...]", help="Outlets to crawl (default: all).")] = None,
    outlets: OutletsOption = None,
    archive: ArchiveOption = None,
    since: SinceOption = None,
    until: UntilOption = None,
    refresh: Annotated[int | None, typer.Option("--refresh", metavar="DAYS", min=1, help="Also refetch archived articles published in the last DAYS days, to catch silent edits (a changed text becomes a new version).")] = None,
) -> None:
    """Crawl outlets for articles published in a date window and archive them.

    Without --since, each outlet is crawled since its last successful run (minus a
    2-day overlap), or for the last week on a first run.
    """
    from core.registry import load_outlets, select_outlets

    settings = _settings(outlets=outlets, archive=archive)
    window = _window(since, until)
    selected = select_outlets(load_outlets(settings.outlets), outlet_ids or [])
    _print_summaries(_run("crawl", selected, settings, window, refresh_days=refresh, progress=_interactive()))


def _run(kind: str, outlets: list[Outlet], settings: Settings, window: DateWindow, **options: Any) -> list[RunSummary]:
    """One crawl or backfill job in a child process (:mod:`newsarchive.jobs`), its logs on this stderr."""
    from newsarchive.jobs import JobRequest, run_job

    request = JobRequest.build(kind, outlets, settings.archive, since=window.since, until=window.until,
                               settings=settings, **options)
    return run_job(request, show_logs=True)


@app.command()
def backfill(
    outlet_id: Annotated[str, typer.Argument(help="The outlet to backfill.")],
    since: SinceOption = None,
    until: UntilOption = None,
    backfill_from: Annotated[BackfillFrom, typer.Option("--from", "--source", help="Where to find the past articles. sitemaps: the live site's sitemaps and sections; wayback: Internet Archive snapshots; ccnews: Common Crawl's news WARC files; all: the three.")] = BackfillFrom.SITEMAPS,
    fill_gaps: Annotated[bool, typer.Option("--fill-gaps", help="Backfill exactly the days 'stats --gaps' lists (from the Wayback Machine).")] = False,
    wayback_url: Annotated[str | None, typer.Option("--wayback-url", help="Base URL of the Wayback Machine (CDX API under /cdx/search/cdx).", show_default="$NEWSARCHIVE_WAYBACK_URL or " + Settings.wayback_url)] = None,
    ccnews_url: Annotated[str | None, typer.Option("--ccnews-url", help="Where CC-NEWS lives: s3://<bucket> (anonymous) or an HTTP(S) base URL.", show_default="$NEWSARCHIVE_CCNEWS_URL or " + Settings.ccnews_url)] = None,
    pick: Annotated[SnapshotPick, typer.Option("--pick", help="Which snapshot of an article: earliest after publication, latest, or all distinct texts.")] = SnapshotPick.EARLIEST,
    outlets: OutletsOption = None,
    archive: ArchiveOption = None,
) -> None:
    """Archive an outlet's articles of a past date range, from its sitemaps, the Wayback Machine and/or CC-NEWS.

    Articles already archived are not stored again; a snapshot whose text differs
    from the archived one is stored as a new version. Articles none of whose
    captures could be read are listed in the run's stats; the exit code says
    whether every source finished (0), stopped at a budget (4) or failed (1).
    """
    from core.registry import load_outlets, select_outlets

    settings = _settings(outlets=outlets, archive=archive)
    archive_uri = settings.archive
    window = _window(since, until)
    if not fill_gaps and (window.since is None or window.until is None):
        fail("backfill needs --since and --until (or --fill-gaps)")
    (outlet,) = select_outlets(load_outlets(settings.outlets), [outlet_id])
    summaries = []
    if fill_gaps:
        from history.wayback import fill_gaps as backfill_gaps

        summaries = backfill_gaps(outlet, archive_uri, wayback_url=wayback_url, pick=pick, settings=settings)
        if not summaries:
            typer.echo(f"{outlet.id}: no gap days to fill")
    else:
        if backfill_from in (BackfillFrom.SITEMAPS, BackfillFrom.ALL):
            summaries += _run("crawl", [outlet], settings, window, progress=_interactive())
        if backfill_from in (BackfillFrom.WAYBACK, BackfillFrom.ALL):
            summaries += _run("backfill", [outlet], settings, window, wayback_url=wayback_url, pick=pick.value)
        if backfill_from in (BackfillFrom.CCNEWS, BackfillFrom.ALL):
            summaries += _run("ccnews", [outlet], settings, window, ccnews_url=ccnews_url)
    _print_summaries(summaries)
    for summary in summaries:
        if summary.unreachable:
            _report(f"{summary.outlet_id}: {summary.stats.get('error', 'the source is unreachable')}")
        lost = summary.stats.get("wayback", {}).get("unrecoverable", [])
        for item in lost[:10]:  # the full list is in the run's stats
            typer.echo(f"{summary.outlet_id}: unrecoverable: {item['url']} ({'; '.join(item['reasons'])})", err=True)
        if len(lost) > 10:
            typer.echo(f"{summary.outlet_id}: ... and {len(lost) - 10} more unrecoverable (see the run's stats)", err=True)
        if summary.stopped:
            typer.echo(f"{summary.outlet_id}: stopped early ({summary.stopped}); what was fetched is committed", err=True)
    worst = max((summary.outcome.exit_code for summary in summaries), default=0)
    if worst:
        raise typer.Exit(int(worst))


@app.command()
def download(
    out: Annotated[Path, typer.Option("--out", help="Output file (a directory for --format warc is not needed: one .warc.gz file).")],
    archive: ArchiveOption = None,
    outlet: Annotated[list[str] | None, typer.Option("--outlet", help="Only this outlet (repeatable).")] = None,
    since: SinceOption = None,
    until: UntilOption = None,
    source: Annotated[RecordSource | None, typer.Option("--source", help="Only records fetched live or from Wayback snapshots.")] = None,
    query: Annotated[str | None, typer.Option("--query", "-q", help="Only records whose title or text contains this (case-insensitive).")] = None,
    fmt: Annotated[ExportFormat, typer.Option("--format", help="Output format.")] = ExportFormat.JSONL,
    all_versions: Annotated[bool, typer.Option("--all-versions", help="Every stored version, not only the latest.")] = False,
    all_extractions: Annotated[bool, typer.Option("--all-extractions", help="Every stored record: all versions, and earlier extractions of re-extracted captures.")] = False,
) -> None:
    """Export archived articles (latest version of each) as JSONL, CSV, Parquet or WARC."""
    from archive import Archive

    settings = _settings(archive=archive)
    window = _window(since, until)
    summary = Archive.open(settings.archive, settings).export(
        fmt,
        out,
        outlet=tuple(outlet) if outlet else None,
        since=window.since,
        until=window.until,
        source=source.value if source else None,
        query=query,
        all_versions=all_versions,
        all_extractions=all_extractions,
        progress=_interactive(),
    )
    typer.echo(f"wrote {summary.records} records to {out} ({fmt.value})")


@app.command()
def reextract(
    archive: ArchiveOption = None,
    outlets: OutletsOption = None,
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
    from core.registry import load_outlets
    from newsarchive.reextract import reextract as run_reextract

    settings = _settings(outlets=outlets, archive=archive)
    window = _window(since, until)
    registry = {o.id: o for o in load_outlets(settings.outlets)} if settings.outlets.is_file() else {}
    with _existing_archive(archive) as opened:
        report = run_reextract(opened, registry, outlet=outlet, since=window.since, until=window.until)
    typer.echo(json.dumps(report.to_dict(), indent=1) if as_json else "\n".join(report.lines()))


@app.command()
def extract(
    page: Annotated[str, typer.Argument(metavar="FILE_OR_URL", help="An HTML file, or an http(s) URL to fetch.")],
    url: Annotated[str | None, typer.Option("--url", help="The page's URL, when PAGE is a file.")] = None,
    outlet: Annotated[str | None, typer.Option("--outlet", help="Apply this outlet's rules and time zone.")] = None,
    outlets: OutletsOption = None,
    fmt: Annotated[ExtractFormat, typer.Option("--format", help="What to print.")] = ExtractFormat.JSON,
) -> None:
    """Run one page through the extraction path and print the export record's fields."""
    from core.registry import load_outlets, select_outlets

    selected = select_outlets(load_outlets(_settings(outlets=outlets).outlets), [outlet])[0] if outlet else None
    if page.startswith(("http://", "https://")):
        body, page_url, charset = _fetch(page)
    else:
        path = Path(page)
        if not path.is_file():
            fail(f"{page}: no such file (give an HTML file or an http(s) URL)")
        body, page_url, charset = path.read_bytes(), url or path.resolve().as_uri(), None
    from extract import extract_article

    result = extract_article(body, page_url, outlet=selected, encoding=charset)
    if fmt is ExtractFormat.JSON:
        typer.echo(json.dumps(result.to_dict(), ensure_ascii=False, indent=2, default=str))
    elif fmt is ExtractFormat.TEXT:
        typer.echo(result.text)
    elif fmt is ExtractFormat.MARKDOWN:
        typer.echo(result.markdown)
    else:
        typer.echo(result.html)


def _fetch(url: str) -> tuple[bytes, str, str | None]:
    """Fetch one page for ``newsarchive extract`` (the crawler does all other fetching).

    The host named in ``url`` is the user's choice; a redirect is followed only to a public address
    (:func:`core.net.public_opener`, the crawler's rule).
    """
    import urllib.request
    from email.message import Message
    from urllib.parse import urlsplit

    from core.net import public_opener

    settings = get_settings()
    request = urllib.request.Request(url, headers={"User-Agent": settings.user_agent})
    opener = public_opener(allowed_host=urlsplit(url).hostname, max_redirects=settings.max_redirects)
    try:
        with opener.open(request, timeout=settings.download_timeout_s) as response:
            body = response.read(settings.download_maxsize + 1)
            headers: Message = response.headers
            final_url = response.geturl()
    except OSError as exc:
        fail(f"cannot fetch {url}: {exc}")
    if len(body) > settings.download_maxsize:
        fail(f"{url}: page larger than {settings.download_maxsize} bytes")
    return body, final_url, headers.get_content_charset()


@outlets_app.command("check")
def outlets_check(outlets: OutletsOption = None) -> None:
    """Validate the outlet registry and list its outlets."""
    from rich.console import Console
    from rich.table import Table

    from core.registry import load_outlets

    path = _settings(outlets=outlets).outlets
    loaded = load_outlets(path)
    table = Table(title=f"{path}: {len(loaded)} outlet(s), valid")
    for column in ("id", "name", "base_url", "language", "timezone", "sitemaps", "feeds", "sections"):
        table.add_column(column)
    for o in loaded:
        table.add_row(o.id, o.name, o.base_url, o.language, o.timezone, str(len(o.sitemaps)), str(len(o.feeds)), str(len(o.sections)))
    Console().print(table)


@app.command()
def stats(
    archive: ArchiveOption = None,
    gaps: Annotated[bool, typer.Option("--gaps", help="List outlet-days far below the outlet's norm.")] = False,
    plot: Annotated[Path | None, typer.Option("--plot", help="Draw a coverage heatmap (outlets x days) to this PNG.")] = None,
) -> None:
    """Articles per outlet per day, gaps, and the last successful run per outlet."""
    from archive import Archive
    from archive.stats import print_stats

    settings = _settings(archive=archive)
    with Archive.open(settings.archive, settings) as opened:
        print_stats(opened.stats(), opened.uri, gaps=gaps, plot=plot)


JsonOption = Annotated[bool, typer.Option("--json", help="Print the report as JSON.")]


def _existing_archive(archive: str | None) -> Archive:
    """The archive (``--archive``, else the setting); a local archive must exist (opening one would create it)."""
    from archive import Archive

    settings = _settings(archive=archive)
    return Archive.open(settings.archive, settings, create=False)


@app.command()
def verify(
    archive: ArchiveOption = None,
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
    with _existing_archive(archive) as opened:
        report = opened.verify(outlet, deep=deep)
    typer.echo(json.dumps(report.to_dict(), indent=1) if as_json else "\n".join(report.lines()))
    if report.damaged:
        fail(f"archive damaged: {len(report.problems)} problem(s), first: {report.problems[0]}", EXIT_DAMAGED)


@app.command()
def gc(
    archive: ArchiveOption = None,
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

    with _existing_archive(archive) as opened:
        report = opened.gc(timedelta(hours=older_than), dry_run=dry_run)
    typer.echo(json.dumps(report.to_dict(), indent=1) if as_json else "\n".join(report.lines()))


@app.command()
def index(
    archive: ArchiveOption = None,
    rebuild: Annotated[bool, typer.Option("--rebuild", help="Drop the index and build it again from every committed run.")] = False,
) -> None:
    """Build or bring up to date the search index of an archive (what `serve` searches).

    The index is a local file derived from the archive's committed runs (kept in
    $NEWSARCHIVE_SEARCH_CACHE_DIR, one per archive): each run is indexed once, and a
    lost index is rebuilt from the archive.
    """
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from archive.search import SearchIndex

    search = SearchIndex(_existing_archive(archive))
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TextColumn("runs ·"),
                  TextColumn("{task.fields[records]:,} records"), TimeElapsedColumn(),
                  disable=not _interactive()) as bar:  # fmt: skip
        task = bar.add_task("indexing", total=None, records=0)

        def progress(done: int, total: int, records: int) -> None:
            bar.update(task, completed=done, total=total, records=records)

        runs = search.rebuild(progress) if rebuild else search.update(progress)
    typer.echo(f"{search.path}: {runs} run(s) indexed now, {search.document_count():,} article versions in all")


@app.command()
def serve(
    archive: ArchiveOption = None,
    host: Annotated[str | None, typer.Option("--host", help="Interface to listen on (default: 127.0.0.1, this machine only).")] = None,
    port: Annotated[int | None, typer.Option("--port", help="Port to listen on (default: 8787).")] = None,
    allow_remote: Annotated[bool, typer.Option("--allow-remote", help="Allow a --host other than loopback; then every request needs $NEWSARCHIVE_SERVE_TOKEN.")] = False,
) -> None:
    """Browse the archive in a web browser: overview, search, articles and versions, raw captures, exports.

    Read-only. Listens on 127.0.0.1 unless --host names another interface, which
    needs --allow-remote and a token in NEWSARCHIVE_SERVE_TOKEN (at least 16
    characters) that every request must carry.
    """
    from newsarchive.serve import serve as run_server
    from newsarchive.serve.app import is_loopback

    settings = _settings(archive=archive).with_overrides(serve_host=host, serve_port=port)
    token = settings.serve_token if allow_remote else None
    if not is_loopback(settings.serve_host):
        if not allow_remote:
            fail(f"--host {settings.serve_host} is not loopback: add --allow-remote and set NEWSARCHIVE_SERVE_TOKEN")
        if not token or len(token) < 16:
            fail("--allow-remote needs NEWSARCHIVE_SERVE_TOKEN set to a secret of at least 16 characters")
    opened = _existing_archive(archive)
    typer.echo(f"serving {settings.archive} on http://{settings.serve_host}:{settings.serve_port}/ (read-only)", err=True)
    run_server(opened, host=settings.serve_host,
               port=settings.serve_port, token=token)  # fmt: skip


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
