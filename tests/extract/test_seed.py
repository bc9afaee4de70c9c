"""The seed article (its Jannah markup) comes out exactly as issue 4 demands."""

from __future__ import annotations

import json
from pathlib import Path

from extract import extract_article

GOLD = Path(__file__).parent / "gold"


def test_seed_article_title_paragraphs_and_no_boilerplate() -> None:
    gold = json.loads((GOLD / "seed-jannah.json").read_text(encoding="utf-8"))
    ex = extract_article((GOLD / gold["html"]).read_bytes(), gold["url"])

    assert ex.title == "Terrorists driven out of all Aleppo quarters"
    assert ex.paragraphs == gold["paragraphs"]
    assert len(ex.paragraphs) == 14
    assert ex.paragraphs[4] == "Photo and video evidence of torture"
    assert ex.paragraphs[9] == "Militants leave Aleppo"
    for line in gold["boilerplate"]:
        assert line not in ex.text
    assert ex.published is not None and ex.published.isoformat() == "2016-12-22T14:05:31+00:00"
    assert ex.details["dropped_blocks"] == {"teaser": 1}


def test_seed_article_renders_html_and_markdown_with_subheadings() -> None:
    gold = json.loads((GOLD / "seed-jannah.json").read_text(encoding="utf-8"))
    ex = extract_article((GOLD / gold["html"]).read_bytes(), gold["url"])

    assert "<h3>Photo and video evidence of torture</h3>" in ex.html
    assert "### Militants leave Aleppo" in ex.markdown
    assert "ALSO READ" not in ex.html and "ALSO READ" not in ex.markdown
    assert ex.html.count("<p>") == 12
