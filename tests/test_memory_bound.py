"""What a document may make the reader inflate is bounded while inflating (extraction.pdf_guard),
and pages of any shape give a result or error_unsupported_size. The peak memory of a worker on
these documents is measured by bench/memory.py."""
from __future__ import annotations

import zlib
from dataclasses import replace

import pytest

from invoice_extract.bench import hostile
from invoice_extract.extraction import ExtractOptions, extract
from invoice_extract.extraction.errors import UnsupportedSize
from invoice_extract.extraction.limits import DEFAULT_LIMITS
from invoice_extract.extraction import pdf_guard
from invoice_extract.extraction.reader import read_document

SMALL = replace(DEFAULT_LIMITS, max_inflate_bytes=4 << 20, max_embedded_bytes=1 << 20, max_pixels=4_000_000)


def test_inflate_stops_at_the_limit_without_holding_the_stream():
    raw = hostile.deflated(64 << 20)
    seen = []
    for chunk in pdf_guard.inflated_chunks(raw, ["FlateDecode"]):
        seen.append(len(chunk))
        if sum(seen) > 3 << 20:
            break
    assert max(seen) <= pdf_guard.CHUNK  # never one allocation of the whole stream
    assert pdf_guard.inflate(raw, ["FlateDecode"], 2 << 20) is None
    assert pdf_guard.inflate(zlib.compress(b"<xml/>"), ["Fl"], 100) == b"<xml/>"
    assert pdf_guard.inflate(b"not zlib at all", ["FlateDecode"], 100) == b""  # corrupt: nothing


def test_an_embedded_xml_bomb_is_not_read_and_the_page_still_is():
    doc = read_document(hostile.attachment_bomb(8 << 20), "bomb.pdf", limits=SMALL)
    assert doc.attachments["pdf_attachments"] == {}
    assert "INV-1" in " ".join(w.text for w in doc.pages[0].words)


def test_an_embedded_xml_within_the_limit_is_read():
    doc = read_document(hostile.attachment_bomb(1000), "small.pdf", limits=SMALL)
    (name, content), = doc.attachments["pdf_attachments"].items()
    assert name == "factur-x.xml" and content.startswith(b"<?xml")


def test_only_xml_attachments_are_read():
    doc = read_document(hostile.attachment_bomb(1000, name=b"photo.png"), "x.pdf", limits=SMALL)
    assert doc.attachments["pdf_attachments"] == {}


@pytest.mark.parametrize("make", [lambda: hostile.content_bomb(16 << 20),
                                  lambda: hostile.double_flate_bomb(16 << 20),
                                  lambda: hostile.image_bomb(3000, 3000)],
                         ids=["content stream", "double Flate", "image pixels"])
def test_streams_past_the_limits_refuse_the_document(make):
    with pytest.raises(UnsupportedSize):
        read_document(make(), "bomb.pdf", limits=SMALL)


def test_an_image_stream_inflating_beyond_its_pixels_is_refused():
    pixels = hostile.deflated(8 << 20, unit=b"\xff" * (1 << 20))  # 8 MB for a 100 x 100 image
    image = hostile.stream(b"/Type /XObject /Subtype /Image /Width 100 /Height 100 /ColorSpace /DeviceGray "
                           b"/BitsPerComponent 8 /Filter /FlateDecode", pixels)
    pdf = hostile.one_page(b"q 100 0 0 100 0 0 cm /Im1 Do Q", resources=b"/XObject << /Im1 6 0 R >>", more=[image])
    with pytest.raises(UnsupportedSize):
        pdf_guard.check_streams(pdf, SMALL)


def test_ordinary_documents_pass_the_guard():
    from fixtures import make_image_pdf, make_invoice_pdf

    for pdf in (make_invoice_pdf(), make_image_pdf(dpi=100)):
        pdf_guard.check_streams(pdf, DEFAULT_LIMITS)


@pytest.mark.parametrize("width,height", [(3, 14400), (14400, 3), (14400, 14400), (1, 1)])
def test_pages_of_extreme_shapes_give_a_result(width, height):
    result = extract(hostile.page_of_shape(width, height), "shape.pdf", ExtractOptions())
    assert isinstance(result, dict)


def test_a_tall_page_with_text_is_read():
    result = extract(hostile.page_of_shape(3, 14400, text=True), "tall.pdf", ExtractOptions())
    assert result["invoice_id"]["selected_value"]["content"] == "INV-1"


@pytest.mark.parametrize("width,height", [(0, 842), (595, 0)])
def test_a_page_without_area_is_unsupported_size(width, height):
    with pytest.raises(UnsupportedSize):
        extract(hostile.page_of_shape(width, height), "flat.pdf", ExtractOptions())


def test_an_upside_down_media_box_gives_a_result_or_unsupported_size():
    try:
        assert isinstance(extract(hostile.page_of_shape(595, -10), "flipped.pdf", ExtractOptions()), dict)
    except UnsupportedSize:
        pass


def test_an_image_too_thin_to_hold_text_is_read_as_empty():
    import io

    from PIL import Image

    buf = io.BytesIO()
    Image.new("L", (40000, 2), 255).save(buf, "PNG")
    result = extract(buf.getvalue(), "thin.png", ExtractOptions())
    assert isinstance(result, dict)


def test_a_large_photo_is_decoded_reduced(monkeypatch):
    import io

    from PIL import Image

    from invoice_extract.extraction import reader

    buf = io.BytesIO()
    Image.new("RGB", (6000, 4000), "white").save(buf, "JPEG")
    limits = replace(DEFAULT_LIMITS, max_ocr_pixels=2_000_000)
    image = reader._open_image(buf.getvalue(), limits)
    assert image.width * image.height <= 6000 * 4000 / 4  # the DCT decoded it at a quarter at least


def test_a_bomb_through_the_server_ends_unsupported_size_and_gives_the_credit_back(server):
    from conftest import b64

    token = server.create_account(credits=1)
    parsed = server.call("/api/extract/invoice/1/parse",
                         {"account_token": token, "documents": [b64(hostile.content_bomb(256 << 20))]})
    assert parsed["status"] == "success"  # charged, until the worker refuses it
    result = server.wait("/api/extract/invoice/1/get_result", {"document_uuid": parsed["document_uuid"]})
    assert result["status"] == "error_unsupported_size"
    assert server.credits(token) == 1
