"""Regenerate the outlet_server part of the extraction gold set (``gold/os-*.html|json``).

The demo outlet is served on 127.0.0.1, articles are fetched over HTTP exactly as the crawler
would get them (with the ``wrong_charset`` fault on, so some Arabic and Russian pages arrive in
windows-1256 / cp1251, declared UTF-8 or not declared), and each page is written with its gold
(:meth:`outlet_server.ArticleSpec.gold`). Run from the repository root::

    uv run python -m tests.extract.make_outlet_gold

The hand-written pages in ``gold/`` do not come from here; they keep the gate from testing only
against our own generator.
"""

from __future__ import annotations

import json
import urllib.request
from pathlib import Path

from outlet_server import ArticleSpec, Faults, OutletServer, build_corpus

GOLD = Path(__file__).parent / "gold"
SEED, N_ARTICLES = 7, 60
#: Pages per (theme, language) at most, so the set stays varied and small.
PER_KIND = 4


def _charset(content_type: str) -> str | None:
    for part in content_type.split(";")[1:]:
        key, _, value = part.strip().partition("=")
        if key.lower() == "charset":
            return value.strip() or None
    return None


def main() -> None:
    corpus = build_corpus(seed=SEED, n_articles=N_ARTICLES)
    headlines = [a.title for a in corpus.articles]
    for old in GOLD.glob("os-*"):
        old.unlink()
    chosen: list[ArticleSpec] = []
    per_kind: dict[tuple[str, str, bool], int] = {}
    for article in corpus.articles:
        kind = (article.theme, article.language, article.lookalike)
        if article.is_seed or per_kind.get(kind, 0) < PER_KIND:
            per_kind[kind] = per_kind.get(kind, 0) + 1
            chosen.append(article)
    with OutletServer(corpus, faults=Faults(wrong_charset=True), host="127.0.0.1", port=0) as server:
        outlet = server.outlet_yaml(id="levant")
        for article in chosen:
            url = server.url(article)
            with urllib.request.urlopen(url, timeout=10) as response:
                body = response.read()
                charset = _charset(response.headers.get("Content-Type", ""))
            name = f"os-{article.post_id:04d}-{article.theme}-{article.language}"
            gold = article.gold(server.base_url)
            (GOLD / f"{name}.html").write_bytes(body)
            record = {
                "url": url,
                "html": f"{name}.html",
                "encoding": charset,
                "origin": "outlet_server",
                "cms": article.theme,
                "note": f"outlet_server seed={SEED} post {article.post_id}"
                + (" (lookalike: content that looks like boilerplate)" if article.lookalike else "")
                + (f"; teaser {article.teaser_label!r}" if article.teaser_headline else ""),
                "outlet": {k: v for k, v in outlet.items() if k in ("id", "name", "base_url", "language", "timezone")},
                "template_group": "levant",
                "known_headlines": headlines,
                "title": gold["title"],
                "authors": gold["authors"],
                "published": gold["published"].isoformat(),
                "language": gold["language"],
                "section": gold["section"],
                "tags": gold["tags"],
                "paragraphs": article.paragraphs,
                "boilerplate": [b for b in (article.teaser_headline, article.teaser_label) if b],
            }
            (GOLD / f"{name}.json").write_text(json.dumps(record, ensure_ascii=False, indent=1), encoding="utf-8")
    print(f"wrote {len(chosen)} pages to {GOLD}")


if __name__ == "__main__":
    main()
