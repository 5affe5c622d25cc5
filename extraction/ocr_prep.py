"""Scans and photos before Tesseract: orientation, deskew; boxes back to the page.

A page image is read in three cheap steps, the costly one only when needed:

1. a gray copy for measuring (Tesseract itself gets RGB or gray as sent, see ocr_image);
2. a small skew (up to SKEW_RANGE degrees: a photo, a careless scan) is estimated by
   projection profiles of a downscaled, binarized copy (Pillow only, a few tens of
   milliseconds). From RESAMPLE_MIN on the image is turned straight before Tesseract reads
   it; below, Tesseract reads the tilted lines as they are and only the word boxes are
   levelled, so that the words of one printed line still form one line;
3. Tesseract reads it. Only when that first reading looks wrong (low confidence, as on a
   page upside down, or lines running down the page, as on a page turned by a quarter)
   Tesseract's orientation detection (OSD) runs, and the page is read again turned upright;
   the better reading wins. OSD failing (too few characters, a blank page) means no turn.

No contrast or threshold step: Tesseract binarizes itself, and the one clean-up measured on
the receipts corpus (Pillow's gray conversion) lost a whole receipt.

Words keep two boxes: ``x0 … y1`` in the upright reading frame (lines, left/right,
above/below stay meaningful for the finders) and ``page_box`` in the frame of the original
image (what a candidate's ``coords`` report), with the page's ``angle``.

``angle`` is the counter-clockwise rotation, in degrees within (-180, 180], of the printed page
in the image: 90 for a page turned a quarter left, 180 upside down, 3 for a small turn left.
"""
from __future__ import annotations

import logging
import math
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Callable, Sequence

from .document import Word

_logger = logging.getLogger(__name__)

# Skew search: ±SKEW_RANGE degrees, coarse then fine; a skew below SKEW_MIN is no skew.
SKEW_RANGE = 10.0
SKEW_COARSE_STEP = 0.5
SKEW_FINE_STEP = 0.1
SKEW_MIN = 0.4
# A small turn is resampled away from this on; below, Tesseract reads the tilted lines as they
# are (it copes, and resampling costs digits: measured on the receipts corpus) and only the word
# boxes are turned upright for the line grouping.
RESAMPLE_MIN = 2.0
# Longest side of the copy the skew is measured on.
PROFILE_SIDE = 700
# A first reading "looks wrong" when it has fewer confident words than this, or a mean
# confidence below LOW_MEAN_CONF (upright receipts of the corpus: 0.5 and more; upside-down
# pages: about 0.25-0.4), or when its lines run down the page (vertical_share).
MIN_GOOD_WORDS = 6
LOW_MEAN_CONF = 0.45
# OSD is trusted from this orientation confidence on.
MIN_OSD_CONF = 1.0
# OSD reads an image at most this large (longest side); larger ones are downscaled.
OSD_MAX_SIDE = 2600

# Tesseract reads text best when its lines are at least this tall (pixels); a receipt scanned
# at low resolution prints smaller and is read upscaled, by at most MAX_UPSCALE. Measured on
# the receipts corpus (dates read right, of 150): never enlarged 132, at most 1.2× 137,
# 1.25× 138, 1.3× 136, 1.5× 136; Tesseract's time grows with the pixels (1.25² = 1.56).
MIN_LINE_HEIGHT = 16
MAX_UPSCALE = 1.25
# A row of the page is "inked" from this share of dark pixels on (1 / 32).
INKED_ROW = 8

# Raw Tesseract words: (text, left, top, width, height, confidence 0..100), pixels.
RawWord = tuple[str, int, int, int, int, float]


