"""Charset decoding of mislabelled pages: legacy single-byte text is guessed, not garbled."""

from __future__ import annotations

import pytest

from archiver.clean import extract
from archiver.clean._decode import decode_html

RU = "Президент заявил, что переговоры продолжатся в понедельник в Минске, сообщает агентство."
FR = "Le président a déclaré à la presse que les négociations reprendront à Genève la semaine prochaine."
DE = "Zürich: Größere Änderungen für Fußgänger in der Innenstadt ab nächster Woche."


def page(text: str, charset: str) -> bytes:
    html = f'<html><head><meta charset="utf-8"><title>T</title></head><body><article><p>{text}</p></article></body></html>'
    return html.encode(charset)


@pytest.mark.parametrize("text, sent_as", [(RU, "cp1251"), (FR, "cp1252"), (DE, "cp1252")])
def test_page_claiming_utf8_but_sent_in_a_legacy_charset_decodes(text, sent_as):
    decoded, used = decode_html(page(text, sent_as))
    assert used == sent_as
    assert text in decoded


def test_valid_utf8_wins_over_a_wrong_legacy_declaration():
    data = f'<meta charset="windows-1251"><p>{FR}</p>'.encode("utf-8")
    assert decode_html(data) == (data.decode("utf-8"), "utf-8")


def test_extract_keeps_cyrillic_text_of_a_mislabelled_page():
    article = extract(page(RU, "cp1251"), "http://127.0.0.1/ru")
    assert RU in article.text
