"""OCR engines: which one reads a page, both give words boxed on the original image, RapidOCR
reads a turned photo upright from its own evidence and runs with the configured threads."""
from __future__ import annotations

import math

import pytest

from invoice_extract.extraction import ocr_engines
from invoice_extract.extraction.reader import ocr_page

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
# (text, left, top) on a 1000 x 1400 page, 40 px type
PRINTED = [("CORNER", 120, 100), ("BAKERY", 330, 100), ("Flat", 120, 400), ("white", 240, 400),
           ("TOTAL", 120, 900), ("42.50", 600, 900)]
SIZE = (1000, 1400)


@pytest.fixture(scope="module")
def page_and_boxes():
    """A rendered page and the pixel box of each printed word."""
    from PIL import Image, ImageDraw, ImageFont

    font = ImageFont.truetype(FONT, 40)
    image = Image.new("RGB", SIZE, "white")
    draw = ImageDraw.Draw(image)
    boxes = {}
    for text, x, y in PRINTED:
        draw.text((x, y), text, font=font, fill="black")
        boxes[text] = draw.textbbox((x, y), text, font=font)
    return image, boxes


def _turned(point, angle, size, out_size):
    """A point of the upright page where PIL's rotate(angle, expand=True) puts it."""
    (w, h), (ow, oh) = size, out_size
    dx, dy = point[0] - w / 2, point[1] - h / 2
    a = math.radians(angle)
    return dx * math.cos(a) + dy * math.sin(a) + ow / 2, -dx * math.sin(a) + dy * math.cos(a) + oh / 2


def _expected_box(box, angle, size, out_size):
    pts = [_turned((x, y), angle, size, out_size) for x in (box[0], box[2]) for y in (box[1], box[3])]
    ow, oh = out_size
    return (min(p[0] for p in pts) / ow, min(p[1] for p in pts) / oh,
            max(p[0] for p in pts) / ow, max(p[1] for p in pts) / oh)


def _overlap(a, b) -> float:
    """Intersection over union of two relative boxes."""
    ix = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = ix * iy
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union else 0.0


def _original_box(word):
    return word.page_box or (word.x0, word.y0, word.x1, word.y1)


# --- engine choice ---------------------------------------------------------------------------

@pytest.mark.parametrize("configured, layout, expected", [
    ("tesseract", "auto", "tesseract"), ("tesseract", "block", "tesseract"),
    ("rapidocr", "auto", "rapidocr"), ("rapidocr", "block", "rapidocr"),
    ("auto", "auto", "rapidocr"), ("auto", "block", "tesseract"),
    ("", "auto", "rapidocr"), ("bogus", "auto", "rapidocr"),
])
def test_the_configured_engine_reads_and_auto_asks_tesseract_for_the_second_reading(
        monkeypatch, configured, layout, expected):
    monkeypatch.setenv(ocr_engines.ENGINE_VARIABLE, configured)
    assert ocr_engines.choose_engine(layout) == expected


def test_without_the_rapidocr_wheel_tesseract_reads(monkeypatch):
    monkeypatch.setenv(ocr_engines.ENGINE_VARIABLE, "rapidocr")
    monkeypatch.setattr(ocr_engines, "rapidocr_available", lambda: False)
    assert ocr_engines.choose_engine("auto") == "tesseract"


def test_a_failing_rapidocr_leaves_the_page_to_tesseract(monkeypatch, page_and_boxes):
    image, _ = page_and_boxes
    monkeypatch.setenv(ocr_engines.ENGINE_VARIABLE, "auto")

    def broken(_image):
        raise RuntimeError("onnxruntime failed")

    monkeypatch.setattr(ocr_engines, "rapidocr_words", broken)
    page = ocr_page(image, 0)
    assert page.ocr_engine == "tesseract"
    assert "TOTAL" in [w.text for w in page.words]


def test_a_page_rapidocr_reads_next_to_nothing_on_is_read_by_tesseract_too(monkeypatch, page_and_boxes):
    image, _ = page_and_boxes
    monkeypatch.setenv(ocr_engines.ENGINE_VARIABLE, "auto")

    def two_words(_image):
        return ocr_engines.Reading([("CORNER", 120, 100, 200, 40, 90.0), ("BAKERY", 330, 100, 200, 40, 90.0)])

    monkeypatch.setattr(ocr_engines, "rapidocr_words", two_words)
    page = ocr_page(image, 0)
    assert page.ocr_engine == "tesseract" and "42.50" in [w.text for w in page.words]


# --- threads and models ------------------------------------------------------------------------

@pytest.mark.parametrize("value, expected", [(None, 1), ("3", 3), ("0", 1), ("many", 1)])
def test_ocr_threads_are_one_per_worker_unless_configured(monkeypatch, value, expected):
    if value is None:
        monkeypatch.delenv(ocr_engines.THREADS_VARIABLE, raising=False)
    else:
        monkeypatch.setenv(ocr_engines.THREADS_VARIABLE, value)
    assert ocr_engines.ocr_threads() == expected


