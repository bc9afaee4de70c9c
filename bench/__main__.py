"""``python -m bench [AREA ...] [--quick]`` — what ``make bench`` runs.

Runs the benchmark areas (all by default: crawl, extract, archive, incremental, polite, memory, peers, search, deploy, ccnews), prints
every figure with its target, its baseline and the command that reproduces it, then saves the
run to ``bench/results/<date>.json`` (merged with the same day's earlier areas) and rewrites the
table of ``bench/README.md``. Benchmarks are scripts, not tests: a missed target is reported, not
raised.
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
import time
import traceback
from dataclasses import fields
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.common import Figure, machine

AREAS: dict[str, str] = {
    "crawl": "bench.crawl_bench",
    "extract": "bench.extract_bench",
    "archive": "bench.archive_bench",
    "incremental": "bench.incremental_bench",
    "polite": "bench.polite_bench",
    "memory": "bench.memory_bench",
    "peers": "bench.peers_bench",
    "search": "bench.search_bench",
    "deploy": "bench.deploy_bench",
    "ccnews": "bench.ccnews_bench",
}
BENCH_DIR = Path(__file__).resolve().parent
RESULTS_DIR = BENCH_DIR / "results"
README = BENCH_DIR / "README.md"
TABLE_START, TABLE_END = "<!-- bench:table -->", "<!-- /bench:table -->"


def _as_figure(area: str, item: Any, command: str) -> Figure:
    if isinstance(item, Figure):
        return item
    known = {f.name for f in fields(Figure)}
    data = {k: v for k, v in dict(item).items() if k in known}
    data.setdefault("area", area)
    data.setdefault("command", command)
    return Figure(**data)


def extract_figures(result: dict[str, Any], command: str) -> list[Figure]:
    """Figures of :mod:`bench.extract_bench`, whose ``run`` returns speed and quality sections."""
    speed, quality = result["speed"], result["quality"]
    figures = [Figure(
        "extract", "extract_article CPU ÷ trafilatura.extract CPU per page", speed["ratio"], "×",
        f"≤ {speed['target_ratio']}", speed["met"],
        f"trafilatura {speed['trafilatura_ms_per_page']} ms/page, extract {speed['extract_ms_per_page']} ms/page",
        command, f"{speed['pages']} pages × {speed['rounds']} round(s), interleaved page by page",
    ), Figure("extract", "extract_article pages/s", speed["extract_pages_per_s"], "pages/s",
              baseline=f"trafilatura {speed['trafilatura_pages_per_s']} pages/s", command=command)]
    for group, label in (("gold", "gold set"), ("gold_hand", "hand-written real pages"), ("outlet", "outlet pages")):
        ours, theirs = quality[group]["extract"], quality[group]["trafilatura"]
        no_regression = group == "gold_hand"
        figures.append(Figure(
            "extract", f"body F1, {label} ({ours['pages']} pages)", ours["f1"], "",
            "≥ trafilatura's" if no_regression else None, ours["f1"] >= theirs["f1"] if no_regression else None,
            f"trafilatura {theirs['f1']}", command))
        figures.append(Figure(
            "extract", f"boilerplate leaks, {label}", ours["leaks"], "strings", "0", ours["leaks"] == 0,
            f"trafilatura {theirs['leaks']}", command))
    return figures


def normalise(area: str, result: dict[str, Any]) -> dict[str, Any]:
    """An area's result with its figures as :class:`Figure` (areas written by others may return plain dicts)."""
    command = result.get("command") or f"uv run python -m bench {area}"
    if area == "extract" and "speed" in result and "figures" not in result:
        command = f"uv run python -m bench extract{' --quick' if result.get('quick') else ''}"
        figures = extract_figures(result, command)
    elif "figures" in result:
        figures = [_as_figure(area, item, command) for item in result["figures"]]
    else:  # a flat dict of numbers: every number is a figure without a target
        figures = [Figure(area, key, value, command=command) for key, value in result.items()
                   if isinstance(value, int | float) and not isinstance(value, bool)]
    return {**result, "area": area, "command": command, "figures": figures}


def run_area(area: str, quick: bool) -> dict[str, Any]:
    try:
        module = importlib.import_module(AREAS[area])
    except ModuleNotFoundError as exc:
        if exc.name != AREAS[area]:
            raise
        return {"area": area, "status": "missing", "figures": [], "error": f"{AREAS[area]} is not present"}
    started = time.perf_counter()
    try:
        result = normalise(area, module.run(quick=quick))
    except Exception as exc:  # a failing area is reported; the others still run
        traceback.print_exc()
        return {"area": area, "status": "failed", "figures": [], "error": f"{type(exc).__name__}: {exc}"}
    result["status"] = "ok"
    result["seconds"] = round(time.perf_counter() - started, 1)
    return result


