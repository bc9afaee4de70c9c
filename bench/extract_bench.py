"""extract: ``extract.extract_article`` beside ``trafilatura.extract`` on the same pages, in one run.

Pages: the extraction gold set (``tests/extract/gold``: hand-written real-world markup and demo
outlet pages, several with lying charsets) plus the article pages of a demo outlet of a few
hundred articles, fetched over HTTP from :class:`outlet_server.OutletServer` before any timing.

Speed: page by page, both extractors run on the same bytes, one right after the other (which one
goes first alternates), for several rounds; the CPU time of this process is summed per side, so a
burst of load from a neighbour hits both alike. trafilatura is called as issue 4 states its
baseline, ``trafilatura.extract(html, url=url, include_comments=False)``; ``extract_article`` as the
crawler calls it (outlet entry, HTTP charset, the outlet's known headlines). Target (issue 4): at
most 25% slower per page, i.e. ``ratio`` <= 1.25.

Quality (not timed): token precision/recall/F1 of the body and boilerplate leakage, with
:mod:`extract.evaluation`, for both extractors, on the gold set (split by origin: ``hand`` pages
are the "real pages" of issue 4's no-regression target) and on the outlet pages. ``extract_article``
is run as in the quality gate: a first pass per outlet learns template lines, the second uses them.

``python -m bench.extract_bench [--quick]`` prints the results as JSON; :func:`run` returns them.
"""

from __future__ import annotations

import argparse
import gc
import json
import time
import urllib.request
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import trafilatura

from bench.common import REPO_ROOT, machine
from core.registry import Outlet
from extract import Extraction, TemplateLearner, extract_article
from extract.evaluation import Totals, leaked, score_text

__all__ = ["Page", "gold_pages", "outlet_pages", "run"]

GOLD = REPO_ROOT / "tests" / "extract" / "gold"
RATIO_TARGET = 1.25
#: (articles served by the demo outlet, timing rounds) for a full and a quick run.
FULL = (300, 2)
QUICK = (60, 1)


@dataclass(frozen=True)
class Page:
    """One page as fetched, with how to call ``extract_article`` on it and its gold."""

    id: str
    origin: str  # "hand", "outlet_server" (gold set) or "outlet" (served for this run)
    url: str
    body: bytes
    encoding: str | None
    outlet: Outlet | None
    known_headlines: frozenset[str]
    gold_text: str
    boilerplate: tuple[str, ...]

    @property
    def group(self) -> str:
        """Pages learning template lines together (one outlet)."""
        return self.outlet.id if self.outlet else self.id

    def extract(self, template_lines: Iterable[str] = ()) -> Extraction:
        return extract_article(
            self.body, self.url, outlet=self.outlet, known_headlines=self.known_headlines,
            template_lines=frozenset(template_lines), encoding=self.encoding,
        )

    def trafilatura(self) -> str:
        return trafilatura.extract(self.body, url=self.url, include_comments=False) or ""


def gold_pages(directory: Path = GOLD) -> list[Page]:
    """The extraction gold set, as the quality gate reads it."""
    pages = []
    for path in sorted(directory.glob("*.json")):
        gold = json.loads(path.read_text(encoding="utf-8"))
        pages.append(Page(
            id=path.stem,
            origin=gold["origin"],
            url=gold["url"],
            body=(directory / gold["html"]).read_bytes(),
            encoding=gold.get("encoding"),
            outlet=Outlet.model_validate(gold["outlet"]) if gold.get("outlet") else None,
            known_headlines=frozenset(gold.get("known_headlines", ())),
            gold_text="\n\n".join(gold["paragraphs"]),
            boilerplate=tuple(gold["boilerplate"]),
        ))
    return pages


def _charset(content_type: str) -> str | None:
    for part in content_type.split(";")[1:]:
        key, _, value = part.strip().partition("=")
        if key.strip().lower() == "charset" and value.strip():
            return value.strip().strip("\"'")
    return None


def outlet_pages(n_articles: int, seed: int = 7) -> list[Page]:
    """The article pages of a demo outlet of ``n_articles``, fetched over HTTP as a crawler gets them."""
    from outlet_server import OutletServer, build_corpus

    corpus = build_corpus(seed=seed, n_articles=n_articles)
    headlines = frozenset(a.title for a in corpus.articles)
    pages = []
    with OutletServer(corpus, host="127.0.0.1", port=0) as server:
        outlet = Outlet.model_validate(server.outlet_yaml(id="bench"))
        for article in corpus.articles:
            url = server.url(article)
            with urllib.request.urlopen(url, timeout=30) as response:
                body = response.read()
                encoding = _charset(response.headers.get("Content-Type", ""))
            pages.append(Page(
                id=f"outlet-{article.post_id}", origin="outlet", url=url, body=body, encoding=encoding,
                outlet=outlet, known_headlines=headlines, gold_text=article.gold_text,
                boilerplate=tuple(b for b in (article.teaser_headline, article.teaser_label) if b),
            ))
    return pages


