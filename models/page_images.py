"""Pages of a stored document as PNG images for the review form, rendered on the server.

PDF pages are rendered by pypdfium2, images (every frame of a TIFF/GIF is a page) by
Pillow, at the page geometry the engine reads (no EXIF rotation, pdfium's page rendering),
so candidate coords (relative 0..1) land on the same words. Renders are kept in a small
in-process LRU cache bounded in bytes; pdfium is not thread-safe, so rendering is
serialized by a lock (page views are rare next to polls).
"""
from __future__ import annotations

import io
import threading
import warnings
from collections import OrderedDict

from ..extraction.limits import DEFAULT_LIMITS, Limits

PDF = "application/pdf"
# Width in pixels pages are rendered at: sharp at 2× zoom on a 1920-wide screen's half.
RENDER_WIDTH = 1600
CACHE_BYTES = 64 * 1024 * 1024


class PageError(ValueError):
    """The document cannot be shown (unreadable, encrypted, too large, no such page)."""


class _LRU:
    def __init__(self, budget: int):
        self.budget, self.used = budget, 0
        self.items: OrderedDict = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key):
        with self.lock:
            if key in self.items:
                self.items.move_to_end(key)
                return self.items[key]
            return None

    def put(self, key, value) -> None:
        size = len(value) if isinstance(value, (bytes, bytearray)) else 64
        with self.lock:
            if key in self.items:
                return
            self.items[key] = value
            self.used += size
            while self.used > self.budget and len(self.items) > 1:
                _k, old = self.items.popitem(last=False)
                self.used -= len(old) if isinstance(old, (bytes, bytearray)) else 64


_cache = _LRU(CACHE_BYTES)
_pdfium_lock = threading.Lock()


def _open_pdf(data: bytes, limits: Limits):
    import pypdfium2 as pdfium

    from ..extraction.errors import UnsupportedSize
    from ..extraction.pdf_guard import check_streams

    try:
        check_streams(data, limits)  # the server process inflates no more than a worker may
        pdf = pdfium.PdfDocument(data)
    except UnsupportedSize as e:
        raise PageError(str(e)) from e
    except pdfium.PdfiumError as e:
        raise PageError(f"The PDF cannot be shown: {e}") from e
    if len(pdf) > limits.max_pages:
        pdf.close()
        raise PageError("The document has too many pages.")
    return pdf


def _open_image(data: bytes, limits: Limits):
    from PIL import Image, UnidentifiedImageError

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            img = Image.open(io.BytesIO(data))
            if img.size[0] * img.size[1] > limits.max_pixels:
                raise PageError("The image is too large to show.")
            if getattr(img, "n_frames", 1) > limits.max_pages:
                raise PageError("The document has too many pages.")
    except (Image.DecompressionBombError, Image.DecompressionBombWarning, UnidentifiedImageError, OSError,
            SyntaxError, ValueError) as e:
        if isinstance(e, PageError):
            raise
        raise PageError(f"The image cannot be shown: {e}") from e
    return img


def page_count(key: str, data: bytes, mimetype: str, limits: Limits = DEFAULT_LIMITS) -> int:
    cached = _cache.get((key, "count"))
    if cached is not None:
        return cached
    if mimetype == PDF:
        with _pdfium_lock:
            pdf = _open_pdf(data, limits)
            try:
                count = len(pdf)
            finally:
                pdf.close()
    elif (mimetype or "").startswith("image/"):
        count = getattr(_open_image(data, limits), "n_frames", 1)
    else:
        count = 0  # e.g. an e-invoice XML: nothing printed to show
    _cache.put((key, "count"), count)
    return count


def render_page(key: str, data: bytes, mimetype: str, index: int, width: int = RENDER_WIDTH,
                limits: Limits = DEFAULT_LIMITS) -> bytes:
    """Page ``index`` (0-based) as PNG, ``width`` pixels wide; cached under ``key``."""
    cached = _cache.get((key, index, width))
    if cached is not None:
        return cached
    if mimetype == PDF:
        image = _render_pdf(data, index, width, limits)
    elif (mimetype or "").startswith("image/"):
        image = _render_image(data, index, width, limits)
    else:
        raise PageError("This document has no pages to show.")
    out = io.BytesIO()
    image.save(out, "PNG", optimize=False, compress_level=6)
    png = out.getvalue()
    _cache.put((key, index, width), png)
    return png


def _render_pdf(data: bytes, index: int, width: int, limits: Limits):
    with _pdfium_lock:
        pdf = _open_pdf(data, limits)
        try:
            if not 0 <= index < len(pdf):
                raise PageError("No such page.")
            page = pdf[index]
            w, h = page.get_size()
            scale = width / max(w, 1)
            if w * h * scale * scale > limits.max_pixels:
                scale = (limits.max_pixels / max(w * h, 1)) ** 0.5
            return page.render(scale=scale).to_pil().convert("RGB")
        finally:
            pdf.close()


def _render_image(data: bytes, index: int, width: int, limits: Limits):
    from PIL import Image

    img = _open_image(data, limits)
    frames = getattr(img, "n_frames", 1)
    if not 0 <= index < frames:
        raise PageError("No such page.")
    try:
        img.seek(index)
        frame = img.convert("RGB")
    except (OSError, ValueError) as e:
        raise PageError(f"The image cannot be shown: {e}") from e
    if frame.size[0] > width:
        frame = frame.resize((width, max(1, round(frame.size[1] * width / frame.size[0]))), Image.LANCZOS)
    return frame
