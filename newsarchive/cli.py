"""The ``newsarchive`` command line: a thin layer over the same functions the DAGs call.

Every command that reads outlets or the archive takes ``--outlets`` and ``--archive``;
without them, the ``outlets`` and ``archive`` settings apply (``$NEWSARCHIVE_OUTLETS``,
``$NEWSARCHIVE_ARCHIVE``, else their defaults in :class:`core.settings.Settings`). Every
command exits with a code of :class:`core.errors.ExitCode` (0 done, 1 failed, 2 a usage
mistake, 3 damaged, 4 partial); a mistake or a failure prints one clear line on stderr,
never a traceback. Read-only commands (``stats``, ``download``, ``verify``, ``gc``) never
create an archive. Heavy packages are imported inside the commands so that ``--help``
stays fast.
"""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer

from core.dates import DateWindow, parse_day
from core.errors import ArchiveError, ConfigError, ExitCode, ExtractionError, LeaseHeldError, NewsarchiveError
from core.settings import Settings, get_settings, redact
from core.vocabulary import ExportFormat, RecordSource, SnapshotPick

if TYPE_CHECKING:
    from archive import Archive
    from core.registry import Outlet
    from ingest.summary import RunSummary

__all__ = ["app", "main"]

def _flag_label(self: typer.core.TyperOption, ctx: Any) -> str | None:
    """A flag takes no value: no ``<bool>`` type label in ``--help`` (typer prints one for every option)."""
    return None if self.is_flag else _option_label(self, ctx)


_option_label = typer.core.TyperOption.display_type_rich
typer.core.TyperOption.display_type_rich = _flag_label  # type: ignore[method-assign]

app = typer.Typer(
    name="newsarchive",
    help="Crawl, extract and archive news outlets; download what is archived.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
outlets_app = typer.Typer(help="Inspect and check the outlet registry.", no_args_is_help=True)
app.add_typer(outlets_app, name="outlets")



def _version(value: bool) -> None:
    if value:
        from importlib.metadata import version

        typer.echo(f"newsarchive {version('newsarchive')}")
        raise typer.Exit(ExitCode.OK)


@app.callback()
def _main(
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                          help="Print the version and exit.")] = False,
) -> None:
    """Crawl, extract and archive news outlets; download what is archived."""


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


def fail(message: str, code: int = ExitCode.USAGE) -> NoReturn:
    """Inside a command: print one clear line on stderr and exit with ``code``."""
    _report(message)
    raise typer.Exit(code)


def _report(message: str, *, level: str = "error") -> None:
    """The one form of an error (or warning) line: prefixed, on stderr, credentials removed."""
    typer.echo(f"newsarchive: {level}: {redact(message)}", err=True)


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
    _finish("crawl", _run("crawl", selected, settings, window, refresh_days=refresh, progress=_interactive()))


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
    whether every source finished (0), stopped at a budget or on Ctrl-C or SIGTERM (4) or failed (1).
    """
    from core.registry import load_outlets, select_outlets
    from ingest.stopping import INTERRUPTED

    settings = _settings(outlets=outlets, archive=archive)
    archive_uri = settings.archive
    window = _window(since, until)
    if not fill_gaps and (window.since is None or window.until is None):
        fail("backfill needs --since and --until (or --fill-gaps)")
    (outlet,) = select_outlets(load_outlets(settings.outlets), [outlet_id])
    summaries = []
    if fill_gaps:  # in this process: a stop signal is this process's to answer
        from history.wayback import fill_gaps as backfill_gaps
        from ingest.stopping import stop_backfills_on_signals

        stop_backfills_on_signals()
        summaries = backfill_gaps(outlet, archive_uri, wayback_url=wayback_url, pick=pick, settings=settings)
        if not summaries:
            typer.echo(f"{outlet.id}: no gap days to fill")
            return
    else:
        sources: list[tuple[str, BackfillFrom, dict[str, Any]]] = [
            ("crawl", BackfillFrom.SITEMAPS, {"progress": _interactive()}),
            ("backfill", BackfillFrom.WAYBACK, {"wayback_url": wayback_url, "pick": pick.value}),
            ("ccnews", BackfillFrom.CCNEWS, {"ccnews_url": ccnews_url}),
        ]
        for kind, source, options in sources:
            if backfill_from in (source, BackfillFrom.ALL) and not any(s.stopped == INTERRUPTED for s in summaries):
                summaries += _run(kind, [outlet], settings, window, **options)  # asked to stop: no next source
    for summary in summaries:
        lost = summary.stats.get("wayback", {}).get("unrecoverable", [])
        for item in lost[:10]:  # the full list is in the run's stats
            typer.echo(f"{summary.outlet_id}: unrecoverable: {item['url']} ({'; '.join(item['reasons'])})", err=True)
        if len(lost) > 10:
            typer.echo(f"{summary.outlet_id}: ... and {len(lost) - 10} more unrecoverable (see the run's stats)", err=True)
    _finish("backfill", summaries)


#: The file name endings of each export format (``--format`` and ``--out`` must agree).
FORMAT_SUFFIXES: dict[ExportFormat, tuple[str, ...]] = {
    ExportFormat.JSONL: (".jsonl", ".ndjson", ".json"),
    ExportFormat.CSV: (".csv",),
    ExportFormat.PARQUET: (".parquet", ".pq"),
    ExportFormat.WARC: (".warc.gz", ".warc"),
}


def _format_of(out: str) -> ExportFormat | None:
    """The export format a file name's ending names, if any."""
    name = out.lower()
    return next((fmt for fmt, suffixes in FORMAT_SUFFIXES.items() if name.endswith(suffixes)), None)


