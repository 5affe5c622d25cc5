"""The OCR engines a scanned page can be read by, behind one function shape.

Every engine turns an image into raw words ``(text, left, top, width, height, confidence 0..100)``
in pixels of the image it was handed (ocr_prep maps them back to the original page and into the
upright reading frame):

- **Tesseract** (Debian ``tesseract-ocr``): fast, reads every installed language pack, and is
  good on clean page scans;
- **RapidOCR** (the PyPI wheel ``rapidocr`` on ``onnxruntime``, PP-OCRv6 small detection and
  recognition, the PP-OCR text-direction classifier): a text-line detector and a line
  recognizer, much better on receipts and phone photos (see the README's OCR section), several
  times slower. Its lines are split into words with the boxes its recognizer reports per word
  (character positions of the CTC decoding), or proportionally to the characters when it gives
  none. Its models are files inside the wheel and are opened by path: nothing is downloaded.

Which one reads a page is configured by ``INVOICE_EXTRACT_OCR_ENGINE`` (see ``configured_engine``);
both run single-threaded per worker unless ``INVOICE_EXTRACT_OCR_THREADS`` says otherwise.
"""
from __future__ import annotations

import logging
import math
import os
import re
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Sequence

_logger = logging.getLogger(__name__)

ENGINE_VARIABLE = "INVOICE_EXTRACT_OCR_ENGINE"
THREADS_VARIABLE = "INVOICE_EXTRACT_OCR_THREADS"
ENGINES = ("auto", "tesseract", "rapidocr")

# Raw words: (text, left, top, width, height, confidence 0..100), pixels.
RawWord = tuple[str, int, int, int, int, float]

# RapidOCR's detector scales the image so that its shorter side is at least this (its
# ``limit_side_len`` with ``limit_type: min``). The wheel's default is 736; on the tuning folds
# (30 + 30 receipts) 640 read as many receipts' fields right and 2 more photographed totals
# (512: 3 fewer totals, 960: a date fewer), and it detects on fewer pixels.
RAPID_DET_SIDE = int(os.environ.get("INVOICE_EXTRACT_RAPIDOCR_DET_SIDE", "640") or 640)
# RapidOCR's text-direction classifier, asked about the page as a whole: its verdicts on the
# lines vote on whether the page is upside down (or which way a page turned by a quarter runs),
# and such a page is read again turned upright. It does not turn single lines: on the tuning
# fold of receipts_wild, letting it turn the lines it doubted cost a date (19 dated receipts:
# 15 right with it, 16 without).
RAPID_USE_CLS = True
# The image handed to RapidOCR is shrunk to at most this longest side first (its ``max_side_len``).
# 1280 rather than RapidOCR's 2000: detection memory grows with its input (an A4 page at 300 dpi:
# 909 MB peak at 2000, 531 MB at 1280); on 20 photographed receipts of the tuning fold the same
# fields came out right at 960 and at 2000, and 960 lost a digit on a turned noisy test scan.
RAPID_MAX_SIDE = 1280
# Lines recognized with a lower score than this (0..1) are dropped (the wheel's ``text_score``).
RAPID_MIN_SCORE = 0.5


def ocr_threads() -> int:
    """Threads one OCR call may use: 1 unless configured. The server runs its workers side by
    side (one document each); threads inside one call only wait on each other on a small
    machine (Tesseract on 2 cores: 2 s a receipt instead of 0.4 s)."""
    try:
        return max(1, int(os.environ.get(THREADS_VARIABLE, "1")))
    except ValueError:
        return 1


def single_threaded_tesseract() -> None:
    """Tesseract runs one OpenMP thread per core unless told otherwise. An explicit
    OMP_THREAD_LIMIT is kept; else it gets ``ocr_threads()``."""
    os.environ.setdefault("OMP_THREAD_LIMIT", str(ocr_threads()))


