"""2D codes printed on a page (Swiss QR-bill, EPC/GiroCode, ZATCA …), decoded with zbar.

The reader calls ``decode_image`` on every image it already renders for OCR, and
``scan_pdf_page`` on digital PDF pages. A digital page is not rendered blindly: only the
places that may carry a code are, each cropped and at a resolution fitting it: embedded
images of at least ~9 mm, and clusters of many small filled rectangles or paths (a code
drawn as vectors). Boxes are relative to the page (0..1, origin top-left), as word boxes.
"""
from __future__ import annotations

import logging
from ctypes import c_void_p, cast
from dataclasses import dataclass

from .ocr_prep import otsu_threshold

_logger = logging.getLogger(__name__)

# zbar's QR decoder guesses a text encoding (often Big5 or Shift-JIS for UTF-8 bytes):
# ZBAR_CFG_BINARY (zbar >= 0.23.1) hands back the bytes as encoded in the symbol.
_ZBAR_CFG_BINARY = 4
_ZBAR_CFG_ENABLE = 0  # zbar_config_t ZBAR_CFG_ENABLE
_ZBAR_CFG_X_DENSITY, _ZBAR_CFG_Y_DENSITY = 0x100, 0x101
# zbar looks for codes along every SCAN_DENSITY-th row and column (zbarimg's x-density and
# y-density). A QR finder pattern is 7 modules wide, so every second line still crosses it
# many times, and the modules are then sampled at full resolution: half the scanning time.
SCAN_DENSITY = 2

# Digital pages: an embedded image or a vector cluster smaller than this (points) is no code.
MIN_CODE_PT = 25.0
# A vector code is many small filled shapes: modules (or runs of modules) at most this thick …
MAX_MODULE_PT = 6.0
MAX_RUN_PT = 60.0
# … and at least this many in one cluster.
MIN_VECTOR_SHAPES = 40
_BIN_PT = 12.0
# Rendered crops: at least 2 px per point (144 dpi), at most 300 dpi for images, and
# never more pixels than this per crop.
MIN_SCALE, MAX_IMAGE_SCALE, MAX_VECTOR_SCALE = 2.0, 300 / 72, 8.0
MAX_CROP_PIXELS = 6_000_000
# The thresholded/upscaled second try only runs on images at most this large.
RETRY_MAX_PIXELS = 2_500_000


@dataclass(frozen=True)
class Barcode:
    payload: str
    symbology: str  # zbar's name: QRCODE, EAN13, CODE128 …
    page: int
    box: tuple[float, float, float, float]  # x0, y0, x1, y1 relative to the page


def text_of(data: bytes) -> str:
    """A code's bytes as text: UTF-8, else Latin-1 (EPC's character set 2)."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def _zbar(image) -> list:
    """zbar on a grayscale PIL image, QR codes read as raw bytes (see _ZBAR_CFG_BINARY)."""
    from pyzbar import pyzbar

    try:
        from pyzbar.wrapper import (ZBarSymbol, zbar_image_scanner_set_config, zbar_image_set_data,
                                    zbar_image_set_format, zbar_image_set_size, zbar_scan_image)

        pixels, width, height = pyzbar._pixel_data(image)
        with pyzbar._image_scanner() as scanner:
            # Payment codes are QR codes: the other decoders only cost time (and zbar's DataBar
            # decoder floods stderr with assertion warnings on noisy receipts).
            zbar_image_scanner_set_config(scanner, ZBarSymbol.NONE, _ZBAR_CFG_ENABLE, 0)
            zbar_image_scanner_set_config(scanner, ZBarSymbol.NONE, _ZBAR_CFG_X_DENSITY, SCAN_DENSITY)
            zbar_image_scanner_set_config(scanner, ZBarSymbol.NONE, _ZBAR_CFG_Y_DENSITY, SCAN_DENSITY)
            zbar_image_scanner_set_config(scanner, ZBarSymbol.QRCODE, _ZBAR_CFG_ENABLE, 1)
            zbar_image_scanner_set_config(scanner, ZBarSymbol.QRCODE, _ZBAR_CFG_BINARY, 1)
            with pyzbar._image() as zimg:
                zbar_image_set_format(zimg, pyzbar._FOURCC["L800"])
                zbar_image_set_size(zimg, width, height)
                zbar_image_set_data(zimg, cast(pixels, c_void_p), len(pixels), None)
                if zbar_scan_image(scanner, zimg) < 0:
                    return []
                return list(pyzbar._decode_symbols(pyzbar._symbols_for_image(zimg)))
    except (AttributeError, ImportError):  # another pyzbar: its public API guesses the encoding
        return [r._replace(data=_undo_guess(r.data)) for r in pyzbar.decode(image, symbols=[pyzbar.ZBarSymbol.QRCODE])]


def _undo_guess(data: bytes) -> bytes:
    """zbar's public decode re-encodes QR bytes it took for Big5/Shift-JIS/Latin-1 as UTF-8;
    undo the guess when that gives back valid UTF-8."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return data
    if text.isascii():
        return data
    for enc in ("latin-1", "big5", "shift_jis", "gb18030", "euc-kr"):
        try:
            raw = text.encode(enc)
            raw.decode("utf-8")
            return raw
        except (UnicodeEncodeError, UnicodeDecodeError):
            continue
    return data


