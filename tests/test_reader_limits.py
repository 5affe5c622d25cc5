"""Reading documents: text layers, scans through Tesseract, and every kind of bad input."""
from __future__ import annotations

import io
import os

import pytest

from fixtures import make_image_pdf, make_invoice_image, make_invoice_pdf
from invoice_extract.extraction import ExtractOptions, extract
from invoice_extract.extraction.errors import (PasswordProtected, TooManyPages, UnsupportedFormat,
                                               UnsupportedSize)
from invoice_extract.extraction.limits import Limits
from invoice_extract.extraction.reader import read_document, sniff_mimetype


def test_digital_pdf_words_have_boxes_on_the_page():
    doc = read_document(make_invoice_pdf(invoice_id="INV-77"))
    assert doc.pages[0].source == "text"
    word = next(w for w in doc.words if w.text == "INV-77")
    assert 0 <= word.x0 < word.x1 <= 1 and 0 <= word.y0 < word.y1 <= 1
    assert word.y0 < 0.5  # printed in the upper half, as generated


@pytest.mark.parametrize("make", [make_invoice_image, make_image_pdf], ids=["png", "image-only pdf"])
def test_scans_are_read_by_tesseract(make):
    result = extract(make(total=None, invoice_id="INV-2024-0042"), "scan", ExtractOptions())
    assert result["total"]["selected_value"]["content"] == pytest.approx(1210.0)
    assert result["invoice_id"]["selected_value"]["content"] == "INV-2024-0042"
    assert result["total"]["selected_value"]["origin"] == "ocr"
    cx, cy, w, h, _angle = result["total"]["selected_value"]["coords"]
    assert 0.6 < cx < 1 and 0.3 < cy < 0.7 and 0 < w < 0.3 and 0 < h < 0.05


def test_formats_are_sniffed_from_bytes_not_names():
    assert sniff_mimetype(make_invoice_pdf()) == "application/pdf"
    assert sniff_mimetype(make_invoice_image(fmt="JPEG")) == "image/jpeg"
    assert sniff_mimetype(b"hello") is None


@pytest.mark.parametrize("data", [b"", b"hello, not a document", os.urandom(2048)], ids=["empty", "text", "random"])
def test_not_a_document(data):
    with pytest.raises(UnsupportedFormat):
        read_document(data)


def test_corrupt_pdf_and_truncated_image():
    with pytest.raises(UnsupportedFormat):
        read_document(b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF garbage")
    png = make_invoice_image()
    with pytest.raises(UnsupportedFormat):
        read_document(png[: len(png) // 3])


def test_password_protected_pdf():
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4, encrypt="secret")
    c.drawString(100, 700, "Invoice 1 Total 10.00 EUR")
    c.showPage()
    c.save()
    with pytest.raises(PasswordProtected):
        read_document(buf.getvalue())


def test_too_many_pages():
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf)
    for i in range(4):
        c.drawString(100, 700, f"page {i} of a long invoice with text")
        c.showPage()
    c.save()
    with pytest.raises(TooManyPages):
        read_document(buf.getvalue(), limits=Limits(max_pages=3))
    assert len(read_document(buf.getvalue(), limits=Limits(max_pages=4)).pages) == 4


def test_too_large_and_decompression_bomb():
    with pytest.raises(UnsupportedSize):
        read_document(make_invoice_pdf(), limits=Limits(max_bytes=100))
    from PIL import Image

    bomb = io.BytesIO()
    Image.new("1", (20000, 20000)).save(bomb, "PNG")  # a few KB that decode to 400 Mpx
    assert len(bomb.getvalue()) < 200_000
    with pytest.raises(UnsupportedSize):
        read_document(bomb.getvalue(), limits=Limits(max_pixels=50_000_000))
