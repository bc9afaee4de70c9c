"""Bytes to text: declared charsets honoured, lying ones caught (windows-1256, cp1251)."""

from __future__ import annotations

import pytest

from extract import decode_html, extract_article

ARABIC = "قالت وزارة الخارجية إن الجيش سيطر على جميع أحياء حلب الشرقية بعد معارك عنيفة استمرت أسابيع."
RUSSIAN = "Сирийская армия выбила боевиков из всех кварталов Алеппо, заявил генерал в четверг. ВВС России"


def _page(text: str, meta: str = '<meta charset="utf-8">') -> str:
    return f"<html><head>{meta}<title>t</title></head><body><article><p>{text}</p></article></body></html>"


@pytest.mark.parametrize(("text", "codec"), [(ARABIC, "windows-1256"), (RUSSIAN, "cp1251"), (RUSSIAN, "koi8-r")])
@pytest.mark.parametrize("header", [None, "utf-8"])
@pytest.mark.parametrize("meta", ['<meta charset="utf-8">', ""])
def test_legacy_bytes_declared_utf8_or_undeclared_come_out_right(text: str, codec: str, header: str | None, meta: str) -> None:
    page = decode_html(_page(text, meta).encode(codec), header)
    assert text in page.text
    assert page.detected


def test_correct_declarations_are_trusted() -> None:
    latin = "Le président a déclaré à l’Élysée que l’été sera chaud — voilà."
    page = decode_html(_page(latin, '<meta charset="windows-1252">').encode("cp1252"))
    assert latin in page.text and not page.detected
    page = decode_html(_page(ARABIC).encode("utf-8"), "utf-8")
    assert ARABIC in page.text and page.encoding == "utf-8" and not page.detected


def test_utf8_declared_as_a_code_page_is_detected() -> None:
    page = decode_html(_page(RUSSIAN, '<meta charset="windows-1252">').encode("utf-8"))
    assert RUSSIAN in page.text


def test_extract_article_reports_the_encoding_it_used() -> None:
    ex = extract_article(_page(ARABIC * 3).encode("windows-1256"), "https://x.example/a", encoding="utf-8")
    assert ex.details["encoding"] == "cp1256" and ex.details["encoding_declared"] == "utf-8"
    assert ex.language == "ar"