def _variants(gray, retry: bool):
    yield gray, 1.0
    if not retry or gray.size[0] * gray.size[1] > RETRY_MAX_PIXELS:
        return
    from PIL import Image, ImageOps

    img = gray
    factor = 1.0
    if img.size[0] * img.size[1] * 4 <= RETRY_MAX_PIXELS:
        img = img.resize((img.size[0] * 2, img.size[1] * 2), Image.BILINEAR)
        factor = 2.0
    img = ImageOps.autocontrast(img, cutoff=1)
    hist = img.histogram()
    cut = otsu_threshold(hist)
    yield img.point(lambda p: 255 if p > cut else 0), factor


def decode_image(image, page: int, region: tuple[float, float, float, float] = (0.0, 0.0, 1.0, 1.0),
                 retry: bool = True) -> list[Barcode]:
    """Every code zbar reads on ``image``; ``region`` is where the image lies on the page
    (relative), to give boxes relative to the page. A second, thresholded (and, on a small
    image, upscaled) try runs when the first finds nothing and the image is small enough."""
    gray = image if image.mode == "L" else image.convert("L")
    rx0, ry0, rx1, ry1 = region
    for variant, factor in _variants(gray, retry):
        found = _zbar(variant)
        if not found:
            continue
        w, h = gray.size[0] * factor, gray.size[1] * factor
        out = []
        for r in found:
            xs = [p[0] for p in r.polygon] or [r.rect.left, r.rect.left + r.rect.width]
            ys = [p[1] for p in r.polygon] or [r.rect.top, r.rect.top + r.rect.height]
            box = (rx0 + (rx1 - rx0) * max(0.0, min(xs) / w), ry0 + (ry1 - ry0) * max(0.0, min(ys) / h),
                   rx0 + (rx1 - rx0) * min(1.0, max(xs) / w), ry0 + (ry1 - ry0) * min(1.0, max(ys) / h))
            out.append(Barcode(text_of(r.data), str(r.type), page, tuple(round(v, 5) for v in box)))
        return out
    return []


