"""peers: the same outlet crawled by newsarchive, by trafilatura's own sitemap crawler and by news-please.

Each crawler is a measured child pointed at the demo outlet (its own process). Reported per crawler:
pages/s (responses the server logged ÷ wall seconds), articles delivered out of the outlet's articles,
and body F1 against the outlet's gold text (token-level, micro-averaged over the articles delivered,
:mod:`extract.evaluation`).

trafilatura and news-please refuse loopback hosts, so for them the outlet is served under the name
``levant-dispatch.test`` mapped to 127.0.0.1 by :mod:`bench.hosts_shim`. news-please pins old
dependencies and is not in the project's lock: it runs from a virtualenv of its own, ``$NEWSPLEASE_PYTHON``
when set, else ``~/.cache/newsarchive/bench/newsplease-<hash>/``, which this module makes with uv from
``bench/newsplease-requirements.txt`` (news-please 1.6.16 and everything under it, pinned as measured;
readability-lxml 0.8.1 because 0.8.4 fails on the bytes news-please passes it) the first time — about a
minute with an empty uv cache, seconds with a warm one — so ``make bench`` needs no step by hand. If it
cannot be made (no registry), news-please is reported as not installed. news-please's crawl runs in a
grandchild: its CPU is counted (reaped by the launcher), its peak RSS is not (the launcher's is polled).
``python -m bench peers [--quick]``.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterable, Iterator
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from bench.common import (
    PYTHON,
    REPO_ROOT,
    Figure,
    Usage,
    bench_settings,
    run_child,
    scratch_dir,
)
from bench.outlet import OutletProcess

__all__ = ["run"]

AREA = "peers"
ARTICLES, QUICK_ARTICLES = 300, 100
PUBLIC_HOST = "levant-dispatch.test"
NEWSPLEASE_TIMEOUT_S = 300
NEWSPLEASE_REQUIREMENTS = Path(__file__).with_name("newsplease-requirements.txt")
NEWSPLEASE_INSTALL_TIMEOUT_S = 600


def _uv() -> list[str]:
    """The uv that runs this bench (``uv run`` sets ``$UV``), else one on PATH, else ``python3 -m uv``."""
    found = os.environ.get("UV") or shutil.which("uv")
    return [found] if found else ["python3", "-m", "uv"]


def newsplease_python() -> tuple[Path | None, str]:
    """news-please's interpreter and how it was had; (None, why) when there is none.

    ``$NEWSPLEASE_PYTHON`` is used as it is; otherwise a virtualenv under the bench cache, keyed by the
    requirements file, is made on first use (its ``READY`` file is written last, so a broken install
    is redone).
    """
    from bench.stored_archive import CACHE_DIR

    if given := os.environ.get("NEWSPLEASE_PYTHON"):
        return (Path(given), "$NEWSPLEASE_PYTHON") if Path(given).exists() else (None, f"{given} missing")
    pins = NEWSPLEASE_REQUIREMENTS.read_bytes()
    venv = CACHE_DIR / f"newsplease-{hashlib.sha256(pins).hexdigest()[:12]}"
    python = venv / "bin" / "python"
    if (venv / "READY").exists():
        return python, f"cached in {venv}"
    print(f"[peers] installing news-please into {venv} ...", flush=True)
    for stale in CACHE_DIR.glob("newsplease-*"):  # this one half-made, or older pins
        shutil.rmtree(stale, ignore_errors=True)
    started = time.perf_counter()
    steps = [[*_uv(), "venv", "--quiet", "--python", sys.executable, str(venv)],
             [*_uv(), "pip", "install", "--quiet", "--python", str(python), "-r", str(NEWSPLEASE_REQUIREMENTS)]]
    for step in steps:
        try:
            subprocess.run(step, check=True, capture_output=True, text=True, timeout=NEWSPLEASE_INSTALL_TIMEOUT_S)
        except (OSError, subprocess.SubprocessError) as exc:
            detail = getattr(exc, "stderr", None) or str(exc)
            return None, f"could not install it ({' '.join(step[-4:])}: {detail.strip()[-300:]})"
    seconds = time.perf_counter() - started
    (venv / "READY").write_text(json.dumps({"install_seconds": round(seconds, 1)}))
    return python, f"installed into {venv} in {seconds:.0f} s"


def _shim_env() -> dict[str, str]:
    return {"NEWSARCHIVE_BENCH_HOSTS": f"{PUBLIC_HOST}=127.0.0.1",
            "PYTHONPATH": str(REPO_ROOT / "bench" / "hosts_shim")}


def _gold(n: int) -> dict[str, str]:
    from outlet_server import build_corpus

    return {a.path: a.gold_text for a in build_corpus(seed=7, n_articles=n).articles}


def quality(texts: Iterable[tuple[str, str]], gold: dict[str, str]) -> dict[str, Any]:
    """Articles delivered and micro-averaged body F1 of ``(url, text)`` against the gold by URL path."""
    from extract.evaluation import score_text

    tp = extracted = wanted = 0
    delivered: set[str] = set()
    non_articles = 0
    for url, text in texts:
        path = urlsplit(url).path
        if path not in gold:
            non_articles += 1
            continue
        if path in delivered:
            continue
        delivered.add(path)
        score = score_text(text, gold[path])
        tp, extracted, wanted = tp + score.true_positives, extracted + score.extracted, wanted + score.gold
    precision = tp / extracted if extracted else 0.0
    recall = tp / wanted if wanted else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"articles_delivered": len(delivered), "articles_total": len(gold), "non_articles_delivered": non_articles,
            "precision": precision, "recall": recall, "f1": f1}


def _jsonl(path: Path, url_key: str = "url", text_key: str = "text") -> Iterator[tuple[str, str]]:
    with path.open(encoding="utf-8") as stream:
        for line in stream:
            item = json.loads(line)
            yield item[url_key], item.get(text_key) or ""


# -- the crawlers --------------------------------------------------------------------------------


def newsarchive_crawl(root: Path, n: int) -> tuple[Usage, int, list[tuple[str, str]]]:
    from archive import Archive
    from core.registry import Outlet
    from newsarchive.jobs import CHILD_COMMAND, JobRequest

    with OutletProcess(n) as outlet:
        request = JobRequest.build(
            "crawl", [Outlet.model_validate(outlet.outlet)], str(root / "archive"),
            since=date.fromisoformat(outlet.start), until=date.fromisoformat(outlet.end),
            settings=bench_settings(root), throttle=False,
        )
        result = run_child([PYTHON, *CHILD_COMMAND], input_text=request.to_json()).check("newsarchive crawl")
        responses = len(outlet.requests())
    records = [(r.url, r.text) for r in Archive.open(str(root / "archive"), bench_settings(root)).iter_records()]
    return result.usage, responses, records


def trafilatura_crawl(root: Path, n: int) -> tuple[Usage, int, list[tuple[str, str]]]:
    out = root / "trafilatura.jsonl"
    with OutletProcess(n, public_host=PUBLIC_HOST) as outlet:
        result = run_child([PYTHON, "-m", "bench.peer_trafilatura", outlet.base_url, str(out)], env=_shim_env())
        result.check("trafilatura crawl")
        responses = len(outlet.requests())
    return result.usage, responses, list(_jsonl(out))


def _newsplease_config(python: Path, root: Path, base_url: str) -> Path:
    """A news-please config directory: its shipped config.cfg with output under ``root``, JSON storage only,
    16 requests per domain (as the unthrottled newsarchive crawl)."""
    import configparser

    shipped = run_child([str(python), "-c", "import newsplease, os; print(os.path.dirname(newsplease.__file__))"])
    source = Path(shipped.check("news-please").stdout.strip()) / "config" / "config.cfg"
    config = configparser.RawConfigParser()
    config.optionxform = str  # type: ignore[assignment,method-assign]
    config.read(source)
    config["Files"]["working_path"] = str(root / "np-repo")
    config["Files"]["local_data_directory"] = "%working_path/data/%appendmd5_url_directory_string(60)_%appendmd5_max_url_file_name_%timestamp_download.html"
    config["Scrapy"]["ITEM_PIPELINES"] = (
        "{'newsplease.pipeline.pipelines.ArticleMasterExtractor':100,"
        " 'newsplease.pipeline.pipelines.JsonFileStorage':300}"
    )
    config["Scrapy"]["LOG_LEVEL"] = "ERROR"
    config["Scrapy"]["CONCURRENT_REQUESTS_PER_DOMAIN"] = "16"
    # news-please puts the port into allowed_domains, which Scrapy's offsite filter never matches: off
    # (the outlet links nowhere else, so nothing more is fetched for it).
    config["Scrapy"]["DOWNLOADER_MIDDLEWARES"] = "{'scrapy.downloadermiddlewares.offsite.OffsiteMiddleware': None}"
    config_dir = root / "np-config"
    config_dir.mkdir(parents=True)
    with (config_dir / "config.cfg").open("w") as stream:
        config.write(stream)
    (config_dir / "sitelist.hjson").write_text(json.dumps({"base_urls": [{"url": base_url, "crawler": "SitemapCrawler"}]}))
    return config_dir


def _newsplease_outputs(root: Path) -> Iterator[tuple[str, str]]:
    for path in (root / "np-repo").rglob("*.json"):
        try:
            item = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if isinstance(item, dict) and item.get("url"):
            yield item["url"], item.get("maintext") or ""


def newsplease_crawl(root: Path, n: int) -> tuple[Usage, int, list[tuple[str, str]]] | str:
    python, how = newsplease_python()
    if python is None:
        return f"not installed: {how}"
    print(f"[peers] news-please: {how}", flush=True)
    with OutletProcess(n, public_host=PUBLIC_HOST) as outlet:
        config_dir = _newsplease_config(python, root, outlet.base_url)
        result = run_child([str(python), "-m", "newsplease", "-c", str(config_dir), "-no-confirm"],
                           env=_shim_env(), timeout_s=NEWSPLEASE_TIMEOUT_S)
        responses = len(outlet.requests())
    return result.usage, responses, list(_newsplease_outputs(root))


# -- the area ------------------------------------------------------------------------------------


def run(quick: bool = False) -> dict[str, Any]:
    n = QUICK_ARTICLES if quick else ARTICLES
    command = "uv run python -m bench peers" + (" --quick" if quick else "")
    gold = _gold(n)
    crawlers = {"newsarchive": newsarchive_crawl, "trafilatura sitemap crawler": trafilatura_crawl,
                "news-please": newsplease_crawl}
    results: dict[str, Any] = {}
    with scratch_dir("peers") as root:
        for name, crawl in crawlers.items():
            print(f"[peers] {name} over a {n}-article outlet ...", flush=True)
            workdir = root / name.split()[0]
            workdir.mkdir()
            measured = crawl(workdir, n)
            if isinstance(measured, str):
                results[name] = {"status": measured}
                continue
            usage, responses, texts = measured
            results[name] = {"status": "ok", "usage": usage.to_dict(), "responses": responses,
                             "pages_per_s": responses / usage.wall_s, **quality(texts, gold)}
    ours = results["newsarchive"]
    figures = []
    for name, r in results.items():
        if r["status"] != "ok":
            figures.append(Figure(AREA, f"{name}: body F1", None, note=r["status"], command=command))
            continue
        beside = None if name == "newsarchive" else f"newsarchive {ours['f1']:.3f}"
        figures += [
            Figure(AREA, f"{name}: body F1 vs gold, {n}-article outlet", round(r["f1"], 3), "", baseline=beside,
                   command=command, note=f"P {r['precision']:.3f} R {r['recall']:.3f}; "
                                         f"{r['articles_delivered']}/{r['articles_total']} articles delivered, "
                                         f"{r['non_articles_delivered']} non-article pages delivered"),
            Figure(AREA, f"{name}: pages/s", round(r["pages_per_s"], 1), "pages/s",
                   baseline=None if name == "newsarchive" else f"newsarchive {ours['pages_per_s']:.1f} pages/s",
                   command=command, note=f"{r['responses']} responses in {r['usage']['wall_s']:.1f} s, "
                                         f"{r['usage']['cpu_s']:.1f} s CPU, peak RSS {r['usage']['max_rss_mb']:.0f} MB"),
            Figure(AREA, f"{name}: articles delivered", r["articles_delivered"], f"of {r['articles_total']}",
                   command=command),
        ]
    return {"area": AREA, "command": command, "figures": figures, "details": {"articles": n, "crawlers": results}}