@dataclass
class Frame:
    """A rotation about the image centre, as PIL's ``rotate(angle, expand=True)`` does it."""

    width: int  # original image
    height: int
    angle: float = 0.0  # counter-clockwise turn of the content (the correction turns by -angle)
    out_width: int = 0  # corrected image (the one Tesseract read)
    out_height: int = 0
    # A small turn left in the image Tesseract read (below RESAMPLE_MIN): its words are
    # turned upright about the centre for the reading frame, and the original mapping
    # ignores it (the image was not resampled).
    tilt: float = 0.0

    def __post_init__(self):
        if not self.out_width:
            self.out_width, self.out_height = self.width, self.height

    def to_original(self, x: float, y: float) -> tuple[float, float]:
        """A point of the corrected image (pixels) → the same point on the original image."""
        turned = self.angle - self.tilt
        if not turned:
            return x, y
        # The correction turned the picture by -angle; undo it: turn by +angle about the centres.
        dx, dy = _turn(x - self.out_width / 2, y - self.out_height / 2, turned)
        return dx + self.width / 2, dy + self.height / 2

    def page_box(self, left: float, top: float, right: float, bottom: float) -> tuple[float, float, float, float]:
        """A box of the corrected image (pixels) → its bounding box on the original, relative 0..1."""
        return _bounds([self.to_original(x, y) for x in (left, right) for y in (top, bottom)],
                       self.width, self.height)

    def reading_box(self, left: float, top: float, right: float, bottom: float) -> tuple[float, float, float, float]:
        """A box of the corrected image (pixels) → the upright reading frame, relative 0..1."""
        w, h = self.out_width or 1, self.out_height or 1
        if not self.tilt:
            return _bounds([(left, top), (right, bottom)], w, h)
        pts = [_turn(x - w / 2, y - h / 2, -self.tilt) for x in (left, right) for y in (top, bottom)]
        return _bounds([(px + w / 2, py + h / 2) for px, py in pts], w, h)


def _turn(dx: float, dy: float, degrees: float) -> tuple[float, float]:
    """A vector turned counter-clockwise on screen (y pointing down) by ``degrees``."""
    a = math.radians(degrees)
    return dx * math.cos(a) + dy * math.sin(a), -dx * math.sin(a) + dy * math.cos(a)


def _bounds(points, width: float, height: float) -> tuple[float, float, float, float]:
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    clip = lambda v: min(1.0, max(0.0, v))  # noqa: E731
    return (clip(min(xs) / width), clip(min(ys) / height), clip(max(xs) / width), clip(max(ys) / height))


def normalize_angle(angle: float) -> float:
    a = math.fmod(angle, 360.0)
    if a <= -180:
        a += 360
    elif a > 180:
        a -= 360
    return round(a, 2) + 0.0


def ocr_image(image):
    """The image as Tesseract gets it: RGB and 8-bit gray as they are, anything else gray, with
    transparency laid on white (a transparent PNG is not black).

    RGB is not grayed here: Tesseract binarizes a colour image itself, and does it better
    than Pillow's gray conversion on some scans (a faint dot-matrix receipt of the corpus
    reads fine in colour and to no word at all once converted to gray).
    """
    from PIL import Image

    if image.mode in ("L", "RGB"):
        return image
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return Image.alpha_composite(background, rgba).convert("RGB")
    return image.convert("L")


@contextmanager
def image_file(image):
    """The image as a file Tesseract reads: uncompressed PNM.

    Handed a Pillow image, pytesseract writes a PNG first (or re-encodes a JPEG, losing
    detail); on a receipt the PNG compression alone cost about a fifth of Tesseract's own
    reading time. A PNM is written at memory speed and read losslessly.
    """
    with tempfile.NamedTemporaryFile(prefix="invoice_extract_", suffix=".pnm") as f:
        image.save(f, format="PPM")  # P5 for gray, P6 for RGB
        f.flush()
        yield f.name


def grayscale(image):
    """An 8-bit gray copy for measuring (skew, orientation)."""
    image = ocr_image(image)
    return image if image.mode == "L" else image.convert("L")


def otsu_threshold(histogram: Sequence[int]) -> int:
    """The gray level that best splits a histogram into ink and paper (Otsu's method)."""
    total = sum(histogram)
    if not total:
        return 128
    sum_all = sum(i * h for i, h in enumerate(histogram))
    weight_b = sum_b = 0.0
    best, threshold = -1.0, 128
    for i, h in enumerate(histogram):
        weight_b += h
        if not weight_b:
            continue
        weight_f = total - weight_b
        if not weight_f:
            break
        sum_b += i * h
        mean_b, mean_f = sum_b / weight_b, (sum_all - sum_b) / weight_f
        between = weight_b * weight_f * (mean_b - mean_f) ** 2
        if between > best:
            best, threshold = between, i
    return threshold


