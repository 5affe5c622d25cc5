"""A scan whose first reading misses a field every bill prints is read again, as one block of lines."""
from __future__ import annotations

import io
from datetime import date

import pytest

from engine_helpers import doc_of
from invoice_extract.extraction import ExtractOptions, pipeline

WITHOUT_DATE = [(0.05, "CORNER CAFE SDN BHD"), (0.10, "Flat white 3.20"), (0.14, "TOTAL 3.20")]
WITH_DATE = [(0.05, "CORNER CAFE SDN BHD"), (0.08, "Date: 14/02/2024 12:31"), (0.10, "Flat white 3.20"),
             (0.14, "TOTAL 9.99")]


def scan_of(rows, source="ocr"):
    doc = doc_of(rows)
    for page in doc.pages:
        page.source = source
    return doc


@pytest.fixture
def readings(monkeypatch):
    """Stand-in for the reader: the layouts asked for, and the document each one gives."""
    asked, docs = [], {}

    def fake_read(data, filename, limits, lang, layout="auto", scan_codes=True):
        asked.append(layout)
        # codes are read once, with the first reading
        assert scan_codes == (layout == "auto")
        reading = docs[layout]
        if isinstance(reading, Exception):
            raise reading
        return reading

    monkeypatch.setattr(pipeline, "read_document", fake_read)
    return asked, docs


def content(result, name):
    return result[name]["selected_value"]["content"] if name in result else None


def test_a_missing_date_comes_from_the_second_reading_and_nothing_else_changes(readings):
    asked, docs = readings
    docs["auto"], docs["block"] = scan_of(WITHOUT_DATE), scan_of(WITH_DATE)
    result = pipeline.run(b"scan", "r.jpg", ExtractOptions(document_type="expense"))
    assert asked == ["auto", "block"]
    assert content(result, "date") == date(2024, 2, 14).isoformat()
    assert content(result, "total") == 3.2  # found by the first reading: kept, not the second's 9.99
    assert "Date:" not in result["full_text_annotation"]  # the text is still the first reading's


def test_no_second_reading_when_the_first_finds_date_and_total(readings):
    asked, docs = readings
    docs["auto"] = scan_of(WITH_DATE)
    result = pipeline.run(b"scan", "r.jpg", ExtractOptions(document_type="expense"))
    assert asked == ["auto"]
    assert content(result, "total") == 9.99


def test_a_text_layer_is_never_read_twice(readings):
    asked, docs = readings
    docs["auto"] = scan_of(WITHOUT_DATE, source="text")
    result = pipeline.run(b"pdf", "bill.pdf", ExtractOptions(document_type="expense"))
    assert asked == ["auto"] and "date" not in result


def test_a_failing_second_reading_keeps_the_first(readings):
    asked, docs = readings
    docs["auto"], docs["block"] = scan_of(WITHOUT_DATE), RuntimeError("tesseract died")
    result = pipeline.run(b"scan", "r.jpg", ExtractOptions(document_type="expense"))
    assert asked == ["auto", "block"]
    assert "date" not in result and content(result, "total") == 3.2


def test_the_block_layout_is_tesseracts_single_block_mode(monkeypatch):
    """The real reader on a real image: the block reading asks Tesseract for --psm 6 and reads the words."""
    import pytesseract
    from PIL import Image, ImageDraw, ImageFont

    from invoice_extract.extraction.reader import read_document

    configs = []
    real = pytesseract.image_to_data

    def recording(image, *args, config="", **kwargs):
        configs.append(config)
        return real(image, *args, config=config, **kwargs)

    monkeypatch.setattr(pytesseract, "image_to_data", recording)
    monkeypatch.setenv("INVOICE_EXTRACT_OCR_ENGINE", "tesseract")  # the first reading by Tesseract too
    font = ImageFont.truetype("/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf", 22)
    img = Image.new("L", (520, 160), 255)
    draw = ImageDraw.Draw(img)
    draw.text((20, 20), "CORNER CAFE", font=font, fill=0)
    draw.text((20, 70), "Date: 14/02/2024", font=font, fill=0)
    out = io.BytesIO()
    img.save(out, "PNG")
    doc = read_document(out.getvalue(), "r.png", layout="block")
    assert configs and all("--psm 6" in c for c in configs)
    assert "14/02/2024" in doc.text
    configs.clear()
    read_document(out.getvalue(), "r.png")
    assert configs and not any("--psm" in c for c in configs)


def test_a_scan_read_by_rapidocr_is_not_read_twice(readings):
    asked, docs = readings
    docs["auto"] = scan_of(WITHOUT_DATE)
    for page in docs["auto"].pages:
        page.ocr_engine = "rapidocr"
    result = pipeline.run(b"scan", "r.jpg", ExtractOptions(document_type="expense"))
    assert asked == ["auto"] and "date" not in result


def test_a_long_scan_is_not_read_twice(readings):
    asked, docs = readings
    docs["auto"] = scan_of(WITHOUT_DATE)
    docs["auto"].pages *= pipeline.SECOND_READING_MAX_PAGES + 1
    pipeline.run(b"scan", "contract.pdf", ExtractOptions(document_type="expense"))
    assert asked == ["auto"]