@app.command()
def download(
    out: Annotated[str, typer.Option("--out", metavar="FILE", help="Output file, or - for stdout. An existing file is refused without --force.")],
    archive: ArchiveOption = None,
    outlet: Annotated[list[str] | None, typer.Option("--outlet", help="Only this outlet (repeatable).")] = None,
    since: SinceOption = None,
    until: UntilOption = None,
    source: Annotated[RecordSource | None, typer.Option("--source", case_sensitive=False, help="Only records fetched live or from Wayback snapshots.")] = None,
    query: Annotated[str | None, typer.Option("--query", "-q", help="Only records whose title or text contains this (case-insensitive).")] = None,
    fmt: Annotated[ExportFormat | None, typer.Option("--format", case_sensitive=False, help="Output format (case-insensitive).", show_default="from the --out file name, else jsonl")] = None,
    all_versions: Annotated[bool, typer.Option("--all-versions", help="Every stored version, not only the latest.")] = False,
    all_extractions: Annotated[bool, typer.Option("--all-extractions", help="Every stored record: all versions, and earlier extractions of re-extracted captures.")] = False,
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing --out file.")] = False,
) -> None:
    """Export archived articles (latest version of each) as JSONL, CSV, Parquet or WARC (one .warc.gz file)."""
    import shutil
    import tempfile

    window = _window(since, until)
    to_stdout = out == "-"
    named = None if to_stdout else _format_of(out)
    if fmt is None:
        fmt = named or ExportFormat.JSONL
    elif named is not None and named is not fmt:
        fail(f"--out {out} names a {named.value} file but --format is {fmt.value}")
    target = Path(out)
    if not to_stdout:
        if out.endswith(("/", "\\")) or target.is_dir():
            fail(f"--out {out} is a directory: give a file name (e.g. {target / ('articles' + FORMAT_SUFFIXES[fmt][0])})")
        if target.exists() and not force:
            fail(f"--out {out} exists: use --force to overwrite it")
        if not target.parent.exists():
            fail(f"--out {out}: no such directory {target.parent}")
    with _existing_archive(archive) as opened:
        _check_outlets(opened, outlet or [])
        filters: dict[str, Any] = dict(
            outlet=tuple(outlet) if outlet else None, since=window.since, until=window.until,
            source=source.value if source else None, query=query, all_versions=all_versions,
            all_extractions=all_extractions,
        )
        if to_stdout:
            with tempfile.TemporaryDirectory(prefix="newsarchive-download-") as tmp:
                staged = Path(tmp) / f"out{FORMAT_SUFFIXES[fmt][0]}"
                summary = opened.export(fmt, staged, progress=False, **filters)
                with staged.open("rb") as stream:
                    shutil.copyfileobj(stream, sys.stdout.buffer)
                sys.stdout.buffer.flush()
        else:
            try:
                if force and target.exists():
                    target.unlink()
                summary = opened.export(fmt, target, progress=_interactive(), **filters)
            except OSError as exc:
                fail(f"cannot write {out}: {exc.strerror or exc}", ExitCode.FAILED)
    records = f"{summary.records} record{'s' if summary.records != 1 else ''}"
    typer.echo(f"wrote {records} to {'stdout' if to_stdout else out} ({fmt.value})", err=to_stdout)


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
    archive: Annotated[str | None, typer.Option("--archive", help="With --outlet: also remove the template lines the outlet's crawls learned in this archive.")] = None,
    fmt: Annotated[ExtractFormat, typer.Option("--format", case_sensitive=False, help="What to print.")] = ExtractFormat.JSON,
) -> None:
    """Run one page through the archive's extraction path and print the export record's fields."""
    from core.registry import load_outlets, select_outlets

    if archive and not outlet:
        fail("--archive needs --outlet (the template lines are the outlet's)")
    selected = select_outlets(load_outlets(_settings(outlets=outlets).outlets), [outlet])[0] if outlet else None
    if page.startswith(("http://", "https://")):
        body, page_url, charset = _fetch(page)
    else:
        path = Path(page)
        if not path.is_file():
            fail(f"{page}: no such file (give an HTML file or an http(s) URL)")
        body, page_url, charset = path.read_bytes(), url or path.resolve().as_uri(), None
    from ingest.pages import looks_like_html, preview_record

    if not looks_like_html(body):
        fail(f"{page}: not an HTML page", ExitCode.FAILED)
    template_lines: dict[str, list[str]] = {}
    if archive and selected is not None:
        from ingest.templates import saved_template_lines

        with _existing_archive(archive) as opened:
            template_lines = saved_template_lines(opened, selected.id)
    lines = [line for by_language in template_lines.values() for line in by_language]
    try:
        record, extraction = preview_record(body, page_url, outlet=selected, encoding=charset, template_lines=lines)
    except ExtractionError as exc:
        fail(str(exc), ExitCode.FAILED)
    if fmt is ExtractFormat.JSON:
        typer.echo(json.dumps(record.to_dict(), ensure_ascii=False, indent=2, default=str))
    elif fmt is ExtractFormat.TEXT:
        typer.echo(record.text)
    elif fmt is ExtractFormat.MARKDOWN:
        typer.echo(extraction.markdown)
    else:
        typer.echo(extraction.html)


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
    """Validate the outlet registry (every problem listed, one a line) and list its outlets."""
    from rich.console import Console
    from rich.table import Table

    from core.registry import load_outlets

    path = _settings(outlets=outlets).outlets
    try:
        loaded = load_outlets(path)
    except ConfigError as exc:
        for problem in exc.problems[:-1]:
            _report(problem)
        fail(exc.problems[-1])
    console = Console()
    table = Table(title=f"{path}: {_count(len(loaded), 'outlet')}, valid")
    table.add_column("id", no_wrap=True)  # ids are never cut: they are what every command takes
    for column in ("name", "base_url", "language", "timezone"):
        table.add_column(column, overflow="fold")
    table.add_column("sitemaps/feeds/sections", justify="right")
    for o in loaded:
        table.add_row(o.id, o.name, o.base_url, o.language, o.timezone,
                      f"{len(o.sitemaps)}/{len(o.feeds)}/{len(o.sections)}")  # fmt: skip
    console.print(table)


