"""extract on real pages nobody here wrote, beside trafilatura and htmldate in the same run (issue 16).

The development sets are public evaluation material of the two dependencies; none of it is in this
project (a workplace rule: nothing fetched from them is committed). Point the script at a clone or a
bare mirror of each repository and it copies what it needs into a local cache directory first:

- adbar/trafilatura: ``tests/evaldata.json`` (about 990 real pages, each with snippets the main text
  must contain and must not contain, and for most the expected author, title and date) with the
  pages in ``tests/eval/`` and ``tests/cache/``;
- adbar/htmldate: ``tests/eval_default.json`` (expected publication days) with its pages. Only the
  pages that file names are copied: htmldate's ``eval_mediacloud_2020.json`` is a held-out set.

Measures, each for ``extract_article`` and its dependency on the same pages:

- body: trafilatura's own scoring (a "with" snippet found is a true positive, missing a false
  negative; a "without" snippet found is a false positive), precision, recall and F1, against
  ``trafilatura.extract(html, url=url, include_comments=False)`` and trafilatura's defaults;
- authors on pages whose gold names one (right = the same set of names), and names invented on
  pages whose gold names none, against ``trafilatura.bare_extraction(with_metadata=True)``;
- titles, against trafilatura;
- publication day on both date sets: right, wrong, missing, against ``htmldate.find_date`` (its
  defaults: extensive search) and trafilatura's metadata date. Once ``extract_article`` has run an
  extensive search, htmldate in this process reads free text with :mod:`extract.textdates`' parser,
  which finds the same dates as its own (checked there); the htmldate column is htmldate's answers;
- CPU seconds per page of ``extract_article`` and of ``trafilatura.extract``, page by page on the
  same bytes, alternating which goes first.

``uv run python -m bench.realpages --trafilatura-repo DIR --htmldate-repo DIR [--limit N]`` (or
``REALPAGES_TRAFILATURA`` / ``REALPAGES_HTMLDATE``) prints the table and writes
``bench/results/realpages-<date>.json`` (aggregates only); per-page outcomes go to the cache
directory (``--cache``, default ``~/.cache/newsarchive/realpages``) for failure analysis. A full
run of both sets is checked against the floors pinned in ``bench/realpages_floors.json`` (exit
1 below one); ``--pin`` raises them, never lowers them.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tarfile
import time
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from io import BytesIO
from pathlib import Path
from typing import Any

import trafilatura
from htmldate import find_date

from bench.common import REPO_ROOT, machine
from core.errors import ExtractionError
from extract import extract_article
from extract.content import alnum_key

__all__ = ["FLOORS", "Sets", "materialise", "measures", "pin", "regressions", "run"]

WHERE = (
    "the sets are the test material of https://github.com/adbar/trafilatura and https://github.com/adbar/htmldate: "
    "clone both and pass --trafilatura-repo / --htmldate-repo (or REALPAGES_TRAFILATURA / REALPAGES_HTMLDATE)"
)
DEFAULT_CACHE = Path.home() / ".cache" / "newsarchive" / "realpages"
RESULTS = REPO_ROOT / "bench" / "results"
#: The pinned floors of the measures (numbers only, measured here): a full run below one fails;
#: ``--pin`` raises them to what was measured, never lowers them.
FLOORS = REPO_ROOT / "bench" / "realpages_floors.json"
_SPACE = re.compile(r"\s+")
_NAME_SPLIT = re.compile(r"\s*(?:;|,|&|/|\band\b|\bund\b|\bet\b|\by\b|\bi\b)\s*", re.IGNORECASE)


# -- the sets -------------------------------------------------------------------------------------


def _git_dir(repo: Path) -> bool:
    return not (repo / "tests").is_dir() and (repo / "HEAD").is_file()


def _git(repo: Path, *args: str) -> bytes:
    return subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True).stdout


def _head(repo: Path) -> str:
    if _git_dir(repo) or (repo / ".git").exists():
        return _git(repo, "rev-parse", "HEAD").decode().strip()
    return "worktree"


def _copy(repo: Path, paths: list[str], target: Path) -> None:
    """Copy ``paths`` (files or folders under the repository root) from a checkout or a bare mirror."""
    if _git_dir(repo):
        listed = set(_git(repo, "ls-tree", "-r", "--name-only", "HEAD", "--", *paths).decode().splitlines())
        wanted = [p for p in paths if p in listed or any(name.startswith(p.rstrip("/") + "/") for name in listed)]
        archive = _git(repo, "archive", "--format=tar", "HEAD", "--", *wanted)
        with tarfile.open(fileobj=BytesIO(archive)) as tar:
            tar.extractall(target, filter="data")
        return
    for path in paths:
        source = repo / path
        if source.is_file():
            (target / path).parent.mkdir(parents=True, exist_ok=True)
            (target / path).write_bytes(source.read_bytes())
        elif source.is_dir():
            for file in source.rglob("*"):
                if file.is_file():
                    (target / file.relative_to(repo)).parent.mkdir(parents=True, exist_ok=True)
                    (target / file.relative_to(repo)).write_bytes(file.read_bytes())


def _read(repo: Path, path: str) -> bytes:
    return _git(repo, "show", f"HEAD:{path}") if _git_dir(repo) else (repo / path).read_bytes()


def materialise(repo: Path, paths: Callable[[bytes], list[str]], index: str, cache: Path) -> Path:
    """Copy ``index`` and the pages it names (``paths(index bytes)``) into ``cache/<name>-<head>``."""
    target = cache / f"{repo.name if repo.name != 'repo' else repo.parent.name}-{_head(repo)[:12]}"
    if (target / ".complete").exists():
        return target
    target.mkdir(parents=True, exist_ok=True)
    raw = _read(repo, index)
    (target / index).parent.mkdir(parents=True, exist_ok=True)
    (target / index).write_bytes(raw)
    wanted = paths(raw)
    for start in range(0, len(wanted), 400):
        _copy(repo, wanted[start : start + 400], target)
    (target / ".complete").write_text("")
    return target


def _page_paths(raw: bytes) -> list[str]:
    files = sorted({item["file"] for item in json.loads(raw).values() if item.get("file")})
    return [f"tests/{folder}/{name}" for name in files for folder in ("eval", "cache")]


@dataclass
class Page:
    """One page of a set: its bytes and what its gold says."""

    id: str
    url: str
    html: bytes
    gold: dict[str, Any]
    set: str  # "trafilatura" or "htmldate"


def _pages(root: Path, index: str, set_name: str) -> Iterator[Page]:
    for url, item in json.loads((root / index).read_text(encoding="utf-8")).items():
        for folder in ("cache", "eval"):
            path = root / "tests" / folder / item["file"]
            if path.is_file():
                yield Page(f"{set_name}:{item['file']}", url, path.read_bytes(), item, set_name)
                break


@dataclass
class Sets:
    trafilatura: list[Page] = field(default_factory=list)
    htmldate: list[Page] = field(default_factory=list)

    @classmethod
    def load(cls, trafilatura_repo: Path | None, htmldate_repo: Path | None, cache: Path) -> Sets:
        sets = cls()
        if trafilatura_repo:
            root = materialise(trafilatura_repo, _page_paths, "tests/evaldata.json", cache)
            sets.trafilatura = list(_pages(root, "tests/evaldata.json", "trafilatura"))
        if htmldate_repo:  # eval_default.json only: eval_mediacloud_2020.json is held out
            root = materialise(htmldate_repo, _page_paths, "tests/eval_default.json", cache)
            sets.htmldate = list(_pages(root, "tests/eval_default.json", "htmldate"))
        return sets


# -- scoring --------------------------------------------------------------------------------------


def _norm(text: str) -> str:
    return _SPACE.sub(" ", text).strip()


def snippet_counts(gold: dict[str, Any], text: str | None) -> tuple[int, int, int, int]:
    """(tp, fp, fn, tn) of the with/without snippets in ``text``: trafilatura's own scoring."""
    found = _norm(text or "")
    tp = sum(1 for w in gold["with"] if _norm(w) in found)
    fp = sum(1 for w in gold["without"] if _norm(w) in found)
    return tp, fp, len(gold["with"]) - tp, len(gold["without"]) - fp


