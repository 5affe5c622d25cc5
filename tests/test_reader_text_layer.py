"""The PDF text layer as words: glyph quirks of real generators must not split words."""
from __future__ import annotations

import io

from invoice_extract.extraction.reader import read_document


def _pdf(draw) -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4)
    c.setFont("Courier", 14)
    c.drawString(50, 60, "A text layer long enough not to be taken for a scan")
    draw(c, A4[1])
    c.showPage()
    c.save()
    return buf.getvalue()


def test_a_space_glyph_drawn_over_the_next_character_does_not_split_the_word():
    def draw(c, h):
        c.drawString(50, h - 100, "Nr.")
        # a fixed-pitch renderer that paints the separating space at the x of the next digit
        c.drawString(90, h - 100, "280081")
        c.drawString(90.01, h - 100, " ")
    page = read_document(_pdf(draw)).pages[0]
    assert page.source == "text"
    assert [w.text for w in page.words][:2] == ["Nr.", "280081"]


def test_ordinary_spaces_still_separate_words():
    page = read_document(_pdf(lambda c, h: c.drawString(50, h - 100, "Invoice 42 of May"))).pages[0]
    assert [w.text for w in page.words][:4] == ["Invoice", "42", "of", "May"]