def configured_engine() -> str:
    """``INVOICE_EXTRACT_OCR_ENGINE``: ``auto`` (the default: RapidOCR when installed, Tesseract
    for what it reads better, see ``choose_engine``), ``tesseract`` or ``rapidocr``."""
    name = (os.environ.get(ENGINE_VARIABLE) or "auto").strip().lower()
    if name not in ENGINES:
        _logger.warning("unknown %s=%r; using auto", ENGINE_VARIABLE, name)
        return "auto"
    return name


def rapidocr_available() -> bool:
    try:
        import onnxruntime  # noqa: F401
        import rapidocr  # noqa: F401
    except ImportError:
        return False
    return True


def choose_engine(layout: str = "auto") -> str:
    """The engine that reads a page: the configured one; under ``auto``, RapidOCR for the first
    reading (it reads receipts, photos and the six label languages better, see the README) and
    Tesseract for the second reading (``layout="block"``, pipeline.second_reading), a second
    opinion from a different reader on the scans whose first reading missed a field.
    Without the RapidOCR wheel everything is read by Tesseract."""
    name = configured_engine()
    if name == "tesseract" or (name == "auto" and layout == "block"):
        return "tesseract"
    if not rapidocr_available():
        if name == "rapidocr":
            _logger.warning("%s=rapidocr but rapidocr/onnxruntime are not installed; using Tesseract",
                            ENGINE_VARIABLE)
        return "tesseract"
    return "rapidocr"


# --- Tesseract -------------------------------------------------------------------------------

def tesseract_words(image, lang: str = "eng", config: str = "") -> list[RawWord]:
    """Tesseract's words, in pixels of ``image``."""
    import pytesseract

    from .ocr_prep import image_file

    single_threaded_tesseract()
    with image_file(image) as path:
        data = pytesseract.image_to_data(path, lang=lang, config=config, output_type=pytesseract.Output.DICT)
    words = []
    for i, text in enumerate(data["text"]):
        text = (text or "").strip()
        conf = float(data["conf"][i])
        if not text or conf < 0:
            continue
        words.append((text, data["left"][i], data["top"][i], data["width"][i], data["height"][i], conf))
    return words


# --- RapidOCR --------------------------------------------------------------------------------

_rapid_lock = threading.Lock()
_rapid_engines: dict[tuple, object] = {}


def rapidocr_model_paths() -> dict[str, Path]:
    """The ONNX models inside the installed wheel. Opened by path, RapidOCR never goes to its
    download code (it downloads only when given no path and the file is missing)."""
    import rapidocr

    models = Path(rapidocr.__file__).resolve().parent / "models"
    paths = {"det": models / "PP-OCRv6_det_small.onnx",
             "cls": models / "ch_ppocr_mobile_v2.0_cls_mobile.onnx",
             "rec": models / "PP-OCRv6_rec_small.onnx"}
    missing = [str(p) for p in paths.values() if not p.is_file()]
    if missing:
        raise RuntimeError(f"the rapidocr wheel lacks its models: {', '.join(missing)}")
    return paths


def rapidocr_engine(det_side: int | None = None):
    """RapidOCR, loaded once per process (and per detection resolution): loading its three
    ONNX sessions takes longer than reading a receipt."""
    key = (det_side or RAPID_DET_SIDE, ocr_threads())
    engine = _rapid_engines.get(key)
    if engine is not None:
        return engine
    with _rapid_lock:
        engine = _rapid_engines.get(key)
        if engine is None:
            from rapidocr import RapidOCR

            paths = rapidocr_model_paths()
            threads = key[1]
            engine = RapidOCR(params={
                "Global.log_level": "error",
                "Global.text_score": RAPID_MIN_SCORE,
                "Global.max_side_len": RAPID_MAX_SIDE,
                "Global.return_word_box": True,
                "Global.use_cls": False,  # see RAPID_USE_CLS
                "Det.model_path": str(paths["det"]),
                "Cls.model_path": str(paths["cls"]),
                "Rec.model_path": str(paths["rec"]),
                "Det.limit_side_len": key[0],
                "EngineConfig.onnxruntime.intra_op_num_threads": threads,
                "EngineConfig.onnxruntime.inter_op_num_threads": 1,
                "Rec.rec_batch_num": RAPID_REC_BATCH,
            })
            with _lean_sessions():  # the three sessions now, not on the first page
                engine.text_det = StripDetector(engine._load_det_model())
                engine._load_cls_model()
                engine._load_rec_model()
            _rapid_engines[key] = engine
    return engine


