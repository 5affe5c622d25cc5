"""The PDF text layer as words: glyph quirks of real generators must not split words."""
from __future__ import annotations

import io
from dataclasses import replace

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


def _lines_of(page) -> list[str]:
    return [" ".join(w.text for w in line) for line in page.lines()]


def test_a_logos_letters_half_beside_a_name_do_not_join_the_street_under_it():
    """A logo's initials set half a line lower than the name beside them, and a big title on
    the right: the name and its street stay two lines, and the initials are a part of their own."""
    from invoice_extract.extraction.layout import segments
    from invoice_extract.extraction.spans import LineText

    def draw(c, h):
        c.setFont("Helvetica-Bold", 15)
        c.drawString(50, h - 75, "KL")  # the logo, lower than the name
        c.setFont("Helvetica-Bold", 14)
        c.drawString(85, h - 68, "Kranich Werkzeug GmbH")
        c.setFont("Helvetica-Bold", 26)
        c.drawString(420, h - 75, "INVOICE")
        c.setFont("Helvetica", 9)
        c.drawString(85, h - 81, "Hafenweg 3")
    page = read_document(_pdf(draw)).pages[0]
    lines = _lines_of(page)
    assert "Hafenweg 3" in lines
    name_line = next(line for line in page.lines() if any(w.text == "Kranich" for w in line))
    parts = [" ".join(w.text for w in part) for part in segments(LineText.of(name_line))]
    assert "Kranich Werkzeug GmbH" in parts


def test_an_ocr_lines_words_of_uneven_glyph_boxes_stay_one_part():
    """OCR boxes are their glyphs' ("ROAD" is capitals, "gym" reaches down): their middles
    differ and the words are still one run of text."""
    from invoice_extract.extraction.document import Word, assign_lines
    from invoice_extract.extraction.layout import segments
    from invoice_extract.extraction.spans import LineText

    road, gym = Word("ROAD", 0.10, 0.100, 0.16, 0.112, 0, conf=0.9), Word("gym", 0.165, 0.105, 0.21, 0.117, 0, conf=0.9)
    assert len(segments(LineText.of(assign_lines([road, gym])))) == 1
    # (the same boxes from a text layer are two runs: a font's boxes share their middle)
    text_layer = [replace(road, conf=1.0), replace(gym, conf=1.0)]
    assert len(segments(LineText.of(assign_lines(text_layer)))) == 2
