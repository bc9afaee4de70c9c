"""The corpus: deterministic from its seed, carries the seed article exactly, and gold for every article."""

from __future__ import annotations

import time
from datetime import date

from outlet_server import Corpus, build_corpus, load_seed


def test_same_seed_same_corpus_other_seed_other_corpus() -> None:
    first, again, other = build_corpus(seed=3, n_articles=40), build_corpus(seed=3, n_articles=40), build_corpus(seed=4, n_articles=40)
    assert [a.gold() for a in first.articles] == [a.gold() for a in again.articles]
    assert [a.title for a in first.articles] != [a.title for a in other.articles]


def test_seed_article_is_served_in_jannah_with_its_fourteen_paragraphs(outlet_corpus: Corpus) -> None:
    seed, article = load_seed(), outlet_corpus.seed_article
    assert article.title == "Terrorists driven out of all Aleppo quarters"
    assert article.theme == "jannah" and article.language == "en"
    assert len(article.paragraphs) == 14
    assert [article.paragraphs[i] for i in sorted(article.subheadings)] == [
        "Photo and video evidence of torture", "Militants leave Aleppo"]
    assert article.paragraphs == list(seed.paragraphs)
    assert article.categories == ["Latest developments", "Middle East", "Multimedia", "Others", "Photos",
                                  "Syria Truths Exclusive", "World News"]


def test_seed_teaser_names_a_real_article(outlet_corpus: Corpus) -> None:
    article = outlet_corpus.seed_article
    assert article.teaser_headline == "Russian reconciliation center says 17 shellings registered in Syria over last 24 hours"
    target = outlet_corpus.article(article.teaser_headline)
    assert target.path == article.teaser_path and target.published < article.published


def test_articles_are_unique_dated_in_window_and_mixed(outlet_corpus: Corpus) -> None:
    articles = outlet_corpus.articles
    assert len(articles) == 60
    assert len({a.path for a in articles}) == len({a.title for a in articles}) == 60
    assert all(date(2026, 9, 1) <= a.published.date() <= date(2026, 11, 20) for a in articles)
    assert all(a.published.tzinfo is not None for a in articles)
    assert {a.theme for a in articles} == {"jannah", "newspaper", "ghost"}
    assert {a.language for a in articles} == {"en", "ar", "ru"}
    assert all(a.path == f"/{a.published:%Y/%m/%d}/{a.path.split('/')[4]}/" for a in articles)


def test_gold_holds_text_and_metadata(outlet_corpus: Corpus) -> None:
    article = outlet_corpus.articles[5]
    gold = article.gold("http://127.0.0.1:9/")
    assert gold["text"].split("\n\n") == article.paragraphs
    assert gold["canonical_url"] == "http://127.0.0.1:9" + article.path
    assert gold["title"] == article.title and gold["published"] == article.published
    assert set(outlet_corpus.gold()) == {a.path for a in outlet_corpus.articles}


def test_ten_thousand_articles_build_fast() -> None:
    # CPU time of this process: other work on the (shared) machine does not count against the corpus.
    started = time.process_time()
    corpus = build_corpus(seed=1, n_articles=10_000)
    assert time.process_time() - started < 2.0
    assert len(corpus.by_path) == 10_000