def _ink(gray, side: int = PROFILE_SIDE):
    """A downscaled copy with ink 255 on 0, or None when there is (almost) no ink."""
    from PIL import Image

    scale = min(1.0, side / max(gray.size))
    small = gray if scale >= 1 else gray.resize(
        (max(1, round(gray.width * scale)), max(1, round(gray.height * scale))), Image.BILINEAR)
    threshold = otsu_threshold(small.histogram())
    ink = small.point([255 if v <= threshold else 0 for v in range(256)])
    share = ink.histogram()[255] / max(1, ink.width * ink.height)
    if not 0.002 < share < 0.5:
        return None
    return ink


def _profile_score(ink, correction: float) -> float:
    """How sharply rows separate into ink and blank once turned by ``correction`` degrees."""
    from PIL import Image

    turned = ink.rotate(correction, resample=Image.NEAREST, fillcolor=0) if correction else ink
    rows = turned.resize((1, turned.height), Image.BOX).tobytes()
    return float(sum((a - b) ** 2 for a, b in zip(rows, rows[1:])))


def estimate_skew(gray) -> float:
    """The small counter-clockwise turn (degrees) of the text lines, 0 when there is none to see."""
    ink = _ink(gray)
    if ink is None or min(ink.size) < 32:
        return 0.0
    steps = int(round(SKEW_RANGE / SKEW_COARSE_STEP))
    scores = {i * SKEW_COARSE_STEP: _profile_score(ink, i * SKEW_COARSE_STEP) for i in range(-steps, steps + 1)}
    coarse = max(scores, key=scores.get)
    if abs(coarse) >= SKEW_RANGE or scores[coarse] <= 0:
        return 0.0  # at the edge of the search: not a skewed page of text lines
    fine_steps = int(round(SKEW_COARSE_STEP / SKEW_FINE_STEP))
    for i in range(-fine_steps + 1, fine_steps):
        c = round(coarse + i * SKEW_FINE_STEP, 3)
        if c not in scores:
            scores[c] = _profile_score(ink, c)
    best = max(scores, key=scores.get)
    # a flat optimum (no text lines, a picture) is no evidence of a turn
    if scores[best] < 1.02 * scores[0.0]:
        return 0.0
    return -best  # the correction turns by `best`; the content is turned by -best


def detect_orientation(gray) -> int:
    """0, 90, 180 or 270: the counter-clockwise quarter turns of the page, by Tesseract OSD.

    0 when OSD cannot tell (too few characters, a blank page, an error of Tesseract).
    """
    import pytesseract
    from PIL import Image

    image = gray
    scale = OSD_MAX_SIDE / max(gray.size)
    if scale < 1:
        image = gray.resize((max(1, round(gray.width * scale)), max(1, round(gray.height * scale))), Image.BILINEAR)
    try:
        with image_file(image) as path:
            osd = pytesseract.image_to_osd(path, output_type=pytesseract.Output.DICT)
    except (pytesseract.TesseractError, RuntimeError, ValueError, TypeError, OSError) as e:
        _logger.debug("no orientation for the page: %s", e)
        return 0
    try:
        rotate, confidence = int(osd.get("rotate", 0)) % 360, float(osd.get("orientation_conf", 0))
    except (TypeError, ValueError):
        return 0
    if rotate not in (90, 180, 270) or confidence < MIN_OSD_CONF:
        return 0
    return rotate  # Tesseract's "rotate" (clockwise fix) is our counter-clockwise turn


def straighten(image, angle: float):
    """The image turned upright (by -angle), and the frame mapping it back."""
    from PIL import Image

    width, height = image.size
    if not angle:
        return image, Frame(width, height)
    quarter = int(round(angle / 90.0)) % 4
    if quarter:
        image = image.transpose({1: Image.Transpose.ROTATE_270, 2: Image.Transpose.ROTATE_180,
                                 3: Image.Transpose.ROTATE_90}[quarter])
    rest = angle - 90 * round(angle / 90.0)
    if abs(rest) > 1e-6:
        image = image.rotate(-rest, resample=Image.BICUBIC, expand=True, fillcolor="white")
    return image, Frame(width, height, angle, image.width, image.height)


