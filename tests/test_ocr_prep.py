"""Scans and photos: pages turned by quarter turns or a few degrees are read upright, and the
boxes come back in the frame of the image as sent, with the page's angle."""
from __future__ import annotations

import io
import math

import pytest

from fixtures import make_invoice_image, make_invoice_pdf
from invoice_extract.extraction import ExtractOptions, extract, ocr_prep
from invoice_extract.extraction.reader import read_document

SPEC = {"total": None, "invoice_id": "INV-2024-0042"}  # total 1,210.00 EUR


@pytest.fixture(autouse=True)
def tesseract_engine(monkeypatch):
    """These are the Tesseract path's steps (OSD, projection-profile skew, upscaling): the
    pages are read by Tesseract unless a test says otherwise (RapidOCR: test_ocr_engines)."""
    monkeypatch.setenv("INVOICE_EXTRACT_OCR_ENGINE", "tesseract")


def _image(data: bytes):
    from PIL import Image

    return Image.open(io.BytesIO(data))


@pytest.fixture(scope="module")
def printed_total():
    """Where the total is printed on the upright page (relative centre), from the PDF's text layer,
    and the upright rendering's size."""
    doc = read_document(make_invoice_pdf(**SPEC))
    word = next(w for w in doc.words if w.text == "1,210.00")
    upright = _image(make_invoice_image(**SPEC))
    return word, upright.size


def expected_centre(printed_total, rotate: float, size: tuple[int, int]) -> tuple[float, float]:
    """The upright centre of the total, turned as PIL's rotate(rotate, expand=True) turned the page."""
    word, (w, h) = printed_total
    x, y = word.cx * w - w / 2, word.cy * h - h / 2
    a = math.radians(rotate)  # counter-clockwise on screen, y down
    tx, ty = x * math.cos(a) + y * math.sin(a), -x * math.sin(a) + y * math.cos(a)
    return (tx + size[0] / 2) / size[0], (ty + size[1] / 2) / size[1]


@pytest.mark.parametrize("rotate, noise", [(90, 0.0), (180, 0.0), (270, 0.002), (3, 0.002), (-2.5, 0.0)],
                         ids=["90", "180", "270-noisy", "3deg-noisy", "-2.5deg"])
@pytest.mark.parametrize("engine", ["tesseract", "rapidocr"])
def test_turned_scans_are_read_upright_with_boxes_on_the_original(printed_total, rotate, noise, engine,
                                                                   monkeypatch):
    monkeypatch.setenv("INVOICE_EXTRACT_OCR_ENGINE", engine)
    data = make_invoice_image(rotate=rotate, noise=noise, **SPEC)
    size = _image(data).size
    result = extract(data, "scan.png", ExtractOptions())
    assert result["total"]["selected_value"]["content"] == pytest.approx(1210.0)
    assert result["invoice_id"]["selected_value"]["content"] == "INV-2024-0042"
    cx, cy, w, h, angle = result["total"]["selected_value"]["coords"]
    ex, ey = expected_centre(printed_total, rotate, size)
    assert cx == pytest.approx(ex, abs=0.02) and cy == pytest.approx(ey, abs=0.02)
    want = ocr_prep.normalize_angle(rotate)
    assert angle == pytest.approx(want, abs=0.6)
    # the box lies along the printed value: long across the text direction on the original image
    word, (uw, uh) = printed_total
    along, across = (word.x1 - word.x0) * uw, (word.y1 - word.y0) * uh  # pixels, upright
    if rotate in (90, 270):
        assert h * size[1] > 2 * w * size[0] and h * size[1] == pytest.approx(along, rel=0.35)
    else:
        assert w * size[0] > 2 * h * size[1] and w * size[0] == pytest.approx(along, rel=0.35)


def test_upright_scan_is_read_as_it_is(printed_total, monkeypatch):
    def no_osd(_gray):
        raise AssertionError("OSD must not run on a good upright reading")

    monkeypatch.setattr(ocr_prep, "detect_orientation", no_osd)
    data = make_invoice_image(**SPEC)
    doc = read_document(data)
    page = doc.pages[0]
    assert page.angle == 0 and page.source == "ocr"
    assert all(w.page_box is None and w.angle == 0 for w in page.words)
    result = extract(data, "scan.png", ExtractOptions())
    cx, cy, _w, _h, angle = result["total"]["selected_value"]["coords"]
    word, _size = printed_total
    assert angle == 0 and cx == pytest.approx(word.cx, abs=0.01) and cy == pytest.approx(word.cy, abs=0.01)


def test_skew_estimate():
    gray = ocr_prep.grayscale(_image(make_invoice_image(rotate=4, **SPEC)))
    assert ocr_prep.estimate_skew(gray) == pytest.approx(4, abs=0.3)
    assert ocr_prep.estimate_skew(ocr_prep.grayscale(_image(make_invoice_image(**SPEC)))) == 0