@pytest.mark.parametrize("threads", [None, "2"])
def test_onnxruntime_sessions_get_the_configured_threads(monkeypatch, threads):
    if threads is None:
        monkeypatch.delenv(ocr_engines.THREADS_VARIABLE, raising=False)
    else:
        monkeypatch.setenv(ocr_engines.THREADS_VARIABLE, threads)
    engine = ocr_engines.rapidocr_engine()
    assert engine is ocr_engines.rapidocr_engine()  # loaded once per process
    for loader in (engine._load_det_model, engine._load_cls_model, engine._load_rec_model):
        options = loader().session.session.get_session_options()
        assert options.intra_op_num_threads == int(threads or 1)


@pytest.mark.parametrize("engine, loads", [("auto", True), ("rapidocr", True), ("tesseract", False)])
def test_warm_up_loads_the_first_readers_models_before_any_document(monkeypatch, engine, loads):
    from invoice_extract.extraction import ranking, warm_up

    monkeypatch.setenv(ocr_engines.ENGINE_VARIABLE, engine)
    monkeypatch.setattr(ocr_engines, "_rapid_engines", {})
    monkeypatch.setattr(ranking, "_loaded", {})
    warm_up()
    assert bool(ocr_engines._rapid_engines) is loads
    assert ranking._loaded  # the model file was read


def test_rapidocr_models_come_from_the_installed_wheel():
    import rapidocr

    paths = ocr_engines.rapidocr_model_paths()
    root = ocr_engines.Path(rapidocr.__file__).resolve().parent
    for path in paths.values():
        assert path.is_file() and root in path.parents


# --- boxes on the original image ---------------------------------------------------------------

@pytest.mark.parametrize("engine", ["tesseract", "rapidocr"])
def test_both_engines_box_words_where_they_are_printed(monkeypatch, page_and_boxes, engine):
    image, boxes = page_and_boxes
    monkeypatch.setenv(ocr_engines.ENGINE_VARIABLE, engine)
    page = ocr_page(image, 0)
    assert page.ocr_engine == engine
    read = {w.text: w for w in page.words}
    for text, box in boxes.items():
        assert text in read, f"{engine} did not read {text!r}: {sorted(read)}"
        word = read[text]
        expected = (box[0] / SIZE[0], box[1] / SIZE[1], box[2] / SIZE[0], box[3] / SIZE[1])
        assert _overlap(_original_box(word), expected) > 0.4, (text, _original_box(word), expected)
        assert 0.5 < word.conf <= 1.0
    # words of one printed line form one line, left to right
    lines = [" ".join(w.text for w in line) for line in page.lines()]
    assert lines == ["CORNER BAKERY", "Flat white", "TOTAL 42.50"]


@pytest.mark.parametrize("angle", [90, 180, 6, -4])
def test_rapidocr_reads_a_turned_photo_upright_with_boxes_on_the_photo(monkeypatch, page_and_boxes, angle):
    image, boxes = page_and_boxes
    photo = image.rotate(angle, expand=True, fillcolor="white")
    monkeypatch.setenv(ocr_engines.ENGINE_VARIABLE, "rapidocr")
    page = ocr_page(photo, 0)
    assert page.ocr_engine == "rapidocr"
    assert page.angle == pytest.approx(angle, abs=1.0)
    lines = [" ".join(w.text for w in line) for line in page.lines()]
    assert lines == ["CORNER BAKERY", "Flat white", "TOTAL 42.50"]
    read = {w.text: w for w in page.words}
    for text in ("CORNER", "TOTAL", "42.50"):
        expected = _expected_box(boxes[text], angle, SIZE, photo.size)
        assert _overlap(_original_box(read[text]), expected) > 0.35, (text, _original_box(read[text]), expected)


# --- line splitting and the page's turn ----------------------------------------------------------

def test_a_line_is_split_into_words_boxed_by_their_share_of_the_characters():
    quad = [(100, 50), (300, 50), (300, 70), (100, 70)]
    words = ocr_engines.split_line("TOTAL  9.50", quad)
    assert [t for t, _ in words] == ["TOTAL", "9.50"]
    (_, first), (_, second) = words
    assert first[0] == (100, 50) and first[1][0] == pytest.approx(100 + 200 * 5 / 11)
    assert second[1][0] == pytest.approx(300) and second[0][0] == pytest.approx(100 + 200 * 7 / 11)


@pytest.mark.parametrize("shape, verdict, turn", [
    ("wide", "0", 0), ("wide", "180", 180), ("tall", "0", 270), ("tall", "180", 90)])