def code_regions(ppage) -> list[tuple[tuple[float, float, float, float], float]]:
    """Places of a pdfplumber page that may carry a 2D code: (relative box, render scale)."""
    width, height = float(ppage.width), float(ppage.height)
    x_off, y_off = float(ppage.bbox[0]), float(ppage.bbox[1])
    if width <= 0 or height <= 0:
        return []
    boxes: list[tuple[tuple[float, float, float, float], float]] = []

    def add(x0, top, x1, bottom, scale, margin):
        x0, x1 = max(0.0, x0 - x_off - margin), min(width, x1 - x_off + margin)
        top, bottom = max(0.0, top - y_off - margin), min(height, bottom - y_off + margin)
        if x1 - x0 < MIN_CODE_PT or bottom - top < MIN_CODE_PT:
            return
        area = (x1 - x0) * (bottom - top)
        scale = max(MIN_SCALE, min(scale, (MAX_CROP_PIXELS / area) ** 0.5))
        boxes.append(((x0 / width, top / height, x1 / width, bottom / height), scale))

    for im in ppage.images:
        w, h = im["x1"] - im["x0"], im["bottom"] - im["top"]
        if w < MIN_CODE_PT or h < MIN_CODE_PT:
            continue
        src_w, src_h = (im.get("srcsize") or (0, 0))[:2]
        if src_w and src_h and min(src_w, src_h) < 21:  # fewer pixels than the smallest QR's modules
            continue
        native = max(src_w / w, src_h / h) if src_w and src_h else MIN_SCALE
        add(im["x0"], im["top"], im["x1"], im["bottom"], min(MAX_IMAGE_SCALE, native * 1.5), 4.0)

    bins: dict[tuple[int, int], list] = {}
    for o in list(ppage.rects) + list(ppage.curves):
        w, h = o["x1"] - o["x0"], o["bottom"] - o["top"]
        if not o.get("fill") or min(w, h) > MAX_MODULE_PT or max(w, h) > MAX_RUN_PT:
            continue
        key = (int((o["x0"] + o["x1"]) / 2 // _BIN_PT), int((o["top"] + o["bottom"]) / 2 // _BIN_PT))
        bins.setdefault(key, []).append(o)
    seen: set = set()
    for start in bins:
        if start in seen:
            continue
        seen.add(start)
        stack, shapes = [start], []
        while stack:  # connected bins (8-neighbours): one cluster of shapes
            bx, by = stack.pop()
            shapes += bins[(bx, by)]
            for nb in ((bx + dx, by + dy) for dx in (-1, 0, 1) for dy in (-1, 0, 1)):
                if nb in bins and nb not in seen:
                    seen.add(nb)
                    stack.append(nb)
        if len(shapes) < MIN_VECTOR_SHAPES:
            continue
        x0, x1 = min(o["x0"] for o in shapes), max(o["x1"] for o in shapes)
        top, bottom = min(o["top"] for o in shapes), max(o["bottom"] for o in shapes)
        side = min(x1 - x0, bottom - top)
        if side < MIN_CODE_PT or max(x1 - x0, bottom - top) > 3 * side:
            continue  # a table's cell shading, a rule: not square enough for a 2D code
        add(x0, top, x1, bottom, min(MAX_VECTOR_SCALE, 900 / max(side, 1.0)), 6.0)
    return boxes


def scan_pdf_page(pdf, ppage, index: int) -> list[Barcode]:
    """Codes on a digital PDF page: only the regions ``code_regions`` picks are rendered,
    cropped (pypdfium2 document ``pdf``, pdfplumber page ``ppage``)."""
    regions = code_regions(ppage)
    if not regions:
        return []
    page = pdf[index]
    pw, ph = page.get_size()
    out: list[Barcode] = []
    for (x0, y0, x1, y1), scale in regions:
        if any(b.box[0] >= x0 and b.box[1] >= y0 and b.box[2] <= x1 and b.box[3] <= y1 for b in out):
            continue  # already read through an overlapping region
        crop = (x0 * pw, (1 - y1) * ph, (1 - x1) * pw, y0 * ph)  # left, bottom, right, top margins
        try:
            image = page.render(scale=scale, crop=crop, grayscale=True).to_pil()
        except Exception:  # a broken image stream: the page text still counts
            _logger.debug("cannot render region %s of page %s", (x0, y0, x1, y1), index, exc_info=True)
            continue
        for code in decode_image(image, index, (x0, y0, x1, y1)):
            if not any(_same_code(code, b) for b in out):
                out.append(code)
    return out


def _same_code(a: Barcode, b: Barcode) -> bool:
    """The same symbol read twice (through two overlapping regions)."""
    return (a.payload == b.payload and a.page == b.page and a.box[0] < b.box[2] and b.box[0] < a.box[2]
            and a.box[1] < b.box[3] and b.box[1] < a.box[3])