# onnxruntime's session settings for RapidOCR beyond threads (which RapidOCR sets itself): no
# memory-pattern planning and basic graph optimizations only. Measured on 7 receipts and
# photos, same words read: peak RSS 558 MB with RapidOCR's settings, 504 MB without memory
# patterns, 443 MB with basic optimizations as well (see the README for the time).
# onnxruntime's CPU memory arena is off too: it keeps the largest tensors of every shape it
# met, and a worker reads many pages. Lines are recognized one at a time (RapidOCR batches 6):
# on 8 photographed receipts the process peaked at 557 MB with batches of 6 and the arena, at
# 410 MB with single lines and no arena, for 14 % more time.
RAPID_LEAN_SESSIONS = True
RAPID_BASIC_OPTIMIZATION = False
RAPID_REC_BATCH = int(os.environ.get("INVOICE_EXTRACT_RAPIDOCR_REC_BATCH", 1))


@contextmanager
def _lean_sessions():
    """RapidOCR's onnxruntime sessions created with RAPID_LEAN_SESSIONS' options (RapidOCR
    builds its SessionOptions itself and has no setting for these)."""
    try:
        from rapidocr.inference_engine.onnxruntime import main as ort_main
        original = ort_main.OrtInferSession._init_sess_opts
    except (ImportError, AttributeError):
        yield
        return
    if not RAPID_LEAN_SESSIONS:
        yield
        return

    def lean(cfg):
        from onnxruntime import GraphOptimizationLevel

        options = original(cfg)
        options.enable_mem_pattern = False
        options.enable_cpu_mem_arena = False
        if RAPID_BASIC_OPTIMIZATION:
            options.graph_optimization_level = GraphOptimizationLevel.ORT_ENABLE_BASIC
        return options

    ort_main.OrtInferSession._init_sess_opts = staticmethod(lean)
    try:
        yield
    finally:
        ort_main.OrtInferSession._init_sess_opts = staticmethod(original)


# Text detection holds activations in proportion to its input: about 230 MB per million pixels
# of the detector's input (PP-OCRv6 det small, onnxruntime on CPU; 1280 x 1280 px: +386 MB,
# 640 x 640: +110 MB). A larger input is detected in horizontal strips of at most this many
# pixels, which bounds a worker's memory whatever the page (bench.memory).
RAPID_DET_STRIP_PIXELS = int(os.environ.get("INVOICE_EXTRACT_RAPIDOCR_DET_STRIP_PIXELS", 600_000))
# Neighbouring strips overlap by this many rows of the detector's input. A text line is kept
# from the strip whose core (the strip less half the overlap at an inner edge) holds its
# centre, so a line up to this tall is found whole in one strip and never twice.
RAPID_DET_STRIP_OVERLAP = 128
RAPID_DET_MIN_STRIP = 4 * RAPID_DET_STRIP_OVERLAP