# -- speed -----------------------------------------------------------------------------------------


def _timed(call: Callable[[], object]) -> tuple[float, float]:
    cpu, wall = time.process_time(), time.perf_counter()
    call()
    return time.process_time() - cpu, time.perf_counter() - wall


def measure_speed(pages: list[Page], rounds: int) -> dict[str, Any]:
    """Both extractors on every page, interleaved page by page; CPU and wall seconds per side."""
    sides: dict[str, Callable[[Page], object]] = {"extract": Page.extract, "trafilatura": Page.trafilatura}
    for page in pages[:10]:  # warm-up: imports, compiled rules and caches on both sides
        for call in sides.values():
            call(page)
    cpu = dict.fromkeys(sides, 0.0)
    wall = dict.fromkeys(sides, 0.0)
    for round_no in range(rounds):
        gc.collect()
        for index, page in enumerate(pages):
            order = list(sides) if (index + round_no) % 2 == 0 else list(reversed(sides))
            for name in order:
                spent_cpu, spent_wall = _timed(lambda call=sides[name], page=page: call(page))  # type: ignore[misc]
                cpu[name] += spent_cpu
                wall[name] += spent_wall
    calls = len(pages) * rounds
    return {
        "pages": len(pages),
        "rounds": rounds,
        "extract_pages_per_s": round(calls / cpu["extract"], 1),
        "trafilatura_pages_per_s": round(calls / cpu["trafilatura"], 1),
        "extract_ms_per_page": round(1000 * cpu["extract"] / calls, 2),
        "trafilatura_ms_per_page": round(1000 * cpu["trafilatura"] / calls, 2),
        "ratio": round(cpu["extract"] / cpu["trafilatura"], 3),
        "ratio_wall": round(wall["extract"] / wall["trafilatura"], 3),
    }


# -- quality ---------------------------------------------------------------------------------------


def _learned_templates(pages: list[Page]) -> dict[str, frozenset[str]]:
    """Template lines per outlet, learned from a first pass (as the quality gate does)."""
    learners: dict[str, TemplateLearner] = {}
    for page in pages:
        if page.outlet is not None:
            learners.setdefault(page.group, TemplateLearner(min_pages=5, min_share=0.5)).observe(page.extract())
    return {group: frozenset(learner.template_lines()) for group, learner in learners.items()}


def _summary(totals: Totals, leaks: dict[str, list[str]]) -> dict[str, Any]:
    score = totals.score
    return {
        "pages": totals.pages,
        "precision": round(score.precision, 4),
        "recall": round(score.recall, 4),
        "f1": round(score.f1, 4),
        "leaks": sum(len(found) for found in leaks.values()),
        "leaking_pages": sorted(leaks),
    }


def measure_quality(pages: list[Page]) -> dict[str, dict[str, Any]]:
    """Body F1 and leakage of both extractors over ``pages``."""
    templates = _learned_templates(pages)
    texts = {
        "extract": [p.extract(templates.get(p.group, ())).text for p in pages],
        "trafilatura": [p.trafilatura() for p in pages],
    }
    result = {}
    for name, extracted in texts.items():
        totals, leaks = Totals(), {}
        for page, text in zip(pages, extracted, strict=True):
            totals.add(page.id, score_text(text, page.gold_text))
            if found := leaked(text, page.boilerplate):
                leaks[page.id] = found
        result[name] = _summary(totals, leaks)
    return result


# -- the run ---------------------------------------------------------------------------------------


def run(quick: bool = False) -> dict[str, Any]:
    """Measure speed and quality; returns the figures as a JSON-ready dict."""
    started = time.perf_counter()
    n_articles, rounds = QUICK if quick else FULL
    gold = gold_pages()
    served = outlet_pages(n_articles)
    speed = measure_speed(gold + served, rounds)
    quality = {
        "gold": measure_quality(gold),
        "gold_hand": measure_quality([p for p in gold if p.origin == "hand"]),
        "outlet": measure_quality(served),
    }
    return {
        "area": "extract",
        "command": "uv run python -m bench.extract_bench" + (" --quick" if quick else ""),
        "machine": machine(),
        "speed": {**speed, "target_ratio": RATIO_TARGET, "met": speed["ratio"] <= RATIO_TARGET},
        "quality": quality,
        "gold_f1_not_below_trafilatura": quality["gold_hand"]["extract"]["f1"]
        >= quality["gold_hand"]["trafilatura"]["f1"],
        "seconds": round(time.perf_counter() - started, 1),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help=f"{QUICK[0]} outlet articles, {QUICK[1]} round")
    args = parser.parse_args(argv)
    print(json.dumps(run(quick=args.quick), ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