def quality(raw: Sequence[RawWord]) -> tuple[int, float]:
    """(confident words, mean confidence 0..1) of a reading."""
    real = [conf for text, *_box, conf in raw if sum(ch.isalnum() for ch in text) >= 2]
    if not real:
        return 0, 0.0
    return sum(1 for c in real if c >= 60), sum(real) / len(real) / 100


def vertical_share(raw: Sequence[RawWord]) -> float:
    """Share of the longer words boxed taller than wide: Tesseract reads lines turned by a
    quarter as vertical text, well enough, but the layout is then the wrong way round."""
    longer = [(w, h) for text, _l, _t, w, h, _c in raw if len(text) >= 3]
    if not longer:
        return 0.0
    return sum(1 for w, h in longer if h > w) / len(longer)


def looks_wrong(raw: Sequence[RawWord]) -> bool:
    good, mean = quality(raw)
    return good < MIN_GOOD_WORDS or mean < LOW_MEAN_CONF or vertical_share(raw) > 0.5


def _better(a: Sequence[RawWord], b: Sequence[RawWord]) -> bool:
    """Is reading ``a`` better than ``b``? Lines across rather than down, then more confident
    words, then a higher mean."""
    qa, qb = quality(a), quality(b)
    return ((vertical_share(a) <= 0.5, qa[0] * qa[1], qa[1]) >
            (vertical_share(b) <= 0.5, qb[0] * qb[1], qb[1]))


