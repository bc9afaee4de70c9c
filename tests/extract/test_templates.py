"""TemplateLearner: lines recurring across many pages of one outlet become template lines."""

from __future__ import annotations

import pytest

from core.settings import Settings
from extract import TemplateLearner, extract_article
from tests.extract.helpers import FILLER, article_page, paragraphs

TEMPLATE = "Follow Test Times on Telegram for breaking news and exclusive reports."


def _page(n: int) -> str:
    return article_page(*paragraphs(f"Story number {n} begins here. {FILLER}", TEMPLATE, f"{FILLER} Story {n} ends."))


def test_lines_on_enough_pages_are_learned_and_removed() -> None:
    learner = TemplateLearner.from_settings(Settings(template_min_pages=3, template_min_share=0.5))
    for n in range(4):
        learner.observe(extract_article(_page(n), f"https://t.example/{n}"))
    assert learner.template_lines() == {TEMPLATE}
    ex = extract_article(_page(9), "https://t.example/9", template_lines=learner.template_lines())
    assert TEMPLATE not in ex.text
    assert ex.details["dropped_blocks"] == {"template": 1}
    learner.observe(ex)  # removed lines still count: learning is stable once applied
    assert learner.template_lines() == {TEMPLATE}


def test_thresholds_hold_back_rare_lines() -> None:
    learner = TemplateLearner(min_pages=3, min_share=0.5)
    learner.observe(["Only here once.", "Shared line."])
    learner.observe(["Shared line."])
    assert learner.template_lines() == set()  # two pages < min_pages
    for _ in range(4):
        learner.observe(["Other text."])
    learner.observe(["Shared line."])
    assert learner.template_lines() == {"Other text."}  # 3 of 7 pages is under min_share for "Shared line."


def test_languages_are_counted_apart() -> None:
    learner = TemplateLearner(min_pages=2, min_share=0.5)
    for _ in range(6):
        learner.observe(["English footer line."], language="en")
    for _ in range(2):
        learner.observe(["Подписывайтесь на наш канал."], language="ru")
    assert learner.template_lines() == {"English footer line.", "Подписывайтесь на наш канал."}


def test_bad_thresholds_are_refused() -> None:
    with pytest.raises(ValueError):
        TemplateLearner(min_pages=1)