def test_the_page_turn_comes_from_line_shapes_and_direction_verdicts(shape, verdict, turn):
    wide = [(0, 0), (200, 0), (200, 20), (0, 20)]
    tall = [(0, 0), (20, 0), (20, 200), (0, 200)]
    quad = wide if shape == "wide" else tall
    assert ocr_engines.page_turn([quad] * 4, [(verdict, 0.99)] * 4) == turn
    assert ocr_engines.page_turn([quad] * 2, [(verdict, 0.99)] * 2) == 0  # too few lines to tell


def test_rapidocr_loads_and_reads_accents_without_network(tmp_path):
    """A fresh process whose sockets refuse to connect loads the models and reads a line of
    the label languages' accents: nothing is fetched at run time."""
    import subprocess
    import sys

    script = tmp_path / "offline.py"
    script.write_text(f'''
import socket
def refuse(*a, **k):
    raise RuntimeError("network used")
socket.socket.connect = refuse
socket.create_connection = refuse
socket.getaddrinfo = refuse
from PIL import Image, ImageDraw, ImageFont
from invoice_extract.extraction import ocr_engines
img = Image.new("RGB", (640, 120), "white")
font = ImageFont.truetype({FONT!r}, 26)
ImageDraw.Draw(img).text((20, 40), "Grüße café niño à TOTAL 12,50", font=font, fill="black")
print(" ".join(w[0] for w in ocr_engines.rapidocr_words(img)))
''')
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split() == ["Grüße", "café", "niño", "à", "TOTAL", "12,50"]


@pytest.mark.parametrize("glued, words", [
    ("AvoirAV-2019-0042", ["Avoir", "AV-2019-0042"]),
    ("582204vom21.09.2019", ["582204", "vom", "21.09.2019"]),
    ("McDonald", ["McDonald"]), ("ChickenTikka", ["ChickenTikka"]), ("10L", ["10L"]),
    ("250g", ["250g"]), ("RM12.50", ["RM12.50"]), ("5.00SR", ["5.00SR"]),
])
def test_words_the_recognizer_glued_together_are_cut_apart(glued, words):
    quad = [(0, 0), (170, 0), (170, 10), (0, 10)]
    parts = ocr_engines._split_glued([(glued, quad)])
    assert [t for t, _ in parts] == words
    assert parts[0][1][0] == (0, 0) and parts[-1][1][1][0] == pytest.approx(170)


# --- text detection in strips -------------------------------------------------------------------

def _lines_page():
    """A page of 18 printed lines, 70 px apart: several sit across the strips' boundaries."""
    from PIL import Image, ImageDraw, ImageFont

    font = ImageFont.truetype(FONT, 30)
    image = Image.new("RGB", SIZE, "white")
    draw = ImageDraw.Draw(image)
    for row in range(18):
        draw.text((80, 60 + row * 72), f"Line {row + 1} costs {row + 10}.50 EUR", font=font, fill="black")
    return image


def test_a_large_page_is_detected_in_strips_that_find_every_line_once(monkeypatch):
    image = _lines_page()
    whole_page_inputs, strip_inputs = [], []
    detector = ocr_engines.rapidocr_engine()._load_det_model()
    assert isinstance(detector, ocr_engines.StripDetector)
    session = detector.detector.session

    def recording(into):
        def run(tensor):
            into.append(tensor.shape[2] * tensor.shape[3])
            return session(tensor)
        return run

    monkeypatch.setattr(detector.detector, "session", recording(whole_page_inputs))
    monkeypatch.setattr(ocr_engines, "RAPID_DET_STRIP_PIXELS", 10**9)
    whole = ocr_engines.rapidocr_words(image)
    monkeypatch.setattr(detector.detector, "session", recording(strip_inputs))
    monkeypatch.setattr(ocr_engines, "RAPID_DET_STRIP_PIXELS", 200_000)
    strips = ocr_engines.rapidocr_words(image)

    # RapidOCR shrinks the page to 1280 px on its long side before detection
    detected = SIZE[0] * SIZE[1] * (ocr_engines.RAPID_MAX_SIDE / max(SIZE)) ** 2
    assert len(whole_page_inputs) == 1 and whole_page_inputs[0] >= detected * 0.95
    assert len(strip_inputs) >= 3
    # each strip at most RAPID_DET_MIN_STRIP rows high (and the network's rounding to 32)
    assert max(strip_inputs) <= (ocr_engines.RAPID_DET_MIN_STRIP + 32) * (ocr_engines.RAPID_MAX_SIDE + 32)
    assert sum(w[0] == "Line" for w in strips) == 18  # every line once
    assert [w[0] for w in strips] == [w[0] for w in whole]
    # the same boxes, give or take the network's rounding of each input to multiples of 32
    def box(word):
        _, left, top, width, height, _ = word
        return (left, top, left + width, top + height)

    for a, b in zip(strips, whole):
        assert _overlap(box(a), box(b)) > 0.6, (a, b)