def line_height(gray) -> float | None:
    """The median height (pixels) of the page's text lines, from its row profile."""
    from PIL import Image

    ink = _ink(gray, side=max(gray.size))
    if ink is None:
        return None
    rows = ink.resize((1, ink.height), Image.BOX).tobytes()
    runs, run = [], 0
    for value in list(rows) + [0]:
        if value > INKED_ROW:
            run += 1
        elif run:
            runs.append(run)
            run = 0
    # (a run taller than a tenth of the page is noise or a picture, not a line of text)
    runs = sorted(r for r in runs if 4 <= r <= ink.height / 10)
    return float(runs[len(runs) // 2]) if len(runs) >= 3 else None


def text_scale(gray) -> float:
    """How much to enlarge the page for Tesseract (1 when its text is tall enough)."""
    height = _safe(line_height, gray, default=None)
    if not height or height >= MIN_LINE_HEIGHT:
        return 1.0
    return min(MAX_UPSCALE, MIN_LINE_HEIGHT / height)


def read(image, tesseract: Callable[[object], list[RawWord]], index: int) -> tuple[list[Word], float]:
    """Words of a page image (boxes as described above) and the page's angle."""
    image = ocr_image(image)
    gray = grayscale(image)
    angle = _small_turn(gray)
    # lines are measured level: a tilt smears the row profile
    scale = text_scale(_safe(straighten, gray, angle, default=(gray,))[0] if angle else gray)
    if scale > 1.0:
        tesseract = _enlarged(tesseract, scale)
    raw, frame = _read_at(image, angle, tesseract)
    if looks_wrong(raw):
        quarter = _safe(detect_orientation, gray, default=0)
        if quarter:
            second_angle = quarter + _small_turn(straighten(gray, quarter)[0])
            second, second_frame = _read_at(image, second_angle, tesseract)
            if _better(second, raw):
                raw, frame, angle = second, second_frame, second_angle
    return _words(raw, frame, index), normalize_angle(angle)


def _enlarged(tesseract, scale: float):
    """Tesseract on the image enlarged by ``scale``, its word boxes given back at the original size."""
    from PIL import Image

    def read_enlarged(image):
        big = image.resize((round(image.width * scale), round(image.height * scale)), Image.LANCZOS)
        return [(text, round(left / scale), round(top / scale), max(1, round(width / scale)),
                 max(1, round(height / scale)), conf)
                for text, left, top, width, height, conf in tesseract(big)]

    return read_enlarged


def _small_turn(gray) -> float:
    skew = _safe(estimate_skew, gray, default=0.0)
    return skew if abs(skew) >= SKEW_MIN else 0.0


def _read_at(image, angle: float, tesseract) -> tuple[list[RawWord], "Frame"]:
    """Tesseract on the page turned upright by ``angle``.

    Quarter turns are lossless. A small rest is resampled away only from RESAMPLE_MIN on:
    below it Tesseract reads the tilted lines as well or better than a resampled copy, and
    the words are turned upright afterwards (``Frame.tilt``) for the line grouping.
    """
    quarter = 90 * round(angle / 90.0)
    rest = angle - quarter
    if abs(rest) >= RESAMPLE_MIN:
        image, frame = straighten(image, angle)
    else:
        image, frame = straighten(image, quarter)
        frame.tilt = rest
        frame.angle = angle
    return tesseract(image), frame


def _safe(fn, *args, default):
    try:
        return fn(*args)
    except Exception:  # preparation is an optimisation: never fatal to reading the page
        _logger.warning("%s failed; reading the page as it is", fn.__name__, exc_info=True)
        return default


def _words(raw: Sequence[RawWord], frame: Frame, index: int) -> list[Word]:
    angle = normalize_angle(frame.angle)
    words = []
    for text, left, top, width, height, conf in raw:
        right, bottom = left + width, top + height
        x0, y0, x1, y1 = frame.reading_box(left, top, right, bottom)
        page_box = frame.page_box(left, top, right, bottom) if frame.angle else None
        words.append(Word(text=text, x0=x0, y0=y0, x1=x1, y1=y1, page=index, conf=conf / 100,
                          angle=angle, page_box=page_box))
    return words


# --- RapidOCR ----------------------------------------------------------------------------------
# RapidOCR needs less of the above: its detector finds tilted lines and its reader crops each one
# along its own box, and its recognizer scales every line to one height (no upscaling of small
# print). What it still needs is the page's orientation for the layout (lines across, top to
# bottom) and the tilt for grouping words into lines: both come from its own reading
# (ocr_engines.Reading.turn and .tilt), with no projection profile and no Tesseract OSD.

# Re-read a page RapidOCR saw turned (see ocr_engines.page_turn) upright.
RAPID_TURNS = True


def read_rapid(image, rapid: Callable[[object], Sequence[RawWord]], index: int) -> tuple[list[Word], float]:
    """Words of a page image read by RapidOCR (boxes as described at the top) and the page's angle."""
    image = ocr_image(image)
    raw = rapid(image)
    frame = Frame(*image.size)
    turn = getattr(raw, "turn", 0) or 0
    if turn and RAPID_TURNS:
        # read again turned upright (lossless): the layout needs lines across, top to bottom
        turned, turned_frame = straighten(image, turn)
        second = rapid(turned)
        if len(second) >= 0.8 * len(raw):
            raw, frame = second, turned_frame
    tilt = getattr(raw, "tilt", 0.0) or 0.0
    if SKEW_MIN <= abs(tilt) <= 45:
        frame.tilt = tilt
        frame.angle = frame.angle + tilt
    upright = getattr(raw, "upright", None)
    if not upright or len(upright) != len(raw):
        return _words(raw, frame, index), normalize_angle(frame.angle)
    return _levelled_words(raw, upright, frame, index), normalize_angle(frame.angle)


def _levelled_words(raw: Sequence[RawWord], upright, frame: Frame, index: int) -> list[Word]:
    """Words of a RapidOCR reading in the reading frame: each at its centre turned upright, as
    wide as it runs along its line, and at the height of its line's centre, as tall as the line.
    Turning its bounding box instead would make every word of a tilted line taller, and
    neighbouring lines merge; the line's own height keeps the words RapidOCR read as one line
    on one line even where a photographed page curves."""
    angle = normalize_angle(frame.angle)
    w, h = frame.out_width or 1, frame.out_height or 1
    clip = lambda v: min(1.0, max(0.0, v))  # noqa: E731
    words = []
    for (text, left, top, width, height, conf), (cx, cy, along, across, lx, ly) in zip(raw, upright):
        x = _turn(cx - w / 2, cy - h / 2, -frame.tilt)[0] + w / 2
        y = _turn(lx - w / 2, ly - h / 2, -frame.tilt)[1] + h / 2
        words.append(Word(text=text, x0=clip((x - along / 2) / w), y0=clip((y - across / 2) / h),
                          x1=clip((x + along / 2) / w), y1=clip((y + across / 2) / h), page=index,
                          conf=conf / 100, angle=angle,
                          page_box=frame.page_box(left, top, left + width, top + height) if frame.angle else None))
    return words