class StripDetector:
    """RapidOCR's text detector, run on horizontal strips of an image whose detection input
    would pass RAPID_DET_STRIP_PIXELS. Strips are full width: text lines run across a page, so
    a strip boundary cuts through few of them, and those few are taken from the neighbour that
    holds them whole. Boxes come back in the frame of the image it was given, as the wrapped
    detector's do."""

    def __init__(self, detector):
        self.detector = detector

    def __getattr__(self, name):
        return getattr(self.detector, name)

    def input_scale(self, height: int, width: int) -> float:
        """The detector's own scaling of an image (its ``limit_side_len`` rule)."""
        limit, kind = self.detector.limit_side_len, str(self.detector.limit_type)
        if kind.endswith("max"):
            return min(1.0, limit / max(height, width))
        return max(1.0, limit / min(height, width))

    def __call__(self, img):
        height, width = img.shape[:2]
        scale = self.input_scale(height, width)
        if height * width * scale * scale <= RAPID_DET_STRIP_PIXELS:
            return self.detector(img)
        return self.by_strips(img, scale)

    def by_strips(self, img, scale: float):
        import cv2
        import numpy as np
        from rapidocr.ch_ppocr_det.utils import DetPreProcess
        from rapidocr.ch_ppocr_det.main import TextDetOutput

        scaled = img if scale == 1.0 else cv2.resize(
            img, (max(1, round(img.shape[1] * scale)), max(1, round(img.shape[0] * scale))))
        height, width = scaled.shape[:2]
        overlap = RAPID_DET_STRIP_OVERLAP
        tallest = max(RAPID_DET_MIN_STRIP, RAPID_DET_STRIP_PIXELS // width)
        count = max(1, math.ceil((height - overlap) / (tallest - overlap)))
        strip = math.ceil((height + (count - 1) * overlap) / count)
        step = strip - overlap
        # the strips are not scaled again: only rounded to the network's multiple of 32
        prepare = DetPreProcess(32, "min", self.detector.mean, self.detector.std)
        boxes, scores = [], []
        for index in range(count):
            top = index * step
            part = scaled[top:top + strip]  # never empty: the last strip ends at the bottom
            preds = self.detector.session(prepare(part))
            part_boxes, part_scores = self.detector.postprocess_op(preds, part.shape[:2])
            core_top = top + (overlap / 2 if index else 0)
            core_bottom = top + strip - overlap / 2 if index < count - 1 else height
            for box, score in zip(part_boxes, part_scores):
                box = np.asarray(box, dtype=np.float32).copy()
                box[:, 1] += top
                centre = float(box[:, 1].mean())
                if core_top <= centre < core_bottom:
                    boxes.append(box / scale)
                    scores.append(score)
            del preds  # else the last strip's map is held while the next strip is detected
        if not boxes:
            return TextDetOutput()
        ordered = self.detector.sorted_boxes(np.stack(boxes))
        # the scores follow their boxes into sorted_boxes' reading order
        score_of = {box.tobytes(): score for box, score in zip(boxes, scores)}
        return TextDetOutput(img, ordered, [score_of[box.tobytes()] for box in ordered])


class Reading(list):
    """Raw words of one reading, with what the engine saw of the page's orientation:
    ``tilt`` the median counter-clockwise turn (degrees) of its text lines, ``turn`` the quarter
    turn (0, 90, 180, 270, counter-clockwise) its line shapes and direction classifier point to."""

    tilt: float = 0.0
    turn: int = 0

    def __init__(self, *args):
        super().__init__(*args)
        # per word: (centre x, centre y, width along the line, line height, centre x and y of
        # its line), pixels
        self.upright: list[tuple[float, float, float, float]] = []


# RapidOCR reads a page of at most this many pixels; a larger one (an A4 page rendered at
# 300 dpi is 8.7 M) is read from a smaller copy and its boxes scaled back. onnxruntime's
# detection activations grow with the input: an A4 page at 300 dpi made a process peak at
# 909 MB; at 4 M pixels and a detection side of 1280, 531 MB (bench.memory).
RAPID_MAX_PIXELS = int(os.environ.get("INVOICE_EXTRACT_RAPIDOCR_MAX_PIXELS", 4_000_000))


def rapidocr_words(image, det_side: int | None = None) -> Reading:
    """RapidOCR's words, in pixels of ``image``: each recognized line split into words."""
    pixels = image.width * image.height
    if pixels <= RAPID_MAX_PIXELS:
        return _rapidocr_words(image, det_side)
    scale = (RAPID_MAX_PIXELS / pixels) ** 0.5
    small = image.resize((max(1, round(image.width * scale)), max(1, round(image.height * scale))))
    reading = _rapidocr_words(small, det_side)
    back = Reading(
        (text, int(round(left / scale)), int(round(top / scale)), max(1, int(round(width / scale))),
         max(1, int(round(height / scale))), conf) for text, left, top, width, height, conf in reading)
    back.turn, back.tilt = reading.turn, reading.tilt
    back.upright = [tuple(v / scale for v in entry) for entry in reading.upright]
    return back


def _rapidocr_words(image, det_side: int | None = None) -> Reading:
    engine = rapidocr_engine(det_side)
    rgb = image.convert("RGB") if image.mode != "RGB" else image
    turn = 0
    try:  # the steps of RapidOCR.__call__, with the direction classifier asked about the page
        original = engine.load_img(rgb)
        img, record = engine.preprocess_img(original)
        det, cls, rec, crops = engine.run_ocr_steps(img, record)
        if RAPID_USE_CLS and crops:
            turn = page_turn(det.boxes, engine._load_cls_model()(crops).cls_res)
        out = engine.build_final_output(original, det, cls, rec, crops, record)
    except AttributeError:  # another rapidocr version: its public call, without the verdicts
        out = engine(rgb)
    reading = Reading()
    reading.turn = turn
    boxes = getattr(out, "boxes", None)
    if boxes is None or not getattr(out, "txts", None):
        return reading
    word_results = getattr(out, "word_results", None) or ()
    # word_results lines up with the lines only when every line got its word boxes
    aligned = len(word_results) == len(out.txts)
    quads = []
    for i, (quad, text, score) in enumerate(zip(boxes, out.txts, out.scores)):
        quad = [(float(p[0]), float(p[1])) for p in quad]
        quads.append(quad)
        line_words = _line_words(word_results[i]) if aligned else None
        if not line_words or [t for t, _ in line_words] != text.split():
            line_words = split_line(text, quad)
        _, line_height = _quad_sides(quad)
        line_cx, line_cy = sum(p[0] for p in quad) / 4, sum(p[1] for p in quad) / 4
        for word, word_quad in _split_glued(line_words):
            xs, ys = [p[0] for p in word_quad], [p[1] for p in word_quad]
            left, top, right, bottom = min(xs), min(ys), max(xs), max(ys)
            reading.append((word, int(round(left)), int(round(top)), max(1, int(round(right - left))),
                            max(1, int(round(bottom - top))), float(score) * 100))
            # the word's own size along its line (its box above is the bounding box, taller
            # than the word on a tilted line)
            width, _ = _quad_sides(word_quad)
            reading.upright.append((sum(xs) / 4, sum(ys) / 4, max(1.0, width), max(1.0, line_height),
                                    line_cx, line_cy))
    reading.tilt = line_angle(quads)
    return reading


def _quad_sides(quad) -> tuple[float, float]:
    (x0, y0), (x1, y1), (x2, y2) = [(float(p[0]), float(p[1])) for p in quad[:3]]
    return math.hypot(x1 - x0, y1 - y0), math.hypot(x2 - x1, y2 - y1)


def page_turn(boxes, verdicts) -> int:
    """The page's quarter turn from RapidOCR's own evidence, 0 when unsure.

    RapidOCR turns a line box at least 1.5 times taller than wide a quarter counter-clockwise
    before reading it, and its direction classifier then says whether the crop is upside down
    ("180"). So: mostly wide lines read upside down → the page is upside down (180); mostly
    tall lines, read upright after the quarter turn → the page was turned clockwise (270),
    read upside down → counter-clockwise (90). Weighted by line length."""
    if boxes is None or not verdicts or len(boxes) != len(verdicts) or len(boxes) < 3:
        return 0
    weight = {"wide": 0.0, "tall": 0.0}
    flipped = {"wide": 0.0, "tall": 0.0}
    for quad, verdict in zip(boxes, verdicts):
        width, height = _quad_sides(quad)
        kind = "tall" if width > 0 and height / width >= 1.5 else "wide"
        length = max(width, height)
        weight[kind] += length
        label = verdict[0] if isinstance(verdict, (tuple, list)) else verdict
        if str(label) == "180":
            flipped[kind] += length
    total = weight["wide"] + weight["tall"]
    if not total:
        return 0
    if weight["tall"] > 0.5 * total:
        return 90 if flipped["tall"] > 0.5 * weight["tall"] else 270
    return 180 if flipped["wide"] > 0.5 * weight["wide"] else 0


def _line_words(items) -> list[tuple[str, list[tuple[float, float]]]] | None:
    """RapidOCR's word boxes of one line (quadrilaterals); None when it gave none. Its "words"
    are runs of characters between spaces (CJK: single characters)."""
    out = []
    for item in items or ():
        try:
            text, _score, quad = item
        except (TypeError, ValueError):
            return None
        text = (text or "").strip()
        if not text or quad is None or len(quad) < 4:
            continue
        out.append((text, [(float(p[0]), float(p[1])) for p in quad[:4]]))
    return out or None


# PP-OCR's recognizer often drops the space between two words ("AvoirAV-2019-0042",
# "582204vom21.09.2019"): a label glued to its value hides both from the finders. A token is cut
# where a lower-case word meets an upper-case code ("Avoir|AV-2019", not "McDonald" or
# "ChickenTikka": the capital must be followed by another capital or a digit) and where a short
# lower-case word sits between digits ("582204|vom|21.09.2019", not "10L" or "250g").
GLUED = re.compile(r"(?<=[a-zà-ÿß]{2})(?=[A-Z][A-Z0-9])|(?<=\d)(?=[a-zà-ÿß]{2,4}\d)|(?<=\d[a-zà-ÿß]{2})(?=\d)"
                   r"|(?<=\d[a-zà-ÿß]{3})(?=\d)|(?<=\d[a-zà-ÿß]{4})(?=\d)")


def _split_glued(line_words):
    """The words of a line with glued words cut apart (GLUED), each part boxed by its share of
    the characters along the word's quadrilateral."""
    out = []
    for text, quad in line_words:
        cuts = [m.start() for m in GLUED.finditer(text) if 0 < m.start() < len(text)]
        if not cuts:
            out.append((text, quad))
            continue
        spaced = text
        for cut in reversed(cuts):
            spaced = spaced[:cut] + " " + spaced[cut:]
        out.extend(split_line(spaced, quad))
    return out


def split_line(text: str, quad: Sequence[tuple[float, float]]) -> list[tuple[str, list[tuple[float, float]]]]:
    """A recognized line split at its spaces, each word's quadrilateral its share of the
    characters along the line's (top-left, top-right, bottom-right, bottom-left)."""
    tokens, pos = [], 0
    for token in text.split(" "):
        if token.strip():
            tokens.append((token.strip(), pos, pos + len(token)))
        pos += len(token) + 1
    n = max(1, len(text))
    (tlx, tly), (trx, try_), (brx, bry), (blx, bly) = quad[:4]
    out = []
    for token, start, end in tokens:
        a, b = start / n, end / n
        out.append((token, [(tlx + (trx - tlx) * a, tly + (try_ - tly) * a),
                            (tlx + (trx - tlx) * b, tly + (try_ - tly) * b),
                            (blx + (brx - blx) * b, bly + (bry - bly) * b),
                            (blx + (brx - blx) * a, bly + (bry - bly) * a)]))
    return out


def line_angle(quads: Sequence[Sequence[tuple[float, float]]]) -> float:
    """The median counter-clockwise turn (degrees) of the wide text lines' top edges."""
    angles = []
    for quad in quads:
        (x0, y0), (x1, y1) = quad[0], quad[1]
        width, height = _quad_sides(quad)
        if width > 2 * height:
            angles.append(math.degrees(math.atan2(-(y1 - y0), x1 - x0)))
    if not angles:
        return 0.0
    angles.sort()
    return angles[len(angles) // 2]