def print_area(result: dict[str, Any], facts: dict[str, Any]) -> None:
    print(f"\n== {result['area']} ({result.get('status')}, {result.get('seconds', 0)} s) "
          f"on {facts['nproc']} × {facts['cpu']}, {facts['memory_gb']} GB, Python {facts['python']}")
    if result.get("error"):
        print(f"  {result['error']}")
    for figure in result["figures"]:
        print(figure.line())
        if figure.note:
            print(f"      note: {figure.note}")


def _jsonable(result: dict[str, Any]) -> dict[str, Any]:
    return {**result, "figures": [f.to_dict() if isinstance(f, Figure) else f for f in result["figures"]]}


def save(results: list[dict[str, Any]], facts: dict[str, Any], quick: bool) -> Path:
    """Write ``bench/results/<date>.json``; areas run earlier the same day and not rerun are kept."""
    RESULTS_DIR.mkdir(exist_ok=True)
    path = RESULTS_DIR / f"{datetime.now(UTC).date().isoformat()}{'-quick' if quick else ''}.json"
    previous = json.loads(path.read_text()) if path.exists() else {"areas": {}}
    areas = previous.get("areas", {})
    for result in results:
        areas[result["area"]] = {**_jsonable(result), "machine": facts}
    document = {"machine": facts, "quick": quick, "areas": areas}
    path.write_text(json.dumps(document, indent=1, ensure_ascii=False, default=str) + "\n")
    return path


def table(document: dict[str, Any], source: Path) -> str:
    """The README's table; the areas of one results file may come from several runs of the day, so each
    area's run (time, commit, load at its start) is named, not only the last run's."""
    facts = document["machine"]
    runs = [f"{area} {(m := document['areas'][area].get('machine', facts))['date'][:16].replace('T', ' ')} UTC, "
            f"`{m['git_commit']}`, load {m['load_avg_1m_at_start']}" for area in AREAS if area in document["areas"]]
    lines = [
        TABLE_START,
        f"On {facts['nproc']} × {facts['cpu']}, {facts['memory_gb']} GB RAM, Python {facts['python']} — from "
        f"[`{source.relative_to(BENCH_DIR)}`]({source.relative_to(BENCH_DIR)}). Each area's run (start, commit, "
        f"load average at start): {'; '.join(runs)}.",
        "",
        "| Area | Figure | Value | Target | Verdict | Beside (baseline, same run) | Reproduce |",
        "|---|---|---|---|---|---|---|",
    ]
    for area in AREAS:
        result = document["areas"].get(area)
        if result is None:
            continue
        if not result["figures"]:
            lines.append(f"| {area} | — | {result.get('status')}: {result.get('error', '')} | | | | |")
        for data in result["figures"]:
            figure = _as_figure(area, data, result.get("command", ""))
            cells = [area, figure.name, figure.formatted(), figure.target or "", figure.verdict(),
                     figure.baseline or "", f"`{figure.command}`"]
            lines.append("| " + " | ".join(str(c).replace("|", "\\|") for c in cells) + " |")
    lines.append(TABLE_END)
    return "\n".join(lines)


def update_readme(results_path: Path) -> None:
    document = json.loads(results_path.read_text())
    text = README.read_text() if README.exists() else f"# Benchmarks\n\n{TABLE_START}\n{TABLE_END}\n"
    if TABLE_START not in text:
        text += f"\n{TABLE_START}\n{TABLE_END}\n"
    head, rest = text.split(TABLE_START, 1)
    _, tail = rest.split(TABLE_END, 1)
    README.write_text(head + table(document, results_path) + tail)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("areas", nargs="*", metavar="AREA",
                        help=f"areas to run (default: all): {', '.join(AREAS)}")
    parser.add_argument("--quick", action="store_true", help="smaller inputs, one round (a smoke run)")
    parser.add_argument("--no-save", action="store_true", help="print only; write no results and leave README alone")
    args = parser.parse_args(argv)
    unknown = [area for area in args.areas if area not in AREAS]
    if unknown:
        parser.error(f"unknown area(s) {', '.join(unknown)}; choose from {', '.join(AREAS)}")
    facts = machine()
    print(f"machine: {json.dumps(facts)}", flush=True)
    results = []
    started = time.perf_counter()
    for area in args.areas or list(AREAS):
        result = run_area(area, args.quick)
        print_area(result, facts)
        results.append(result)
    per_area = ", ".join(f"{r['area']} {r.get('seconds', 0):.0f} s" for r in results)
    print(f"\nall areas: {time.perf_counter() - started:.0f} s of wall time ({per_area})", flush=True)
    if not args.no_save:
        path = save(results, facts, args.quick)
        if not args.quick:
            update_readme(path)
        print(f"\nsaved {path.relative_to(BENCH_DIR.parent)}" + ("" if args.quick else " and the table of bench/README.md"))
    return 0 if all(r.get("status") == "ok" for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