def _count(n: int, noun: str) -> str:
    """``1 run``, ``2 runs``."""
    return f"{n} {noun}{'' if n == 1 else 's'}"


@app.command()
def stats(
    archive: ArchiveOption = None,
    outlet: Annotated[str | None, typer.Option("--outlet", help="Only this outlet.")] = None,
    gaps: Annotated[bool, typer.Option("--gaps", help="List the days an outlet usually publishes on but has (almost) nothing archived, judged against its own weekday cadence.")] = False,
    plot: Annotated[Path | None, typer.Option("--plot", metavar="PNG", help="Draw a coverage heatmap (outlets x days, counts, gap days marked) to this PNG.")] = None,
) -> None:
    """Articles per outlet per day, gaps, and the last successful run per outlet."""
    from archive.stats import print_stats

    with _existing_archive(archive) as opened:
        _check_outlets(opened, [outlet] if outlet else [])
        try:
            print_stats(opened.stats(outlet), opened.uri, gaps=gaps, plot=plot)
        except OSError as exc:  # the --plot file
            fail(f"cannot write {plot}: {exc.strerror or exc}", ExitCode.FAILED)


JsonOption = Annotated[bool, typer.Option("--json", help="Print the report as JSON.")]


def _existing_archive(archive: str | None) -> Archive:
    """The archive (``--archive``, else the setting); it must exist: a reader never creates one."""
    from archive import Archive

    settings = _settings(archive=archive)
    try:
        return Archive.open(settings.archive, settings, create=False)
    except ConfigError:
        raise
    except ArchiveError as exc:
        fail(str(exc))