def _fold(text: str) -> str:
    """Without diacritics ("Gàbor Muniér" -> "Gabor Munier"): gold and extractors spell names with and without."""
    return "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch))


def name_keys(names: list[str] | str | None) -> frozenset[str]:
    """Comparable form of a list of author names (a gold string may join several).

    The same for the gold and for every extractor: split on the joiners ("A; B", "A, B", "A and B",
    "dpa/AFP"), then letters and digits only, case- and diacritic-folded.
    """
    if not names:
        return frozenset()
    joined = names if isinstance(names, str) else "; ".join(names)
    return frozenset(key for part in _NAME_SPLIT.split(joined) if (key := alnum_key(_fold(part))))


def author_outcome(gold: list[str] | str | None, got: list[str]) -> str:
    """right / missing / wrong on a page whose gold names someone; none / invented on one whose gold is empty."""
    want, keys = name_keys(gold), name_keys(got)
    if want:
        return "right" if keys == want else ("missing" if not keys else "wrong")
    return "invented" if keys else "none"


def _day(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date().isoformat()
    text = str(value).strip()
    return text[:10] if re.match(r"\d{4}-\d\d-\d\d", text) else None


@dataclass
class Tally:
    """Counts of one measure for one extractor."""

    counts: dict[str, int] = field(default_factory=dict)

    def add(self, **values: int) -> None:
        for key, value in values.items():
            self.counts[key] = self.counts.get(key, 0) + value

    def __getitem__(self, key: str) -> int:
        return self.counts.get(key, 0)

    def body(self) -> dict[str, float]:
        tp, fp, fn = self["tp"], self["fp"], self["fn"]
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        return {"precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4)}


# -- the runners ----------------------------------------------------------------------------------


def _ours(page: Page) -> dict[str, Any]:
    try:
        ex = extract_article(page.html, page.url)
    except ExtractionError:
        return {"text": "", "authors": [], "title": None, "date": None, "date_source": None}
    return {
        "text": ex.text,
        "authors": ex.authors,
        "title": ex.title,
        "date": _day(ex.published),
        "date_source": ex.details.get("published_source"),
    }


def _trafilatura_text(page: Page, **options: Any) -> str:
    try:
        return trafilatura.extract(page.html, url=page.url, **options) or ""
    except Exception:  # a crash of the peer counts as an empty result
        return ""


def _trafilatura_meta(page: Page) -> dict[str, Any]:
    try:
        doc = trafilatura.bare_extraction(page.html, url=page.url, with_metadata=True)
    except Exception:
        doc = None
    author = getattr(doc, "author", None)
    return {
        "authors": [a for a in (author or "").split("; ") if a],
        "title": getattr(doc, "title", None),
        "date": _day(getattr(doc, "date", None)),
    }


def _htmldate(page: Page) -> str | None:
    try:
        return _day(find_date(page.html, url=page.url))
    except Exception:
        return None


def _timed(function: Callable[[], Any]) -> tuple[Any, float]:
    start = time.process_time()
    result = function()
    return result, time.process_time() - start


def _measure(page: Page, index: int) -> dict[str, Any]:
    """Every runner on one page; ours and trafilatura.extract timed, alternating which goes first."""
    record: dict[str, Any] = {"id": page.id, "set": page.set}
    runs: list[tuple[str, Callable[[], Any]]] = [
        ("ours", lambda: _ours(page)),
        ("trafilatura", lambda: _trafilatura_text(page, include_comments=False)),
    ]
    for name, function in runs if index % 2 == 0 else runs[::-1]:
        record[name], record[f"{name}_cpu"] = _timed(function)
    if page.set == "trafilatura":
        record["trafilatura_default"] = _trafilatura_text(page)
    record["trafilatura_meta"] = _trafilatura_meta(page)
    record["htmldate"] = _htmldate(page)
    return record


# -- the table ------------------------------------------------------------------------------------


def _score(records: list[dict[str, Any]], pages: dict[str, Page]) -> dict[str, Any]:
    body = {name: Tally() for name in ("ours", "trafilatura", "trafilatura_default")}
    authors = {name: Tally() for name in ("ours", "trafilatura")}
    titles = {name: Tally() for name in ("ours", "trafilatura")}
    dates = {(s, name): Tally() for s in ("trafilatura", "htmldate") for name in ("ours", "htmldate", "trafilatura")}
    cpu = Tally()
    failures: dict[str, list[str]] = {}
    for record in records:
        page = pages[record["id"]]
        gold, ours, meta = page.gold, record["ours"], record["trafilatura_meta"]
        cpu.add(pages=1, ours_us=round(record["ours_cpu"] * 1e6), trafilatura_us=round(record["trafilatura_cpu"] * 1e6))
        if page.set == "trafilatura":
            for name, text in (("ours", ours["text"]), ("trafilatura", record["trafilatura"]),
                               ("trafilatura_default", record["trafilatura_default"])):
                tp, fp, fn, tn = snippet_counts(gold, text)
                body[name].add(tp=tp, fp=fp, fn=fn, tn=tn)
                if name == "ours" and (fp or fn):
                    failures.setdefault("body_fp" if fp else "body_fn", []).append(page.id)
            if "author" in gold:
                for name, got in (("ours", ours["authors"]), ("trafilatura", meta["authors"])):
                    outcome = author_outcome(gold["author"], got)
                    if outcome in ("none", "invented"):
                        authors[name].add(no_author_pages=1, invented=int(outcome == "invented"))
                    else:
                        authors[name].add(pages=1, **{outcome: 1})
                    if name == "ours" and outcome not in ("right", "none"):
                        failures.setdefault(f"author_{outcome}", []).append(page.id)
            if gold.get("title"):
                for name, got in (("ours", ours["title"]), ("trafilatura", meta["title"])):
                    right = _norm(got or "").casefold() == _norm(gold["title"]).casefold()
                    titles[name].add(pages=1, right=int(right))
                    if name == "ours" and not right:
                        failures.setdefault("title", []).append(page.id)
        want_day = _day(gold.get("date"))
        if want_day:
            for name, got in (("ours", ours["date"]), ("htmldate", record["htmldate"]), ("trafilatura", meta["date"])):
                dates[(page.set, name)].add(
                    pages=1, right=int(got == want_day), missing=int(got is None), wrong=int(got not in (None, want_day))
                )
                if name == "ours" and got != want_day:
                    failures.setdefault(f"date_{'missing' if got is None else 'wrong'}", []).append(page.id)
    ratio = cpu["ours_us"] / cpu["trafilatura_us"] if cpu["trafilatura_us"] else 0.0
    return {
        "body": {name: {**tally.counts, **tally.body()} for name, tally in body.items()},
        "authors": {name: tally.counts for name, tally in authors.items()},
        "titles": {name: tally.counts for name, tally in titles.items()},
        "dates": {f"{s}/{name}": tally.counts for (s, name), tally in dates.items()},
        "cpu": {
            "pages": cpu["pages"],
            "ours_ms_per_page": round(cpu["ours_us"] / 1000 / max(cpu["pages"], 1), 2),
            "trafilatura_ms_per_page": round(cpu["trafilatura_us"] / 1000 / max(cpu["pages"], 1), 2),
            "ratio": round(ratio, 3),
        },
        "failures": failures,
    }


def _rate(tally: dict[str, int], key: str = "right") -> str:
    return f"{tally.get(key, 0)}/{tally.get('pages', 0)} ({100 * tally.get(key, 0) / max(tally.get('pages', 0), 1):.1f}%)"


def table(scores: dict[str, Any]) -> str:
    """The measured table (markdown)."""
    rows = ["| measure | newsarchive | trafilatura | htmldate |", "| --- | --- | --- | --- |"]
    body = scores["body"]
    for key in ("f1", "precision", "recall"):
        rows.append(f"| body {key} (trafilatura set) | {body['ours'][key]:.4f} | {body['trafilatura'][key]:.4f} "
                    f"(defaults {body['trafilatura_default'][key]:.4f}) | |")
    a = scores["authors"]
    rows.append(f"| authors right, pages naming one | {_rate(a['ours'])} | {_rate(a['trafilatura'])} | |")
    rows.append(f"| authors missing / wrong | {a['ours'].get('missing', 0)} / {a['ours'].get('wrong', 0)} | "
                f"{a['trafilatura'].get('missing', 0)} / {a['trafilatura'].get('wrong', 0)} | |")
    rows.append(f"| authors invented, of {a['ours'].get('no_author_pages', 0)} pages naming none | "
                f"{a['ours'].get('invented', 0)} | {a['trafilatura'].get('invented', 0)} | |")
    t = scores["titles"]
    rows.append(f"| title right | {_rate(t['ours'])} | {_rate(t['trafilatura'])} | |")
    d = scores["dates"]
    for s in ("trafilatura", "htmldate"):
        cells = [f"{_rate(d[f'{s}/{n}'])}, {d[f'{s}/{n}'].get('missing', 0)} missing" for n in ("ours", "trafilatura", "htmldate")]
        rows.append(f"| publication day right ({s} set) | {' | '.join(cells)} |")
    c = scores["cpu"]
    rows.append(f"| CPU ms per page ({c['pages']} pages) | {c['ours_ms_per_page']} ({c['ratio']}×) | "
                f"{c['trafilatura_ms_per_page']} (extract) | |")
    return "\n".join(rows)


def measures(scores: dict[str, Any]) -> dict[str, float]:
    """The pinned measures of a run: rates, higher is better (``*_max`` measures: lower is better)."""
    body, authors, titles, dates = scores["body"]["ours"], scores["authors"]["ours"], scores["titles"]["ours"], scores["dates"]

    def rate(tally: dict[str, int], key: str) -> float:
        return round(tally.get(key, 0) / max(tally.get("pages", 0), 1), 4)

    return {
        "body_f1": body["f1"],
        "body_precision": body["precision"],
        "authors_right": rate(authors, "right"),
        "authors_invented_max": round(authors.get("invented", 0) / max(authors.get("no_author_pages", 0), 1), 4),
        "titles_right": rate(titles, "right"),
        "dates_right_trafilatura_set": rate(dates["trafilatura/ours"], "right"),
        "dates_right_htmldate_set": rate(dates["htmldate/ours"], "right"),
        "dates_missing_max": round(
            (dates["trafilatura/ours"].get("missing", 0) + dates["htmldate/ours"].get("missing", 0))
            / max(dates["trafilatura/ours"].get("pages", 0) + dates["htmldate/ours"].get("pages", 0), 1), 4
        ),
    }


#: Measurement noise a floor tolerates (one page of a thousand).
TOLERANCE = 0.001


def regressions(measured: dict[str, float], floors: dict[str, float]) -> list[str]:
    """The measures below their floor (above it, for ``*_max`` measures), beyond :data:`TOLERANCE`."""
    found = []
    for name, floor in floors.items():
        value = measured.get(name)
        worse = value is None or (value > floor + TOLERANCE if name.endswith("_max") else value < floor - TOLERANCE)
        if worse:
            found.append(f"{name}: {value} vs floor {floor}")
    return found


def pin(measured: dict[str, float], floors: dict[str, float]) -> dict[str, float]:
    """Floors raised to ``measured`` where it is better; never lowered."""
    raised = dict(floors)
    for name, value in measured.items():
        old = floors.get(name)
        raised[name] = value if old is None else (min(old, value) if name.endswith("_max") else max(old, value))
    return raised


def run(sets: Sets, *, limit: int | None = None, progress: bool = False) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Measure every page of ``sets`` (the first ``limit`` of each); returns (scores, per-page records)."""
    pages = [*sets.trafilatura[:limit], *sets.htmldate[:limit]]
    trafilatura.extract("<html><body><p>warm up</p></body></html>")
    records = []
    for index, page in enumerate(pages):
        records.append(_measure(page, index))
        if progress and index % 100 == 99:
            print(f"{index + 1}/{len(pages)}", file=sys.stderr)
    return _score(records, {p.id: p for p in pages}), records


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--trafilatura-repo", type=Path, default=os.environ.get("REALPAGES_TRAFILATURA"))
    parser.add_argument("--htmldate-repo", type=Path, default=os.environ.get("REALPAGES_HTMLDATE"))
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE)
    parser.add_argument("--limit", type=int, help="first N pages of each set")
    parser.add_argument("--no-save", action="store_true", help="do not write bench/results")
    parser.add_argument("--pin", action="store_true", help="raise the pinned floors to this run's measures")
    args = parser.parse_args(argv)
    repos = [r for r in (args.trafilatura_repo, args.htmldate_repo) if r]
    if not repos or not all(Path(r).exists() for r in repos):
        print(WHERE)
        return 2
    sets = Sets.load(args.trafilatura_repo, args.htmldate_repo, args.cache)
    scores, records = run(sets, limit=args.limit, progress=True)
    print(table(scores))
    args.cache.mkdir(parents=True, exist_ok=True)
    (args.cache / "last-run.json").write_text(json.dumps({"scores": scores, "records": records}, ensure_ascii=False))
    if not args.no_save and args.limit is None:
        RESULTS.mkdir(exist_ok=True)
        summary = {k: v for k, v in scores.items() if k != "failures"}
        summary["failures"] = {k: len(v) for k, v in scores["failures"].items()}
        out = RESULTS / f"realpages-{datetime.now(UTC).date().isoformat()}.json"
        out.write_text(json.dumps({"machine": machine(), "scores": summary, "table": table(scores)}, indent=1) + "\n")
        print(f"wrote {out.relative_to(REPO_ROOT)}")
    if args.limit is not None or not (args.trafilatura_repo and args.htmldate_repo):
        return 0
    measured = measures(scores)
    floors = json.loads(FLOORS.read_text()) if FLOORS.exists() else {}
    if args.pin:
        FLOORS.write_text(json.dumps(pin(measured, floors), indent=1, sort_keys=True) + "\n")
        print(f"pinned {FLOORS.relative_to(REPO_ROOT)}")
    failed = regressions(measured, floors)
    for line in failed:
        print(f"below its floor: {line}")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