def test_frame_maps_corrected_boxes_back_to_the_original():
    from PIL import Image

    original = Image.new("L", (400, 300), 255)
    original.paste(0, (300, 40, 340, 60))  # a dark box near the top right
    for angle in (90, 180, 270, 7, -12, 97):
        upright, frame = ocr_prep.straighten(original, angle)
        # find the box on the corrected image and map it back
        ink = upright.point([255 if v < 128 else 0 for v in range(256)])
        left, top, right, bottom = ink.getbbox()
        x0, y0, x1, y1 = frame.page_box(left, top, right, bottom)
        # quarter turns map exactly; a skewed box comes back as the bounding box of its
        # turned corners, which holds the printed box and grows by a few pixels only
        slack = 2 + 60 * abs(math.sin(math.radians(angle - 90 * round(angle / 90))))
        assert 300 - slack <= x0 * 400 <= 301 and 40 - slack <= y0 * 300 <= 41
        assert 339 <= x1 * 400 <= 340 + slack and 59 <= y1 * 300 <= 60 + slack


def test_blank_page_and_osd_failure_fall_back_to_no_turn(monkeypatch):
    from PIL import Image
    import pytesseract

    blank = Image.new("RGB", (800, 1000), "white")
    assert ocr_prep.detect_orientation(ocr_prep.grayscale(blank)) == 0  # "Too few characters"
    out = io.BytesIO()
    blank.save(out, "PNG")
    doc = read_document(out.getvalue())
    assert doc.pages[0].angle == 0 and doc.pages[0].words == []

    def broken(*_a, **_k):
        raise pytesseract.TesseractError(1, "Too few characters. Skipping this page")

    monkeypatch.setattr(pytesseract, "image_to_osd", broken)
    monkeypatch.setattr(ocr_prep, "looks_wrong", lambda raw: True)  # force the OSD path
    doc = read_document(make_invoice_image(**SPEC))
    assert doc.pages[0].angle == 0
    assert any(w.text == "INV-2024-0042" for w in doc.words)


def test_a_preparation_bug_is_never_fatal(monkeypatch):
    def broken(_gray):
        raise ZeroDivisionError("bug")

    monkeypatch.setattr(ocr_prep, "estimate_skew", broken)
    doc = read_document(make_invoice_image(**SPEC))
    assert any(w.text == "INV-2024-0042" for w in doc.words)


def test_transparent_and_palette_images_are_read_on_white():
    from PIL import Image

    rgba = Image.new("RGBA", (50, 50), (0, 0, 0, 0))
    assert ocr_prep.grayscale(rgba).getextrema() == (255, 255)
    assert ocr_prep.grayscale(Image.new("1", (10, 10), 1)).mode == "L"


def test_a_small_tilt_is_levelled_in_the_reading_frame_only():
    from invoice_extract.extraction.ocr_prep import Frame

    # a text line turned 1.5° counter-clockwise: its right end sits higher on the image
    frame = Frame(1000, 800, angle=1.5, tilt=1.5)
    rise = 800 * math.tan(math.radians(1.5))
    left = frame.reading_box(100, 400, 160, 420)
    right = frame.reading_box(900, 400 - rise, 960, 420 - rise)
    assert (left[1] + left[3]) / 2 == pytest.approx((right[1] + right[3]) / 2, abs=0.002)
    # on the page, the boxes stay where Tesseract saw them (the image was not resampled)
    assert frame.page_box(900, 400 - rise, 960, 420 - rise) == pytest.approx(
        (0.9, (400 - rise) / 800, 0.96, (420 - rise) / 800))


def test_small_print_is_enlarged_for_tesseract_and_boxes_stay_on_the_original():
    from PIL import Image

    from invoice_extract.extraction import ocr_prep

    normal = _image(make_invoice_image(**SPEC)).convert("L")
    assert ocr_prep.text_scale(normal) == 1.0  # 200 dpi print is tall enough
    small = normal.resize((normal.width * 2 // 5, normal.height * 2 // 5), Image.LANCZOS)
    assert 1.0 < ocr_prep.text_scale(small) <= ocr_prep.MAX_UPSCALE
    seen = []

    def tesseract(image):
        seen.append(image.size)
        return [("1,210.00", 100, 200, 50, 10, 90.0)]

    words, _angle = ocr_prep.read(small, tesseract, 0)
    assert seen[0][0] > small.width  # Tesseract read an enlarged copy
    (word,) = words
    # Tesseract's pixels on the enlarged copy come back as the same place on the page
    assert word.x0 == pytest.approx(100 / seen[0][0], abs=0.002)
    assert word.y0 == pytest.approx(200 / seen[0][1], abs=0.002)


def test_a_blank_or_noise_page_is_not_enlarged():
    from PIL import Image

    from invoice_extract.extraction import ocr_prep

    assert ocr_prep.text_scale(Image.new("L", (600, 800), 255)) == 1.0