def _check_outlets(opened: Archive, outlet_ids: list[str]) -> None:
    """Each of ``outlet_ids`` has committed runs in the archive, or one line naming the ones it has."""
    if not outlet_ids:
        return
    known = sorted({outlet for outlet, _ in opened.committed_runs()})
    for outlet_id in outlet_ids:
        if outlet_id not in known:
            fail(f"no outlet {outlet_id!r} in this archive (known: {', '.join(known) or 'none'})")


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
    2 no archive there or an unknown outlet, 1 a store error.
    """
    with _existing_archive(archive) as opened:
        _check_outlets(opened, [outlet] if outlet else [])
        report = opened.verify(outlet, deep=deep)
    typer.echo(json.dumps(report.to_dict(), indent=1) if as_json else "\n".join(report.lines()))
    if report.damaged:
        fail(f"archive damaged: {len(report.problems)} problem(s), first: {report.problems[0]}", ExitCode.DAMAGED)


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
    it holds the outlet's lease (and says so).
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
    serve: Annotated[bool, typer.Option("--serve", help="Only serve the demo outlet (same host name and content as the demo's crawl) until Ctrl-C.")] = False,
) -> None:
    """Serve the bundled demo outlet on 127.0.0.1, crawl, extract and archive it, and show the result.

    A second run archives nothing new: the outlet keeps its identity (host name) whatever port it gets.
    """
    from newsarchive.demo import run_demo, serve_demo

    if serve:
        serve_demo(archive=archive, n_articles=articles, seed=seed)
        return
    _finish("demo", run_demo(archive=archive, n_articles=articles, seed=seed), table=False)


def _print_summaries(summaries: list[RunSummary]) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title="crawl summary")
    table.add_column("outlet", no_wrap=True)
    for column in ("archived", "new versions", "skipped", "failed", "requests", "seconds"):
        table.add_column(column, justify="right", overflow="fold")
    for s in summaries:
        skipped = ", ".join(f"{k} {v}" for k, v in sorted(s.skipped.items()) if v) or "0"
        table.add_row(s.outlet_id, str(s.archived), str(s.versions), skipped, str(s.failed), str(s.stats.get("requests", 0)), f"{s.seconds:.1f}")
    Console(stderr=not sys.stdout.isatty()).print(table)


def _finish(command: str, summaries: list[RunSummary], *, table: bool = True) -> None:
    """The summary table, one outcome line per outlet that did not end ok, a final line, the exit code.

    The exit code is the worst outcome over the outlets (:func:`ingest.summary.worst_outcome`).
    """
    from ingest.summary import RunOutcome, worst_outcome

    if table:
        _print_summaries(summaries)
    outcome = worst_outcome(summaries)
    if len(summaries) == 1:
        final = f"{command}: {summaries[0].outcome_line()} (exit {outcome.exit_code.value})"
    else:
        for summary in summaries:
            if summary.outcome is not RunOutcome.OK:
                typer.echo(summary.outcome_line(), err=True)
        counts = {o: sum(s.outcome is o for s in summaries) for o in RunOutcome}
        detail = ", ".join(f"{n} {o.value}" for o, n in counts.items() if n) or "no outlet"
        final = f"{command}: {outcome.value} ({detail}; exit {outcome.exit_code.value})"
    if outcome is RunOutcome.OK:
        typer.echo(final, err=True)
        return
    if outcome is RunOutcome.PARTIAL:  # nothing fetched was lost: a warning, with its own exit code
        _report(final, level="warning")
        raise typer.Exit(outcome.exit_code)
    fail(final, outcome.exit_code)


def main() -> None:
    """Console entry point: run the app, turning project errors into one line and an exit code."""
    # typer 0.29 vendors click as typer._click: its exceptions are the ones raised (not click's).
    from typer._click import exceptions as click

    try:
        result = app(standalone_mode=False)
    except click.NoArgsIsHelpError as exc:  # `newsarchive` alone: the help, as a usage mistake
        if exc.ctx is not None:
            typer.echo(exc.ctx.get_help(), err=True)
        sys.exit(ExitCode.USAGE)
    except click.UsageError as exc:  # a bad option or argument: one line, not click's boxed panel
        hint = f" (see: {exc.ctx.command_path} --help)" if exc.ctx is not None else ""
        _die(exc.format_message().replace("\n", " ") + hint, ExitCode.USAGE)
    except click.ClickException as exc:
        _die(exc.format_message().replace("\n", " "), ExitCode.USAGE)
    except typer.Abort:
        _die("aborted", ExitCode.FAILED)
    except LeaseHeldError as exc:  # another crawl is running: this one did nothing
        _die(str(exc), ExitCode.FAILED)
    except ConfigError as exc:
        _die(str(exc), ExitCode.USAGE)
    except NewsarchiveError as exc:
        _die(str(exc), ExitCode.FAILED)
    except NotImplementedError as exc:
        _die(f"not yet implemented: {exc}", ExitCode.FAILED)
    except KeyboardInterrupt:
        _die("interrupted", 130)
    sys.exit(result if isinstance(result, int) else ExitCode.OK)


def _die(message: str, code: int) -> NoReturn:
    _report(message)
    sys.exit(code)
